"""Sparse products shaped for ranking: one short query against many documents."""

import numpy as np
import scipy.sparse as sp


def query_scores(queries: sp.csr_matrix, postings: sp.csr_matrix) -> np.ndarray:
    """Return queries x documents dot products as a dense float32 array.

    `postings` is features x documents (CSR). Only the rows of the query's own features are
    read, and each query's products are summed with one bincount: no sparse result is built,
    so a query costs about the length of its terms' postings.
    """
    n_docs = postings.shape[1]
    out = np.zeros((queries.shape[0], n_docs), dtype=np.float32)
    for i in range(queries.shape[0]):
        start, end = queries.indptr[i], queries.indptr[i + 1]
        if start == end:
            continue
        features = queries.indices[start:end]
        lengths = postings.indptr[features + 1] - postings.indptr[features]
        if not lengths.sum():
            continue
        rows = postings[features]
        weights = np.repeat(queries.data[start:end], lengths) * rows.data
        out[i] = np.bincount(rows.indices, weights=weights, minlength=n_docs)
    return out
