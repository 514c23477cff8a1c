"""Transaction boundary helpers: one service call is one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from telecom.extensions import db


def commit() -> None:
    """Commit the current transaction, then deliver the mail it queued.

    Mail leaves only after the rows that describe it are durable, so a rolled
    back change never sends a message (the transactional-outbox rule).
    """
    from telecom.core import outbox

    try:
        # Inside the try: this flush is where a constraint usually fails, and
        # a failed flush must roll back too or the session stays unusable.
        pending = outbox.take_pending_ids(db.session)
        db.session.commit()
    except Exception:
        db.session.rollback()
        outbox.discard_pending(db.session)
        raise
    if pending:
        outbox.deliver(pending)


@contextmanager
def transaction() -> Iterator[None]:
    """Run a block as one transaction: commit on success, roll back on error."""
    from telecom.core import outbox

    try:
        yield
    except BaseException:
        db.session.rollback()
        outbox.discard_pending(db.session)
        raise
    commit()


F = TypeVar("F", bound=Callable[..., Any])


def atomic(service: F) -> F:
    """Decorator: a service that refuses half-way leaves nothing behind.

    Services lock rows and may flush (say, an expired hold released under a
    lock) before a rule refuses; rolling back here releases the locks and
    drops the flushed rows and queued mail, so a later commit in the same
    session (a CLI loop, a test) can never write half of a refused action.
    """

    @wraps(service)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from telecom.core import outbox

        try:
            return service(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            outbox.discard_pending(db.session)
            raise

    return wrapped  # type: ignore[return-value]
