"""Ratings: only after the session, only by those checked in at its door, once; the report."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import func, select

from telecom.core.audit import entries_for_object
from telecom.core.errors import Conflict, Forbidden
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.forum.models import ForumSession, SessionRating
from telecom.forum.services import ForumError, ratings
from tests.forum.support_seats import (
    Delegate,
    delegate,
    delegates,
    forum_edition,
    gate_check_in,
    make_room,
    make_session,
    make_track,
    session_check_in,
)
from tests.helpers import make_organizer


def _after(session: ForumSession) -> datetime:
    return session.ends_at + timedelta(hours=1)


def _rate(
    session: ForumSession, holder: Delegate, score: object, comment: str = ""
) -> SessionRating:
    return ratings.rate(session, score, comment, actor=holder.user, now=_after(session))  # type: ignore[arg-type]


def _count() -> int:
    return int(db.session.scalar(select(func.count(SessionRating.id))) or 0)


def test_an_attendee_rates_a_session_once_after_it_ended(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition))
    dora = delegate(edition)
    session_check_in(dora, session)

    with pytest.raises(Conflict, match="once it has ended"):
        ratings.rate(session, 5, "", actor=dora.user, now=session.ends_at - timedelta(minutes=1))
    assert _count() == 0

    rating = _rate(session, dora, 4, "  Clear and useful.  ")

    assert (rating.score, rating.comment) == (4, "Clear and useful.")
    assert ratings.my_rating(session, dora.user).id == rating.id
    [entry] = entries_for_object("session_ratings", rating.id)
    assert entry.action == "rate_session" and entry.after["score"] == 4

    with pytest.raises(Conflict, match="already rated"):
        _rate(session, dora, 2)
    db.session.expire_all()
    assert db.session.scalars(select(SessionRating.score)).all() == [4]


def test_the_end_shown_in_the_refusal_is_the_venues_time(app: Flask) -> None:
    edition = forum_edition()  # Europe/Budapest
    session = make_session(edition, room=make_room(edition), starts="16:00", ends="17:30")
    dora = delegate(edition)
    session_check_in(dora, session)

    with pytest.raises(Conflict) as refused:
        ratings.rate(session, 5, "", actor=dora.user, now=session.starts_at)

    assert "5:30" in refused.value.message or "17:30" in refused.value.message


def test_only_people_checked_in_at_the_session_may_rate_it(app: Flask) -> None:
    edition = forum_edition()
    room = make_room(edition)
    session = make_session(edition, room=room)
    other = make_session(edition, "Other session", room=room, starts="12:00", ends="13:00")
    at_gate, elsewhere, absent = delegates(edition, 3)
    gate_check_in(at_gate, edition.start_date)
    session_check_in(elsewhere, other)

    for holder in (at_gate, elsewhere, absent):
        with pytest.raises(Forbidden, match="scanned at the session"):
            _rate(session, holder, 5)
    with pytest.raises(Forbidden, match="Log in"):
        ratings.rate(session, 5, "", actor=None, now=_after(session))
    assert _count() == 0
    assert _rate(other, elsewhere, 3).score == 3


def test_a_cancelled_session_cannot_be_rated(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition))
    dora = delegate(edition)
    session_check_in(dora, session)
    session.cancelled_at = session.ends_at
    db.session.commit()

    with pytest.raises(Conflict, match="cancelled"):
        _rate(session, dora, 5)


@pytest.mark.parametrize("score", [0, 6, -1, "", "abc", "4.5", True, None, 3.0])
def test_a_score_outside_1_to_5_is_refused_on_its_field(app: Flask, score: object) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition))
    dora = delegate(edition)
    session_check_in(dora, session)

    with pytest.raises(ForumError) as refused:
        _rate(session, dora, score)

    assert refused.value.field == "score" and "1 to 5" in refused.value.message
    assert _count() == 0


def test_scores_typed_in_a_form_and_long_comments(app: Flask) -> None:
    edition = forum_edition()
    session = make_session(edition, room=make_room(edition))
    dora, ben = delegates(edition, 2)
    session_check_in(dora, session)
    session_check_in(ben, session)

    with pytest.raises(ForumError) as refused:
        _rate(session, dora, 5, "x" * (ratings.MAX_COMMENT_LENGTH + 1))
    assert refused.value.field == "comment"

    assert _rate(session, dora, " 5 ").score == 5
    assert _rate(session, ben, 1, "x" * ratings.MAX_COMMENT_LENGTH).score == 1


# --- The organizer's report ------------------------------------------------------------------


def _rated(session: ForumSession, scores: list[int], prefix: str) -> None:
    edition = db.session.get(Edition, session.edition_id)
    for n, score in enumerate(scores):
        holder = delegate(edition, f"{prefix}{n}@x.example", f"{prefix} {n}")
        session_check_in(holder, session)
        _rate(session, holder, score, "Great" if score == 5 else "")


def test_the_report_gives_counts_and_exact_means_per_session_track_and_edition(app: Flask) -> None:
    edition = forum_edition()
    room = make_room(edition)
    policy, tech = make_track(edition, "Policy"), make_track(edition, "Technology")
    opening = make_session(
        edition, "Opening", room=room, track=policy, starts="09:00", ends="10:00"
    )
    debate = make_session(edition, "Debate", room=room, track=policy, starts="10:00", ends="11:00")
    lunch = make_session(edition, "Networking lunch", room=room, starts="12:00", ends="13:00")
    unrated = make_session(edition, "Unrated", room=room, track=tech, starts="14:00", ends="15:00")
    _rated(opening, [5, 4, 4], "a")
    _rated(debate, [3, 2], "b")
    _rated(lunch, [1], "c")
    # Another edition's ratings never mix in.
    other_edition = forum_edition("telecom-world-other", starts_in=400)
    _rated(make_session(other_edition, room=make_room(other_edition)), [1, 1], "z")

    with pytest.raises(Forbidden):
        ratings.ratings_report(edition, actor=delegate(edition, "nosy@x.example").user)
    report = ratings.ratings_report(edition, actor=make_organizer())

    assert [(r.session.title, r.count, r.mean) for r in report.sessions] == [
        ("Opening", 3, Decimal("4.33")),
        ("Debate", 2, Decimal("2.50")),
        ("Networking lunch", 1, Decimal("1.00")),
        ("Unrated", 0, None),
    ]
    assert unrated.id in {r.session.id for r in report.sessions}
    # A track's mean is the mean of its ratings: (5+4+4+3+2) / 5.
    assert [(t.name, t.count, t.mean) for t in report.tracks] == [
        ("Policy", 5, Decimal("3.60")),
        ("Technology", 0, None),
        ("No track", 1, Decimal("1.00")),
    ]
    assert (report.edition.count, report.edition.mean) == (6, Decimal("3.17"))
    assert report.edition.distribution == {1: 1, 2: 1, 3: 1, 4: 2, 5: 1}
    assert all(isinstance(r.mean, Decimal) for r in report.sessions if r.count)
    comments = ratings.rating_comments(opening, actor=make_organizer("o2@example.org"))
    assert [c.comment for c in comments] == ["Great"]


def test_means_are_exact_decimals_rounded_half_up() -> None:
    assert ratings.mean_of(801, 200) == Decimal("4.01")  # 4.005: a float average gives 4.00
    assert ratings.mean_of(10, 3) == Decimal("3.33")
    assert ratings.mean_of(0, 0) is None
