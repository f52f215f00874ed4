"""The demo: Lancashire's anchors with their real notices and three anchors' payments, North
West co-ops, demo accounts.

With the reference data present the demo is real open data; without it a small built-in set
of suppliers keeps the app from being empty. Either way a few open tenders written for the demo,
labelled "(demo)", give suppliers something current to match. Loading twice changes nothing.
"""

import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, select

from coopmatch.errors import InvalidPostcode
from coopmatch.models import Organisation, Supplier, Tender
from coopmatch.names import normalise_name
from coopmatch.reference import Reference
from coopmatch.services import accounts, organisations, suppliers
from coopmatch.services.geography import apply_place
from coopmatch.services.imports import ImportOptions, ImportSummary, import_file
from coopmatch.services.spend import SpendImportSummary, import_ledgers

DEMO_PASSWORD = "coopmatch-demo"  # a public demo password, for local demo data only
DEMO_ACCOUNTS = [
    ("admin@demo.coopmatch.org", "admin", DEMO_PASSWORD),
    ("buyer@demo.coopmatch.org", "procurement", DEMO_PASSWORD),
    ("agency@demo.coopmatch.org", "agency", DEMO_PASSWORD),
    ("supplier@demo.coopmatch.org", "supplier", DEMO_PASSWORD),
]
NORTH_WEST = "E12000002"

LANCASHIRE_NOTICES = Path("procurement-data/lancashire-contracts-finder/"
                          "lancashire_councils_cf_notices.json")
COOPS = Path("reference-data/coops/coops_uk_open_data_2023q2.csv")
# Lancashire's notices give no winner's address; UK award notices give one for some of them.
AWARD_PAIRS = Path("procurement-data/labelled/award_supplier_pairs_uk.csv")
# Lancashire anchors' published payments, for the spend analysis: (anchor, folder, pattern).
SPEND = Path("procurement-data/council-spend")
DEMO_LEDGERS = [
    ("Hyndburn Borough Council", SPEND / "hyndburn/raw", "*.csv"),  # over £250, 2017-2026
    ("Lancashire Police and Crime Commissioner", SPEND / "lancashire_pcc/raw_xlsx", "*.xlsx"),
    ("Lancashire Fire and Rescue Service", SPEND / "lancashire_fire/raw_xlsx", "*.xlsx"),
]

# Lancashire's councils as anchors: the name Contracts Finder uses, and the main office.
LANCASHIRE_ANCHORS = [
    ("Preston City Council", "council", "PR1 2RL"),
    ("Lancashire County Council", "council", "PR1 8XJ"),
    ("Blackburn With Darwen Borough Council", "council", "BB1 7DY"),
    ("Blackpool Council", "council", "FY1 3AH"),
    ("Burnley Borough Council", "council", "BB11 9SA"),
    ("Chorley Council", "council", "PR7 1DP"),
    ("Fylde Council", "council", "FY8 1LW"),
    ("Hyndburn Borough Council", "council", "BB5 1LA"),
    ("Lancaster City Council", "council", "LA1 1PJ"),
    ("Pendle Borough Council", "council", "BB9 7LG"),
    ("Ribble Valley Borough Council", "council", "BB7 2RA"),
    ("Rossendale Borough Council", "council", "BB4 5LA"),
    ("South Ribble Borough Council", "council", "PR25 1DH"),
    ("West Lancashire Borough Council", "council", "L39 2DF"),
    ("Wyre Council", "council", "FY6 7PU"),
    ("Lancashire Teaching Hospitals NHS Foundation Trust", "nhs", "PR2 9HT"),
    ("Lancashire Police and Crime Commissioner", "police_fire", "PR4 5SB"),
    ("Lancashire Fire and Rescue Service", "police_fire", "PR2 3LH"),
    ("Preston Co-operative Development Network (demo agency)", "agency", "PR1 2HE"),
]


@dataclass
class DemoResult:
    imports: list[ImportSummary | SpendImportSummary] = field(default_factory=list)
    accounts_created: int = 0
    built_in: bool = False
    located: suppliers.Located | None = None

    def summary(self) -> str:
        lines = [s.summary() for s in self.imports]
        if self.located and self.located.placed:
            lines.append(f"Placed {len(self.located.placed)} of the {self.located.unplaced} "
                         "suppliers with a company's name and no address, where other UK "
                         "award notices put the same company.")
        if self.built_in:
            lines.append("Loaded the small built-in demo (no reference data directory).")
        lines.append(f"Demo accounts created: {self.accounts_created} "
                     f"(password for all: {DEMO_PASSWORD})")
        return "\n".join(lines)


def _organisation(session: Session, ref: Reference, name: str, kind: str,
                  postcode: str) -> Organisation:
    organisation = organisations.find_by_name(session, name)
    if organisation is None:
        organisation = Organisation(name=name, normalised_name=normalise_name(name), kind=kind)
        session.add(organisation)
    if organisation.postcode is None:
        try:
            apply_place(organisation, ref.geo.lookup(postcode))
        except InvalidPostcode:
            organisation.postcode = postcode
    organisation.kind = kind
    return organisation


def _accounts(session: Session, buyer: Organisation, agency: Organisation,
              supplier: Supplier | None) -> int:
    created = 0
    links = {
        "procurement": {"organisation_id": buyer.id},
        "agency": {"organisation_id": agency.id},
        "supplier": {"supplier_id": supplier.id if supplier else None},
        "admin": {},
    }
    for email, role, password in DEMO_ACCOUNTS:
        if accounts.find_by_email(session=session, email=email):
            continue
        accounts.create_user(session, actor=None, email=email, password=password,
                             name=f"Demo {role}", role=role, **links[role])
        created += 1
    return created


def _fictional_supplier(session: Session, ref: Reference, name: str, postcode: str,
                        **fields) -> Supplier:
    """Return the demo's fictional supplier of this name, added (at `postcode`) if absent."""
    supplier = session.exec(select(Supplier).where(Supplier.name == name)).first()
    if supplier is None:
        supplier = Supplier(name=name, normalised_name=normalise_name(name), **fields)
        try:
            apply_place(supplier, ref.geo.lookup(postcode))
        except InvalidPostcode:
            supplier.postcode = postcode
        session.add(supplier)
    return supplier


def _demo_supplier(session: Session, ref: Reference) -> Supplier:
    """The demo supplier account's own profile: a (fictional) worker co-op in Preston."""
    return _fictional_supplier(
        session, ref, "Ribble Valley Catering Co-operative (demo)", "PR1 3NN",
        description=("Worker-owned catering co-operative: school meals, hospital and "
                     "care-home catering, community cafés and event catering using "
                     "Lancashire produce. Real Living Wage employer."),
        ownership="worker_coop",
        legal_form="Co-operative society",
        employees=24,
        turnover_band="500k_2m",
        cpv_codes="55520000 55523100 15894210 55330000",  # cafés: cafeteria services
        sic_codes="56290",
        accreditations="real_living_wage",
        service_radius_km=40,
        source="self_registered",
    )


def _demo_succession_firm(session: Session, ref: Reference) -> Supplier:
    """A (fictional) Preston family firm whose owners are retiring: the demo's employee
    buyout candidate, in work related to Lancashire's bus services (the demo's largest gap)."""
    return _fictional_supplier(
        session, ref, "Deepdale Coaches Ltd (demo)", "PR1 6RB",
        description=("Family-run coach, bus and minibus hire since 1979: school trips, day "
                     "excursions, sports teams and private hire, with 14 vehicles and 22 "
                     "drivers and staff. The founding family plan to retire and have no "
                     "successor."),
        ownership="sme",
        legal_form="Private limited company",
        employees=22,
        turnover_band="500k_2m",
        sic_codes="49390",  # other passenger land transport
        succession_risk=True,
        incorporation_date=date(1979, 4, 2),
        service_radius_km=60,
        source="demo",
    )


def load_demo(session: Session, *, ref: Reference, data_dir: str | None, small: bool = False,
              echo=print) -> DemoResult:
    """Load the demo data and accounts (idempotent)."""
    result = DemoResult()
    anchors = {name: _organisation(session, ref, name, kind, postcode)
               for name, kind, postcode in LANCASHIRE_ANCHORS}
    supplier = _demo_supplier(session, ref)
    _demo_succession_firm(session, ref)
    session.commit()
    root = Path(data_dir) if data_dir else None
    if root and (root / LANCASHIRE_NOTICES).is_file() and not small:
        echo("Importing Lancashire councils' Contracts Finder notices ...")
        result.imports.append(import_file(
            session, fmt="lancashire-json", path=root / LANCASHIRE_NOTICES, ref=ref,
            data_dir=data_dir, options=ImportOptions(skip_invalid=True),
            source_name="Lancashire councils' notices", rejected_dir=Path(tempfile.gettempdir())))
        echo("Importing North West co-operatives from Co-operatives UK open data ...")
        result.imports.append(import_file(
            session, fmt="coops-uk", path=root / COOPS, ref=ref, data_dir=data_dir,
            options=ImportOptions(skip_invalid=True, areas={NORTH_WEST}),
            source_name="Co-operatives UK open data (North West)",
            rejected_dir=Path(tempfile.gettempdir())))
        if (root / AWARD_PAIRS).is_file():
            echo("Placing award winners from other UK award notices ...")
            result.located, _ = suppliers.locate_from_file(
                session, path=root / AWARD_PAIRS, fmt=None, ref=ref, user=None,
                source=AWARD_PAIRS.name, data_dir=data_dir, max_bytes=None)
        for anchor, folder, pattern in DEMO_LEDGERS:
            ledgers = sorted((root / folder).glob(pattern))
            if ledgers:
                echo(f"Importing {anchor}'s payments ...")
                result.imports.append(import_ledgers(
                    session, anchor=anchors[anchor], paths=ledgers, skip_invalid=True,
                    ref=ref))
    else:
        _built_in(session, ref)
        result.built_in = True
    _demo_tenders(session, anchors)
    agency = anchors["Preston Co-operative Development Network (demo agency)"]
    result.accounts_created = _accounts(session, anchors["Preston City Council"], agency,
                                        supplier)
    session.commit()
    return result


BUILT_IN_SUPPLIERS = [
    ("Preston Cleaning Co-operative", "worker_coop", "PR1 1HT",
     "Office, school and communal area cleaning by a worker co-op; window cleaning.",
     "90910000"),
    ("Lune Valley Food Hub", "multi_stakeholder_coop", "LA1 1DW",
     "Local food distribution to schools and care homes; fresh fruit, vegetables and dairy.",
     "15000000"),
    ("Pendle Community Energy", "community_benefit_society", "BB9 7LG",
     "Community-owned solar PV installation and energy efficiency retrofit.", "09332000"),
    ("Fylde Coast Grounds Maintenance Ltd", "sme", "FY8 1LW",
     "Grounds maintenance, grass cutting, tree surgery and landscaping.", "77314000"),
]
# Open tenders written for the demo (the real notices are nearly all closed), sized for the
# local firms and co-ops the demo is about. Labelled "(demo)": they are not real notices.
DEMO_TENDERS = [
    ("School meals for Preston primary schools (demo)", "Preston City Council", "55523100",
     1_200_000, "recurring",
     "Hot school lunches for 14 primary schools in Preston, cooked with fresh local produce, "
     "with menus for special diets. Three years from September 2027."),
    ("Cleaning of council offices and depots (demo)", "Lancashire County Council", "90910000",
     450_000, "recurring",
     "Daily cleaning of offices, depots and communal areas in Preston and Chorley, and window "
     "cleaning every quarter."),
    ("Parks grounds maintenance 2027-2030 (demo)", "Fylde Council", "77314000", 900_000,
     "recurring",
     "Grass cutting, shrub beds, hedges and tree work in Fylde's parks, playing fields and "
     "cemeteries."),
    ("Solar PV on leisure centre roofs (demo)", "Burnley Borough Council", "09332000", 300_000,
     "one_off",
     "Design and installation of solar panels on the roofs of two leisure centres, with "
     "battery storage."),
    ("Hospital entrance café (demo)", "Lancashire Teaching Hospitals NHS Foundation Trust",
     "55330000", 180_000, "recurring",
     "Run the café at the Royal Preston Hospital's main entrance: hot food, sandwiches and "
     "drinks for patients, visitors and staff, seven days a week."),
]


def _built_in(session: Session, ref: Reference) -> None:
    """A few suppliers written here, for when the reference data directory is absent."""
    for name, ownership, postcode, description, cpv in BUILT_IN_SUPPLIERS:
        if session.exec(select(Supplier).where(Supplier.name == name)).first():
            continue
        supplier = Supplier(name=name, normalised_name=normalise_name(name),
                            ownership=ownership, description=description, cpv_codes=cpv,
                            source="demo")
        apply_place(supplier, ref.geo.lookup(postcode))
        session.add(supplier)
    session.flush()


def _demo_tenders(session: Session, anchors: dict[str, Organisation]) -> None:
    """Open the demo's own tenders (once: found again by title)."""
    today = date.today()
    for title, buyer_name, cpv, value, recurrence, description in DEMO_TENDERS:
        if session.exec(select(Tender).where(Tender.title == title)).first():
            continue
        buyer = anchors[buyer_name]
        session.flush()
        tender = Tender(title=title, description=f"{description} A demo tender.",
                        buyer_id=buyer.id, cpv_codes=cpv, value=value, status="open",
                        recurrence=recurrence, published_date=today,
                        deadline=today + timedelta(days=30), source="demo",
                        latitude=buyer.latitude, longitude=buyer.longitude,
                        local_authority_code=buyer.local_authority_code,
                        county_code=buyer.county_code, region_code=buyer.region_code)
        session.add(tender)
    session.flush()
