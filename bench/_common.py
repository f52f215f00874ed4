"""Shared pieces of the matching benchmarks: where the data is, and reading it."""

import csv
import os
import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coopmatch.geo import find_postcode  # noqa: E402
from coopmatch.imports.notices import lenient_postcode, split_supplier_names  # noqa: E402
from coopmatch.names import (  # noqa: E402
    buyer_key,
    clean_text,
    names_no_supplier,
    normalise_name,
    principal_buyer,
)

LABELLED = Path("procurement-data") / "labelled" / "award_supplier_pairs_uk.csv"
OUT = ROOT / "bench" / "out"


def default_data_dir() -> Path:
    """Return COOPMATCH_DATA_DIR, else ../shared beside the checkout."""
    return Path(os.environ.get("COOPMATCH_DATA_DIR") or ROOT.parent / "shared")


def add_data_dir_argument(parser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default_data_dir(),
        help="the open data directory (default: $COOPMATCH_DATA_DIR or ../shared)",
    )


def geography(data_dir: Path):
    """Return the GeoReference with its postcode cache under bench/out."""
    from coopmatch.geo import load_reference

    cache = OUT / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    return load_reference(str(data_dir), str(cache))


def locate(geo, postcode: str | None) -> dict:
    """Return latitude, longitude and area codes of a postcode (all None when unknown)."""
    empty = {
        "latitude": None,
        "longitude": None,
        "lad_code": None,
        "county_code": None,
        "region_code": None,
    }
    if not postcode:
        return empty
    from coopmatch.errors import InvalidPostcode

    try:
        return _where(geo.lookup(postcode))
    except (InvalidPostcode, ValueError):
        return empty


def _where(place) -> dict:
    """Return a Place's coordinates and area codes as a dict."""
    return {
        "latitude": place.latitude,
        "longitude": place.longitude,
        "lad_code": place.lad_code,
        "county_code": place.county_code,
        "region_code": place.region_code,
    }


def buyer_place(geo, postcode: str | None, name: str, text: str = "") -> dict:
    """Where a notice is, as the app's importer places it: a postcode its text gives (the
    site of the work), else the buyer's postcode, else the council area its name names
    (Contracts Finder's Lancashire notices give no address)."""
    site = locate(geo, find_postcode(text))
    if site["latitude"] is not None:
        return site
    buyer = principal_buyer(name)
    # A body bought for by another is placed by its name first: the postcode given may be its
    # agent's (a council's department, named after it, gives the council's own).
    found = geo.place_of_buyer(buyer) if not clean_text(name).startswith(buyer) else None
    if found is not None:
        return _where(found)
    place = locate(geo, postcode)
    if place["latitude"] is not None or place["region_code"] is not None:
        return place
    found = geo.place_of_buyer(buyer)
    return place if found is None else _where(found)


def money(text: str | None) -> float | None:
    """Parse "12345.6" or a TED range "1000000-2000000" (the upper bound)."""
    if not text:
        return None
    numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text.replace(",", ""))]
    value = max(numbers) if numbers else None
    return value if value and value > 0 else None


@dataclass
class Notice:
    """One awarded notice from the labelled pairs, with its winners."""

    record_id: str
    source: str
    title: str
    description: str
    buyer_name: str
    buyer_postcode: str
    cpv_codes: list[str]
    value: float | None
    winners: dict[str, dict] = field(default_factory=dict)  # supplier key -> raw row facts


def supplier_names(row: dict) -> list[str]:
    """Return the supplier names on a row, as the award-pairs importer reads them.

    Only the Lancashire rows join several winners in one name. Placeholders ("NOT AWARDED TO
    SUPPLIER", "Multiple Providers", "Withheld": names.names_no_supplier) name no winner.
    """
    name = clean_text(row["supplier_name"])
    if row.get("source") != "cf_lancashire_councils":
        return [] if names_no_supplier(name) else [name]
    return [winner for _, winner in split_supplier_names(name)]


def buyer_identity(notice: Notice) -> str:
    """A notice's buyer as the importer identifies it (its buyer_key); a notice that names no
    buyer is a buyer of its own, never the same as another's."""
    return buyer_key(principal_buyer(notice.buyer_name)) or f"unnamed:{notice.record_id}"


def supplier_key(name: str) -> str:
    """Supplier identity in the benchmark: the normalised name."""
    return normalise_name(name)


REQUIRED_COLUMNS = ("record_id", "title", "supplier_name")


def load_notices(data_dir: Path, pairs: Path | None = None) -> list[Notice]:
    """Read the labelled pairs (by default the data directory's) as notices with their winners
    (HTML unescaped).

    Only record_id, title and supplier_name are needed; the other columns of the data
    directory's file (description, buyer_name, buyer_postcode, cpv_codes, award_value,
    supplier_postcode, supplier_address, supplier_is_sme, source) are read where present.
    """
    notices: dict[str, Notice] = {}
    path = pairs or data_dir / LABELLED
    if not Path(path).is_file():
        raise SystemExit(f"{path}: no such file of labelled pairs (--pairs, or the data "
                         "directory's procurement-data/labelled/award_supplier_pairs_uk.csv).")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"{path}: no {', '.join(missing)} column; the labelled pairs need "
                             f"{', '.join(REQUIRED_COLUMNS)}.")
        for raw in reader:
            row = {k: (v or "") for k, v in raw.items() if k is not None}
            if not row["record_id"].strip():
                continue
            notice = notices.get(row["record_id"])
            if notice is None:
                notice = notices[row["record_id"]] = Notice(
                    record_id=row["record_id"],
                    source=row.get("source", ""),
                    title=clean_text(row["title"]),
                    description=clean_text(row.get("description", "")),
                    buyer_name=clean_text(row.get("buyer_name", "")),
                    buyer_postcode=row.get("buyer_postcode", "").strip(),
                    cpv_codes=[c for c in re.split(r"[;,|\s]+", row.get("cpv_codes", "")) if c],
                    value=money(row.get("award_value")),
                )
            for name in supplier_names(row):
                key = supplier_key(name)
                if key and key not in notice.winners:
                    notice.winners[key] = {
                        "name": name,
                        # As the importer reads it: the field, else one in the address.
                        "postcode": lenient_postcode(
                            row.get("supplier_postcode"), row.get("supplier_address")
                        )
                        or "",
                        "is_sme": row.get("supplier_is_sme", ""),
                    }
    return [n for n in notices.values() if n.winners]


def summary(values: list[float]) -> str:
    """Return "mean ± sd" of a list."""
    if not values:
        return "n/a"
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {spread:.3f}"
