"""The Common Procurement Vocabulary (CPV 2008): validation, descriptions and word search."""

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from rapidfuzz import fuzz, process, utils

from coopmatch.errors import InvalidCPV

CPV_FILE = Path("reference-data") / "cpv" / "cpv_2008_en.csv"
BRIDGE_FILE = Path("reference-data") / "cpv" / "cpv_to_nace_a64_open_risk.csv"
_CODE = re.compile(r"^(\d{8})(?:-(\d))?$")


@dataclass(frozen=True)
class CPVCode:
    code: str  # 8 digits, no check digit
    check_digit: str
    description: str
    level: int  # 1 division, 2 group, 3 class, 4 category, 5+ deeper

    @property
    def division(self) -> str:
        return self.code[:2]

    @property
    def full(self) -> str:
        return f"{self.code}-{self.check_digit}" if self.check_digit else self.code


def significant_digits(code: str) -> str:
    """Return the code without its trailing zeros: 45210000 -> 4521 (at least 2 digits)."""
    stripped = code.rstrip("0")
    return stripped if len(stripped) >= 2 else code[:2]


def shared_depth(a: str, b: str) -> int:
    """Return how many leading digits two 8-digit codes share, up to the shorter's precision."""
    depth = 0
    for x, y in zip(significant_digits(a), significant_digits(b), strict=False):
        if x != y:
            break
        depth += 1
    return depth


def load_cpv_bridge(data_dir: str | Path | None) -> dict[str, list[str]]:
    """Return CPV code (8 digits) -> SIC 2007 divisions, or {} without the reference data.

    The bridge (Open Risk's CPV -> NACE A*64) is coarse: a soft link between sectors, never
    an official correspondence.
    """
    path = Path(data_dir) / BRIDGE_FILE if data_dir else None
    if not path or not path.is_file():
        return {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return {
            row["code8"]: [d for d in row["sic2007_divisions"].split(";") if d]
            for row in csv.DictReader(handle)
        }


def sic_divisions(code: str, bridge: Mapping[str, list[str]]) -> list[str]:
    """Return the SIC divisions of a CPV code (or prefix), from it or its nearest parent."""
    if not bridge or not code:
        return []
    digits = significant_digits(code[:8].ljust(8, "0"))
    for length in range(len(digits), 1, -1):
        found = bridge.get(digits[:length].ljust(8, "0"))
        if found:
            return list(found)
    return []


class CPVVocabulary:
    """CPV 2008 from the reference data; with no data, codes are checked by format only."""

    def __init__(self, data_dir: str | None):
        self.data_dir = data_dir
        self.path = Path(data_dir) / CPV_FILE if data_dir else None

    @cached_property
    def sic_bridge(self) -> dict[str, list[str]]:
        """CPV code -> SIC divisions (load_cpv_bridge), read once and shared."""
        return load_cpv_bridge(self.data_dir)

    @property
    def available(self) -> bool:
        return bool(self.path and self.path.is_file())

    @cached_property
    def codes(self) -> dict[str, CPVCode]:
        if not self.available:
            return {}
        with open(self.path, encoding="utf-8-sig", newline="") as handle:
            return {
                row["code8"]: CPVCode(
                    row["code8"], row["check_digit"], row["description"], int(row["level"])
                )
                for row in csv.DictReader(handle)
            }

    @cached_property
    def _search_keys(self) -> list[str]:
        return [utils.default_process(c.description) for c in self.codes.values()]

    def normalise(self, text: str, *, field: str = "cpv_codes") -> str:
        """Return the 8-digit code for "45000000-7" or "45000000"."""
        match = _CODE.match((text or "").strip())
        if not match:
            raise InvalidCPV(
                f"'{text}' is not a CPV code: enter 8 digits, like 45000000 or 45000000-7.",
                field=field,
            )
        code, check = match.group(1), match.group(2)
        known = self.codes.get(code)
        if self.available and not known:
            raise InvalidCPV(f"{code} is not a code in CPV 2008.", field=field)
        if known and check and known.check_digit and check != known.check_digit:
            raise InvalidCPV(
                f"{code}-{check} has the wrong check digit: CPV 2008 lists {known.full}.",
                field=field,
            )
        return code

    def normalise_many(self, text_or_codes, *, field: str = "cpv_codes") -> list[str]:
        """Parse codes separated by commas, semicolons or spaces, keeping order, no repeats."""
        if isinstance(text_or_codes, str):
            parts = re.split(r"[;,\s]+", text_or_codes.strip())
        else:
            parts = list(text_or_codes)
        codes: dict[str, None] = {}
        for part in parts:
            if part and part.strip():
                codes.setdefault(self.normalise(part, field=field), None)
        return list(codes)

    def describe(self, code: str) -> str:
        known = self.codes.get(code[:8])
        return known.description if known else ""

    def label(self, code: str) -> str:
        description = self.describe(code)
        return f"{code} {description}" if description else code

    def divisions(self) -> list[CPVCode]:
        return [c for c in self.codes.values() if c.level == 1]

    def division_name(self, division: str) -> str:
        return self.describe(f"{division}000000") or f"Division {division}"

    def search(self, query: str, limit: int = 10) -> list[CPVCode]:
        """Find codes by code prefix or by words in their description, best first."""
        query = (query or "").strip()
        if not query or not self.available:
            return []
        digits = re.sub(r"\D", "", query)
        if digits and len(digits) == len(query.replace("-", "").replace(" ", "")):
            found = [c for code, c in self.codes.items() if code.startswith(digits)]
            return sorted(found, key=lambda c: (c.level, c.code))[:limit]
        all_codes = list(self.codes.values())
        # General codes first among descriptions holding every word.
        chosen = find_by_words(self._search_keys, query, limit,
                               order=lambda i: (all_codes[i].level, len(self._search_keys[i])))
        return [all_codes[i] for i in chosen]


def find_by_words(keys: list[str], query: str, limit: int, order) -> list[int]:
    """Return the positions of the best `keys` (texts run through rapidfuzz's
    `utils.default_process`) for a query of words: those holding every word as a word's
    start first, sorted by `order` (position -> sort key); then near misses (typos, plurals)
    by fuzzy word-set similarity. Shared by the CPV and SIC pickers."""
    words = utils.default_process(query).split()
    exact = [i for i, key in enumerate(keys)
             if all(any(w.startswith(q) for w in key.split()) for q in words)]
    exact.sort(key=order)
    chosen = exact[:limit]
    if len(chosen) < limit:
        hits = process.extract(" ".join(words), keys, scorer=fuzz.token_set_ratio,
                               processor=None, limit=limit * 2, score_cutoff=70)
        chosen += [i for _, _, i in hits if i not in chosen][: limit - len(chosen)]
    return chosen


_vocabularies: dict[str, CPVVocabulary] = {}


def load_vocabulary(data_dir: str | None) -> CPVVocabulary:
    """Return the shared vocabulary for a data directory."""
    key = str(data_dir or "")
    if key not in _vocabularies:
        _vocabularies[key] = CPVVocabulary(data_dir)
    return _vocabularies[key]
