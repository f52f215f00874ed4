import numpy as np
import pytest
import scipy.sparse as sp

from coopmatch.matching import sparse
from coopmatch.matching.sparse import query_scores


def _random(rows, cols, density, seed):
    return sp.random(rows, cols, density=density, format="csr", dtype=np.float32,
                     random_state=np.random.default_rng(seed))


@pytest.mark.parametrize("n_queries", [1, 7])
@pytest.mark.parametrize("n_docs", [1, sparse.FEW_DOCUMENTS, sparse.FEW_DOCUMENTS + 1, 500])
def test_query_scores_is_the_dense_product_whichever_path_it_takes(n_queries, n_docs):
    queries = _random(n_queries, 300, 0.05, 1)
    postings = _random(300, n_docs, 0.1, 2)  # features x documents
    scores = query_scores(queries, postings)
    assert scores.dtype == np.float32
    assert scores.shape == (n_queries, n_docs)
    np.testing.assert_allclose(scores, (queries @ postings).toarray(), rtol=1e-5, atol=1e-6)


def test_query_scores_of_queries_with_no_terms_are_zero():
    queries = sp.csr_matrix((3, 50), dtype=np.float32)
    for n_docs in (2, 200):
        assert not query_scores(queries, _random(50, n_docs, 0.2, 3)).any()
