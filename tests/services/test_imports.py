"""Imports into the database: every real format, idempotence, dedupe, and bad input."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from coopmatch.errors import CoopmatchError
from coopmatch.imports.records import RowError
from coopmatch.models import Award, Organisation, Supplier, Tender
from coopmatch.services.imports import (
    ImportOptions,
    ImportRejected,
    import_file,
    rejection,
)
from coopmatch.spend.records import LedgerRowError

PROCUREMENT = Path("procurement-data")
NOTICE_FILES = [
    ("ocds", "contracts-finder-ocds/cf_releases_2025_cfserver1.json", 191),
    ("ocds", "contracts-finder-ocds/bluetail_cf_release_packages_ocds1.1_2019-2020.jsonl.gz", 100),
    ("ocds", "contracts-finder-ocds/bluetail_cf_release_packages_ocds1.0_multisupplier_2020"
             ".jsonl.gz", 100),
    ("ocds", "contracts-finder-ocds/ocds_sample_data_uk_contracts_finder_2016.json", 200),
    ("ocds", "find-a-tender-ocds/fts_release_package_032703-2026_tender.json", 1),
    ("ocds", "find-a-tender-ocds/fts_release_package_037689-2026_planning.json", 1),
    ("contracts-finder", "contracts-finder-csv/cf_export_2025-11_bidboost.csv", 852),
    ("ocds-csv", "contracts-finder-csv/cf_daily_ocds_flat_2020-08-05_silvereye.csv", 29),
    ("silvereye-awards", "contracts-finder-csv/silvereye_sample_awards_2020.csv", 352),
    ("silvereye-tenders", "contracts-finder-csv/silvereye_sample_tenders_2020.csv", 134),
    ("ted-awards", "ted-uk-awards-2020/ted_uk_contract_awards_2020-01_to_10.csv", 3024),
    ("lancashire-json", "lancashire-contracts-finder/lancashire_councils_cf_notices.json", 1223),
    ("lancashire-csv", "lancashire-contracts-finder/lancashire_councils_cf_notices.csv", 1223),
]


def counts(session) -> dict[str, int]:
    """Rows in every table: 'the database is unchanged' means these are equal."""
    session.expire_all()
    return {
        table.name: session.exec(select(func.count()).select_from(table)).one()
        for table in SQLModel.metadata.sorted_tables
    }


def run_import(session, ref, data_dir, fmt, path, **options):
    return import_file(session, fmt=fmt, path=path, ref=ref, data_dir=str(data_dir),
                       options=ImportOptions(**options))


@pytest.mark.parametrize("fmt, name, notices", NOTICE_FILES,
                         ids=[Path(n).name[:40] for _, n, _ in NOTICE_FILES])
def test_every_real_notice_file_imports(session, ref, data_dir, fmt, name, notices):
    path = data_dir / PROCUREMENT / name
    summary = run_import(session, ref, data_dir, None, path)  # the format is recognised
    assert summary.format == fmt
    assert summary.counts["notices"]["created"] == notices
    assert summary.rejected == 0
    assert session.exec(select(func.count()).select_from(Tender)).one() == notices


def test_ocds_import_compiles_buyers_lots_cpv_and_award_suppliers(session, ref, data_dir):
    path = data_dir / PROCUREMENT / NOTICE_FILES[1][1]
    summary = run_import(session, ref, data_dir, "ocds", path)
    # 787 award-supplier pairs, one of them "Scarab Sweepers" and "Scarab Sweepers Ltd" twice.
    assert summary.counts["awards"]["created"] == 786
    award_suppliers = session.exec(select(Supplier).where(Supplier.source == "award")).all()
    assert award_suppliers and any(s.postcode for s in award_suppliers)
    tender = session.exec(select(Tender).where(Tender.ocid.like("ocds-b5fd17-%"))).first()
    assert tender is not None and "raw" not in tender.ocid
    assert all(len(code) == 8 for t in session.exec(select(Tender)) for code in t.cpv_list)
    assert "&amp;" not in "".join(t.title for t in session.exec(select(Tender)))


def test_councils_notices_without_a_buyer_postcode_are_placed_in_the_council_area(
        session, ref, data_dir):
    # Contracts Finder's Lancashire notices give no buyer address at all.
    path = data_dir / PROCUREMENT / NOTICE_FILES[-2][1]
    run_import(session, ref, data_dir, "lancashire-json", path)
    chorley = session.exec(select(Organisation).where(
        Organisation.normalised_name.like("%chorley%"))).first()
    assert chorley.postcode is None and chorley.local_authority_code == "E07000118"
    # "Muse Developments Limited on behalf of Blackpool Borough Council" is Blackpool's notice,
    # not the developer's, and "Hyndburn Borough Council Environmental Services" is Hyndburn's:
    # each council is one anchor.
    names = [o.name for o in session.exec(select(Organisation))]
    assert not [n for n in names if "behalf" in n.lower() or "services" in n.lower()
                or "standards" in n.lower()], names
    hyndburn = session.exec(select(Organisation).where(
        Organisation.normalised_name.like("%hyndburn%"))).one()
    assert len([t for t in session.exec(select(Tender)) if t.buyer_id == hyndburn.id]) == 33
    muse = session.exec(select(Tender).where(Tender.title.like(
        "Procurement of Contractor to complete the design and construction of a new office%"))
    ).all()
    assert muse and {session.get(Organisation, t.buyer_id).name for t in muse} == {
        "BLACKPOOL COUNCIL"}  # as the council's own notices name it
    tenders = session.exec(select(Tender)).all()
    placed = [t for t in tenders if t.latitude is not None]
    assert len(placed) > 0.9 * len(tenders)
    assert all(t.region_code == "E12000002" for t in placed)  # all in the North West
    # Without a delivery postcode of its own, a Chorley notice is placed in Chorley.
    own = [t for t in tenders if t.buyer_id == chorley.id and t.delivery_postcode is None]
    assert own and all(t.local_authority_code == "E07000118" for t in own)
    # Winners are described by their names and the notices' SME flags: a council or an NHS
    # trust that won a contract is a public body, not a "large company".
    ownership = {s.name: s.ownership for s in session.exec(select(Supplier))}
    assert ownership["Lancashire County Council"] == "public_body"
    assert ownership["Greater Manchester Mental Health NHS Foundation Trust"] == "public_body"
    assert ownership["Barnfield Construction"] == "large_company"  # not an SME
    assert ownership["Treetops De-Vegetation Services Ltd"] == "sme"
    # One of several winners is flagged neither way: not known, never guessed an SME.
    assert ownership["Adferiad Recovery"] == "unknown"
    # Flagged an SME on one notice and on none of its later ones: an SME.
    assert ownership["TREVORS WAREHOUSES LIMITED"] == "sme"
    assert ownership["JG Kelley (Fleetwood) Ltd"] == "sme"  # flagged first, then not
    again = run_import(session, ref, data_dir, "lancashire-json", path)
    assert again.changed == 0


def test_reimporting_a_file_changes_nothing(session, ref, data_dir):
    path = data_dir / PROCUREMENT / NOTICE_FILES[0][1]
    run_import(session, ref, data_dir, "ocds", path)
    before = counts(session)
    again = run_import(session, ref, data_dir, "ocds", path)
    assert again.changed == 0
    assert again.counts["notices"]["unchanged"] == 191
    assert counts(session) == before
    # How each is let, as Contracts Finder states it, is stored with the notice.
    let = Counter(t.arrangement for t in session.exec(select(Tender)))
    assert let == {"": 160, "call_off": 31}


def test_registers_import_and_keep_ownership_sic_and_registration(session, ref, data_dir):
    coops = data_dir / "reference-data/coops/coops_uk_open_data_2023q2.csv"
    # An area there is none of is refused before anything is read, not "all outside the area".
    with pytest.raises(CoopmatchError, match="No area is called 'Lancshire'. Did you mean"):
        run_import(session, ref, data_dir, "coops-uk", coops, areas={"Lancshire"})
    assert session.exec(select(Supplier)).first() is None
    summary = run_import(session, ref, data_dir, "coops-uk", coops, areas={"lancashire"})
    assert summary.counts["suppliers"]["created"] > 50
    assert summary.skipped_outside_area > 7000
    suppliers = session.exec(select(Supplier)).all()
    lancashire = ref.geo.lad_codes_in("E10000017")  # the county, inside its combined authority
    assert all(s.local_authority_code in lancashire for s in suppliers)
    assert all(s.county_code == "E47000018" for s in suppliers)
    assert {"worker_coop", "consumer_coop"} <= {s.ownership for s in suppliers}
    assert any(s.sic_list for s in suppliers) and any(s.registration_number for s in suppliers)
    ch = data_dir / "reference-data/companies-house/companies_house_south_yorkshire.csv.gz"
    summary = run_import(session, ref, data_dir, "companies-house", ch, areas={"E08000016"})
    assert 10_000 < summary.counts["suppliers"]["created"] <= 10_708  # Barnsley only


def test_same_supplier_is_updated_not_duplicated(session, ref, data_dir, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("name,postcode,description,registration_number\n"
                     "Acme Cleaning Services Ltd,PR1 2HE,Office cleaning,\n"
                     "Ribble Foods & Catering Limited,PR1 3NN,School meals,01234567\n")
    second = tmp_path / "second.csv"
    second.write_text("name,postcode,description,registration_number\n"
                      "ACME CLEANING SERVICES LIMITED,PR1 2HE,Office and school cleaning,\n"
                      "Acme Cleaning Service Ltd,PR1 2HF,Window cleaning,\n"
                      "Ribble Foods and Catering,PR2 9HT,School meals and catering,1234567\n")
    run_import(session, ref, data_dir, "suppliers", first)
    summary = run_import(session, ref, data_dir, "suppliers", second)
    assert summary.counts["suppliers"]["created"] == 0
    assert session.exec(select(func.count()).select_from(Supplier)).one() == 2
    ribble = session.exec(select(Supplier).where(Supplier.name.like("Ribble%"))).one()
    assert ribble.description == "School meals and catering"
    # The files give no ownership: not known, never guessed an SME.
    assert ribble.ownership == "unknown"


def test_two_co_ops_with_names_alike_at_one_address_stay_two(session, ref, data_dir,
                                                              tmp_path):
    # Housing co-ops run from one office: "Alt ..." and "T21 ..." are 94% alike as names,
    # above the near-miss score, but their own words are nothing alike.
    path = tmp_path / "coops.csv"
    path.write_text("name,postcode\n"
                    "Alt Housing Co-operative Society Limited,L8 3TX\n"
                    "T21 Housing Co-operative Society Limited,L8 3TX\n"
                    "Alt Housing Cooperative Society Ltd,L8 3TY\n")  # the first, spelt again
    summary = run_import(session, ref, data_dir, "suppliers", path)
    assert summary.counts["suppliers"]["created"] == 2
    names = sorted(s.name for s in session.exec(select(Supplier)))
    assert names == ["Alt Housing Co-operative Society Limited",
                     "T21 Housing Co-operative Society Limited"]


def test_a_company_is_one_supplier_at_any_of_its_addresses(session, ref, data_dir, tmp_path):
    # Award notices give whichever address the buyer had; no two UK companies share a name.
    first = tmp_path / "first.csv"
    first.write_text("name,postcode\nPfizer Ltd,PR1 2HE\nBalmer,PR1 3NN\n")
    second = tmp_path / "second.csv"
    second.write_text("name,postcode\nPFIZER LIMITED,LA1 1DW\nBalmer,LA1 1DW\n")
    run_import(session, ref, data_dir, "suppliers", first)
    summary = run_import(session, ref, data_dir, "suppliers", second)
    names = sorted(s.normalised_name for s in session.exec(select(Supplier)))
    # A name that is not a company's may be two traders in two places.
    assert names == ["balmer", "balmer", "pfizer"]
    assert summary.counts["suppliers"]["created"] == 1
    pfizer = session.exec(select(Supplier).where(Supplier.normalised_name == "pfizer")).one()
    assert pfizer.postcode == "PR1 2HE"  # where it is stays what we knew


# --- bad input: a clear message naming the row and field, and nothing stored -------------------


BAD_INPUTS = {
    "missing required column": (
        "suppliers", "company,postcode\nAcme,PR1 2HE\n",
        ["missing the required column 'name'"]),
    "malformed rows": (
        "suppliers", "name,postcode,employees\nGood Co-op,PR1 2HE,4\n"
        "Bad Co-op,PR1 2HE,many\n,PR1 2HE,3\n",
        ["line 3, employees", "line 4, name"]),
    "invalid postcode": (
        "suppliers", "name,postcode\nGood Co-op,PR1 2HE\nLost Co-op,PR99 ZZZ\n",
        ["line 3, postcode", "Enter a full UK postcode"]),
    "invalid CPV code": (
        "suppliers", "name,cpv_codes\nGood Co-op,55520000\nOdd Co-op,55520000;1234\n",
        ["line 3, cpv_codes", "'1234' is not a CPV code"]),
    "truncated JSON": (
        "ocds", '{"releases": [{"ocid": "ocds-x-1", "id": "1", "tender": {"title": "A',
        ["Nothing was imported: 1 file cannot be read. Fix it and import again.",
         "the JSON ends too early"]),
    "a deadline that is not a date": (
        "ocds", '{"releases": [{"ocid": "ocds-x-1", "id": "1", "buyer": {"name": "Chorley '
        'Council"}, "tender": {"title": "Grass", "tenderPeriod": {"endDate": "soon"}}}]}',
        ["Nothing was imported: 1 row has problems. Fix it and import again.\n",
         "line 1, tender.tenderPeriod.endDate: ocds-x-1: 'soon' is not a date"]),
    "JSON that is not OCDS": (
        "ocds", '{"council": "Preston", "payments": [1, 2, 3]}',
        ["not OCDS"]),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_is_refused_whole_with_row_errors(session, ref, data_dir, tmp_path, case):
    fmt, content, messages = BAD_INPUTS[case]
    path = tmp_path / ("input.json" if fmt == "ocds" else "input.csv")
    path.write_text(content, encoding="utf-8")
    before = counts(session)
    with pytest.raises(Exception) as caught:
        run_import(session, ref, data_dir, fmt, path)
    message = getattr(caught.value, "message", str(caught.value))
    for expected in messages:
        assert expected in message, message
    assert counts(session) == before


def test_the_refusal_counts_rows_and_files_not_problems():
    two_in_one_row = [LedgerRowError(3, "date", "'soon' is not a date", file="may.csv"),
                      LedgerRowError(3, "amount", "'lots' is not an amount", file="may.csv"),
                      LedgerRowError(3, "amount", "no amount", file="june.csv")]
    refused = rejection(two_in_one_row, good=True)
    assert refused.message.startswith(
        "Nothing was imported: 2 rows have problems. Fix them and import again, or import the "
        "good rows only.\n  - may.csv, line 3, date: 'soon' is not a date\n")
    assert refused.skipping_imports == "the good rows"
    empty = LedgerRowError(0, "file", "this file is empty: it has no rows", file="july.csv")
    assert rejection([empty], good=True).message.startswith(
        "Nothing was imported: 1 file cannot be read. Fix it and import again, or import the "
        "other file only.\n")
    assert rejection([empty, *two_in_one_row], good=True).message.startswith(
        "Nothing was imported: 1 file cannot be read and 2 rows have problems. Fix them")


def test_the_refusal_offers_skipping_only_when_something_would_be_imported():
    empty = LedgerRowError(0, "file", "this file is empty: it has no rows", file="july.csv")
    bad_row = RowError(2, "name", "a supplier needs a name")
    for errors in ([empty], [bad_row]):
        refused = rejection(errors, good=False)
        assert refused.message.split("\n")[0].endswith("Fix it and import again.")
        assert refused.skipping_imports == "" and refused.to_dict()["skipping_imports"] == ""


def test_a_file_over_the_size_limit_is_refused(session, ref, data_dir, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("name\n" + "A Co-op\n" * 20_000)
    before = counts(session)
    with pytest.raises(Exception) as caught:
        import_file(session, fmt="suppliers", path=path, ref=ref, max_bytes=50_000)
    assert "larger than" in caught.value.message and "limit" in caught.value.message
    assert counts(session) == before


def test_cp1252_and_bom_files_import_with_their_characters(session, ref, data_dir, tmp_path):
    cp1252 = tmp_path / "cp1252.csv"
    cp1252.write_bytes("name,description\nCafé Co-op,Meals from £3\n".encode("cp1252"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + b"name,description\nBOM Bakers,Bread\n")
    run_import(session, ref, data_dir, "suppliers", cp1252)
    run_import(session, ref, data_dir, "suppliers", bom)
    names = {s.name: s for s in session.exec(select(Supplier))}
    assert names["Café Co-op"].description == "Meals from £3"
    assert "BOM Bakers" in names


def test_skip_invalid_imports_good_rows_and_writes_the_rejected_ones(session, ref, data_dir,
                                                                     tmp_path):
    path = tmp_path / "register.csv"
    path.write_text("name,postcode\nGood Co-op,PR1 2HE\nLost Co-op,nowhere\nFine Co-op,\n")
    summary = run_import(session, ref, data_dir, "suppliers", path, skip_invalid=True)
    assert summary.counts["suppliers"]["created"] == 2 and summary.rejected == 1
    rejected = Path(summary.rejected_file).read_text()
    assert rejected.startswith("line,field,reason,original")
    assert "3,postcode" in rejected and "Lost Co-op" in rejected


def test_dry_run_reports_and_changes_nothing(session, ref, data_dir):
    path = data_dir / PROCUREMENT / NOTICE_FILES[0][1]
    before = counts(session)
    summary = run_import(session, ref, data_dir, "ocds", path, dry_run=True)
    assert summary.counts["notices"]["created"] == 191 and summary.dry_run
    assert "Would import" in summary.summary()
    assert counts(session) == before


def test_buyer_may_import_only_their_own_notices(session, ref, data_dir):
    from tests.factories import create_organisation

    preston = create_organisation(session, ref, name="Preston City Council")
    path = data_dir / PROCUREMENT / "lancashire-contracts-finder/lancashire_councils_cf_notices.csv"
    before = counts(session)
    with pytest.raises(ImportRejected) as caught:
        run_import(session, ref, data_dir, "lancashire-csv", path, restrict_to_buyer=preston)
    assert "you can import only your own organisation's notices" in caught.value.message
    assert counts(session) == before
    summary = run_import(session, ref, data_dir, "lancashire-csv", path,
                         restrict_to_buyer=preston, skip_invalid=True)
    assert summary.counts["notices"]["created"] == 86
    # The other councils' rows are set aside with their reasons, but not in the reference
    # data directory, which is read and never written.
    rejected = Path(summary.rejected_file)
    assert rejected.is_file() and not rejected.resolve().is_relative_to(data_dir.resolve())
    assert "not Preston City Council" in rejected.read_text(encoding="utf-8")
    rejected.unlink()
    assert not path.with_name(path.name + ".rejected.csv").exists()
    buyers = {t.buyer_id for t in session.exec(select(Tender))}
    assert buyers == {preston.id}
    # A notice bought for the council by its developer ("Muse Developments Limited on behalf
    # of Blackpool Borough Council") is the council's own, to import with the rest.
    blackpool = create_organisation(session, ref, name="Blackpool Council")
    others = run_import(session, ref, data_dir, "lancashire-csv", path,
                        restrict_to_buyer=blackpool, skip_invalid=True).rejected_file
    Path(others).unlink()  # the other councils' rows
    muse = session.exec(select(Tender).where(Tender.title.like(
        "Procurement of Contractor to complete the design and construction of a new office%"))
    ).one()
    assert muse.buyer_id == blackpool.id


def test_an_organisation_added_for_a_councils_department_keeps_its_own_notices(
        session, ref, data_dir):
    """Notices of a council's department go to the council, unless an administrator has added
    the department as an organisation of its own: then they are its, and its officers may
    import them."""
    from tests.factories import create_organisation

    standards = create_organisation(session, ref, name="Blackpool Borough Council Trading "
                                                      "Standards", postcode=None)
    path = data_dir / PROCUREMENT / "lancashire-contracts-finder/lancashire_councils_cf_notices.csv"
    run_import(session, ref, data_dir, "lancashire-csv", path)
    theirs = session.exec(select(Tender).where(Tender.buyer_id == standards.id)).all()
    assert len(theirs) == 6
    summary = run_import(session, ref, data_dir, "lancashire-csv", path,
                         restrict_to_buyer=standards, skip_invalid=True)
    Path(summary.rejected_file).unlink()  # the other buyers' rows
    assert summary.rejected == 1223 - 6
    # Hyndburn's department, which no one added, is Hyndburn's.
    assert not session.exec(select(Organisation).where(
        Organisation.name.like("%Environmental Services%"))).all()


def test_killing_an_import_part_way_leaves_the_database_as_it_was(tmp_path, data_dir,
                                                                  cache_dir):
    """The whole import is one transaction: a killed process has written nothing."""
    from sqlalchemy import create_engine, text

    from coopmatch.db import upgrade

    url = f"sqlite:///{tmp_path / 'killed.db'}"
    upgrade(url)
    path = data_dir / PROCUREMENT / "ted-uk-awards-2020/ted_uk_contract_awards_2020-01_to_10.csv"
    env = dict(os.environ, DATABASE_URL=url, COOPMATCH_DATA_DIR=str(data_dir),
               COOPMATCH_CACHE_DIR=str(cache_dir), COOPMATCH_ENV="development")
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("coopmatch")), "import", "ted-awards", str(path)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    seen = ""
    while time.time() < deadline:
        line = process.stderr.readline()
        seen += line
        if "saving" in line:
            break
    assert "saving" in seen, seen
    time.sleep(0.5)  # well into writing the notices
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        for table in ("tender", "award", "supplier", "organisation"):
            assert connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
    engine.dispose()


def test_award_suppliers_are_flagged_as_known_from_awards(session, ref, data_dir):
    path = data_dir / PROCUREMENT / NOTICE_FILES[0][1]
    run_import(session, ref, data_dir, "ocds", path)
    sources = {s.source for s in session.exec(select(Supplier))}
    assert sources == {"award"}
    assert session.exec(select(func.count()).select_from(Award)).one() > 200
    assert session.exec(select(func.count()).select_from(Organisation)).one() > 50


def test_a_notice_giving_its_sites_postcode_in_its_text_is_placed_there(session, ref, data_dir,
                                                                        tmp_path):
    path = tmp_path / "notices.json"
    release = {"ocid": "ocds-x-play", "id": "1", "date": "2024-05-01", "tag": ["tender"],
               "buyer": {"id": "b1", "name": "Hyndburn Borough Council"},
               "parties": [{"id": "b1", "name": "Hyndburn Borough Council", "roles": ["buyer"],
                            "address": {"postalCode": "BB5 1LA"}}],
               "tender": {"id": "t1", "title": "Milnshaw Park play area",
                          "description": "A new children's play area at Milnshaw Park, "
                                         "Accrington, Lancashire BB5 4SD."}}
    other = {**release, "ocid": "ocds-x-office",
             "tender": {"id": "t2", "title": "Office cleaning",
                        "description": "Cleaning of the town hall. Queries: ZZ9 9ZZ."}}
    path.write_text(json.dumps({"releases": [release, other]}), encoding="utf-8")
    run_import(session, ref, data_dir, "ocds", path)
    tenders = {t.ocid: t for t in session.exec(select(Tender))}
    play = tenders["ocds-x-play"]
    assert play.delivery_postcode == "BB5 4SD" and play.local_authority_code == "E07000120"
    town_hall = ref.geo.lookup("BB5 1LA")
    assert (play.latitude, play.longitude) != (town_hall.latitude, town_hall.longitude)
    # A postcode the reference data cannot place leaves the notice at its buyer's office.
    office = tenders["ocds-x-office"]
    assert office.delivery_postcode is None
    assert (office.latitude, office.longitude) == (town_hall.latitude, town_hall.longitude)


def test_a_winner_that_names_no_supplier_is_not_made_a_supplier(session, ref, data_dir,
                                                                 tmp_path):
    path = tmp_path / "awards.json"

    def release(ocid, title, *winners):
        return {"ocid": ocid, "id": "1", "date": "2024-05-01", "tag": ["award"],
                "buyer": {"id": "b1", "name": "Hyndburn Borough Council"},
                "parties": [{"id": "b1", "name": "Hyndburn Borough Council", "roles": ["buyer"],
                             "address": {"postalCode": "BB5 1LA"}}],
                "tender": {"id": "t1", "title": title},
                "awards": [{"id": f"a{i}", "status": "active",
                            "suppliers": [{"name": name}]} for i, name in enumerate(winners)]}

    path.write_text(json.dumps({"releases": [
        release("ocds-x-1", "Footpath works", "NOT AWARDED TO SUPPLIER"),
        release("ocds-x-2", "Taxi framework", "Multiple Providers (Open Framework) see URL link",
                "Name withheld (as individual and not a company)"),
        release("ocds-x-3", "Window cleaning", "TA Browne Contract Services Ltd"),
    ]}), encoding="utf-8")
    summary = run_import(session, ref, data_dir, "ocds", path)
    # Every notice is imported; only the real firm becomes a supplier with an award.
    assert {t.ocid for t in session.exec(select(Tender))} == {"ocds-x-1", "ocds-x-2", "ocds-x-3"}
    assert [s.name for s in session.exec(select(Supplier))] == ["TA Browne Contract Services Ltd"]
    assert session.exec(select(func.count()).select_from(Award)).one() == 1
    assert summary.counts["awards"]["no_supplier"] == 3
    assert "unnamed winner      3 (no award imported" in summary.summary()


def test_a_council_that_wins_work_is_placed_in_its_area(session, ref, data_dir, tmp_path):
    """Award notices give no address for a council that wins work; like a buyer, it is placed
    at the centre of the area its name names, once."""
    path = tmp_path / "awards.json"
    release = {"ocid": "ocds-x-1", "id": "1", "date": "2024-05-01", "tag": ["award"],
               "buyer": {"id": "b1", "name": "Hyndburn Borough Council"},
               "parties": [{"id": "b1", "name": "Hyndburn Borough Council", "roles": ["buyer"],
                            "address": {"postalCode": "BB5 1LA"}}],
               "tender": {"id": "t1", "title": "Print services"},
               "awards": [{"id": "a1", "status": "active", "suppliers": [
                   {"name": "Blackpool Council Corporate Print Services"},
                   {"name": "Lancashire County Council"},
                   {"name": "St Helens Council"},
                   {"name": "Acme Print Ltd"}]}]}
    path.write_text(json.dumps({"releases": [release]}), encoding="utf-8")
    run_import(session, ref, data_dir, "ocds", path)
    placed = {s.name: (s.local_authority_code, s.county_code, s.latitude is not None)
              for s in session.exec(select(Supplier))}
    assert placed == {
        "Blackpool Council Corporate Print Services": ("E06000009", "E47000018", True),
        "Lancashire County Council": (None, "E47000018", True),
        "St Helens Council": ("E08000013", "E47000004", True),
        "Acme Print Ltd": (None, None, False),
    }
    # A council whose name alone does not say so ("St Helens Council": any "X Y Council" might
    # be a charity's or a trade body's) is one because the reference data places it.
    owners = {s.name: s.ownership for s in session.exec(select(Supplier))}
    assert owners["St Helens Council"] == owners["Lancashire County Council"] == "public_body"
    assert owners["Acme Print Ltd"] != "public_body"
    def stamps():
        return {s.name: s.updated_at.replace(tzinfo=None) for s in session.exec(select(Supplier))}

    before = stamps()
    again = run_import(session, ref, data_dir, "ocds", path)
    assert stamps() == before and again.counts["suppliers"].get("updated", 0) == 0
