"""The matching engine: plain data in, ranked matches with reasons out.

Pure domain code: no Flask, no database. Services build `SupplierProfile` and `TenderQuery`
values from rows, fit a `MatchIndex` (or an `OpportunityIndex` over open tenders), persist it
with `save`, and call `match` / `for_supplier`. `CPVSuggester` proposes CPV codes for free text.
"""

from coopmatch.matching.index import MatchIndex
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
