"""Browser-journey fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def base_url(pytestconfig: pytest.Config) -> str | None:
    """The same value as pytest-playwright's own `base_url` fixture, defined here instead.

    pytest-playwright 0.10.0 (the latest release) defines its fallback `base_url`
    as a session-scoped fixture on a plugin *instance*; pytest 9.2 deprecates
    that with PytestRemovedIn10Warning, which our `filterwarnings = error` turns
    into a setup error. A plain function fixture with the same behaviour
    shadows it, so the plugin's version never runs. Drop this once
    pytest-playwright ships a fix (or if pytest-base-url is installed, which
    makes pytest-playwright skip its fallback).
    """
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None
