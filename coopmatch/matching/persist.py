"""Fitted indexes on disk: a directory of NumPy and SciPy files plus pickled vectorizers.

The directory is written beside its destination and renamed into place, so a reader never sees
half an index. `meta.json` carries the format version and library versions; an index written by
another format version is refused (rebuild it) rather than misread.
"""

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp

FORMAT_VERSION = 17  # 2: the notice each contract was won on; 3: learned associations;
# 4: the largest contract each supplier has won (its size where no capacity is stated);
# 5: BM25 keywords; 6: title keywords, and where each contract was; 7: which fit the text
# model is (open tenders read with its vocabulary are only valid beside it); 8: statements'
# plurals also read as singulars ("cafes" -> "cafe"); 9: each contract's CPV divisions;
# 10: "IT" read as "information technology" (its words were not in the vocabulary); 11: a
# stop word hyphened to a word joined to it ("co-operative" -> "cooperative"), and words that
# name work ("fire", "system") no longer stop words; 12: "co" written apart joined to a word in
# o- ("co op" -> "coop"); 13: suppliers' SIC codes; 14: how often ("daily", "quarterly") a stop
# word; 15: "in house" written apart joined ("inhouse"); 16: public bodies known only from
# ledgers left out (services.matching); 17: open tenders that set up a DPS (size not weighed);
# "dynamic purchasing system" and "dps" not read as words of the work


class IndexFormatError(ValueError):
    """The files are missing, of another kind, or from another format version: rebuild."""


def save(path, kind: str, *, meta: dict, arrays: dict, matrices: dict, objects: dict) -> None:
    """Write an index directory atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        np.savez(work / "arrays.npz", **arrays)
        for name, matrix in matrices.items():
            sp.save_npz(work / f"{name}.npz", sp.csr_matrix(matrix), compressed=False)
        joblib.dump(objects, work / "objects.joblib")
        header = {
            "kind": kind,
            "format_version": FORMAT_VERSION,
            "sklearn_version": _sklearn_version(),
            "numpy_version": np.__version__,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "matrices": sorted(matrices),
            **meta,
        }
        (work / "meta.json").write_text(json.dumps(header, indent=2, sort_keys=True))
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            os.replace(path, old)
        os.replace(work, path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def read_meta(path) -> dict:
    """Return an index's meta.json, or raise IndexFormatError."""
    try:
        return json.loads((Path(path) / "meta.json").read_text())
    except (OSError, ValueError) as error:
        raise IndexFormatError(f"No matching index at {path}: build one first.") from error


def load(path, kind: str):
    """Return (meta, arrays, matrices, objects) of an index directory."""
    path = Path(path)
    meta = read_meta(path)
    if meta.get("kind") != kind:
        raise IndexFormatError(f"{path} holds a {meta.get('kind')}, not a {kind}.")
    if meta.get("format_version") != FORMAT_VERSION:
        raise IndexFormatError(
            f"{path} was written in index format {meta.get('format_version')}; this version "
            f"reads format {FORMAT_VERSION}. Rebuild the index."
        )
    with np.load(path / "arrays.npz", allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    matrices = {name: sp.load_npz(path / f"{name}.npz").tocsr() for name in meta["matrices"]}
    objects = joblib.load(path / "objects.joblib")
    return meta, arrays, matrices, objects


def _sklearn_version() -> str:
    import sklearn  # imported on use: scikit-learn takes seconds to import (scipy.stats)

    return sklearn.__version__
