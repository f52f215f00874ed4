"""The supplier register as a fitted index: tender in, ranked suppliers with reasons out."""

import math
import sys
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from coopmatch.geo import PlaceWords, haversine_km
from coopmatch.matching import associations, persist, reasons
from coopmatch.matching.scoring import (
    ScoringParams,
    capability_of,
    check_weights,
    combine,
    squash,
    with_stated_record,
)
from coopmatch.matching.signals import (
    SIC_FIT,
    UNKNOWN,
    CPVPostings,
    WorkedPlaces,
    best_cpv_pair,
    capacity_fits,
    capacity_scores,
    cpv_divisions,
    experience_score,
    geography_scores,
    linked_sic_divisions,
    radians_of,
    same_trade,
    tier_of,
)
from coopmatch.matching.sparse import query_scores
from coopmatch.matching.text import (
    KEYWORD_K1,
    KEYWORD_SCALE,
    SHORT_DESCRIPTION_CHARS,
    TITLE_KEYWORD_SHARE,
    TextModel,
    hyphen_spellings,
    short_text,
    singulars,
)
from coopmatch.matching.types import (
    SIMILAR_WORK,
    SOCIAL_OWNERSHIP,
    WORK_TEXT,
    Match,
    MatchOptions,
    SupplierProfile,
    TenderQuery,
)
from coopmatch.sic import SICVocabulary

KIND = "supplier-index"
# Characters of an award description used: the start says what the work was; the rest of a
# long notice is mostly boilerplate (and would only slow the index down).
AWARD_DESCRIPTION_CHARS = 1000
CAPABILITY_SHORT_CHARS = 500
BATCH_ROWS = 32  # query rows scored together in match_many ...
# ... while their dense score arrays stay small enough to stay in cache (at 100,000 suppliers a
# batch of 32 rows is slower than one row at a time).
BATCH_CELLS = 500_000
# An area filter is served by a view of the area's suppliers when they are at most this share of
# the register (above it, slicing them out costs more than scoring everyone saves).
VIEW_MAX_SHARE = 0.5
# Area views kept per index, least recently used dropped first; together they hold at most as
# many rows as the index itself, so the cache costs at most about the index's memory again.
VIEW_CACHE_SIZE = 8
# Words in more than this share of profiles, and character n-grams in more than the next, are
# left out of queries when reading the TF-IDF cosines' postings (not of the profiles' norms, nor
# of key terms): their weight is low and their postings long. bench/match_quality.py: the same
# MRR (0.323 -> 0.324); bench/match_speed.py: about 3 ms less per query at 100k suppliers.
COMMON_WORD_SHARE = 0.1
COMMON_NGRAM_SHARE = 0.01


def query_text(tender: TenderQuery, lot=None) -> str:
    """Return the text a tender (or one of its lots) is matched on against profiles' words."""
    if lot is None:
        return f"{tender.title or ''} . {tender.description or ''}"
    return f"{tender.title or ''} . {lot.title or ''} . {lot.description or ''}"


@dataclass
class _QueryRow:
    tender: int  # position in the batch
    lot_id: int | None
    lot_title: str
    title: str  # what title keywords read: the tender's, or a lot's own where it has one
    long_text: str
    short_text: str
    cpv_codes: list[str]
    value: float | None
    buyer_id: int | None
    framework: bool = False
    dps: bool = False

    @cached_property
    def divisions(self) -> str:
        """Its CPV divisions ("55"), which contracts cited as similar work must share."""
        return cpv_divisions(self.cpv_codes)


def profile_units(profile: SupplierProfile, doc: int, first_award: int):
    """Yield (text, document, is_short, award number or -1) for one supplier's text units."""
    yield profile.name or "", doc, True, -1
    text = profile.text or ""
    yield text[:CAPABILITY_SHORT_CHARS], doc, True, -1
    if len(text) > CAPABILITY_SHORT_CHARS:
        yield text[CAPABILITY_SHORT_CHARS:], doc, False, -1
    stated_singulars = singulars(text)
    if stated_singulars:  # "cafes" stated meets "cafe" asked (words only: not a short unit)
        yield stated_singulars, doc, False, -1
    for k, award in enumerate(profile.awards):
        yield award.title or "", doc, True, first_award + k
        yield (award.description or "")[:AWARD_DESCRIPTION_CHARS], doc, False, first_award + k


class CodeTable:
    """Strings (area codes, ownership models, buyer ids) as small integers."""

    def __init__(self, values: Iterable | None = None):
        self.values: list = []
        self.index: dict = {}
        for value in values or ():
            self.add(value)

    def add(self, value) -> int:
        if value is None or value == "":
            return -1
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.values)
            self.values.append(value)
        return found

    def get(self, value) -> int:
        if value is None:
            return -1
        return self.index.get(value, -1)

    def codes_for(self, values: Iterable) -> np.ndarray:
        return np.array([i for i in (self.get(v) for v in values) if i >= 0], dtype=np.int32)

    def __getstate__(self):
        return self.values

    def __setstate__(self, values):
        self.values = list(values)
        self.index = {v: i for i, v in enumerate(self.values)}


class MatchIndex:
    """Suppliers fitted for matching: build once, save, load, refresh, then match fast."""

    def __init__(self):
        self.weights = check_weights(None)
        self.params = ScoringParams()
        self.social = SOCIAL_OWNERSHIP
        self.cpv_descriptions: Mapping[str, str] = {}
        self.area_names: Mapping[str, str] = {}
        self.hidden_terms = PlaceWords()  # not shown as shared key terms (place names)
        # CPV code -> SIC divisions (cpv.load_cpv_bridge), for suppliers known by SIC codes
        # only; given with the reference data, like cpv_descriptions, and not saved.
        self.sic_bridge: Mapping[str, list[str]] = {}
        self.sic_names: SICVocabulary | None = None  # names SIC codes in reasons; not saved
        self.is_view = False
        self.associations: associations.Associations | None = None
        self.profile_vectors = np.zeros((0, 0), dtype=np.float32)
        self._views: OrderedDict[frozenset, MatchIndex] = OrderedDict()
        self._views_lock = threading.Lock()

    # --- building ----------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        profiles: list[SupplierProfile],
        weights: dict[str, float] | None = None,
        *,
        params: ScoringParams | None = None,
        social_ownership: Iterable[str] = SOCIAL_OWNERSHIP,
        cpv_descriptions: Mapping[str, str] | None = None,
    ) -> "MatchIndex":
        """Fit the text model and index every supplier."""
        index = cls()
        index.weights = check_weights(weights)
        index.params = params or ScoringParams()
        index.social = frozenset(social_ownership)
        index.cpv_descriptions = cpv_descriptions or {}
        index.text = TextModel()
        index._reset_tables()
        words, chars, awards, keywords, titles = index.text.fit(**index._units(profiles))
        # Each matrix is held by documents only until it is held by terms (at register scale
        # both copies of every matrix at once were the peak of memory).
        index.chars_t = chars.T.tocsr()
        del chars
        index.keywords_t = keywords.T.tocsr()
        del keywords
        index.titles_t = titles.T.tocsr()
        del titles
        index.words_t = words.T.tocsr()
        index.awards_t = _transpose(awards, words.shape[1])
        counts = np.array([p.award_count for p in profiles], dtype=np.int64)
        index.associations = (
            associations.fit(
                awards,
                np.repeat(np.arange(len(profiles)), counts),
                len(profiles),
                columns=np.flatnonzero([" " not in term for term in index.text.terms]),
            )
            if awards is not None
            else None
        )
        del awards
        index.profile_vectors = index._embed_profiles(words)
        del words
        index._add_rows(profiles)
        index._finish()
        index.appended = 0
        return index

    def _embed_profiles(self, words: sp.csr_matrix) -> np.ndarray:
        """Return suppliers' rows in the learned association space (no columns when unfitted)."""
        if self.associations is None:
            return np.zeros((words.shape[0], 0), dtype=np.float32)
        return self.associations.embed_profiles(words)

    def embed_tenders(self, texts: list[str]) -> np.ndarray | None:
        """Return tender texts in the learned association space (None when it is unfitted)."""
        if self.associations is None:
            return None
        return self.associations.embed_queries(self.text.transform_words(texts))

    def profile_vector(self, supplier_id: int) -> np.ndarray | None:
        """Return a supplier's row in the learned association space, or None."""
        row = self.row_of.get(int(supplier_id))
        if self.associations is None or row is None:
            return None
        return self.profile_vectors[row]

    def _reset_tables(self) -> None:
        self.tables = {k: CodeTable() for k in ("lad", "county", "region", "ownership", "buyer")}
        self.ids = np.zeros(0, dtype=np.int64)
        self.names: list[str] = []
        self.alive = np.zeros(0, dtype=bool)
        self.arrays = {
            k: np.zeros(0, dtype=np.float64)
            for k in ("lat", "lon", "capacity", "won_value", "radius")
        }
        for key in ("lad", "county", "region", "ownership"):
            self.arrays[key] = np.zeros(0, dtype=np.int32)
        self.award_count = np.zeros(0, dtype=np.int32)
        self.award_titles: list[str] = []
        self.award_buyers: list[str | None] = []
        self.award_tenders: list[int | None] = []
        # Each contract's CPV divisions ("34 55"; "" where it gave no code): similar work is
        # not cited from another trade's contract.
        self.award_divisions: list[str] = []
        self.award_lat = np.zeros(0, dtype=np.float64)  # where each contract was (NaN: unknown)
        self.award_lon = np.zeros(0, dtype=np.float64)
        self.cpv_codes: list[list[str]] = []
        self.sic_codes: list[list[str]] = []
        self.buyer_pairs = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    def _units(self, profiles) -> dict:
        """Return the text units of profiles as the text model reads them: texts, owners, short
        or not, contract (-1: none), whether each counts for keywords (all but the name,
        which the character n-grams match) and whether it is a headline, for title keywords
        (contracts' titles and the start of the capabilities)."""
        units, owner, short, award_of, keyword, headline = [], [], [], [], [], []
        award = 0
        for doc, profile in enumerate(profiles):
            for k, (text, d, is_short, a) in enumerate(profile_units(profile, doc, award)):
                units.append(text)
                owner.append(d)
                short.append(is_short)
                award_of.append(a)
                keyword.append(k > 0)  # the first unit is the name
                headline.append(k == 1 or (is_short and a >= 0))
            award += profile.award_count
        return {
            "units": units,
            "owner": np.array(owner, np.int64),
            "short": np.array(short, bool),
            "n_docs": len(profiles),
            "award_of_unit": np.array(award_of, np.int64),
            "n_awards": sum(p.award_count for p in profiles),
            "in_keywords": np.array(keyword, bool),
            "in_titles": np.array(headline, bool),
        }

    def _add_rows(self, profiles: list[SupplierProfile]) -> None:
        """Append the non-text columns of new suppliers."""
        start = len(self.ids)
        t = self.tables
        self.ids = np.concatenate([self.ids, np.array([p.id for p in profiles], dtype=np.int64)])
        self.names.extend(p.name or "" for p in profiles)
        self.alive = np.concatenate([self.alive, np.ones(len(profiles), dtype=bool)])

        def floats(values):
            return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)

        new = {
            "lat": floats(p.latitude for p in profiles),
            "lon": floats(p.longitude for p in profiles),
            "capacity": floats(p.capacity_gbp for p in profiles),
            "won_value": floats(p.largest_won_gbp for p in profiles),
            "radius": floats(p.service_radius_km for p in profiles),
            "lad": np.array([t["lad"].add(p.lad_code) for p in profiles], np.int32),
            "county": np.array([t["county"].add(p.county_code) for p in profiles], np.int32),
            "region": np.array([t["region"].add(p.region_code) for p in profiles], np.int32),
            "ownership": np.array([t["ownership"].add(p.ownership) for p in profiles], np.int32),
        }
        for key, values in new.items():
            self.arrays[key] = np.concatenate([self.arrays[key], values])
        counts = np.array([p.award_count for p in profiles], dtype=np.int32)
        self.award_count = np.concatenate([self.award_count, counts])
        rows, buyers, lats, lons = [], [], [], []
        for row, profile in enumerate(profiles, start=start):
            self.cpv_codes.append(profile.all_cpv_codes)
            self.sic_codes.append([str(c) for c in profile.sic_codes])
            for award in profile.awards:
                self.award_titles.append(award.title or "")
                self.award_buyers.append(award.buyer_name)
                self.award_tenders.append(award.tender_id)
                # Interned: a few hundred distinct values over a register's contracts.
                self.award_divisions.append(sys.intern(cpv_divisions(award.cpv_codes)))
                lats.append(award.latitude)
                lons.append(award.longitude)
                if award.buyer_id is not None:
                    rows.append(row)
                    buyers.append(t["buyer"].add(award.buyer_id))
        self.award_lat = np.concatenate([self.award_lat, floats(lats)])
        self.award_lon = np.concatenate([self.award_lon, floats(lons)])
        self.buyer_pairs = (
            np.concatenate([self.buyer_pairs[0], np.array(rows, dtype=np.int64)]),
            np.concatenate([self.buyer_pairs[1], np.array(buyers, dtype=np.int64)]),
        )

    def _finish(self) -> None:
        """Derive the lookup structures from the stored columns."""
        n = len(self.ids)
        for matrix in (self.words_t, self.chars_t, self.awards_t, self.keywords_t, self.titles_t):
            matrix.sort_indices()  # reasons look documents up in postings by bisection
        self.award_start = np.concatenate([[0], np.cumsum(self.award_count, dtype=np.int64)])
        self.award_owner = np.repeat(np.arange(n, dtype=np.int64), self.award_count)
        self.has_awards = self.award_count > 0
        if not self.is_view:  # a view keeps its index's, to score as it does
            # A small register keeps every word and n-gram, as keywords do.
            df = np.diff(self.words_t.indptr)
            self.common_words = (df > COMMON_WORD_SHARE * n) & (n >= 200)
            df = np.diff(self.chars_t.indptr)
            self.common_ngrams = (df > COMMON_NGRAM_SHARE * n) & (n >= 200)
        self.worked = WorkedPlaces(self.award_owner, self.award_lat, self.award_lon, n)
        self.cpv = CPVPostings.build(self.cpv_codes)
        self.has_cpv = np.array([bool(c) for c in self.cpv_codes], dtype=bool)
        # A supplier without codes scores "unknown" on CPV; one with codes 0 until a code fits.
        self.cpv_base = np.where(self.has_cpv, 0.0, UNKNOWN["cpv"]).astype(np.float32)
        self.new_with_codes = self.has_cpv & ~self.has_awards
        # Suppliers with no CPV code by the SIC divisions of their codes (signals.SIC_FIT).
        by_division: dict[str, list[int]] = defaultdict(list)
        for row in np.flatnonzero(~self.has_cpv).tolist():
            for division in {c[:2] for c in self.sic_codes[row] if len(c) >= 2}:
                by_division[division].append(row)
        self.sic_rows = {d: np.array(rows, dtype=np.int64) for d, rows in by_division.items()}
        rows, buyers = self.buyer_pairs
        self.buyers = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (buyers, rows)),
            shape=(max(len(self.tables["buyer"].values), 1), n),
        )
        self.buyers.sum_duplicates()
        social_codes = self.tables["ownership"].codes_for(self.social)
        self.is_social = np.isin(self.arrays["ownership"], social_codes)
        self.experience = experience_score(self.award_count)
        self.experience_part = (self.params.experience_share * self.experience).astype(np.float32)
        self.radians = radians_of(self.arrays["lat"], self.arrays["lon"])
        a = self.arrays
        self.coded = (a["lad"] >= 0) | (a["county"] >= 0) | (a["region"] >= 0)
        self.uncoded_rows = np.flatnonzero(~self.coded)
        self.radius_rows = np.flatnonzero(~np.isnan(a["radius"]))
        self.reach = np.where(np.isnan(a["radius"]), np.inf, a["radius"]).astype(np.float32)
        # What a supplier can take: its stated capacity; where none is stated, the largest
        # contract it has won (it has shown it can deliver that much).
        self.capacity32 = np.where(np.isnan(a["capacity"]), a["won_value"], a["capacity"]).astype(
            np.float32
        )
        self.row_of = {int(i): r for r, i in enumerate(self.ids.tolist()) if self.alive[r]}
        self.dead_rows = np.flatnonzero(~self.alive)
        self.capacity_unknown = np.flatnonzero(np.isnan(self.capacity32))
        with self._views_lock:
            self._views.clear()

    # --- refreshing --------------------------------------------------------------------------

    def update(self, profiles: list[SupplierProfile], removed_ids: Iterable[int] = ()) -> None:
        """Add or replace suppliers and drop removed ones, keeping the fitted vocabulary.

        Replaced and removed suppliers' rows are marked dead and new rows appended, so an update
        costs about one pass over the new profiles. Vocabulary and term weights stay as fitted:
        call `needs_rebuild` and rebuild from scratch when much of the register has changed.
        """
        if self.is_view:
            raise ValueError("A restricted view cannot be updated: update the whole index.")
        for supplier_id in [*removed_ids, *(p.id for p in profiles)]:
            row = self.row_of.pop(int(supplier_id), None)
            if row is not None:
                self.alive[row] = False
        if profiles:
            units = self._units(profiles)
            words, chars, awards, keywords, titles = self.text.transform_documents(**units)
            self.words_t = sp.hstack([self.words_t, words.T]).tocsr()
            self.profile_vectors = np.vstack([self.profile_vectors, self._embed_profiles(words)])
            self.chars_t = sp.hstack([self.chars_t, chars.T]).tocsr()
            self.keywords_t = sp.hstack([self.keywords_t, keywords.T]).tocsr()
            self.titles_t = sp.hstack([self.titles_t, titles.T]).tocsr()
            if awards is not None:
                self.awards_t = sp.hstack([self.awards_t, awards.T]).tocsr()
            self._add_rows(profiles)
            self.appended += len(profiles)
        self._finish()

    # --- restricting -------------------------------------------------------------------------

    def restrict(self, supplier_ids: Iterable[int]) -> "MatchIndex":
        """Return a view of some suppliers that scores exactly as this index does.

        The view shares the fitted text model, term weights, code tables and parameters, and
        holds only the given suppliers' rows (in this index's order, so ties break the same
        way): every signal is per supplier, so its matches are this index's matches filtered
        to those suppliers, at a cost in proportion to their number. Unknown or removed ids are
        ignored. A view is read-only: update the whole index and restrict it again.
        """
        wanted = {int(i) for i in supplier_ids}
        rows = np.array(sorted(r for i, r in self.row_of.items() if i in wanted), dtype=np.int64)
        return self._view_of_rows(rows)

    def _view_of_rows(self, rows: np.ndarray) -> "MatchIndex":
        view = MatchIndex()
        for name in (
            "weights",
            "params",
            "social",
            "cpv_descriptions",
            "area_names",
            "hidden_terms",
            "sic_bridge",
            "sic_names",
        ):
            setattr(view, name, getattr(self, name))
        view.text, view.tables, view.appended = self.text, self.tables, 0
        view.associations = self.associations
        view.profile_vectors = self.profile_vectors[rows]
        view.is_view = True
        view.common_words, view.common_ngrams = self.common_words, self.common_ngrams
        view.ids = self.ids[rows]
        view.alive = np.ones(len(rows), dtype=bool)
        view.names = [self.names[r] for r in rows.tolist()]
        view.arrays = {k: v[rows] for k, v in self.arrays.items()}
        view.award_count = self.award_count[rows]
        counts = view.award_count.astype(np.int64)
        # The view's contracts: each kept supplier's run of contracts, in order.
        first = np.repeat(self.award_start[rows] - np.cumsum(counts) + counts, counts)
        awards = first + np.arange(int(counts.sum()), dtype=np.int64)
        view.award_titles = [self.award_titles[a] for a in awards.tolist()]
        view.award_buyers = [self.award_buyers[a] for a in awards.tolist()]
        view.award_tenders = [self.award_tenders[a] for a in awards.tolist()]
        view.award_divisions = [self.award_divisions[a] for a in awards.tolist()]
        view.award_lat, view.award_lon = self.award_lat[awards], self.award_lon[awards]
        view.cpv_codes = [self.cpv_codes[r] for r in rows.tolist()]
        view.sic_codes = [self.sic_codes[r] for r in rows.tolist()]
        position = np.full(len(self.ids), -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        owner, buyer = self.buyer_pairs
        keep = position[owner] >= 0
        view.buyer_pairs = (position[owner][keep], buyer[keep])
        view.words_t = _columns_of(self.words_t, rows)
        view.keywords_t = _columns_of(self.keywords_t, rows)
        view.titles_t = _columns_of(self.titles_t, rows)
        view.chars_t = _columns_of(self.chars_t, rows)
        view.awards_t = _columns_of(self.awards_t, awards)
        view._finish()
        return view

    def _area_view(self, lad_codes: Iterable[str]) -> "MatchIndex":
        """Return the (cached) view of the suppliers in some districts, or self if most are."""
        key = frozenset(lad_codes)
        with self._views_lock:
            view = self._views.get(key)
            if view is not None:
                self._views.move_to_end(key)
                return view
        inside = self.alive & np.isin(self.arrays["lad"], self.tables["lad"].codes_for(key))
        rows = np.flatnonzero(inside)
        if len(rows) > VIEW_MAX_SHARE * max(int(self.alive.sum()), 1):
            view = self
        else:
            view = self._view_of_rows(rows)
        with self._views_lock:
            self._views[key] = view
            while len(self._views) > 1 and (
                len(self._views) > VIEW_CACHE_SIZE
                or sum(len(v.ids) for v in self._views.values() if v is not self) > len(self.ids)
            ):
                self._views.popitem(last=False)
        return view

    @property
    def size(self) -> int:
        """Return how many suppliers can be matched."""
        return int(self.alive.sum())

    @property
    def needs_rebuild(self) -> bool:
        """Return whether enough has changed since fitting that a full rebuild is due."""
        stale = int((~self.alive).sum()) + self.appended
        return stale > 0.2 * max(len(self.ids), 1)

    # --- persisting --------------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Write the index to a directory (replaced atomically)."""
        arrays = {f"col_{k}": v for k, v in self.arrays.items()}
        arrays.update(
            ids=self.ids,
            alive=self.alive,
            award_count=self.award_count,
            buyer_rows=self.buyer_pairs[0],
            buyer_codes=self.buyer_pairs[1],
            award_lat=self.award_lat,
            award_lon=self.award_lon,
            profile_vectors=self.profile_vectors,
        )
        persist.save(
            path,
            KIND,
            meta={
                "weights": self.weights,
                "params": self.params.to_dict(),
                "social": sorted(self.social),
                "suppliers": self.size,
                "appended": self.appended,
            },
            arrays=arrays,
            matrices={
                "words_t": self.words_t,
                "chars_t": self.chars_t,
                "awards_t": self.awards_t,
                "keywords_t": self.keywords_t,
                "titles_t": self.titles_t,
            },
            objects={
                "text": self.text,
                "tables": self.tables,
                "names": self.names,
                "award_titles": self.award_titles,
                "award_buyers": self.award_buyers,
                "award_tenders": self.award_tenders,
                "award_divisions": self.award_divisions,
                "cpv_codes": self.cpv_codes,
                "sic_codes": self.sic_codes,
                "associations": self.associations,
            },
        )

    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        cpv_descriptions: Mapping[str, str] | None = None,
    ) -> "MatchIndex":
        """Read an index written by `save`; raise persist.IndexFormatError if it is stale."""
        meta, arrays, matrices, objects = persist.load(path, KIND)
        index = cls()
        index.weights = check_weights(meta["weights"])
        index.params = ScoringParams.from_dict(meta["params"])
        index.social = frozenset(meta["social"])
        index.appended = int(meta.get("appended", 0))
        index.cpv_descriptions = cpv_descriptions or {}
        index.arrays = {k[4:]: v for k, v in arrays.items() if k.startswith("col_")}
        index.ids, index.alive = arrays["ids"], arrays["alive"]
        index.award_count = arrays["award_count"]
        index.buyer_pairs = (arrays["buyer_rows"], arrays["buyer_codes"])
        index.award_lat, index.award_lon = arrays["award_lat"], arrays["award_lon"]
        index.words_t, index.chars_t = matrices["words_t"], matrices["chars_t"]
        index.awards_t = matrices["awards_t"]
        index.keywords_t = matrices["keywords_t"]
        index.titles_t = matrices["titles_t"]
        keys = ("text", "tables", "names", "award_titles", "award_buyers", "award_tenders")
        for key in (*keys, "award_divisions", "cpv_codes", "sic_codes", "associations"):
            setattr(index, key, objects[key])
        index.profile_vectors = arrays["profile_vectors"]
        index._finish()
        return index

    # --- matching ----------------------------------------------------------------------------

    def match(self, tender: TenderQuery, options: MatchOptions | None = None) -> list[Match]:
        """Return the best suppliers for a tender (or one of its lots), best first."""
        return self.match_many([tender], options)[0]

    def match_many(
        self, tenders: list[TenderQuery], options: MatchOptions | None = None
    ) -> list[list[Match]]:
        """Match many tenders, scoring several query rows per sparse product."""
        options = options or MatchOptions()
        if options.area_lad_codes is not None and not self.is_view:
            # Score only the area's suppliers: the same matches, at the area's cost.
            target = self._area_view(options.area_lad_codes)
            if target is not self:
                return target.match_many(tenders, options)
        weights = check_weights(options.weights) if options.weights else self.weights
        results: list[list[Match]] = []
        batch: list[TenderQuery] = []
        rows = 0
        most = max(1, min(BATCH_ROWS, BATCH_CELLS // max(len(self.ids), 1)))
        for tender in tenders:
            n_rows = 1 + (len(tender.lots) if options.match_lots else 0)
            if batch and rows + n_rows > most:
                results.extend(self._match_batch(batch, options, weights))
                batch, rows = [], 0
            batch.append(tender)
            rows += n_rows
        if batch:
            results.extend(self._match_batch(batch, options, weights))
        return results

    def _query_rows(self, tenders: list[TenderQuery], options: MatchOptions) -> list[_QueryRow]:
        rows = []
        for t_index, tender in enumerate(tenders):
            long_text = query_text(tender)
            rows.append(
                _QueryRow(
                    t_index,
                    None,
                    "",
                    tender.title or "",
                    long_text,
                    short_text(tender.title, tender.description),
                    list(tender.cpv_codes),
                    tender.value,
                    tender.buyer_id,
                    tender.framework,
                    tender.dps,
                )
            )
            if not options.match_lots:
                continue
            for lot in tender.lots:
                lot_long = query_text(tender, lot)
                lot_short = f"{lot.title or ''} {(lot.description or '')[:SHORT_DESCRIPTION_CHARS]}"
                rows.append(
                    _QueryRow(
                        t_index,
                        lot.id,
                        lot.title or "",
                        lot.title or tender.title or "",
                        lot_long,
                        lot_short,
                        list(lot.cpv_codes or tender.cpv_codes),
                        lot.value,
                        tender.buyer_id,
                        tender.framework,
                        tender.dps,
                    )
                )
        return rows

    def _place(self, tender: TenderQuery) -> dict:
        t = self.tables
        return {
            "latitude": tender.latitude,
            "longitude": tender.longitude,
            "lad": t["lad"].get(tender.lad_code),
            "county": t["county"].get(tender.county_code),
            "region": t["region"].get(tender.region_code),
            "known": (tender.latitude is not None and tender.longitude is not None)
            or any((tender.lad_code, tender.county_code, tender.region_code)),
        }

    def _mask(self, options: MatchOptions, distance: np.ndarray, place: dict) -> np.ndarray | None:
        """Return who may be matched, or None for every live supplier (no filter applies)."""
        filtered = (
            options.ownership
            or options.exclude_ownership
            or options.area_lad_codes is not None
            or (options.radius_km is not None and place["latitude"] is not None)
            or options.exclude_ids
        )
        if not filtered:
            return None
        mask = self.alive.copy()
        if options.ownership:
            mask &= np.isin(
                self.arrays["ownership"], self.tables["ownership"].codes_for(options.ownership)
            )
        if options.exclude_ownership:
            mask &= ~np.isin(self.arrays["ownership"],
                             self.tables["ownership"].codes_for(options.exclude_ownership))
        if options.area_lad_codes is not None:
            mask &= np.isin(
                self.arrays["lad"], self.tables["lad"].codes_for(options.area_lad_codes)
            )
        if options.radius_km is not None and place["latitude"] is not None:
            mask &= distance <= options.radius_km
        if options.exclude_ids:
            excluded = [self.row_of[i] for i in options.exclude_ids if i in self.row_of]
            mask[excluded] = False
        return mask

    def _match_batch(self, tenders, options, weights) -> list[list[Match]]:
        rows, computed, extra = self._text_signals(tenders, options)
        results = []
        first = 0
        for t_index, tender in enumerate(tenders):
            # A tender's rows are consecutive: slices are views, not copies.
            count = sum(1 for r in rows if r.tender == t_index)
            mine = slice(first, first + count)
            first += count
            results.append(
                self._rank_tender(
                    tender,
                    rows[mine],
                    options,
                    weights,
                    {k: v[mine] for k, v in computed.items()},
                    {k: v[mine] for k, v in extra.items()},
                )
            )
        return results

    def _text_raw(self, word_sim, char_part, best_award):
        """Return a text signal before squashing: the word cosine (overwritten) weighed with the
        character n-grams' weighed part, or the best past contract's similarity where closer."""
        p = self.params
        raw = np.multiply(word_sim, np.float32(p.word_share), out=word_sim)
        raw += char_part
        if p.award_in_text:
            # A long history dilutes a profile's cosine; one closely similar contract should not be.
            np.maximum(raw, np.float32(p.award_in_text) * best_award, out=raw)
        return raw

    def _text_signals(self, tenders, options):
        """Return the query rows of a batch and their text and track record signals."""
        rows = self._query_rows(tenders, options)
        p = self.params
        texts = [r.long_text for r in rows]
        titles = [r.title for r in rows]
        # Texts and titles counted in one pass; the texts' counts are weighed twice.
        both = self.text.count_words(texts + titles)
        counts, title_counts = both[: len(rows)], both[len(rows) :]
        q_words = self.text.transform_words(texts, counts)
        q_chars = _without(
            self.text.transform_chars([r.short_text for r in rows]), self.common_ngrams
        )
        q_rare = _without(q_words, self.common_words)
        word_sim = query_scores(q_rare, self.words_t)
        char_sim = query_scores(q_chars, self.chars_t)
        # In place, in float32: each pass over a register of 100k costs a tenth of a millisecond.
        char_part = np.multiply(char_sim, np.float32(1 - p.word_share), out=char_sim)
        award_sim, evidence, each_award = self._award_similarity(q_rare)
        text_raw = self._text_raw(word_sim, char_part, award_sim)
        text = squash(text_raw, p.text_scale)
        # Similar work as evidence: over the words that may be shown as such (no place names,
        # no "council", no "dynamic purchasing system"), as the reasons cite it.
        q_work = self._work_words(q_rare, rows)
        work_best, work_evidence, each_work = self._award_similarity(q_work)
        # (The ranking reads similar work over all the words: over these alone it ranks the same.)
        similar = squash(work_evidence, p.award_scale)  # capability's part of the track record
        # Capability's text, over the same words (and the character n-grams, as the text's).
        work_text = squash(self._text_raw(query_scores(q_work, self.words_t), char_part,
                                          work_best), p.text_scale)
        track = squash(evidence, p.award_scale)
        track *= np.float32(p.similar_share)
        track += self.experience_part
        buyer_counts = np.zeros_like(track)
        for i, row in enumerate(rows):
            b = self.tables["buyer"].get(row.buyer_id)
            if b >= 0:
                start, end = self.buyers.indptr[b], self.buyers.indptr[b + 1]
                suppliers = self.buyers.indices[start:end]
                buyer_counts[i, suppliers] = self.buyers.data[start:end]
                done = self._have_done_such_work(each_work[i], row, suppliers)
                track[i, suppliers[done]] += np.float32(p.buyer_share)  # counts are 1 or more
        computed = {
            "text": text,
            "keywords": self._keywords(texts, titles, counts, title_counts),
            "track_record": track,
            SIMILAR_WORK: similar,
            WORK_TEXT: work_text,
        }
        associated = self._associated(q_words)
        if associated is not None:
            computed["association"] = associated
        extra = {
            "text_raw": text_raw,
            "award_sim": award_sim,
            "each_award": each_award,
            "buyer_counts": buyer_counts,
            "q_words": q_rare,  # key terms: the distinctive words, as the cosine reads them
        }
        return rows, computed, extra

    def _work_words(self, q_rare: sp.csr_matrix, rows) -> sp.csr_matrix:
        """Return the query rows with only the words that may be shown as evidence of the work
        (`reasons.shown_features`): not place names, "council", reference numbers and the like."""
        data, indices, indptr = [], [], [0]
        for i, row in enumerate(rows):
            query = q_rare[i]
            keep = reasons.shown_features(
                query, self.text.terms, self.hidden_terms.in_text(row.long_text))
            data.append(query.data[keep])
            indices.append(query.indices[keep])
            indptr.append(indptr[-1] + len(keep))
        return sp.csr_matrix(
            (np.concatenate(data) if data else np.zeros(0, dtype=q_rare.dtype),
             np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32), indptr),
            shape=q_rare.shape,
        )

    def _keywords(self, texts, titles, counts=None, title_counts=None) -> np.ndarray:
        """Return queries x suppliers BM25 over single words, scaled to 0..1: the whole text
        against whole profiles, and (TITLE_KEYWORD_SHARE beside it) the title against their
        headlines. A ranking signal, not part of capability.
        """
        return _keyword_scores(
            self.keyword_queries(texts, titles, counts, title_counts),
            (self.keywords_t, self.titles_t),
            self.text,
        )

    def keyword_queries(self, texts, titles, counts=None, title_counts=None):
        """Return the (whole text, title) keyword query rows of tenders' texts and titles, as
        this index reads them (`query_text` and the title of a tender or lot)."""
        if counts is None or title_counts is None:
            both = self.text.count_words(list(texts) + list(titles))
            counts, title_counts = both[: len(texts)], both[len(texts) :]
        return (
            self.text.transform_keywords(texts, counts),
            self.text.transform_titles(titles, title_counts),
        )

    def keywords_for(self, profile: SupplierProfile, queries) -> np.ndarray:
        """Return one supplier's keyword score (0..1) for each of `keyword_queries`' rows: what
        it scores for those tenders here, read from its profile (in the index or not)."""
        _, _, _, keywords, titles = self.text.transform_documents(**self._units([profile]))
        return _keyword_scores(queries, (keywords.T.tocsr(), titles.T.tocsr()), self.text)[:, 0]

    def _associated(self, q_words: sp.csr_matrix) -> np.ndarray | None:
        """Return queries x suppliers similarity in the learned space (0 or more), or None."""
        if self.associations is None:
            return None
        similarity = self.associations.embed_queries(q_words) @ self.profile_vectors.T
        np.maximum(similarity, 0.0, out=similarity)
        return similarity

    def _award_similarity(self, q_words: sp.csr_matrix):
        """Return each supplier's best and accumulated past-contract similarity, and each one's.

        The accumulated evidence is the root sum of squares over its contracts: one close
        contract counts fully, several similar ones count more, many unrelated ones add little.
        """
        n_q, n = q_words.shape[0], len(self.ids)
        best = np.zeros((n_q, n), dtype=np.float32)
        evidence = np.zeros((n_q, n), dtype=np.float32)
        if not self.has_awards.any() or self.awards_t.shape[1] == 0:
            return best, evidence, np.zeros((n_q, 0), dtype=np.float32)
        sims = query_scores(q_words, self.awards_t)
        for i in range(n_q):
            # Only contracts sharing a term with the query matter (about a third at 100k).
            touched = np.flatnonzero(sims[i] != 0)
            if not len(touched):
                continue
            owners = self.award_owner[touched]
            values = sims[i, touched]
            np.maximum.at(best[i], owners, values)
            evidence[i] = np.sqrt(np.bincount(owners, weights=values * values, minlength=n))
        return best, evidence, sims

    def _score_tender(self, tender, rows, options, weights, computed):
        """Return (score, best row, components by row, distance, place) over the register.

        Score is -inf for suppliers the options exclude; None when nobody can be matched.
        """
        n = len(self.ids)
        place = self._place(tender)
        geo, distance = geography_scores(place, self._geo_columns())
        geo = self.worked.blend(geo, tender.latitude, tender.longitude)
        mask = self._mask(options, distance, place)
        if mask is None:
            if len(self.dead_rows) == n:
                return None
        elif options.min_score <= 0 and not mask.any():
            return None
        totals, parts_by_row = [], []
        for i, row in enumerate(rows):
            parts = {
                "text": computed["text"][i],
                "keywords": computed["keywords"][i],
                "track_record": computed["track_record"][i],
                SIMILAR_WORK: computed[SIMILAR_WORK][i],
                WORK_TEXT: computed[WORK_TEXT][i],
            }
            stated = self.new_with_codes
            if row.cpv_codes:
                parts["cpv"] = self.cpv.tender_to_documents(row.cpv_codes, n, self.cpv_base)
                fit = self._sic_fit(row.cpv_codes, n)
                if fit is not None:  # known by SIC codes alone: see signals.SIC_FIT
                    parts["cpv"][fit] = np.maximum(parts["cpv"][fit], np.float32(SIC_FIT))
                    stated = stated | (fit & ~self.has_awards)
            if place["known"]:
                parts["geography"] = geo
            if row.value is not None and not row.dps:  # firms join a DPS at any size
                parts["capacity"] = capacity_scores(
                    row.value, self.capacity32, self.capacity_unknown
                )
            if options.prefer_social:
                parts["ownership"] = self.is_social.astype(np.float32)
            if "association" in computed:
                parts["association"] = computed["association"][i]
            parts = with_stated_record(parts, stated)
            totals.append(combine(parts, weights))
            parts_by_row.append(parts)
        if len(totals) == 1:
            best_row = np.zeros(n, dtype=np.int64)
            score = totals[0].astype(np.float32, copy=True)
        else:
            stacked = np.vstack(totals)
            best_row = np.argmax(stacked, axis=0)
            score = stacked[best_row, np.arange(n)]
        if mask is None:
            score[self.dead_rows] = -np.inf
        else:
            score[~mask] = -np.inf
        if options.min_score > 0:
            score[score < options.min_score] = -np.inf
        return score, best_row, parts_by_row, distance, place

    def _rank_tender(self, tender, rows, options, weights, computed, extra) -> list[Match]:
        scored = self._score_tender(tender, rows, options, weights, computed)
        if scored is None:
            return []
        score, best_row, parts_by_row, distance, place = scored
        chosen = _top_k(score, options.top_k)
        if not options.explain:
            plain = {
                j: self._unexplained(
                    rows[int(best_row[j])],
                    j,
                    float(score[j]),
                    parts_by_row[int(best_row[j])],
                    distance,
                    tender,
                )
                for j in chosen
            }
            wanted = options.explain_if
            explained = [j for j in chosen if wanted(plain[j])] if wanted else []
            if not explained:
                return [plain[j] for j in chosen]
            found = dict(zip(explained, self._explained(
                tender, rows, explained, score, best_row, parts_by_row, options, distance,
                place, extra), strict=True))
            return [found.get(j) or plain[j] for j in chosen]
        return self._explained(tender, rows, chosen, score, best_row, parts_by_row, options,
                               distance, place, extra)

    def _explained(self, tender, rows, chosen, score, best_row, parts_by_row, options,
                   distance, place, extra) -> list[Match]:
        """Return the chosen suppliers' matches with their reasons."""
        # Shared key terms for all chosen suppliers at once, one pass per query row, and which
        # of their contracts share a word that may be shown (what "similar work" may cite).
        terms: dict[int, list] = {}
        shown: dict[int, np.ndarray] = {}
        hidden = reasons.not_shown(self.hidden_terms, query_text(tender))
        for r in {int(best_row[j]) for j in chosen}:
            mine = [j for j in chosen if best_row[j] == r]
            query = extra["q_words"][r]
            found = reasons.key_terms(
                query, self.words_t, np.array(mine, dtype=np.int64), self.text.terms, hidden=hidden
            )
            terms.update(zip(mine, found, strict=True))
            shown.update(self._awards_sharing_words(query, mine, hidden))
        spellings = hyphen_spellings(
            query_text(tender), *(query_text(tender, lot) for lot in tender.lots)
        )
        extra = {**extra, "shown_awards": shown, "spellings": spellings}
        return [
            self._explain(
                tender,
                rows,
                int(best_row[j]),
                j,
                float(score[j]),
                parts_by_row,
                options,
                distance,
                place,
                extra,
                terms[j],
            )
            for j in chosen
        ]

    def _geo_columns(self) -> dict:
        a = self.arrays
        return {
            **self.radians,
            "coded": self.coded,
            "uncoded_rows": self.uncoded_rows,
            "radius_rows": self.radius_rows,
            "reach": self.reach,
            "lat": a["lat"],
            "lon": a["lon"],
            "lad": a["lad"],
            "county": a["county"],
            "region": a["region"],
            "radius": a["radius"],
        }

    def _unexplained(self, row, j, score, parts, distance, tender) -> Match:
        """Return a match with its figures but no reasons (MatchOptions.explain=False)."""
        return self._match(row, j, score, parts, self._distance_km(tender, j, distance))

    def _distance_km(self, tender, j, distance) -> float | None:
        """Return the great-circle distance to supplier j, or None where either is unknown."""
        if math.isnan(distance[j]):
            return None
        return haversine_km(
            tender.latitude, tender.longitude, self.arrays["lat"][j], self.arrays["lon"][j]
        )

    def _capacity_fit(self, row, j) -> tuple[float | None, int]:
        """Return supplier j's capacity (None if unknown) and whether the row's value fits it
        (1 yes, 0 no, -1 unknown)."""
        capacity = self.arrays["capacity"][j]
        capacity = None if math.isnan(capacity) else float(capacity)
        return capacity, capacity_fits(row.value, capacity)

    def _match(self, row, j, score, parts, dist, found=(), fits=None) -> Match:
        """Return supplier j's match for a query row: its figures, with any reasons found."""
        components = {k: float(v[j]) for k, v in parts.items()}
        capability = float(capability_of({k: v[j : j + 1] for k, v in parts.items()})[0])
        if fits is None:
            _, fits = self._capacity_fit(row, j)
        if row.framework:
            fits = -1  # a framework's value is a shared ceiling: no one is too small for it
        components.setdefault("capacity", UNKNOWN["capacity"])
        return Match(
            supplier_id=int(self.ids[j]),
            supplier_name=self.names[j],
            score=max(0.0, min(1.0, score)),
            distance_km=dist,
            lot_id=row.lot_id,
            reasons=list(found),
            components=components,
            capable_but_too_small=fits == 0 and capability >= self.params.capable_threshold,
            capability=capability,
            capable=capability >= self.params.capable_threshold,
        )

    def _explain(
        self,
        tender,
        rows,
        r,
        j,
        score,
        parts_by_row,
        options,
        distance,
        place,
        extra,
        terms,
    ) -> Match:
        row = rows[r]
        parts = parts_by_row[r]
        capacity, fits = self._capacity_fit(row, j)
        found: list[reasons.Reason] = []
        if row.lot_id is not None:
            whole_fits = -1 if row.framework else capacity_fits(tender.value, capacity)
            found.append(
                reasons.lot_reason(row.lot_id, row.lot_title, row.value, tender.value, whole_fits)
            )
        codes_differ = False  # both give CPV codes, and none shares a division
        best = None
        if row.cpv_codes:
            best = best_cpv_pair(row.cpv_codes, self.cpv_codes[j])
            codes_differ = best is None and bool(self.cpv_codes[j])
        no_sign = codes_differ and not self.award_count[j] and reasons.one_word_of_other_work(
            terms, row.cpv_codes, self.cpv_codes[j], self.cpv_descriptions)
        text_reason = reasons.text_reason(
            terms, float(extra["text_raw"][r, j]), extra["spellings"], no_sign
        )
        if text_reason:
            found.append(text_reason)
        if row.cpv_codes:
            cpv_reason = reasons.cpv_reason(best, self.cpv_descriptions)
            if cpv_reason:
                found.append(cpv_reason)
            elif not self.cpv_codes[j]:
                sic = reasons.sic_reason(row.cpv_codes, self.sic_codes[j], self.sic_bridge,
                                         self.sic_names)
                if sic:
                    found.append(sic)
        won_here = self._won_on(tender.id, j)
        if won_here:
            found.append(reasons.won_this_tender_reason())
        title, buyer, similarity = self._best_award(
            extra["each_award"][r],
            j,
            skip=won_here,
            shown=extra["shown_awards"].get(j),
            divisions=row.divisions,
        )
        # The contracts won on this very notice are not evidence for it from before.
        buyer_awards = int(extra["buyer_counts"][r, j]) - len(won_here)
        found.extend(
            reasons.track_record_reasons(
                title,
                buyer,
                similarity,
                max(buyer_awards, 0),
                int(self.award_count[j]) - len(won_here),
                tender.buyer_name,
            )
        )
        if "association" in parts:
            association = reasons.association_reason(
                float(parts["association"][j]), float(parts["text"][j]), self.award_count[j] > 0,
                codes_differ=codes_differ,
            )
            if association:
                found.append(association)
        dist = self._distance_km(tender, j, distance)
        radius = self.arrays["radius"][j]
        outside = float(radius) if dist is not None and radius < dist else None
        if "geography" in parts:
            a = self.arrays
            tier = tier_of(place, a["lad"][j], a["county"][j], a["region"][j])
            area = self._area_name(tier, j)
            worked_km, worked_for = self._nearest_work(tender, j, skip=won_here)
            found.append(reasons.geography_reason(dist, tier, outside, area, worked_km, worked_for))
        won = self.arrays["won_value"][j]
        found.append(
            reasons.size_reason(
                row.value,
                capacity,
                None if math.isnan(won) else float(won),
                fits,
                row.framework,
                row.dps,
            )
        )
        ownership = (
            self.tables["ownership"].values[self.arrays["ownership"][j]]
            if self.arrays["ownership"][j] >= 0
            else ""
        )
        own = reasons.ownership_reason(ownership, options.prefer_social)
        if own:
            found.append(own)
        return self._match(row, j, score, parts, dist, found, fits)

    def _sic_fit(self, cpv_codes: list[str], n: int) -> np.ndarray | None:
        """Flags over suppliers: known by SIC codes alone, in a division the bridge links to
        these CPV codes (None when no supplier is)."""
        if not self.sic_rows or not self.sic_bridge:
            return None
        rows = [self.sic_rows[d] for d in linked_sic_divisions(cpv_codes, self.sic_bridge)
                if d in self.sic_rows]
        if not rows:
            return None
        fit = np.zeros(n, dtype=bool)
        fit[np.concatenate(rows)] = True
        return fit

    def _area_name(self, tier: int, j: int) -> str | None:
        key = {0: "lad", 1: "county", 2: "region"}.get(tier)
        if key is None:
            return None
        code_index = self.arrays[key][j]
        code = self.tables[key].values[code_index] if code_index >= 0 else None
        return self.area_names.get(code) if code else None

    def _nearest_work(self, tender, j: int, skip: list[int] = ()):
        """Return the distance to supplier j's nearest located contract and whom it was for
        (None, None when it has none), leaving out `skip` (those won on this very notice)."""
        if tender.latitude is None or tender.longitude is None:
            return None, None
        nearest, buyer = None, None
        for a in range(int(self.award_start[j]), int(self.award_start[j + 1])):
            lat, lon = float(self.award_lat[a]), float(self.award_lon[a])
            if a in skip or math.isnan(lat) or math.isnan(lon):
                continue
            km = haversine_km(tender.latitude, tender.longitude, lat, lon)
            if nearest is None or km < nearest:
                nearest, buyer = km, self.award_buyers[a]
        return nearest, buyer

    def _won_on(self, tender_id: int | None, j: int) -> list[int]:
        """Return the positions of supplier j's contracts won on this notice (an awarded one)."""
        if tender_id is None:
            return []
        start, end = int(self.award_start[j]), int(self.award_start[j + 1])
        return [a for a in range(start, end) if self.award_tenders[a] == tender_id]

    def _have_done_such_work(self, each_work, row: _QueryRow, suppliers: np.ndarray
                             ) -> np.ndarray:
        """Flags over suppliers: has each a contract that is similar work, as the reasons cite
        it (one sharing a word that may be shown and, where both give CPV codes, a division)?

        Only these gain for having worked for the buyer before: Iveco's vans for Preston City
        Council share "Preston" with its school meals, and nothing else. `each_work` is the
        query's similarity to every contract over the words that may be shown (`_work_words`).
        """
        done = np.zeros(len(suppliers), dtype=bool)
        starts = self.award_start[suppliers].astype(np.int64)
        lengths = self.award_start[suppliers + 1].astype(np.int64) - starts
        if not len(suppliers) or not lengths.sum() or not len(each_work):
            return done
        # The buyer's suppliers' contracts, each with its supplier's position in `suppliers`.
        owner = np.repeat(np.arange(len(suppliers)), lengths)
        contracts = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths,
                                                              lengths) + np.repeat(starts, lengths)
        similar = each_work[contracts]
        hit = similar > np.float32(1e-5)
        if row.divisions:
            sharing = np.flatnonzero(hit)
            hit[sharing] = self._in_trade(row.divisions, contracts[sharing].tolist())
        done[owner[hit]] = True
        return done

    def _in_trade(self, divisions: str, contracts) -> np.ndarray:
        """Flags over contracts (positions): could each be work of the trade of `divisions`
        (a shared CPV division, or either uncoded)?"""
        known: dict[str, bool] = {}
        flags = np.empty(len(contracts), dtype=bool)
        for k, a in enumerate(contracts):
            theirs = self.award_divisions[a]
            if theirs not in known:
                known[theirs] = same_trade(divisions, theirs)
            flags[k] = known[theirs]
        return flags

    def _awards_sharing_words(self, query, suppliers: list[int], hidden) -> dict[int, np.ndarray]:
        """Return, for each supplier, flags over its contracts: does it share a word with the
        query that may be shown (one pass over all their contracts)?

        Shared key terms are not gated by CPV division as similar work is. Tried (with uncoded
        contracts' divisions read by the CPV suggester's classifier, 99% right where it gave
        one division 0.8 or more on held-out coded notices): it took "food" from Iveco's food
        waste vehicles on a cafe, but also marked the food wholesalers "No sign of this work"
        there (their contracts are coded 15, food; the cafe 55). Divisions are too coarse."""
        spans = [np.arange(self.award_start[j], self.award_start[j + 1]) for j in suppliers]
        columns = np.concatenate(spans) if spans else np.zeros(0, dtype=np.int64)
        found = reasons.key_terms(
            query, self.awards_t, columns, self.text.terms, limit=1, hidden=hidden
        )
        flags = np.array([bool(f) for f in found], dtype=bool)
        bounds = np.cumsum([0] + [len(span) for span in spans])
        return {j: flags[bounds[k] : bounds[k + 1]] for k, j in enumerate(suppliers)}

    def _best_award(
        self,
        each_award: np.ndarray,
        j: int,
        skip: list[int] = (),
        shown: np.ndarray | None = None,
        divisions: str = "",
    ):
        """Return (title, buyer, similarity) of supplier j's most similar contract.

        `shown` flags its contracts that share a word with the query that may be shown (not a
        place name, nor the words of the buying): only those are "similar work" (a van contract
        for Preston City Council is not similar to school meals in Preston). Where the tender's
        CPV divisions are given, a contract coded in none of them is not either (food waste
        vehicles share "food" with a cafe).
        """
        start, end = int(self.award_start[j]), int(self.award_start[j + 1])
        if end <= start or end > len(each_award):
            return None, None, 0.0
        sims = each_award[start:end].copy()
        for a in skip:
            sims[a - start] = -1.0
        if shown is not None and len(shown) == len(sims):
            sims[~shown] = -1.0
        if divisions:
            sims[~self._in_trade(divisions, range(start, end))] = -1.0
        k = int(np.argmax(sims))
        if sims[k] < 0:
            return None, None, 0.0
        return self.award_titles[start + k], self.award_buyers[start + k], float(sims[k])


def _columns_of(matrix: sp.csr_matrix, columns: np.ndarray) -> sp.csr_matrix:
    """Return some columns of a features x documents CSR matrix, in the order given (sorted)."""
    position = np.full(matrix.shape[1], -1, dtype=np.int64)
    position[columns] = np.arange(len(columns))
    where = position[matrix.indices]
    keep = where >= 0
    indptr = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])[matrix.indptr]
    return sp.csr_matrix(
        (matrix.data[keep], where[keep].astype(np.int32), indptr),
        shape=(matrix.shape[0], len(columns)),
        dtype=matrix.dtype,
    )


def _transpose(matrix: sp.csr_matrix | None, n_features: int) -> sp.csr_matrix:
    if matrix is None:
        return sp.csr_matrix((n_features, 0), dtype=np.float32)
    return matrix.T.tocsr()


def _bm25_scores(queries: sp.csr_matrix, documents_t: sp.csr_matrix, idf: np.ndarray):
    """Return queries x documents BM25, each query on its own scale, capped at 1.

    The scale is half the most any document could score on the query's words (each at full
    idf and saturated frequency), so a supplier scores the same in a restricted view as in the
    whole index.
    """
    scores = query_scores(queries, documents_t)
    ceiling = queries @ (idf * np.float32(KEYWORD_K1 + 1))
    scale = np.divide(KEYWORD_SCALE, ceiling, out=np.zeros_like(ceiling), where=ceiling > 0)
    scores *= scale.astype(np.float32)[:, None]
    np.minimum(scores, np.float32(1.0), out=scores)
    return scores


def _keyword_scores(queries, documents_t, text: TextModel) -> np.ndarray:
    """Return queries x documents keywords: BM25 of the whole text and, TITLE_KEYWORD_SHARE
    beside it, of the title against the headlines."""
    whole = _bm25_scores(queries[0], documents_t[0], text.keyword_idf)
    heads = _bm25_scores(queries[1], documents_t[1], text.title_idf)
    whole += np.float32(TITLE_KEYWORD_SHARE) * heads
    whole *= np.float32(1.0 / (1.0 + TITLE_KEYWORD_SHARE))
    return whole


def _without(queries: sp.csr_matrix, common: np.ndarray) -> sp.csr_matrix:
    """Return query rows without the features marked common."""
    kept = queries.copy()
    kept.data[common[kept.indices]] = 0
    kept.eliminate_zeros()
    return kept


def _top_k(score: np.ndarray, k: int) -> list[int]:
    """Return the indexes of the k highest finite scores, best first (ties: lower index)."""
    finite = np.isfinite(score)
    n_finite = int(np.count_nonzero(finite))
    k = min(k, n_finite)
    if k <= 0:
        return []
    if n_finite < len(score) // 2:
        # Most suppliers excluded (a radius, an area): partition the rest only. argpartition
        # slows on long runs of equal values: 14 ms over 100k mostly -inf, against 1 ms.
        kept = np.flatnonzero(finite)
        return kept[_top_k(score[kept], k)].tolist()
    if k < len(score):
        candidates = np.argpartition(score, len(score) - k)[len(score) - k :]
        kth = score[candidates].min()
        if np.count_nonzero(score >= kth) > k:
            # Ties at the cut: all above the k-th best score, then those equal to it by index,
            # so which tied suppliers make it does not depend on the partition (nor on a view).
            above = np.flatnonzero(score > kth)
            candidates = np.concatenate([above, np.flatnonzero(score == kth)[: k - len(above)]])
    else:
        candidates = np.flatnonzero(finite)
    order = np.lexsort((candidates, -score[candidates]))
    return candidates[order].tolist()
