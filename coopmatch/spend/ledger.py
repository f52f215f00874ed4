"""Read anchors' published payment ledgers (CSV or XLSX) into plain `Payment` records.

Councils publish "spend over £250/£500" files in many shapes: headers with spacer columns, a
header written below the rows or missing, one sheet per month, mixed encodings, credits as
"123.45-". `read_ledgers` copes with these and names every row it could not read.
"""

import csv
import itertools
import os
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from coopmatch.spend.columns import (
    KNOWN_LAYOUTS,
    REQUIRED,
    ROLES,
    assign_roles,
    header_key,
    looks_like_header,
    mend_header,
)
from coopmatch.spend.reading import UnreadableFile, csv_rows, open_ledger, source_name
from coopmatch.spend.records import (
    FileSummary,
    Layout,
    Ledger,
    LedgerRowError,
    Payment,
    key_of,
    payment_content,
)
from coopmatch.spend.values import DateParser, is_redacted, parse_amount, parse_date

# Rows held back while looking for a header written below them (Hyndburn 2025).
MAX_PENDING_ROWS = 20_000
# Share of sample rows whose date and amount must read under a borrowed column order.
_FIT = 0.9
# What makes a whole file unreadable (rather than one row).
_FILE_ERRORS = (UnreadableFile, OSError, ValueError, csv.Error, zipfile.BadZipFile, KeyError)


# How the reader's file errors end when naming the columns would let it read the file; the
# first is how an error ends when no header row was recognised at all.
NAME_THOSE_COLUMNS = "name those columns"
COLUMN_ADVICE = (NAME_THOSE_COLUMNS, "no column called", "name it too", "name them too")


def columns_at_fault(reason: str) -> bool:
    """Return True for a file error that naming the columns (date, amount, supplier) fixes."""
    return any(words in reason for words in COLUMN_ADVICE)


@dataclass
class LedgerOptions:
    """How to read a ledger where detection needs help.

    columns: role -> column name (or 0-based index), overriding what the header says.
    header: the column names of a file that has none, in order (a known column order).
    max_bytes: refuse files larger than this (after decompression).
    """

    columns: Mapping[str, str | int] | None = None
    header: list[str] | None = None
    max_bytes: int | None = None


def read_ledger(
    source,
    *,
    columns: Mapping[str, str | int] | None = None,
    header: list[str] | None = None,
    header_from=None,
    max_bytes: int | None = None,
) -> Ledger:
    """Read one ledger file (a path, bytes or a binary upload with a `.name`).

    `header_from` is a sibling file (same publisher, same layout) whose header row is borrowed
    when this file has none.
    """
    if header is None and header_from is not None:
        header = sibling_header(header_from)
    options = LedgerOptions(columns=columns, header=header, max_bytes=max_bytes)
    return _Reader(options).read(source)


def read_ledgers(
    sources: Iterable,
    *,
    columns: Mapping[str, str | int] | None = None,
    header: list[str] | None = None,
    max_bytes: int | None = None,
) -> Ledger:
    """Read several files of one anchor; a file without a header borrows a sibling's."""
    options = LedgerOptions(columns=columns, header=header, max_bytes=max_bytes)
    reader = _Reader(options)
    sources = list(sources)
    read: list[Ledger | None] = []
    for source in sources:
        rereadable = isinstance(source, str | os.PathLike | bytes)
        read.append(reader.read(source, defer_headerless=rereadable))
    ledger = Ledger()
    for source, done in zip(sources, read, strict=True):
        # A file put aside for want of a header is read now that its siblings' are known.
        ledger.extend(done if done is not None else reader.read(source))
    return ledger


def sibling_header(source) -> list[str] | None:
    """Return the first header row of a ledger file, to read a header-less sibling with."""
    try:
        opened = open_ledger(source)
    except _FILE_ERRORS:
        return None
    decoding = None
    try:
        if opened.kind == "xlsx":
            blocks = _xlsx_blocks(opened.stream)
        else:
            records, decoding = csv_rows(opened.stream)
            blocks = [("", enumerate(records, start=1))]
        for _sheet, rows in blocks:
            for _line, cells in itertools.islice(rows, 200):
                if looks_like_header(cells):
                    return [str(c) if c is not None else "" for c in cells]
    except _FILE_ERRORS:
        return None
    finally:
        if decoding is not None:
            decoding.finish()
        opened.close()
    return None


class _NoHeaderYet(Exception):
    """A file with no header, put aside until its siblings have been read."""


class _Reader:
    """Reads files one at a time, remembering headers seen so header-less siblings can borrow."""

    def __init__(self, options: LedgerOptions):
        self.options = options
        self.dates = DateParser()
        self.redacted: dict[str, bool] = {}
        self.seen_headers: list[list[str]] = []
        self.defer_headerless = False

    def read(self, source, *, defer_headerless: bool = False) -> Ledger | None:
        """Read one file; with defer_headerless, return None if it has no header of its own."""
        ledger = Ledger()
        self.defer_headerless = defer_headerless
        try:
            opened = open_ledger(source, max_bytes=self.options.max_bytes)
        except _FILE_ERRORS as error:
            return self._unreadable(ledger, FileSummary(name=source_name(source)), error)
        summary = FileSummary(name=opened.name)
        ledger.files.append(summary)
        decoding = None
        try:
            if opened.kind == "xlsx":
                summary.encoding = "xlsx"
                for sheet, rows in _xlsx_blocks(opened.stream):
                    summary.sheets.append(sheet)
                    self._read_block(rows, summary, ledger, sheet=sheet)
            else:
                records, decoding = csv_rows(opened.stream)
                self._read_block(enumerate(records, start=1), summary, ledger, sheet="")
        except _NoHeaderYet:
            return None
        except _FILE_ERRORS as error:
            # All of a file or none of it: a half-read file would import half its payments.
            return self._unreadable(Ledger(), FileSummary(name=summary.name), error)
        finally:
            if decoding is not None:
                decoding.finish()
                summary.encoding = decoding.encoding
            opened.close()
        if not (summary.layouts or ledger.payments or ledger.errors):
            # Nothing but blank rows, or nothing at all: not a ledger with no payments in it.
            empty = UnreadableFile("this file is empty: it has no rows" + (
                " (a workbook with no sheets)" if opened.kind == "xlsx" and not summary.sheets
                else ""))
            return self._unreadable(Ledger(), FileSummary(name=summary.name), empty)
        _assign_keys(ledger.payments)
        summary.rows = len(ledger.payments)
        summary.errors = len(ledger.errors)
        return ledger

    def _unreadable(self, ledger: Ledger, summary: FileSummary, error: Exception) -> Ledger:
        reason = str(error) if isinstance(error, UnreadableFile) else f"cannot be read ({error})"
        ledger.errors.append(LedgerRowError(0, "file", reason, file=summary.name))
        summary.errors = 1
        ledger.files.append(summary)
        return ledger

    def _read_block(self, rows: Iterator, summary: FileSummary, ledger: Ledger, *, sheet: str):
        """Read the rows of a CSV file or one sheet, switching layout at every header row."""
        layout: Layout | None = None
        pending: list[tuple[int, list]] = []
        convert = self._converter(summary, ledger, sheet)
        for line, cells in rows:
            if layout is not None and convert(line, cells, layout, quiet=True):
                continue
            if not any(_filled(c) for c in cells):
                summary.blank_rows += 1
                continue
            if self._is_header(cells):
                new = self._layout(cells, line, "header")
                if layout is None or new.columns != layout.columns:
                    layout = new
                    summary.layouts.append(layout)
                    self.seen_headers.append([str(c) if c is not None else "" for c in cells])
                if pending:
                    self._read_pending(pending, layout, convert, summary)
                continue
            if layout is None:
                pending.append((line, cells))
                if len(pending) >= MAX_PENDING_ROWS:
                    layout = self._borrowed_layout(pending, summary)
                    self._read_pending(pending, layout, convert, summary)
                continue
            convert(line, cells, layout)
        if pending:
            layout = self._borrowed_layout(pending, summary)
            self._read_pending(pending, layout, convert, summary)

    def _read_pending(self, pending: list, layout: Layout, convert, summary: FileSummary):
        """Read rows that came before the first header: a title above it, or data if the
        header was written below the rows (Hyndburn 2025)."""
        used = 0
        for line, cells in pending:
            columns = layout.columns
            try:
                self.dates(_cell(cells, columns["date"]))
            except (ValueError, TypeError):
                try:
                    parse_amount(_cell(cells, columns["amount"]))
                except (ValueError, TypeError):
                    summary.preamble_rows += 1  # neither a date nor an amount: a title
                    continue
            convert(line, cells, layout)
            used += 1
        if used and layout.found_by == "header" and layout.header_line > pending[-1][0]:
            layout.found_by = "trailing header"
        pending.clear()

    def _is_header(self, cells: list) -> bool:
        """A header names the date, amount and supplier columns, by itself or with the names
        the user gave ("Paid On" for the date) where the header's own names are not known."""
        if looks_like_header(cells):
            return True
        named = [c for c in (self.options.columns or {}).values() if isinstance(c, str)]
        if not named:
            return False
        keys = {header_key(c) for c in cells if isinstance(c, str)}
        if not all(header_key(name) in keys for name in named):
            return False
        return all(role in self._roles(cells) for role in REQUIRED)

    def _roles(self, cells: list) -> dict[str, int]:
        """Return role -> column of a header row, as found and as the user named them."""
        header = [str(c).strip() if c is not None else "" for c in cells]
        return self._apply_given_columns(assign_roles(header), header)

    def _layout(self, cells: list, line: int, found_by: str) -> Layout:
        header, name = mend_header(cells)
        header = [str(c).strip() if c is not None else "" for c in header]
        columns = assign_roles(header)
        columns = self._apply_given_columns(columns, header)
        ordered = {role: columns[role] for role in ROLES if role in columns}
        return Layout(ordered, header, found_by, header_line=line, name=name)

    def _apply_given_columns(self, columns: dict[str, int], header: list[str]) -> dict[str, int]:
        given = self.options.columns or {}
        if not given:
            return columns
        columns = dict(columns)
        keys = [header_key(c) for c in header]
        for role, column in given.items():
            if isinstance(column, int):
                index = column
            else:
                try:
                    index = keys.index(header_key(column))
                except ValueError as error:
                    raise UnreadableFile(
                        f"there is no column called {column!r} for the {role.replace('_', ' ')}"
                    ) from error
            for other, i in list(columns.items()):
                if i == index and other != role:
                    del columns[other]
            columns[role] = index
        return columns

    def _borrowed_layout(self, pending: list[tuple[int, list]], summary: FileSummary) -> Layout:
        """Return a layout for rows with no header: the given one, a sibling's or a known one."""
        if self.defer_headerless and not self.options.header:
            raise _NoHeaderYet
        first = next((cells for _, cells in pending if any(_filled(c) for c in cells)), [])
        shown = ", ".join(repr(str(c).strip()) for c in first[:12] if _filled(c))
        named = {r: c for r, c in (self.options.columns or {}).items() if isinstance(c, str)}
        if named:  # columns named by the user: the file has a header, and it is not this
            keys = {header_key(c) for c in first if isinstance(c, str)}
            missing = [f"{c!r} for the {r.replace('_', ' ')}" for r, c in named.items()
                       if header_key(c) not in keys]
            if missing:
                problem = f"there is no column called {' or '.join(missing)}"
            else:
                found = self._roles(first)
                unknown = [r for r in REQUIRED if r not in found] or list(REQUIRED)
                problem = (f"the {' and '.join(unknown)} column{'s' if len(unknown) > 1 else ''}"
                           f" could not be recognised: name {'them' if len(unknown) > 1 else 'it'}"
                           " too")
            raise UnreadableFile(f"{problem} (the first row reads {shown})")
        width = max(len(cells) for _, cells in pending)
        candidates: list[tuple[str, list[str], str]] = []
        if self.options.header:
            candidates.append(("given", list(self.options.header), ""))
        candidates += [("sibling", h, "") for h in reversed(self.seen_headers)]
        candidates += [("known order", list(h), name) for name, h in KNOWN_LAYOUTS.items()]
        if self.options.columns and all(isinstance(c, int) for c in self.options.columns.values()):
            candidates.insert(0, ("given", [""] * width, ""))
        sample = [(line, cells) for line, cells in pending if len(cells) > 2]
        sample = sample[:: max(1, len(sample) // 50)][:50]
        for found_by, header, name in candidates:
            for fitted in _fit_header(header, pending, width):
                columns = self._apply_given_columns(assign_roles(fitted), fitted)
                if not all(role in columns for role in REQUIRED):
                    continue
                ordered = {role: columns[role] for role in ROLES if role in columns}
                layout = Layout(ordered, fitted, found_by, name=name)
                if self._fits(layout, sample):
                    summary.layouts.append(layout)
                    return layout
        raise UnreadableFile(
            "no header row naming the date, amount and supplier columns was found"
            + (f" (the first row reads {shown})" if shown else "")
            + f": {NAME_THOSE_COLUMNS}"
        )

    def _fits(self, layout: Layout, sample: list[tuple[int, list]]) -> bool:
        good = 0
        for _, cells in sample:
            try:
                self.dates(_cell(cells, layout.columns["date"]))
                parse_amount(_cell(cells, layout.columns["amount"]))
                good += 1
            except (ValueError, TypeError):
                pass
        return bool(sample) and good >= _FIT * len(sample)

    def _converter(self, summary: FileSummary, ledger: Ledger, sheet: str):
        """Return a function that turns one row into a Payment (or RowErrors)."""
        dates = self.dates
        redacted = self.redacted
        payments = ledger.payments
        errors = ledger.errors
        file = summary.name

        def convert(line: int, cells, layout: Layout, quiet: bool = False) -> bool:
            # Absent optional columns point one past the row, where padding puts a None.
            date_at, amount_at, supplier_at, type_at, dept_at, desc_at, ref_at, id_at = (
                layout.positions
            )
            if len(cells) <= layout.width:
                cells = [*cells, *([None] * (layout.width + 1 - len(cells)))]
            raw_date = cells[date_at]
            raw_amount = cells[amount_at]
            supplier = _text(cells[supplier_at])
            try:
                day = dates(raw_date)
                pence = parse_amount(raw_amount)
            except (ValueError, TypeError):
                day = pence = None
            if day is None or not supplier:
                if not quiet:
                    _reject(line, cells, layout, errors, file, sheet)
                return not quiet
            flag = redacted.get(supplier)
            if flag is None:
                flag = redacted[supplier] = is_redacted(supplier)
            payments.append(
                Payment(
                    line,
                    day,
                    pence,
                    supplier,
                    _text(cells[type_at]),
                    _text(cells[dept_at]),
                    _text(cells[desc_at]),
                    _text(cells[ref_at]),
                    _text(cells[id_at]),
                    flag,
                    file,
                    sheet,
                )
            )
            return True

        return convert


def _reject(line: int, cells, layout: Layout, errors: list, file: str, sheet: str) -> None:
    """Record why a row could not be read: one RowError per unreadable field."""
    columns = layout.columns
    raw = {role: cells[i] for role, i in columns.items()}
    problems = []
    try:
        parse_date(raw["date"])
    except (ValueError, TypeError):
        problems.append(("date", _why("date", raw["date"])))
    try:
        parse_amount(raw["amount"])
    except (ValueError, TypeError):
        problems.append(("amount", _why("amount", raw["amount"])))
    if not _text(raw["supplier"]):
        problems.append(("supplier", "no supplier name"))
    for field, reason in problems:
        errors.append(LedgerRowError(line, field, reason, raw=raw, file=file, sheet=sheet))


def _fit_header(header: list[str], pending: list[tuple[int, list]], width: int) -> Iterator[list]:
    """Yield ways to lay a borrowed header over header-less rows.

    Same width: as it is. Otherwise the header's named columns go, in order, to the columns
    the rows actually use (spacer columns differ from one month's file to the next).
    """
    if len(header) == width:
        yield header
    named = [h for h in header if header_key(h)]
    used = sorted({i for _, cells in pending[:500] for i, c in enumerate(cells) if _filled(c)})
    if len(used) == len(named):
        fitted = [""] * width
        for i, name in zip(used, named, strict=True):
            fitted[i] = name
        yield fitted


def _filled(cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def _cell(cells, index: int):
    return cells[index] if index < len(cells) else None


def _text(value) -> str:
    if type(value) is str:
        value = value.strip()
        if "  " in value or "\n" in value or "\r" in value or "\t" in value:
            return " ".join(value.split())
        return value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _assign_keys(payments: list[Payment]) -> None:
    """Give each payment of one file its key, counting repeats of identical rows."""
    seen: dict[str, int] = {}
    for payment in payments:
        content = payment_content(payment)
        occurrence = seen.get(content, 0)
        seen[content] = occurrence + 1
        payment.key = key_of(content, occurrence)


def _why(field: str, raw) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return f"no {field}"
    shown = str(raw).strip()
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"{shown!r} is not {'a date' if field == 'date' else 'an amount'}"


def _xlsx_blocks(stream) -> Iterator[tuple[str, Iterator[tuple[int, tuple]]]]:
    """Yield (sheet name, numbered rows) for each visible sheet of a workbook."""
    import openpyxl  # noqa: PLC0415 - only workbooks need it
    from openpyxl.utils.exceptions import InvalidFileException  # noqa: PLC0415

    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError) as error:
        raise UnreadableFile(f"this is not a readable .xlsx workbook ({error})") from error
    try:
        for sheet in workbook.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            yield sheet.title, enumerate(sheet.iter_rows(values_only=True), start=1)
    finally:
        workbook.close()
