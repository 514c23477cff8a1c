"""Hypothesis (run by schemathesis) keeps its caches in pytest's cache, not in the repository."""

from __future__ import annotations

import pytest
from hypothesis.configuration import set_hypothesis_home_dir


def pytest_configure(config: pytest.Config) -> None:
    # No example database is written (the tests set database=None); this moves
    # the rest (constants and Unicode tables) to .pytest_cache, which `make clean` removes.
    cache = getattr(config, "cache", None)
    if cache is not None:
        set_hypothesis_home_dir(cache.mkdir("hypothesis"))
