"""CSV for spreadsheets: formula-like text is shown, not run, and reads back as it was."""

import csv
import io

import pytest

from coopmatch.spreadsheets import (
    SafeDictWriter,
    SafeWriter,
    from_spreadsheet_cell,
    spreadsheet_cell,
)


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+44 1772", "-2+3", "@SUM(A1)",
                                  "\tTab", "\rReturn"])
def test_formula_like_text_is_shown_and_reads_back(text):
    shown = spreadsheet_cell(text)
    assert shown == "'" + text
    assert from_spreadsheet_cell(shown) == text


@pytest.mark.parametrize("value", ["Preston Cleaning Co-op", "O'Neill & Sons", "'quoted'", "",
                                   -200.5, 3, None])
def test_other_values_are_unchanged(value):
    assert spreadsheet_cell(value) == value
    if isinstance(value, str):
        assert from_spreadsheet_cell(value) == value


def test_writers_make_every_text_cell_safe():
    out = io.StringIO()
    SafeWriter(out).writerow(["=1+1", -5, "Ribble Joinery"])
    writer = SafeDictWriter(out, fieldnames=["name", "amount"])
    writer.writerows([{"name": "@cmd", "amount": -12.5}, {"name": "Ribble", "amount": 1}])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'=1+1", "-5", "Ribble Joinery"], ["'@cmd", "-12.5"], ["Ribble", "1"]]
