"""Gap reports through the database: a sector opens and closes as local suppliers come and go."""

import html
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from coopmatch.models import Award, Supplier, SupplierCreate
from coopmatch.services import gaps, suppliers
from tests.factories import create_organisation, create_supplier, create_tender, create_user

LANCASHIRE = "E10000017"
LAUNDRY = "Laundry and linen washing for care homes and hospital wards, collected and returned."


def _area_with_laundry_demand(session, ref):
    council = create_organisation(session, ref, name="Preston City Council")
    hospital = create_organisation(session, ref, name="Lancashire Teaching Hospitals",
                                   kind="nhs", postcode="PR2 9HT")
    for buyer, year in ((council, 2023), (hospital, 2024), (council, 2025)):
        officer = create_user(session, role="procurement", organisation=buyer)
        create_tender(session, ref, officer, title=f"Laundry services {year}",
                      description=LAUNDRY, cpv_codes="98310000", value=300_000.0,
                      status="open", recurrence="recurring", delivery_postcode="PR1 2HE",
                      published_date=f"{year}-01-10", contract_start=f"{year}-04-01",
                      contract_end=f"{year + 1}-03-31")
    return council


def _report(app, session, ref):
    from flask import current_app

    from coopmatch.web.matching import match_settings

    with app.app_context():
        return gaps.report(session, query=gaps.GapQuery(area_code=LANCASHIRE), ref=ref,
                           settings=match_settings(),
                           gap_config=gaps.gap_settings(current_app.config))


def _laundry(report):
    return [g for g in report.gaps if g.sector.startswith("983")]


def test_a_sector_becomes_a_gap_without_its_local_supplier_and_closes_with_a_new_one(
        app, session, ref):
    _area_with_laundry_demand(session, ref)
    laundry = create_supplier(session, ref, name="Preston Laundry Co-operative",
                              postcode="PR1 3NN", description=LAUNDRY, cpv_codes="98310000",
                              max_contract_value=1_000_000.0)
    report = _report(app, session, ref)
    assert _laundry(report) == []  # met locally
    # The co-op closes: its owner marks it dissolved.
    suppliers.update_supplier(session, user=laundry.users[0], supplier_id=laundry.id, ref=ref,
                              data=SupplierCreate(**dict(
                                  laundry.model_dump(include=set(SupplierCreate.model_fields)),
                                  status="dissolved")))
    report = _report(app, session, ref)
    (gap,) = _laundry(report)
    # Two anchors each buying £300k of laundry a year (the council twice, in 2023 and 2025).
    assert abs(gap.gbp_a_year - 600_000) < 1_000
    assert gap.demand.anchor_count == 2 and gap.demand.recurring
    assert sorted(n.item.tender_id for n in gap.notices) == sorted(
        n.item.tender_id for n in report.notices if n.sector.startswith("983"))
    assert "new_coop" in gap.route_kinds
    create_supplier(session, ref, name="Ribble Linen Services", postcode="PR2 9HT",
                    description=LAUNDRY, cpv_codes="98310000", max_contract_value=900_000.0)
    assert _laundry(_report(app, session, ref)) == []


def test_a_capable_local_firm_too_small_is_a_near_miss_not_a_gap(app, client, session, ref):
    _area_with_laundry_demand(session, ref)
    small = create_supplier(session, ref, name="Tiny Laundry Co-op", postcode="PR1 3NN",
                            description=LAUNDRY, cpv_codes="98310000",
                            max_contract_value=20_000.0)
    report = _report(app, session, ref)
    near = [n for n in report.near_misses if n.supplier_id == small.id]
    assert near and all(n.kind == "too_small" for n in near)
    assert not any(n.verdict == "gap" for n in report.notices if n.sector.startswith("983"))
    # The page lists it beside its name, and says why once.
    client.sign_in(create_user(session, role="agency").email)
    page = html.unescape(client.get("/gaps/?area=E10000017").get_data(as_text=True))
    assert "Can do this work but is too small for a £" in page
    assert "Tiny Laundry Co-op can do this work" not in page


def test_gap_pages_exports_and_access(client, session, ref):
    _area_with_laundry_demand(session, ref)
    supplier = create_user(session, role="supplier")
    client.sign_in(supplier.email)
    assert client.get("/gaps/").status_code == 403
    assert client.get("/api/gaps").status_code == 403
    client.sign_out()
    agency = create_user(session, role="agency")
    client.sign_in(agency.email)
    page = client.get("/gaps/?area=E10000017").get_data(as_text=True)
    assert "Gaps in local supply" in page and "CPV 983" in page and "<svg" in page
    body = client.get("/api/gaps?area=E10000017").get_json()
    notices = body["totals"]["notices"]
    assert f"demand a year ({notices:,} notice{'' if notices == 1 else 's'})" in page
    (gap,) = [g for g in body["gaps"] if g["sector"].startswith("983")]
    card = client.get(f"/gaps/cards/{gap['id']}?area=E10000017").get_data(as_text=True)
    for notice in gap["notices"]:  # every figure traces to its notices
        assert f"/tenders/{notice['tender_id']}" in card
    assert "Laundry services 2024" in card
    csv_text = client.get("/gaps/export.csv?area=E10000017").get_data(as_text=True)
    assert csv_text.startswith("gap_id,") and gap["id"] in csv_text
    bad = client.get("/gaps/?area=NOWHERE&division=98")
    text = html.unescape(bad.get_data(as_text=True))
    # Said at the field, with the filters kept to correct it.
    assert bad.status_code == 400 and 'id="area-error"' in text
    assert "No area is called 'NOWHERE'" in text and 'value="NOWHERE"' in text
    assert '<option value="98" selected>' in text
    assert "No area is called" in html.unescape(
        client.get("/gaps/export.csv?area=NOWHERE").get_data(as_text=True))
    # An area may be named as people name it: the same report as its code.
    by_name = client.get("/api/gaps?area=lancashire").get_json()
    assert by_name["area"] == body["area"] and by_name["gaps"] == body["gaps"]
    # Sorted by name, or by sector code (a sort the API offers beyond the page's).
    assert client.get("/api/gaps?area=E10000017&sort=name").get_json()["gaps"] == body["gaps"]
    assert client.get("/api/gaps?area=E10000017&sort=sector").get_json()["gaps"] == body["gaps"]
    # Amounts and distances as people write them; what is not a number is refused at its
    # field, not quietly left out of the report.
    value = gap["gbp_a_year"]
    for written in (f"£{value + 1:,.0f}", f"{value + 1:.0f}"):
        above = client.get(f"/api/gaps?area=E10000017&min_value={written}").get_json()
        assert gap["id"] not in {g["id"] for g in above["gaps"]}, written
    assert gap["id"] in {g["id"] for g in client.get(
        f"/api/gaps?area=E10000017&min_value=£{value - 1:,.0f}").get_json()["gaps"]}
    for query, field, message in [
        ("min_value=lots", "min_value", "Enter the least £ a year as a number of 0 or more, "
                                        "like 50000 ('lots' is not)."),
        ("min_value=-5", "min_value", "('-5' is not)"),
        ("radius_km=ten&postcode=PR1 2HE", "radius_km", "Enter the distance in km as a number"),
        ("from=2024-13-01", "from", "Enter the 'from' date as YYYY-MM-DD"),
        ("from=2025-01-01&to=2020-01-01", "to", "The period ends (01 January 2020) before it "
                                                "starts (01 January 2025)"),
        # A sort or route it does not know would quietly list the gaps some other way.
        ("sort=bogus", "sort", "Choose the sort from gbp_a_year, anchors, notices, "
                               "next_window, sector, name ('bogus' is not one)."),
        ("route=coop", "route", "Choose the route from new_coop"),
    ]:
        bad = client.get(f"/gaps/?area=E10000017&{query}")
        text = html.unescape(bad.get_data(as_text=True))
        assert bad.status_code == 400 and f'id="{field}-error"' in text, query
        assert message in text and f'href="#{field}"' in text, query
        api = client.get(f"/api/gaps?area=E10000017&{query}")
        assert api.status_code == 400 and message in api.get_json()["message"], query
        assert api.get_json()["field"] == field, query  # named, as the other endpoints do
    # The threshold (the API's, not the form's) is refused naming it, not a server error.
    for written, message in [("5", "Enter the threshold as a capability between 0 and 1, "
                                    "like 0.40 (5 is not)."),
                             ("high", "Enter the threshold as a number of 0 or more, like 0.4 "
                                      "('high' is not).")]:
        for url in ("/gaps/", "/api/gaps", "/gaps/export.csv"):
            bad = client.get(f"{url}?area=E10000017&threshold={written}")
            assert bad.status_code == 400 and message in html.unescape(
                bad.get_data(as_text=True)), (url, written)
    stricter = client.get("/api/gaps?area=E10000017&threshold=0.9").get_json()
    assert stricter["settings"]["threshold"] == 0.9


def test_gaps_cli(session, ref, database_url, data_dir, tmp_path):
    _area_with_laundry_demand(session, ref)
    env = dict(os.environ, DATABASE_URL=database_url, COOPMATCH_DATA_DIR=str(data_dir),
               COOPMATCH_INDEX_DIR=str(tmp_path / "index"))
    coopmatch = str(Path(sys.executable).with_name("coopmatch"))
    result = subprocess.run([coopmatch, "gaps", "--area", LANCASHIRE, "--format", "json"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert any(g["sector"].startswith("983") for g in body["gaps"])
    table = subprocess.run([coopmatch, "gaps", "--radius-km", "20", "--postcode", "PR1 2HE",
                            "--from", "2024-01-01", "--to", "2025-12-31"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert table.returncode == 0, table.stderr
    assert "within 20 km of PR1 2HE" in table.stdout and "group-983" in table.stdout
    bad = subprocess.run([coopmatch, "gaps", "--area", LANCASHIRE, "--threshold", "5"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "Enter the threshold as a capability between 0 and 1" in bad.stderr
    backwards = subprocess.run([coopmatch, "gaps", "--area", LANCASHIRE, "--from", "2025-01-01",
                                "--to", "2020-01-01"], env=env, capture_output=True, text=True,
                               timeout=300)
    assert backwards.returncode == 1 and "The period ends" in backwards.stderr
    assert session.exec(select(Supplier)).all() == []


def test_a_notice_without_a_cpv_code_is_classified_from_its_text(app, session, ref):
    council = _area_with_laundry_demand(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    uncoded = create_tender(session, ref, officer, title="Laundry services 2026",
                            description=LAUNDRY, cpv_codes="", value=300_000.0, status="open",
                            recurrence="recurring", delivery_postcode="PR1 2HE",
                            published_date="2026-01-10", contract_start="2026-04-01",
                            contract_end="2027-03-31")
    vague = create_tender(session, ref, officer, title="Miscellaneous", description="Various.",
                          cpv_codes="", value=50_000.0, status="open",
                          delivery_postcode="PR1 2HE")
    report = _report(app, session, ref)
    (gap,) = _laundry(report)
    (notice,) = [n for n in gap.notices if n.item.tender_id == uncoded.id]
    assert notice.item.cpv_suggested and notice.item.cpv_codes[0].startswith("983")
    assert notice.to_dict()["cpv_suggested"] is True
    coded = [n for n in gap.notices if n.item.tender_id != uncoded.id]
    assert coded and not any(n.item.cpv_suggested for n in coded)
    (unsure,) = [n for n in report.notices if n.item.tender_id == vague.id]
    assert unsure.item.cpv_codes == [] and not unsure.item.cpv_suggested
    session.refresh(uncoded)
    assert uncoded.cpv_codes in ("", None)  # a suggestion for the report, not stored


def test_a_dynamic_purchasing_system_is_demand_with_a_ceiling_like_a_framework(session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    dps = create_tender(session, ref, officer, title="Passenger Transport DPS",
                        description="Home to school transport.", value=4_000_000.0)
    plain = create_tender(session, ref, officer, title="Home to school transport",
                          description="Transport for pupils.", value=400_000.0)
    flags = {i.tender_id: i.framework for i in gaps.demand_items(session)}
    assert flags[dps.id] is True and flags[plain.id] is False


def test_how_a_tender_is_said_to_be_let_decides_if_its_value_is_a_ceiling(session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    stated = create_tender(session, ref, officer, title="Home to school transport",
                           description="Transport for pupils.", value=4_000_000.0,
                           arrangement="dps")
    said_not = create_tender(session, ref, officer, title="Passenger Transport DPS lot 3",
                             description="Home to school transport.", value=400_000.0,
                             arrangement="call_off")
    # A contract shared by five firms is read as a framework unless it is said not to be.
    shared = create_tender(session, ref, officer, title="Minibus hire", value=900_000.0)
    contract = create_tender(session, ref, officer, title="Coach hire", value=900_000.0,
                             arrangement="contract")
    for tender in (shared, contract):
        for n in range(5):
            firm = create_supplier(session, ref, name=f"Coaches {tender.id}-{n} Ltd")
            session.add(Award(tender_id=tender.id, supplier_id=firm.id))
    session.commit()
    flags = {i.tender_id: i.framework for i in gaps.demand_items(session)}
    assert (flags[stated.id], flags[said_not.id]) == (True, False)
    assert (flags[shared.id], flags[contract.id]) == (True, False)


def test_a_card_says_how_each_notices_pound_a_year_was_worked_out(client, session, ref):
    council = _area_with_laundry_demand(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    framework = create_tender(session, ref, officer, title="Laundry framework agreement",
                              description=LAUNDRY, cpv_codes="98310000", value=2_000_000.0,
                              delivery_postcode="PR1 2HE", arrangement="framework")
    client.sign_in(create_user(session, role="agency").email)
    body = client.get("/api/gaps?area=E10000017").get_json()
    (gap,) = [g for g in body["gaps"] if g["sector"].startswith("983")]
    flags = {n["tender_id"]: n["framework"] for n in gap["notices"]}
    assert flags[framework.id] is True and list(flags.values()).count(True) == 1
    card = html.unescape(client.get(f"/gaps/cards/{gap['id']}?area=E10000017")
                         .get_data(as_text=True))
    rows = {row.split("</a>")[0].rsplit(">", 1)[-1]: row for row in card.split("<tr>")[2:]}
    # £2m over a framework's four years; a year's laundry over its own dates.
    assert "£500,000" in rows["Laundry framework agreement"]
    assert "over 4 years (framework ceiling, no dates)" in rows["Laundry framework agreement"]
    assert "over 1 year (contract dates)" in rows["Laundry services 2024"]


def test_a_gap_with_no_route_says_why(app, client, session, ref):
    # £600k a year of laundry, against a new co-op's minimum raised above it: no route fits.
    _area_with_laundry_demand(session, ref)
    app.config["GAP_NEW_COOP_MIN_GBP_A_YEAR"] = 1_000_000.0
    client.sign_in(create_user(session, role="agency").email)
    page = html.unescape(client.get("/gaps/?area=E10000017").get_data(as_text=True))
    assert "None yet: too small for a new co-op alone" in page
    (gap,) = [g for g in client.get("/api/gaps?area=E10000017").get_json()["gaps"]
              if g["sector"].startswith("983")]
    assert gap["routes"] == [] and "under the £1.0m a year a new co-operative" in gap["no_route"]
    card = html.unescape(client.get(f"/gaps/cards/{gap['id']}?area=E10000017")
                         .get_data(as_text=True))
    assert gap["no_route"] in card and "No route stands out" not in card


def test_a_card_says_which_capable_firms_may_be_local_after_all(client, session, ref):
    _area_with_laundry_demand(session, ref)
    create_supplier(session, ref, name="Leeds Linen Ltd", postcode="LS1 4AP",
                    description=LAUNDRY, cpv_codes="98310000", max_contract_value=5_000_000.0)
    create_supplier(session, ref, name="Linen Washers Ltd", postcode=None,
                    description=LAUNDRY, cpv_codes="98310000", max_contract_value=5_000_000.0)
    create_supplier(session, ref, name="Preston Window Cleaners Ltd", postcode="PR1 3NN",
                    description="Window cleaning for offices and shops.", cpv_codes="90911300")
    client.sign_in(create_user(session, role="agency").email)
    body = client.get("/api/gaps?area=E10000017").get_json()
    (gap,) = [g for g in body["gaps"] if g["sector"].startswith("983")]
    card = html.unescape(client.get(f"/gaps/cards/{gap['id']}?area=E10000017")
                         .get_data(as_text=True))
    outside = card.partition("Capable suppliers outside the area")[2].partition("</ul>")[0]
    leeds = outside.partition("Leeds Linen Ltd</a>")[2].partition("</li>")[0]
    unknown = outside.partition("Linen Washers Ltd</a>")[2].partition("</li>")[0]
    assert " km)" in leeds and "not known" not in leeds
    assert "(where it is based is not known: it may be local)" in unknown
    # The closest local firm on each notice is named with how far it falls short.
    closest = [n["best_local"] for n in gap["notices"]]
    assert {firm["name"] for firm in closest} == {"Preston Window Cleaners Ltd"}
    for firm in closest:
        assert f"(capability {firm['capability']:.2f}, 0.40 needed)" in card
    (reason,) = [r for r in gap["reasons"] if r["kind"] == "distance"]
    assert reason["text"].startswith("Firms outside the area can do this work: Leeds Linen Ltd")
    assert "Firms whose base is not known can do this work too: Linen Washers Ltd." in (
        reason["text"])


def test_a_report_for_firms_only_shows_what_only_a_public_body_meets_as_a_gap(
        client, session, ref, database_url, data_dir, tmp_path):
    _area_with_laundry_demand(session, ref)
    create_supplier(session, ref, name="Lancashire Teaching Hospitals Linen Services",
                    postcode="PR2 9HT", description=LAUNDRY, cpv_codes="98310000",
                    ownership="public_body", max_contract_value=2_000_000.0)
    client.sign_in(create_user(session, role="agency").email)
    counted = client.get(f"/api/gaps?area={LANCASHIRE}").get_json()
    assert not [g for g in counted["gaps"] if g["sector"].startswith("983")]
    assert counted["settings"]["public_bodies"] is True

    firms = client.get(f"/api/gaps?area={LANCASHIRE}&without_public_bodies=1").get_json()
    (gap,) = [g for g in firms["gaps"] if g["sector"].startswith("983")]
    assert firms["settings"]["public_bodies"] is False
    assert firms["totals"]["gap_gbp_a_year"] > counted["totals"]["gap_gbp_a_year"]
    page = html.unescape(client.get(
        f"/gaps/?area={LANCASHIRE}&without_public_bodies=1").get_data(as_text=True))
    assert 'name="without_public_bodies" value="1" checked' in page
    assert "Only firms count as local supply here" in page and gap["name"] in page
    card = client.get(f"/gaps/cards/{gap['id']}?area={LANCASHIRE}&without_public_bodies=1")
    assert card.status_code == 200
    csv_text = client.get(f"/gaps/export.csv?area={LANCASHIRE}&without_public_bodies=1")
    assert gap["id"] in csv_text.get_data(as_text=True)
    bad = client.get(f"/gaps/?area={LANCASHIRE}&without_public_bodies=maybe")
    text = html.unescape(bad.get_data(as_text=True))
    assert bad.status_code == 400 and 'id="without_public_bodies-error"' in text
    assert "'without_public_bodies' must be 1 or 0 ('maybe' is neither)." in text
    assert client.get(f"/api/gaps?area={LANCASHIRE}&without_public_bodies=maybe"
                      ).status_code == 400

    env = dict(os.environ, DATABASE_URL=database_url, COOPMATCH_DATA_DIR=str(data_dir),
               COOPMATCH_INDEX_DIR=str(tmp_path / "index"))
    coopmatch = str(Path(sys.executable).with_name("coopmatch"))
    result = subprocess.run([coopmatch, "gaps", "--area", LANCASHIRE, "--without-public-bodies",
                             "--format", "json"], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert gap["id"] in {g["id"] for g in json.loads(result.stdout)["gaps"]}


def test_the_report_is_of_the_agencys_own_area_unless_another_is_asked(app, client, session,
                                                                        ref):
    """With no area asked for, an agency sees its own organisation's county or combined
    authority (else its district); without a placed organisation, the configured default."""
    manchester = create_organisation(session, ref, name="Manchester Co-op Network",
                                     kind="agency", postcode="M1 1AE")
    client.sign_in(create_user(session, role="agency", organisation=manchester).email)
    assert client.get("/api/gaps").get_json()["area"]["name"] == \
        "Greater Manchester"
    page = html.unescape(client.get("/gaps/").get_data(as_text=True))
    assert "Anchor demand in Greater Manchester that" in page
    assert client.get("/api/gaps?area=E10000017").get_json()["area"]["name"] == "Lancashire"
    client.sign_out()
    client.sign_in(create_user(session, role="agency").email)
    app.config["GAP_DEFAULT_AREA"] = "E10000017"
    assert client.get("/api/gaps").get_json()["area"]["name"] == "Lancashire"


def test_gaps_are_listed_in_the_order_asked_for_on_the_page_and_through_the_api(client, session,
                                                                               ref):
    council = _area_with_laundry_demand(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    for year in (2024, 2025):  # a second gap: smaller, and first by name
        create_tender(session, ref, officer, title=f"Office cleaning {year}",
                      description="Daily cleaning of council offices.", cpv_codes="90910000",
                      value=60_000.0, status="open", recurrence="recurring",
                      delivery_postcode="PR1 2HE", published_date=f"{year}-02-01",
                      contract_start=f"{year}-04-01", contract_end=f"{year + 1}-03-31")
    client.sign_in(create_user(session, role="agency").email)

    def listed(sort: str) -> list[str]:
        gaps_ = client.get(f"/api/gaps?area={LANCASHIRE}&sort={sort}").get_json()["gaps"]
        return [g["sector"][:3] for g in gaps_]

    assert listed("gbp_a_year") == ["983", "909"] == listed("notices") == listed("")
    assert listed("anchors") == ["983", "909"]  # the laundry's two anchors, the cleaning's one
    assert listed("name") == ["909", "983"]
    body = client.get(f"/api/gaps?area={LANCASHIRE}&sort=name").get_json()
    names = [g["name"] for g in body["gaps"]]
    assert names == sorted(names, key=str.lower)
    for sort, first in (("gbp_a_year", 0), ("name", 1)):
        page = html.unescape(client.get(f"/gaps/?area={LANCASHIRE}&sort={sort}")
                             .get_data(as_text=True))
        by_pounds = body["gaps"][::-1]  # sorted by name above: laundry last
        order = [page.index(f"/gaps/cards/{g['id']}") for g in by_pounds]
        assert (order == sorted(order)) == (first == 0), sort
        assert f'<option value="{sort}" selected>' in page


def test_a_local_firm_known_only_by_what_it_says_it_does_closes_a_gap(app, session, ref):
    """A payee an agency adds from the ledgers has no contracts and no codes: its description
    ("Paid by anchors for: ...", put in words) is what makes it capable."""
    _area_with_laundry_demand(session, ref)
    assert len(_laundry(_report(app, session, ref))) == 1
    create_supplier(session, ref, name="Preston Wash Co-op", postcode="PR1 3NN",
                    description="Paid by anchors for: Laundry; Linen washing.", cpv_codes="")
    assert _laundry(_report(app, session, ref)) == []


def test_two_firms_outside_an_administrator_marked_as_two_are_both_named(app, session, ref):
    from coopmatch.services import distinct

    _area_with_laundry_demand(session, ref)
    leeds = create_supplier(session, ref, name="Yorkshire Linen Hire", postcode="LS1 4AP",
                            description=LAUNDRY, cpv_codes="98310000",
                            max_contract_value=5_000_000.0)
    again = create_supplier(session, ref, name="Yorkshire Linen Hire Ltd",
                                postcode="LS1 4AP", description=LAUNDRY,
                                cpv_codes="98310000", max_contract_value=5_000_000.0)

    def outside():
        (gap,) = _laundry(_report(app, session, ref))
        return sorted(c.supplier_id for c in gap.outside)

    assert outside() == [leeds.id]  # taken for one firm listed twice
    distinct.mark_distinct(session, user=None, kind="supplier", first_id=leeds.id,
                           second_id=again.id)
    assert outside() == [leeds.id, again.id]  # the cached report is not kept
