"""Resolve the supplier names in a ledger to suppliers on the register, without guessing.

A ledger says "J Smith & Sons Ltd"; the register has "SMITH J AND SONS LIMITED". Names are
compared in normalised form (legal suffixes, "&"/"and", punctuation, "t/a" tails, word order):
exact matches first, then rapidfuzz scores over candidate blocks. A name is matched
automatically only when one supplier clearly wins; close calls wait in a review queue, and
anything weaker stays unresolved, so figures report it as unresolved rather than as a guess.
"""

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from coopmatch.names import normalise_name, trading_name
from coopmatch.spend.values import is_redacted

REJECTED = "rejected"
STATUSES = ("confirmed", "auto", "review", "unresolved")

# A query's second-rarest token is used as a block only while this rare: "X services" should not
# drag every query into the block of 15,000 "... services" suppliers.
SECOND_BLOCK_MAX = 1_000
# Blocks smaller than this many pairs are scored on one thread: starting threads costs more.
_THREADED_PAIRS = 2_000_000
_CHUNK_CELLS = 64_000_000
_DIGITS = re.compile(r"\d+")
# What a firm does, or where, rather than which firm it is: two names alike only in these
# ("AGS Heating and Plumbing", "CPL Heating and Plumbing") are not a candidate. So are words
# in more than COMMON_SHARE of the register's names.
GENERIC_WORDS = frozenset(
    """
    services service solutions solution consulting consultancy consultants consultant group
    international communications construction contractors contracting contracts contract
    building builders
    engineering engineers heating plumbing electrical electrics security fire technologies
    technology tech software systems print printing training management associates partners
    partnership developments development energy insurance data care homecare housing
    association trust maintenance cleaning supplies supply products trading enterprises
    holdings industries company uk gb british national north south east west northern
    southern eastern western the of and for
    """.split()
)
COMMON_SHARE = 0.01
# How alike (rapidfuzz token_set_ratio, 0-100) the distinctive words of two names must be for
# them to be candidates at all: "oister" and "oyster" 83, "bryan lee bulding" and "bryan lee"
# 69; "jba" and "jg" 40, "campbell" and "cpl" 36, "pa" and "rps" 40.
DISTINCT_SCORE = 60
_TRADING_AS = re.compile(r"(?i)\b(?:t/a|trading as)\b")

SupplierId = Hashable


@dataclass(frozen=True)
class Thresholds:
    """Confidence (0..1) needed to match automatically, and to be worth a reviewer's time."""

    auto: float = 0.92
    review: float = 0.80
    # The best supplier must beat the next one by this much to be matched automatically.
    margin: float = 0.04
    # One letter is a bigger part of a short name: "supar uk" is 93% like "spar uk" but means
    # "supra uk". Names shorter than this need short_auto to be matched automatically.
    short_name: int = 10
    short_auto: float = 0.97
    candidates: int = 5

    def __post_init__(self):
        if not 0 < self.review <= self.auto <= 1:
            raise ValueError("thresholds must satisfy 0 < review <= auto <= 1")


@dataclass(frozen=True)
class Candidate:
    supplier_id: SupplierId
    name: str
    postcode: str | None
    confidence: float


@dataclass
class Resolution:
    """What a ledger name resolved to, how sure that is, and what a reviewer should look at."""

    name: str
    supplier_id: SupplierId | None
    confidence: float
    status: str  # "confirmed", "auto", "review" or "unresolved"
    # "decision", "rejected", "exact", "trading name", "fuzzy", "ambiguous", "near miss",
    # "numbers differ", "redacted", "no name", "no candidate"
    reason: str
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.supplier_id is not None


def decision_key(name: str) -> str:
    """Return the key a reviewer's decision about a ledger name is remembered under."""
    return normalise_name(name)


def _sorted_key(normalised: str) -> str:
    return " ".join(sorted(normalised.split()))


class SupplierRegister:
    """The register, indexed for resolution. Build once and reuse for every ledger.

    Entries are (id, name, postcode or None, trading names) tuples, optionally with a fifth
    item: the name already normalised by `coopmatch.names.normalise_name` (as stored), which
    saves normalising 100,000 names again.
    """

    def __init__(self, entries: Iterable[tuple]):
        self.ids: list[SupplierId] = []
        self.names: list[str] = []
        self.postcodes: list[str | None] = []
        self.by_id: dict[SupplierId, int] = {}
        self.exact: dict[str, set[int]] = defaultdict(set)  # normalised name -> entries
        self.by_key: dict[str, set[int]] = defaultdict(set)  # word-order-free key -> entries
        # The same, by suppliers' own names only (not their trading names): "Vauxhall Motors
        # Ltd" is the supplier of that name before it is one trading as Vauxhall Motors.
        self.own: dict[str, set[int]] = defaultdict(set)
        self.own_key: dict[str, set[int]] = defaultdict(set)
        for index, entry in enumerate(entries):
            supplier_id, name, postcode = entry[:3]
            self.ids.append(supplier_id)
            self.names.append(name)
            self.postcodes.append(postcode)
            self.by_id[supplier_id] = index
            normalised = entry[4] if len(entry) > 4 and entry[4] else normalise_name(name)
            self._add(normalised, index)
            if normalised:
                self.own[normalised].add(index)
                self.own_key[_sorted_key(normalised)].add(index)
            if _TRADING_AS.search(name):
                self._add(trading_name(name) or "", index)
            for other in (entry[3] or ()) if len(entry) > 3 else ():
                self._add(normalise_name(other), index)
        self._digits: dict[int, list[str]] = {}
        self._distinct: dict[int, str] = {}
        self.choices: list[str] = list(self.by_key)
        self.owners: list[tuple[int, ...]] = [tuple(sorted(self.by_key[k])) for k in self.choices]
        self._index_tokens()

    def _add(self, normalised: str, index: int) -> None:
        if normalised:
            self.exact[normalised].add(index)
            self.by_key[_sorted_key(normalised)].add(index)

    def _index_tokens(self) -> None:
        tokens: dict[str, list[int]] = defaultdict(list)
        prefixes: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.choices):
            for token in set(key.split()):
                tokens[token].append(i)
                if len(token) >= 4:
                    prefixes[token[:4]].append(i)
        self.token_choices = {t: np.array(c, dtype=np.int64) for t, c in tokens.items()}
        self.prefix_choices = {
            p: np.array(sorted(set(c)), dtype=np.int64) for p, c in prefixes.items()
        }

    def __len__(self) -> int:
        return len(self.ids)

    def digits(self, index: int) -> list[str]:
        """Return the numbers in a supplier's name, in word-order-free order."""
        found = self._digits.get(index)
        if found is None:
            key = _sorted_key(normalise_name(self.names[index]))
            found = self._digits[index] = _DIGITS.findall(key)
        return found

    def distinctive(self, key: str) -> str:
        """Return the words of a normalised name that say which firm it is, not what it does
        or where: not GENERIC_WORDS, nor in more than COMMON_SHARE of the register's names."""
        common = max(20, int(len(self.choices) * COMMON_SHARE))
        return " ".join(
            w for w in key.split()
            if w not in GENERIC_WORDS and len(self.token_choices.get(w, ())) <= common
        )

    def distinctive_of(self, index: int) -> str:
        """The distinctive words of a supplier's name (cached)."""
        found = self._distinct.get(index)
        if found is None:
            found = self._distinct[index] = self.distinctive(
                _sorted_key(normalise_name(self.names[index]))
            )
        return found

    def candidate(self, index: int, confidence: float) -> Candidate:
        return Candidate(self.ids[index], self.names[index], self.postcodes[index], confidence)


def resolve_suppliers(
    names: Iterable[str],
    register: SupplierRegister | Iterable[tuple],
    decisions: Mapping[str, SupplierId] | None = None,
    *,
    thresholds: Thresholds = Thresholds(),
    workers: int = -1,
) -> dict[str, Resolution]:
    """Resolve each distinct ledger name; return name -> Resolution.

    register: a SupplierRegister, or (id, name, postcode or None, trading names) tuples.
    decisions: what reviewers decided, by `decision_key(name)`: a supplier id, or REJECTED
    (this name is none of the register's suppliers; do not ask again).
    """
    if not isinstance(register, SupplierRegister):
        register = SupplierRegister(register)
    decisions = decisions or {}
    names = list(dict.fromkeys(names))
    results: dict[str, Resolution] = {}
    fuzzy: dict[str, list[str]] = defaultdict(list)  # word-order-free key -> ledger names
    for name in names:
        resolution, key = _resolve_without_scores(name, register, decisions)
        if resolution is not None:
            results[name] = resolution
        else:
            fuzzy[key].append(name)
    if fuzzy:
        keys = list(fuzzy)
        scored = _score(keys, register, thresholds, workers)
        for key, matches in zip(keys, scored, strict=True):
            for name in fuzzy[key]:
                results[name] = _judge(name, key, matches, register, thresholds)
    return {name: results[name] for name in names}


def names_it_might_be(
    names: list[str],
    keys: list[str],
    register: SupplierRegister,
    thresholds: Thresholds = Thresholds(),
) -> np.ndarray:
    """Return, for each ledger name (with its `decision_key`), whether it could resolve to a
    supplier of `register`: whether its key, or its trading name's, scores at least the review
    threshold against one of the register's names, as `resolve_suppliers` scores them. Meant
    for a few suppliers new to the register against every undecided ledger name: a superset of
    the names whose resolution they can change, found in one pass of rapidfuzz's cdist.
    """
    queries = list(keys)  # token_sort_ratio compares them word-order-free, as _score does
    extra = {}
    for q, name in enumerate(names):
        if _TRADING_AS.search(name):
            extra[q] = _sorted_key(trading_name(name) or "")
    hit = np.zeros(len(queries), dtype=bool)
    if not queries or not register.choices:
        return hit
    cutoff = int(np.ceil(thresholds.review * 100))
    step = max(1, _CHUNK_CELLS // len(queries))
    for start in range(0, len(register.choices), step):
        scores = process.cdist(
            register.choices[start : start + step],
            queries,
            scorer=fuzz.token_sort_ratio,
            processor=None,
            score_cutoff=cutoff,
            dtype=np.uint8,
            workers=-1,
        )
        hit |= scores.any(axis=0)
    for q, alias in extra.items():
        if not hit[q] and alias:
            hit[q] = process.extractOne(
                alias, register.choices, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff
            ) is not None
    return hit


def _resolve_without_scores(name, register: SupplierRegister, decisions: Mapping):
    """Return (resolution, None) when no scoring is needed, else (None, key to score)."""
    normalised = normalise_name(name)
    if is_redacted(name):
        return Resolution(name, None, 0.0, "unresolved", "redacted"), None
    if not normalised:
        return Resolution(name, None, 0.0, "unresolved", "no name"), None
    decided = decisions.get(normalised)
    if decided is None:
        decided = decisions.get(_sorted_key(normalised))
    if decided == REJECTED:
        return Resolution(name, None, 0.0, "unresolved", "rejected"), None
    if decided is not None and decided in register.by_id:
        candidate = register.candidate(register.by_id[decided], 1.0)
        return Resolution(name, decided, 1.0, "confirmed", "decision", [candidate]), None
    key = _sorted_key(normalised)
    found = register.own.get(normalised) or register.own_key.get(key)
    reason = "exact"
    if not found:  # a supplier's trading name
        found = register.exact.get(normalised) or register.by_key.get(key)
        reason = "trading name"
    if not found:
        alias = trading_name(name)
        found = register.exact.get(alias) if alias else None
        reason = "trading name"
    if found:
        candidates = [register.candidate(i, 1.0) for i in sorted(found)]
        ids = {c.supplier_id for c in candidates}
        if len(ids) == 1:
            return Resolution(
                name, candidates[0].supplier_id, 1.0, "auto", reason, candidates
            ), None
        return Resolution(name, None, 1.0, "review", "ambiguous", candidates), None
    return None, key


def _blocks(keys: list[str], register: SupplierRegister) -> dict[tuple[str, str], list[int]]:
    """Group queries by the register blocks worth scoring them against.

    Each query goes in the block of its rarest token the register knows, of its second-rarest
    too if that is still rare, and, for tokens the register does not know (typos), the block of
    names sharing the token's first four letters. A query with no word the register knows
    ("capmbells guesthouse") is scored against the whole register.
    """
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    token_choices, prefix_choices = register.token_choices, register.prefix_choices
    for q, key in enumerate(keys):
        known = sorted((len(token_choices[t]), t) for t in set(key.split()) if t in token_choices)
        if known:
            blocks[("token", known[0][1])].append(q)
            if len(known) > 1 and known[1][0] <= SECOND_BLOCK_MAX:
                blocks[("token", known[1][1])].append(q)
        if not known:
            blocks[("all", "")].append(q)
        elif len(known) < 2:
            for token in set(key.split()):
                if token not in token_choices and token[:4] in prefix_choices:
                    blocks[("prefix", token[:4])].append(q)
    return blocks


def _block_choices(register: SupplierRegister, kind: str, block: str) -> np.ndarray:
    if kind == "all":
        return np.arange(len(register.choices))
    return (register.token_choices if kind == "token" else register.prefix_choices)[block]


def _score(
    keys: list[str], register: SupplierRegister, thresholds: Thresholds, workers: int
) -> list[dict[int, int]]:
    """Return, per query key, register entry -> best score (0..100) at or above review."""
    cutoff = int(np.ceil(thresholds.review * 100))
    found: list[dict[int, int]] = [{} for _ in keys]
    choices = register.choices
    for (kind, block), members in _blocks(keys, register).items():
        columns = _block_choices(register, kind, block)
        block_choices = [choices[c] for c in columns] if kind != "all" else choices
        # At most _CHUNK_CELLS scores in memory at once (uint8: one byte each).
        step = max(1, _CHUNK_CELLS // max(len(block_choices), 1))
        for start in range(0, len(members), step):
            part = members[start : start + step]
            scores = process.cdist(
                [keys[q] for q in part],
                block_choices,
                scorer=fuzz.ratio,
                processor=None,
                score_cutoff=cutoff,
                dtype=np.uint8,
                workers=workers if len(part) * len(block_choices) >= _THREADED_PAIRS else 1,
            )
            rows, cols = np.nonzero(scores)
            for row, col, score in zip(
                rows.tolist(), cols.tolist(), scores[rows, cols].tolist(), strict=True
            ):
                best = found[part[row]]
                for entry in register.owners[columns[col]]:
                    if best.get(entry, 0) < score:
                        best[entry] = score
    return found


def _judge(
    name: str,
    key: str,
    matches: dict[int, int],
    register: SupplierRegister,
    thresholds: Thresholds,
) -> Resolution:
    """Decide from the scores: auto only for a clear, confident winner."""
    if not matches:
        return Resolution(name, None, 0.0, "unresolved", "no candidate")
    by_supplier: dict[SupplierId, tuple[float, int]] = {}
    digits = _DIGITS.findall(key)
    distinct = register.distinctive(key)
    for entry, score in matches.items():
        confidence = score / 100
        if register.digits(entry) != digits:
            # "Unit 4 Ltd" is not "Unit 5 Ltd", however alike the rest of the name is.
            confidence = min(confidence, thresholds.auto - 0.01)
        theirs = register.distinctive_of(entry)
        if distinct and theirs and fuzz.token_set_ratio(distinct, theirs) < DISTINCT_SCORE:
            # Alike only in what the firms do or where: "JBA Consulting" is not "JG Consulting".
            confidence = min(confidence, thresholds.review - 0.01)
        supplier_id = register.ids[entry]
        if by_supplier.get(supplier_id, (-1.0, 0))[0] < confidence:
            by_supplier[supplier_id] = (confidence, entry)
    ranked = sorted(by_supplier.values(), key=lambda item: (-item[0], item[1]))
    candidates = [
        register.candidate(entry, round(confidence, 4))
        for confidence, entry in ranked[: thresholds.candidates]
    ]
    best = ranked[0][0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    needed = thresholds.auto
    if len(key) < thresholds.short_name:
        needed = max(needed, thresholds.short_auto)
    if best >= needed and best - runner_up >= thresholds.margin:
        top = candidates[0]
        return Resolution(name, top.supplier_id, top.confidence, "auto", "fuzzy", candidates)
    if best >= thresholds.review:
        reason = "ambiguous" if best >= needed else "near miss"
        if best < thresholds.auto and max(matches.values()) / 100 >= thresholds.auto:
            reason = "numbers differ"
        return Resolution(name, None, round(best, 4), "review", reason, candidates)
    return Resolution(name, None, round(best, 4), "unresolved", "no candidate", candidates)


def review_queue(
    resolutions: Mapping[str, Resolution], spend: Mapping[str, int] | None = None
) -> list[tuple[Resolution, int]]:
    """Return the names waiting for a reviewer, with their spend in pence, largest first."""
    spend = spend or {}
    waiting = [(r, spend.get(name, 0)) for name, r in resolutions.items() if r.status == "review"]
    return sorted(waiting, key=lambda item: (-item[1], item[0].name))
