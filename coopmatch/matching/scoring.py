"""How signals become one score, and the parameters that shape them (shared by both indexes)."""

import math
from dataclasses import asdict, dataclass

import numpy as np

from coopmatch.matching.types import (
    CAPABILITY_WEIGHTS,
    COMPONENTS,
    DEFAULT_WEIGHTS,
    SIMILAR_WORK,
    WORK_TEXT,
)


@dataclass
class ScoringParams:
    """Shapes of the signals; the weights between them come from configuration."""

    # Text: the mix of word and character cosine, and the cosine that counts as a fair match.
    word_share: float = 0.7
    text_scale: float = 0.3  # text = 1 - exp(-cosine / scale): 0.1 -> 0.28, 0.3 -> 0.63
    # The best single past contract may stand in for the profile text, whose cosine a long
    # history dilutes (1: fully; 0: profile text only).
    award_in_text: float = 1.0
    # Track record: similar past work (all contracts, root sum of squared similarity), this
    # buyer before, and experience (how many public contracts, 10+ counting fully).
    similar_share: float = 0.5
    buyer_share: float = 0.25
    experience_share: float = 0.25
    award_scale: float = 0.3
    # Capability at or above this (0..1) with a capacity too small: "capable but too small".
    capable_threshold: float = 0.4

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "ScoringParams":
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


def check_weights(weights: dict[str, float] | None) -> dict[str, float]:
    """Return complete, non-negative weights (missing components take the defaults)."""
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        if key not in COMPONENTS:
            raise ValueError(
                f"Unknown matching weight '{key}': use one of {', '.join(COMPONENTS)}."
            )
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"Matching weight '{key}' must be a number of 0 or more.")
        merged[key] = value
    return merged


def squash(cosine: np.ndarray, scale: float) -> np.ndarray:
    """Map a cosine similarity (0 or more) to 0..1, rising fast at first and then levelling off."""
    out = np.multiply(cosine, np.float32(-1.0 / scale), dtype=np.float32)
    np.exp(out, out=out)
    np.subtract(np.float32(1.0), out, out=out)
    return out


# The ranking's soft AND: each signal counts as log(value + GEOMETRIC_FLOOR), so a supplier weak
# on one signal is held back more than a weighted sum would hold it (a near firm that does other
# work, a firm that does the work far away). Measured on real awards (bench/match_quality.py):
# MRR / BM25 1.256 -> 1.267 on seeds 0-4 and 1.242 -> 1.266 on seeds 5-9 against the weighted
# mean; floors of 0.1 to 0.3 and power means (p -1 to 0.5) were no better.
GEOMETRIC_FLOOR = 0.2


def combine(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Return the ranking score (0..1) of the active components (those present in the dict):
    their weighted geometric mean, each lifted by GEOMETRIC_FLOOR, less the floor. Parts the
    weights do not name (capability's SIMILAR_WORK and WORK_TEXT) do not count."""
    components = {k: v for k, v in components.items() if k in weights}
    total = sum(weights[k] for k in components)
    first = next(iter(components.values()))
    if total <= 0:
        return np.zeros_like(first, dtype=np.float32)
    score = np.zeros(np.shape(first), dtype=np.float32)
    part = np.empty_like(score)
    floor = np.float32(GEOMETRIC_FLOOR)
    for key, values in components.items():
        if weights[key] <= 0:
            continue
        np.add(values, floor, out=part)
        np.log(part, out=part)
        part *= np.float32(weights[key] / total)
        score += part
    np.exp(score, out=score)
    score -= floor
    np.maximum(score, np.float32(0.0), out=score)  # rounding; a score is never below 0
    return score


def combine_known(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Return the ranking score as `combine` does, where each component may be unknown (NaN)
    for some rows: each row over the components known for it (0 where none is)."""
    numerator = None
    denominator = None
    for key, values in components.items():
        if key not in weights:  # capability's SIMILAR_WORK and WORK_TEXT
            continue
        values = np.asarray(values, dtype=np.float64)
        known = ~np.isnan(values)
        part = np.log(np.where(known, values, 0.0) + GEOMETRIC_FLOOR) * (known * weights[key])
        numerator = part if numerator is None else numerator + part
        share = known * weights[key]
        denominator = share if denominator is None else denominator + share
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.exp(numerator / denominator) - GEOMETRIC_FLOOR
    return np.where(denominator > 0, np.maximum(mean, 0.0), 0.0)


def weighted_mean(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Return the weighted arithmetic mean of the active components (those present)."""
    total = sum(weights[k] for k in components)
    if total <= 0:
        first = next(iter(components.values()))
        return np.zeros_like(first)
    score = None
    part = None
    for key, values in components.items():
        share = np.float32(weights[key] / total)
        if score is None:
            score = np.multiply(values, share, dtype=np.float32)
            part = np.empty_like(score)
        else:
            score += np.multiply(values, share, out=part)
    return score


def capability_of(components: dict[str, np.ndarray]) -> np.ndarray:
    """Return the weighted mean of what says a supplier can do the work (not size or place).

    Its weights are fixed (CAPABILITY_WEIGHTS), not the ranking's, so that tuning the ranking
    does not move gap reports' verdicts. The components are the ranking's, with SIMILAR_WORK
    for the track record and WORK_TEXT for the text (both over the words that may be shown as
    evidence of the work), after `with_stated_record`: a new firm's record is what it states.
    """
    parts = {k: v for k, v in components.items() if k in CAPABILITY_WEIGHTS}
    return weighted_mean(parts, CAPABILITY_WEIGHTS)


def with_stated_record(parts: dict, new_with_codes) -> dict:
    """Return parts with the track record of suppliers with no contracts on record that state
    CPV codes (`new_with_codes`, one flag or one per supplier) taken as the lesser of their text
    and CPV fit: what they state stands in for the work they have not yet done on the public
    record. Both rankings apply it before combining, and capability reads the same parts.
    A firm with no CPV code whose SIC code fits the tender (signals.SIC_FIT) is flagged too:
    its SIC fit is its CPV part.
    Unchanged where the tender states no codes (no CPV fit to go on).

    Scored 0, a new firm stayed under the "capable" level even for its own trade under its
    own code (the demo catering co-op on school meals: 0.38), so a gap stayed open after the
    co-op started to fill it, and it ranked as if its record were bad. Neither a code alone (a
    caterer under a food code, on a food distribution contract) nor words alone (a cleaner
    whose statement says "school", on school meals) is enough."""
    if not np.any(new_with_codes) or not {"cpv", "text", "track_record"} <= parts.keys():
        return parts
    stand_in = np.minimum(parts["text"], parts["cpv"])
    stated = new_with_codes & ~np.isnan(stand_in)
    out = {**parts, "track_record": np.where(stated, stand_in, parts["track_record"])
           .astype(np.float32)}
    if SIMILAR_WORK in parts:  # capability's, read as its text is
        work = np.minimum(parts.get(WORK_TEXT, parts["text"]), parts["cpv"])
        out[SIMILAR_WORK] = np.where(stated, work, parts[SIMILAR_WORK]).astype(np.float32)
    return out
