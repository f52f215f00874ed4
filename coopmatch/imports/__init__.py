"""Pure parsers for every import format: files in, plain records (or row errors) out.

Use `formats.parse_file(name, path_or_stream, cpv=...)` or a format module's `parse`; every
parser is a generator of `SupplierRecord` / `NoticeRecord` / `RowError`, and raises
`FileRejected` when the file as a whole cannot be read.
"""

from coopmatch.imports.reading import DEFAULT_MAX_BYTES, FileRejected, Source, open_source

__all__ = ["DEFAULT_MAX_BYTES", "FileRejected", "Source", "open_source"]
