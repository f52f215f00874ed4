"""Sparse products shaped for ranking: short queries against many documents."""

import numpy as np
import scipy.sparse as sp

# Up to this many documents, products go through scipy (its cost is the queries' terms, in C).
FEW_DOCUMENTS = 64


def gather_postings(queries: sp.csr_matrix, postings: sp.csr_matrix):
    """Return (query row, document, product) of every posting a query's features touch.

    `postings` is features x documents (CSR). The postings of the queries' features are read
    straight from its arrays (no sparse matrix built), in query row order and, within a
    feature, in document order. The query rows are None when there is one query.
    """
    features = queries.indices
    bounds = postings.indptr
    first, last = bounds[features], bounds[features + 1]
    lengths = (last - first).astype(np.int64)
    if not lengths.sum():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    # Slices of the postings arrays are views: one concatenation copies each once.
    starts, ends = first.tolist(), last.tolist()
    docs = np.concatenate([postings.indices[a:b] for a, b in zip(starts, ends, strict=True)])
    data = np.concatenate([postings.data[a:b] for a, b in zip(starts, ends, strict=True)])
    data *= np.repeat(queries.data, lengths)
    if queries.shape[0] == 1:
        return None, docs, data
    row_of_feature = np.repeat(np.arange(queries.shape[0]), np.diff(queries.indptr))
    return np.repeat(row_of_feature, lengths), docs, data


def query_scores(queries: sp.csr_matrix, postings: sp.csr_matrix) -> np.ndarray:
    """Return queries x documents dot products as a dense float32 array.

    Only the postings of the queries' own features are read, and all rows' products are summed
    in one unbuffered add (in float32: half the cost of a float64 bincount and its cast), so a
    batch costs about the length of its terms' postings.
    """
    n_q, n_docs = queries.shape[0], postings.shape[1]
    if n_docs <= FEW_DOCUMENTS:
        # Many queries against a few documents (one supplier against every open tender): the
        # postings loop would run once per query term; scipy's product runs in C.
        return (queries @ postings).toarray().astype(np.float32, copy=False)
    summed = np.zeros(n_q * n_docs, dtype=np.float32)
    rows, docs, products = gather_postings(queries, postings)
    if len(docs):
        np.add.at(summed, docs if rows is None else rows * n_docs + docs, products)
    return summed.reshape(n_q, n_docs)
