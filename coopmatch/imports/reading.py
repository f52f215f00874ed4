"""Reading import files: size limit, gzip, text encodings, CSV headers and forgiving value parsers.

Every parser reads its input through `open_source`, so the same rules apply to a path given on
the command line and to a stream uploaded through the web: one size limit, gzip unpacked
transparently, UTF-8 (with or without a BOM) or Windows-1252 text, any line ending.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import math
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from coopmatch.dates import PLAUSIBLE_YEARS, read_day
from coopmatch.errors import CoopmatchError
from coopmatch.imports.records import RowError
from coopmatch.names import clean_text

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# Long notice descriptions can pass csv's default 128 KB field limit; the file limit still holds.
csv.field_size_limit(max(csv.field_size_limit(), DEFAULT_MAX_BYTES))
_CHUNK = 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


class FileRejected(CoopmatchError):
    """A whole file cannot be imported: too big, unreadable, or missing required columns."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, line: int = 0):
        super().__init__(message, field=field)
        self.line = line

    def as_row_error(self) -> RowError:
        """Return the problem as a file-level RowError (line 0) for an import report."""
        return RowError(self.line, self.field or "file", self.message)


@dataclass
class Source:
    """A decoded input file, with how far a parser has got through it."""

    name: str
    text: str
    encoding: str
    size: int  # bytes after gunzipping
    progress: float = 0.0  # 0..1, updated by the parser as it goes


SourceLike = str | os.PathLike | BinaryIO | Source


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _too_big(limit: int, unzipped: bool = False) -> FileRejected:
    where = "Unzipped, this file" if unzipped else "This file"
    return FileRejected(
        f"{where} is larger than the {_megabytes(limit)} import limit. "
        "Split it into smaller files and import each one.",
        field="file",
    )


def _read_limited(stream: BinaryIO, limit: int, *, unzipped: bool = False) -> bytes:
    """Read a stream in chunks, stopping as soon as it passes the limit."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise _too_big(limit, unzipped)
        chunks.append(chunk)
    return b"".join(chunks)


def read_bytes(source, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[str, bytes]:
    """Return (name, bytes) of a path or binary stream, gunzipped, within the size limit."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise FileRejected(f"There is no file at {path}.", field="file")
        if path.stat().st_size > max_bytes:
            raise _too_big(max_bytes)
        with open(path, "rb") as handle:
            raw = _read_limited(handle, max_bytes)
        name = path.name
    else:
        raw = _read_limited(source, max_bytes)
        name = getattr(source, "filename", None) or getattr(source, "name", None) or "upload"
        name = Path(str(name)).name
    if raw[:2] == _GZIP_MAGIC:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
                raw = _read_limited(unzipped, max_bytes, unzipped=True)
        except (OSError, EOFError, zlib.error) as error:
            raise FileRejected(
                f"This file looks gzip-compressed but cannot be unzipped ({error}).", field="file"
            ) from error
    return name, raw


def decode(raw: bytes) -> tuple[str, str]:
    """Return (text, encoding): UTF-8 or UTF-16 by BOM, else UTF-8, else Windows-1252. A file
    marked UTF-16 that is not is refused (FileRejected)."""
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export.
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise FileRejected(
                "This file starts as UTF-16 text (Excel's \"Unicode text\") but is not valid "
                f"UTF-16 after byte {error.start}: it may be cut short or damaged. Save it "
                "again, as \"CSV UTF-8\", and import that.", field="file") from error
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined: latin-1 keeps them rather than failing.
        return raw.decode("latin-1"), "latin-1"


def open_source(source: SourceLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """Read and decode a path, binary stream or already-open Source."""
    if isinstance(source, Source):
        return source
    name, raw = read_bytes(source, max_bytes=max_bytes)
    text, encoding = decode(raw)
    if "\x00" in text[:4096]:
        raise FileRejected(
            "This file is not text (it looks like a spreadsheet or other binary file). "
            "Save it as CSV or JSON and import that.",
            field="file",
        )
    return Source(name=name, text=text, encoding=encoding, size=len(raw))


TOO_DEEP = "nested too deeply to read: no import format goes more than a few levels down"


def load_json(text: str):
    """json.loads, except that JSON nested deeper than Python can follow ("[[[[...") is a
    JSONDecodeError saying so (TOO_DEEP), like any other JSON that cannot be read, not a
    RecursionError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError(TOO_DEEP, text, 0) from None


def json_problem(error: json.JSONDecodeError, text: str) -> str:
    """Say, for a person, why load_json could not read this text: nested too deeply, cut
    short (a string still open, or the error at the very end), or not JSON at a line and
    column."""
    if error.msg == TOO_DEEP:
        return f"this JSON is {TOO_DEEP}"
    if error.msg.startswith("Unterminated string") or error.pos >= len(text.rstrip()) - 1:
        return ("the JSON ends too early "
                "(the file looks cut short, perhaps by an interrupted download)")
    return f"this is not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"


# --- text ----------------------------------------------------------------------------------

# A UTF-8 lead byte then continuation bytes, as they look after a wrong cp1252/latin-1 decode.
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
_MOJIBAKE = re.compile(f"[\u00c2-\u00f4][\u0080-\u00bf{_CP1252_HIGH}]+")


def _undo(match: re.Match) -> str:
    text = match.group(0)
    try:
        raw = bytes(ord(c) if ord(c) < 256 else c.encode("cp1252")[0] for c in text)
        return raw.decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return text


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 text that was once decoded as Windows-1252: "Â£" -> "£", "â€™" -> "’"."""
    if not text or not any(c in text for c in "ÂÃâ"):
        return text
    return _MOJIBAKE.sub(_undo, text)


_NEEDS_CLEANING = re.compile(r"[&\u00c2\u00c3\u00e2]|\s\s|[^\S ]")


def tidy(value) -> str:
    """Return clean one-line text: entities unescaped, mojibake repaired, spaces collapsed."""
    if value is None:
        return ""
    text = str(value)
    if not _NEEDS_CLEANING.search(text):
        # Most values need nothing, and this runs for every field of large registers.
        return text.strip()
    return clean_text(fix_mojibake(text))


def clip(text: str | None, length: int) -> str | None:
    """Cut text to a column's length (database limits), keeping None as None."""
    if text is None:
        return None
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# --- values --------------------------------------------------------------------------------

# An ISO date starts the text (OCDS times come in many shapes), or it is yyyymmdd.
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_date(value) -> date | None:
    """Return a date from ISO (with any time), yyyymmdd, or as coopmatch.dates reads one
    (day first: 31/01/2025, 31 Jan 2025; Jan 31 2025); None if unreadable or a placeholder
    for "not given" (the year 1 or 9999)."""
    found = _read_date(value)
    return found if found is None or found.year in PLAUSIBLE_YEARS else None


def _read_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        match = _ISO_DATE.match(text) or _COMPACT_DATE.match(text)
        if match:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return read_day(text)
    except ValueError:
        return None


_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def parse_amount(value, *, zero_is_unknown: bool = True) -> float | None:
    """Return a money amount, or None when unknown: blank, unreadable, infinite (1e9999) or 0."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"[£$€,\s]|GBP|EUR", "", str(value))
        if not _NUMBER.match(text):
            return None
        number = float(text)
    if math.isnan(number) or math.isinf(number) or number < 0:
        return None
    if zero_is_unknown and number == 0:
        # Contracts Finder writes 0 for "not given".
        return None
    return number


# Contracts Finder's "not given" for a date: 01/01/1 (the year 1).
_PLACEHOLDER_DATE = re.compile(r"\d{1,2}/\d{1,2}/0*\d{1,3}")


_RANGE = re.compile(r"^([\d.,]+)\s*-\s*([\d.,]+)$")


def unreadable(kind: str, value) -> str | None:
    """Why a given date or amount (`kind` "date", "amount" or "range", TED's "low-high") cannot
    be read, or None if it can or is not given (blank, Contracts Finder's 01/01/1, .NET's
    0001-01-01 and 9999-12-31, JSON's 1e9999). The parse_* readers take such a value for
    unknown; an import uses this to refuse it instead, naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    shown = repr(text[:60])
    if kind == "date":
        if _read_date(value) is None and not _PLACEHOLDER_DATE.fullmatch(text):
            return f"{shown} is not a date"
        return None
    if isinstance(value, float) and math.isinf(value):
        return None
    match = _RANGE.match(text) if kind == "range" else None
    for part in match.groups() if match else [value]:
        if isinstance(part, bool) or parse_amount(part, zero_is_unknown=False) is None:
            if parse_amount(text.lstrip("-"), zero_is_unknown=False) is not None:
                return f"{shown} is below zero"
            return f"{shown} is not an amount of money"
    return None


def first_unreadable(line: int, given) -> RowError | None:
    """A row error for the first of `given` ((field, kind, value) triples, see `unreadable`)
    whose value is given but cannot be read, or None."""
    for field_name, kind, value in given:
        reason = unreadable(kind, value)
        if reason:
            return RowError(line, field_name, reason)
    return None


def parse_range(value) -> float | None:
    """Return the upper end of a "low-high" value (TED), or the single value given."""
    text = str(value or "").strip()
    match = _RANGE.match(text)
    if match:
        return parse_amount(match.group(2)) or parse_amount(match.group(1))
    return parse_amount(text)


_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def parse_bool(value) -> bool | None:
    """Return True/False for yes/no, true/false or 1/0 text; None when blank or unclear."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


_CH_NUMBER = re.compile(r"^(?:[A-Z]{2}\d{6}|\d{8})$")


def company_number(value) -> str | None:
    """Return a Companies House number in its 8-character form ("1234567" -> "01234567")."""
    text = re.sub(r"\s+", "", str(value or "")).upper()
    if not text or text in {"N/A", "NA", "NONE", "0"}:
        return None
    if text.isdigit() and len(text) < 8:
        text = text.zfill(8)
    return text


def is_company_number(value: str | None) -> bool:
    """Return whether text has the shape of a Companies House number."""
    return bool(value and _CH_NUMBER.match(value))


# --- CSV -----------------------------------------------------------------------------------


def column_key(header: str) -> str:
    """Return a column name in comparable form: " RegAddress.PostCode" -> "regaddress_postcode"."""
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


@dataclass
class CsvRow:
    """One data row: its first physical line and its values keyed by `column_key`."""

    line: int
    values: dict[str, str]
    cells: list[str]  # in header order, for layouts whose column names are data (OCDS paths)

    def unreadable(self, columns: dict[str, tuple[str, str]]) -> RowError | None:
        """A row error for the first of `columns` (column key -> (its header, "date", "amount"
        or "range")) whose value is given but cannot be read, or None."""
        return first_unreadable(self.line, ((header, kind, self.get(key))
                                            for key, (header, kind) in columns.items()))

    def get(self, *keys: str) -> str:
        """Return the first non-blank value among the given column keys, stripped."""
        values = self.values
        for key in keys:
            value = values.get(key)
            if value:
                value = value.strip()
                if value:
                    return value
        return ""


@dataclass
class CsvReader:
    """Rows of a CSV file after its header has been checked."""

    source: Source
    header: list[str]
    keys: list[str]
    strict_width: bool
    _rows: Iterator[tuple[int, list[str]]]

    def __iter__(self) -> Iterator[CsvRow | RowError]:
        width = len(self.header)
        for line, values in self._rows:
            extra = len(values) > width
            if extra and (self.strict_width or "".join(values[width:]).strip()):
                yield RowError(
                    line,
                    "row",
                    f"this row has {len(values)} fields but the header has {width} columns "
                    "(check for an unquoted comma)",
                )
                continue
            if len(values) < width and self.strict_width:
                yield RowError(
                    line,
                    "row",
                    f"this row has {len(values)} fields but the header has {width} columns",
                )
                continue
            if len(values) < width:
                values = values + [""] * (width - len(values))
            yield CsvRow(line, dict(zip(self.keys, values, strict=False)), values)


def _physical_rows(source: Source, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    # newline="" lets csv see \r, \n and \r\n alike (old-Mac files use a bare \r).
    handle = io.StringIO(source.text, newline="")
    reader = csv.reader(handle, delimiter=delimiter)
    total = max(len(source.text), 1)
    start = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise FileRejected(
                f"This CSV file cannot be read at line {reader.line_num}: {error}.",
                field="file",
                line=reader.line_num,
            ) from error
        line, start = start, reader.line_num + 1
        source.progress = handle.tell() / total
        if values and "".join(values).strip():
            yield line, values
    source.progress = 1.0


def sniff_delimiter(text: str) -> str:
    """Return "\\t", ";" or "," by which occurs most in the first line."""
    first = text.split("\n", 1)[0].split("\r", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_csv(
    source: Source,
    *,
    required: Iterable[str] = (),
    strict_width: bool = False,
) -> CsvReader:
    """Check a CSV file's header and return its rows; raise FileRejected for missing columns.

    `required` are column keys (see `column_key`); several alternatives can be given as
    "a|b". Blank lines are skipped.
    """
    rows = _physical_rows(source, sniff_delimiter(source.text))
    try:
        _, header = next(rows)
    except StopIteration:
        raise FileRejected("This file is empty: there is no header row.", field="file") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    # Spreadsheets leave blank spacer columns: drop those at the end only, so positions hold.
    while header and not header[-1]:
        header.pop()
    keys = [column_key(h) for h in header]
    present = set(keys)
    missing = [
        name.split("|")[0]
        for name in required
        if not any(alt in present for alt in name.split("|"))
    ]
    if missing:
        found = ", ".join(h for h in header if h) or "no column names"
        names = " and ".join(f"'{m}'" for m in missing)
        plural = "columns" if len(missing) > 1 else "column"
        raise FileRejected(
            f"This file is missing the required {plural} {names}; found: {found}.",
            field=missing[0],
            line=1,
        )
    return CsvReader(source, header, keys, strict_width, rows)


def csv_header(text: str) -> list[str]:
    """Return the column keys of the first line of CSV text, for format detection."""
    head = text[:65536]
    try:
        first = next(csv.reader(io.StringIO(head, newline=""), delimiter=sniff_delimiter(head)))
    except (StopIteration, csv.Error):
        return []
    return [column_key(h.lstrip("\ufeff")) for h in first]
