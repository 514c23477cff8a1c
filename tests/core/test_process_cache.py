"""ProcessCache: per-process copies of rows for hot API paths, bounded and per database."""

from __future__ import annotations

import pytest
from flask import Flask

from telecom.core import process_cache
from telecom.core.process_cache import ProcessCache
from telecom.events.models import Edition
from telecom.extensions import db
from tests.helpers import make_edition


def test_a_copy_comes_back_as_an_instance_of_this_session(app: Flask) -> None:
    app.config["TEST_CACHE_SECONDS"] = 60
    cache: ProcessCache[Edition] = ProcessCache("TEST_CACHE_SECONDS")
    edition = make_edition("telecom-world-2015")
    cache.put("2015", edition)
    db.session.remove()

    copy = cache.get("2015")

    assert copy is not None
    assert copy in db.session
    assert (copy.id, copy.slug, copy.start_date) == (edition.id, edition.slug, edition.start_date)


def test_the_oldest_entries_go_beyond_the_limit(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process_cache, "MAX_ENTRIES", 2)
    app.config["TEST_CACHE_SECONDS"] = 60
    cache: ProcessCache[Edition] = ProcessCache("TEST_CACHE_SECONDS")
    for slug in ("telecom-world-2013", "telecom-world-2015", "telecom-world-2017"):
        cache.put(slug, make_edition(slug))

    assert cache.get("telecom-world-2013") is None
    assert cache.get("telecom-world-2015") is not None
    assert cache.get("telecom-world-2017") is not None


def test_nothing_is_kept_when_the_setting_is_zero(app: Flask) -> None:
    app.config["TEST_CACHE_SECONDS"] = 0
    cache: ProcessCache[Edition] = ProcessCache("TEST_CACHE_SECONDS")
    cache.put("2015", make_edition("telecom-world-2015"))

    app.config["TEST_CACHE_SECONDS"] = 60
    assert cache.get("2015") is None
