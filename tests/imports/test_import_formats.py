"""The format registry: every real file is recognised, and every notice file imports cleanly."""

import io

import pytest

from coopmatch.imports.formats import FORMATS, detect_format, get_format, parse_file
from coopmatch.imports.reading import FileRejected, open_source
from tests.imports.helpers import FIXTURES, errors, notices

REAL_FILES = {
    "procurement-data/contracts-finder-ocds/cf_releases_2025_cfserver1.json": "ocds",
    "procurement-data/contracts-finder-ocds/"
    "bluetail_cf_release_packages_ocds1.1_2019-2020.jsonl.gz": "ocds",
    "procurement-data/contracts-finder-ocds/"
    "bluetail_cf_release_packages_ocds1.0_multisupplier_2020.jsonl.gz": "ocds",
    "procurement-data/contracts-finder-ocds/ocds_sample_data_uk_contracts_finder_2016.json": "ocds",
    "procurement-data/find-a-tender-ocds/fts_release_package_032703-2026_tender.json": "ocds",
    "procurement-data/find-a-tender-ocds/fts_release_package_037689-2026_planning.json": "ocds",
    "procurement-data/contracts-finder-csv/cf_export_2025-11_bidboost.csv": "contracts-finder",
    "procurement-data/contracts-finder-csv/cf_daily_ocds_flat_2020-08-05_silvereye.csv": "ocds-csv",
    "procurement-data/contracts-finder-csv/silvereye_sample_awards_2020.csv": "silvereye-awards",
    "procurement-data/contracts-finder-csv/silvereye_sample_tenders_2020.csv": "silvereye-tenders",
    "procurement-data/ted-uk-awards-2020/ted_uk_contract_awards_2020-01_to_10.csv": "ted-awards",
    "procurement-data/lancashire-contracts-finder/lancashire_councils_cf_notices.json": (
        "lancashire-json"
    ),
    "procurement-data/lancashire-contracts-finder/lancashire_councils_cf_notices.csv": (
        "lancashire-csv"
    ),
    "procurement-data/labelled/award_supplier_pairs_uk.csv": "award-pairs",
    "reference-data/coops/coops_uk_open_data_2023q2.csv": "coops-uk",
    "reference-data/coops/coops_uk_open_data_2017_organisations.csv": "coops-uk",
    "reference-data/companies-house/companies_house_south_yorkshire.csv.gz": "companies-house",
}
NOTICE_FILES = [path for path, fmt in REAL_FILES.items() if FORMATS[fmt].kind == "notices"]


@pytest.mark.parametrize(("path", "expected"), REAL_FILES.items())
def test_every_real_file_is_recognised(data_dir, path, expected):
    assert detect_format(data_dir / path) == expected


@pytest.mark.parametrize("path", NOTICE_FILES)
def test_every_notice_file_imports_without_errors(parsed, path):
    results = parsed(REAL_FILES[path], path)
    assert errors(results) == []
    assert len(notices(results)) > 0
    assert all(n.ocid and n.title and n.buyer.name for n in notices(results))


def test_our_own_files_are_recognised():
    assert detect_format(FIXTURES / "suppliers_good.csv") == "suppliers"
    assert detect_format(FIXTURES / "cf_export_awarded.csv") == "contracts-finder"
    assert detect_format(FIXTURES / "companies_house_official.csv") == "companies-house"
    assert detect_format(FIXTURES / "ocds_infinite_value.json") == "ocds"


def test_parse_file_detects_the_format_of_an_upload(cpv):
    upload = io.BytesIO((FIXTURES / "suppliers_good.csv").read_bytes())
    records = list(parse_file(None, upload, cpv=cpv))
    assert [r.name for r in records][:1] == ["Preston Catering Co-operative"]


def test_an_unrecognised_file_is_rejected_listing_the_formats(tmp_path, cpv):
    path = tmp_path / "mystery.csv"
    path.write_text("colour,size\nred,large\n", encoding="utf-8")
    assert detect_format(path) is None
    with pytest.raises(FileRejected, match="was not recognised. Choose its format: suppliers,"):
        parse_file(None, path, cpv=cpv)


def test_an_unknown_format_name_is_rejected():
    with pytest.raises(FileRejected, match="'spreadsheet' is not an import format"):
        get_format("spreadsheet")


def test_every_format_has_a_kind():
    assert {f.kind for f in FORMATS.values()} == {"suppliers", "notices"}
    assert [n for n, f in FORMATS.items() if f.kind == "suppliers"] == [
        "suppliers",
        "coops-uk",
        "companies-house",
    ]


def test_progress_moves_from_start_to_end_while_parsing(data_dir, cpv):
    source = open_source(data_dir / next(iter(REAL_FILES)))
    seen = []
    for _ in get_format("ocds").parse(source, cpv=cpv, data_dir=data_dir):
        seen.append(source.progress)
    assert 0 < seen[0] <= seen[-1] <= 1
    source = open_source(FIXTURES / "suppliers_good.csv")
    steps = [source.progress for _ in get_format("suppliers").parse(source, cpv=cpv)]
    assert steps == sorted(steps) and 0 < steps[0] < steps[-1] <= 1


def test_the_registry_accepts_every_option_for_every_format(cpv, data_dir):
    for fmt in FORMATS.values():
        parsed = fmt.parse(
            FIXTURES / "suppliers_good.csv", cpv=cpv, data_dir=data_dir, areas=None, max_bytes=None
        )
        assert parsed is not None
