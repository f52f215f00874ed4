"""Fixtures for the import parser tests: the CPV vocabulary and each real file parsed once."""

import pytest

from coopmatch.cpv import CPVVocabulary
from coopmatch.imports.formats import parse_file


@pytest.fixture(scope="session")
def cpv(data_dir) -> CPVVocabulary:
    return CPVVocabulary(str(data_dir))


@pytest.fixture(scope="session")
def parsed(data_dir, cpv):
    """Return a function that parses a real file once per test run, by format and path."""
    cache: dict = {}

    def parse(fmt: str, relative: str, **options) -> list:
        key = (fmt, relative, tuple(sorted((k, repr(v)) for k, v in options.items())))
        if key not in cache:
            path = data_dir / relative
            cache[key] = list(parse_file(fmt, path, cpv=cpv, data_dir=data_dir, **options))
        return cache[key]

    return parse
