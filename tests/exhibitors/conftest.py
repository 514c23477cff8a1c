"""Fixtures shared by the exhibitor tests."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.exhibitors.factories import Show, make_show


@pytest.fixture
def show(app: Flask) -> Show:
    """An edition with a hall of booths, two exhibitors and an organizer."""
    return make_show()
