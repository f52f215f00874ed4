"""Fixtures for the spend tests."""

import pytest

from tests.spend.handmade import HAND_LEDGER


@pytest.fixture
def hand_ledger(tmp_path):
    path = tmp_path / "1904.csv"
    path.write_bytes(HAND_LEDGER)
    return path
