"""The organizer's KPI dashboard of an edition, and the side-by-side comparison of two.

The dashboard shows one card per headline KPI (`figures.HEADLINES`) with its
change against the previous edition (the one that started last before this
one), the details of each KPI, and the charts, each followed by a table of
the same numbers. With `?as_of=YYYY-MM-DD` every figure is as at the end of
that day; the previous edition is then read at the same point of its own
cycle (as many days from its opening), so the change compares like with like.

Each page computes the KPIs once per edition shown; the per-day and per-hall
series are their own aggregate queries (`telecom.kpi.series`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask import flash, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_currency, format_date, format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from telecom.core.errors import ValidationError
from telecom.core.permissions import Role, require_role
from telecom.events import services as edition_services
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.kpi import charts, exports, series
from telecom.kpi.engine import EditionKpis, compute_kpis
from telecom.kpi.figures import (
    HEADLINES,
    Change,
    Comparison,
    Figure,
    Headline,
    change_between,
    compare,
    figures,
)
from telecom.kpi.views import organizer_bp

EXPORT_FORMATS = ("csv", "xlsx", "json", "pdf")
SCORES = {"score_1_5", "nps"}
# `EditionKpis.not_collected` entries and the KPI card they empty.
NOT_COLLECTED_CARD = {
    "exhibitor_satisfaction": "exhibitors",
    "participant_satisfaction": "participant_satisfaction",
    "web_traffic": "web_traffic",
    "costs": "financial_result",
}


# --------------------------------------------------------------------------- formatting


def format_value(value: Any, unit: str) -> str:
    """A figure as the reader expects it: 1,234 · 35.5 m² · CHF 1,850.00 · 4.00 / 5."""
    if value is None or value == "":
        return "—"
    if unit == "count":
        return format_decimal(value)
    if unit == "sqm":
        return _("%(area)s m²", area=format_decimal(value, format="#,##0.##"))
    if unit == "score_1_5":
        return _("%(score)s / 5", score=format_decimal(value, format="0.00"))
    if unit == "nps":
        return format_decimal(value, format="+0.0;-0.0")
    if unit == "date":
        return format_date(date.fromisoformat(str(value)), "medium")
    if unit == "text":
        return str(value)
    return format_currency(value, unit)  # any other unit is the currency code


def format_change(change: Change | None, unit: str) -> str:
    """'+12.3 %', '-4.0 %'; scores change in points ('+0.25'); 'new' after a zero; '—'."""
    if change is None:
        return "—"
    if unit in SCORES:
        return format_decimal(change.delta, format="+0.00;-0.00")
    if change.percent is None:
        return _("new") if change.delta else "—"
    return _("%(percent)s %%", percent=format_decimal(change.percent, format="+0.0;-0.0"))


def _change_tone(change: Change | None) -> str:
    if change is None or change.delta == 0:
        return "secondary"
    return "success" if change.delta > 0 else "danger"


def parse_as_of(text: str | None) -> tuple[date | None, str | None]:
    """(the date, None) or (None, why `text` is not one); empty means now."""
    try:
        return exports.parse_as_of((text or "").strip()), None
    except ValidationError as error:
        return None, error.message


# --------------------------------------------------------------------------- cards


@dataclass
class Detail:
    label: str
    value: str
    id: str


@dataclass
class Breakdown:
    """A table under a card: rows by dimension, one column per measure."""

    id: str
    caption: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass
class Card:
    headline: Headline
    value: str
    change: str
    change_tone: str
    not_recorded: list[str] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)


def _headline_figure(rows: list[Figure], headline: Headline) -> Figure | None:
    for row in rows:
        if row.group == headline.group and row.name == headline.name and row.dimension == "":
            return row
    return None


def build_cards(result: EditionKpis, previous: EditionKpis | None) -> list[Card]:
    rows = figures(result)
    previous_rows = figures(previous) if previous is not None else []
    empty_groups = _headlines_not_recorded(result)
    previous_empty = _headlines_not_recorded(previous) if previous else set()
    cards = []
    for headline in HEADLINES:
        row = _headline_figure(rows, headline)
        unit = row.unit if row is not None else "count"
        value = row.value if row is not None else None
        earlier = _headline_figure(previous_rows, headline)
        change: Change | None = None
        comparable = (
            earlier is not None
            and earlier.unit == unit
            # A zero that only means "not recorded" on either side is no basis for a change.
            and headline.group not in empty_groups
            and headline.group not in previous_empty
        )
        if comparable and earlier is not None:
            change = change_between(earlier.value, value)
        if headline.group in empty_groups and headline.group != "financial_result":
            value = None  # "—" beside a "not recorded" badge, not a zero that reads as a fact
        card = Card(
            headline=headline,
            value=format_value(value, unit),
            change=format_change(change, unit) if previous is not None else "—",
            change_tone=_change_tone(change),
        )
        _add_details(card, [r for r in rows if r.group == headline.group and r is not row])
        cards.append(card)
    _mark_not_collected(cards, result.not_collected)
    return cards


def _headlines_not_recorded(result: EditionKpis) -> set[str]:
    """KPI groups whose headline figure is empty for want of input (not for want of activity).

    Missing exhibitor survey answers leave the exhibitor count intact: only its
    satisfaction lines are empty.
    """
    return {
        NOT_COLLECTED_CARD[name]
        for name in result.not_collected
        if name in NOT_COLLECTED_CARD and name != "exhibitor_satisfaction"
    }


def _add_details(card: Card, rows: list[Figure]) -> None:
    group = card.headline.group
    tables: dict[str, Breakdown] = {}
    for row in rows:
        if not row.dimension:
            card.details.append(
                Detail(
                    series.figure_label(group, row.name),
                    format_value(row.value, row.unit),
                    f"{group}-{row.name.replace('.', '-')}",
                )
            )
            continue
        # "satisfaction.by_turnover_band.nps" -> table "satisfaction.by_turnover_band", column nps.
        parts = row.name.split(".")
        if len(parts) > 1 and parts[-2].startswith("by_"):
            table_key, measure = ".".join(parts[:-1]), parts[-1]
        else:
            table_key, measure = row.name, ""
        table = tables.get(table_key)
        if table is None:
            caption = series.figure_label(group, table_key)
            if table_key.startswith("satisfaction."):
                caption = _("Satisfaction, %(breakdown)s", breakdown=caption.lower())
            table = tables[table_key] = Breakdown(
                id=f"{group}-{table_key}".replace(".", "-").replace("_", "-"),
                caption=caption,
                columns=[],
                rows=[],
            )
            card.breakdowns.append(table)
        column = series.figure_label(group, measure) if measure else _("Value")
        if column not in table.columns:
            table.columns.append(column)
        label = series.dimension_label(group, row.name, row.dimension)
        cells = next((cells for name, cells in table.rows if name == label), None)
        if cells is None:
            cells = []
            table.rows.append((label, cells))
        cells.append(format_value(row.value, row.unit))


def _mark_not_collected(cards: list[Card], not_collected: Sequence[str]) -> None:
    by_group = {card.headline.group: card for card in cards}
    notes = {
        "exhibitor_satisfaction": _("Exhibitor satisfaction not recorded yet"),
        "participant_satisfaction": _("Not recorded yet"),
        "web_traffic": _("Not recorded yet"),
        "costs": _("Costs not recorded yet"),
    }
    for name in not_collected:
        group = NOT_COLLECTED_CARD.get(name)
        if group is None or group not in by_group:
            continue
        card = by_group[group]
        card.not_recorded.append(notes[name])
        if name == "exhibitor_satisfaction":
            # Zero answers: the satisfaction lines would only repeat "—" and "0".
            card.details = [d for d in card.details if not d.id.startswith("exhibitors-satis")]
            card.breakdowns = [b for b in card.breakdowns if "satisfaction" not in b.id]


# --------------------------------------------------------------------------- charts


@dataclass
class Chart:
    """An SVG chart and the same numbers as a table (first column, then one per series)."""

    id: str
    title: str
    svg: Markup
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    note: str = ""


def _table(
    labels: Sequence[str],
    columns: Sequence[tuple[str, Sequence[Any]]],
    formatter: Callable[[Any], str],
) -> list[tuple[str, list[str]]]:
    return [
        (label, [formatter(values[index]) for _name, values in columns])
        for index, label in enumerate(labels)
    ]


def build_charts(edition: Edition, result: EditionKpis, as_of: date | None) -> list[Chart]:
    count = lambda value: format_value(value, "count")  # noqa: E731
    money = lambda value: format_value(value, result.currency)  # noqa: E731
    area = lambda value: format_value(value, "sqm")  # noqa: E731
    built = []

    registrations = series.registrations_per_day(edition, as_of)
    days, (per_day,) = series.continuous_days(registrations)
    title = _("Registrations per day")
    built.append(
        Chart(
            "registrations-per-day",
            title,
            charts.line_chart(
                title,
                [format_date(day, "d MMM") for day in days],
                [(_("Registrations"), per_day)],
            ),
            [_("Day"), _("Registrations")],
            # The table lists only days with registrations: months of zeros help no one.
            _table(
                [format_date(day, "medium") for day, _n in registrations],
                [("", [n for _day, n in registrations])],
                count,
            ),
            _("Live registrations (not cancelled) by the day they were made, in %(zone)s time.",
              zone=edition.timezone),
        )
    )  # fmt: skip

    checkins = series.checkins_per_day(edition, as_of)
    title = _("Check-ins per day")
    labels = [format_date(day, "medium") for day, _n in checkins]
    values = [n for _day, n in checkins]
    built.append(
        Chart(
            "checkins-per-day",
            title,
            charts.bar_chart(title, labels, values),
            [_("Day"), _("People at the gate")],
            _table(labels, [("", values)], count),
            _("Unique people through the gate each day of the edition."),
        )
    )

    bands = series.exhibitors_by_turnover_band(result)
    title = _("Exhibitors by annual turnover")
    labels, values = [label for label, _n in bands], [n for _label, n in bands]
    built.append(
        Chart(
            "exhibitors-by-band",
            title,
            charts.bar_chart(title, labels, values),
            [_("Annual turnover"), _("Exhibitors")],
            _table(labels, [("", values)], count),
        )
    )

    halls = series.net_sqm_by_hall(edition, as_of)
    title = _("Net area by hall")
    labels, areas = [label for label, _a in halls], [a for _label, a in halls]
    built.append(
        Chart(
            "net-sqm-by-hall",
            title,
            charts.bar_chart(title, labels, areas, unit=_("m²")),
            [_("Hall"), _("Net area")],
            _table(labels, [("", areas)], area),
            _("Area of the booths with a confirmed or paid booking."),
        )
    )

    money_rows = series.revenue_and_costs(result)
    title = _("Revenue against costs")
    labels = [_("Revenue"), _("Costs"), _("Result")]
    values = [money_rows.revenue, money_rows.costs, money_rows.result]
    built.append(
        Chart(
            "revenue-costs",
            title,
            charts.bar_chart(title, labels, values, unit=result.currency),
            [_("Figure"), _("Amount")],
            [
                *_table(labels[:1], [("", values[:1])], money),
                *[
                    (_("Revenue: %(stream)s", stream=name), [money(amount)])
                    for name, amount in money_rows.revenue_by_stream
                ],
                *_table(labels[1:2], [("", values[1:2])], money),
                *[
                    (_("Costs: %(category)s", category=name), [money(amount)])
                    for name, amount in money_rows.costs_by_category
                ],
                *_table(labels[2:], [("", values[2:])], money),
            ],
            "" if money_rows.costs_recorded else _("No cost has been recorded yet."),
        )
    )
    return built


# --------------------------------------------------------------------------- editions


def _editions_by_date() -> list[Edition]:
    return list(db.session.scalars(select(Edition).order_by(Edition.start_date, Edition.id)))


def previous_edition(edition: Edition) -> Edition | None:
    """The edition that started last before `edition` did."""
    return db.session.scalars(
        select(Edition)
        .where(Edition.start_date < edition.start_date)
        .order_by(Edition.start_date.desc(), Edition.id.desc())
        .limit(1)
    ).first()


def _export_links(edition: Edition, **args: str) -> list[tuple[str, str]]:
    return [
        (fmt, url_for("kpi_admin.export", slug=edition.slug, fmt=fmt, **args))
        for fmt in EXPORT_FORMATS
    ]


# --------------------------------------------------------------------------- pages


@organizer_bp.route("/", endpoint="dashboard")
def dashboard(slug: str) -> ResponseReturnValue:
    require_role(current_user, Role.ORGANIZER)
    edition = edition_services.get_edition(slug)
    raw_as_of = request.args.get("as_of", "")
    as_of, problem = parse_as_of(raw_as_of)
    if problem is not None:
        flash(
            _("%(problem)s The figures are shown as of now.", problem=problem),
            "warning",
        )
    result = compute_kpis(edition, as_of)
    previous = previous_edition(edition)
    previous_as_of = exports.matching_as_of(as_of, edition, previous) if previous else None
    previous_result = compute_kpis(previous, previous_as_of) if previous else None
    others = [other for other in _editions_by_date() if other.id != edition.id]
    export_args = {"as_of": as_of.isoformat()} if as_of else {}
    return render_template(
        "kpi/dashboard.html",
        edition=edition,
        as_of=as_of,
        as_of_text=raw_as_of if problem is None else "",
        result=result,
        previous=previous,
        previous_as_of=previous_as_of,
        cards=build_cards(result, previous_result),
        charts=build_charts(edition, result, as_of),
        others=list(reversed(others)),
        default_other=previous,
        exports=_export_links(edition, **export_args),
    )


@dataclass
class CompareSection:
    label: str
    group: str
    lines: list[tuple[str, str, str, str]]  # figure, earlier, later, change


@organizer_bp.route("/compare", endpoint="compare")
def compare_editions(slug: str) -> ResponseReturnValue:
    require_role(current_user, Role.ORGANIZER)
    edition = edition_services.get_edition(slug)
    other_slug = request.args.get("with", "").strip()
    others = [e for e in reversed(_editions_by_date()) if e.id != edition.id]
    problem = ""
    other = None
    if not other_slug:
        problem = _("Choose the edition to compare with.")
    elif other_slug == edition.slug:
        problem = _("Choose another edition: an edition compared with itself shows no change.")
    else:
        other = db.session.scalar(select(Edition).where(Edition.slug == other_slug))
        if other is None:
            problem = _("There is no edition %(slug)s.", slug=other_slug[:80])
    if other is None:
        if problem:
            flash(problem, "warning")
        return render_template(
            "kpi/compare.html",
            edition=edition,
            others=others,
            chosen=None,
            earlier=None,
            later=None,
            sections=[],
            charts=[],
            exports=[],
        ), 400 if other_slug else 200

    earlier, later = sorted((edition, other), key=lambda e: (e.start_date, e.id))
    earlier_result, later_result = compute_kpis(earlier), compute_kpis(later)
    sections = build_sections(earlier_result, later_result)
    return render_template(
        "kpi/compare.html",
        edition=edition,
        others=others,
        chosen=other,
        earlier=earlier,
        later=later,
        earlier_result=earlier_result,
        later_result=later_result,
        sections=sections,
        charts=build_compare_charts(earlier, later, earlier_result, later_result),
        exports=_export_links(edition, compare=other.slug),
    )


def build_sections(earlier: EditionKpis, later: EditionKpis) -> list[CompareSection]:
    labels = {headline.group: str(headline.label) for headline in HEADLINES}
    same_currency = earlier.currency == later.currency
    sections: dict[str, CompareSection] = {}
    for line in compare(earlier, later):
        section = sections.get(line.group)
        if section is None:
            section = sections[line.group] = CompareSection(
                labels.get(line.group, line.group), line.group, []
            )
        section.lines.append(_compare_line(line, earlier, later, same_currency))
    return list(sections.values())


def not_recorded(result: EditionKpis, group: str, name: str) -> bool:
    """Whether figure `name` of `group` is empty because its input was never recorded."""
    missing = set(result.not_collected)
    if group == "exhibitors" and name.startswith("satisfaction."):
        return "exhibitor_satisfaction" in missing
    if group == "participant_satisfaction":
        return "participant_satisfaction" in missing
    if group == "web_traffic":
        return "web_traffic" in missing and name not in {"from", "to"}
    if group == "financial_result" and name in {"costs", "costs_by_category"}:
        return "costs" in missing
    return False


def _compare_line(
    line: Comparison, earlier: EditionKpis, later: EditionKpis, same_currency: bool
) -> tuple[str, str, str, str]:
    label = series.figure_label(line.group, line.name)
    if line.name.startswith("satisfaction.") and line.group == "exhibitors":
        label = _("Satisfaction: %(figure)s", figure=label)
    if line.dimension:
        label = f"{label} — {series.dimension_label(line.group, line.name, line.dimension)}"
    money = line.unit == later.currency
    earlier_unit = earlier.currency if money else line.unit
    change = line.change
    if money and not same_currency:
        change = None  # francs minus dollars means nothing
    early_text = format_value(line.earlier, earlier_unit)
    late_text = format_value(line.later, line.unit)
    # A result without recorded costs is revenue only: no basis for a change either.
    costs_missing = line.group == "financial_result" and line.name == "result"
    if not_recorded(earlier, line.group, line.name) or (
        costs_missing and not_recorded(earlier, "financial_result", "costs")
    ):
        change = None
        if not costs_missing:
            early_text = _("not recorded")
    if not_recorded(later, line.group, line.name) or (
        costs_missing and not_recorded(later, "financial_result", "costs")
    ):
        change = None
        if not costs_missing:
            late_text = _("not recorded")
    return label, early_text, late_text, format_change(change, line.unit)


# Headline figures charted side by side, one chart per unit so no axis mixes
# square metres with people: (chart id, title, unit, [(group, name), ...]).
def _compare_families(currency: str) -> list[tuple[str, str, str, list[tuple[str, str]]]]:
    return [
        (
            "compare-exhibitors",
            _("Exhibitors"),
            "",
            [
                ("exhibitors", "total"),
                ("exhibitors", "countries"),
                ("exhibition_size", "pavilions"),
                ("exhibition_size", "booths"),
            ],
        ),
        (
            "compare-participants",
            _("Participants"),
            "",
            [
                ("trade_visitors", "attended"),
                ("vips", "attended"),
                ("forum", "participants"),
                ("accredited_media", "approved"),
                ("total_participants", "attended"),
            ],
        ),
        (
            "compare-size",
            _("Size of exhibition"),
            _("m²"),
            [("exhibition_size", "net_sqm"), ("exhibition_size", "gross_sqm")],
        ),
        (
            "compare-web",
            _("Web traffic"),
            "",
            [("web_traffic", "page_views"), ("web_traffic", "unique_visitors")],
        ),
        (
            "compare-money",
            _("Financial result"),
            currency,
            [
                ("financial_result", "revenue"),
                ("financial_result", "costs"),
                ("financial_result", "result"),
            ],
        ),
    ]


def build_compare_charts(
    earlier: Edition, later: Edition, earlier_result: EditionKpis, later_result: EditionKpis
) -> list[Chart]:
    early_rows = {row.key: row for row in figures(earlier_result)}
    late_rows = {row.key: row for row in figures(later_result)}
    built = []
    for chart_id, title, unit, keys in _compare_families(later_result.currency):
        if chart_id == "compare-money" and earlier_result.currency != later_result.currency:
            continue  # two currencies cannot share an axis
        labels, early_values, late_values, row_unit = [], [], [], "count"
        for group, name in keys:
            early, late = early_rows.get((group, name, "")), late_rows.get((group, name, ""))
            if late is None:
                continue
            row_unit = late.unit
            if group == "exhibitors" and name == "total":
                labels.append(_("Exhibitors"))
            elif name in {"attended", "approved", "participants"}:
                labels.append(str(next(h.label for h in HEADLINES if h.group == group)))
            else:
                labels.append(series.figure_label(group, name))
            early_values.append(_number(early.value if early else None))
            late_values.append(_number(late.value))
        columns = [(earlier.name, early_values), (later.name, late_values)]
        missing = [
            edition.name
            for edition, result in ((earlier, earlier_result), (later, later_result))
            if any(not_recorded(result, group, name) for group, name in keys)
        ]
        note = ""
        if missing:
            note = _("Not recorded for %(editions)s: shown as zero.", editions=", ".join(missing))
        built.append(
            Chart(
                chart_id,
                title,
                charts.grouped_bar_chart(title, labels, columns, unit=unit),
                [_("Figure"), earlier.name, later.name],
                _table(labels, columns, lambda value, u=row_unit: format_value(value, u)),
                note,
            )
        )
    return built


def _number(value: Any) -> Decimal | int:
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    return 0
