"""Reading files: size limit, gzip, encodings, line endings, CSV headers and value parsers."""

import gzip
import io
import math
from datetime import date

import pytest

from coopmatch.imports.reading import (
    FileRejected,
    company_number,
    fix_mojibake,
    open_source,
    parse_amount,
    parse_bool,
    parse_date,
    parse_range,
    read_csv,
    tidy,
)
from coopmatch.imports.records import RowError


def rows_of(source, **options):
    return list(read_csv(open_source(source), **options))


def test_utf8_bom_is_stripped_from_the_first_column(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfname,postcode\nCaf\xc3\xa9 Co-op,PR1 2HE\n")
    source = open_source(path)
    assert source.encoding == "utf-8"
    [row] = rows_of(path, required=["name"])
    assert row.get("name") == "Café Co-op"


def test_cp1252_falls_back_when_the_file_is_not_utf8(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes("name,amount\nHyndburn Leisure,\u00a3250\n".encode("cp1252"))
    source = open_source(path)
    assert source.encoding == "cp1252"
    assert "£250" in source.text


def test_old_mac_line_endings_are_rows(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"name,postcode\rOne,PR1 2HE\rTwo,BB1 1AA\r")
    rows = rows_of(path, required=["name"])
    assert [(r.line, r.get("name")) for r in rows] == [(2, "One"), (3, "Two")]


def test_a_quoted_newline_keeps_the_row_on_its_first_line(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('name,description\nOne,"two\nlines"\nThree,x\n', encoding="utf-8")
    rows = rows_of(path)
    assert [(r.line, r.get("name")) for r in rows] == [(2, "One"), (4, "Three")]
    assert rows[0].get("description") == "two\nlines"


def test_gzip_is_unpacked_by_its_magic_bytes_whatever_the_name(tmp_path):
    path = tmp_path / "upload.bin"
    path.write_bytes(gzip.compress(b"name\nPreston Co-op\n"))
    [row] = rows_of(path, required=["name"])
    assert row.get("name") == "Preston Co-op"


def test_a_stream_is_read_like_a_path():
    stream = io.BytesIO(b"name\nStreamed Ltd\n")
    [row] = rows_of(stream)
    assert row.get("name") == "Streamed Ltd"


def test_a_file_over_the_limit_is_rejected_naming_the_limit(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"name\n" + b"x" * 5000)
    with pytest.raises(FileRejected) as caught:
        open_source(path, max_bytes=4096)
    assert "4,096 bytes import limit" in caught.value.message


def test_a_stream_over_the_limit_is_rejected_before_it_is_all_read():
    class Endless(io.RawIOBase):
        read_calls = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            Endless.read_calls += 1
            buffer[: len(buffer)] = b"a" * len(buffer)
            return len(buffer)

    with pytest.raises(FileRejected, match="2 MB import limit"):
        open_source(io.BufferedReader(Endless()), max_bytes=2 * 1024 * 1024)
    assert Endless.read_calls < 10


def test_gzip_that_unpacks_past_the_limit_is_rejected(tmp_path):
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"name\n" + b"x" * 200_000))
    with pytest.raises(FileRejected, match="Unzipped, this file is larger than"):
        open_source(path, max_bytes=100_000)


def test_utf16_with_its_bom_is_read_as_excel_writes_unicode_text(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("name\tpostcode\nCaf\u00e9 Co-op\tPR1 2HE\n".encode("utf-16"))
    assert open_source(path).encoding == "utf-16"
    [row] = rows_of(path, required=["name"])
    assert row.get("name") == "Caf\u00e9 Co-op" and row.get("postcode") == "PR1 2HE"


def test_a_file_marked_utf16_that_is_not_is_rejected_not_a_crash(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(b"\xff\xfe\x00junk")  # a UTF-16 BOM, then an odd number of bytes
    with pytest.raises(FileRejected, match="not valid UTF-16") as refused:
        open_source(path)
    assert refused.value.field == "file"


def test_a_broken_gzip_is_rejected(tmp_path):
    path = tmp_path / "broken.csv.gz"
    path.write_bytes(gzip.compress(b"name\nx\n" * 100)[:30])
    with pytest.raises(FileRejected, match="cannot be unzipped"):
        open_source(path)


def test_a_spreadsheet_is_not_text(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"PK\x03\x04\x00\x00\x00\x00binary")
    with pytest.raises(FileRejected, match="not text"):
        open_source(path)


def test_a_missing_required_column_is_named_with_the_columns_found(tmp_path):
    path = tmp_path / "suppliers.csv"
    path.write_text("company,postcode\nA,PR1 2HE\n", encoding="utf-8")
    with pytest.raises(FileRejected) as caught:
        rows_of(path, required=["name"])
    assert caught.value.message == (
        "This file is missing the required column 'name'; found: company, postcode."
    )
    assert caught.value.field == "name"
    assert caught.value.as_row_error() == RowError(1, "name", caught.value.message)


def test_column_names_match_ignoring_case_spaces_and_punctuation(tmp_path):
    path = tmp_path / "ch.csv"
    path.write_text(" CompanyNumber,RegAddress.PostCode\n123,PR1 2HE\n", encoding="utf-8")
    [row] = rows_of(path, required=["companynumber"])
    assert row.get("regaddress_postcode") == "PR1 2HE"


def test_rows_with_extra_fields_are_row_errors(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("name,postcode\nA,B,C\nD,E\n", encoding="utf-8")
    error, row = rows_of(path)
    assert error.line == 2 and error.field == "row"
    assert "3 fields but the header has 2 columns" in error.reason
    assert row.get("name") == "D"


def test_short_rows_are_padded_unless_strict(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("name,postcode,email\nA,B\n", encoding="utf-8")
    [row] = rows_of(path)
    assert row.get("email") == ""
    [error] = rows_of(path, strict_width=True)
    assert (error.line, error.field) == (2, "row")


def test_semicolon_and_tab_separated_files_are_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("name;postcode\nA;PR1 2HE\n", encoding="utf-8")
    assert rows_of(path)[0].get("postcode") == "PR1 2HE"


def test_an_empty_file_has_no_header(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="empty"):
        rows_of(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-23T22:10:19Z", date(2025, 1, 23)),
        ("2026-04-10T10:50:13+01:00", date(2026, 4, 10)),
        ("21/11/2025", date(2025, 11, 21)),
        ("3/3/1868", date(1868, 3, 3)),
        ("20200103", date(2020, 1, 3)),
        ("0001-01-01T00:00:00Z", None),  # .NET's "not given", at either end
        ("31/12/9999", None),
        ("2020-02-30", None),
        ("soon", None),
        ("", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (372032, 372032.0),
        ("95,905.88", 95905.88),
        ("£1,000", 1000.0),
        (math.inf, None),
        (float("nan"), None),
        ("1e9999", None),
        (0, None),
        ("0.0", None),
        ("unknown", None),
        (True, None),
    ],
)
def test_amounts(value, expected):
    assert parse_amount(value) == expected


def test_a_value_range_keeps_its_upper_end():
    assert parse_range("1000000-4000000") == 4_000_000
    assert parse_range("7000000.00-8000000.00") == 8_000_000
    assert parse_range("5000000") == 5_000_000


def test_booleans_and_company_numbers():
    assert [parse_bool(v) for v in ("Yes", "false", "1", "", "maybe")] == [
        True,
        False,
        True,
        None,
        None,
    ]
    assert company_number("1234567") == "01234567"
    assert company_number("OC 303675") == "OC303675"


def test_mojibake_and_entities_are_repaired():
    assert fix_mojibake("Budget Â£40k") == "Budget £40k"
    assert fix_mojibake("Supplierâ€™s") == "Supplier’s"
    assert fix_mojibake("Café") == "Café"
    assert tidy("Cassidy &amp; Ashton&#039;s  \n Group") == "Cassidy & Ashton's Group"


def test_a_real_cp1252_ledger_with_old_mac_line_endings(data_dir):
    source = open_source(data_dir / "procurement-data/council-spend/hyndburn/raw/1705.csv")
    reader = read_csv(source, required=["name"])
    assert source.encoding == "cp1252"
    assert reader.header[-1] == "Net Amount(£)"
    rows = list(reader)
    assert len(rows) == 178
    assert (rows[0].line, rows[0].get("name")) == (2, "THOMSON REUTERS")
    assert (rows[-1].line, rows[-1].get("name")) == (179, "NATWEST BANK")


def test_a_very_long_field_is_read(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text('name,description\nA,"' + "word " * 60_000 + '"\n', encoding="utf-8")
    [row] = rows_of(path)
    assert len(row.get("description")) > 200_000
