"""Every import format by name: what it holds, how to parse it, and how to recognise a file."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports import (
    award_pairs,
    companies_house,
    contracts_finder,
    coops_uk,
    lancashire,
    ocds,
    ocds_csv,
    silvereye,
    suppliers,
    ted,
)
from coopmatch.imports.reading import (
    DEFAULT_MAX_BYTES,
    FileRejected,
    Source,
    SourceLike,
    csv_header,
    load_json,
    open_source,
)
from coopmatch.imports.records import NoticeRecord, RowError, SupplierRecord

Parsed = Iterator[SupplierRecord | NoticeRecord | RowError]


@dataclass(frozen=True)
class ImportFormat:
    name: str  # the CLI name: `coopmatch import <name> FILE`
    kind: str  # "suppliers" or "notices"
    label: str  # what a user would call the file
    parser: Callable[..., Parsed]
    options: frozenset[str] = frozenset()  # which of data_dir / areas the parser takes

    def parse(
        self,
        source: SourceLike,
        *,
        cpv: CPVVocabulary,
        data_dir: str | Path | None = None,
        areas: set[str] | None = None,
        max_bytes: int | None = None,
    ) -> Parsed:
        """Parse a file in this format, passing on only the options the format takes."""
        options: dict = {"max_bytes": max_bytes or DEFAULT_MAX_BYTES}
        if "data_dir" in self.options:
            options["data_dir"] = data_dir
        if "areas" in self.options:
            options["areas"] = areas
        return self.parser(source, cpv=cpv, **options)


FORMATS: dict[str, ImportFormat] = {
    f.name: f
    for f in [
        ImportFormat("suppliers", "suppliers", "coopmatch supplier register CSV", suppliers.parse),
        ImportFormat(
            "coops-uk",
            "suppliers",
            "Co-operatives UK open data CSV",
            coops_uk.parse,
            frozenset({"data_dir"}),
        ),
        ImportFormat(
            "companies-house",
            "suppliers",
            "Companies House basic company data CSV",
            companies_house.parse,
            frozenset({"areas"}),
        ),
        ImportFormat(
            "ocds",
            "notices",
            "OCDS releases or records (JSON, JSON Lines, .gz)",
            ocds.parse,
            frozenset({"data_dir"}),
        ),
        ImportFormat(
            "contracts-finder",
            "notices",
            "Contracts Finder CSV export",
            contracts_finder.parse,
        ),
        ImportFormat(
            "ocds-csv",
            "notices",
            "OCDS flattened to CSV (one column per JSON path)",
            ocds_csv.parse,
            frozenset({"data_dir"}),
        ),
        ImportFormat("silvereye-awards", "notices", "Silvereye award CSV", silvereye.parse_awards),
        ImportFormat(
            "silvereye-tenders", "notices", "Silvereye tender CSV", silvereye.parse_tenders
        ),
        ImportFormat("ted-awards", "notices", "TED contract award CSV", ted.parse),
        ImportFormat(
            "lancashire-json",
            "notices",
            "Contracts Finder notices JSON (Lancashire councils)",
            lancashire.parse_json,
        ),
        ImportFormat(
            "lancashire-csv",
            "notices",
            "Contracts Finder notices CSV (Lancashire councils)",
            lancashire.parse_csv,
        ),
        ImportFormat(
            "award-pairs", "notices", "Labelled award-supplier pairs CSV", award_pairs.parse
        ),
    ]
}

# CSV layouts by the columns that only they have, most specific first.
_CSV_SIGNATURES: list[tuple[str, set[str]]] = [
    ("ocds-csv", {"releases_0_ocid"}),
    ("award-pairs", {"record_id", "supplier_name", "buyer_name"}),
    ("silvereye-awards", {"notice_id", "supplier_name", "award_title"}),
    ("silvereye-tenders", {"notice_id", "tender_title"}),
    ("ted-awards", {"contract_url", "supplier_name", "contract_buyer"}),
    ("contracts-finder", {"notice_identifier", "organisation_name"}),
    ("lancashire-csv", {"id", "organisation", "awarded_supplier"}),
    ("coops-uk", {"identifier", "ownership_classification"}),
    ("coops-uk", {"cuk_organisation_id"}),
    ("companies-house", {"companyname", "companynumber"}),
    ("suppliers", {"name"}),
]


def get_format(name: str) -> ImportFormat:
    """Return a format by its name; raise FileRejected listing the names when unknown."""
    try:
        return FORMATS[name]
    except KeyError:
        names = ", ".join(FORMATS)
        raise FileRejected(f"'{name}' is not an import format; use one of: {names}.") from None


def _json_format(text: str) -> str | None:
    head = text[:200_000]
    if re.search(r'"(releases|records|ocid|record_packages|release_packages)"\s*:', head):
        return "ocds"
    try:
        document = load_json(text)
    except json.JSONDecodeError:
        return None
    if isinstance(document, dict):
        councils = [v for v in document.values() if isinstance(v, dict)]
        if "contracts" in document or any("contracts" in v for v in councils):
            return "lancashire-json"
    if isinstance(document, list) and document and isinstance(document[0], dict):
        if "awarded_supplier" in document[0]:
            return "lancashire-json"
    return None


get = get_format


def detect_source(source: Source) -> str | None:
    """Return the format name of a decoded file by its JSON shape or CSV header, or None."""
    text = source.text.lstrip()
    if text[:1] in "[{":
        return _json_format(text)
    columns = set(csv_header(text))
    for name, signature in _CSV_SIGNATURES:
        if signature <= columns:
            return name
    return None


def detect_format(source: SourceLike, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """Return the format name of a file (path, stream or Source) by sniffing it, or None."""
    return detect_source(open_source(source, max_bytes=max_bytes))


def parse_file(
    name: str | None,
    source: SourceLike,
    *,
    cpv: CPVVocabulary,
    data_dir: str | Path | None = None,
    areas: set[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Parsed:
    """Parse a file in the named format (or the detected one when name is None).

    Raises FileRejected (on first iteration for a known format) when the file cannot be read.
    """
    src = open_source(source, max_bytes=max_bytes)
    if name is None:
        name = detect_source(src)
        if name is None:
            raise FileRejected(
                "This file's layout was not recognised. Choose its format: "
                + ", ".join(FORMATS)
                + ".",
                field="file",
            )
    return get_format(name).parse(src, cpv=cpv, data_dir=data_dir, areas=areas)
