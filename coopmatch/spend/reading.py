"""Open a ledger file, whatever it was saved as: CSV in UTF-8 or Windows-1252, gzipped, or XLSX."""

import codecs
import csv
import gzip
import io
import itertools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
MAX_WORKBOOK_BYTES = 256 * 1024 * 1024
_FALLBACK = "coopmatch-spend-cp1252"
_state = threading.local()


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    # Windows-1252 where a byte is not UTF-8: "£" saved by Excel as 0xA3 reads as "£".
    _state.fallbacks = getattr(_state, "fallbacks", 0) + 1
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


codecs.register_error(_FALLBACK, _cp1252_fallback)


class UnreadableFile(ValueError):
    """A file that is not a ledger this code can read (reason in the message)."""


class _Limited(io.RawIOBase):
    """A binary stream that refuses to give more than `limit` bytes (after decompression)."""

    def __init__(self, raw: BinaryIO, limit: int):
        self._raw, self._left = raw, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        self._left -= len(data)
        if self._left < 0:
            raise UnreadableFile("the file is larger than the import limit")
        buffer[: len(data)] = data
        return len(data)


@dataclass
class Opened:
    name: str
    kind: str  # "csv" or "xlsx"
    stream: BinaryIO
    owned: BinaryIO | None = None  # the file this module opened; a caller's stream stays open

    def close(self) -> None:
        if self.owned is not None:
            self.owned.close()


def source_name(source) -> str:
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return Path(getattr(source, "name", "") or "upload").name


def open_ledger(source, *, max_bytes: int | None = None) -> Opened:
    """Open a path, bytes or binary stream; tell CSV (gzipped or not) from XLSX by content."""
    name = source_name(source)
    owned = None
    if isinstance(source, bytes | bytearray):
        stream: BinaryIO = io.BytesIO(source)
    elif isinstance(source, str | os.PathLike):
        stream = owned = open(source, "rb")  # noqa: SIM115 - closed by Opened.close
    else:
        stream = source
    try:
        return _open(name, stream, owned, max_bytes)
    except BaseException:
        if owned is not None:
            owned.close()
        raise


def _open(name: str, stream: BinaryIO, owned, max_bytes: int | None) -> Opened:
    head = _peek(stream, 4)
    if head.startswith(GZIP_MAGIC):
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
        head = _peek(stream, 4)
    if head.startswith(OLE_MAGIC):
        raise UnreadableFile("this is an old .xls workbook; save it as .xlsx or CSV")
    if head.startswith(ZIP_MAGIC):
        # A workbook is a zip archive, read by seeking: hold it in memory, within the limit.
        limit = max_bytes if max_bytes is not None else MAX_WORKBOOK_BYTES
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise UnreadableFile("the file is larger than the import limit")
        return Opened(name, "xlsx", io.BytesIO(data), owned)
    if max_bytes is not None:
        stream = io.BufferedReader(_Limited(stream, max_bytes))
    return Opened(name, "csv", stream, owned)


def _peek(stream: BinaryIO, size: int) -> bytes:
    if hasattr(stream, "peek"):
        return stream.peek(size)[:size]
    if stream.seekable():
        position = stream.tell()
        head = stream.read(size)
        stream.seek(position)
        return head
    raise UnreadableFile("the upload cannot be read twice")


def csv_rows(stream: BinaryIO) -> tuple[Iterator[list[str]], "Decoding"]:
    """Return the CSV records of a byte stream (any line ending, BOM or not) and its encoding."""
    created = not hasattr(stream, "peek")
    buffered = io.BufferedReader(stream) if created else stream
    head = buffered.peek(4)[:4]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, errors = "utf-16", "replace"
    else:
        encoding, errors = "utf-8-sig", _FALLBACK
    decoding = Decoding(encoding)
    # newline="" splits lines at \r, \n or \r\n (old-Mac files end lines with \r alone) and
    # leaves line breaks inside quoted cells for the csv module.
    text = io.TextIOWrapper(buffered, encoding=encoding, errors=errors, newline="")
    decoding.wrappers = [text, buffered] if created else [text]
    first = list(itertools.islice(text, 5))
    rows = csv.reader(itertools.chain(first, text), _dialect(first))
    return rows, decoding


def _dialect(lines: list[str]) -> type[csv.Dialect]:
    counts = {sep: sum(line.count(sep) for line in lines) for sep in (",", "\t", ";", "|")}
    best = max(counts, key=counts.get)
    if best == "," or counts[best] <= counts[","]:
        return csv.excel
    return type("Sniffed", (csv.excel,), {"delimiter": best})


class Decoding:
    """Which text encoding a CSV turned out to be in."""

    def __init__(self, encoding: str):
        self.declared = encoding
        self.fallbacks = 0
        self._start = _fallbacks()
        # Wrappers made around the caller's stream: detached, not closed, when reading ends.
        self.wrappers: list = []

    @property
    def encoding(self) -> str:
        if self.declared == "utf-16":
            return "utf-16"
        return "cp1252" if self.fallbacks else "utf-8"

    def finish(self) -> None:
        """Note how many bytes needed the Windows-1252 fallback, and let go of the stream."""
        self.fallbacks = _fallbacks() - self._start
        for wrapper in self.wrappers:
            wrapper.detach()
        self.wrappers = []


def _fallbacks() -> int:
    return getattr(_state, "fallbacks", 0)
