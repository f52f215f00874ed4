"""The `coopmatch` command, run as a user runs it, on the database DATABASE_URL names."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

COOPMATCH = Path(sys.executable).with_name("coopmatch")


def run(*args, database_url: str, data_dir: str | None = "", cache_dir=None, check=True,
        index_dir=None):
    env = dict(os.environ, DATABASE_URL=database_url, COOPMATCH_ENV="development")
    if index_dir:
        env["COOPMATCH_INDEX_DIR"] = str(index_dir)
    if data_dir is not None:
        env["COOPMATCH_DATA_DIR"] = str(data_dir)
    if cache_dir:
        env["COOPMATCH_CACHE_DIR"] = str(cache_dir)
    result = subprocess.run([str(COOPMATCH), *args], env=env, capture_output=True, text=True,
                            timeout=600)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def count(url: str, table: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
    engine.dispose()
    return value


def test_db_upgrade_builds_a_fresh_file_and_the_small_demo_fills_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run("db", "upgrade", database_url=url)
    assert "is at revision head" in result.stdout
    result = run("demo", database_url=url, data_dir="")
    assert "built-in demo" in result.stdout
    assert count(url, "tender") == 5 and count(url, "user") == 4
    # Loading again changes nothing.
    run("demo", database_url=url, data_dir="")
    assert count(url, "tender") == 5 and count(url, "supplier") == 6


def test_db_upgrade_moves_stored_places_into_the_tier_they_are_in_now(
    tmp_path, data_dir, cache_dir
):
    url = f"sqlite:///{tmp_path / 'places.db'}"
    run("db", "upgrade", database_url=url, data_dir=data_dir, cache_dir=cache_dir)
    run("organisations", "add", "Blackpool Council", "--postcode", "FY1 1AD",
        database_url=url, data_dir=data_dir, cache_dir=cache_dir)
    engine = create_engine(url)
    with engine.begin() as connection:  # as placed before the combined authority was known
        connection.execute(text("UPDATE organisation SET county_code = NULL"))
    result = run("db", "upgrade", database_url=url, data_dir=data_dir, cache_dir=cache_dir)
    assert "Area codes brought up to date on 1 record " in result.stdout
    with engine.connect() as connection:
        tier = connection.execute(text("SELECT county_code FROM organisation")).scalar_one()
    engine.dispose()
    assert tier == "E47000018"
    again = run("db", "upgrade", database_url=url, data_dir=data_dir, cache_dir=cache_dir)
    assert "Area codes" not in again.stdout


def test_db_upgrade_records_award_winners_named_as_public_bodies_as_such(
    tmp_path, data_dir, cache_dir
):
    # Imports before public bodies were known by name recorded a council that won a contract
    # as an SME (or a large company, from the notice's SME flag). An upgrade puts that right,
    # except where a person has said otherwise, or the supplier manages its own profile.
    url = f"sqlite:///{tmp_path / 'owners.db'}"
    run("db", "upgrade", database_url=url, data_dir=data_dir, cache_dir=cache_dir)
    engine = create_engine(url)
    rows = [("Wyre Council", "award", "sme"), ("Lancashire County Council", "award",
                                               "large_company"),
            ("Chorley Council", "award", "sme"),  # an administrator said so: kept
            ("China-Britain Business Council", "award", "sme"),  # not a public body
            ("Fylde Council", "self_registered", "sme")]  # its own profile: kept
    with engine.begin() as connection:
        for name, source, ownership in rows:
            connection.execute(text(
                "INSERT INTO supplier (name, normalised_name, description, ownership, "
                "cpv_codes, sic_codes, accreditations, status, succession_risk, source, "
                "created_at, updated_at) VALUES (:name, lower(:name), '', :ownership, '', '', "
                "'', 'active', false, :source, '2024-01-01', '2024-01-01')"),
                {"name": name, "source": source, "ownership": ownership})
        connection.execute(text(
            "INSERT INTO audit_log (at, action, entity, entity_id, summary) SELECT "
            "'2024-02-01', 'update', 'supplier', id, 'ownership set by hand' FROM supplier "
            "WHERE name = 'Chorley Council'"))
    result = run("db", "upgrade", database_url=url, data_dir=data_dir, cache_dir=cache_dir)
    assert "2 award winners named as public bodies" in result.stdout
    with engine.connect() as connection:
        owners = dict(connection.execute(text("SELECT name, ownership FROM supplier")).all())
    engine.dispose()
    assert owners == {"Wyre Council": "public_body", "Lancashire County Council": "public_body",
                      "Chorley Council": "sme", "China-Britain Business Council": "sme",
                      "Fylde Council": "sme"}
    again = run("db", "upgrade", database_url=url, data_dir=data_dir, cache_dir=cache_dir)
    assert "public bod" not in again.stdout


def test_demo_loads_lancashire_notices_north_west_coops_and_anchors_payments(
    tmp_path, data_dir, cache_dir
):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    run("db", "upgrade", database_url=url)
    result = run("demo", database_url=url, data_dir=data_dir, cache_dir=cache_dir)
    assert "notices          1223 created" in result.stdout
    assert "rejected rows       0" in result.stdout
    engine = create_engine(url)
    with engine.connect() as connection:
        preston = connection.execute(text(
            "SELECT count(*) FROM tender JOIN organisation o ON o.id = tender.buyer_id "
            "WHERE o.name = 'Preston City Council'")).scalar_one()
        north_west_coops = connection.execute(text(
            "SELECT count(*) FROM supplier WHERE source = 'coops_uk' "
            "AND region_code = 'E12000002'")).scalar_one()
        outside = connection.execute(text(
            "SELECT count(*) FROM supplier WHERE source = 'coops_uk' "
            "AND (region_code IS NULL OR region_code != 'E12000002')")).scalar_one()
        demo_tenders = connection.execute(text(
            "SELECT title FROM tender WHERE source = 'demo' AND status = 'open'")).scalars().all()
    engine.dispose()
    # 86 real notices, and the demo's own school meals tender.
    assert preston == 87
    assert len(demo_tenders) == 5 and all(t.endswith("(demo)") for t in demo_tenders)
    assert north_west_coops > 600 and outside == 0
    assert count(url, "user") == 4
    # Lancashire's notices give no winner's address: companies that other UK award notices
    # give one for are placed there (Coating Services Limited, of Oldham).
    assert re.search(r"Placed \d{2,} of the \d+ suppliers with a company's name and no "
                     r"address", result.stdout)
    with engine.connect() as connection:
        coating = connection.execute(text(
            "SELECT postcode, local_authority_code FROM supplier "
            "WHERE name = 'Coating Services Limited'")).one()
    engine.dispose()
    assert tuple(coating) == ("OL1 3RU", "E08000004")
    # Three anchors' payments, for the spend analysis; loading again adds none.
    for payments in (35960, 51976, 15947):  # Hyndburn, Lancashire's police and fire
        assert f"payments       {payments:>8} new" in result.stdout
    assert count(url, "payment") == 35960 + 51976 + 15947
    again = run("demo", database_url=url, data_dir=data_dir, cache_dir=cache_dir)
    assert "payments              0 new     35960 already imported" in again.stdout
    assert "Placed" not in again.stdout  # nothing left to place
    # The demo's story: the worker co-op, capable, first for the hospital café.
    with engine.connect() as connection:
        cafe = connection.execute(text(
            "SELECT id FROM tender WHERE title = 'Hospital entrance café (demo)'")).scalar_one()
    engine.dispose()
    found = run("match", "--tender", str(cafe), "--top", "1", "--format", "jsonl",
                database_url=url, data_dir=data_dir, cache_dir=cache_dir,
                index_dir=tmp_path / "index")
    (first,) = json.loads(found.stdout)["matches"]
    assert first["supplier_name"] == "Ribble Valley Catering Co-operative (demo)"
    assert first["capable"] is True
    assert count(url, "payment") == 35960 + 51976 + 15947
    # Preston's gap report: the county's bus services (£140m, two notices) are a gap. A Preston
    # food distributor with eight county contracts, one coded as transport, had made them a
    # near miss on its record with the county, a CPV division and the notices' words.
    report = json.loads(run("gaps", "--area", "Preston", "--format", "json",
                            database_url=url, data_dir=data_dir, cache_dir=cache_dir,
                            index_dir=tmp_path / "index").stdout)
    near = {n["supplier_name"] for n in report["near_misses"]}
    assert "RALPH LIVESEY LTD" not in near
    buses = [g for g in report["gaps"] if g["cpv_codes"] == ["60000000"]]
    assert [g["demand"]["notices"] for g in buses] == [2]
    # The demo's (fictional) family coach firm, its owners retiring, is the buyout route.
    (buyout,) = [r for r in buses[0]["routes"] if r["kind"] == "buyout"]
    assert [s["name"] for s in buyout["suppliers"]] == ["Deepdale Coaches Ltd (demo)"]
    assert "succession risk flagged" in buyout["suppliers"][0]["why"]


def test_a_bad_database_url_fails_with_a_clear_message(tmp_path):
    result = run("db", "upgrade", database_url="nonsense://nowhere", check=False)
    assert result.returncode != 0
    assert "nonsense" in (result.stderr + result.stdout)


def test_a_database_that_cannot_be_reached_is_named_without_a_traceback(tmp_path):
    # Nothing listens on port 1: as a PostgreSQL server that is down.
    url = "postgresql+psycopg://coop:s3cret@127.0.0.1:1/coopmatch"
    for command in (["db", "upgrade"], ["match", "--all"]):
        result = run(*command, database_url=url, index_dir=tmp_path, check=False)
        assert result.returncode == 1
        assert ("Error: Cannot connect to the database at "
                "postgresql+psycopg://coop:***@127.0.0.1:1/coopmatch: connection failed: "
                ) in result.stderr
        assert "Check that its server is running, or set DATABASE_URL" in result.stderr
        assert "Traceback" not in result.stderr and "s3cret" not in result.stderr


def test_a_database_server_that_never_answers_is_given_up_on_in_time(tmp_path, monkeypatch):
    # A host that takes the connection and never answers, as a firewalled or wrong one can:
    # without a limit the command would wait for the operating system, minutes.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    monkeypatch.setenv("COOPMATCH_DB_CONNECT_TIMEOUT", "2")
    try:
        started = time.monotonic()
        result = run("db", "upgrade", database_url=f"postgresql+psycopg://coop@127.0.0.1:{port}"
                     "/coopmatch", check=False)
        took = time.monotonic() - started
    finally:
        silent.close()
    assert result.returncode == 1 and took < 30, (took, result.stderr[-2000:])
    assert (f"Error: Cannot connect to the database at postgresql+psycopg://coop@127.0.0.1:"
            f"{port}/coopmatch: connection timeout expired") in result.stderr
    assert "Traceback" not in result.stderr


def test_matching_an_empty_database_says_what_is_missing(tmp_path, data_dir):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    run("db", "upgrade", database_url=url)
    nothing = run("match", "--all", database_url=url, data_dir=data_dir, index_dir=tmp_path)
    assert nothing.stdout == ""
    assert "There are no tenders to match yet: import notices" in nothing.stderr
    notices = tmp_path / "notices.json"
    notices.write_text(json.dumps({"releases": [{
        "ocid": "ocds-b5fd17-1", "id": "1", "date": "2025-01-01T00:00:00Z", "tag": ["tender"],
        "buyer": {"name": "Preston City Council"},
        "tender": {"title": "Grounds maintenance", "status": "active"}}]}))
    run("import", "ocds", str(notices), database_url=url, data_dir=data_dir,
        index_dir=tmp_path)
    unmatched = run("match", "--all", database_url=url, data_dir=data_dir, index_dir=tmp_path)
    assert "Grounds maintenance" in unmatched.stdout and "no matching suppliers" in unmatched.stdout
    assert "The register has no suppliers yet: import some" in unmatched.stderr


def test_a_command_before_db_upgrade_says_to_run_it(empty_database_url):
    from coopmatch.db import upgrade

    url = empty_database_url
    for command in (["demo", "--small"], ["match", "--all", "--format", "jsonl"]):
        result = run(*command, database_url=url, check=False)
        assert result.returncode == 1
        assert "has no coopmatch tables yet: run `coopmatch db upgrade` first" in result.stderr
        assert "Traceback" not in result.stderr
    # A schema a migration behind: the demo's first query reads a column it does not have yet.
    upgrade(url, "0007")
    result = run("demo", "--small", database_url=url, check=False)
    assert result.returncode == 1, result.stdout
    assert "not the latest" in result.stderr and "coopmatch db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
    run("db", "upgrade", database_url=url)
    assert "built-in demo" in run("demo", "--small", database_url=url).stdout


def test_import_command_summarises_and_refuses_bad_files_whole(tmp_path, data_dir, cache_dir):
    url = f"sqlite:///{tmp_path / 'imports.db'}"
    run("db", "upgrade", database_url=url)
    good = tmp_path / "register.csv"
    good.write_text("name,postcode,ownership\nPreston Cleaning Co-op,PR1 2HE,worker_coop\n")
    dry = run("import", "suppliers", str(good), "--dry-run", database_url=url,
              data_dir=data_dir, cache_dir=cache_dir)
    assert "Would import" in dry.stdout and count(url, "supplier") == 0
    done = run("import", "suppliers", str(good), database_url=url, data_dir=data_dir,
               cache_dir=cache_dir)
    assert "suppliers           1 created" in done.stdout and count(url, "supplier") == 1
    assert "match index up to date" in done.stderr  # the first match afterwards is quick
    bad = tmp_path / "bad.csv"
    bad.write_text("name,postcode\nA Co-op,PR1 2HE\nB Co-op,nowhere\n")
    refused = run("import", "suppliers", str(bad), database_url=url, data_dir=data_dir,
                  cache_dir=cache_dir, check=False)
    assert refused.returncode == 1
    assert ("Nothing was imported: 1 row has problems. Fix it and import again, or import the "
            "good rows only (--skip-invalid).\n") in refused.stderr
    assert "line 3, postcode" in refused.stderr
    assert count(url, "supplier") == 1
    skipped = run("import", "suppliers", str(bad), "--skip-invalid", database_url=url,
                  data_dir=data_dir, cache_dir=cache_dir)
    assert "rejected rows       1" in skipped.stdout
    assert (tmp_path / "bad.csv.rejected.csv").exists()
    assert count(url, "supplier") == 2


def test_suppliers_listed_twice_are_listed_and_merged_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'register.db'}"
    run("db", "upgrade", database_url=url)
    register = tmp_path / "register.csv"
    register.write_text(
        "name,postcode\nAPF Renovations,\nAPF Renovation,\nPreston Bakers,PR1 3NN\n")
    run("import", "suppliers", str(register), database_url=url)
    listed = run("suppliers", "duplicates", database_url=url).stdout
    keep, other = (int(x) for x in listed.split()[:2])
    assert "APF Renovations <- APF Renovation" in listed and "Bakers" not in listed
    merged = run("suppliers", "merge", str(keep), str(other), database_url=url)
    assert f"Merged supplier {other} into APF Renovations" in merged.stdout
    assert count(url, "supplier") == 2
    assert "No supplier looks listed twice." in run("suppliers", "duplicates",
                                                    database_url=url).stdout
    failed = run("suppliers", "merge", str(keep), str(other), database_url=url, check=False)
    assert failed.returncode != 0 and f"no supplier numbered {other}" in failed.stderr
    assert count(url, "supplier") == 2
    listed = run("suppliers", "merges", database_url=url).stdout
    assert "APF Renovations <- APF Renovation" in listed
    undone = run("suppliers", "unmerge", listed.split()[0], database_url=url)
    assert f"APF Renovation (id {other}) is back in the register." in undone.stdout
    assert count(url, "supplier") == 3
    again = run("suppliers", "unmerge", listed.split()[0], database_url=url, check=False)
    assert again.returncode != 0 and "already been undone" in again.stderr


def test_suppliers_with_no_postcode_are_placed_from_another_file(tmp_path, data_dir, cache_dir):
    url = f"sqlite:///{tmp_path / 'placed.db'}"
    where = {"data_dir": data_dir, "cache_dir": cache_dir, "database_url": url}
    run("db", "upgrade", **where)
    register = tmp_path / "register.csv"
    register.write_text("name,postcode\nCoating Services Limited,\nSmith Builders,\n")
    run("import", "suppliers", str(register), "--no-index", **where)
    header = ("source,record_id,buyer_name,title,supplier_name,supplier_postcode,"
              "num_suppliers_on_award\n")
    notices = tmp_path / "notices.csv"
    notices.write_text(header + "cf,n1,Oldham Council,Road surfacing,COATING SERVICES LTD,"
                       "OL1 3RU,2\ncf,n1,Oldham Council,Road surfacing,Smith Builders,CT1 1AA,2\n"
                       "cf,n2,Oldham Council,,Lune Ltd,LA1 1DW,1\n")  # no title: not read
    dry = run("suppliers", "locate", str(notices), "--format", "award-pairs", "--dry-run",
              **where).stdout
    assert "Would place 1 of the 1 supplier with a company's name and no postcode" in dry
    assert "OL1 3RU   Coating Services Limited" in dry
    assert "1 row could not be read" in run("suppliers", "locate", str(notices), "--dry-run",
                                             **where).stderr
    engine = create_engine(url)
    with engine.connect() as connection:
        placed = text("SELECT name FROM supplier WHERE postcode IS NOT NULL")
        assert connection.execute(placed).all() == []
        done = run("suppliers", "locate", str(notices), **where).stdout
        assert "Placed 1 of the 1 supplier with" in done
        assert connection.execute(placed).all() == [("Coating Services Limited",)]
        assert count(url, "tender") == 0  # only blanks filled: no notice added
    engine.dispose()
    missing = run("suppliers", "locate", str(tmp_path / "none.csv"), **where, check=False)
    assert missing.returncode != 0 and "does not exist" in missing.stderr


def test_a_supplier_that_is_no_firm_is_removed_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'remove.db'}"
    run("db", "upgrade", database_url=url)
    register = tmp_path / "register.csv"
    register.write_text("name,postcode\nSee tender documents,\nPreston Bakers,PR1 3NN\n")
    run("import", "suppliers", str(register), "--no-index", database_url=url)
    done = run("suppliers", "remove", "1", database_url=url)
    assert "Removed See tender documents (id 1) from the register." in done.stdout
    assert count(url, "supplier") == 1
    again = run("suppliers", "remove", "1", database_url=url, check=False)
    assert again.returncode != 0 and "no supplier numbered 1" in again.stderr
    # ... and put back, if that was a mistake.
    listed = run("suppliers", "removals", database_url=url).stdout
    assert "See tender documents: removed from the register" in listed
    back = run("suppliers", "restore", listed.split()[0], database_url=url)
    assert "See tender documents (id 1) is back in the register." in back.stdout
    assert count(url, "supplier") == 2
    assert run("suppliers", "removals", database_url=url).stdout.strip() == (
        "No removals to undo.")
    twice = run("suppliers", "restore", listed.split()[0], database_url=url, check=False)
    assert twice.returncode != 0 and "already been undone" in twice.stderr


def test_an_organisation_listed_twice_is_merged_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'anchors.db'}"
    run("db", "upgrade", database_url=url)
    run("organisations", "add", "Lancashire Teaching Hospitals NHS Foundation Trust",
        "--kind", "nhs", database_url=url)
    run("organisations", "add", "LTHTR", "--kind", "nhs", database_url=url)
    run("organisations", "add", "West Hampshire Clinical Commissioning Group", "--kind", "nhs",
        database_url=url)
    run("organisations", "add", "West Hampshire Clinical Commisioning Group", "--kind", "nhs",
        database_url=url)  # as a notice spells it
    listed = run("organisations", "duplicates", database_url=url).stdout
    assert listed.split()[:2] == ["3", "4"]
    assert ("West Hampshire Clinical Commissioning Group <- West Hampshire Clinical "
            "Commisioning Group") in listed
    assert "LTHTR" not in listed  # initials are not a name alike: a person merges them
    merged = run("organisations", "merge", "1", "2", database_url=url)
    assert ("Merged organisation 2 into Lancashire Teaching Hospitals NHS Foundation Trust "
            "(id 1), which also goes by: LTHTR.") in merged.stdout
    assert count(url, "organisation") == 3
    again = run("organisations", "add", "LTHTR", database_url=url)
    assert "Lancashire Teaching Hospitals NHS Foundation Trust is already there (id 1)" \
        in again.stdout
    failed = run("organisations", "merge", "1", "2", database_url=url, check=False)
    assert failed.returncode != 0 and "There is no such organisation." in failed.stderr


def test_the_register_exports_as_the_csv_it_imports_from(tmp_path, data_dir, cache_dir):
    # What an agency downloads, edits in a spreadsheet and imports again: the same file back.
    def cm(*args, url, check=True):
        return run(*args, database_url=url, data_dir=data_dir, cache_dir=cache_dir, check=check)

    url = f"sqlite:///{tmp_path / 'register.db'}"
    cm("db", "upgrade", url=url)
    register = tmp_path / "register.csv"
    register.write_text(
        "name,description,postcode,cpv_codes,sic_codes,ownership,email\n"
        "Preston Bakers,Bread for schools,PR1 3NN,15810000,10710,worker_coop,bread@bakers.coop\n"
        "\"'=HYPERLINK(\"\"x\"\")\",Formula,PR1 3NN,,,,\n"
        "Leeds Joinery,Doors,LS1 1BA,,,sme,\n")
    cm("import", "suppliers", str(register), url=url)
    out = tmp_path / "out.csv"
    wrote = cm("export", "suppliers", "--area", "Preston", "-o", str(out), url=url)
    assert "Wrote 2 suppliers" in wrote.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == ("name,description,postcode,cpv_codes,sic_codes,ownership,"
                        "registration_number,employees,website,email")
    assert "Preston Bakers,Bread for schools,PR1 3NN,15810000,10710,worker_coop,,,," \
           "bread@bakers.coop" in lines
    assert "\"'=HYPERLINK(\"\"x\"\")\",Formula,PR1 3NN,,,unknown,,,," in lines  # shown, not run
    assert not [line for line in lines if "Leeds" in line]
    # Imported into a new register and exported again, nothing differs.
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    cm("db", "upgrade", url=copy)
    cm("import", "suppliers", str(out), url=copy)
    assert sorted(cm("export", "suppliers", url=copy).stdout.splitlines()) == sorted(lines)
    # A filter that means nothing is refused, naming it, and writes no file.
    refused = cm("export", "suppliers", "--area", "Prestn", "-o", str(tmp_path / "no.csv"),
                 url=url, check=False)
    assert refused.returncode != 0 and "Did you mean Preston?" in refused.stderr
    assert not (tmp_path / "no.csv").exists()


def test_restoring_a_firm_that_came_back_since_lists_it_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'restore.db'}"
    run("db", "upgrade", database_url=url)
    register = tmp_path / "register.csv"
    register.write_text("name,postcode,description\nPreston Bakers,PR1 3NN,Bread for schools.\n")
    run("import", "suppliers", str(register), "--no-index", database_url=url)
    run("suppliers", "remove", "1", database_url=url)
    register.write_text("name,postcode,description\nPreston Bakers,PR1 3NN,\n")
    run("import", "suppliers", str(register), "--no-index", database_url=url)  # back again
    listed = run("suppliers", "removals", database_url=url).stdout
    assert ("Preston Bakers: removed from the register (came back since as id "
            in listed) and "restore puts its contracts on that one" in listed
    back = run("suppliers", "restore", listed.split()[0], database_url=url)
    assert "Preston Bakers had come back to the register since (id " in back.stdout
    assert count(url, "supplier") == 1  # not listed twice
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT description FROM supplier").scalar() == (
            "Bread for schools.")  # what the removed one knew, and the new one did not
    engine.dispose()


def test_help_lists_coopmatchs_commands_not_flasks_app_options(tmp_path):
    result = run("--help", database_url=f"sqlite:///{tmp_path / 'help.db'}")
    assert "match " in result.stdout and "import " in result.stdout
    for flask_option in ("--app", "--env-file", "--debug", "module:name"):
        assert flask_option not in result.stdout


def test_an_export_to_a_folder_that_does_not_exist_says_so_without_a_traceback(tmp_path):
    url = f"sqlite:///{tmp_path / 'export.db'}"
    run("db", "upgrade", database_url=url)
    for command in (["export", "ocds"], ["export", "suppliers"], ["spend", "payees"]):
        target = tmp_path / "missing" / "out.txt"
        result = run(*command, "-o", str(target), database_url=url, check=False)
        assert result.returncode == 1, result.stderr
        assert f"Error: Cannot write {target}: No such file or directory." in result.stderr
        assert "Traceback" not in result.stderr


def test_suppliers_and_organisations_are_marked_as_two_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'two.db'}"
    run("db", "upgrade", database_url=url)
    register = tmp_path / "register.csv"
    register.write_text("name,postcode\nMotus Commercials,\nMotus Commercials Derby,\n")
    run("import", "suppliers", str(register), "--no-index", database_url=url)
    assert "Motus Commercials" in run("suppliers", "duplicates", database_url=url).stdout
    marked = run("suppliers", "distinct", "2", "1", database_url=url)
    assert ("Marked Motus Commercials and Motus Commercials Derby as two suppliers"
            in marked.stdout)
    assert run("suppliers", "duplicates", database_url=url).stdout.strip() == (
        "No supplier looks listed twice.")
    same = run("suppliers", "distinct", "1", "1", database_url=url, check=False)
    assert same.returncode != 0 and "Choose two different ones" in same.stderr
    missing = run("suppliers", "distinct", "1", "3", database_url=url, check=False)
    assert missing.returncode != 0 and "There is no supplier numbered 3." in missing.stderr
    assert count(url, "distinct_pair") == 1
    undone = run("suppliers", "distinct", "--undo", "1", "2", database_url=url)
    assert "may be listed as duplicates again" in undone.stdout
    assert "Motus Commercials" in run("suppliers", "duplicates", database_url=url).stdout

    run("organisations", "add", "West Hampshire Clinical Commissioning Group", "--kind", "nhs",
        database_url=url)
    run("organisations", "add", "West Hampshire Clinical Commisioning Group", "--kind", "nhs",
        database_url=url)
    run("organisations", "distinct", "1", "2", database_url=url)
    assert run("organisations", "duplicates", database_url=url).stdout.strip() == (
        "No organisation looks listed twice.")
    again = run("organisations", "distinct", "--undo", "1", "2", database_url=url)
    assert again.returncode == 0
    assert "West Hampshire" in run("organisations", "duplicates", database_url=url).stdout
