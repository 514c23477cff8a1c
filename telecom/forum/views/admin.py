"""The organizer's forum pages: rooms, tracks, the programme (a list and a day-by-room grid),
sessions with their speakers and invitees, publication, speakers and the ratings report.

Every page is for organizers (the blueprint's before_request); the services in
telecom/forum/services check the role again and own every rule (conflicts,
the edition's days, who may be invited). A view parses its form, calls the
services, and turns a refusal into a message beside the field, a list of
conflicts with a "save anyway" box, or a flash: never a 500. Times are typed
and shown in the edition's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from telecom.core.errors import NotFound, ServiceError
from telecom.core.web import safe_next_url, show_service_error
from telecom.events import services as edition_services
from telecom.events.models import Edition
from telecom.forum.admin_forms import (
    ActionForm,
    InviteeForm,
    InviteSpeakerForm,
    ProgrammeFilterForm,
    RoomForm,
    SessionForm,
    SpeakerFilterForm,
    TrackForm,
    parse_day,
)
from telecom.forum.models import ForumRoom, ForumSession, Speaker, SpeakerRole, SpeakerStatus
from telecom.forum.services import invitees as invitee_services
from telecom.forum.services import local_time, programme, ratings, seats, session_capacity
from telecom.forum.services import speakers as speaker_services
from telecom.forum.services.programme import Conflict, SessionConflictError, SessionData
from telecom.forum.views import organizer_bp

# Speakers who said no or were withdrawn cannot be put on a session; one
# already on it stays in the list so the form shows what is saved.
INACTIVE_SPEAKERS = (SpeakerStatus.DECLINED, SpeakerStatus.WITHDRAWN)


# --------------------------------------------------------------------------- helpers


def _edition(slug: str) -> Edition:
    return edition_services.get_edition(slug)


def _clock(edition: Edition) -> Callable[[datetime], str]:
    """A UTC time as the edition's local wall-clock time (24-hour, as on the programme)."""

    def clock(moment: datetime) -> str:
        return local_time(edition, moment).strftime("%H:%M")

    return clock


def _local_day(edition: Edition) -> Callable[[datetime], date]:
    def day_of(moment: datetime) -> date:
        return local_time(edition, moment).date()

    return day_of


def _mean(value: Decimal | None) -> str:
    return "—" if value is None else format_decimal(value, format="0.00")


def _page(
    template: str, edition: Edition, *, status: int = 200, **context: Any
) -> ResponseReturnValue:
    """Render a forum organizer page: every page shows whether the programme is public."""
    return render_template(
        template,
        edition=edition,
        published=programme.is_published(edition),
        action_form=ActionForm(),
        clock=_clock(edition),
        local_day=_local_day(edition),
        capacity_of=session_capacity,
        **context,
    ), status


def _back(default: str) -> str:
    return safe_next_url(request.form.get("next"), default)


def _programme_url(slug: str, day: date | None = None) -> str:
    return url_for("forum_admin.programme", slug=slug, day=day.isoformat() if day else None)


# --------------------------------------------------------------------------- publication


@organizer_bp.route("/publish", methods=["POST"], endpoint="publish")
def publish(slug: str) -> ResponseReturnValue:
    edition = _edition(slug)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
    else:
        programme.publish(edition, actor=current_user)
        flash(_("The programme is published: delegates can see it."), "success")
    return redirect(_back(_programme_url(slug)))


@organizer_bp.route("/unpublish", methods=["POST"], endpoint="unpublish")
def unpublish(slug: str) -> ResponseReturnValue:
    edition = _edition(slug)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
    else:
        programme.unpublish(edition, actor=current_user)
        flash(_("The programme is no longer public."), "info")
    return redirect(_back(_programme_url(slug)))


# --------------------------------------------------------------------------- rooms


def _rooms_page(
    edition: Edition, form: RoomForm | None = None, status: int = 200
) -> ResponseReturnValue:
    return _page(
        "forum_admin/rooms.html",
        edition,
        status=status,
        rooms=programme.list_rooms(edition),
        form=form or RoomForm(formdata=None),
    )


@organizer_bp.route("/rooms", methods=["GET", "POST"], endpoint="rooms")
def rooms(slug: str) -> ResponseReturnValue:
    """The session rooms in grid order, and a form to add one."""
    edition = _edition(slug)
    if request.method == "GET":
        return _rooms_page(edition)
    form = RoomForm()
    if not form.validate_on_submit():
        return _rooms_page(edition, form, 400)
    try:
        room = programme.create_room(
            edition, form.name.data or "", form.capacity.data or 0, form.location.data or "",
            actor=current_user,
        )  # fmt: skip
    except NotFound:
        raise
    except ServiceError as error:
        show_service_error(form, error, getattr(error, "field", None))
        return _rooms_page(edition, form, error.status_code)
    flash(_("Room %(name)s added.", name=room.name), "success")
    return redirect(url_for("forum_admin.rooms", slug=slug))


@organizer_bp.route("/rooms/<int:room_id>", methods=["GET", "POST"], endpoint="edit_room")
def edit_room(slug: str, room_id: int) -> ResponseReturnValue:
    edition = _edition(slug)
    room = programme.get_room(edition, room_id)
    status = 200
    if request.method == "GET":
        form = RoomForm(formdata=None, obj=room)
    else:
        form = RoomForm()
        if form.validate_on_submit():
            try:
                programme.update_room(
                    room, form.name.data or "", form.capacity.data or 0,
                    form.location.data or "", actor=current_user,
                )  # fmt: skip
            except NotFound:
                raise
            except ServiceError as error:
                show_service_error(form, error, getattr(error, "field", None))
                status = error.status_code
            else:
                flash(_("Room saved."), "success")
                return redirect(url_for("forum_admin.rooms", slug=slug))
        else:
            status = 400
    return _page("forum_admin/room_form.html", edition, status=status, room=room, form=form)


# --------------------------------------------------------------------------- tracks


def _tracks_page(
    edition: Edition, form: TrackForm | None = None, status: int = 200
) -> ResponseReturnValue:
    return _page(
        "forum_admin/tracks.html",
        edition,
        status=status,
        tracks=programme.list_tracks(edition),
        form=form or TrackForm(formdata=None),
    )


@organizer_bp.route("/tracks", methods=["GET", "POST"], endpoint="tracks")
def tracks(slug: str) -> ResponseReturnValue:
    """The tracks (themes shown in colour on the programme), and a form to add one."""
    edition = _edition(slug)
    if request.method == "GET":
        return _tracks_page(edition)
    form = TrackForm()
    if not form.validate_on_submit():
        return _tracks_page(edition, form, 400)
    try:
        track = programme.create_track(
            edition, form.name.data or "", form.description.data or "",
            form.colour.data or "", actor=current_user,
        )  # fmt: skip
    except NotFound:
        raise
    except ServiceError as error:
        show_service_error(form, error, getattr(error, "field", None))
        return _tracks_page(edition, form, error.status_code)
    flash(_("Track %(name)s added.", name=track.name), "success")
    return redirect(url_for("forum_admin.tracks", slug=slug))


@organizer_bp.route("/tracks/<int:track_id>", methods=["GET", "POST"], endpoint="edit_track")
def edit_track(slug: str, track_id: int) -> ResponseReturnValue:
    edition = _edition(slug)
    track = programme.get_track(edition, track_id)
    status = 200
    if request.method == "GET":
        form = TrackForm(formdata=None, obj=track)
    else:
        form = TrackForm()
        if form.validate_on_submit():
            try:
                programme.update_track(
                    track, form.name.data or "", form.description.data or "",
                    form.colour.data or "", actor=current_user,
                )  # fmt: skip
            except NotFound:
                raise
            except ServiceError as error:
                show_service_error(form, error, getattr(error, "field", None))
                status = error.status_code
            else:
                flash(_("Track saved."), "success")
                return redirect(url_for("forum_admin.tracks", slug=slug))
        else:
            status = 400
    return _page("forum_admin/track_form.html", edition, status=status, track=track, form=form)


# --------------------------------------------------------------------------- the programme


@organizer_bp.route("", endpoint="programme")
def programme_list(slug: str) -> ResponseReturnValue:
    """Every session, filtered by day, track and room; clashes flagged on their rows."""
    edition = _edition(slug)
    rooms = programme.list_rooms(edition)
    tracks = programme.list_tracks(edition)
    form = ProgrammeFilterForm(request.args, edition=edition, rooms=rooms, tracks=tracks)
    filters = form.filters()
    sessions = programme.sessions_of(edition, **filters)
    conflicts = programme.programme_conflicts(edition)
    return _page(
        "forum_admin/programme.html",
        edition,
        form=form,
        sessions=sessions,
        conflicts=conflicts,
        flagged=sum(1 for s in sessions if s.id in conflicts),
        filtered=any(value for value in filters.values()),
        has_rooms=bool(rooms),
    )


@dataclass
class GridBlock:
    """One cell of the grid: a session, or several that overlap in one room (a clash)."""

    sessions: list[ForumSession]
    rowspan: int


@dataclass
class GridRow:
    starts: datetime
    ends: datetime
    # Per column: a block starting in this row, "" for a free cell, None under a taller block.
    cells: list[GridBlock | str | None] = field(default_factory=list)


def _grid_rows(sessions: Sequence[ForumSession], columns: Sequence[int | None]) -> list[GridRow]:
    """Rows between consecutive start and end times of the day's sessions, sessions placed.

    Rows are cut at the times sessions start or end, so every session covers
    whole rows whatever its length. Sessions that overlap in one room are put
    in one cell together (that cell is a clash and is flagged as such).
    """
    moments = sorted({s.starts_at for s in sessions} | {s.ends_at for s in sessions})
    if len(moments) < 2:
        return []
    index = {moment: position for position, moment in enumerate(moments)}
    rows = [GridRow(moments[i], moments[i + 1]) for i in range(len(moments) - 1)]
    for row in rows:
        row.cells = [""] * len(columns)
    for column, room_id in enumerate(columns):
        in_room = sorted(
            (s for s in sessions if s.room_id == room_id), key=lambda s: (s.starts_at, s.id)
        )
        clusters: list[tuple[list[ForumSession], datetime, datetime]] = []
        for session in in_room:
            if clusters and session.starts_at < clusters[-1][2]:
                group, start, end = clusters[-1]
                group.append(session)
                clusters[-1] = (group, start, max(end, session.ends_at))
            else:
                clusters.append(([session], session.starts_at, session.ends_at))
        for group, start, end in clusters:
            top, bottom = index[start], index[end]
            rows[top].cells[column] = GridBlock(group, bottom - top)
            for covered in range(top + 1, bottom):
                rows[covered].cells[column] = None
    return rows


@organizer_bp.route("/grid", endpoint="grid")
def grid(slug: str) -> ResponseReturnValue:
    """One day of the programme: a column per room, rows of time, clashes in red and in words."""
    edition = _edition(slug)
    days = programme.programme_days(edition)
    day = parse_day(request.args.get("day"))
    if day not in days:
        day = days[0] if days else edition.start_date
    sessions = programme.sessions_of(edition, day=day)
    rooms: list[ForumRoom | None] = list(programme.list_rooms(edition))
    # A session whose room was deleted still shows, in a column of its own.
    if any(s.room_id is None for s in sessions):
        rooms.append(None)
    columns = [room.id if room is not None else None for room in rooms]
    conflicts = programme.programme_conflicts(edition)
    return _page(
        "forum_admin/grid.html",
        edition,
        day=day,
        days=days,
        rooms=rooms,
        rows=_grid_rows(sessions, columns),
        conflicts=conflicts,
        flagged=sum(1 for s in sessions if s.id in conflicts),
        sessions=sessions,
    )


# --------------------------------------------------------------------------- sessions


def _speaker_choices(edition: Edition, session: ForumSession | None) -> list[Speaker]:
    assigned = {link.speaker_id for link in session.speakers} if session is not None else set()
    return [
        speaker
        for speaker in speaker_services.list_speakers(edition, actor=current_user)
        if speaker.status not in INACTIVE_SPEAKERS or speaker.id in assigned
    ]


def _session_form(
    edition: Edition, session: ForumSession | None, *, formdata: Any = "request"
) -> SessionForm:
    kwargs: dict[str, Any] = {} if formdata == "request" else {"formdata": formdata}
    return SessionForm(
        edition=edition,
        rooms=programme.list_rooms(edition),
        tracks=programme.list_tracks(edition),
        speakers=_speaker_choices(edition, session),
        **kwargs,
    )


def _saved_speakers(session: ForumSession) -> list[tuple[int, SpeakerRole]]:
    return [(link.speaker_id, link.role) for link in session.speakers]


def _session_page(
    edition: Edition,
    session: ForumSession | None,
    form: SessionForm,
    *,
    status: int = 200,
    conflicts: Sequence[Conflict] = (),
    speakers_refused: bool = False,
    partial: bool = False,
) -> ResponseReturnValue:
    """The session form; `conflicts` the clashes that kept it (or its speakers) from being
    saved; `partial` when the rest of the session was saved all the same."""
    if conflicts:
        # Saving anyway is a decision taken with the conflicts in view, every time.
        form.allow_conflicts.data = False
    saved_conflicts: list[Conflict] = []
    seat_list = None
    if session is not None and session.cancelled_at is None:
        saved_conflicts = programme.find_conflicts(edition, session)
    if session is not None:
        seat_list = seats.session_seats(session, actor=current_user)
    return _page(
        "forum_admin/session_form.html",
        edition,
        status=status,
        session=session,
        form=form,
        conflicts=conflicts,
        saved_conflicts=saved_conflicts,
        speakers_refused=speakers_refused,
        partial=partial,
        seat_list=seat_list,
        has_rooms=bool(programme.list_rooms(edition)),
    )


def _show_refusal(form: SessionForm, error: ServiceError) -> None:
    show_service_error(form, error, getattr(error, "field", None))


@organizer_bp.route("/sessions/new", methods=["GET", "POST"], endpoint="new_session")
def new_session(slug: str) -> ResponseReturnValue:
    """A new session; the grid's links may pass the day and the room."""
    edition = _edition(slug)
    if request.method == "GET":
        form = _session_form(edition, None, formdata=None)
        day = parse_day(request.args.get("day"))
        if day is not None:
            form.day.data = day.isoformat()
        if request.args.get("room", "").isdigit():
            form.room_id.data = request.args["room"]
        return _session_page(edition, None, form)
    form = _session_form(edition, None)
    if not form.validate_on_submit():
        return _session_page(edition, None, form, status=400)
    allow = bool(form.allow_conflicts.data)
    try:
        session = programme.create_session(
            edition, SessionData(**form.values()), actor=current_user, allow_conflicts=allow
        )
    except SessionConflictError as error:
        return _session_page(edition, None, form, status=409, conflicts=error.conflicts)
    except NotFound:
        raise
    except ServiceError as error:
        _show_refusal(form, error)
        return _session_page(edition, None, form, status=error.status_code)
    chosen = form.chosen_speakers()
    if chosen:
        refused = _set_speakers(edition, session, form, chosen, allow, partial=True)
        if refused is not None:
            # The session exists now: the page becomes its edit page (the form
            # posts there), showing why its speakers were not added.
            return refused
    flash(_("Session “%(title)s” saved.", title=session.title), "success")
    return redirect(_programme_url(slug, local_time(edition, session.starts_at).date()))


def _set_speakers(
    edition: Edition,
    session: ForumSession,
    form: SessionForm,
    chosen: list[tuple[int, SpeakerRole]],
    allow: bool,
    *,
    partial: bool,
) -> ResponseReturnValue | None:
    """Save the session's speakers; the page to show when they were refused, else None.

    The speakers are checked at the session's saved time, so they are set once
    its time is saved; when they are refused the rest of the session stays
    saved and the page says so.
    """
    try:
        programme.set_session_speakers(session, chosen, actor=current_user, allow_conflicts=allow)
    except SessionConflictError as error:
        session = programme.get_session(edition, session.id)
        return _session_page(
            edition, session, form, status=409, conflicts=error.conflicts,
            speakers_refused=True, partial=partial,
        )  # fmt: skip
    except NotFound:
        raise
    except ServiceError as error:
        session = programme.get_session(edition, session.id)
        show_service_error(form, error, getattr(error, "field", None) or "speakers")
        return _session_page(
            edition, session, form, status=error.status_code, speakers_refused=True,
            partial=partial,
        )  # fmt: skip
    return None


@organizer_bp.route("/sessions/<int:session_id>", methods=["GET", "POST"], endpoint="edit_session")
def edit_session(slug: str, session_id: int) -> ResponseReturnValue:
    edition = _edition(slug)
    session = programme.get_session(edition, session_id)
    if request.method == "GET":
        form = _session_form(edition, session, formdata=None)
        form.fill(programme.session_data(session))
        form.fill_speakers(_saved_speakers(session))
        return _session_page(edition, session, form)
    form = _session_form(edition, session)
    if not form.validate_on_submit():
        return _session_page(edition, session, form, status=400)
    allow = bool(form.allow_conflicts.data)
    typed = SessionData(**form.values())
    # Whether this save changes more than the speakers (said if the speakers are refused).
    details_changed = typed != programme.session_data(session)
    try:
        session = programme.update_session(
            session, typed, actor=current_user, allow_conflicts=allow
        )
    except SessionConflictError as error:
        session = programme.get_session(edition, session_id)
        return _session_page(edition, session, form, status=409, conflicts=error.conflicts)
    except NotFound:
        raise
    except ServiceError as error:
        session = programme.get_session(edition, session_id)
        _show_refusal(form, error)
        return _session_page(edition, session, form, status=error.status_code)
    chosen = form.chosen_speakers()
    if chosen != _saved_speakers(session):
        refused = _set_speakers(edition, session, form, chosen, allow, partial=details_changed)
        if refused is not None:
            return refused
    flash(_("Session “%(title)s” saved.", title=session.title), "success")
    return redirect(_programme_url(slug, local_time(edition, session.starts_at).date()))


@organizer_bp.route(
    "/sessions/<int:session_id>/cancel", methods=["POST"], endpoint="cancel_session"
)
def cancel_session(slug: str, session_id: int) -> ResponseReturnValue:
    edition = _edition(slug)
    session = programme.get_session(edition, session_id)
    back = url_for("forum_admin.edit_session", slug=slug, session_id=session.id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(back)
    try:
        programme.cancel_session(session, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        if programme.is_published(edition):
            flash(
                _(
                    "Session “%(title)s” cancelled. People holding a seat or waiting for one "
                    "are told by e-mail.",
                    title=session.title,
                ),
                "info",
            )
        else:
            flash(_("Session “%(title)s” cancelled.", title=session.title), "info")
    return redirect(back)


# --------------------------------------------------------------------------- invitees


def _invitees_page(
    edition: Edition, session: ForumSession, form: InviteeForm | None = None, status: int = 200
) -> ResponseReturnValue:
    return _page(
        "forum_admin/invitees.html",
        edition,
        status=status,
        session=session,
        invitees=invitee_services.list_invitees(session, actor=current_user),
        form=form or InviteeForm(formdata=None),
    )


@organizer_bp.route(
    "/sessions/<int:session_id>/invitees", methods=["GET", "POST"], endpoint="invitees"
)
def invitees(slug: str, session_id: int) -> ResponseReturnValue:
    """Who may reserve a seat in an invitation-only session (besides its speakers)."""
    edition = _edition(slug)
    session = programme.get_session(edition, session_id)
    if request.method == "GET":
        return _invitees_page(edition, session)
    form = InviteeForm()
    if not form.validate_on_submit():
        return _invitees_page(edition, session, form, 400)
    try:
        person = invitee_services.add_invitee(session, form.email.data or "", actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        session = programme.get_session(edition, session_id)
        show_service_error(form, error, getattr(error, "field", None) or "email")
        return _invitees_page(edition, session, form, error.status_code)
    flash(_("%(name)s is on the invitee list.", name=person.full_name or person.email), "success")
    return redirect(url_for("forum_admin.invitees", slug=slug, session_id=session_id))


@organizer_bp.route(
    "/sessions/<int:session_id>/invitees/<int:person_id>/remove",
    methods=["POST"],
    endpoint="remove_invitee",
)
def remove_invitee(slug: str, session_id: int, person_id: int) -> ResponseReturnValue:
    edition = _edition(slug)
    session = programme.get_session(edition, session_id)
    back = url_for("forum_admin.invitees", slug=slug, session_id=session_id)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(back)
    try:
        person = invitee_services.remove_invitee(session, person_id, actor=current_user)
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(
            _("%(name)s was removed from the invitee list.", name=person.full_name or person.email),
            "info",
        )
    return redirect(back)


# --------------------------------------------------------------------------- speakers


def _speakers_page(
    edition: Edition, form: InviteSpeakerForm | None = None, status: int = 200
) -> ResponseReturnValue:
    filter_form = SpeakerFilterForm(request.args)
    chosen = filter_form.chosen_status()
    speakers = speaker_services.list_speakers(edition, actor=current_user, status=chosen)
    return _page(
        "forum_admin/speakers.html",
        edition,
        status=status,
        speakers=speakers,
        filter_form=filter_form,
        filtered=bool(chosen),
        form=form or InviteSpeakerForm(formdata=None),
        resendable=speaker_services.RESENDABLE,
        withdrawn=SpeakerStatus.WITHDRAWN,
        back_to=request.full_path.rstrip("?"),
    )


@organizer_bp.route("/speakers", methods=["GET", "POST"], endpoint="speakers")
def speakers(slug: str) -> ResponseReturnValue:
    """The edition's speakers (by status) and the form that invites one by e-mail."""
    edition = _edition(slug)
    if request.method == "GET":
        return _speakers_page(edition)
    form = InviteSpeakerForm()
    if not form.validate_on_submit():
        return _speakers_page(edition, form, 400)
    data = speaker_services.SpeakerInvite(
        email=form.email.data or "",
        full_name=form.full_name.data or "",
        job_title=form.job_title.data or "",
        organisation=form.organisation.data or "",
        country=form.country.data or None,
    )
    try:
        speaker = speaker_services.invite_speaker(edition, data, actor=current_user)
    except NotFound:
        raise
    except ServiceError as error:
        # "Already invited" concerns the address typed.
        show_service_error(form, error, getattr(error, "field", None) or "email")
        return _speakers_page(edition, form, error.status_code)
    flash(
        _("%(name)s is invited; the invitation was sent to %(email)s.",
          name=speaker.full_name, email=speaker.email),
        "success",
    )  # fmt: skip
    return redirect(url_for("forum_admin.speakers", slug=slug))


def _speaker_action(
    slug: str, speaker_id: int, action: Callable[[Speaker], Speaker], done: Callable[[Speaker], str]
) -> ResponseReturnValue:
    edition = _edition(slug)
    speaker = speaker_services.get_speaker(edition, speaker_id, actor=current_user)
    back = _back(url_for("forum_admin.speakers", slug=slug))
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please submit it again."), "danger")
        return redirect(back)
    try:
        speaker = action(speaker)
    except NotFound:
        raise
    except ServiceError as error:
        flash(error.message, "danger")
    else:
        flash(done(speaker), "success")
    return redirect(back)


@organizer_bp.route(
    "/speakers/<int:speaker_id>/resend", methods=["POST"], endpoint="resend_speaker"
)
def resend_speaker(slug: str, speaker_id: int) -> ResponseReturnValue:
    return _speaker_action(
        slug,
        speaker_id,
        lambda speaker: speaker_services.resend_invitation(speaker, actor=current_user),
        lambda speaker: _(
            "A new link was sent to %(email)s; the earlier one no longer works.",
            email=speaker.email,
        ),
    )


@organizer_bp.route(
    "/speakers/<int:speaker_id>/withdraw", methods=["POST"], endpoint="withdraw_speaker"
)
def withdraw_speaker(slug: str, speaker_id: int) -> ResponseReturnValue:
    return _speaker_action(
        slug,
        speaker_id,
        lambda speaker: speaker_services.withdraw(speaker, actor=current_user),
        lambda speaker: _(
            "The invitation of %(name)s was withdrawn; their link no longer works.",
            name=speaker.full_name,
        ),
    )


# --------------------------------------------------------------------------- ratings


@organizer_bp.route("/ratings", endpoint="ratings")
def ratings_page(slug: str) -> ResponseReturnValue:
    """Ratings per session, per track and for the whole edition: how many, and their mean."""
    edition = _edition(slug)
    report = ratings.ratings_report(edition, actor=current_user)
    return _page("forum_admin/ratings.html", edition, report=report, mean=_mean)


@organizer_bp.route("/ratings/<int:session_id>", endpoint="session_ratings")
def session_ratings(slug: str, session_id: int) -> ResponseReturnValue:
    """One session's ratings with the comments delegates wrote."""
    edition = _edition(slug)
    session = programme.get_session(edition, session_id)
    report = ratings.ratings_report(edition, actor=current_user)
    row = next((r for r in report.sessions if r.session.id == session.id), None)
    return _page(
        "forum_admin/session_ratings.html",
        edition,
        session=session,
        row=row,
        comments=ratings.rating_comments(session, actor=current_user),
        mean=_mean,
    )
