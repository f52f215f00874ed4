"""Plain data in and out of the matching engine: no database rows, no Flask."""

from collections.abc import Callable
from dataclasses import dataclass, field

# The democratic and social ownership models that an ownership preference favours. A copy of
# coopmatch.models.SOCIAL_OWNERSHIP so that this package stays free of the database layer.
SOCIAL_OWNERSHIP = frozenset(
    {
        "worker_coop",
        "consumer_coop",
        "multi_stakeholder_coop",
        "community_benefit_society",
        "employee_owned",
        "social_enterprise",
        "charity",
    }
)
# The ownership model of councils, NHS trusts and the like, which a search may leave out.
PUBLIC_BODY = "public_body"

# The weights used when the caller passes none (config.Config.MATCH_WEIGHTS has the same keys).
# Chosen on bench/match_quality.py across seeds; "ownership" counts only when a search prefers
# social ownership, and every weight is relative (the score is a weighted mean).
DEFAULT_WEIGHTS = {
    # The text: TF-IDF cosine of words and character n-grams (the part that is also capability)
    # and BM25 keywords (a ranking signal only).
    "text": 0.18,
    "keywords": 0.4,
    "cpv": 0.15,
    "geography": 0.1,
    "capacity": 0.08,
    "track_record": 0.25,
    "ownership": 0.1,
    # Work of the kind won by suppliers whose contract histories are like this one's, learned
    # from the register's award histories (present once enough suppliers have two contracts).
    "association": 0.35,
}
COMPONENTS = (
    "text",
    "keywords",
    "cpv",
    "geography",
    "capacity",
    "track_record",
    "ownership",
    "association",
)
# Capability (can it do the work?) is the weighted mean of these, whatever the ranking weights:
# gap reports compare it with a threshold calibrated on these proportions. Of the track record
# it reads only the similar work ("similar_work", a component the ranking does not weigh):
# having won many contracts, or this buyer's before, says whom a firm works for, not whether it
# can do this work (a food distributor with eight county contracts had been a near miss for the
# county's bus services on those, a CPV division and a shared word).
# Likewise its text ("work_text") is the text similarity over the words that may be shown as
# evidence of the work (no place or buyer names, no "dynamic purchasing system") and the
# character n-grams: over every word, a data firm with a county's transport DPS on record had
# read as able to run its bus services.
SIMILAR_WORK = "similar_work"
WORK_TEXT = "work_text"
CAPABILITY_WEIGHTS = {WORK_TEXT: 0.45, "cpv": 0.15, SIMILAR_WORK: 0.25}


@dataclass
class PastAward:
    """A contract the supplier has won: its evidence of delivering similar work."""

    title: str
    description: str = ""
    buyer_id: int | None = None
    buyer_name: str | None = None
    value_gbp: float | None = None
    cpv_codes: list[str] = field(default_factory=list)
    tender_id: int | None = None  # the notice it was won on, when known
    latitude: float | None = None  # where the work was (the notice's place), when known
    longitude: float | None = None


@dataclass
class SupplierProfile:
    """What the engine knows about one supplier."""

    id: int
    name: str
    text: str = ""  # capabilities, in the supplier's own words
    awards: list[PastAward] = field(default_factory=list)
    cpv_codes: list[str] = field(default_factory=list)  # declared; won codes come from awards
    latitude: float | None = None
    longitude: float | None = None
    lad_code: str | None = None
    county_code: str | None = None  # county or combined authority
    region_code: str | None = None
    ownership: str = "sme"
    capacity_gbp: float | None = None  # the largest contract it can take; None when unknown
    service_radius_km: float | None = None
    # SIC 2007 codes ("56102"), as Companies House and Co-operatives UK give them: its trade
    # where it has no CPV code (signals.SIC_FIT)
    sic_codes: list[str] = field(default_factory=list)

    @property
    def award_count(self) -> int:
        return len(self.awards)

    @property
    def largest_won_gbp(self) -> float | None:
        """Return the value of the largest contract it has won (None when none has a value)."""
        values = [a.value_gbp for a in self.awards if a.value_gbp and a.value_gbp > 0]
        return max(values) if values else None

    @property
    def buyer_ids(self) -> set[int]:
        return {a.buyer_id for a in self.awards if a.buyer_id is not None}

    @property
    def all_cpv_codes(self) -> list[str]:
        """Return declared codes, then codes of won contracts, without repeats."""
        codes = dict.fromkeys(self.cpv_codes)
        for award in self.awards:
            codes.update(dict.fromkeys(award.cpv_codes))
        return [c for c in codes if c]


@dataclass
class LotQuery:
    id: int
    title: str
    description: str = ""
    value: float | None = None
    cpv_codes: list[str] = field(default_factory=list)  # empty: the tender's codes apply


@dataclass
class TenderQuery:
    """A tender (or an open opportunity) to find suppliers for."""

    id: int
    title: str
    description: str = ""
    cpv_codes: list[str] = field(default_factory=list)
    value: float | None = None
    buyer_id: int | None = None
    buyer_name: str | None = None
    latitude: float | None = None  # the delivery place, else the buyer's address
    longitude: float | None = None
    lad_code: str | None = None
    county_code: str | None = None
    region_code: str | None = None
    lots: list[LotQuery] = field(default_factory=list)
    # A framework agreement or dynamic purchasing system: its value is a ceiling shared by its
    # suppliers over its term, not one contract, so size is a guide there, not a test.
    framework: bool = False
    # A dynamic purchasing system (a framework too): firms join it while it runs and win
    # call-offs of their own size, so the ranking does not weigh size at all on it.
    dps: bool = False

    def __post_init__(self):
        self.framework = self.framework or self.dps


@dataclass
class MatchOptions:
    top_k: int = 10
    area_lad_codes: set[str] | None = None  # "local only": suppliers inside these districts
    radius_km: float | None = None  # ... or within this distance of the tender
    ownership: set[str] | None = None  # only these ownership models
    exclude_ownership: set[str] | None = None  # ... and none of these ("public_body")
    prefer_social: bool = False  # favour co-ops, employee-owned firms and social enterprises
    match_lots: bool = True
    min_score: float = 0.0
    exclude_ids: set[int] | None = None
    weights: dict[str, float] | None = None  # override the index's weights for this search
    # False: matches carry scores, components, capability and distance but no reasons, which
    # costs less when many notices are matched and few candidates are ever shown (gap reports).
    explain: bool = True
    # With explain False, reasons still for the matches this picks by their figures (a gap
    # report: those that might cover a notice, which only their reasons can confirm).
    explain_if: Callable[["Match"], bool] | None = None


@dataclass
class Reason:
    """Why a supplier was matched, for a person to trust or dismiss."""

    kind: str  # text, cpv, geography, capacity, track_record, buyer, association, ownership, lot
    text: str
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "data": self.data}


# Reasons that speak to the work itself (what is asked against what the supplier says it does
# or has done), as against where it is, its size, its ownership, how many contracts it has won
# or whom for, which hold for any tender nearby.
WORK_REASON_KINDS = frozenset({"text", "cpv", "sic", "association"})


def about_the_work(reasons: list[Reason]) -> bool:
    """Does any of these reasons speak to the work itself: shared key terms, CPV codes, similar
    work delivered, or work of the kind its contracts are?"""
    return any(
        r.kind in WORK_REASON_KINDS
        or (r.kind == "track_record" and ("award_title" in r.data or "won_this_tender" in r.data))
        for r in reasons
    )


def fit_label(capable_but_too_small: bool, capable: bool, fits_work: bool) -> str:
    """How a match fits, in words: "capable", "capable, but may be too small", "loose fit"
    (some sign of the work, below the capable level) or "no sign of this work"."""
    if capable_but_too_small:
        return "capable, but may be too small"
    if not fits_work:  # however high its score, nothing about the work brought it
        return "no sign of this work"
    return "capable" if capable else "loose fit"


class _Fit:
    """How a match or an opportunity fits the work, read from its reasons."""

    @property
    def fits_work(self) -> bool:
        """Something about the work brought it here, not only its place, size or ownership."""
        return about_the_work(self.reasons)

    @property
    def close_fit(self) -> bool:
        """Capable, and brought by the work: not only by words of how it is bought ("dynamic
        purchasing system") or place names, which count in the score but are no evidence."""
        return self.capable and self.fits_work


@dataclass
class Match(_Fit):
    supplier_id: int
    score: float  # 0..1, the weighted geometric mean of the components (scoring.combine)
    distance_km: float | None
    lot_id: int | None  # None: the whole tender
    reasons: list[Reason]
    components: dict[str, float]  # each 0..1
    # Capable of the work (text and classification) but not big enough to take it on.
    capable_but_too_small: bool = False
    capability: float = 0.0  # the capability part of the score alone, 0..1
    supplier_name: str = ""
    capable: bool = False  # capability reaches the engine's "capable" level

    def to_dict(self) -> dict:
        return {
            "supplier_id": self.supplier_id,
            "supplier_name": self.supplier_name,
            "score": round(self.score, 4),
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "lot_id": self.lot_id,
            "capability": round(self.capability, 4),
            "capable_but_too_small": self.capable_but_too_small,
            "capable": self.capable,
            "fits_work": self.fits_work,
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass
class Opportunity(_Fit):
    """An open tender (or one of its lots) that fits a supplier."""

    tender_id: int
    lot_id: int | None
    score: float
    reasons: list[Reason]
    components: dict[str, float]
    distance_km: float | None = None
    capable_but_too_small: bool = False
    capability: float = 0.0  # the capability part of the score alone, 0..1
    capable: bool = False  # capability reaches the engine's "capable" level

    def to_dict(self) -> dict:
        return {
            "tender_id": self.tender_id,
            "lot_id": self.lot_id,
            "score": round(self.score, 4),
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "capable_but_too_small": self.capable_but_too_small,
            "capability": round(self.capability, 4),
            "capable": self.capable,
            "fits_work": self.fits_work,
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "reasons": [r.to_dict() for r in self.reasons],
        }
