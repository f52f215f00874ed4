"""OCDS flattened into one CSV row a package, with JSON paths as column names (Silvereye's).

Columns look like `releases/0/awards/0/suppliers/1/address/postalCode`. Each row is rebuilt
into a release package and read exactly as OCDS JSON is, so the same quirks are handled.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports.ocds import OCDSCollector, get_merger, schema_path_for
from coopmatch.imports.reading import DEFAULT_MAX_BYTES, SourceLike, open_source, read_csv
from coopmatch.imports.records import NoticeRecord, RowError


def unflatten(pairs: Iterator[tuple[str, str]]) -> dict:
    """Rebuild nested JSON from (path, value) pairs, skipping blank values."""
    root: dict = {}
    for path, value in pairs:
        if value is None or not value.strip():
            continue
        parts = [p for p in path.strip().split("/") if p]
        node: dict | list = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if isinstance(node, list) and not part.isdigit():
                break  # a column name that is not an OCDS path
            key: str | int = int(part) if isinstance(node, list) else part
            if following is None:
                _put(node, key, value.strip())
                break
            child = _get(node, key)
            if child is None:
                child = [] if following.isdigit() else {}
                _put(node, key, child)
            if not isinstance(child, dict | list):
                break  # both "a" and "a/b" have values: keep the first
            node = child
    return root


def _get(node, key):
    if isinstance(node, list):
        return node[key] if key < len(node) else None
    return node.get(key)


def _put(node, key, value) -> None:
    if isinstance(node, list):
        while len(node) <= key:
            node.append(None)
        node[key] = value
    else:
        node[key] = value


def _compact(value):
    # Rows fill array positions sparsely (supplier 3 of 10): drop the holes.
    if isinstance(value, list):
        return [_compact(v) for v in value if v is not None]
    if isinstance(value, dict):
        return {k: _compact(v) for k, v in value.items()}
    return value


def parse(
    source: SourceLike,
    *,
    cpv: CPVVocabulary,
    data_dir: str | Path | None = None,
    schema_path: str | Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[NoticeRecord | RowError]:
    """Parse a flattened OCDS CSV into one notice per ocid."""
    src = open_source(source, max_bytes=max_bytes)
    reader = read_csv(src, required=["releases_0_ocid|ocid"])
    collector = OCDSCollector()
    for row in reader:
        if isinstance(row, RowError):
            yield row
            continue
        document = _compact(unflatten(zip(reader.header, row.cells, strict=False)))
        yield from collector.add(document, row.line)
    merger = get_merger(str(schema_path or schema_path_for(data_dir) or ""))
    yield from collector.notices(cpv=cpv, merger=merger)
