"""The delegate's forum pages: the programme, a page per session, seats, ratings, calendars.

Views stay thin: they read the programme through telecom.forum.services and
call one service per action (seats.reserve, seats.join_waiting_list,
seats.cancel_reservation, ratings.rate), which check who is acting. A refused
action is shown on the session page it concerns, never as a 500: a full
session offers its waiting list, a missing forum pass names the passes that
give access with a link to registration.

The programme is public once the organizers publish it; until then only
organizers see it (as a preview, clearly marked), everyone else a notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required

from telecom.core.errors import Conflict, Forbidden, NotFound, ServiceError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, has_role
from telecom.core.storage import sniff_image_type
from telecom.core.web import safe_next_url
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.forum.models import (
    ForumSession,
    ReservationStatus,
    SessionAccess,
    SpeakerRole,
    SpeakerStatus,
)
from telecom.forum.public_forms import ALL_DAYS, ProgrammeFilterForm, RatingForm, SeatForm
from telecom.forum.services import ical as forum_ical
from telecom.forum.services import local_time, programme, ratings, seats, session_capacity
from telecom.forum.services import speakers as forum_speakers
from telecom.forum.views import bp
from telecom.participants.services import passes
from telecom.participants.services.people import person_for_user

# --------------------------------------------------------------------------- helpers


def _is_organizer() -> bool:
    return has_role(current_user, Role.ORGANIZER)


def _not_published(edition: Edition) -> NotFound:
    return NotFound(
        _(
            "The forum programme of %(edition)s is not published yet. Please come back later.",
            edition=edition.name,
        )
    )


def _visible_edition(slug: str) -> tuple[Edition, bool]:
    """The edition whose programme may be shown, and whether this is an organizer's preview.

    Sessions, speakers and calendars of an unpublished programme answer 404
    to everyone but organizers, so nothing leaks before the announcement.
    """
    edition = get_edition(slug)
    if programme.is_published(edition):
        return edition, False
    if _is_organizer():
        return edition, True
    raise _not_published(edition)


def _session_of(edition: Edition, session_id: int) -> ForumSession:
    """A session of this edition, cancelled ones too (their page says so); NotFound otherwise."""
    return programme.get_session(edition, session_id)


def seats_left(session: ForumSession) -> int:
    """Free seats as the page shows them; the reservation itself re-checks under a lock."""
    return max(session_capacity(session) - session.seats_taken, 0)


def public_speakers_of(session: ForumSession) -> list[Any]:
    """The session's speakers the public may see: confirmed ones, in their order.

    An invited speaker who has not confirmed (or declined, or was withdrawn)
    is not announced.
    """
    return [link for link in session.speakers if link.speaker.status == SpeakerStatus.CONFIRMED]


@dataclass(frozen=True)
class Times:
    """A session's times where it takes place, ready to print."""

    day: date
    date_text: str
    start_text: str
    end_text: str
    starts_local: datetime
    ends_local: datetime


def times_of(edition: Edition, session: ForumSession) -> Times:
    # format_time is given a plain time: with a datetime Flask-Babel would move
    # it to the reader's zone, while the programme is read in the edition's.
    starts = local_time(edition, session.starts_at)
    ends = local_time(edition, session.ends_at)
    return Times(
        day=starts.date(),
        date_text=format_date(starts.date(), "full"),
        start_text=format_time(starts.time(), "short"),
        end_text=format_time(ends.time(), "short"),
        starts_local=starts,
        ends_local=ends,
    )


def _template_context(edition: Edition, preview: bool) -> dict[str, Any]:
    return {
        "edition": edition,
        "preview": preview,
        "times_of": lambda session: times_of(edition, session),
        "seats_left": seats_left,
        "capacity_of": session_capacity,
        "public_speakers_of": public_speakers_of,
        "Moderator": SpeakerRole.MODERATOR,
        "Status": ReservationStatus,
        "format_day": lambda day: format_date(day, "full"),
        "short_day": lambda day: format_date(day, "EEE d MMM"),
    }


def _my_reservation(edition: Edition, session: ForumSession) -> seats.MyReservation | None:
    if not current_user.is_authenticated:
        return None
    for reservation in seats.my_reservations(current_user, edition):
        if reservation.session.id == session.id:
            return reservation
    return None


def _may_attend(forum_session: ForumSession) -> tuple[bool, str]:
    """Whether the logged-in delegate's registrations open this session, and if not, why."""
    allowed, reason = seats.may_attend(current_user, forum_session)
    return bool(allowed), str(reason or "")


def _forum_passes(edition: Edition) -> list[Any]:
    """The passes on sale that give forum access: what a delegate without one may register for."""
    return [p for p in passes.passes_for_sale(edition, utcnow()) if p.forum_access]


# --------------------------------------------------------------------------- programme


@bp.route("", endpoint="programme")
def programme_page(slug: str) -> ResponseReturnValue:
    """The programme by day (tabs), filtered by track and room, with a search."""
    edition = get_edition(slug)
    published = programme.is_published(edition)
    preview = not published and _is_organizer()
    if not published and not preview:
        return render_template("forum/not_published.html", edition=edition)

    form = ProgrammeFilterForm(request.args)
    form.set_choices(programme.list_tracks(edition), programme.list_rooms(edition))
    form.validate()  # only lengths; a bad value narrows nothing rather than failing
    days = programme.programme_days(edition)
    today = edition.local_date(utcnow())
    day = form.chosen_day(days, today)
    sessions = programme.sessions_of(
        edition,
        day=day,
        track_id=form.track_id(),
        room_id=form.room_id(),
        search=form.search(),
    )
    by_day: dict[date, list[ForumSession]] = {}
    for session in sessions:
        by_day.setdefault(times_of(edition, session).day, []).append(session)

    def tab_url(tab: date | None) -> str:
        # A tab keeps the filter; only the day changes.
        args = {key: value for key, value in request.args.items() if key != "day" and value}
        args["day"] = tab.isoformat() if tab is not None else ALL_DAYS
        return url_for("forum.programme", slug=edition.slug, **args)

    return render_template(
        "forum/programme.html",
        form=form,
        days=days,
        day=day,
        by_day=by_day,
        count=len(sessions),
        filtered=bool(form.track_id() or form.room_id() or form.search()),
        tab_url=tab_url,
        **_template_context(edition, preview),
    )


@bp.route("/sessions/<int:session_id>")
def session(slug: str, session_id: int) -> ResponseReturnValue:
    edition, preview = _visible_edition(slug)
    forum_session = _session_of(edition, session_id)
    return _session_page(edition, forum_session, preview=preview)


def _rating_state(forum_session: ForumSession) -> dict[str, Any]:
    """Whether the logged-in delegate may rate the session (they attended), or already did."""
    person = person_for_user(current_user) if current_user.is_authenticated else None
    if person is None:
        return {"may_rate": False, "my_rating": None}
    return {
        "may_rate": ratings.has_attended(forum_session, person.id),
        "my_rating": ratings.my_rating(forum_session, current_user),
    }


def _session_page(
    edition: Edition,
    forum_session: ForumSession,
    *,
    preview: bool,
    refusal: ServiceError | None = None,
    rating_form: RatingForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    now = utcnow()
    may_attend, attend_reason = False, ""
    if current_user.is_authenticated:
        may_attend, attend_reason = _may_attend(forum_session)
    refusal_kind = None
    if isinstance(refusal, Forbidden):
        refusal_kind = "forbidden"
    elif isinstance(refusal, Conflict) and seats_left(forum_session) == 0:
        refusal_kind = "full"
    elif refusal is not None:
        refusal_kind = "other"
    rating = _rating_state(forum_session)
    return render_template(
        "forum/session.html",
        session=forum_session,
        speakers=public_speakers_of(forum_session),
        reservation=_my_reservation(edition, forum_session),
        may_attend=may_attend,
        started=forum_session.starts_at <= now,
        ended=forum_session.ends_at <= now,
        cancelled=forum_session.cancelled_at is not None,
        refusal=refusal,
        refusal_kind=refusal_kind,
        attend_reason=attend_reason,
        forum_passes=_forum_passes(edition)
        if (refusal_kind == "forbidden" or not may_attend)
        and forum_session.access == SessionAccess.FORUM_PASS
        else [],
        seat_form=SeatForm(formdata=None),
        rating_form=rating_form or RatingForm(formdata=None),
        login_url=url_for(
            "auth.login",
            next=url_for("forum.session", slug=edition.slug, session_id=forum_session.id),
        ),
        **rating,
        **_template_context(edition, preview),
    ), status


# --------------------------------------------------------------------------- seats


def _seat_action(slug: str, session_id: int, action: str) -> ResponseReturnValue:
    """Run one seat action for the logged-in delegate and show its outcome on the session page."""
    edition, preview = _visible_edition(slug)
    forum_session = _session_of(edition, session_id)
    form = SeatForm()
    if not form.validate_on_submit():
        # FlaskForm's CSRF failure is answered by the CSRF handler before this
        # view runs; this covers a form that validates nothing else.
        return _session_page(edition, forum_session, preview=preview, status=400)
    try:
        if action == "reserve":
            outcome = seats.reserve(forum_session, actor=current_user)
        elif action == "waitlist":
            outcome = seats.join_waiting_list(forum_session, actor=current_user)
        else:
            seats.cancel_reservation(forum_session, actor=current_user)
            outcome = None
    except ServiceError as error:
        # The session exists (it was just read): a NotFound here is about the
        # delegate's place ("you have no seat") and belongs on the page too.
        # The page as it is now (another delegate may just have taken the last seat).
        forum_session = _session_of(edition, session_id)
        return _session_page(
            edition, forum_session, preview=preview, refusal=error, status=error.status_code
        )
    if outcome is None:
        flash(_("Your place in “%(title)s” is cancelled.", title=forum_session.title), "info")
    else:
        _flash_outcome(edition, forum_session, outcome)
    back = url_for("forum.session", slug=edition.slug, session_id=forum_session.id)
    return redirect(safe_next_url(request.form.get("next"), back))


def _flash_outcome(
    edition: Edition, forum_session: ForumSession, outcome: seats.ReservationOutcome
) -> None:
    if outcome.status == ReservationStatus.CONFIRMED:
        if outcome.unchanged:
            message = _("You already have a seat in “%(title)s”.", title=forum_session.title)
        else:
            message = _("Your seat in “%(title)s” is reserved.", title=forum_session.title)
        flash(message, "success")
    else:
        flash(
            _(
                "You are number %(position)d on the waiting list for “%(title)s”. If a seat is "
                "freed it goes to the first person on the list, and we tell you by e-mail.",
                position=outcome.waiting_position or 1,
                title=forum_session.title,
            ),
            "info",
        )
    overlaps = outcome.overlaps
    if overlaps:
        listed = "; ".join(
            _(
                "%(title)s (%(start)s–%(end)s)",
                title=other.title,
                start=times_of(edition, other).start_text,
                end=times_of(edition, other).end_text,
            )
            for other in overlaps
        )
        flash(
            _(
                "Note: this session overlaps with another of yours: %(sessions)s.",
                sessions=listed,
            ),
            "warning",
        )


@bp.route("/sessions/<int:session_id>/reserve", methods=["POST"])
@login_required
def reserve(slug: str, session_id: int) -> ResponseReturnValue:
    return _seat_action(slug, session_id, "reserve")


@bp.route("/sessions/<int:session_id>/waiting-list", methods=["POST"])
@login_required
def join_waiting_list(slug: str, session_id: int) -> ResponseReturnValue:
    return _seat_action(slug, session_id, "waitlist")


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel(slug: str, session_id: int) -> ResponseReturnValue:
    return _seat_action(slug, session_id, "cancel")


# --------------------------------------------------------------------------- rating


@bp.route("/sessions/<int:session_id>/rating", methods=["POST"])
@login_required
def rate(slug: str, session_id: int) -> ResponseReturnValue:
    edition, preview = _visible_edition(slug)
    forum_session = _session_of(edition, session_id)
    form = RatingForm()
    if form.validate_on_submit():
        try:
            ratings.rate(
                forum_session, form.score_value(), form.comment.data or "", actor=current_user
            )
        except NotFound:
            raise
        except ServiceError as error:
            target = getattr(error, "field", None)
            if target in ("score", "comment"):
                form[target].errors = [*form[target].errors, error.message]
                return _session_page(
                    edition, forum_session, preview=preview, rating_form=form, status=400
                )
            return _session_page(
                edition,
                forum_session,
                preview=preview,
                refusal=error,
                rating_form=form,
                status=error.status_code,
            )
        flash(_("Thank you: your rating is saved."), "success")
        return redirect(
            url_for(
                "forum.session", slug=edition.slug, session_id=forum_session.id, _anchor="rating"
            )
        )
    # What was typed stays on the form.
    return _session_page(edition, forum_session, preview=preview, rating_form=form, status=400)


# --------------------------------------------------------------------------- agenda


@bp.route("/agenda")
@login_required
def agenda(slug: str) -> ResponseReturnValue:
    """The delegate's seats and waiting-list places in this edition's forum."""
    edition = get_edition(slug)
    reservations = seats.my_reservations(current_user, edition)
    return render_template(
        "forum/agenda.html",
        reservations=reservations,
        published=programme.is_published(edition),
        seat_form=SeatForm(formdata=None),
        now=utcnow(),
        **_template_context(edition, False),
    )


# --------------------------------------------------------------------------- files


def _calendar(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/sessions/<int:session_id>.ics")
def session_ics(slug: str, session_id: int) -> ResponseReturnValue:
    edition, _preview = _visible_edition(slug)
    forum_session = _session_of(edition, session_id)
    response = _calendar(
        forum_ical.session_ics(forum_session), f"{edition.slug}-session-{forum_session.id}.ics"
    )
    return response


@bp.route("/agenda.ics")
@login_required
def agenda_ics(slug: str) -> ResponseReturnValue:
    edition = get_edition(slug)
    response = _calendar(forum_ical.agenda_ics(current_user, edition), f"{edition.slug}-agenda.ics")
    # A personal agenda must not sit in a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/speakers/<int:speaker_id>/photo")
def speaker_photo(slug: str, speaker_id: int) -> ResponseReturnValue:
    edition, preview = _visible_edition(slug)
    data = forum_speakers.speaker_photo(edition, speaker_id)
    response = Response(data, mimetype=sniff_image_type(data) or "application/octet-stream")
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not preview:
        # A confirmed speaker's public picture; an hour keeps a changed photo from lingering.
        response.headers["Cache-Control"] = "public, max-age=3600"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response
