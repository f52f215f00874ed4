"""UK SIC 2007 (the industry codes Companies House and Co-operatives UK give): names and checks.

Suppliers from those registers carry SIC codes, not CPV codes. Matching links the two through
the coarse CPV-SIC bridge (coopmatch.cpv); this module gives the codes their names, so that a
reason or a profile says "56102 Unlicenced restaurants and cafes", not "56102".
"""

import csv
import re
from functools import cache, cached_property
from pathlib import Path

from rapidfuzz import utils

from coopmatch.cpv import find_by_words
from coopmatch.errors import InvalidSIC

# The 5-digit list Companies House uses for "nature of business" (731 codes).
SIC_FILE = Path("reference-data") / "sic" / "sic2007_companies_house_condensed.tsv"
# The ONS hierarchy: sections, divisions (2 digits), groups and classes, with their names.
HIERARCHY_FILE = Path("reference-data") / "sic" / "sic2007_uk_hierarchy.tsv"
_CODE = re.compile(r"\d{5}")


class SICVocabulary:
    """UK SIC 2007 from the reference data; with no data, codes are checked by format only."""

    def __init__(self, data_dir: str | None):
        self.data_dir = data_dir

    def _read(self, relative: Path) -> list[dict]:
        path = Path(self.data_dir) / relative if self.data_dir else None
        if not path or not path.is_file():
            return []
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle, delimiter="\t"))

    @cached_property
    def names(self) -> dict[str, str]:
        """5-digit code -> name ("56102" -> "Unlicenced restaurants and cafes")."""
        return {row["industrial-classification"]: row["name"] for row in self._read(SIC_FILE)}

    @cached_property
    def _hierarchy(self) -> dict[str, str]:
        """Section, division ("56"), group ("56.1") and class ("56.10") -> name."""
        return {row["industrial-classification-2007"]: row["name"]
                for row in self._read(HIERARCHY_FILE)}

    def division_name(self, division: str) -> str | None:
        """Return a division's name ("56" -> "Food and beverage service activities")."""
        return self._hierarchy.get(division)

    def name(self, code: str) -> str | None:
        """Return a 5-digit code's name; a code the list lacks ("35100", as Co-operatives UK
        gives a group) takes the name of the class, group or division it stands for; else None."""
        if code in self.names:
            return self.names[code]
        if not _CODE.fullmatch(code or ""):
            return None
        # A trailing zero stands for "the whole class / group / division" ("35100", "01000").
        for digits, key in ((4, f"{code[:2]}.{code[2:4]}"), (3, f"{code[:2]}.{code[2]}"),
                            (2, code[:2])):
            if code[digits:].strip("0") == "" and key in self._hierarchy:
                return self._hierarchy[key]
        return None

    @property
    def available(self) -> bool:
        return bool(self.names)

    @cached_property
    def _search_keys(self) -> list[str]:
        return [utils.default_process(name) for name in self.names.values()]

    def search(self, query: str, limit: int = 10) -> list[tuple[str, str]]:
        """Find (code, name) by code prefix ("561") or by words in the names ("cafe"), for the
        supplier form's picker: names holding every word (as a word prefix) first, shortest
        first; then near misses (typos) by fuzzy word-set similarity."""
        query = (query or "").strip()
        if not query or not self.names:
            return []
        if query.isdigit():
            return [(c, n) for c, n in self.names.items() if c.startswith(query)][:limit]
        keys, entries = self._search_keys, list(self.names.items())
        return [entries[i] for i in find_by_words(keys, query, limit,
                                                  order=lambda i: len(keys[i]))]

    def describe(self, code: str) -> str:
        """Return "56102 Unlicenced restaurants and cafes", or the code where it has no name."""
        name = self.name(code)
        return f"{code} {name}" if name else code


def parse_sic_codes(text: str | None, *, field: str = "sic_codes") -> list[str]:
    """Return the 5-digit UK SIC 2007 codes in text (separated by spaces, commas or
    semicolons), in order and without repeats; InvalidSIC names the first that is not one."""
    codes: dict[str, None] = {}
    for part in re.split(r"[;,\s]+", (text or "").strip()):
        if not part:
            continue
        if not _CODE.fullmatch(part):
            raise InvalidSIC(f"'{part}' is not a SIC code: SIC codes have 5 digits, like 56290",
                             field=field)
        codes.setdefault(part, None)
    return list(codes)


@cache
def load_sic(data_dir: str | None) -> SICVocabulary:
    """Return the shared SIC vocabulary for a data directory."""
    return SICVocabulary(str(data_dir) if data_dir else None)
