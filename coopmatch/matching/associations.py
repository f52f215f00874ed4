"""Learned associations: which kinds of work tend to be won by the same suppliers.

A tender for "LGV drivers for winter service" shares no words with a recruitment agency's past
contracts ("managing temporary and permanent recruitment"), yet such work goes to such firms.
The register's own award histories say so: a supplier's contracts are, pair by pair, examples of
work that goes to the same firm. For each supplier with two or more contracts, every contract's
words are paired with the words of its other contracts, giving the word-by-word matrix

    C = sum over suppliers o of  w_o (S_o' S_o - sum over its contracts i of g_i' g_i)

where g_i is contract i's TF-IDF row, S_o the sum of supplier o's rows and w_o = 1 / |S_o| (so a
supplier with many contracts does not drown out the rest). Its top singular vectors map a tender
and a supplier's profile into a small space where work that goes to the same suppliers is near.
C is never formed: a randomized SVD (Halko, Martinsson and Tropp) needs only products with it,
each costing a pass over the contracts' rows.

Pure NumPy and SciPy: fitted once when an index is built, from the index's own matrices.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

# bench/match_quality.py: 32 and 64 dimensions rank alike (MRR 0.324 both on seeds 0-4, 0.337
# and 0.338 on 5-9), and a query reads every supplier's vector: 32 halves that read.
DIMENSIONS = 32
# Fitting reads at most this many contracts (a deterministic sample of the suppliers with two or
# more), which keeps an index build of a 100,000-supplier register within seconds.
MAX_CONTRACTS = 20_000
# ... and the word features the most contracts use, at most this many (the projection is dense).
MAX_FEATURES = 30_000
# Fewer suppliers with two or more contracts than this: too little to learn from.
MIN_SUPPLIERS = 20
POWER_ITERATIONS = 2
OVERSAMPLE = 10
SEED = 0


@dataclass
class Associations:
    """The fitted map from word features (of the index's text model) to a small dense space."""

    features: np.ndarray  # the word feature columns used, ascending
    query_map: np.ndarray  # len(features) x dims: tender side
    profile_map: np.ndarray  # len(features) x dims: supplier side

    @cached_property
    def _position(self) -> np.ndarray:
        """Feature column -> row of the maps (-1 for a feature not used)."""
        position = np.full(int(self.features[-1]) + 1, -1, dtype=np.int32)
        position[self.features] = np.arange(len(self.features), dtype=np.int32)
        return position

    @property
    def dims(self) -> int:
        return self.query_map.shape[1]

    def embed_queries(self, words: sp.csr_matrix) -> np.ndarray:
        """Return unit rows for tender word rows (TF-IDF over the text model's features)."""
        return _unit_rows(self._select(words) @ self.query_map)

    def embed_profiles(self, words: sp.csr_matrix) -> np.ndarray:
        """Return unit rows for supplier profile word rows."""
        return _unit_rows(self._select(words) @ self.profile_map)

    def _select(self, words: sp.csr_matrix) -> sp.csr_matrix:
        """Return the rows' entries in the used features (cheaper than scipy's column slicing)."""
        words = sp.csr_matrix(words)
        position = self._position
        inside = words.indices < len(position)
        column = np.full(len(words.indices), -1, dtype=np.int32)
        column[inside] = position[words.indices[inside]]
        keep = column >= 0
        indptr = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])[words.indptr]
        return sp.csr_matrix(
            (words.data[keep], column[keep], indptr), shape=(words.shape[0], len(self.features))
        )


def fit(
    award_words: sp.csr_matrix,
    award_owner: np.ndarray,
    n_suppliers: int,
    columns: np.ndarray | None = None,
    dims: int = DIMENSIONS,
) -> Associations | None:
    """Fit from contracts' word rows and their owners; None when there is too little to learn.

    `columns` are the feature columns that may be used (single words: word pairs are too sparse
    to associate and were found to blur the map); by default all.
    """
    award_owner = np.asarray(award_owner, dtype=np.int64)
    counts = np.bincount(award_owner, minlength=n_suppliers)
    repeat = np.flatnonzero(counts >= 2)
    if len(repeat) < MIN_SUPPLIERS or award_words.shape[1] == 0:
        return None
    chosen = _sample(repeat, counts, MAX_CONTRACTS)
    rows = np.flatnonzero(np.isin(award_owner, chosen))
    contracts = award_words[rows]
    owner = np.searchsorted(chosen, award_owner[rows])
    used = np.diff(contracts.tocsc().indptr)
    if columns is not None:
        allowed = np.zeros(len(used), dtype=bool)
        allowed[np.asarray(columns, dtype=np.int64)] = True
        used = np.where(allowed, used, 0)
    features = np.sort(np.argsort(-used, kind="stable")[: min(MAX_FEATURES, int((used > 0).sum()))])
    contracts = contracts[:, features].astype(np.float32).tocsr()
    group = sp.csr_matrix(
        (np.ones(len(owner), dtype=np.float32), (owner, np.arange(len(owner)))),
        shape=(len(chosen), len(owner)),
    )
    sums = (group @ contracts).tocsr()
    weight = 1.0 / np.maximum(np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel()), 1e-6)
    weight = weight.astype(np.float32)
    contract_weight = weight[owner]
    sums_t, contracts_t = sums.T.tocsr(), contracts.T.tocsr()

    def product(block: np.ndarray) -> np.ndarray:  # C @ block (C is symmetric)
        return sums_t @ (weight[:, None] * (sums @ block)) - contracts_t @ (
            contract_weight[:, None] * (contracts @ block)
        )

    dims = min(dims, len(features) - 1, len(chosen))
    if dims < 2:
        return None
    left, singular, right = _randomized_svd(product, len(features), dims)
    keep = singular > singular[0] * 1e-6
    if not keep.any():
        return None
    scale = np.sqrt(singular[keep]).astype(np.float32)
    return Associations(
        features=features.astype(np.int64),
        query_map=np.ascontiguousarray(left[:, keep] * scale, dtype=np.float32),
        profile_map=np.ascontiguousarray(right[:, keep] * scale, dtype=np.float32),
    )


def _sample(suppliers: np.ndarray, counts: np.ndarray, budget: int) -> np.ndarray:
    """Return suppliers (ascending) whose contracts total about `budget`, chosen at random."""
    if counts[suppliers].sum() <= budget:
        return suppliers
    order = np.random.default_rng(SEED).permutation(suppliers)
    total = np.cumsum(counts[order])
    return np.sort(order[: int(np.searchsorted(total, budget, side="right")) or 1])


def _randomized_svd(product, n: int, k: int):
    """Return (U, s, V) of the top k singular triplets of an n x n operator given by `product`."""
    rng = np.random.default_rng(SEED)
    width = min(k + OVERSAMPLE, n)
    basis, _ = np.linalg.qr(product(rng.standard_normal((n, width)).astype(np.float32)))
    for _ in range(POWER_ITERATIONS):
        basis, _ = np.linalg.qr(product(basis))  # C is symmetric: C' = C
    small = product(basis).T  # basis' C, width x n
    u, s, vt = np.linalg.svd(small, full_matrices=False)
    return (basis @ u)[:, :k], s[:k], vt[:k].T


def _unit_rows(matrix) -> np.ndarray:
    dense = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return dense / norms
