import gzip
import io
from datetime import date, datetime

import openpyxl

from coopmatch.imports.records import RowError
from coopmatch.spend import LedgerRowError, read_ledger, read_ledgers, sibling_header

HYNDBURN_2024_HEADER = (
    "Department Area,,Service Area,,Description,,,Line,,HBC Ref No.,,Name:  ,,,Payment Date,,"
    "Amount Paid"
)


def _row_2024(supplier: str, day: str, amount: str, line: int = 1) -> str:
    return (
        f"ENVS - Environmental Services,,CAA - Environmental Maintenance,,Works,,,{line},,"
        f'CRINV{line:07d},,{supplier},,,{day},,"{amount}"'
    )


def test_the_hand_made_ledger_reads_every_field(hand_ledger):
    ledger = read_ledger(hand_ledger)
    assert ledger.errors == []
    summary = ledger.files[0]
    assert (summary.name, summary.rows, summary.blank_rows) == ("1904.csv", 14, 2)
    assert summary.encoding == "cp1252"
    assert summary.layouts[0].name == "hyndburn-2017"
    first, credit = ledger.payments[:2]
    assert first.line == 2
    assert first.date == date(2019, 4, 15)
    assert first.amount_pence == 100_000
    assert str(first.amount) == "1000.00"
    assert first.supplier_name == "ACCRINGTON JOINERY LIMITED"
    assert (first.department, first.expense_type, first.description) == (
        "Depot",
        "Repairs",
        "Roof repair",
    )
    assert first.supplier_ref == "B1/101"
    assert first.source_file == "1904.csv"
    assert credit.amount_pence == -20_000
    assert [p.amount_pence for p in ledger.payments if p.redacted] == [120_000, 100_000]
    assert ledger.payments[4].date == date(2019, 7, 10)  # an Excel serial in a CSV


def test_utf8_with_bom_and_crlf_and_a_gzip(tmp_path):
    text = "\ufeffSupplier Name,Payment Date,Net Amount\r\nCafé Ltd,01/05/2020,£5.00\r\n"
    plain = tmp_path / "plain.csv"
    plain.write_bytes(text.encode("utf-8"))
    zipped = tmp_path / "zipped.csv.gz"
    zipped.write_bytes(gzip.compress(text.encode("utf-8")))
    for path in (plain, zipped):
        ledger = read_ledger(path)
        assert ledger.files[0].encoding == "utf-8"
        assert [(p.supplier_name, p.amount_pence) for p in ledger.payments] == [("Café Ltd", 500)]


def test_an_upload_stream_with_a_name_is_read_and_left_open():
    upload = io.BytesIO(b"Supplier,Date,Amount\nA Ltd,2020-05-01,1.50\n")
    upload.name = "may.csv"
    ledger = read_ledger(upload)
    assert ledger.payments[0].source_file == "may.csv"
    assert ledger.payments[0].amount_pence == 150
    assert not upload.closed


def test_titles_above_the_header_are_skipped(tmp_path):
    path = tmp_path / "titled.csv"
    path.write_text(
        "Spend over £500,,\nApril 2020,,\n,,\nSupplier,Date,Amount\nA Ltd,2020-04-01,1.50\n",
        encoding="utf-8",
    )
    ledger = read_ledger(path)
    assert ledger.errors == []
    assert [p.line for p in ledger.payments] == [5]
    summary = ledger.files[0]
    assert (summary.preamble_rows, summary.blank_rows) == (2, 1)
    assert summary.layouts[0].found_by == "header"


def test_a_header_written_below_the_rows_is_used_for_them(tmp_path):
    # Hyndburn's 2025 files: no header on top, the header as the last line.
    rows = [_row_2024("Rider Levett Bucknall Uk Ltd", "03/04/2025", "4,072.51", 1)]
    rows.append(_row_2024("Rider Levett Bucknall Uk Ltd", "03/04/2025", "4,072.50", 2))
    path = tmp_path / "April-25-CSV.csv"
    path.write_text("\r\n".join([*rows, HYNDBURN_2024_HEADER, ""]), encoding="utf-8")
    ledger = read_ledger(path)
    assert ledger.errors == []
    assert [p.amount_pence for p in ledger.payments] == [407251, 407250]
    assert ledger.files[0].layouts[0].found_by == "trailing header"
    assert ledger.payments[0].transaction_id == ""
    assert ledger.payments[0].supplier_ref == "CRINV0000001"


def test_a_file_with_no_header_at_all_takes_a_known_column_order(tmp_path):
    path = tmp_path / "no-header.csv"
    path.write_text(
        "\n".join(_row_2024(f"Supplier {i}", "03/04/2025", "10.00", i) for i in range(1, 4)),
        encoding="utf-8",
    )
    ledger = read_ledger(path)
    assert ledger.errors == []
    assert len(ledger.payments) == 3
    layout = ledger.files[0].layouts[0]
    assert (layout.found_by, layout.name) == ("known order", "hyndburn-2024")
    assert ledger.payments[0].department == "ENVS - Environmental Services"


def test_a_file_with_no_header_borrows_a_siblings(tmp_path):
    # An unknown publisher: its own column order is learnt from the month that has a header.
    sibling = tmp_path / "may.csv"
    sibling.write_text("Payee,Value £,Date Paid\nA Ltd,5.00,01/05/2020\n", encoding="utf-8")
    bare = tmp_path / "june.csv"
    bare.write_text("B Ltd,6.00,01/06/2020\nC Ltd,7.00,02/06/2020\n", encoding="utf-8")
    assert read_ledger(bare).errors[0].field == "file"
    ledger = read_ledgers([bare, sibling])  # siblings in any order
    assert ledger.errors == []
    assert [p.supplier_name for p in ledger.payments] == ["B Ltd", "C Ltd", "A Ltd"]
    assert ledger.files[0].layouts[0].found_by == "sibling"
    again = read_ledger(bare, header_from=sibling)
    assert [p.amount_pence for p in again.payments] == [600, 700]


def test_a_given_column_order_or_mapping(tmp_path):
    path = tmp_path / "bare.csv"
    path.write_text("x,B Ltd,6.00,01/06/2020\n", encoding="utf-8")
    by_header = read_ledger(path, header=["Ref", "Payee", "Amount", "Date"])
    assert by_header.payments[0].transaction_id == "x"
    by_index = read_ledger(path, columns={"supplier": 1, "amount": 2, "date": 3})
    assert by_index.payments[0].supplier_name == "B Ltd"


def test_explicit_columns_override_the_header(tmp_path):
    path = tmp_path / "two-amounts.csv"
    path.write_text(
        "Supplier,Date,Net,Gross,Vendor Ref\nA Ltd,01/06/2020,10.00,12.00,V1\n", encoding="utf-8"
    )
    assert read_ledger(path).payments[0].amount_pence == 1000
    gross = read_ledger(path, columns={"amount": "Gross"})
    assert gross.payments[0].amount_pence == 1200
    assert gross.payments[0].supplier_ref == "V1"
    missing = read_ledger(path, columns={"amount": "Total"})
    assert missing.payments == []
    assert "no column called 'Total'" in missing.errors[0].reason


def test_bad_rows_become_row_errors_naming_line_and_field(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "Supplier Name,Payment Date,Amount\n"
        "Good Ltd,01/06/2020,10.00\n"
        "Bad Amount Ltd,02/06/2020,ten pounds\n"
        "Bad Date Ltd,31/02/2020,5.00\n"
        ",03/06/2020,5.00\n"
        "No Amount Ltd,04/06/2020,\n",
        encoding="utf-8",
    )
    ledger = read_ledger(path)
    assert [p.supplier_name for p in ledger.payments] == ["Good Ltd"]
    found = [(e.line, e.field, e.reason) for e in ledger.errors]
    assert found == [
        (3, "amount", "'ten pounds' is not an amount"),
        (4, "date", "'31/02/2020' is not a date"),
        (5, "supplier", "no supplier name"),
        (6, "amount", "no amount"),
    ]
    assert all(isinstance(e, RowError) for e in ledger.errors)
    assert str(ledger.errors[0]) == "bad.csv, line 3, amount: 'ten pounds' is not an amount"
    assert ledger.errors[0].raw["supplier"] == "Bad Amount Ltd"
    assert ledger.files[0].errors == 4


def _workbook(tmp_path, sheets: dict[str, list[tuple]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "pcc-2019-20.xlsx"
    book.save(path)
    return path


def test_a_workbook_with_one_sheet_per_month(tmp_path):
    header = ("* Expenditure Category", "* Date", "TOTAL", "* SUPPLIER FINAL")
    path = _workbook(
        tmp_path,
        {
            "Apr 19": [
                header,
                ("Rates", datetime(2019, 4, 23), 11170.25, "WYRE BOROUGH COUNCIL"),
                ("Compensation", datetime(2019, 4, 24), 1300, "THIRD PARTY"),
            ],
            "May 19": [
                (None, None, None, None),
                header,
                ("Forensics", 43588, 3040, "THIRD PARTY FORENSICS"),  # a serial date
                ("Forensics", "soon", 3040, "THIRD PARTY FORENSICS"),
                ("Credit", datetime(2019, 5, 9), -25.5, "ALTBERG LTD"),
            ],
        },
    )
    ledger = read_ledger(path)
    summary = ledger.files[0]
    assert summary.sheets == ["Apr 19", "May 19"]
    assert read_ledger(path, max_bytes=1_000).errors[0].field == "file"
    assert len(read_ledger(path.read_bytes()).payments) == 4
    assert [(p.sheet, p.line) for p in ledger.payments] == [
        ("Apr 19", 2),
        ("Apr 19", 3),
        ("May 19", 3),
        ("May 19", 5),
    ]
    assert [p.redacted for p in ledger.payments] == [False, True, False, False]
    assert ledger.payments[2].date == date(2019, 5, 3)
    assert ledger.payments[3].amount_pence == -2550
    assert ledger.payments[0].expense_type == "Rates"
    error = ledger.errors[0]
    assert isinstance(error, LedgerRowError)
    assert (error.sheet, error.line, error.field) == ("May 19", 4, "date")
    assert str(error) == "pcc-2019-20.xlsx, sheet 'May 19', line 4, date: 'soon' is not a date"


def test_a_new_header_part_way_down_a_sheet_switches_layout(tmp_path):
    # Lancashire Fire 2022-23: the last months were pasted below with a column fewer.
    path = _workbook(
        tmp_path,
        {
            "Data": [
                (
                    "Transaction Number",
                    "Date",
                    "Expenditure Category",
                    "Supplier Name",
                    "Class",
                    "Amount",
                ),
                (107639310, datetime(2022, 4, 1), "Training", "Anderton Centre", "Training", 7740),
                ("Transaction Number", "Date", "Subjective Description", "Supplier Name", "Amount"),
                ("6000073", datetime(2022, 11, 30), "Vehicle R&M", "James Hart Ltd", 2135.2),
            ]
        },
    )
    ledger = read_ledger(path)
    assert ledger.errors == []
    assert [(p.supplier_name, p.amount_pence, p.transaction_id) for p in ledger.payments] == [
        ("Anderton Centre", 774000, "107639310"),
        ("James Hart Ltd", 213520, "6000073"),
    ]
    assert len(ledger.files[0].layouts) == 2


def test_unreadable_files_are_reported_not_raised(tmp_path):
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    prose = tmp_path / "notes.csv"
    prose.write_text("These are not payments.\nJust words.\n", encoding="utf-8")
    big = tmp_path / "big.csv"
    big.write_text("Supplier,Date,Amount\n" + "A Ltd,2020-05-01,1.00\n" * 1000, encoding="utf-8")
    ledger = read_ledgers([legacy, prose, tmp_path / "missing.csv"])
    reasons = [(e.line, e.field, e.reason) for e in ledger.errors]
    assert reasons[0] == (0, "file", "this is an old .xls workbook; save it as .xlsx or CSV")
    assert reasons[1][2].startswith("no header row naming the date, amount and supplier")
    assert reasons[2][2].startswith("cannot be read")
    limited = read_ledger(big, max_bytes=5_000)
    assert limited.payments == []
    assert limited.errors[0].reason == "the file is larger than the import limit"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    assert read_ledger(broken).errors[0].reason.startswith("cannot be read")


def test_an_empty_file_is_refused_not_read_as_a_month_without_payments(tmp_path):
    empty, blank = tmp_path / "empty.csv", tmp_path / "blank.csv"
    empty.write_bytes(b"")
    blank.write_text("\n,,\n\n", encoding="utf-8")
    header_only = tmp_path / "april.csv"
    header_only.write_text("Supplier,Date,Amount\n", encoding="utf-8")
    ledger = read_ledgers([empty, blank, header_only])
    assert [(e.file, e.line, e.field, e.reason) for e in ledger.errors] == [
        ("empty.csv", 0, "file", "this file is empty: it has no rows"),
        ("blank.csv", 0, "file", "this file is empty: it has no rows")]
    assert ledger.payments == []  # a header and no rows is a month with no payments


def test_keys_are_stable_and_count_identical_rows(tmp_path):
    rows = "Supplier,Date,Amount,Description\n" + "DVLA,17/07/2023,302.50,VEHICLE TAX\n" * 3
    one = tmp_path / "one.csv"
    one.write_text(rows, encoding="utf-8")
    # The same payments in another file, in another layout and encoding.
    two = tmp_path / "two.csv"
    two.write_bytes(
        ("Description,Amount,Date,Supplier\r" + "VEHICLE TAX,£302.50,2023-07-17,DVLA\r" * 2).encode(
            "cp1252"
        )
    )
    first = [p.key for p in read_ledger(one).payments]
    second = [p.key for p in read_ledger(two).payments]
    assert len(set(first)) == 3  # three genuine payments stay three
    assert second == first[:2]  # re-reading adds nothing new
    assert [p.key for p in read_ledger(one).payments] == first


def test_sibling_header_reads_the_first_header_row(hand_ledger):
    header = sibling_header(hand_ledger)
    assert header[4] == "Name"
    assert header[6] == "Net Amount(£)"


def test_columns_named_by_the_user_find_a_header_of_unknown_names(tmp_path):
    odd = tmp_path / "odd.csv"
    odd.write_text(
        "Paid On,Value,Payee,Category\n"
        "01/04/2023,1200.50,Acme Cleaning Ltd,Cleaning\n"
        "02/04/2023,300,Bolton Bakery,Catering\n",
        encoding="utf-8",
    )
    unnamed = read_ledger(odd)
    assert unnamed.payments == []
    reason = unnamed.errors[0].reason
    assert "the first row reads 'Paid On', 'Value', 'Payee', 'Category'" in reason
    assert "name those columns" in reason
    named = read_ledger(odd, columns={"date": "paid on", "amount": "VALUE", "supplier": "Payee"})
    assert named.errors == []
    assert [(p.line, p.supplier_name, p.amount_pence, p.expense_type) for p in named.payments] == [
        (2, "Acme Cleaning Ltd", 120050, "Cleaning"),
        (3, "Bolton Bakery", 30000, "Catering"),
    ]
    wrong = read_ledger(odd, columns={"date": "Paid On", "amount": "Total", "supplier": "Payee"})
    assert wrong.payments == []
    assert wrong.errors[0].reason.startswith("there is no column called 'Total' for the amount")
    assert len(read_ledger(odd, columns={"date": "Paid On"}).payments) == 2  # the rest is known
    odd.write_text(odd.read_text(encoding="utf-8").replace("Payee", "Who"), encoding="utf-8")
    short = read_ledger(odd, columns={"date": "Paid On"})
    assert short.errors[0].reason.startswith("the supplier column could not be recognised")
