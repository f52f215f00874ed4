"""OCDS export: tenders posted in coopmatch as OCDS 1.1 releases that validate."""

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from coopmatch.services.exports import ocds_release_package
from tests.factories import create_organisation, create_tender, create_user


@pytest.fixture(scope="module")
def release_schema(data_dir):
    path = data_dir / "procurement-data/reference/ocds_1.1.4_release_schema.json"
    schema = json.loads(path.read_text())
    jsonschema.Draft4Validator.check_schema(schema)
    return schema


def validate(release, schema):
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(release), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def _posted_tender(session, ref):
    council = create_organisation(session, ref)
    officer = create_user(session, role="procurement", organisation=council)
    return create_tender(
        session, ref, officer, title="School meals", description="Hot meals & salads",
        cpv_codes="55523100 15894210", value=1_200_000.0, delivery_postcode="PR1 2HE",
        published_date="2027-01-04", deadline="2027-02-01", contract_start="2027-04-01",
        contract_end="2030-03-31", lots=[{"title": "North", "value": 600_000.0,
                                          "cpv_codes": "55523100"}])


def test_exported_releases_validate_against_the_ocds_schema(session, ref, release_schema):
    tender = _posted_tender(session, ref)
    package = ocds_release_package(session, prefix="ocds-test", describe=ref.cpv.describe)
    assert package["version"] == "1.1"
    (release,) = package["releases"]
    validate(release, release_schema)
    assert release["ocid"] == f"ocds-test-{tender.id}"
    assert release["tender"]["status"] == "active"
    assert release["tender"]["value"] == {"amount": 1_200_000.0, "currency": "GBP"}
    assert [i["classification"]["id"] for i in release["tender"]["items"]][:2] == [
        "55523100", "15894210"]
    assert release["tender"]["lots"][0]["title"] == "North"
    assert release["buyer"]["name"] == "Preston City Council"


@pytest.mark.parametrize(("arrangement", "read_back"), [
    ("framework", "framework"), ("dps", "dps"), ("call_off", "call_off"),
    ("contract", ""),  # OCDS has no flag for "not a framework": the words decide
    ("", ""),
])
def test_how_a_tender_is_let_is_exported_and_read_back(session, ref, release_schema,
                                                        arrangement, read_back):
    from coopmatch.imports.ocds import release_to_notice

    tender = _posted_tender(session, ref)
    tender.arrangement = arrangement
    session.commit()
    (release,) = ocds_release_package(session, prefix="ocds-test")["releases"]
    validate(release, release_schema)
    assert release_to_notice(release, cpv=ref.cpv).arrangement == read_back


def test_imported_notices_with_awards_export_too_when_asked(session, ref, data_dir,
                                                             release_schema):
    from coopmatch.services.imports import import_file

    path = data_dir / "procurement-data/contracts-finder-ocds/cf_releases_2025_cfserver1.json"
    import_file(session, fmt="ocds", path=path, ref=ref, data_dir=str(data_dir))
    assert ocds_release_package(session, prefix="ocds-test")["releases"] == []
    releases = ocds_release_package(session, include_imported=True, prefix="ocds-test")[
        "releases"]
    assert len(releases) == 191 and any(r.get("awards") for r in releases)
    for release in releases:
        validate(release, release_schema)


def test_api_and_cli_export(client, session, ref, database_url, data_dir, tmp_path):
    _posted_tender(session, ref)
    package = client.get("/api/ocds/releases").get_json()
    assert len(package["releases"]) == 1 and package["uri"].endswith("/api/ocds/releases")
    assert len(client.get("/api/ocds/releases?all=true").get_json()["releases"]) == 1
    refused = client.get("/api/ocds/releases?all=everything")
    assert refused.status_code == 400 and refused.get_json()["field"] == "all"
    output = tmp_path / "releases.json"
    env = dict(os.environ, DATABASE_URL=database_url, COOPMATCH_DATA_DIR=str(data_dir))
    subprocess.run([str(Path(sys.executable).with_name("coopmatch")), "export", "ocds",
                    "-o", str(output)], env=env, check=True, capture_output=True, timeout=120)
    assert json.loads(output.read_text())["releases"][0]["tender"]["title"] == "School meals"
