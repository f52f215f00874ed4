"""The supplier register CSV: strict validation that names the line, the column and the fix."""

import dataclasses

import pytest

from coopmatch.imports import suppliers
from coopmatch.imports.reading import FileRejected
from coopmatch.imports.records import RowError, SupplierRecord
from tests.imports.helpers import FIXTURES, errors


def test_good_rows_become_suppliers(cpv):
    first, second, third = suppliers.parse(FIXTURES / "suppliers_good.csv", cpv=cpv)
    assert first == SupplierRecord(
        name="Preston Catering Co-operative",
        line=2,
        description="Community catering & events",
        postcode="PR1 2HE",
        cpv_codes=["55520000", "55320000"],
        sic_codes=["56210"],
        ownership="worker_coop",
        registration_number="IP12345R",
        employees=14,
        website="https://prestoncatering.coop",
        email="hello@prestoncatering.coop",
    )
    assert (second.ownership, second.employees, second.email) == ("sme", 1200, None)
    assert (third.ownership, third.employees, third.cpv_codes) == (
        "community_benefit_society",
        0,
        [],
    )


def test_each_bad_row_is_an_error_naming_its_line_and_column(cpv):
    results = list(suppliers.parse(FIXTURES / "suppliers_bad.csv", cpv=cpv))
    assert [r.name for r in results if isinstance(r, SupplierRecord)] == ["Good Supplier Ltd"]
    found = {(e.line, e.field): e.reason for e in errors(results)}
    assert found == {
        (3, "postcode"): "Enter a full UK postcode, like PR1 2HE ('PR99 ZZZ' is not one).",
        (4, "cpv_codes"): "12345678 is not a code in CPV 2008.",
        (5, "cpv_codes"): "45000000-1 has the wrong check digit: CPV 2008 lists 45000000-7.",
        (6, "employees"): "employees must be a whole number of 0 or more ('ten' is not)",
        (7, "employees"): "employees must be a whole number of 0 or more ('-3' is not)",
        (8, "name"): "the supplier's name is missing",
        (9, "row"): "this row has 11 fields but the header has 10 columns "
        "(check for an unquoted comma)",
        (10, "ownership"): found[(10, "ownership")],
        (11, "row"): "this row has 2 fields but the header has 10 columns",
        (12, "email"): "'not-an-email' is not an email address",
        (13, "postcode"): "Enter a full UK postcode, like PR1 2HE, not just the first half.",
    }
    assert found[(10, "ownership")].startswith("'plutocracy' is not an ownership model; use one")
    assert str(RowError(3, "postcode", "x")) == "line 3, postcode: x"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Worker co-operative", "worker_coop"),
        ("WORKER CO-OP", "worker_coop"),
        ("worker_coop", "worker_coop"),
        ("Multi-stakeholder co-operative", "multi_stakeholder_coop"),
        ("Community Interest Company", "social_enterprise"),
        ("Social enterprise or CIC", "social_enterprise"),
        ("Employee-owned business", "employee_owned"),
        ("community benefit society", "community_benefit_society"),
        ("Small or medium-sized business", "sme"),
        ("public body", "public_body"),
        ("Not known", "unknown"),
        ("Ownership not known", "unknown"),
    ],
)
def test_ownership_accepts_codes_and_labels_in_any_case(text, code):
    assert suppliers.parse_ownership(text) == code


def test_a_file_without_a_name_column_is_rejected(tmp_path, cpv):
    path = tmp_path / "suppliers.csv"
    path.write_text("company,postcode\nA Ltd,PR1 2HE\n", encoding="utf-8")
    with pytest.raises(FileRejected) as caught:
        list(suppliers.parse(path, cpv=cpv))
    assert "missing the required column 'name'; found: company, postcode" in caught.value.message


def test_a_cp1252_register_with_mac_line_endings_imports(tmp_path, cpv):
    path = tmp_path / "excel.csv"
    text = "Name,Description,Postcode\rCaf\u00e9 Co-op,Teas at \u00a32,PR1 2HE\r"
    path.write_bytes(text.encode("cp1252"))
    [record] = suppliers.parse(path, cpv=cpv)
    assert (record.name, record.description, record.postcode) == (
        "Café Co-op",
        "Teas at £2",
        "PR1 2HE",
    )


def test_written_suppliers_read_back_the_same(tmp_path, cpv):
    originals = [r for r in suppliers.parse(FIXTURES / "suppliers_good.csv", cpv=cpv)]
    path = tmp_path / "written.csv"
    assert suppliers.write_suppliers_csv(originals, path) == 3
    again = list(suppliers.parse(path, cpv=cpv))
    assert again == originals
    # In pieces (a web download), the same text: the header and two rows, then the third.
    pieces = list(suppliers.iter_suppliers_csv(originals, rows=2))
    assert len(pieces) == 2 and pieces[0].count("\n") == 3
    assert "".join(pieces) == path.read_bytes().decode("utf-8")
    # Text a spreadsheet would run as a formula comes back as it was, description too.
    dashed = [dataclasses.replace(originals[0], name="=Dash Ltd",
                                  description="- cleaning, + windows")]
    suppliers.write_suppliers_csv(dashed, path)
    assert [(r.name, r.description) for r in suppliers.parse(path, cpv=cpv)] == [
        ("=Dash Ltd", "- cleaning, + windows")]
