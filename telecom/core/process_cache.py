"""Short-lived, per-process copies of rows that hot API paths read on every request.

A scanner posts every badge to the check-in API: the edition it scans for and
the account behind its API token are the same on every request, and reading
them each time costs a database round trip and ORM work that can exceed the
cost of the scan itself. A `ProcessCache` keeps a detached copy of such a row
for a configured number of seconds and hands each request its own session-bound
instance of it, without a query.

The price is staleness: a change made by another process (another gunicorn
worker) reaches this one within the configured time. Changes made by this
process drop the entry at once (`discard`, `clear`). A setting of 0 turns the
cache off, which is what the tests use unless they test the cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Generic, TypeVar

from flask import current_app
from sqlalchemy import URL, inspect
from sqlalchemy.orm import make_transient_to_detached

from telecom.extensions import db

M = TypeVar("M", bound=db.Model)  # type: ignore[name-defined]

# Beyond this many entries the oldest are dropped: a flood of distinct keys
# (say, random bearer tokens) must not grow a worker's memory.
MAX_ENTRIES = 1000


def _copy_columns(instance: db.Model) -> db.Model:  # type: ignore[name-defined]
    mapper = inspect(type(instance))
    return type(instance)(**{attr.key: getattr(instance, attr.key) for attr in mapper.column_attrs})


def detached_copy(instance: M, relationships: Iterable[str] = ()) -> M:
    """A copy of a loaded row (and of the named one-to-many collections), in no session.

    The copy has the row's identity, so `Session.merge(copy, load=False)` turns
    it into an instance of that session without a query.
    """
    copy = _copy_columns(instance)
    children = {
        name: [_copy_columns(child) for child in getattr(instance, name)] for name in relationships
    }
    for name, copies in children.items():
        setattr(copy, name, copies)
        for child in copies:
            make_transient_to_detached(child)
    make_transient_to_detached(copy)
    return copy  # type: ignore[return-value]


class ProcessCache(Generic[M]):
    """Detached copies of rows by key, each reused for `config_key` seconds."""

    every: list[ProcessCache] = []  # type: ignore[type-arg]

    def __init__(self, config_key: str, relationships: Iterable[str] = ()) -> None:
        self.config_key = config_key
        self.relationships = tuple(relationships)
        # key -> (stored at, monotonic seconds; database URL; detached copy)
        self._entries: dict[str, tuple[float, URL, M]] = {}
        self._lock = threading.Lock()
        ProcessCache.every.append(self)

    def max_age(self) -> float:
        return float(current_app.config.get(self.config_key, 0))

    def get(self, key: str) -> M | None:
        """This request's instance of the cached row, or None (absent, expired, off)."""
        max_age = self.max_age()
        if max_age <= 0:
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, database, copy = entry
        # The database URL is part of the key: tests and CLI runs switch databases.
        if time.monotonic() - stored_at > max_age or database != db.engine.url:
            self.discard(key)
            return None
        return db.session.merge(copy, load=False)

    def put(self, key: str, instance: M) -> None:
        """Remember a copy of `instance` (loaded in this request) under `key`."""
        if self.max_age() <= 0:
            return
        copy = detached_copy(instance, self.relationships)
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                oldest = min(self._entries, key=lambda name: self._entries[name][0])
                del self._entries[oldest]
            self._entries[key] = (time.monotonic(), db.engine.url, copy)

    def discard(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def clear_all() -> None:
    """Forget every cached row of this process (tests: the next one has a new database)."""
    for cache in ProcessCache.every:
        cache.clear()
