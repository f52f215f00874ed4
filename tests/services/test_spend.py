"""Spend analysis through the database: exact figures, the review queue, re-imports, access."""

import csv
import html
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from coopmatch.models import LedgerName, Payment
from coopmatch.services import ledger_names, spend
from coopmatch.services.imports import ImportRejected
from tests.factories import create_organisation, create_supplier, create_tender, create_user

LEDGER = (
    "Service Cost Centre,Account Detail,Description,HBC ref no,Name,Payment date,Net Amount\n"
    "Depot,Repairs,Roof repair,B1,ACCRINGTON JOINERY LIMITED,15/04/2019,\"£1,000.00\"\n"
    "Depot,Repairs,Roof repair refund,B1,Accrington Joinery Ltd,16/04/2019,200.00-\n"
    "Comms,Printing,Leaflets,B2,Pendle Print Co-op,20/05/2019,500.00\n"
    "Town Hall,Cleaning,Cleaning May,B3,Manchester Cleaning,01/06/2019,2000.00\n"
    "Legal,Legal,Advice,B6,Leeds Legal LLP,02/08/2019,700.00\n"
    "Housing,Care,Placement,B8,REDACTED,04/08/2019,1200.00\n"
    "Depot,Repairs,Windows,B1,Accrington Joinery Ltd,01/04/2020,2000.00\n"
)


@pytest.fixture
def anchor_and_register(session, ref):
    hyndburn = create_organisation(session, ref, name="Hyndburn Borough Council",
                                   postcode="BB5 1LA")
    suppliers = {
        "joinery": create_supplier(session, ref, name="Accrington Joinery Ltd",
                                   postcode="BB5 1AA", ownership="sme",
                                   description="Joinery and building repairs in Accrington."),
        "print": create_supplier(session, ref, name="Pendle Print Co-operative Ltd",
                                 postcode="BB9 7AA", ownership="worker_coop",
                                 description="Worker co-op printing leaflets and reports."),
        "cleaning": create_supplier(session, ref, name="Manchester Cleaning Services Ltd",
                                    postcode="M1 1AE", ownership="sme",
                                    description="Office cleaning across Greater Manchester."),
        "legal": create_supplier(session, ref, name="Leeds Legal LLP", postcode="LS1 1BA",
                                 ownership="large_company",
                                 description="Legal advice to public bodies."),
    }
    return hyndburn, suppliers


def _import(session, anchor, tmp_path, text=LEDGER, name="ledger.csv", **options):
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return spend.import_ledgers(session, anchor=anchor, paths=[path], **options)


def test_hand_made_ledger_gives_exact_figures_per_tier_year_and_sector(
        session, ref, tmp_path, anchor_and_register):
    hyndburn, _ = anchor_and_register
    summary = _import(session, hyndburn, tmp_path)
    assert summary.new_payments == 7 and summary.rejected == 0
    assert hyndburn.local_authority_code == "E07000120"
    report = spend.anchor_report(session, anchor=hyndburn, ref=ref)
    first, second = report.figures.years
    assert (first.label, second.label) == ("2019/20", "2020/21")
    split = first.split
    # 1,000 - 200 (credit) + 500 + 2,000 + 700 + 1,200 (redacted) = £5,200
    assert split.total == 520_000
    assert split.tiers == {"local_authority": 80_000, "wider_area": 50_000, "region": 0,
                           "rest_of_uk": 70_000, "outside_uk": 0, "unknown": 320_000}
    assert split.redacted == 120_000 and split.unresolved == 200_000  # "Manchester Cleaning"
    assert split.local_share == pytest.approx(80_000 / 520_000)
    assert split.wider_share == pytest.approx(130_000 / 520_000)
    assert split.leakage == 440_000
    assert first.by_expense_type["Repairs"].tiers["local_authority"] == 80_000
    assert first.by_expense_type["Printing"].tiers["wider_area"] == 50_000
    assert first.by_expense_type["Care"].redacted == 120_000
    assert second.split.total == 200_000 and second.split.local_share == 1.0
    change = report.figures.change()
    assert change[0].local_share == pytest.approx(80_000 / 520_000)
    assert change[1].local_share == 1.0


def test_payments_are_summed_by_year_and_payee_in_the_database_and_still_counted(
        session, ref, tmp_path, anchor_and_register):
    hyndburn, _ = anchor_and_register
    header = LEDGER.split("\n")[0]
    _import(session, hyndburn, tmp_path, text=header + "\n"
            "Depot,Repairs,Roof,B1,Accrington Joinery Ltd,15/04/2019,100.00\n"
            "Depot,Repairs,Gutters,B1,Accrington Joinery Ltd,31/03/2020,50.00\n"
            "Depot,Repairs,Doors,B1,Accrington Joinery Ltd,01/04/2020,25.00\n"
            "Depot,Cleaning,Depot,B1,Accrington Joinery Ltd,02/04/2020,10.00\n"
            "Depot,Repairs,Refund,B1,Accrington Joinery Ltd,03/04/2020,5.00-\n")
    table = spend.payment_table(session, [hyndburn.id])
    # 31 March is the last day of 2019/20, 1 April the first of 2020/21: one row per year,
    # payee and expense type, each counting its payments.
    rows = sorted(zip(table.financial_year.tolist(), table.pence.tolist(),
                      table.payments.tolist(),
                      [table.expense_types[e] for e in table.expense_type], strict=True))
    assert rows == [(2019, 15_000, 2, "Repairs"), (2020, 1_000, 1, "Cleaning"),
                    (2020, 2_000, 2, "Repairs")]
    first, second = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years
    assert (first.split.payments, first.split.total) == (2, 15_000)
    assert (second.split.payments, second.split.total) == (3, 3_000)
    assert second.by_expense_type["Repairs"].payments == 2
    only = spend.payment_table(session, [hyndburn.id], year=2020)
    assert sorted(only.payments.tolist()) == [1, 2]


def test_confirming_a_name_changes_the_figures_and_survives_reimport(
        session, ref, tmp_path, anchor_and_register):
    hyndburn, suppliers = anchor_and_register
    _import(session, hyndburn, tmp_path)
    agency = create_user(session, role="agency")
    queue = spend.review_queue(session, user=agency).items
    assert [item.name.name for item in queue] == ["Manchester Cleaning"]
    assert queue[0].candidates[0]["supplier_id"] == suppliers["cleaning"].id
    spend.decide(session, user=agency, ledger_name_id=queue[0].name.id,
                 supplier_id=suppliers["cleaning"].id)
    split = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split
    assert split.tiers["region"] == 200_000 and split.unresolved == 0
    again = _import(session, hyndburn, tmp_path, name="again.csv")
    assert again.new_payments == 0 and again.already_imported == 7
    assert session.exec(select(func.count()).select_from(Payment)).one() == 7
    split = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split
    assert split.tiers["region"] == 200_000
    assert spend.review_queue(session, user=agency).items == []


def test_a_firms_site_accounts_are_one_payee_and_its_spend_is_placed(
        session, ref, tmp_path, anchor_and_register):
    """Ledgers write a site or an account number after the firm's name: the firm is paid."""
    hyndburn, suppliers = anchor_and_register
    ledger = (LEDGER.split("\n")[0] + "\n"
              "Parks,Water,Car park,W1,Accrington Joinery Ltd - 6000325944 - Car Park,"
              "01/05/2019,100.00\n"
              "Parks,Water,Bowling green,W2,ACCRINGTON JOINERY LTD (Bowling Green),"
              "02/05/2019,50.00\n"
              "Depot,Vans,Van lease,W3,Accrington Joinery Ltd Self Billing,03/05/2019,25.00\n")
    summary = _import(session, hyndburn, tmp_path, text=ledger)
    assert summary.new_payments == 3
    names = session.exec(select(LedgerName)).all()
    assert [(n.key, n.status, n.supplier_id) for n in names] == [
        ("accrington joinery", "auto", suppliers["joinery"].id)]
    split = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split
    assert split.tiers["local_authority"] == 17_500 and split.unresolved == 0


def test_spend_with_a_council_known_by_its_area_is_placed_there(
        client, session, ref, tmp_path, anchor_and_register):
    """A council paid by an anchor is in its area even with no postcode: Lancashire County
    Council is in Hyndburn's wider area, with no one district."""
    from coopmatch.models import Supplier
    from coopmatch.services.geography import apply_place

    hyndburn, _ = anchor_and_register
    county = Supplier(name="Lancashire County Council", normalised_name="lancashire county "
                      "council", ownership="public_body", source="award")
    apply_place(county, ref.geo.place_of_buyer(county.name))
    session.add(county)
    session.commit()
    ledger = (LEDGER.split("\n")[0] + "\n"
              "Waste,Disposal,Tipping,L1,LANCASHIRE COUNTY COUNCIL,01/05/2019,300.00\n")
    _import(session, hyndburn, tmp_path, text=ledger)
    split = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split
    assert split.tiers["wider_area"] == 30_000 and split.tiers["unknown"] == 0
    # The page says how much of the spend is with public bodies: not work a firm could win.
    client.sign_in(create_user(session, role="agency").email)
    page = html.unescape(client.get(f"/spend/anchors/{hyndburn.id}").get_data(as_text=True))
    assert "With public bodies: £300 (100%), £300 of it in the wider area." in page
    # Left out, on the page, in the API and in the CLI's figures: procurement spend alone.
    report = spend.anchor_report(session, anchor=hyndburn, ref=ref, public_bodies=False)
    assert report.figures.overall.split.total == 0
    page = html.unescape(client.get(
        f"/spend/anchors/{hyndburn.id}?without_public_bodies=1").get_data(as_text=True))
    assert "Payments to public bodies are left out of these figures." in page
    assert "With public bodies" not in page
    body = client.get(f"/api/spend?anchor={hyndburn.id}&without_public_bodies=1").get_json()
    assert body["anchors"][0]["overall"]["split"]["total"] == 0
    refused = client.get(f"/api/spend?anchor={hyndburn.id}&without_public_bodies=perhaps")
    assert refused.status_code == 400 and refused.get_json()["field"] == "without_public_bodies"


def test_councils_paid_but_not_in_the_register_are_added_as_public_bodies(
        session, ref, tmp_path, anchor_and_register):
    """A council's name in a ledger places its spend in the council's area; other names that
    only sound public ("Council for Voluntary Service") or name no area wait for a person."""
    from coopmatch.models import Supplier
    from coopmatch.services import ledger_names

    hyndburn, _ = anchor_and_register
    create_organisation(session, ref, name="Preston City Council", postcode="PR1 2RL")
    header = LEDGER.split("\n")[0] + "\n"
    ledger = header + (
        "Finance,Precept,Share,C1,SOUTH RIBBLE BOROUGH COUNCIL,01/05/2019,100.00\n"
        "Finance,Services,Shared,C2,PRESTON CITY COUNCIL,02/05/2019,200.00\n"
        "Grants,Grant,Grant,C3,Council for Voluntary Service Preston,03/05/2019,300.00\n"
        "Police,Mutual aid,Aid,C4,Police Now Enterprises Limited,04/05/2019,400.00\n")
    summary = _import(session, hyndburn, tmp_path, text=ledger, ref=ref)
    assert summary.names == {"auto": 2, "unresolved": 2}
    from coopmatch.models import AuditEntry
    logged = [e.summary for e in session.exec(select(AuditEntry).where(
        AuditEntry.entity == "supplier", AuditEntry.action == "create"))]
    assert any(e.startswith("Preston City Council: a public body the ledgers pay") for e in logged)
    councils = {s.name: (s.ownership, s.source, s.local_authority_code)
                for s in session.exec(select(Supplier).where(Supplier.source == "ledger"))}
    assert councils == {"SOUTH RIBBLE BOROUGH COUNCIL": ("public_body", "ledger", "E07000126"),
                        # under the name its notices give it, as a buyer
                        "Preston City Council": ("public_body", "ledger", "E07000123")}
    split = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split
    assert split.tiers["wider_area"] == 30_000 and split.unresolved == 70_000
    # Another spelling of a council already added is resolved to it, not added again; and a
    # name left unresolved before is resolved when names are resolved again.
    # Names alike are not taken for one another ("Ribble Valley" and "South Ribble", "Chorley"
    # and "Burnley" score 81-87 against each other): each is its own council.
    later = header + (
        "Finance,Precept,Share,C1,South Ribble Council,01/06/2019,50.00\n"
        "Finance,Services,Shared,C5,RIBBLE VALLEY BOROUGH COUNCIL,02/06/2019,60.00\n"
        "Finance,Services,Shared,C6,BURNLEY BOROUGH COUNCIL,03/06/2019,70.00\n"
        "Finance,Services,Shared,C7,CHORLEY BOROUGH COUNCIL,04/06/2019,80.00\n")
    summary = _import(session, hyndburn, tmp_path, text=later, name="later.csv", ref=ref)
    assert summary.names == {"auto": 4}
    resolved = {row.name: session.get(Supplier, row.supplier_id).name
                for row in session.exec(select(LedgerName)) if row.supplier_id}
    assert resolved == {
        "SOUTH RIBBLE BOROUGH COUNCIL": "SOUTH RIBBLE BOROUGH COUNCIL",
        "South Ribble Council": "SOUTH RIBBLE BOROUGH COUNCIL",
        "PRESTON CITY COUNCIL": "Preston City Council",
        "RIBBLE VALLEY BOROUGH COUNCIL": "RIBBLE VALLEY BOROUGH COUNCIL",
        "BURNLEY BOROUGH COUNCIL": "BURNLEY BOROUGH COUNCIL",
        "CHORLEY BOROUGH COUNCIL": "CHORLEY BOROUGH COUNCIL",
    }
    old = session.exec(select(LedgerName).where(
        LedgerName.name == "Police Now Enterprises Limited")).one()
    old.name, old.key = "PENDLE BOROUGH COUNCIL", "pendle borough council"
    session.commit()
    # Every undecided name counted: the six councils before, Pendle, and the charity.
    assert ledger_names.resolve_again(session, geo=ref.geo) == {"auto": 7, "unresolved": 1}
    public = session.exec(select(Supplier).where(Supplier.source == "ledger")).all()
    assert sorted(s.name for s in public) == [
        "BURNLEY BOROUGH COUNCIL", "CHORLEY BOROUGH COUNCIL", "PENDLE BOROUGH COUNCIL",
        "Preston City Council", "RIBBLE VALLEY BOROUGH COUNCIL", "SOUTH RIBBLE BOROUGH COUNCIL"]
    assert session.exec(select(LedgerName).where(LedgerName.status == "unresolved")).one().name \
        == "Council for Voluntary Service Preston"


def _import_payees(session, ref, tmp_path, anchor, lines: str):
    """Import a ledger of these rows for the anchor; return the import's summary, the first
    year's split, the suppliers the ledger added (by name) and its ledger names (by name)."""
    from coopmatch.models import Supplier

    ledger = LEDGER.split("\n")[0] + "\n" + lines
    summary = _import(session, anchor, tmp_path, text=ledger, ref=ref)
    split = spend.anchor_report(session, anchor=anchor, ref=ref).figures.years[0].split
    added = {s.name: s for s in session.exec(select(Supplier).where(Supplier.source == "ledger"))}
    rows = {r.name: r for r in session.exec(select(LedgerName))}
    return summary, split, added, rows


def test_police_forces_and_fire_services_paid_are_added_in_the_areas_they_serve(
        session, ref, tmp_path, anchor_and_register):
    """Mutual aid and shared control rooms: a police force or fire service named by its area
    is a public body placed there, as a council is; a firm or a national body that only has
    "police" or "fire" in its name waits for a person."""
    summary, split, added, rows = _import_payees(
        session, ref, tmp_path, anchor_and_register[0],
        "Police,Mutual aid,Aid,P1,WEST YORKSHIRE POLICE,04/05/2019,400.00\n"
        "Police,Mutual aid,Aid,P2,POLICE & CRIME COMMISSIONER FOR WEST YORKSHIRE,05/05/2019,"
        "100.00\n"
        "Fire,Control,Share,P3,MERSEYSIDE FIRE & RESCUE AUTHORITY,06/05/2019,300.00\n"
        "Fire,Equipment,Alarms,P4,PROTEC FIRE DETECTION PLC,07/05/2019,50.00\n"
        "Fire,Control,Share,P5,NORTH WEST FIRE CONTROL LTD,08/05/2019,60.00\n"
        "Police,IT,Share,P6,POLICE DIGITAL SERVICE,09/05/2019,70.00\n")
    assert summary.names == {"auto": 3, "unresolved": 3}
    # Merseyside is in Hyndburn's region, West Yorkshire elsewhere in the UK.
    assert split.tiers["region"] == 30_000 and split.tiers["rest_of_uk"] == 50_000
    added = {name: (s.ownership, s.county_code, s.region_code) for name, s in added.items()}
    # The force and its commissioner (two bodies in law) in West Yorkshire; Merseyside's fire
    # service in the Liverpool City Region.
    west_yorkshire = ("public_body", "E47000003", "E12000003")
    assert added == {"WEST YORKSHIRE POLICE": west_yorkshire,
                     "POLICE & CRIME COMMISSIONER FOR WEST YORKSHIRE": west_yorkshire,
                     "MERSEYSIDE FIRE & RESCUE AUTHORITY": ("public_body", "E47000004",
                                                            "E12000002")}
    for name in ("PROTEC FIRE DETECTION PLC", "NORTH WEST FIRE CONTROL LTD",
                 "POLICE DIGITAL SERVICE"):
        assert rows[name].status == "unresolved" and rows[name].supplier_id is None


def test_nhs_bodies_paid_are_added_in_the_areas_their_names_name(
        session, ref, tmp_path, anchor_and_register):
    """A hospital trust or CCG named by its area is a public body placed there; the NHS's
    national bodies and firms with "NHS" in their names wait for a person."""
    summary, split, added, rows = _import_payees(
        session, ref, tmp_path, anchor_and_register[0],
        "Health,Care,Beds,N1,BLACKPOOL TEACHING HOSPITALS NHS FOUNDATION TRUST,04/05/2019,"
        "400.00\n"
        "Health,Care,Pooled,N2,Nhs Salford Ccg,05/05/2019,100.00\n"
        "Health,Supplies,Gloves,N3,NHS SUPPLY CHAIN,06/05/2019,50.00\n"
        "Health,Staff,Agency,N4,NHS Professionals Ltd,07/05/2019,60.00\n")
    assert summary.names == {"auto": 2, "unresolved": 2}
    # Blackpool is in Hyndburn's combined authority (Lancashire), Salford in its region.
    assert split.tiers["wider_area"] == 40_000 and split.tiers["region"] == 10_000
    assert {name: (s.ownership, s.local_authority_code) for name, s in added.items()} == {
        "BLACKPOOL TEACHING HOSPITALS NHS FOUNDATION TRUST": ("public_body", "E06000009"),
        "Nhs Salford Ccg": ("public_body", "E08000006")}
    for name in ("NHS SUPPLY CHAIN", "NHS Professionals Ltd"):
        assert rows[name].status == "unresolved" and rows[name].supplier_id is None


def test_a_rejected_name_stays_unresolved(session, ref, tmp_path, anchor_and_register):
    hyndburn, _ = anchor_and_register
    _import(session, hyndburn, tmp_path)
    agency = create_user(session, role="agency")
    (item,) = spend.review_queue(session, user=agency).items
    spend.decide(session, user=agency, ledger_name_id=item.name.id, supplier_id=None)
    ledger_names.resolve_again(session)
    row = session.exec(select(LedgerName).where(LedgerName.name == "Manchester Cleaning")).one()
    assert row.status == "rejected" and row.supplier_id is None


def test_bad_rows_refuse_the_whole_ledger(session, ref, tmp_path, anchor_and_register):
    hyndburn, _ = anchor_and_register
    bad = LEDGER + "Depot,Repairs,Odd,B1,Accrington Joinery Ltd,someday,10.00\n"
    with pytest.raises(ImportRejected) as caught:
        _import(session, hyndburn, tmp_path, text=bad)
    assert "line 9" in caught.value.message and "date" in caught.value.message
    assert caught.value.skipping_imports == "the good rows"
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0
    assert session.exec(select(func.count()).select_from(LedgerName)).one() == 0
    summary = _import(session, hyndburn, tmp_path, text=bad, skip_invalid=True)
    assert summary.new_payments == 7 and summary.rejected == 1


def test_the_review_page_counts_a_names_payments(client, session, tmp_path,
                                                anchor_and_register):
    hyndburn, _ = anchor_and_register
    _import(session, hyndburn, tmp_path)
    row = session.exec(select(LedgerName).where(LedgerName.status == "review")).one()
    client.sign_in(create_user(session, role="agency").email)
    payments = session.exec(select(Payment).where(Payment.ledger_name_id == row.id)).all()
    assert len(payments) == 1
    page = html.unescape(client.get("/spend/review").get_data(as_text=True))
    assert '<div class="meta">1 payment</div>' in page
    # What the anchor paid it for, to tell the register's firm from another of the name.
    assert f'<div class="meta">Paid for: {payments[0].expense_type} (£' in page


def test_only_agencies_review_and_buyers_see_only_their_own(client, session, ref, tmp_path,
                                                            anchor_and_register):
    hyndburn, suppliers = anchor_and_register
    _import(session, hyndburn, tmp_path)
    row = session.exec(select(LedgerName).where(LedgerName.status == "review")).one()
    supplier_user = create_user(session, role="supplier")
    other_buyer = create_user(session, role="procurement",
                              organisation=create_organisation(session, ref, name="Pendle"))
    own_buyer = create_user(session, role="procurement", organisation=hyndburn)
    for intruder in (supplier_user, other_buyer, own_buyer):
        client.sign_in(intruder.email)
        response = client.post("/spend/review", {"ledger_name_id": str(row.id),
                                                 "supplier_id": str(suppliers["legal"].id)})
        assert response.status_code == 403, intruder.role
        client.sign_out()
    session.refresh(row)
    assert row.status == "review"
    client.sign_in(other_buyer.email)
    assert client.get(f"/spend/anchors/{hyndburn.id}").status_code == 403
    assert client.get(f"/api/spend?anchor={hyndburn.id}").status_code == 403
    client.sign_out()
    client.sign_in(own_buyer.email)
    assert client.get(f"/spend/anchors/{hyndburn.id}").status_code == 200
    client.sign_out()
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    page = client.get(f"/spend/anchors/{hyndburn.id}").get_data(as_text=True)
    assert "Local share over the years" in page and "<svg" in page
    assert "With public bodies" not in page  # none is paid here
    # What is known to leave is told apart from what is not known: of 2019/20's £4,400 not
    # with Hyndburn's suppliers, £3,200 is with names whose place is not known.
    page = html.unescape(client.get(f"/spend/anchors/{hyndburn.id}?year=2019").get_data(
        as_text=True))
    assert "£1,200</span> known to leave the local authority" in page
    # The ownership table names its rows in words, not codes.
    assert "<td>Names not yet matched to the register</td>" in page
    assert "<td>Redacted by the publisher</td>" in page and "<td>unresolved</td>" not in page
    # No candidate is chosen for the reviewer: saving without a choice decides nothing.
    review_page = client.get("/spend/review").get_data(as_text=True)
    assert "checked" not in review_page
    for unchosen in ({}, {"supplier_id": "first one"}):  # none chosen, or not a supplier
        response = client.post("/spend/review", {"ledger_name_id": str(row.id), **unchosen})
        assert response.status_code == 302
        session.refresh(row)
        assert row.status == "review", unchosen
    assert "Choose the supplier the name is" in client.get("/spend/review").get_data(
        as_text=True)
    response = client.post("/spend/review", {"ledger_name_id": str(row.id),
                                             "supplier_id": str(suppliers["cleaning"].id)})
    assert response.status_code == 302
    session.refresh(row)
    assert row.status == "confirmed" and row.decided_by_id == agency.id
    figures = client.get(f"/api/spend?anchor={hyndburn.id}").get_json()["anchors"][0]
    assert figures["years"][0]["split"]["tiers"]["region"] == 2000.0


TREES = (LEDGER + "Parks,Trees,Felling,B9,Rossendale Tree Surgeons,03/08/2019,300.00\n"
         "Parks,Trees,Pruning,B9,ROSSENDALE TREE SURGEON,04/08/2019,100.00\n")


def test_adding_a_payee_places_its_spend_and_matches_its_other_spellings(
        session, ref, tmp_path, anchor_and_register):
    hyndburn, suppliers = anchor_and_register
    _import(session, hyndburn, tmp_path, text=TREES)
    agency = create_user(session, role="agency")
    listed = [item.name.name for item in spend.unplaced_payees(session, user=agency).items]
    assert listed == ["Rossendale Tree Surgeons", "ROSSENDALE TREE SURGEON"]  # most spend first
    before = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split
    (trees, _) = spend.unplaced_payees(session, user=agency).items

    added = spend.add_payee(session, user=agency, ledger_name_id=trees.name.id,
                            name=" Rossendale  Tree Surgeons ", postcode="bb5 1aa",
                            ownership="sme", ref=ref)

    assert (added.name, added.postcode, added.source) == (
        "Rossendale Tree Surgeons", "BB5 1AA", "ledger")
    assert added.local_authority_code == "E07000120"  # Hyndburn
    rows = {r.name: r for r in session.exec(select(LedgerName)).all()}
    assert (rows["Rossendale Tree Surgeons"].status, rows["Rossendale Tree Surgeons"].supplier_id,
            rows["Rossendale Tree Surgeons"].decided_by_id) == ("confirmed", added.id, agency.id)
    # The other spelling is matched again against the grown register.
    assert (rows["ROSSENDALE TREE SURGEON"].status,
            rows["ROSSENDALE TREE SURGEON"].supplier_id) == ("auto", added.id)
    after = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split
    assert after.tiers["local_authority"] == before.tiers["local_authority"] + 40_000
    assert after.unresolved == before.unresolved - 40_000
    assert spend.unplaced_payees(session, user=agency).items == []


def test_payees_not_in_the_register_come_a_page_at_a_time_largest_first(
        session, ref, tmp_path, anchor_and_register):
    hyndburn, _ = anchor_and_register
    names = ["Darwen Bakery", "Oswaldtwistle Florist", "Haslingden Kennels",
             "Rishton Upholstery", "Clayton Skips"]
    _import(session, hyndburn, tmp_path, text=LEDGER + "".join(
        f"Parks,Misc,Goods,B{20 + i},{name},0{i + 1}/09/2019,{100 * (i + 1)}.00\n"
        for i, name in enumerate(names)))
    agency = create_user(session, role="agency")
    largest_first = names[::-1]

    pages = [spend.unplaced_payees(session, user=agency, page=n, page_size=2)
             for n in (1, 2, 3)]

    assert [[item.name.name for item in page.items] for page in pages] == [
        largest_first[:2], largest_first[2:4], largest_first[4:]]
    assert {(page.total, page.pages) for page in pages} == {(5, 3)}
    # A page past the last (a name added since the link was made) shows the last.
    beyond = spend.unplaced_payees(session, user=agency, page=9, page_size=2)
    assert (beyond.page, [item.name.name for item in beyond.items]) == (3, largest_first[4:])
    assert spend.unplaced_payees(session, user=agency, page=0, page_size=2).page == 1


PENDLE_LEDGER = (LEDGER.split("\n")[0] + "\n"
                 "Parks,Trees,Felling,P1,Rossendale Tree Surgeons,03/08/2019,900.00\n"
                 "Parks,Misc,Goods,P2,Darwen Bakery & Sons Ltd,04/08/2019,80.00\n"
                 "Parks,Misc,Goods,P3,100% Signs,05/08/2019,60.00\n"
                 "Parks,Misc,Goods,P4,Ltd Editions,06/08/2019,40.00\n")


def _pendle(session, ref):
    return create_organisation(session, ref, name="Pendle Borough Council", postcode="BB9 7LG")


@pytest.fixture
def two_anchors_paying(session, ref, tmp_path, anchor_and_register):
    """Hyndburn paying two spellings of a tree surgeon (TREES); Pendle paying the surgeon and
    three firms no register supplier is (PENDLE_LEDGER)."""
    hyndburn, suppliers = anchor_and_register
    pendle = _pendle(session, ref)
    _import(session, hyndburn, tmp_path, text=TREES)
    _import(session, pendle, tmp_path, text=PENDLE_LEDGER, name="pendle.csv")
    return hyndburn, pendle, suppliers


def test_payees_are_found_by_the_anchor_that_paid_them_and_words_in_their_name(
        session, two_anchors_paying):
    hyndburn, pendle, _ = two_anchors_paying
    agency = create_user(session, role="agency")

    def listed(**only):
        return [(item.name.name, item.pence, [k for k, _ in item.paid_for]) for item in
                spend.unplaced_payees(session, user=agency, only=spend.PayeeFilter(**only))
                .items]

    # Paid by both: each anchor's list counts its own spend and says what it paid for.
    assert listed(anchor_id=hyndburn.id) == [
        ("Rossendale Tree Surgeons", 30_000, ["Trees"]),
        ("ROSSENDALE TREE SURGEON", 10_000, ["Trees"])]
    assert listed(anchor_id=pendle.id)[0] == ("Rossendale Tree Surgeons", 90_000, ["Trees"])
    assert len(listed(anchor_id=pendle.id)) == 4
    assert [name for name, _, _ in listed()][:2] == ["Rossendale Tree Surgeons",
                                                     "ROSSENDALE TREE SURGEON"]
    assert listed()[0][1] == 120_000
    # Words are compared as names are: case, "&" and "Ltd" do not matter.
    assert [n for n, _, _ in listed(words="darwen bakery and sons limited")] == [
        "Darwen Bakery & Sons Ltd"]
    assert [n for n, _, _ in listed(words="tree surgeon")] == [
        "Rossendale Tree Surgeons", "ROSSENDALE TREE SURGEON"]
    assert [n for n, _, _ in listed(anchor_id=hyndburn.id, words="bakery")] == []
    # Words that normalise to nothing are looked for as written; "%" is only a character.
    assert [n for n, _, _ in listed(words="Ltd")] == ["Darwen Bakery & Sons Ltd",
                                                     "Ltd Editions"]
    assert [n for n, _, _ in listed(words="100%")] == ["100% Signs"]
    assert [n for n, _, _ in listed(words="%")] == ["100% Signs"]
    # The file to fill in holds the same names, with the anchor's spend.
    out = io.StringIO()
    assert spend.write_payees_csv(session, out, user=agency,
                                  only=spend.PayeeFilter(anchor_id=hyndburn.id)) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["name"], r["ledger_spend_gbp"]) for r in rows] == [
        ("Rossendale Tree Surgeons", "300.00"), ("ROSSENDALE TREE SURGEON", "100.00")]
    # An anchor there is none of is said, at the field.
    with pytest.raises(spend.NotFound) as missing:
        spend.unplaced_payees(session, user=agency, only=spend.PayeeFilter(anchor_id=999_999))
    assert missing.value.field == "anchor" and "999999" in missing.value.message


def test_suppliers_to_place_are_found_by_the_anchor_that_paid_them(
        session, ref, tmp_path, anchor_and_register):
    from coopmatch.models import Supplier

    hyndburn, _ = anchor_and_register
    pendle = _pendle(session, ref)
    for name in ("Nowhere Supplies Ltd", "Elsewhere Haulage Ltd"):
        session.add(Supplier(name=name, normalised_name=name.lower().removesuffix(" ltd"),
                             source="award"))
    session.commit()
    _import(session, hyndburn, tmp_path, text=LEDGER
            + "Depot,Sundries,Goods,B13,Nowhere Supplies Ltd,08/08/2019,100.00\n")
    _import(session, pendle, tmp_path, name="pendle.csv", text=LEDGER.split("\n")[0] + "\n"
            + "Depot,Sundries,Goods,P13,Nowhere Supplies Ltd,08/08/2019,500.00\n"
            + "Depot,Haulage,Lorries,P14,Elsewhere Haulage Ltd,09/08/2019,50.00\n")
    agency = create_user(session, role="agency")

    def listed(**only):
        return [(u.supplier.name, u.pence) for u in spend.matched_but_unplaced(
            session, user=agency, only=spend.PayeeFilter(**only)).items]

    assert listed() == [("Nowhere Supplies Ltd", 60_000), ("Elsewhere Haulage Ltd", 5_000)]
    assert listed(anchor_id=hyndburn.id) == [("Nowhere Supplies Ltd", 10_000)]
    assert listed(words="haulage") == [("Elsewhere Haulage Ltd", 5_000)]


def test_the_payees_page_finds_payees_by_anchor_and_name_and_keeps_them_found(
        client, session, two_anchors_paying):
    hyndburn, pendle, _ = two_anchors_paying
    client.sign_in(create_user(session, role="agency").email)
    # The anchor's page leads to its payees.
    report = html.unescape(client.get(f"/spend/anchors/{hyndburn.id}?year=2019").get_data(
        as_text=True))
    assert (f'<a href="/spend/payees?anchor={hyndburn.id}">Add Hyndburn Borough Council’s '
            'payees to the register</a>') in report

    page = html.unescape(client.get(f"/spend/payees?anchor={hyndburn.id}&q=").get_data(
        as_text=True))
    assert "2 payees not in the register paid by Hyndburn Borough Council" in page
    assert f'<option selected value="{hyndburn.id}">Hyndburn Borough Council</option>' in page
    assert "Darwen Bakery" not in page
    assert f'href="/spend/payees.csv?anchor={hyndburn.id}" download' in page
    found = html.unescape(client.get(f"/spend/payees?anchor={pendle.id}&q=bakery").get_data(
        as_text=True))
    assert ("1 payee not in the register paid by Pendle Borough Council named like "
            "“bakery”") in found
    assert "Show every payee" in found
    none = client.get(f"/spend/payees?anchor={hyndburn.id}&q=bakery").get_data(as_text=True)
    assert ("No payees not in the register paid by Hyndburn Borough Council named like "
            "“bakery”.") in html.unescape(none)
    # Its file holds the same payees, with that anchor's spend.
    got = client.get(f"/spend/payees.csv?anchor={hyndburn.id}").get_data(as_text=True)
    assert [line.split(",")[0] for line in got.splitlines()] == [
        "name", "Rossendale Tree Surgeons", "ROSSENDALE TREE SURGEON"]
    assert got.splitlines()[1].endswith(",300.00,1")
    # A payee added from the found list comes back to it.
    bakery = session.exec(select(LedgerName).where(LedgerName.name.startswith("Darwen"))).one()
    added = client.post(f"/spend/payees?anchor={pendle.id}&q=bakery", {
        "ledger_name_id": str(bakery.id), "name": "Darwen Bakery", "postcode": "BB5 1AA",
        "ownership": "sme", "description": "Bread."})
    assert added.status_code == 302
    assert added.location == f"/spend/payees?anchor={pendle.id}&q=bakery"
    # An anchor there is none of (a link kept after a merge) is said at the field.
    wrong = client.get("/spend/payees?anchor=999999")
    assert wrong.status_code == 400
    text = wrong.get_data(as_text=True)
    assert 'id="anchor-error"' in text and "There is no organisation with id 999999" in text
    assert client.get("/spend/payees.csv?anchor=999999").status_code == 404


def test_the_review_queue_finds_names_by_anchor_and_name_and_keeps_them_found(
        client, session, ref, tmp_path, anchor_and_register):
    hyndburn, suppliers = anchor_and_register
    pendle = _pendle(session, ref)
    _import(session, hyndburn, tmp_path)  # "Manchester Cleaning" (£2,000) waits for review
    _import(session, pendle, tmp_path, name="pendle.csv", text=LEDGER.split("\n")[0] + "\n"
            + "Town Hall,Cleaning,Cleaning,P1,Manchester Cleaning,01/06/2019,300.00\n")
    agency = create_user(session, role="agency")
    (waiting,) = spend.review_queue(session, user=agency,
                                    only=spend.PayeeFilter(anchor_id=pendle.id)).items
    assert (waiting.name.name, waiting.pence) == ("Manchester Cleaning", 30_000)
    assert spend.review_queue(session, user=agency,
                              only=spend.PayeeFilter(words="joinery")).items == []
    client.sign_in(agency.email)

    page = html.unescape(client.get(f"/spend/review?anchor={pendle.id}&q=cleaning").get_data(
        as_text=True))
    assert ("1 name waiting paid by Pendle Borough Council named like “cleaning”") in page
    assert "£300" in page and "Show every name waiting" in page
    none = html.unescape(client.get("/spend/review?q=joinery").get_data(as_text=True))
    assert "No names waiting named like “joinery”." in none
    decided = client.post(f"/spend/review?anchor={pendle.id}&q=cleaning", {
        "ledger_name_id": str(waiting.name.id), "supplier_id": str(suppliers["cleaning"].id)})
    assert decided.status_code == 302
    assert decided.location == f"/spend/review?anchor={pendle.id}&q=cleaning"
    wrong = client.get("/spend/review?anchor=999999")
    assert wrong.status_code == 400
    assert "There is no organisation with id 999999" in wrong.get_data(as_text=True)


def test_the_api_lists_payees_and_names_waiting_for_agencies_only(
        client, session, two_anchors_paying):
    hyndburn, pendle, suppliers = two_anchors_paying
    for path in ("/api/spend/payees", "/api/spend/review"):
        assert client.get(path).status_code == 401
        for intruder in (create_user(session, role="supplier"),
                         create_user(session, role="procurement", organisation=hyndburn)):
            client.sign_in(intruder.email)
            assert client.get(path).status_code == 403, (path, intruder.role)
            client.sign_out()
    client.sign_in(create_user(session, role="agency").email)

    body = client.get(f"/api/spend/payees?anchor={hyndburn.id}&page_size=1").get_json()
    assert (body["total"], body["page"], body["pages"]) == (2, 1, 2)
    assert body["payees"] == [{
        "ledger_name_id": body["payees"][0]["ledger_name_id"],
        "name": "Rossendale Tree Surgeons", "status": "unresolved", "paid_gbp": 300.0,
        "payments": 1, "paid_for": [{"expense_type": "Trees", "paid_gbp": 300.0}]}]
    named = client.get("/api/spend/payees?q=bakery").get_json()
    assert [p["name"] for p in named["payees"]] == ["Darwen Bakery & Sons Ltd"]
    (waiting,) = client.get("/api/spend/review").get_json()["names"]
    assert (waiting["name"], waiting["status"], waiting["disputed_by"]) == (
        "Manchester Cleaning", "review", None)
    assert waiting["candidates"][0]["supplier_id"] == suppliers["cleaning"].id
    assert client.get(f"/api/spend/review?anchor={pendle.id}").get_json()["names"] == []
    # An anchor that is not a number, or not there, is refused naming it.
    bad = client.get("/api/spend/payees?anchor=hyndburn")
    assert bad.status_code == 400 and bad.get_json()["field"] == "anchor"
    missing = client.get("/api/spend/review?anchor=999999")
    assert missing.status_code == 404 and missing.get_json()["field"] == "anchor"


def test_the_home_page_tells_an_agency_of_names_waiting_and_disputed(
        client, session, ref, tmp_path, anchor_and_register):
    hyndburn, suppliers = anchor_and_register
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    assert "Waiting for you" not in client.get("/").get_data(as_text=True)  # nothing yet
    _import(session, hyndburn, tmp_path)  # "Manchester Cleaning" waits for review
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert ("1 supplier name in the ledgers waits for your review: its payments count for no "
            "supplier until you decide.") in page
    assert '<a href="/spend/review">Review it</a>' in page
    printing = session.exec(select(LedgerName).where(
        LedgerName.supplier_id == suppliers["print"].id)).one()
    spend.dispute_payee(session, user=agency, supplier_id=suppliers["print"].id,
                        ledger_name_id=printing.id)
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert ("2 supplier names in the ledgers wait for your review, <strong>1 said not to be "
            "the supplier matched</strong>: their payments count") in page
    client.sign_out()
    for other in (create_user(session, role="procurement", organisation=hyndburn),
                  create_user(session, role="supplier")):
        client.sign_in(other.email)
        assert "Waiting for you" not in client.get("/").get_data(as_text=True), other.role
        client.sign_out()
    assert "Waiting for you" not in client.get("/").get_data(as_text=True)


def test_the_payees_and_review_pages_page_and_come_back_to_the_page_worked_on(
        app, client, session, tmp_path, anchor_and_register):
    from coopmatch.models import Supplier

    hyndburn, suppliers = anchor_and_register
    names = ["Darwen Bakery", "Oswaldtwistle Florist", "Haslingden Kennels"]
    # Winners known from award notices alone: matched by the ledgers, placed nowhere.
    winners = ["Nowhere Supplies Ltd", "Elsewhere Haulage Ltd", "Somewhere Catering Ltd"]
    for name in winners:
        session.add(Supplier(name=name, normalised_name=name.lower().removesuffix(" ltd"),
                             source="award"))
    session.commit()
    _import(session, hyndburn, tmp_path, text=LEDGER + "".join(
        f"Parks,Misc,Goods,B{20 + i},{name},0{i + 1}/09/2019,{100 * (i + 1)}.00\n"
        for i, name in enumerate(names + winners)))
    app.config["PAGE_SIZE"] = 2
    client.sign_in(create_user(session, role="agency").email)

    first = html.unescape(client.get("/spend/payees").get_data(as_text=True))
    assert "3 payees not in the register, showing 1 to 2" in first
    assert "Haslingden Kennels" in first and "Darwen Bakery" not in first
    assert 'href="/spend/payees?page=2" rel="next"' in first
    # The suppliers to place are a list of their own, paged on their own.
    assert "3 suppliers not placed, showing 1 to 2" in first
    assert "Somewhere Catering Ltd" in first and "Nowhere Supplies Ltd" not in first
    assert 'href="/spend/payees?placing=2#unplaced" rel="next"' in first
    second = html.unescape(client.get("/spend/payees?page=2&placing=2").get_data(
        as_text=True))
    assert second.count("Page 2 of 2") == 2
    assert "Darwen Bakery" in second and "Haslingden Kennels" not in second
    assert "Nowhere Supplies Ltd" in second and "Somewhere Catering Ltd" not in second
    bakery = session.exec(select(LedgerName).where(LedgerName.name == "Darwen Bakery")).one()
    added = client.post("/spend/payees?page=2&placing=2", {
        "ledger_name_id": str(bakery.id), "name": "Darwen Bakery", "postcode": "BB5 1AA",
        "ownership": "sme", "description": "Bread."})
    assert added.status_code == 302
    assert added.location == "/spend/payees?page=2&placing=2"
    assert session.exec(select(Supplier).where(Supplier.name == "Darwen Bakery")).one()
    nowhere = session.exec(select(Supplier).where(Supplier.name == winners[0])).one()
    assert 'action="/spend/place?page=2&placing=2"' in second
    placed = client.post("/spend/place?page=2&placing=2", {
        "supplier_id": str(nowhere.id), "postcode": "BB5 1AA"})
    assert placed.status_code == 302
    assert placed.location == "/spend/payees?page=2&placing=2#unplaced"
    session.refresh(nowhere)
    assert nowhere.postcode == "BB5 1AA"

    # The review queue: one name waits; a decision made on a page returns to that page.
    review = html.unescape(client.get("/spend/review").get_data(as_text=True))
    assert "1 name waiting" in review and "Page 1 of" not in review
    waiting = session.exec(select(LedgerName).where(LedgerName.status == "review")).one()
    decided = client.post("/spend/review?page=3", {
        "ledger_name_id": str(waiting.id), "supplier_id": str(suppliers["cleaning"].id)})
    assert decided.status_code == 302 and decided.location == "/spend/review?page=3"
    # The page asked for is past the last now: the last (here, the only) page is shown.
    assert "Nothing is waiting for review." in client.get("/spend/review?page=3").get_data(
        as_text=True)


def test_a_payee_is_added_only_with_a_real_postcode_by_an_agency(
        session, ref, tmp_path, anchor_and_register):
    from coopmatch.errors import Conflict, CoopmatchError, Forbidden
    from coopmatch.models import Supplier

    hyndburn, _ = anchor_and_register
    _import(session, hyndburn, tmp_path, text=TREES)
    agency = create_user(session, role="agency")
    buyer = create_user(session, role="procurement", organisation=hyndburn)
    (trees, _) = spend.unplaced_payees(session, user=agency).items
    suppliers_before = session.exec(select(func.count()).select_from(Supplier)).one()
    add = dict(ledger_name_id=trees.name.id, name="Rossendale Tree Surgeons", ownership="sme",
               ref=ref)
    with pytest.raises(CoopmatchError) as bad:
        spend.add_payee(session, user=agency, postcode="ZZ99 9ZZ", **add)
    assert bad.value.field == "postcode"
    with pytest.raises(CoopmatchError) as blank:
        spend.add_payee(session, user=agency, postcode="  ", **add)
    assert blank.value.field == "postcode"
    with pytest.raises(CoopmatchError) as owner:
        spend.add_payee(session, user=agency, postcode="BB5 1AA", **{**add, "ownership": "x"})
    assert owner.value.field == "ownership"
    with pytest.raises(Forbidden):
        spend.add_payee(session, user=buyer, postcode="BB5 1AA", **add)
    with pytest.raises(Forbidden):
        spend.unplaced_payees(session, user=buyer)
    joinery = session.exec(select(LedgerName).where(LedgerName.status == "auto")).first()
    with pytest.raises(Conflict):
        spend.add_payee(session, user=agency, postcode="BB5 1AA",
                        **{**add, "ledger_name_id": joinery.id})
    redacted = session.exec(select(LedgerName).where(LedgerName.status == "redacted")).one()
    with pytest.raises(CoopmatchError, match="redacted"):
        spend.add_payee(session, user=agency, postcode="BB5 1AA",
                        **{**add, "ledger_name_id": redacted.id})
    session.rollback()
    assert session.exec(select(func.count()).select_from(Supplier)).one() == suppliers_before
    session.refresh(trees.name)
    assert trees.name.status == "unresolved" and trees.name.supplier_id is None


PAYEES = (TREES + "Parks,Signs,Signage,B10,=SUM(A1) Signs,05/08/2019,50.00\n"
          "Town Hall,Catering,Lunch,B11,Darwen Bakery,06/08/2019,75.00\n")


def test_payees_file_filled_in_and_imported_places_their_spend(
        session, ref, tmp_path, data_dir, anchor_and_register):
    import csv
    import io

    from coopmatch.errors import Forbidden
    from coopmatch.models import Supplier
    from coopmatch.services.imports import ImportOptions, import_file

    hyndburn, _ = anchor_and_register
    _import(session, hyndburn, tmp_path, text=PAYEES)
    agency = create_user(session, role="agency")
    bakery = session.exec(select(LedgerName).where(LedgerName.name == "Darwen Bakery")).one()
    spend.decide(session, user=agency, ledger_name_id=bakery.id, supplier_id=None)
    out = io.StringIO()

    assert spend.write_payees_csv(session, out, user=agency) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["name"], r["ledger_spend_gbp"], r["ledger_payments"]) for r in rows] == [
        ("Rossendale Tree Surgeons", "300.00", "1"), ("ROSSENDALE TREE SURGEON", "100.00", "1"),
        ("'=SUM(A1) Signs", "50.00", "1")]  # most spend first; a spreadsheet will not run it
    assert rows[0]["postcode"] == rows[0]["ownership"] == ""  # for the agency to fill in
    # A reviewer's "none of these" stands, so an import would not place it: not in the file.
    assert "Darwen Bakery" not in out.getvalue()
    for intruder in (create_user(session, role="supplier"),
                     create_user(session, role="procurement", organisation=hyndburn)):
        with pytest.raises(Forbidden):
            spend.write_payees_csv(session, io.StringIO(), user=intruder)

    rows[0].update(postcode="BB5 1AA", ownership="Worker co-operative")
    rows[2].update(postcode="BB5 1AA")
    filled = tmp_path / "payees.csv"
    with open(filled, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([rows[0], rows[2]])  # the row it cannot place is deleted
    before = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split
    summary = import_file(session, fmt="suppliers", path=filled, ref=ref,
                          data_dir=str(data_dir), options=ImportOptions(user=agency))

    assert summary.counts["suppliers"]["created"] == 2
    added = {s.name: s for s in session.exec(select(Supplier).where(
        Supplier.name.in_(["Rossendale Tree Surgeons", "=SUM(A1) Signs"])))}
    assert set(added) == {"Rossendale Tree Surgeons", "=SUM(A1) Signs"}  # apostrophe taken off
    assert added["Rossendale Tree Surgeons"].ownership == "worker_coop"
    names = {r.name: r for r in session.exec(select(LedgerName)).all()}
    trees = added["Rossendale Tree Surgeons"].id
    assert (names["Rossendale Tree Surgeons"].status,
            names["Rossendale Tree Surgeons"].supplier_id) == ("auto", trees)
    assert names["ROSSENDALE TREE SURGEON"].supplier_id == trees  # the other spelling too
    assert names["Darwen Bakery"].status == "rejected"
    after = spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split
    assert after.tiers["local_authority"] == before.tiers["local_authority"] + 45_000
    assert after.unresolved == before.unresolved - 45_000
    out = io.StringIO()
    assert spend.write_payees_csv(session, out, user=agency) == 0
    assert out.getvalue().startswith("name,description,postcode,")  # still a template


def test_payees_page_adds_a_payee_and_refuses_the_wrong_user(
        client, session, ref, tmp_path, anchor_and_register):
    from coopmatch.models import Supplier

    hyndburn, _ = anchor_and_register
    _import(session, hyndburn, tmp_path, text=TREES)
    row = session.exec(select(LedgerName).where(
        LedgerName.name == "Rossendale Tree Surgeons")).one()
    form = {"ledger_name_id": str(row.id), "name": "Rossendale Tree Surgeons",
            "postcode": "BB5 1AA", "ownership": "sme"}
    for intruder in (create_user(session, role="supplier"),
                     create_user(session, role="procurement", organisation=hyndburn)):
        client.sign_in(intruder.email)
        assert client.post("/spend/payees", form).status_code == 403, intruder.role
        assert client.get("/spend/payees").status_code == 403
        client.sign_out()
    assert session.exec(select(Supplier).where(Supplier.source == "ledger")).first() is None

    client.sign_in(create_user(session, role="agency").email)
    page = client.get("/spend/payees").get_data(as_text=True)
    assert "Rossendale Tree Surgeons" in page and "Add to the register" in page
    expired = client.post("/spend/payees", {**form, "csrf_token": ""})
    assert expired.status_code == 400 and "CSRF token is missing" in expired.get_data(as_text=True)
    refused = client.post("/spend/payees", {**form, "postcode": "not a postcode"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "There is a problem" in text and f'id="postcode-{row.id}-error"' in text
    assert 'value="not a postcode"' in text  # what was typed is kept
    assert session.exec(select(Supplier).where(Supplier.source == "ledger")).first() is None
    # What it does starts from what Hyndburn paid it for, to be edited.
    assert "Paid for: Trees (£300)" in page
    assert (f'id="description-{row.id}" name="description" rows="2" aria-describedby='
            f'"description-{row.id}-hint">Paid by anchors for: Trees.</textarea>') in page
    too_long = client.post("/spend/payees", {**form, "description": "Tree work. " * 200})
    assert too_long.status_code == 400
    assert f'id="description-{row.id}-error"' in too_long.get_data(as_text=True)
    assert session.exec(select(Supplier).where(Supplier.source == "ledger")).first() is None
    done = client.post("/spend/payees", {**form, "description": "Tree surgery and felling."})
    assert done.status_code == 302
    page = client.get("/spend/payees").get_data(as_text=True)
    assert "added to the register" in page
    added = session.exec(select(Supplier).where(Supplier.source == "ledger")).one()
    assert (added.postcode, added.description) == ("BB5 1AA", "Tree surgery and felling.")


def test_a_matched_supplier_with_no_known_place_is_placed_by_an_agency_only(
        client, session, ref, tmp_path, anchor_and_register):
    from coopmatch.errors import Conflict, InvalidPostcode
    from coopmatch.models import AuditEntry, Supplier

    # A winner known from award notices alone: matched by the ledgers, placed nowhere.
    hyndburn, suppliers = anchor_and_register
    winner = Supplier(name="Nowhere Supplies Ltd", normalised_name="nowhere supplies",
                      source="award")
    session.add(winner)
    session.commit()
    _import(session, hyndburn, tmp_path,
            LEDGER + "Depot,Sundries,Goods,B13,Nowhere Supplies Ltd,08/08/2019,100.00\n")
    before = spend.anchor_report(session, anchor=hyndburn, ref=ref, year=2019)
    assert before.figures.years[0].split.unplaced == 10_000
    form = {"supplier_id": str(winner.id), "postcode": "BB5 1AA"}
    for intruder in (create_user(session, role="supplier"),
                     create_user(session, role="procurement", organisation=hyndburn)):
        client.sign_in(intruder.email)
        assert client.post("/spend/place", form).status_code == 403, intruder.role
        client.sign_out()
    session.refresh(winner)
    assert winner.postcode is None

    agency = create_user(session, role="agency")
    listed = spend.matched_but_unplaced(session, user=agency).items
    assert [(u.supplier.id, u.pence, u.payments) for u in listed] == [(winner.id, 10_000, 1)]
    client.sign_in(agency.email)
    page = client.get("/spend/payees").get_data(as_text=True)
    assert "Suppliers matched but not placed" in page and "Nowhere Supplies Ltd" in page
    # A bad postcode is said at its row and changes nothing; so is a missing CSRF token.
    refused = client.post("/spend/place", {**form, "postcode": "nowhere"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and f'id="place-postcode-{winner.id}-error"' in text
    assert "Enter a full UK postcode" in text and 'value="nowhere"' in text
    assert client.post("/spend/place", {**form, "csrf_token": ""}).status_code == 400
    session.refresh(winner)
    assert winner.postcode is None
    assert client.post("/spend/place", form).status_code == 302
    session.refresh(winner)
    assert (winner.postcode, winner.local_authority_code) == ("BB5 1AA", "E07000120")
    assert session.exec(select(AuditEntry).where(AuditEntry.entity == "supplier",
                                                 AuditEntry.entity_id == winner.id)).one()
    # Its £100 is now local to Hyndburn; nothing is left to place.
    after = spend.anchor_report(session, anchor=hyndburn, ref=ref, year=2019)
    split, was = after.figures.years[0].split, before.figures.years[0].split
    assert split.unplaced == 0 and split.local == was.local + 10_000
    assert spend.matched_but_unplaced(session, user=agency).items == []
    # A supplier already placed, or one with an account of its own, is not the agency's to move.
    with pytest.raises(Conflict, match="already placed"):
        spend.place_supplier(session, user=agency, supplier_id=winner.id, postcode="PR1 2HE",
                             ref=ref)
    owned = suppliers["legal"]
    owned.postcode = owned.local_authority_code = None
    session.commit()
    with pytest.raises(Conflict, match="manages its own profile"):
        spend.place_supplier(session, user=agency, supplier_id=owned.id, postcode="PR1 2HE",
                             ref=ref)
    with pytest.raises(InvalidPostcode):
        spend.place_supplier(session, user=create_user(session, role="admin"),
                             supplier_id=owned.id, postcode="PR1", ref=ref)


def test_payees_file_is_for_agencies_only(client, session, ref, tmp_path, anchor_and_register):
    hyndburn, _ = anchor_and_register
    _import(session, hyndburn, tmp_path, text=TREES)
    for intruder in (create_user(session, role="supplier"),
                     create_user(session, role="procurement", organisation=hyndburn)):
        client.sign_in(intruder.email)
        assert client.get("/spend/payees.csv").status_code == 403, intruder.role
        client.sign_out()
    assert client.get("/spend/payees.csv").status_code in (302, 401)  # signed out
    client.sign_in(create_user(session, role="agency").email)
    assert 'href="/spend/payees.csv"' in client.get("/spend/payees").get_data(as_text=True)
    got = client.get("/spend/payees.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert "attachment" in got.headers["Content-Disposition"]
    lines = got.get_data(as_text=True).splitlines()
    assert lines[0].startswith("name,description,postcode,") and len(lines) == 3
    assert lines[1].startswith("Rossendale Tree Surgeons,")


def test_spend_cli(session, ref, tmp_path, anchor_and_register, database_url, data_dir):
    hyndburn, suppliers = anchor_and_register
    path = tmp_path / "ledger.csv"
    path.write_text(LEDGER)
    env = dict(os.environ, DATABASE_URL=database_url, COOPMATCH_DATA_DIR=str(data_dir))
    coopmatch = str(Path(sys.executable).with_name("coopmatch"))
    imported = subprocess.run([coopmatch, "import", "spend", "--anchor", "Hyndburn Council",
                               str(path)], env=env, capture_output=True, text=True, timeout=300)
    assert imported.returncode == 0, imported.stderr
    assert "7 new" in imported.stdout
    report = subprocess.run([coopmatch, "spend", "report", "--format", "json"], env=env,
                            capture_output=True, text=True, timeout=300)
    (anchor,) = json.loads(report.stdout)
    assert anchor["anchor"] == "Hyndburn Borough Council"
    assert anchor["years"][0]["split"]["total"] == 5200.0
    suppliers["legal"].ownership = "public_body"  # as if it were another council's service
    session.commit()
    report = subprocess.run([coopmatch, "spend", "report", "--format", "json",
                             "--without-public-bodies"], env=env, capture_output=True, text=True,
                            timeout=300)
    assert json.loads(report.stdout)[0]["years"][0]["split"]["total"] == 5200.0 - 700.0
    table = subprocess.run([coopmatch, "spend", "report", "--year", "2019"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert "2019/20" in table.stdout and "15.4%" in table.stdout
    table = subprocess.run([coopmatch, "spend", "report", "--year", "1990"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert table.stdout.strip() == ("No payments in the financial year 1990/91 (April 1990 to "
                                    "March 1991) for Hyndburn Borough Council.")
    _import(session, hyndburn, tmp_path, text=TREES, name="trees.csv")  # two unplaced payees
    payees = subprocess.run([coopmatch, "spend", "payees", "-o", str(tmp_path / "payees.csv")],
                            env=env, capture_output=True, text=True, timeout=300)
    assert payees.returncode == 0, payees.stderr
    assert "2 payee(s) not yet matched" in payees.stderr
    written = (tmp_path / "payees.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in written] == [
        "name", "Rossendale Tree Surgeons", "ROSSENDALE TREE SURGEON"]
    named = subprocess.run([coopmatch, "spend", "payees", "--anchor", "Hyndburn Council",
                            "--name", "surgeons"], env=env, capture_output=True, text=True,
                           timeout=300)
    assert [line.split(",")[0] for line in named.stdout.splitlines()] == [
        "name", "Rossendale Tree Surgeons"]
    nowhere = subprocess.run([coopmatch, "spend", "payees", "--anchor", "Nowhere Council",
                              "-o", str(tmp_path / "nowhere.csv")], env=env,
                             capture_output=True, text=True, timeout=300)
    assert nowhere.returncode == 1 and "no organisation called 'Nowhere Council'" in (
        nowhere.stderr)
    assert not (tmp_path / "nowhere.csv").exists()
    odd = tmp_path / "odd.csv"
    odd.write_text("Paid On,Value,Payee\n01/04/2020,10.00,Pendle Print\n")

    def spend_import(*args):
        return subprocess.run([coopmatch, "import", "spend", "--anchor", "Hyndburn Council",
                               "--dry-run", *args, str(odd)], env=env, capture_output=True,
                              text=True, timeout=300)

    unnamed = spend_import()
    assert unnamed.returncode == 1
    assert "the first row reads 'Paid On', 'Value', 'Payee'" in unnamed.stderr
    assert 'Name the columns with --column ROLE=HEADER' in unnamed.stderr
    assert "1 new" in spend_import("--column", "date=Paid On").stdout
    wrong_role = spend_import("--column", "paid=Paid On")
    assert wrong_role.returncode == 2 and "'paid' is not a column role" in wrong_role.stderr
    (tmp_path / "empty.csv").write_text("")
    with_empty = spend_import("--column", "date=Paid On", str(tmp_path / "empty.csv"))
    assert with_empty.returncode == 1
    assert ("Nothing was imported: 1 file cannot be read. Fix it and import again, or import "
            "the other file only (--skip-invalid).") in with_empty.stderr


def test_leakage_appears_in_gap_reports_as_demand(session, ref, tmp_path, anchor_and_register):
    from coopmatch.gaps import Area
    from coopmatch.services import gaps

    hyndburn, suppliers = anchor_and_register
    _import(session, hyndburn, tmp_path)
    agency = create_user(session, role="agency")
    (item,) = spend.review_queue(session, user=agency).items
    spend.decide(session, user=agency, ledger_name_id=item.name.id,
                 supplier_id=suppliers["cleaning"].id)
    lancashire = Area(lad_codes=ref.geo.lad_codes_in("E10000017"), name="Lancashire")
    leakage = gaps.spend_leakage(session, area=lancashire, start=None, end=None)
    # Manchester Cleaning (£2,000) and Leeds Legal (£700) are outside Lancashire; the
    # Accrington and Pendle suppliers are inside it. The payments span under a year.
    (sector,) = leakage.values()
    assert sector.sector == "909" and sector.gbp_a_year == 2_700
    assert [name for _, name, _ in sector.suppliers] == [
        "Manchester Cleaning Services Ltd", "Leeds Legal LLP"]
    assert sector.anchors == ["Hyndburn Borough Council"]


def test_a_payment_listed_in_two_files_is_stored_once(session, ref, tmp_path,
                                                      anchor_and_register):
    hyndburn, _ = anchor_and_register
    header, *rows = LEDGER.splitlines(keepends=True)
    (tmp_path / "april.csv").write_text(header + "".join(rows[:3]))
    (tmp_path / "april-again.csv").write_text(header + "".join(rows[2:]))
    summary = spend.import_ledgers(session, anchor=hyndburn,
                                   paths=[tmp_path / "april.csv", tmp_path / "april-again.csv"])
    assert summary.new_payments == 7 and summary.already_imported == 1


def test_a_group_of_anchors_together_against_one_place(client, session, ref, tmp_path,
                                                      anchor_and_register):
    hyndburn, _ = anchor_and_register
    _import(session, hyndburn, tmp_path)
    pendle = create_organisation(session, ref, name="Pendle Borough Council", postcode="BB9 7LG")
    _import(session, pendle, tmp_path, name="pendle.csv",
            text=LEDGER.replace("ACCRINGTON JOINERY LIMITED", "Pendle Print Co-op"))
    area = spend.place_area(ref, "E07000122")  # Pendle
    *each, together = spend.anchor_reports(session, anchors=[hyndburn, pendle], ref=ref,
                                           group_area=area)
    assert [r.name for r in each] == ["Hyndburn Borough Council", "Pendle Borough Council"]
    assert (together.name, together.anchor_id) == ("2 anchor(s) together in Pendle", None)
    first = together.figures.years[0].split
    # Pendle Print is local to Pendle: £500 from Hyndburn, £1,500 from Pendle (its own £500
    # plus the £1,000 payment renamed to it).
    assert first.total == 1_040_000 and first.tiers["local_authority"] == 200_000
    # Accrington Joinery, elsewhere in Lancashire: Hyndburn's £1,000 less its £200 credit, and
    # the same £200 credit in Pendle's copy of the ledger.
    assert first.tiers["wider_area"] == 60_000
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    page = client.get("/spend/?group_area=E07000122").get_data(as_text=True)
    assert "All 2 together, in Pendle" in page
    assert client.get("/spend/?group_area=NOWHERE").status_code == 400
    # A local authority by its name measures the same; a county is not one.
    assert "All 2 together, in Pendle" in client.get("/spend/?group_area=pendle").get_data(
        as_text=True)
    county = client.get("/spend/?group_area=Lancashire")
    assert county.status_code == 400 and "No local authority is called 'Lancashire'" in \
        html.unescape(county.get_data(as_text=True))
    typo = html.unescape(client.get("/spend/?group_area=Pendel").get_data(as_text=True))
    assert "No local authority is called 'Pendel'. Did you mean Pendle?" in typo


def _upload_ledger(client, anchor_id, content: bytes, filename="ledger.csv"):
    import io

    return client.post("/spend/import", {"anchor": str(anchor_id),
                                         "file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def test_a_buyer_uploads_their_ledger_previews_it_and_imports_it(client, session, ref,
                                                                 anchor_and_register):
    from coopmatch.models import ImportJob

    hyndburn, _ = anchor_and_register
    buyer = create_user(session, role="procurement", organisation=hyndburn)
    client.sign_in(buyer.email)
    form = client.get("/spend/import").get_data(as_text=True)
    assert "Hyndburn Borough Council" in form and "Import a payment ledger" in form
    response = _upload_ledger(client, hyndburn.id, LEDGER.encode("cp1252"))
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "payment ledger of Hyndburn Borough Council" in preview
    assert "7 payments read" in preview and "ACCRINGTON JOINERY LIMITED" in preview
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0
    job = session.exec(select(ImportJob)).one()
    assert job.anchor_id == hyndburn.id and job.format == "ledger"
    done = client.post(f"/imports/{job.id}/start", {})
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported 1 ledger file(s) for Hyndburn Borough Council" in page
    assert f"/spend/anchors/{hyndburn.id}" in page
    assert session.exec(select(func.count()).select_from(Payment)).one() == 7
    session.refresh(job)
    assert not Path(job.stored_path).exists()


def test_a_year_of_monthly_ledgers_is_uploaded_and_imported_at_once(client, session, ref,
                                                                   anchor_and_register):
    import io

    from coopmatch.models import ImportJob

    hyndburn, _ = anchor_and_register
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    header, *rows = LEDGER.splitlines(keepends=True)
    april = header + "".join(rows[:3])
    may = header + "".join(rows[2:])  # overlaps April by one payment
    months = [(io.BytesIO(april.encode()), "april.csv"), (io.BytesIO(may.encode()), "may.csv")]
    response = client.post("/spend/import", {"anchor": str(hyndburn.id), "file": months},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 files: april.csv, may.csv" in preview
    assert "8 payments read from 2 files" in preview and "may.csv" in preview
    job = session.exec(select(ImportJob)).one()
    done = client.get(client.post(f"/imports/{job.id}/start", {}).headers["Location"])
    assert "Imported 2 ledger file(s) for Hyndburn Borough Council" in done.get_data(as_text=True)
    assert session.exec(select(func.count()).select_from(Payment)).one() == 7  # once each
    assert not any(Path(job.stored_path).parent.glob("*.csv"))
    # One unreadable file refuses the upload, named, and keeps nothing.
    bad = [(io.BytesIO(april.encode()), "april.csv"),
           (io.BytesIO(b"just,some,columns\n1,2,3\n"), "notes.csv")]
    refused = client.post("/spend/import", {"anchor": str(hyndburn.id), "file": bad},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "No payment could be read from this file (notes.csv)" in refused.get_data(
        as_text=True)
    assert session.exec(select(func.count()).select_from(ImportJob)).one() == 1
    # A month's file without its header row reads with its sibling's, as the import reads it.
    bare = [(io.BytesIO(april.encode()), "april.csv"),
            (io.BytesIO("".join(rows[3:]).encode()), "june.csv")]
    accepted = client.post("/spend/import", {"anchor": str(hyndburn.id), "file": bare},
                           content_type="multipart/form-data")
    assert accepted.status_code == 302
    assert "7 payments read from 2 files" in client.get(
        accepted.headers["Location"]).get_data(as_text=True)


def test_a_refused_upload_of_several_ledgers_names_the_file_of_each_bad_row(
        client, session, ref, anchor_and_register):
    import html
    import io

    from coopmatch.models import ImportJob

    hyndburn, _ = anchor_and_register
    client.sign_in(create_user(session, role="agency").email)
    header, *rows = LEDGER.splitlines(keepends=True)
    may = header + "Depot,Repairs,Odd,B1,Accrington Joinery Ltd,someday,10.00\n" + rows[0]
    months = [(io.BytesIO(LEDGER.encode()), "april.csv"), (io.BytesIO(may.encode()), "may.csv")]
    response = client.post("/spend/import", {"anchor": str(hyndburn.id), "file": months},
                           content_type="multipart/form-data")
    job = session.exec(select(ImportJob)).one()
    client.post(f"/imports/{job.id}/start", {})
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert ('<th scope="col">File</th><th scope="col" class="numeric">Line</th>' in page)
    assert ('<tr><td>may.csv</td><td class="numeric">2</td><td>date</td>'
            "<td>'someday' is not a date</td></tr>") in page
    assert ('To import the good rows only,\n    <a href="/spend/import">upload the files '
            'again</a>') in page
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0


def test_ledger_uploads_are_refused_to_the_wrong_users_and_bad_files(client, session, ref,
                                                                     anchor_and_register):
    from coopmatch.models import ImportJob

    hyndburn, _ = anchor_and_register
    pendle = create_organisation(session, ref, name="Pendle Borough Council")
    other_buyer = create_user(session, role="procurement", organisation=pendle)
    client.sign_in(other_buyer.email)
    refused = _upload_ledger(client, hyndburn.id, LEDGER.encode("cp1252"))
    assert refused.status_code == 400  # only their own organisation is offered
    assert "Choose one of the options given for “Anchor”." in html.unescape(
        refused.get_data(as_text=True))
    not_a_number = client.post("/spend/import", {"anchor": "Hyndburn"},
                               content_type="multipart/form-data")
    assert "Choose one of the options given for “Anchor”." in html.unescape(
        not_a_number.get_data(as_text=True))
    assert "could not coerce" not in not_a_number.get_data(as_text=True)
    client.sign_out()
    supplier_user = create_user(session, role="supplier")
    client.sign_in(supplier_user.email)
    assert client.get("/spend/import").status_code == 403
    assert _upload_ledger(client, hyndburn.id, LEDGER.encode()).status_code == 403
    client.sign_out()
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    bad = _upload_ledger(client, hyndburn.id, b"just,some,columns\n1,2,3\n")
    assert bad.status_code == 400
    assert "No payment could be read from this file" in bad.get_data(as_text=True)
    assert session.exec(select(func.count()).select_from(ImportJob)).one() == 0
    with_errors = LEDGER + "Depot,Repairs,Paint,B1,Accrington Joinery Ltd,31/02/2020,10.00\n"
    job_url = _upload_ledger(client, hyndburn.id, with_errors.encode()).headers["Location"]
    assert "1 row with problems" in client.get(job_url).get_data(as_text=True)
    job = session.exec(select(ImportJob)).one()
    client.sign_out()
    client.sign_in(other_buyer.email)  # someone else's upload cannot be started
    assert client.post(f"/imports/{job.id}/start", {}).status_code == 403
    client.sign_out()
    client.sign_in(agency.email)
    rejected = client.get(client.post(f"/imports/{job.id}/start", {}).headers["Location"])
    page = rejected.get_data(as_text=True)
    assert "Not imported" in page and "line 9" in page
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0


def test_a_ledger_with_unusual_column_names_is_imported_by_naming_them(client, session, ref,
                                                                        anchor_and_register):
    import io

    from coopmatch.models import ImportJob

    hyndburn, _ = anchor_and_register
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    odd = (b"Paid On,Value,Who,Category\n"
           b"01/04/2020,1200.50,Accrington Joinery Ltd,Repairs\n"
           b"02/04/2020,300.00,Pendle Print,Printing\n")

    def upload(**columns):
        data = {"anchor": str(hyndburn.id), "file": (io.BytesIO(odd), "odd.csv")}
        data.update({f"{role}_column": name for role, name in columns.items()})
        return client.post("/spend/import", data, content_type="multipart/form-data")

    unnamed = upload()
    page = unnamed.get_data(as_text=True)
    assert unnamed.status_code == 400
    assert "the first row reads &#39;Paid On&#39;, &#39;Value&#39;, &#39;Who&#39;" in page
    assert "name those columns below, then choose the file again." in page
    assert '<details class="details" id="columns" open>' in page  # the column names, opened
    wrong = upload(date="Paid On", supplier="Payee")
    assert wrong.status_code == 400
    wrong_page = wrong.get_data(as_text=True)
    assert "there is no column called &#39;Payee&#39; for the supplier" in wrong_page
    assert ". Give the column headings below, then choose the file again." in wrong_page
    assert session.exec(select(func.count()).select_from(ImportJob)).one() == 0

    twice = upload(date="Paid On", supplier="paid  on")
    assert twice.status_code == 400
    assert "is already named as the date column: a column holds one thing" in twice.get_data(
        as_text=True)
    named = upload(date="Paid On", supplier="who")
    assert named.status_code == 302
    preview = client.get(named.headers["Location"]).get_data(as_text=True)
    assert "2 payments read" in preview and "Pendle Print" in preview
    assert "Read with the columns you named: date from “Paid On”, supplier from “who”" in preview
    job = session.exec(select(ImportJob)).one()
    done = client.post(f"/imports/{job.id}/start", {})
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported 1 ledger file(s) for Hyndburn Borough Council" in page
    payments = session.exec(select(Payment).order_by(Payment.amount_pence)).all()
    assert [(p.amount_pence, p.expense_type) for p in payments] == [
        (30000, "Printing"), (120050, "Repairs")]


def test_repatriation_targets_say_whether_a_local_firm_does_the_work(client, session, ref,
                                                                       tmp_path,
                                                                       anchor_and_register):
    # For each top supplier not known to be local: the local firms doing its kind of work; "a
    # possible gap" where the register knows its work and no local firm does it; and "not
    # known" where the register holds nothing about what it supplies (a payee added by name
    # and postcode only), rather than claiming a gap on no evidence.
    hyndburn, suppliers = anchor_and_register
    create_supplier(session, ref, name="Leeds Joinery Ltd", postcode="LS1 1BA", ownership="sme",
                    description="Joinery and building repairs in Leeds.")
    create_supplier(session, ref, name="Leeds Trading Ltd", postcode="LS1 1BA", ownership="sme",
                    description="", cpv_codes="")
    # Another council is counted in the figures but is no target: its services are not work
    # a local firm could take on.
    create_supplier(session, ref, name="Lancashire County Council", postcode="PR1 8XJ",
                    ownership="public_body", description="Highways and social care.")
    _import(session, hyndburn, tmp_path, LEDGER
            + "Depot,Repairs,Doors,B10,Leeds Joinery Ltd,05/08/2019,900.00\n"
            + "Depot,Sundries,Goods,B11,Leeds Trading Ltd,06/08/2019,800.00\n"
            + "Pensions,Recharges,Recharge,B12,Lancashire County Council,07/08/2019,5000.00\n")
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    page = html.unescape(client.get(f"/spend/anchors/{hyndburn.id}?year=2019").get_data(
        as_text=True))
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row
            for row in page.split("Top suppliers not known to be local")[1].split("<tr>")[2:]}
    assert "Accrington Joinery Ltd" in rows["Leeds Joinery Ltd"]
    assert "Matched but not placed" not in page  # every matched supplier here has a place
    assert "Not known: the register holds nothing about what it supplies" in \
        rows["Leeds Trading Ltd"]
    assert "None found: a possible gap" in rows["Leeds Legal LLP"]
    assert "possible gap" not in rows["Leeds Trading Ltd"]
    assert "Lancashire County Council" not in rows and "Public bodies (another council" in page
    report = spend.anchor_report(session, anchor=hyndburn, ref=ref, year=2019)
    # Its £5,000 counts in the wider area (Lancashire), beside the Pendle printer's £500.
    assert report.figures.years[0].split.tiers["wider_area"] == 550_000


def test_spend_with_suppliers_matched_but_not_placed_is_told_apart(client, session, ref, tmp_path,
                                                                   anchor_and_register):
    # A supplier known from award notices alone has no address: its spend is matched but its
    # location is not known, and the page says so (and how to count it) beside the unresolved.
    hyndburn, _ = anchor_and_register
    create_supplier(session, ref, name="Nowhere Supplies Ltd", postcode=None)
    _import(session, hyndburn, tmp_path,
            LEDGER + "Depot,Sundries,Goods,B13,Nowhere Supplies Ltd,08/08/2019,100.00\n")
    client.sign_in(create_user(session, role="agency").email)
    page = html.unescape(client.get(f"/spend/anchors/{hyndburn.id}?year=2019").get_data(
        as_text=True))
    assert "Matched but not placed: £100 (2%) is with suppliers in the register whose location" \
        in page
    split = spend.anchor_report(session, anchor=hyndburn, ref=ref, year=2019).figures.years[0].split
    assert split.unplaced == 10_000 and split.tiers["unknown"] == 10_000 + split.unresolved \
        + split.redacted


TREE_WORK = (LEDGER.split("\n")[0] + "\n"
             "Parks,Tree surgery,Felling,B9,Rossendale Tree Surgeons,03/08/2019,300.00\n"
             "Parks,TREE SURGERY,Pruning,B9,Rossendale Tree Surgeons,04/08/2019,100.00\n"
             "Parks,Tree Surgery,Pruning,B9,Rossendale Tree Surgeons,05/08/2019,60.00\n"
             "Parks,Grounds maintenance,Hedges,B9,Rossendale Tree Surgeons,05/08/2019,50.00\n"
             "Parks,Refunds,Credit,B9,Rossendale Tree Surgeons,06/08/2019,20.00-\n"
             "Parks,Tree surgery,Felling,B12,Haslingden Arborists,07/08/2019,250.00\n")


def test_a_payee_is_added_with_what_the_anchors_paid_it_for_and_is_matched_to_that_work(
        app, session, ref, tmp_path, anchor_and_register):
    import csv
    import io

    from coopmatch.services import matching
    from coopmatch.web.matching import match_settings

    hyndburn, _ = anchor_and_register
    _import(session, hyndburn, tmp_path, text=TREE_WORK)
    agency = create_user(session, role="agency")
    trees, arborists = spend.unplaced_payees(session, user=agency).items
    # Its largest expense types, net of credits, however the ledger capitalised them.
    assert trees.paid_for == [("Tree surgery", 46_000), ("Grounds maintenance", 5_000)]
    assert trees.paid_for_text == "Paid by anchors for: Tree surgery; Grounds maintenance."
    out = io.StringIO()
    spend.write_payees_csv(session, out, user=agency)
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows["Rossendale Tree Surgeons"]["description"] == trees.paid_for_text

    added = spend.add_payee(session, user=agency, ledger_name_id=trees.name.id,
                            name="Rossendale Tree Surgeons", postcode="BB5 1AA",
                            ownership="worker_coop", ref=ref, description=trees.paid_for_text)
    silent = spend.add_payee(session, user=agency, ledger_name_id=arborists.name.id,
                             name="Haslingden Arborists", postcode="BB4 5AA", ownership="sme",
                             ref=ref)
    assert added.description == trees.paid_for_text and silent.description == ""
    officer = create_user(session, role="procurement", organisation=hyndburn)
    tender = create_tender(session, ref, officer, title="Tree surgery in Hyndburn's parks",
                           description="Felling and pruning of park trees.",
                           delivery_postcode="BB5 1LA")
    with app.app_context():
        _, found = matching.matches_for_tender(session, tender_id=tender.id,
                                               search=matching.Search(), ref=ref,
                                               settings=match_settings())
    ids = [m.supplier_id for m in found]
    assert ids[0] == added.id
    assert "tree surgery" in found[0].reasons[0].text.lower()
    # Added without it, nothing is known of what the other does: no shared terms to go on.
    (unknown,) = [m for m in found if m.supplier_id == silent.id]
    assert not any(r.kind == "text" for r in unknown.reasons)


@pytest.mark.parametrize("written, shown", [
    ("HIRED VEHICLE", "Hired vehicle"),
    ("ASSET MAINT R&M", "Asset maint R&M"),
    # A cost centre's code before its description is kept as a code.
    ("CAC - PARKS & CEMETERIES", "CAC - Parks & cemeteries"),
    ("AAD - ICT", "AAD - ICT"),
    ("MATERIALS - DIRECT", "Materials - direct"),
    # A category code's path is read by its last two levels (Lancashire Fire's ledgers).
    ("LFRS.EXPENDITURE.PREMISES.ELECTRICITY", "Premises: electricity"),
    ("LFRS.EXPENDITURE.TRANSPORT.VEHICLE_&_PLANT_R&M", "Transport: vehicle & plant R&M"),
    ("HUMAN RESOURCES.TRAINING & CONFERENCES.TRAINING & CONFERENCES.SERVICE",
     "Training & conferences: service"),
    # Written by a person: left as it is, its spaces tidied.
    ("Misc. expenses. Other", "Misc. expenses. Other"),
    ("  Tree  Surgery ", "Tree Surgery"),
])
def test_expense_types_are_shown_as_a_person_reads_them(written, shown):
    assert spend._tidy_kind(written) == shown


def test_figures_are_kept_between_requests_until_the_data_under_them_change(
        session, ref, tmp_path, anchor_and_register):
    from coopmatch.models import SupplierCreate
    from coopmatch.services import organisations
    from coopmatch.services import suppliers as register

    hyndburn, firms = anchor_and_register
    _import(session, hyndburn, tmp_path)

    def local_2019() -> int:
        return spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split \
            .tiers["local_authority"]

    first = spend.anchor_report(session, anchor=hyndburn, ref=ref)
    assert spend.anchor_report(session, anchor=hyndburn, ref=ref) is first  # kept
    assert local_2019() == 80_000  # the joinery, in Hyndburn
    # A payee confirmed as a supplier: Manchester Cleaning's £2,000 is placed (in Manchester).
    agency = create_user(session, role="agency")
    (waiting,) = spend.review_queue(session, user=agency).items
    spend.decide(session, user=agency, ledger_name_id=waiting.name.id,
                 supplier_id=firms["cleaning"].id)
    assert spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split \
        .unresolved == 0
    # The supplier moves: its spend is placed where it is now.
    joinery = firms["joinery"]
    register.update_supplier(session, user=joinery.users[0], supplier_id=joinery.id, ref=ref,
                             data=SupplierCreate(**dict(
                                 joinery.model_dump(include=set(SupplierCreate.model_fields)),
                                 postcode="LS1 1BA")))
    assert local_2019() == 0
    # More payments imported: counted.
    header = LEDGER.split("\n")[0]
    _import(session, hyndburn, tmp_path, name="more.csv", text=header + "\n"
            "Comms,Printing,Posters,B2,Pendle Print Co-op,21/05/2019,300.00\n")
    assert spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split \
        .total == 550_000
    # The anchor merged with its other name: the payments listed under that come too.
    admin = create_user(session, role="admin")
    other = create_organisation(session, ref, name="HBC", postcode=None)
    session.add(Payment(anchor_id=other.id, payment_date=Payment.payment_date.type.python_type(
        2019, 6, 1), amount_pence=10_000, row_key="hbc-only"))
    session.commit()
    organisations.merge_organisations(session, user=admin, keep_id=hyndburn.id,
                                      other_id=other.id)
    assert spend.anchor_report(session, anchor=hyndburn, ref=ref).figures.years[0].split \
        .total == 560_000


def test_a_supplier_says_a_name_matched_to_it_is_not_it(session, ref, tmp_path,
                                                        anchor_and_register):
    # "Accrington Joinery Ltd" was matched automatically. The firm says the ledgers' name is
    # another firm's: its payments stop counting as its own, the name waits for a reviewer,
    # and re-imports and re-resolving do not match it again.
    hyndburn, suppliers = anchor_and_register
    joinery = suppliers["joinery"]
    _import(session, hyndburn, tmp_path)
    owner = joinery.users[0]
    [payee] = spend.payees_of_supplier(session, user=owner, supplier_id=joinery.id)
    assert (payee.name.status, payee.pence, payee.payments, payee.anchors) == (
        "auto", 280_000, 3, ["Hyndburn Borough Council"])
    assert (str(payee.first), str(payee.last)) == ("2019-04-15", "2020-04-01")
    assert spend.paid_to_supplier(session, supplier_id=joinery.id, anchor_ids=[hyndburn.id])
    before = spend.anchor_report(session, anchor=hyndburn, ref=ref, year=2019).figures

    row = spend.dispute_payee(session, user=owner, supplier_id=joinery.id,
                              ledger_name_id=payee.name.id)
    assert (row.status, row.supplier_id, row.disputed_by_id, row.disputed_from) == (
        "disputed", joinery.id, owner.id, "auto")
    assert spend.paid_to_supplier(session, supplier_id=joinery.id,
                                  anchor_ids=[hyndburn.id]) == {}
    split = spend.anchor_report(session, anchor=hyndburn, ref=ref, year=2019).figures.years[0]
    assert split.split.tiers["local_authority"] == before.years[0].split.tiers[
        "local_authority"] - 80_000
    assert split.split.unresolved == before.years[0].split.unresolved + 80_000
    # Still listed for the firm, as disputed and last; the reviewer is told who said so.
    assert [(p.name.id, p.disputed) for p in spend.payees_of_supplier(
        session, user=owner, supplier_id=joinery.id)] == [(row.id, True)]
    agency = create_user(session, role="agency")
    queue = spend.review_queue(session, user=agency).items
    disputed = next(item for item in queue if item.name.id == row.id)
    assert joinery.id in [c["supplier_id"] for c in disputed.candidates]
    assert disputed.disputed_by == "Accrington Joinery Ltd says this is not them."

    _import(session, hyndburn, tmp_path, name="again.csv")
    ledger_names.resolve_again(session)
    ledger_names.resolve_for_suppliers(session, [joinery.id])
    session.refresh(row)
    assert row.status == "disputed"
    # Saying it twice is refused, and changes nothing.
    with pytest.raises(spend.Conflict, match="already been said"):
        spend.dispute_payee(session, user=owner, supplier_id=joinery.id, ledger_name_id=row.id)
    # A reviewer may find it is the firm after all.
    spend.decide(session, user=agency, ledger_name_id=row.id, supplier_id=joinery.id)
    session.refresh(row)
    assert (row.status, row.decided_by_id, row.disputed_by_id) == ("confirmed", agency.id, None)
    assert spend.paid_to_supplier(session, supplier_id=joinery.id, anchor_ids=[hyndburn.id])

    # Said again, of the confirmed name, and taken back before a reviewer decides: it is as
    # the reviewer left it.
    spend.dispute_payee(session, user=owner, supplier_id=joinery.id, ledger_name_id=row.id)
    assert spend.paid_to_supplier(session, supplier_id=joinery.id,
                                  anchor_ids=[hyndburn.id]) == {}
    back = spend.undo_dispute(session, user=owner, supplier_id=joinery.id,
                              ledger_name_id=row.id)
    assert (back.status, back.decided_by_id, back.disputed_by_id, back.disputed_from) == (
        "confirmed", agency.id, None, None)
    assert spend.paid_to_supplier(session, supplier_id=joinery.id, anchor_ids=[hyndburn.id])
    assert all(item.name.id != row.id for item in spend.review_queue(session, user=agency).items)
    # Nothing to take back now.
    with pytest.raises(spend.Conflict, match="not waiting for review"):
        spend.undo_dispute(session, user=owner, supplier_id=joinery.id, ledger_name_id=row.id)


def test_only_a_suppliers_own_people_say_a_name_is_not_theirs(session, ref, tmp_path,
                                                              anchor_and_register):
    hyndburn, suppliers = anchor_and_register
    _import(session, hyndburn, tmp_path)
    joinery, printer = suppliers["joinery"], suppliers["print"]
    [payee] = spend.payees_of_supplier(session, user=joinery.users[0], supplier_id=joinery.id)
    buyer = create_user(session, role="procurement", organisation=hyndburn)
    for intruder in (printer.users[0], buyer):
        with pytest.raises(spend.Forbidden):
            spend.dispute_payee(session, user=intruder, supplier_id=joinery.id,
                                ledger_name_id=payee.name.id)
    # The list is for the firm's people, agencies and administrators.
    for outsider in (printer.users[0], buyer, None):
        assert not spend.may_see_payees(outsider, joinery.id)
        with pytest.raises(spend.Forbidden):
            spend.payees_of_supplier(session, user=outsider, supplier_id=joinery.id)
    # An agency (or an administrator) may send a wrong match to the review queue too.
    agency = create_user(session, role="agency")
    assert spend.may_see_payees(agency, joinery.id)
    # A name matched to another firm, or waiting for review, is not the firm's to dispute.
    printing = session.exec(select(LedgerName).where(
        LedgerName.supplier_id == printer.id)).one()
    waiting = session.exec(select(LedgerName).where(LedgerName.status == "review")).one()
    for other in (printing, waiting):
        with pytest.raises(spend.CoopmatchError, match="is not matched to Accrington") as error:
            spend.dispute_payee(session, user=joinery.users[0], supplier_id=joinery.id,
                                ledger_name_id=other.id)
        assert error.value.field == "ledger_name_id"
    with pytest.raises(spend.NotFound):
        spend.dispute_payee(session, user=joinery.users[0], supplier_id=joinery.id,
                            ledger_name_id=999_999)
    session.refresh(payee.name)
    assert payee.name.status == "auto" and printing.status == "auto"
    assert waiting.status == "review"
    spend.dispute_payee(session, user=agency, supplier_id=printer.id,
                        ledger_name_id=printing.id)
    # Disputed names come first, however small: "Manchester Cleaning" (£2,000) only waits.
    queue = spend.review_queue(session, user=agency).items
    assert [(i.name.name, i.pence) for i in queue] == [("Pendle Print Co-op", 50_000),
                                                       ("Manchester Cleaning", 200_000)]
    assert queue[0].disputed_by == (f"{agency.name} says this is not Pendle Print "
                                    "Co-operative Ltd.")
    # The queue comes a page at a time, the disputed name first on the first.
    pages = [spend.review_queue(session, user=agency, page=n, page_size=1) for n in (1, 2)]
    assert [([i.name.name for i in page.items], page.total) for page in pages] == [
        (["Pendle Print Co-op"], 2), (["Manchester Cleaning"], 2)]
    assert pages[0].items[0].disputed_by == queue[0].disputed_by
    # Taking it back is for the same people: not another firm, nor a buyer.
    for intruder in (joinery.users[0], buyer):
        with pytest.raises(spend.Forbidden):
            spend.undo_dispute(session, user=intruder, supplier_id=printer.id,
                               ledger_name_id=printing.id)
    session.refresh(printing)
    assert printing.status == "disputed"


def test_not_us_on_the_suppliers_page(client, session, ref, tmp_path, anchor_and_register):
    hyndburn, suppliers = anchor_and_register
    _import(session, hyndburn, tmp_path)
    joinery, printer = suppliers["joinery"], suppliers["print"]
    row = session.exec(select(LedgerName).where(LedgerName.supplier_id == joinery.id)).one()
    url = f"/suppliers/{joinery.id}/payees/{row.id}/not-ours"
    # Visitors and other firms see no list, and cannot dispute.
    page = client.get(f"/suppliers/{joinery.id}").get_data(as_text=True)
    assert 'id="payees"' not in page
    assert client.post(url).status_code == 302 and "/sign-in" in client.post(url).location
    client.sign_in(printer.users[0].email)
    assert 'id="payees"' not in client.get(f"/suppliers/{joinery.id}").get_data(as_text=True)
    assert client.post(url).status_code == 403
    client.sign_out()
    session.refresh(row)
    assert row.status == "auto"

    assert client.get(f"/api/suppliers/{joinery.id}/payees").status_code == 401
    client.sign_in(printer.users[0].email)
    assert client.get(f"/api/suppliers/{joinery.id}/payees").status_code == 403
    client.sign_out()
    client.sign_in(joinery.users[0].email)
    assert client.get(f"/api/suppliers/{joinery.id}/payees").get_json() == {
        "supplier_id": joinery.id, "payees": [{
            "ledger_name_id": row.id, "name": "ACCRINGTON JOINERY LIMITED", "status": "auto",
            "paid_gbp": 2800.0, "payments": 3, "anchors": ["Hyndburn Borough Council"],
            "first_payment": "2019-04-15", "last_payment": "2020-04-01"}]}
    page = html.unescape(client.get(f"/suppliers/{joinery.id}").get_data(as_text=True))
    mine = page.split('id="payees"')[1].split("</section>")[0]
    assert "Payments matched to you" in mine and "ACCRINGTON JOINERY LIMITED" in mine
    assert "Hyndburn Borough Council" in mine and "£2,800" in mine and "3 payments" in mine
    assert "Matched automatically" in mine and ">Not us</button>" in mine
    # Without its CSRF token the form is refused.
    assert client.post(url, csrf=False).status_code == 400
    session.refresh(row)
    assert row.status == "auto"
    response = client.post(url)
    assert response.status_code == 303 and response.location.endswith(
        f"/suppliers/{joinery.id}#payees")
    session.refresh(row)
    assert row.status == "disputed"
    assert [p["status"] for p in client.get(
        f"/api/suppliers/{joinery.id}/payees").get_json()["payees"]] == ["disputed"]
    page = html.unescape(client.get(f"/suppliers/{joinery.id}").get_data(as_text=True))
    assert "no longer counts as yours" in page
    mine = page.split('id="payees"')[1].split("</section>")[0]
    assert "Said not to be this supplier: waiting for review" in mine and "Not us" not in mine
    assert ">Undo</button>" in mine
    # Again: told, not an error page.
    client.post(url)
    assert "has already been said not to be" in html.unescape(
        client.get(f"/suppliers/{joinery.id}").get_data(as_text=True))
    client.sign_out()

    client.sign_in(create_user(session, role="agency").email)
    # The Spend page says how many wait, and that one was said not to be its supplier.
    assert spend.waiting_for_review(session) == {"review": 1, "disputed": 1}
    assert ("Review supplier names waiting for a decision</a> (2, 1 said not to be the "
            "supplier matched)") in html.unescape(client.get("/spend/").get_data(as_text=True))
    review = html.unescape(client.get("/spend/review").get_data(as_text=True))
    assert "Accrington Joinery Ltd says this is not them." in review
    assert f'value="{joinery.id}"' in review
