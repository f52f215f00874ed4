"""The matching engine: plain data in, ranked matches with reasons out.

Pure domain code: no Flask, no database. Services build `SupplierProfile` and `TenderQuery`
values from rows, fit a `MatchIndex` (or an `OpportunityIndex` over open tenders), persist it
with `save`, and call `match` / `for_supplier`. `CPVSuggester` proposes CPV codes for free text.

`MatchIndex` is imported on first use: it needs scikit-learn, which takes seconds to import,
and the commands that never match (imports, spend, database upgrades) should not wait for it.
"""

from coopmatch.matching.persist import IndexFormatError
from coopmatch.matching.scoring import ScoringParams
from coopmatch.matching.types import (
    DEFAULT_WEIGHTS,
    SOCIAL_OWNERSHIP,
    LotQuery,
    Match,
    MatchOptions,
    Opportunity,
    PastAward,
    Reason,
    SupplierProfile,
    TenderQuery,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "SOCIAL_OWNERSHIP",
    "IndexFormatError",
    "LotQuery",
    "Match",
    "MatchIndex",
    "MatchOptions",
    "Opportunity",
    "PastAward",
    "Reason",
    "ScoringParams",
    "SupplierProfile",
    "TenderQuery",
]


def __getattr__(name: str):
    if name == "MatchIndex":
        from coopmatch.matching.index import MatchIndex

        return MatchIndex
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
