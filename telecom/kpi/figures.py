"""The engine's result as flat figures: what exports, the dashboard and the plan read.

`figures(result)` turns an `EditionKpis` into one `Figure` per number (KPI
group, figure name, dimension, value, unit), the rows of the CSV export.
`HEADLINES` names the one figure that stands for each KPI (the dashboard's
cards, the strategic plan's Objective 6 values), with its label and the
definition printed in the PDF report. `compare` lines up two editions.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from telecom.kpi.engine import EditionKpis

__all__ = [
    "HEADLINES",
    "KPI_GROUPS",
    "Change",
    "Comparison",
    "Figure",
    "Headline",
    "compare",
    "figures",
    "headline_value",
]

Value = int | Decimal | str | None

# Figure names (the last field name) measured in money, square metres, scores.
_MONEY = {
    "revenue",
    "revenue_by_stream",
    "paid",
    "refunded",
    "costs",
    "costs_by_category",
    "result",
}
_AREA = {"net_sqm", "gross_sqm"}
_SCORE = {"mean_score": "score_1_5", "mean_rating": "score_1_5", "nps": "nps"}


@dataclass(frozen=True)
class Figure:
    group: str  # the KPI, a key of `kpis` ("trade_visitors")
    name: str  # the figure within it, dotted for nested ones ("satisfaction.nps")
    dimension: str  # "" for a total, else the breakdown key ("under_10m", "MIN", "booths")
    value: Value
    unit: str  # "count", "sqm", the currency code, "score_1_5", "nps", "date" or "text"

    @property
    def key(self) -> tuple[str, str, str]:
        return self.group, self.name, self.dimension


def figures(result: EditionKpis) -> list[Figure]:
    """Every figure of `result`, in the engine's order (groups, then fields)."""
    rows: list[Figure] = []
    for group in fields(result.kpis):
        _walk(group.name, (), getattr(result.kpis, group.name), "", result.currency, rows)
    return rows


def _walk(
    group: str, path: tuple[str, ...], value: Any, dimension: str, currency: str, rows: list[Figure]
) -> None:
    if is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            name = item.metadata.get("json", item.name)
            _walk(group, (*path, name), getattr(value, item.name), dimension, currency, rows)
        return
    if isinstance(value, dict) and path[-1:] != ("chosen",):
        for key, item in value.items():
            _walk(group, path, item, str(key), currency, rows)
        return
    rows.append(
        Figure(group, ".".join(path), dimension, _scalar(value), _unit(path, value, currency))
    )


def _scalar(value: Any) -> Value:
    if isinstance(value, dict):  # the chosen venue
        return f"{value['venue']}, {value['city']} ({value['country']})"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value  # type: ignore[no-any-return]


def _unit(path: tuple[str, ...], value: Any, currency: str) -> str:
    last = path[-1] if path else ""
    if last in _MONEY:
        return currency
    if last in _AREA:
        return "sqm"
    if last in _SCORE:
        return _SCORE[last]
    if isinstance(value, date) or last in {"from", "to"}:
        return "date"
    if isinstance(value, dict | str) or last == "chosen":
        return "text"
    return "count"


# --------------------------------------------------------------------------- headlines


@dataclass(frozen=True)
class Headline:
    group: str
    name: str
    label: LazyString
    definition: LazyString


# The ten Objective 6 KPIs of the strategic plan (Table 7.2), in its order, then the
# participant survey. `group` is also the plan's engine_key.
HEADLINES: tuple[Headline, ...] = (
    Headline(
        "candidate_venues",
        "count",
        _l("Candidate venues"),
        _l("Candidate venues recorded for the edition's host selection, and the one chosen."),
    ),
    Headline(
        "exhibitors",
        "total",
        _l("Exhibitors"),
        _l(
            "Organisations with a confirmed or paid booking, plus approved co-exhibitors of a "
            "pavilion, by annual-turnover band; satisfaction from the exhibitor survey (mean "
            "score 1-5 and Net Promoter Score)."
        ),
    ),
    Headline(
        "exhibition_size",
        "net_sqm",
        _l("Size of exhibition"),
        _l(
            "Net square metres: area of the booths with a confirmed or paid booking. Gross: "
            "area of the halls with at least one such booth. Also booths and pavilions."
        ),
    ),
    Headline(
        "trade_visitors",
        "attended",
        _l("Trade visitors"),
        _l(
            "Unique people with a visitor registration and at least one gate check-in; "
            "visits are their daily entries."
        ),
    ),
    Headline(
        "vips",
        "attended",
        _l("VIPs"),
        _l("People with an accepted VIP invitation who came through the gate, by category."),
    ),
    Headline(
        "forum",
        "participants",
        _l("Forum participants"),
        _l(
            "Unique people checked in at the door of one forum session or more; satisfaction "
            "is the mean of the session ratings (1-5)."
        ),
    ),
    Headline(
        "accredited_media",
        "approved",
        _l("Accredited media"),
        _l("Approved media accreditations, and how many of those journalists came."),
    ),
    Headline(
        "total_participants",
        "attended",
        _l("Total participants"),
        _l(
            "Unique people with at least one check-in in any category, counted once "
            "whatever their roles; and their countries."
        ),
    ),
    Headline(
        "web_traffic",
        "page_views",
        _l("Web traffic"),
        _l(
            "Page views of the public pages and daily unique visitors (counted without "
            "cookies, with a salted hash that changes every day) in the campaign window."
        ),
    ),
    Headline(
        "financial_result",
        "result",
        _l("Financial result"),
        _l(
            "Revenue received (payments minus refunds, by stream) minus the recorded costs, "
            "in the edition's currency."
        ),
    ),
    Headline(
        "participant_satisfaction",
        "mean_score",
        _l("Participant satisfaction"),
        _l("Mean overall satisfaction (1-5) from the participant survey, by category."),
    ),
)
KPI_GROUPS = tuple(headline.group for headline in HEADLINES)


def headline_value(rows: list[Figure], headline: Headline) -> Value:
    """The headline figure of one KPI among `rows` (None when absent)."""
    for row in rows:
        if row.group == headline.group and row.name == headline.name and row.dimension == "":
            return row.value
    return None


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Change:
    delta: Decimal
    percent: Decimal | None  # None when the earlier value is zero


@dataclass(frozen=True)
class Comparison:
    group: str
    name: str
    dimension: str
    unit: str
    earlier: Value
    later: Value
    change: Change | None  # None when either side is not a number


def change_between(earlier: Value, later: Value) -> Change | None:
    """later - earlier, and as a percentage of earlier (one place, half up)."""
    if not _is_number(earlier) or not _is_number(later):
        return None
    old, new = Decimal(earlier), Decimal(later)  # type: ignore[arg-type]
    percent = None
    if old != 0:
        percent = ((new - old) * 100 / abs(old)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Change(delta=new - old, percent=percent)


def _is_number(value: Value) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def compare(earlier: EditionKpis, later: EditionKpis) -> list[Comparison]:
    """Both editions' figures side by side, in `later`'s order, then any only in `earlier`."""
    before = {row.key: row for row in figures(earlier)}
    lines: list[Comparison] = []
    for row in figures(later):
        old = before.pop(row.key, None)
        old_value = None if old is None else old.value
        lines.append(
            Comparison(
                row.group,
                row.name,
                row.dimension,
                row.unit,
                old_value,
                row.value,
                change_between(old_value, row.value),
            )
        )
    for row in before.values():
        lines.append(
            Comparison(row.group, row.name, row.dimension, row.unit, row.value, None, None)
        )
    return lines
