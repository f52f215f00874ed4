"""How signals become one score, and the parameters that shape them (shared by both indexes)."""

import math
from dataclasses import asdict, dataclass

import numpy as np

from coopmatch.matching.types import CAPABILITY_WEIGHTS, COMPONENTS, DEFAULT_WEIGHTS


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


def combine(components: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Return the weighted mean of the active components (those present in the dict)."""
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
    does not move gap reports' verdicts.
    """
    parts = {k: v for k, v in components.items() if k in CAPABILITY_WEIGHTS}
    return combine(parts, CAPABILITY_WEIGHTS)
