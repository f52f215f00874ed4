"""The non-text signals, each scaled to 0..1 and computed for a whole register at once."""

import math
import re
from collections.abc import Iterable, Mapping

import numpy as np
import scipy.sparse as sp

from coopmatch.cpv import shared_depth, sic_divisions, significant_digits
from coopmatch.geo import haversine_km_many
from coopmatch.geo.distance import EARTH_RADIUS_KM

# CPV: the score of a shared prefix depth (division 2, group 3, class 4, category 5+ digits).
CPV_DEPTH_SCORE = {2: 0.35, 3: 0.6, 4: 0.8}
CPV_LEVEL_NAMES = {2: "division", 3: "group", 4: "class", 5: "category"}
# A tender coded only by its division ("60000000 Transport services", "45000000 Construction
# work") says no more than the trade: a supplier's code within it scores as sharing a group
# would, not as the tender's own code. At 1.0, a food distributor's goods-transport contract
# (60180000) had made it a local firm able to run Lancashire's bus services (60000000) in the
# gap report. Ranking is flat either way (bench/match_quality.py, ten seeds: 1.263 at 0.6,
# 1.2625 at 1.0, 1.264 at 0.35).
DIVISION_ONLY_SCORE = CPV_DEPTH_SCORE[3]

# Geography: a tier of shared area, or closeness (halving about every 28 km), whichever is more.
TIER_SCORE = {"local_authority": 1.0, "county": 0.8, "region": 0.5}
DISTANCE_SCALE_KM = 40.0
# Where a supplier has worked counts beside where it is based: half the geography score is how
# near the work is to the nearest place it has delivered a contract (1 there, 0.37 at this
# distance). Firms based far away often work locally; bench/match_quality.py: MRR 0.318 -> 0.323.
WORKED_SCALE_KM = 100.0
WORKED_SHARE = 0.5
OUTSIDE_SERVICE_RADIUS = 0.5  # factor when the tender is beyond the supplier's stated radius

# What a supplier scores on a signal it has no data for (the tender side being known).
# Geography: about what a supplier placed at random scores (most are over 100 km from any one
# place), so not knowing where a firm is earns no nearness. It was 0.3; bench/match_quality.py
# ranks better at 0.1 (MRR ratio 1.255 -> 1.260 on seeds 0-4, 1.248 -> 1.249 on seeds 5-9).
UNKNOWN = {"cpv": 0.25, "geography": 0.1, "capacity": 0.5}

# A supplier with no CPV code (declared or won) whose SIC code is in a SIC division that the
# CPV-SIC bridge links to a tender's codes (Co-operatives UK and Companies House give SIC codes,
# not CPV): it scores on CPV as sharing a CPV division would. Only ever a lift from "unknown":
# SIC codes are registered once and often generic ("other membership organisations"), so one
# in another division says little against the work.
SIC_FIT = CPV_DEPTH_SCORE[2]


def linked_sic_divisions(cpv_codes: Iterable[str], bridge: Mapping[str, list[str]]) -> set[str]:
    """Return the SIC divisions the bridge links to any of these CPV codes."""
    return {d for code in cpv_codes for d in sic_divisions(str(code), bridge)}


def sic_fit(sic_codes: Iterable[str], divisions: set[str]) -> str | None:
    """Return the first SIC code in one of `divisions` (linked_sic_divisions), or None."""
    return next((c for c in sic_codes if c[:2] in divisions), None)


def cpv_divisions(codes) -> str:
    """A contract's or tender's CPV divisions, sorted and space-separated: "34 55"."""
    return " ".join(sorted({str(c)[:2] for c in codes or () if str(c)[:2].isdigit()}))


def same_trade(divisions: str, other: str) -> bool:
    """Whether two CPV division lists could be the same trade: they share a division, or
    either is unknown."""
    return not divisions or not other or not set(divisions.split()).isdisjoint(other.split())


def cpv_pair_score(tender_code: str, supplier_code: str) -> tuple[float, int]:
    """Return (score, shared depth) of one tender code against one supplier code."""
    depth = shared_depth(tender_code, supplier_code)
    return _depth_score(depth, len(significant_digits(tender_code))), depth


def _depth_score(depth: int, tender_digits: int) -> float:
    if depth < 2:
        return 0.0
    if depth >= 5:
        return 1.0
    if depth == tender_digits:
        return 1.0 if tender_digits > 2 else DIVISION_ONLY_SCORE
    return CPV_DEPTH_SCORE[depth]


class CPVPostings:
    """Which documents hold a CPV code with a given prefix (of significant digits)."""

    def __init__(
        self, prefixes: dict[str, int], prefix_matrix: sp.csr_matrix, exact_matrix: sp.csr_matrix
    ):
        self.prefixes = prefixes
        self.prefix_matrix = prefix_matrix  # prefix x document: some code starts with it
        self.exact_matrix = exact_matrix  # prefix x document: some code is exactly it

    @classmethod
    def build(cls, code_lists: list[list[str]], prefixes: dict[str, int] | None = None):
        """Index each document's codes; `prefixes` may be extended in place."""
        prefixes = {} if prefixes is None else prefixes
        rows, cols, exact_rows, exact_cols = [], [], [], []
        for doc, codes in enumerate(code_lists):
            for code in codes:
                digits = significant_digits(code)
                for length in range(2, len(digits) + 1):
                    rows.append(prefixes.setdefault(digits[:length], len(prefixes)))
                    cols.append(doc)
                exact_rows.append(prefixes[digits])
                exact_cols.append(doc)
        shape = (max(len(prefixes), 1), len(code_lists))
        return cls(prefixes, _binary(rows, cols, shape), _binary(exact_rows, exact_cols, shape))

    def _docs(self, matrix: sp.csr_matrix, prefix: str) -> np.ndarray:
        row = self.prefixes.get(prefix)
        if row is None:
            return np.zeros(0, dtype=np.int32)
        return matrix.indices[matrix.indptr[row] : matrix.indptr[row + 1]]

    def tender_to_documents(
        self, tender_codes: list[str], n_docs: int, base: np.ndarray | None = None
    ) -> np.ndarray:
        """Score documents (suppliers) against a tender's codes: the best pair for each.

        `base` is each document's score when no code fits (zeros by default).
        """
        scores = np.zeros(n_docs, dtype=np.float32) if base is None else base.copy()
        for code in tender_codes:
            digits = significant_digits(code)
            for length in range(2, len(digits) + 1):
                docs = self._docs(self.prefix_matrix, digits[:length])
                _raise(scores, docs, _depth_score(length, len(digits)))
        return scores

    def supplier_to_documents(self, supplier_codes: list[str], n_docs: int) -> np.ndarray:
        """Score documents (open tenders) against a supplier's codes: the best pair for each."""
        scores = np.zeros(n_docs, dtype=np.float32)
        for code in supplier_codes:
            digits = significant_digits(code)
            for length in range(2, len(digits) + 1):
                prefix = digits[:length]
                partial = 1.0 if length >= 5 else CPV_DEPTH_SCORE[length]
                _raise(scores, self._docs(self.prefix_matrix, prefix), partial)
                # A tender code that is exactly this prefix is matched as far as it goes.
                _raise(scores, self._docs(self.exact_matrix, prefix), _depth_score(length, length))
        return scores


def _raise(scores: np.ndarray, docs: np.ndarray, value: float) -> None:
    if len(docs):
        scores[docs] = np.maximum(scores[docs], value)


def _binary(rows, cols, shape) -> sp.csr_matrix:
    matrix = sp.csr_matrix(
        (
            np.ones(len(rows), dtype=np.float32),
            (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)),
        ),
        shape=shape,
        dtype=np.float32,
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def best_cpv_pair(tender_codes: list[str], supplier_codes: list[str]):
    """Return (score, depth, tender code, supplier code) of the best pair, or None."""
    best = None
    for t in tender_codes:
        for s in supplier_codes:
            score, depth = cpv_pair_score(t, s)
            if score > 0 and (best is None or (score, depth) > best[:2]):
                best = (score, depth, t, s)
    return best


# --- geography ---------------------------------------------------------------------------------


def distance_score(distance_km: np.ndarray) -> np.ndarray:
    return np.exp(-distance_km / DISTANCE_SCALE_KM)


def radians_of(lat: np.ndarray, lon: np.ndarray) -> dict:
    """Return the per-point terms that fast_distance_km reuses."""
    lat_rad = np.radians(lat).astype(np.float32)
    return {
        "lat_rad": lat_rad,
        "lon_rad": np.radians(lon).astype(np.float32),
        "cos_lat": np.cos(lat_rad),
    }


def fast_distance_km(lat: float, lon: float, register: dict) -> np.ndarray:
    """Return distances in km (NaN where unknown), equirectangular on the mean latitude.

    Within about 0.5% of the great-circle distance across the UK, at a fraction of the cost
    of haversine over a whole register.
    """
    p = math.radians(lat)
    # In place: two arrays for a register of any size.
    work = np.add(register["cos_lat"], np.float32(math.cos(p)))
    work *= np.float32(0.5)
    dx = np.subtract(register["lon_rad"], np.float32(math.radians(lon)))
    dx *= work
    dx *= dx
    dy = np.subtract(register["lat_rad"], np.float32(p), out=work)
    dy *= dy
    dx += dy
    np.sqrt(dx, out=dx)
    dx *= np.float32(EARTH_RADIUS_KM)
    return dx


def geography_scores(place: dict, register: dict) -> tuple[np.ndarray, np.ndarray]:
    """Return (score, distance km or NaN) of every supplier for one place.

    `place` has latitude, longitude, lad, county, region (codes as register integers, -1 when
    unknown); `register` has the same keys as arrays, plus radius and `coded` (has an area
    code), and optionally the fast_distance_km terms, `uncoded_rows` (the rows without an
    area code) and `reach` (the radius as float32, inf where none) or `radius_rows` (the rows
    with a service radius) to save passes.
    """
    n = len(register["lat"])
    distance = np.full(n, np.nan, dtype=np.float32)
    if place["latitude"] is not None and place["longitude"] is not None:
        if "cos_lat" in register:
            distance = fast_distance_km(place["latitude"], place["longitude"], register)
        else:
            distance = haversine_km_many(
                place["latitude"], place["longitude"], register["lat"], register["lon"]
            ).astype(np.float32)
    score = np.multiply(distance, np.float32(-1.0 / DISTANCE_SCALE_KM))
    np.exp(score, out=score)
    # A shared area counts for its tier; tiers in rising order, so the closest shared one wins.
    tier = None
    for key, name in (("region", "region"), ("county", "county"), ("lad", "local_authority")):
        if place[key] is not None and place[key] >= 0:
            shared = np.multiply(
                register[key] == place[key], np.float32(TIER_SCORE[name]), dtype=np.float32
            )
            tier = shared if tier is None else np.maximum(tier, shared, out=tier)
    # Known somewhere but neither near nor in a shared area: 0; not known at all: unknown.
    np.fmax(score, np.float32(0.0) if tier is None else tier, out=score)  # NaN distance: tier
    uncoded = register.get("uncoded_rows")
    if uncoded is None:
        score[np.isnan(distance) & ~register["coded"]] = UNKNOWN["geography"]
    elif len(uncoded):
        score[uncoded[np.isnan(distance[uncoded])]] = UNKNOWN["geography"]
    reach = register.get("reach")
    if reach is not None:  # float32 radius, inf where none is stated: arithmetic, not masks
        outside = np.less(reach, distance)  # NaN compares False
        score *= np.float32(1.0) - outside * np.float32(1.0 - OUTSIDE_SERVICE_RADIUS)
        return score, distance
    radius_rows = register.get("radius_rows")
    if radius_rows is None:
        outside = register["radius"] < distance  # NaN compares False
    else:
        outside = radius_rows[register["radius"][radius_rows] < distance[radius_rows]]
    score[outside] *= np.float32(OUTSIDE_SERVICE_RADIUS)
    return score, distance


class WorkedPlaces:
    """The distinct places each supplier has delivered contracts, for "worked near here"."""

    def __init__(self, owner: np.ndarray, lat: np.ndarray, lon: np.ndarray, n_suppliers: int):
        """`owner[i]` is the supplier row of contract i, at (lat[i], lon[i]) (NaN: unknown)."""
        located = ~(np.isnan(lat) | np.isnan(lon))
        # Places to about 100 m: contracts for one buyer share one place.
        points = np.round(np.column_stack([lat[located], lon[located]]), 3)
        if len(points):
            places, place_of = np.unique(points, axis=0, return_inverse=True)
        else:
            places, place_of = np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
        self.lat, self.lon = places[:, 0], places[:, 1]
        matrix = sp.csr_matrix(
            (np.ones(len(place_of), dtype=np.float32), (owner[located], place_of.ravel())),
            shape=(n_suppliers, len(places)),
        )
        matrix.sum_duplicates()
        self.place_of = matrix.indices  # (supplier, place) pairs, by supplier
        self.supplier_of = np.repeat(np.arange(n_suppliers), np.diff(matrix.indptr))
        self.has_place = np.diff(matrix.indptr) > 0
        # Arithmetic, not masks: a masked copy over a register costs ten plain passes.
        self.share = self.has_place.astype(np.float32) * np.float32(WORKED_SHARE)

    def nearness(self, lat: float, lon: float) -> np.ndarray:
        """Return each supplier's nearness to (lat, lon) of its nearest place of work: 1 there,
        falling with distance; 0 for suppliers with no located contract."""
        km = haversine_km_many(lat, lon, self.lat, self.lon)
        near = np.exp(km * (-1.0 / WORKED_SCALE_KM)).astype(np.float32)
        best = np.zeros(len(self.has_place), dtype=np.float32)
        np.maximum.at(best, self.supplier_of, np.take(near, self.place_of))  # the nearest's
        return best

    def blend(self, score: np.ndarray, lat: float | None, lon: float | None) -> np.ndarray:
        """Return geography scores with WORKED_SHARE of each from where the supplier has worked
        (unchanged for suppliers with no located contract, or when the work's place is unknown).
        """
        if lat is None or lon is None or not len(self.place_of):
            return score
        blended = self.nearness(lat, lon)
        blended -= score
        blended *= self.share  # 0 for suppliers with no located contract
        blended += score
        return blended


def nearest_work(awards, lat: np.ndarray, lon: np.ndarray):
    """Return, for each place (lat[i], lon[i]), the km to the nearest of these past contracts
    that has a place, and whom that contract was for: (km, buyer names), NaN km where the
    place is unknown; (None, None) when no contract has a place."""
    located = {}
    for award in awards:
        if award.latitude is not None and award.longitude is not None:
            located.setdefault((round(award.latitude, 3), round(award.longitude, 3)), award)
    if not located:
        return None, None
    km = np.vstack([haversine_km_many(a.latitude, a.longitude, lat, lon) for a in located.values()])
    nearest = np.argmin(np.where(np.isnan(km), np.inf, km), axis=0)
    buyers = [a.buyer_name for a in located.values()]
    return km[nearest, np.arange(km.shape[1])], [buyers[k] for k in nearest]


def worked_blend(score: np.ndarray, worked_km: np.ndarray | None) -> np.ndarray:
    """Return geography scores with WORKED_SHARE of each from the nearness of the nearest place
    of work, as WorkedPlaces.blend does (unchanged where that distance is unknown)."""
    if worked_km is None:
        return score
    near = np.exp(worked_km * (-1.0 / WORKED_SCALE_KM))
    return np.where(np.isnan(worked_km), score, score + WORKED_SHARE * (near - score))


def tier_of(place: dict, lad: int, county: int, region: int) -> int:
    """Return the closest shared area: 0 local authority, 1 county, 2 region, 3 none."""
    for index, (key, code) in enumerate((("lad", lad), ("county", county), ("region", region))):
        if place[key] is not None and place[key] >= 0 and code == place[key]:
            return index
    return 3


TIER_NAMES = ["local_authority", "county", "region", "none"]


# --- capacity ----------------------------------------------------------------------------------


# A supplier's capacity is already the largest contract it can take: whoever sets it (the
# register's maximum contract value, or half the top of its turnover band: buyers usually ask
# for a turnover of twice the contract value) applies the turnover test, so a value fits a
# capacity that is at least as large, and is not halved again here.


def capacity_scores(
    value: float | None, capacity: np.ndarray, unknown: np.ndarray | None = None
) -> np.ndarray:
    """Return 0..1 for how well each capacity covers a value (1 when it is the value or more).

    `unknown`, if given, lists the rows whose capacity is NaN (saves a pass).
    """
    if value is None or not math.isfinite(value) or value <= 0:
        return np.full(len(capacity), UNKNOWN["capacity"], dtype=np.float32)
    score = np.multiply(capacity, np.float32(1.0 / value), dtype=np.float32)
    np.minimum(score, np.float32(1.0), out=score)
    score[np.isnan(score) if unknown is None else unknown] = UNKNOWN["capacity"]
    return score


_FRAMEWORK_TITLE = re.compile(r"\b(framework|dynamic purchasing|dps)\b", re.IGNORECASE)
# "dynamic purchasing" alone: plurals ("systems") and descriptions cut short by their source
# ("operate a dynamic purchasing s") say so too.
_FRAMEWORK_TEXT = re.compile(r"\b(framework agreement|dynamic purchasing|dps)\b", re.IGNORECASE)
_DPS = re.compile(r"\b(dynamic purchasing|dps)\b", re.IGNORECASE)
# A contract let from a framework or DPS, not the framework itself: its value is one contract's.
# The title says so ("DPS Call Off (YPO 881)", "Further Competition for Insurance Placement
# DPS 978", "Supply Contract Via NEPO219 DPS"); or, where the title names no framework, the
# description says it has been let ("it has been awarded following a mini competition under
# the council's DPS"; "Call off from CCS framework RM 6068" opening a sentence). A framework's
# own notice says how contracts *will be* or *may be* called off, so only what has been is read.
_CALL_OFF_TITLE = re.compile(
    r"\b(call[- ]?offs?|further competitions?|mini[- ]?(competitions?|comps?|tenders?)|min comp)\b"
    r"|\b(via|under|from|off|through)\b[^.;]{0,40}\b(framework|dynamic purchasing|dps)\b",
    re.IGNORECASE,
)
_CALL_OFF_TEXT = re.compile(
    r"\b(is|are|was|were|been) (awarded|let) (following|via|through|under|from|off)\b"
    r"|(^|[.:;\u2013-]\s*|\b(is|was|as) an? )call[- ]?off (contract )?from\b",
    re.IGNORECASE,
)


def looks_like_call_off(title: str, description: str = "") -> bool:
    """Return whether a notice is a contract let from a framework or DPS."""
    if _CALL_OFF_TITLE.search(title or ""):
        return True
    if _FRAMEWORK_TITLE.search(title or ""):
        return False  # a framework's own notice, whatever it says of how contracts are let
    return bool(_CALL_OFF_TEXT.search(description or ""))


# (framework, dps) for each way a tender may be stated to be let (models.ARRANGEMENTS).
STATED = {"contract": (False, False), "call_off": (False, False), "framework": (True, False),
          "dps": (True, True)}


def how_bought(title: str, description: str = "", arrangement: str = "") -> tuple[bool, bool]:
    """Return (framework, dps) for a notice: whether it sets up a framework agreement or a
    dynamic purchasing system (a DPS is one too), and whether a DPS. A contract let from
    either is neither: its value is that contract's. A DPS may be joined at any time while it
    runs, and each contract let from it is sized on its own, so no firm is too small for it.

    `arrangement`, where the buyer or the notice's source states it (models.ARRANGEMENTS:
    "contract", "framework", "dps" or "call_off"), decides; "" leaves it to the words."""
    if arrangement in STATED:
        return STATED[arrangement]
    title, description = title or "", description or ""
    framework = bool(_FRAMEWORK_TITLE.search(title) or _FRAMEWORK_TEXT.search(description))
    if not framework or looks_like_call_off(title, description):
        return False, False
    return True, bool(_DPS.search(title) or _DPS.search(description))


def looks_like_framework(title: str, description: str = "", arrangement: str = "") -> bool:
    """Return whether a notice sets up a framework agreement or a DPS (see `how_bought`)."""
    return how_bought(title, description, arrangement)[0]


def capacity_fits(value: float | None, capacity: float | None) -> int:
    """Return 1 if a contract value is within a capacity, 0 if over it, -1 if either is unknown."""
    if value is None or capacity is None or not math.isfinite(value) or math.isnan(capacity):
        return -1
    return int(value <= capacity)


def experience_score(award_count: np.ndarray) -> np.ndarray:
    """Return 0..1 for how many public contracts a supplier has delivered (10+ counts as 1)."""
    return np.minimum(1.0, np.log1p(award_count) / math.log1p(10)).astype(np.float32)
