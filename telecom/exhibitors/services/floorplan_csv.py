"""A whole floor plan in and out of CSV.

Columns: code, hall, x, y, width, depth, type, open_sides, pavilion,
price_override (in any order; the first line is the header).

- `hall` is the code of an existing hall: halls are few and made on screen,
  so an unknown hall code is an error, never a silently created hall.
- `type` is space_only or shell_scheme; `open_sides` 1–4 (or inline, corner,
  peninsula, island); `pavilion` the legal (or display) name of an
  organisation marked as a pavilion, or empty; `price_override` an amount or
  empty for the computed price.
- Every row is validated first, together with the booths already on the plan
  (codes, hall bounds, overlaps). If any row is wrong nothing is applied and
  every error is reported with its line number.
- A booth whose code is already on the plan is updated; one that is held or
  booked is changed only when the organizer ticks the confirmation, otherwise
  its row is an error. Booths missing from the file are kept as they are.
- Export writes the same columns, so export → import reports every booth
  unchanged. Cells starting with = + - @ are prefixed with an apostrophe
  against formula injection; the import removes that apostrophe again.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from telecom.auth.models import User
from telecom.core import audit
from telecom.core.db import atomic, commit
from telecom.core.errors import Conflict, ValidationError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    ACTIVE_BOOKING_STATES,
    OPEN_SIDE_LAYOUTS,
    Booth,
    BoothBooking,
    BoothType,
    Hall,
    Organisation,
)
from telecom.exhibitors.services.booking import BoothStatus, booth_status
from telecom.exhibitors.services.floorplan import natural_key, normalise_code, plain
from telecom.exhibitors.services.floorplan_editor import (
    BOOTH_FIELDS,
    Rect,
    booked_change_message,
    check_code,
    find_overlaps,
    metres,
    money_amount,
    outside_hall_message,
    overlap_message,
    parse_decimal,
)
from telecom.extensions import db

COLUMNS = (
    "code", "hall", "x", "y", "width", "depth", "type", "open_sides", "pavilion",
    "price_override",
)  # fmt: skip
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 10_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_TYPE_NAMES = {
    "space_only": BoothType.SPACE_ONLY,
    "space only": BoothType.SPACE_ONLY,
    "space-only": BoothType.SPACE_ONLY,
    "shell_scheme": BoothType.SHELL_SCHEME,
    "shell scheme": BoothType.SHELL_SCHEME,
    "shell-scheme": BoothType.SHELL_SCHEME,
}
_LAYOUT_NAMES = {"inline": 1, "corner": 2, "peninsula": 3, "island": 4}


@dataclass(frozen=True)
class LineError:
    line: int
    message: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Held or booked booths this import changes (only with the confirmation).
    booked_changes: list[str] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    line: int
    values: dict[str, Any]  # BOOTH_FIELDS → value


# ---------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """The file's text, or a ValidationError that says what is wrong with it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            _(
                "The file is larger than %(size)d MB. Split the floor plan into several files.",
                size=MAX_IMPORT_BYTES // (1024 * 1024),
            )
        )
    if not data.strip():
        raise ValidationError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _(
                "This is a spreadsheet workbook, not a CSV file. In your spreadsheet "
                "program choose Save As → “CSV UTF-8” and upload that file."
            )
        )
    if b"\x00" in data:
        raise ValidationError(_("This is not a CSV text file."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _(
                "The file is not UTF-8 text (the first bad byte is at position %(pos)d). "
                "Save it as “CSV UTF-8” and upload it again.",
                pos=error.start + 1,
            )
        ) from None


def _delimiter(text: str) -> str:
    """Comma, or the semicolon that spreadsheets in many locales write instead."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def _header_name(cell: str) -> str:
    return cell.strip().lower().replace(" ", "_").replace("-", "_")


def unescape_cell(cell: str) -> str:
    """Undo the export's formula guard: "'=A1" was written for "=A1"."""
    cell = cell.strip()
    if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_STARTS:
        return cell[1:]
    return cell


def escape_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------


def _pavilion_lookup(edition: Edition) -> tuple[dict[str, int], dict[str, list[int]], set[str]]:
    rows = db.session.execute(
        select(
            Organisation.id,
            Organisation.legal_name,
            Organisation.display_name,
            Organisation.pavilion_kind,
        ).where(Organisation.edition_id == edition.id)
    ).all()
    by_legal: dict[str, int] = {}
    by_display: dict[str, list[int]] = {}
    not_pavilions: set[str] = set()
    for row in rows:
        if row.pavilion_kind is None:
            not_pavilions.update({row.legal_name.lower(), row.display_name.lower()})
            continue
        by_legal[row.legal_name.lower()] = row.id
        by_display.setdefault(row.display_name.lower(), []).append(row.id)
    return by_legal, by_display, not_pavilions


class _RowReader:
    """Parses one CSV row into booth values, collecting every problem it finds."""

    def __init__(self, edition: Edition, halls: dict[str, Hall]) -> None:
        self.halls = halls
        self.by_legal, self.by_display, self.not_pavilions = _pavilion_lookup(edition)

    def read(self, cells: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
        problems: list[str] = []
        values: dict[str, Any] = {}

        def attempt(name: str, parse: Any) -> None:
            try:
                values[name] = parse()
            except ValidationError as error:
                problems.append(error.message)

        attempt("code", lambda: self._code(cells["code"]))
        attempt("hall_id", lambda: self._hall(cells["hall"]))
        for name, label, zero in (
            ("x", _("x position"), True),
            ("y", _("y position"), True),
            ("width", _("booth width"), False),
            ("depth", _("booth depth"), False),
        ):
            attempt(name, lambda n=name, lab=label, z=zero: self._metres(cells[n], lab, z))
        attempt("booth_type", lambda: self._type(cells["type"]))
        attempt("open_sides", lambda: self._open_sides(cells["open_sides"]))
        attempt("pavilion_id", lambda: self._pavilion(cells["pavilion"]))
        attempt("price_override", lambda: self._price(cells["price_override"]))
        return values, problems

    @staticmethod
    def _code(text: str) -> str:
        code = normalise_code(text)
        if not code:
            raise ValidationError(_("The booth code is missing."))
        check_code(code, _("booth"))
        return code

    def _hall(self, text: str) -> int:
        code = normalise_code(text)
        if not code:
            raise ValidationError(_("The hall is missing."))
        hall = self.halls.get(code)
        if hall is None:
            raise ValidationError(
                _(
                    "There is no hall “%(code)s” in this edition; create it under Halls first.",
                    code=code,
                )
            )
        return hall.id

    @staticmethod
    def _number(text: str, label: str) -> Decimal:
        if not text:
            raise ValidationError(_("The %(label)s is missing.", label=label))
        try:
            return parse_decimal(text)
        except ValueError:
            if "," in text:
                raise ValidationError(
                    _(
                        "The %(label)s “%(value)s” is not a number: use a point as the "
                        "decimal separator.",
                        label=label,
                        value=text,
                    )
                ) from None
            raise ValidationError(
                _("The %(label)s “%(value)s” is not a number.", label=label, value=text)
            ) from None

    def _metres(self, text: str, label: str, allow_zero: bool) -> Decimal:
        return metres(self._number(text, label), label, allow_zero=allow_zero)

    @staticmethod
    def _type(text: str) -> BoothType:
        found = _TYPE_NAMES.get(text.strip().lower())
        if found is None:
            raise ValidationError(
                _(
                    "The type “%(value)s” is unknown: use space_only or shell_scheme.",
                    value=text,
                )
            )
        return found

    @staticmethod
    def _open_sides(text: str) -> int:
        word = text.strip().lower()
        if word in _LAYOUT_NAMES:
            return _LAYOUT_NAMES[word]
        if word.isdigit() and int(word) in OPEN_SIDE_LAYOUTS:
            return int(word)
        raise ValidationError(
            _(
                "open_sides must be 1 to 4 (inline, corner, peninsula, island), not “%(value)s”.",
                value=text,
            )
        )

    def _pavilion(self, text: str) -> int | None:
        name = text.strip().lower()
        if not name:
            return None
        if name in self.by_legal:
            return self.by_legal[name]
        matches = self.by_display.get(name, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError(
                _("Several pavilions are called “%(name)s”; use the legal name.", name=text)
            )
        if name in self.not_pavilions:
            raise ValidationError(_("“%(name)s” is not marked as a pavilion.", name=text.strip()))
        raise ValidationError(_("There is no pavilion “%(name)s” in this edition.", name=text))

    def _price(self, text: str) -> Decimal | None:
        if not text:
            return None
        return money_amount(self._number(text, _("price override")))


def _live_bookings(edition: Edition, booths: dict[str, Booth]) -> dict[int, tuple[Any, str]]:
    """booth id → (booking, organisation name) for held or booked booths, one query."""
    now = utcnow()
    by_id = {booth.id: booth for booth in booths.values()}
    found: dict[int, tuple[Any, str]] = {}
    for booking, name in db.session.execute(
        select(BoothBooking, Organisation.display_name)
        .join(Organisation, Organisation.id == BoothBooking.organisation_id)
        .where(
            BoothBooking.edition_id == edition.id,
            BoothBooking.state.in_(ACTIVE_BOOKING_STATES),
        )
    ):
        booth = by_id.get(booking.booth_id)
        if booth is not None and booth_status(booth, booking, now) in (
            BoothStatus.HELD,
            BoothStatus.BOOKED,
        ):
            found[booth.id] = (booking, name)
    return found


def _parse_rows(
    text: str, reader_for_row: _RowReader, report: ImportReport, seen: dict[str, int]
) -> list[_Row]:
    """The valid rows; problems go to `report`, every code named to `seen` (→ line)."""
    rows: list[_Row] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header: list[str] | None = None
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [_header_name(cell) for cell in cells]
                missing = [name for name in COLUMNS if name not in header]
                unknown = [name for name in header if name not in COLUMNS]
                duplicated = sorted({name for name in header if header.count(name) > 1})
                if missing or unknown or duplicated:
                    report.errors.append(
                        LineError(
                            line,
                            _(
                                "The first line must name the columns %(columns)s. "
                                "Missing: %(missing)s. Unknown: %(unknown)s. "
                                "Repeated: %(repeated)s.",
                                columns=", ".join(COLUMNS),
                                missing=", ".join(missing) or "—",
                                unknown=", ".join(unknown) or "—",
                                repeated=", ".join(duplicated) or "—",
                            ),
                        )
                    )
                    return []
                continue
            if len(rows) + len(report.errors) >= MAX_IMPORT_ROWS:
                report.errors.append(
                    LineError(line, _("A file may hold at most %(n)d booths.", n=MAX_IMPORT_ROWS))
                )
                return []
            if len(cells) != len(header):
                report.errors.append(
                    LineError(
                        line,
                        _(
                            "Expected %(expected)d values, found %(found)d.",
                            expected=len(header),
                            found=len(cells),
                        ),
                    )
                )
                continue
            values, problems = reader_for_row.read(
                {name: unescape_cell(cell) for name, cell in zip(header, cells, strict=True)}
            )
            code = values.get("code")
            if code is not None:
                if code in seen:
                    problems.insert(
                        0,
                        _(
                            "Booth %(code)s is already on line %(line)d of this file.",
                            code=code,
                            line=seen[code],
                        ),
                    )
                else:
                    seen[code] = line
            if problems:
                report.errors.extend(LineError(line, problem) for problem in problems)
            else:
                rows.append(_Row(line, values))
    except csv.Error as error:
        report.errors.append(
            LineError(reader.line_num, _("The line cannot be read as CSV: %(e)s", e=str(error)))
        )
        return []
    if header is None:
        report.errors.append(LineError(1, _("The file has no header line and no booths.")))
    return rows


def _check_geometry(
    rows: list[_Row],
    existing: dict[str, Booth],
    halls: dict[int, Hall],
    mentioned: dict[str, int],
    report: ImportReport,
) -> None:
    """Bounds and overlaps of the plan as it would be after the import.

    A booth named on a line that has errors has no known place yet: it is
    left out rather than blamed for overlaps it may not cause.
    """
    line_of = {row.values["code"]: row.line for row in rows}
    by_hall: dict[int, list[Rect]] = {}
    for code, booth in existing.items():
        if code not in mentioned:
            by_hall.setdefault(booth.hall_id, []).append(
                Rect(code, booth.x, booth.y, booth.width, booth.depth)
            )
    for row in rows:
        v = row.values
        hall = halls[v["hall_id"]]
        rect = Rect(v["code"], v["x"], v["y"], v["width"], v["depth"])
        message = outside_hall_message(rect, hall.code, hall.width, hall.depth)
        if message:
            report.errors.append(LineError(row.line, message))
        by_hall.setdefault(hall.id, []).append(rect)
    for rects in by_hall.values():
        for first, second in find_overlaps(rects):
            lines = (line_of.get(first.code), line_of.get(second.code))
            if lines == (None, None):
                continue  # both untouched: not this file's doing
            # Report on the later line of the file, naming the other booth.
            if lines[0] is None or (lines[1] is not None and lines[1] > lines[0]):
                mine, other, line, other_line = second, first, lines[1], lines[0]
            else:
                mine, other, line, other_line = first, second, lines[0], lines[1]
            assert line is not None
            where = (
                _("line %(n)d", n=other_line)
                if other_line is not None
                else _("already on the plan, not in this file")
            )
            report.errors.append(LineError(line, f"{overlap_message(mine, other)} ({where})"))


@atomic
def import_floorplan(
    edition: Edition,
    data: bytes,
    *,
    actor: User | None,
    confirm_booked: bool = False,
    apply: bool = True,
) -> ImportReport:
    """Validate a floor-plan CSV and, when every row is right and `apply`, apply it all.

    Raises ValidationError when the file itself is unusable (size, encoding,
    not CSV); row problems come back in `report.errors` and nothing changes.
    """
    if actor is not None:
        require_role(actor, Role.ORGANIZER)
    text = decode_csv(data)
    report = ImportReport()

    hall_query = select(Hall).where(Hall.edition_id == edition.id)
    booth_query = select(Booth).where(Booth.edition_id == edition.id)
    if apply:
        # Lock the plan: no organizer edit or exhibitor hold slips in between
        # the checks below and the writes. Rows are locked in id order, the
        # order every other service locks them in, so no two can deadlock.
        hall_query = hall_query.order_by(Hall.id).with_for_update()
        booth_query = booth_query.order_by(Booth.id).with_for_update()
    halls_by_id = {
        hall.id: hall
        for hall in db.session.scalars(hall_query.execution_options(populate_existing=True))
    }
    halls = {hall.code: hall for hall in halls_by_id.values()}
    existing = {
        booth.code: booth
        for booth in db.session.scalars(booth_query.execution_options(populate_existing=True))
    }

    mentioned: dict[str, int] = {}
    rows = _parse_rows(text, _RowReader(edition, halls), report, mentioned)
    _check_geometry(rows, existing, halls_by_id, mentioned, report)

    live = _live_bookings(edition, existing) if rows else {}
    changes: list[tuple[_Row, Booth | None, list[str]]] = []
    for row in rows:
        booth = existing.get(row.values["code"])
        if booth is None:
            changes.append((row, None, list(BOOTH_FIELDS)))
            report.created.append(row.values["code"])
            continue
        changed = [name for name in BOOTH_FIELDS if getattr(booth, name) != row.values[name]]
        if not changed:
            report.unchanged.append(booth.code)
            continue
        if booth.id in live:
            if not confirm_booked:
                report.errors.append(
                    LineError(row.line, booked_change_message(booth.code, *live[booth.id], changed))
                )
                continue
            report.booked_changes.append(booth.code)
        report.updated.append(booth.code)
        changes.append((row, booth, changed))

    report.errors.sort(key=lambda error: error.line)
    if report.errors or not apply:
        db.session.rollback()  # nothing was written; release the locks at once
        return report

    _apply(edition, changes, live, report, actor=actor)
    return report


def _apply(
    edition: Edition,
    changes: list[tuple[_Row, Booth | None, list[str]]],
    live: dict[int, tuple[Any, str]],
    report: ImportReport,
    *,
    actor: User | None,
) -> None:
    created: list[Booth] = []
    updates: list[tuple[Booth, dict[str, Any]]] = []
    for row, booth, changed in changes:
        if booth is None:
            booth = Booth(edition_id=edition.id, **row.values)
            db.session.add(booth)
            created.append(booth)
        else:
            before = audit.snapshot(booth, BOOTH_FIELDS)
            for name in changed:
                setattr(booth, name, row.values[name])
            updates.append((booth, before))
    db.session.flush()  # one flush gives every new booth its id
    for booth in created:
        audit.record(
            "create", booth, actor=actor, edition_id=edition.id,
            after=audit.snapshot(booth, BOOTH_FIELDS) | {"source": "csv import"},
        )  # fmt: skip
    for booth, before in updates:
        after = audit.snapshot(booth, BOOTH_FIELDS) | {"source": "csv import"}
        if booth.id in live:
            after |= {"booked_change_confirmed": True, "booking_id": live[booth.id][0].id}
        audit.record(
            "update", booth, actor=actor, edition_id=edition.id, before=before, after=after
        )
    audit.record(
        "floorplan_import", edition, actor=actor, edition_id=edition.id,
        after={
            "created": len(report.created), "updated": len(report.updated),
            "unchanged": len(report.unchanged), "booked_changes": report.booked_changes,
        },
    )  # fmt: skip
    try:
        commit()
    except IntegrityError:
        raise Conflict(
            _("The floor plan changed while the file was imported; nothing was applied. Try again.")
        ) from None
    report.applied = True


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def export_floorplan(edition: Edition, *, actor: User | None) -> str:
    """The edition's booths as the import reads them, sorted by hall and code."""
    if actor is not None:
        require_role(actor, Role.ORGANIZER)
    pavilion = aliased(Organisation)
    rows = db.session.execute(
        select(
            Booth.code, Hall.code.label("hall"), Booth.x, Booth.y, Booth.width, Booth.depth,
            Booth.booth_type, Booth.open_sides, pavilion.legal_name, Booth.price_override,
        )
        .join(Hall, Hall.id == Booth.hall_id)
        .outerjoin(pavilion, pavilion.id == Booth.pavilion_id)
        .where(Booth.edition_id == edition.id)
    ).all()  # fmt: skip
    rows.sort(key=lambda row: (natural_key(row.hall), natural_key(row.code)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            escape_cell(value)
            for value in (
                row.code,
                row.hall,
                plain(row.x),
                plain(row.y),
                plain(row.width),
                plain(row.depth),
                row.booth_type.value,
                row.open_sides,
                row.legal_name or "",
                "" if row.price_override is None else f"{row.price_override:.2f}",
            )
        )
    return out.getvalue()
