"""Sectors: CPV divisions and groups, their names, and the coarse CPV -> SIC bridge."""

import csv
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from coopmatch.cpv import shared_depth, sic_divisions, significant_digits
from coopmatch.gaps.types import UNCLASSIFIED

NAMES_FILE = Path("reference-data") / "cpv" / "cpv_2008_en.csv"


def load_cpv_names(data_dir: str | Path | None) -> dict[str, str]:
    """Return CPV code (8 digits) -> description, or {} without the reference data."""
    path = Path(data_dir) / NAMES_FILE if data_dir else None
    if not path or not path.is_file():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {row["code8"]: row["description"] for row in csv.DictReader(handle)}


def padded(prefix: str) -> str:
    """Return the 8-digit code of a division or group: "983" -> "98300000"."""
    return prefix[:8].ljust(8, "0")


def sector_name(code: str, names: Mapping[str, str]) -> str:
    if code == UNCLASSIFIED:
        return "Unclassified (no CPV code)"
    level = "Division" if len(code) == 2 else "Group"
    return names.get(padded(code)) or f"CPV {level.lower()} {code}"


def card_name(sector: str, codes: Iterable[str], names: Mapping[str, str]) -> str:
    """Name a gap by its sector, and the class most of its notices buy when that says more.

    CPV group 983 is "Miscellaneous services"; its notices' class 9831 says "Washing and
    dry-cleaning services", which is what a development agency needs to read.
    """
    name = sector_name(sector, names)
    classes = Counter(c[:4] for c in codes if c and len(c[:4].rstrip("0")) > len(sector))
    if not classes:
        return name
    top, count = classes.most_common(1)[0]
    detail = names.get(padded(top))
    if detail and count * 2 >= sum(classes.values()) and detail.lower() != name.lower():
        return f"{detail} ({name.lower()})"
    return name


def sic_divisions_of(codes: Iterable[str], bridge: Mapping[str, list[str]]) -> list[str]:
    found: dict[str, None] = {}
    for code in codes:
        found.update(dict.fromkeys(sic_divisions(code, bridge)))
    return sorted(found)


def covers(code: str, supplier_codes: Iterable[str]) -> bool:
    """Return whether a supplier's codes cover a notice's code: the same class, or finer.

    A code coarser than a class (a group, say) is covered by any code inside it.
    """
    need = min(len(significant_digits(code)), 4)
    return any(shared_depth(code, s) >= need for s in supplier_codes)


class SupplierPostings:
    """Suppliers by CPV prefix and by SIC division, for finding related firms fast."""

    def __init__(self, suppliers: Iterable):
        self.by_prefix: dict[str, set[int]] = {}
        self.by_sic: dict[str, set[int]] = {}
        for supplier in suppliers:
            for code in supplier.cpv_codes:
                digits = significant_digits(code)
                for length in range(2, len(digits) + 1):
                    self.by_prefix.setdefault(digits[:length], set()).add(supplier.id)
            for sic in supplier.sic_codes:
                if len(sic) >= 2 and sic[:2].isdigit():
                    self.by_sic.setdefault(sic[:2], set()).add(supplier.id)

    def with_prefix(self, prefix: str) -> set[int]:
        return self.by_prefix.get(prefix, set())

    def in_sic(self, divisions: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for division in divisions:
            found |= self.by_sic.get(division, set())
        return found
