"""Plain data in and out of the gap report: no database rows, no Flask."""

from dataclasses import asdict, dataclass, field
from datetime import date

from coopmatch.matching.types import PUBLIC_BODY

# Tender statuses that are demand: everything but a cancelled (or withdrawn) notice.
NOT_DEMAND = frozenset({"cancelled", "withdrawn"})

# What the report says about one unit of demand.
COVERED, NEAR_MISS, GAP = "covered", "near_miss", "gap"
VERDICTS = (COVERED, NEAR_MISS, GAP)

# The routes a development agency can take to fill a gap.
NEW_COOP, BUYOUT, CONSORTIUM, LOT_SPLIT = "new_coop", "buyout", "consortium", "lot_split"
ROUTES = {
    NEW_COOP: "Start a new co-operative",
    BUYOUT: "Employee buyout of a local firm",
    CONSORTIUM: "Consortium of local firms",
    LOT_SPLIT: "Split into lots local firms can bid for",
}

# Why no local supplier fits.
NO_CAPABILITY, NO_CAPACITY, DISTANCE = "capability", "capacity", "distance"

UNCLASSIFIED = ""  # the sector of demand with no CPV code


@dataclass
class DemandItem:
    """One unit of demand: a tender without lots, or one lot of a tender (never both).

    `value_gbp` is the estimated value of the whole contract (or lot), `awarded_value_gbp` what
    it was awarded for; the awarded value wins when both are known. For a lot, `title` should
    carry the tender's title too ("Linen services: lot 2, theatre gowns") so the matching text
    says what the work is.
    """

    tender_id: int
    lot_id: int | None = None
    ocid: str | None = None
    title: str = ""
    description: str = ""
    buyer_id: int | None = None
    buyer_name: str = ""
    cpv_codes: list[str] = field(default_factory=list)  # the main code first
    value_gbp: float | None = None
    awarded_value_gbp: float | None = None
    published: date | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    status: str = "open"  # planned, open, closed, awarded, cancelled
    recurring: bool = False  # the notice says the need recurs (Tender.recurrence)
    framework: bool = False  # the value is a framework's ceiling
    latitude: float | None = None  # the delivery place, else the buyer's address
    longitude: float | None = None
    lad_code: str | None = None
    county_code: str | None = None
    region_code: str | None = None
    awarded_supplier_ids: list[int] = field(default_factory=list)
    # The notice had no CPV code: cpv_codes holds the one suggested from its text.
    cpv_suggested: bool = False

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.tender_id, self.lot_id)

    @property
    def notice_id(self) -> str:
        """Return the id a person can look the notice up by: the OCID, else the tender id."""
        base = self.ocid or f"tender-{self.tender_id}"
        return base if self.lot_id is None else f"{base}/lot-{self.lot_id}"

    @property
    def contract_value(self) -> float | None:
        for value in (self.awarded_value_gbp, self.value_gbp):
            if value is not None and value > 0:
                return float(value)
        return None

    @property
    def main_cpv(self) -> str | None:
        return next((c for c in self.cpv_codes if c and len(c) >= 2), None)


@dataclass
class LocalSupplier:
    """What the routes need to know about a supplier beyond its match score."""

    id: int
    name: str
    ownership: str = "sme"
    cpv_codes: list[str] = field(default_factory=list)  # declared and won
    sic_codes: list[str] = field(default_factory=list)  # 5-digit SIC 2007 (or shorter)
    capacity_gbp: float | None = None  # the largest contract it can take
    succession_risk: bool = False  # owners near retirement, no successor (a supplier flag)
    incorporation_date: date | None = None
    lad_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class Area:
    """Where "local" is: a set of local authority districts, or a radius around each notice.

    With `lad_codes`, demand located in those districts is the area's demand and suppliers in
    them are local. With `radius_km`, a supplier is local to a notice within that distance of
    it; demand is the notice within `radius_km` of `centre` when one is given (else all the
    demand passed in).
    """

    lad_codes: set[str] | None = None
    radius_km: float | None = None
    centre: tuple[float, float] | None = None  # (latitude, longitude)
    name: str = ""

    def __post_init__(self):
        if self.lad_codes is None and self.radius_km is None:
            raise ValueError("Choose an area: local authority codes or a radius in km.")
        if self.lad_codes is not None:
            self.lad_codes = set(self.lad_codes)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "lad_codes": sorted(self.lad_codes) if self.lad_codes is not None else None,
            "radius_km": self.radius_km,
            "centre": list(self.centre) if self.centre else None,
        }


@dataclass
class GapSettings:
    """The report's thresholds and defaults, each with the reason for its value."""

    # The capability (the match score's text, CPV and similar-work part) a local supplier needs
    # for demand to count as met; see config.py for how the default was chosen.
    threshold: float = 0.40
    # A local supplier this far under the threshold is a near miss, not a gap...
    near_miss_margin: float = 0.08
    # ... if it has some capability: being nearby and big enough alone scores about 0.27.
    near_miss_min_capability: float = 0.25
    # Capability (text, CPV, similar work) at which a supplier can do the work; the engine's
    # own `ScoringParams.capable_threshold`, so "too small" means the same thing in both.
    capable_threshold: float = 0.40
    # Group demand by CPV "group" (3 digits, e.g. 981 laundry) or "division" (2 digits).
    group_level: str = "group"
    # Candidates asked of the engine per notice, inside and outside the area; the search
    # outside it (for the "distance" reason) covers the largest few unmet notices per sector.
    top_k: int = 5
    wider_k: int = 3
    wider_per_sector: int = 2
    # A new co-operative needs at least this much demand a year to pay its members.
    new_coop_min_gbp_a_year: float = 100_000
    # Firms this old are a weak succession signal (founders near retirement).
    buyout_min_age_years: float = 25
    # CPV codes sharing this many leading digits are "related" (2: the same division).
    related_cpv_depth: int = 2
    consortium_max_members: int = 4
    lot_split_max_lots: int = 6
    # Contract length when the notice gives no dates: the median of the CPV group's dated
    # notices (at least `typical_min_examples` of them), else of its division, else one year.
    default_contract_years: float = 1.0
    typical_min_examples: int = 3
    # A contract shorter than a year is that year's demand: it is not scaled up to a year.
    min_contract_years: float = 1.0
    # Longer contracts (or placeholder end dates) are spread over this many years at most.
    max_contract_years: float = 15.0
    # A framework's value is a ceiling over its life: four years, the legal maximum (PCR 2015
    # reg. 33), when its dates are unknown.
    framework_years: float = 4.0
    # The day "next re-procurement window" and firm ages are counted from (None: today).
    as_of: date | None = None
    # Whether public bodies (a council's in-house services, an NHS trust) count as local
    # supply; without them, only firms meet demand, and demand only a public body meets is
    # open to a new co-operative or a spin-out.
    public_bodies: bool = True

    def __post_init__(self):
        if self.group_level not in ("group", "division"):
            raise ValueError("group_level is 'group' (3 CPV digits) or 'division' (2).")
        if not 0 <= self.threshold <= 1 or self.near_miss_margin < 0:
            raise ValueError("threshold is between 0 and 1; near_miss_margin is 0 or more.")

    @property
    def sector_digits(self) -> int:
        return 3 if self.group_level == "group" else 2

    @property
    def excluded_ownership(self) -> set[str] | None:
        """Ownership models left out of local supply (for the engine's `MatchOptions`)."""
        return None if self.public_bodies else {PUBLIC_BODY}

    @property
    def today(self) -> date:
        return self.as_of or date.today()

    def to_dict(self) -> dict:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat() if self.as_of else None
        return data
