"""Shared fixtures. Domain tests use only `data_dir`; app tests add the database fixtures."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real open data (../shared beside the checkout, or COOPMATCH_DATA_DIR)."""
    path = Path(os.environ.get("COOPMATCH_DATA_DIR") or ROOT.parent / "shared")
    assert (path / "reference-data").is_dir(), f"reference data not found at {path}"
    return path


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")
