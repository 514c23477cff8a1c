"""KPI exports: CSV, XLSX, JSON and a PDF report, from one computed edition.

The dashboard (`kpi_admin.export`), the API (`GET /api/v1/editions/<slug>/kpis?format=`)
and the CLI (`flask kpi export`) all go through `report_for` / `load_report`
and `export_file`, so the three give the same bytes for the same request.

A report is one `EditionKpis` (compute_kpis, optionally as of a date) and, when
comparing, a second edition's. With an as-of date the compared edition is taken
at the same point of its own calendar (the same number of days from its first
day: 13 October 2015, the second day of 2015, compares with 20 November 2013,
the second day of 2013), so a report made during a campaign compares like with
like; without one both are complete. The two are always shown in date order,
the earlier edition first, and changes read from the earlier to the later.

Formats:

- CSV (`csv_export`): one row per figure with the columns `edition, as_of,
  kpi, figure, dimension, value, unit` (CSV_HEADERS). `kpi` is the KPI group
  (a key of the JSON's `kpis`, "trade_visitors"), `figure` the figure within it
  ("attended", dotted when nested: "satisfaction.nps"), `dimension` the
  breakdown key ("under_10m", "MIN") or empty for a total. The header row is
  made of these keys, in English whatever the reader's language, because the
  file is read by programs (the strategic-plan workbook). Comparing adds the
  other edition's rows. UTF-8 with a byte-order mark and CRLF lines, text
  neutralised against formulas (telecom.core.spreadsheets).
- XLSX (`xlsx_export`, streamed in openpyxl's write-only mode): a "Summary"
  sheet with the edition and the headline figures, one sheet per KPI group (its
  label as the title, at most 31 characters, unique) with the figure, dimension,
  value (numbers as numbers, money and areas with two decimals), unit, and the
  CSV's figure and dimension keys; a "Comparison" sheet when comparing (both
  values, the change and the change in per cent). Text cells are typed as text,
  so "=HYPERLINK(...)" stays text and is never run. Figure and dimension names
  are the dashboard's (telecom.kpi.series).
- JSON (`json_document`): exactly `EditionKpis.as_dict()` (the API's body);
  comparing adds one key:

      "comparison": {
        "edition": "<the other slug>", "as_of": "<its as-of date or null>",
        "currency": "<its currency>", "earlier": "<slug>", "later": "<slug>",
        "figures": [{"kpi", "figure", "dimension", "unit",
                     "earlier", "later", "delta", "percent"}, ...]
      }

  with values as in `as_dict()` (counts as numbers, money, areas and scores
  as decimal strings); delta and percent are null when a side is not a number
  (or the earlier value is zero, for percent, or the currencies differ).
- PDF (`pdf_export`, WeasyPrint, templates/kpi/report_pdf.html): cover, headline
  table, details by KPI, charts, comparison, definitions and what was not
  collected, in the reader's language (the request's locale; the CLI's default).

Exports are reads: like the other exports of the platform they write no
audit entry.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import render_template
from flask_babel import LazyString, format_date, format_decimal, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from weasyprint import CSS, HTML

from telecom.core import spreadsheets
from telecom.core.dates import parse_iso_date
from telecom.core.errors import NotFound, ValidationError
from telecom.core.models import utcnow
from telecom.core.permissions import Role, require_role
from telecom.events.models import Edition
from telecom.events.services import get_edition
from telecom.kpi import charts, series
from telecom.kpi.engine import EditionKpis, compute_kpis
from telecom.kpi.figures import HEADLINES, Comparison, Figure, compare, figures, headline_value
from telecom.kpi.series import dimension_label, figure_label
from telecom.payments.pdf import local_fetcher

if TYPE_CHECKING:
    from telecom.auth.models import User

__all__ = [
    "CSV_HEADERS",
    "FORMATS",
    "KpiFile",
    "KpiReport",
    "csv_export",
    "display_value",
    "export_file",
    "json_document",
    "json_export",
    "load_report",
    "matching_as_of",
    "parse_as_of",
    "parse_format",
    "pdf_export",
    "report_for",
    "report_html",
    "xlsx_export",
]

FORMATS = ("csv", "xlsx", "json", "pdf")
MIMETYPES = {
    "csv": spreadsheets.CSV_MIMETYPE,  # Response adds "; charset=utf-8" to text types
    "xlsx": spreadsheets.XLSX_MIMETYPE,
    "json": "application/json",
    "pdf": "application/pdf",
}
CSV_HEADERS = ("edition", "as_of", "kpi", "figure", "dimension", "value", "unit")
STYLESHEET = Path(__file__).with_name("report_pdf.css")
# date.fromisoformat also takes "20151012" and week dates; we promise one form.
# Excel's limit on sheet titles, and the characters it refuses in them.
_SHEET_TITLE_MAX = 31
_SHEET_TITLE_FORBIDDEN = "[]:*?/\\"
_TWO_PLACES = "#,##0.00"


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class KpiReport:
    """What an export shows: one edition's KPIs, and optionally another's to compare."""

    edition: Edition
    result: EditionKpis
    other_edition: Edition | None = None
    other: EditionKpis | None = None
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def comparing(self) -> bool:
        return self.other is not None

    def in_date_order(self) -> list[tuple[Edition, EditionKpis]]:
        """The edition(s), the earlier first (the compared one first on a tie)."""
        pairs = [(self.edition, self.result)]
        if self.other_edition is not None and self.other is not None:
            pairs.append((self.other_edition, self.other))
            pairs.sort(key=lambda pair: (pair[0].start_date, pair[0] is self.edition))
        return pairs

    def comparison(self) -> list[Comparison]:
        """Every figure of both editions, earlier against later ([] when not comparing)."""
        if not self.comparing:
            return []
        (_first, earlier), (_second, later) = self.in_date_order()
        lines = compare(earlier, later)
        if earlier.currency == later.currency:
            return lines
        # Francs against dollars is no change: keep both amounts, drop the difference.
        money = {earlier.currency, later.currency}
        return [
            Comparison(
                line.group, line.name, line.dimension, line.unit, line.earlier, line.later, None
            )
            if line.unit in money
            else line
            for line in lines
        ]


AS_OF_RANGE = (date(1900, 1, 1), date(2999, 12, 31))


def parse_as_of(value: str | None) -> date | None:
    """An `as_of` parameter as a date (None when absent); ValidationError otherwise."""
    if value is None or value == "":
        return None
    day = parse_iso_date(value)
    if day is None:
        raise ValidationError(_("as_of must be a date written YYYY-MM-DD, for example 2015-10-15."))
    # Far dates overflow date arithmetic (end of day, the other edition's matching day).
    if not AS_OF_RANGE[0] <= day <= AS_OF_RANGE[1]:
        raise ValidationError(
            _(
                "as_of must be between %(first)s and %(last)s.",
                first=AS_OF_RANGE[0].isoformat(),
                last=AS_OF_RANGE[1].isoformat(),
            )
        )
    return day


def parse_format(value: str | None) -> str:
    """An export format name; ValidationError for anything but csv, xlsx, json or pdf."""
    fmt = (value or "").strip().lower()
    if fmt not in FORMATS:
        raise ValidationError(
            _("The format must be one of %(formats)s.", formats=", ".join(FORMATS))
        )
    return fmt


def matching_as_of(as_of: date | None, edition: Edition, other: Edition) -> date | None:
    """The day of `other` as far from its first day as `as_of` is from `edition`'s."""
    if as_of is None:
        return None
    return other.start_date + (as_of - edition.start_date)


def load_report(
    slug: str, *, compare_with: str | None = None, as_of: date | None = None
) -> KpiReport:
    """Compute the report of edition `slug`, for a trusted caller (the command line).

    NotFound for an unknown edition; ValidationError for an unknown edition to
    compare with, or the edition itself.
    """
    edition = get_edition(slug)
    other_edition = None
    other = None
    if compare_with:
        if compare_with == edition.slug:
            raise ValidationError(_("Choose another edition to compare with."))
        try:
            other_edition = get_edition(compare_with)
        except NotFound:
            raise ValidationError(
                _("There is no edition %(slug)s to compare with.", slug=compare_with)
            ) from None
        other = compute_kpis(other_edition, matching_as_of(as_of, edition, other_edition))
    return KpiReport(
        edition=edition,
        result=compute_kpis(edition, as_of),
        other_edition=other_edition,
        other=other,
    )


def report_for(
    actor: User | None, slug: str, *, compare_with: str | None = None, as_of: date | None = None
) -> KpiReport:
    """The report of edition `slug` for `actor`, who must be an organizer."""
    require_role(actor, Role.ORGANIZER)
    return load_report(slug, compare_with=compare_with, as_of=as_of)


@dataclass(frozen=True)
class KpiFile:
    data: bytes
    filename: str
    mimetype: str


def export_file(report: KpiReport, fmt: str) -> KpiFile:
    """The report in `fmt` (one of FORMATS), with its download name and media type."""
    makers = {"csv": csv_export, "xlsx": xlsx_export, "json": json_export, "pdf": pdf_export}
    return KpiFile(makers[fmt](report), filename(report, fmt), MIMETYPES[fmt])


def filename(report: KpiReport, fmt: str) -> str:
    """kpis-<slug>[-vs-<other slug>][-as-of-<date>].<fmt>"""
    name = f"kpis-{report.edition.slug}"
    if report.other_edition is not None:
        name += f"-vs-{report.other_edition.slug}"
    if report.result.as_of is not None:
        name += f"-as-of-{report.result.as_of.isoformat()}"
    return f"{name}.{fmt}"


# --------------------------------------------------------------------------- labels

_NOT_COLLECTED_LABELS: dict[str, LazyString] = {
    "exhibitor_satisfaction": _l("the exhibitor satisfaction survey"),
    "participant_satisfaction": _l("the participant satisfaction survey"),
    "web_traffic": _l("web traffic"),
    "costs": _l("costs"),
}
_UNIT_LABELS: dict[str, LazyString] = {
    "count": _l("count"),
    "sqm": _l("m²"),
    "score_1_5": _l("score 1-5"),
    "nps": _l("NPS"),
    "date": _l("date"),
    "text": _l("text"),
}


def group_label(group: str) -> str:
    for headline in HEADLINES:
        if headline.group == group:
            return str(headline.label)
    return group


def unit_label(unit: str) -> str:
    return str(_UNIT_LABELS.get(unit, unit))


def not_collected_labels(result: EditionKpis) -> list[str]:
    return [str(_NOT_COLLECTED_LABELS.get(key, key)) for key in result.not_collected]


def display_value(value: Any, unit: str) -> str:
    """A figure as a reader sees it, in the current locale ("—" when there is none)."""
    if value is None:
        return "—"
    if unit == "date" and isinstance(value, str):
        return format_date(date.fromisoformat(value))
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, int):
        return format_number(value)
    if unit == "sqm":
        return f"{format_decimal(value, format=_TWO_PLACES)} m²"
    if unit == "score_1_5":
        return format_decimal(value, format="#,##0.00")
    if unit == "nps":
        return format_decimal(value, format="+#,##0.0;-#,##0.0")
    if unit == "count":
        return format_number(value)
    return f"{format_decimal(value, format=_TWO_PLACES)} {unit}"  # money: unit is the currency


def display_percent(percent: Decimal | None) -> str:
    if percent is None:
        return "—"
    return f"{format_decimal(percent, format='+#,##0.0;-#,##0.0')} %"


def display_delta(delta: Decimal | None, unit: str) -> str:
    if delta is None:
        return "—"
    sign = "+" if delta > 0 else ""
    return sign + display_value(int(delta) if unit == "count" else delta, unit)


# --------------------------------------------------------------------------- CSV


def csv_rows(report: KpiReport) -> Iterator[tuple[Any, ...]]:
    for edition, result in report.in_date_order():
        as_of = result.as_of.isoformat() if result.as_of else ""
        for row in figures(result):
            yield (edition.slug, as_of, row.group, row.name, row.dimension, row.value, row.unit)


def csv_export(report: KpiReport) -> bytes:
    """One row per figure (CSV_HEADERS), for each edition of the report."""
    return spreadsheets.to_csv(CSV_HEADERS, csv_rows(report))


# --------------------------------------------------------------------------- JSON


def _json_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def json_document(report: KpiReport) -> dict[str, Any]:
    """The API's body: `EditionKpis.as_dict()`, plus "comparison" when comparing."""
    body = report.result.as_dict()
    if report.other is None or report.other_edition is None:
        return body
    (earlier, _earlier_kpis), (later, _later_kpis) = report.in_date_order()
    body["comparison"] = {
        "edition": report.other_edition.slug,
        "as_of": report.other.as_of.isoformat() if report.other.as_of else None,
        "currency": report.other.currency,
        "earlier": earlier.slug,
        "later": later.slug,
        "figures": [
            {
                "kpi": line.group,
                "figure": line.name,
                "dimension": line.dimension,
                "unit": line.unit,
                "earlier": _json_value(line.earlier),
                "later": _json_value(line.later),
                "delta": None if line.change is None else str(line.change.delta),
                "percent": None
                if line.change is None or line.change.percent is None
                else str(line.change.percent),
            }
            for line in report.comparison()
        ],
    }
    return body


def json_export(report: KpiReport) -> bytes:
    return json.dumps(json_document(report), ensure_ascii=False, indent=2).encode("utf-8")


# --------------------------------------------------------------------------- XLSX


class _Sheets:
    """Write-only sheets with unique, valid titles and typed cells."""

    def __init__(self) -> None:
        # Write-only: rows go to a temporary file as they come, not into memory.
        self.workbook = Workbook(write_only=True)
        self.titles: set[str] = set()
        self.bold = Font(bold=True)

    def sheet(self, title: str, widths: Sequence[int]) -> Any:
        clean = "".join(c for c in title if c not in _SHEET_TITLE_FORBIDDEN).strip("' ")
        clean = clean[:_SHEET_TITLE_MAX] or "Sheet"
        candidate, number = clean, 2
        while candidate.lower() in self.titles:
            suffix = f" ({number})"
            candidate = clean[: _SHEET_TITLE_MAX - len(suffix)] + suffix
            number += 1
        self.titles.add(candidate.lower())
        sheet = self.workbook.create_sheet(candidate)
        for index, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width
        return sheet

    def cell(self, sheet: Any, value: Any, unit: str = "", *, bold: bool = False) -> WriteOnlyCell:
        """A typed cell: numbers as numbers (two places for money and areas), text as text."""
        if unit == "date" and isinstance(value, str):
            value = date.fromisoformat(value)
        if isinstance(value, LazyString):
            value = str(value)
        # The platform's export rules: enums, illegal characters, UTC for aware times.
        cell = WriteOnlyCell(sheet, value=spreadsheets.xlsx_value(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text, even when it starts with "="
        elif isinstance(cell.value, Decimal):
            cell.number_format = "0.0" if unit in {"nps", "percent"} else _TWO_PLACES
        elif isinstance(cell.value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm"
        elif isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
        if bold:
            cell.font = self.bold
        return cell

    def row(self, sheet: Any, values: Sequence[Any], units: dict[int, str] | None = None) -> None:
        """Append `values`; `units` gives the unit of the value at each index that has one."""
        units = units or {}
        sheet.append([self.cell(sheet, value, units.get(i, "")) for i, value in enumerate(values)])

    def header(self, sheet: Any, values: Sequence[Any]) -> None:
        sheet.append([self.cell(sheet, str(value), bold=True) for value in values])

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def xlsx_export(report: KpiReport) -> bytes:
    """Summary, one sheet per KPI group, and Comparison when comparing."""
    book = _Sheets()
    result, edition = report.result, report.edition
    rows = figures(result)

    summary = book.sheet(_("Summary"), (34, 40, 16, 12))
    book.header(summary, [_("KPI report"), edition.name])
    book.row(summary, [_("Edition"), edition.slug])
    book.row(summary, [_("Place"), f"{edition.venue}, {edition.city} ({edition.country})"])
    book.row(summary, [_("Dates"), edition.start_date, edition.end_date])
    book.row(summary, [_("Figures as of"), result.as_of or _("the time of the export")])
    book.row(summary, [_("Generated at (UTC)"), report.generated_at])
    book.row(summary, [_("Currency"), result.currency])
    if report.other_edition is not None:
        book.row(summary, [_("Compared with"), report.other_edition.slug])
    summary.append([])
    book.header(summary, [_("KPI"), _("Figure"), _("Value"), _("Unit")])
    for headline in HEADLINES:
        unit = _unit_of(rows, headline.group, headline.name)
        value = headline_value(rows, headline)
        book.row(
            summary,
            [headline.label, figure_label(headline.group, headline.name), value, unit_label(unit)],
            {2: unit},
        )
    missing = not_collected_labels(result)
    if missing:
        summary.append([])
        book.row(summary, [_("Not collected (zero or empty means not recorded)")])
        for label in missing:
            book.row(summary, ["", label])

    for group, group_rows in _by_group(rows):
        sheet = book.sheet(group_label(group), (40, 26, 16, 12, 40, 20))
        book.header(
            sheet,
            [
                _("Figure"),
                _("Dimension"),
                _("Value"),
                _("Unit"),
                _("Figure key"),
                _("Dimension key"),
            ],
        )
        for row in group_rows:
            book.row(
                sheet,
                [
                    figure_label(row.group, row.name),
                    dimension_label(row.group, row.name, row.dimension),
                    row.value,
                    unit_label(row.unit),
                    f"{row.group}.{row.name}",
                    row.dimension,
                ],
                {2: row.unit},
            )

    if report.comparing:
        (earlier, _earlier_kpis), (later, _later_kpis) = report.in_date_order()
        sheet = book.sheet(_("Comparison"), (26, 40, 26, 12, 18, 18, 14, 12))
        book.header(
            sheet,
            [
                _("KPI"),
                _("Figure"),
                _("Dimension"),
                _("Unit"),
                earlier.slug,
                later.slug,
                _("Change"),
                _("Change (%)"),
            ],
        )
        for line in report.comparison():
            change = line.change
            book.row(
                sheet,
                [
                    group_label(line.group),
                    figure_label(line.group, line.name),
                    dimension_label(line.group, line.name, line.dimension),
                    unit_label(line.unit),
                    line.earlier,
                    line.later,
                    None if change is None else change.delta,
                    None if change is None else change.percent,
                ],
                {4: line.unit, 5: line.unit, 6: line.unit, 7: "percent"},
            )
    return book.save()


def _unit_of(rows: list[Figure], group: str, name: str) -> str:
    return next((row.unit for row in rows if (row.group, row.name) == (group, name)), "")


def _by_group(rows: list[Figure]) -> list[tuple[str, list[Figure]]]:
    """The figures by KPI, in the strategic plan's order (HEADLINES), then any other."""
    groups: dict[str, list[Figure]] = {headline.group: [] for headline in HEADLINES}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    return [(group, found) for group, found in groups.items() if found]


# --------------------------------------------------------------------------- PDF


@dataclass(frozen=True)
class _Line:
    label: str
    dimension: str
    value: str


@dataclass(frozen=True)
class _Section:
    group: str
    label: str
    definition: str
    headline: str
    lines: list[_Line]


def _sections(result: EditionKpis) -> list[_Section]:
    rows = figures(result)
    grouped = dict(_by_group(rows))
    sections = []
    for headline in HEADLINES:
        unit = _unit_of(rows, headline.group, headline.name)
        sections.append(
            _Section(
                group=headline.group,
                label=str(headline.label),
                definition=str(headline.definition),
                headline=display_value(headline_value(rows, headline), unit),
                lines=[
                    _Line(
                        figure_label(row.group, row.name),
                        dimension_label(row.group, row.name, row.dimension),
                        display_value(row.value, row.unit),
                    )
                    for row in grouped.get(headline.group, [])
                ],
            )
        )
    return sections


@dataclass(frozen=True)
class _ComparedLine:
    kpi: str
    figure: str
    dimension: str
    earlier: str
    later: str
    delta: str
    percent: str


def _compared_lines(report: KpiReport) -> list[_ComparedLine]:
    return [
        _ComparedLine(
            kpi=group_label(line.group),
            figure=figure_label(line.group, line.name),
            dimension=dimension_label(line.group, line.name, line.dimension),
            earlier=display_value(line.earlier, line.unit),
            later=display_value(line.later, line.unit),
            delta=display_delta(None if line.change is None else line.change.delta, line.unit),
            percent=display_percent(None if line.change is None else line.change.percent),
        )
        for line in report.comparison()
    ]


@dataclass(frozen=True)
class _HeadlineRow:
    label: str
    values: list[str]  # one per edition, in date order
    delta: str
    percent: str


def _headline_rows(report: KpiReport) -> list[_HeadlineRow]:
    ordered = [figures(result) for _edition, result in report.in_date_order()]
    changes = {(line.group, line.name, line.dimension): line for line in report.comparison()}
    lines = []
    for headline in HEADLINES:
        unit = _unit_of(ordered[-1], headline.group, headline.name)
        line = changes.get((headline.group, headline.name, ""))
        change = None if line is None else line.change
        lines.append(
            _HeadlineRow(
                label=str(headline.label),
                values=[display_value(headline_value(rows, headline), unit) for rows in ordered],
                delta=display_delta(None if change is None else change.delta, unit),
                percent=display_percent(None if change is None else change.percent),
            )
        )
    return lines


def _charts(report: KpiReport) -> list[Markup]:
    """The dashboard's charts (telecom.kpi.series), both editions side by side where they fit.

    Days and halls differ from one edition to another, so those charts show the
    edition of the report only.
    """
    edition, result = report.edition, report.result
    as_of = result.as_of
    ordered = report.in_date_order()
    registrations = series.registrations_per_day(edition, as_of)
    days, (per_day,) = series.continuous_days(registrations)
    checkins = series.checkins_per_day(edition, as_of)
    halls = series.net_sqm_by_hall(edition, as_of)
    bands = [label for label, _count in series.exhibitors_by_turnover_band(result)]
    money = [(e, series.revenue_and_costs(kpis)) for e, kpis in ordered]
    return [
        charts.line_chart(
            _("Registrations per day"),
            [format_date(day, "d MMM") for day in days],
            [(_("Registrations"), per_day)],
        ),
        charts.bar_chart(
            _("Check-ins per day"),
            [format_date(day, "d MMM") for day, _count in checkins],
            [count for _day, count in checkins],
        ),
        charts.grouped_bar_chart(
            _("Exhibitors by annual turnover"),
            bands,
            [
                (e.name, [count for _label, count in series.exhibitors_by_turnover_band(kpis)])
                for e, kpis in ordered
            ],
        ),
        charts.bar_chart(
            _("Net area by hall"),
            [label for label, _area in halls],
            [area for _label, area in halls],
            unit=_("m²"),
        ),
        charts.grouped_bar_chart(
            _("Revenue against costs"),
            [e.name for e, _row in money],
            [
                (_("Revenue"), [row.revenue for _e, row in money]),
                (_("Costs"), [row.costs for _e, row in money]),
                (_("Result"), [row.result for _e, row in money]),
            ],
            unit=result.currency,
        ),
    ]


def report_html(report: KpiReport) -> str:
    """The HTML the PDF is made from, in the current locale (tests read it)."""
    return render_template(
        "kpi/report_pdf.html",
        report=report,
        edition=report.edition,
        result=report.result,
        ordered=report.in_date_order(),
        headline_rows=_headline_rows(report),
        sections=_sections(report.result),
        charts=_charts(report),
        compared=_compared_lines(report),
        not_collected=not_collected_labels(report.result),
        # Jinja's gettext would read the bare % as a placeholder.
        change_percent=_("Change (%)"),
    )


def pdf_export(report: KpiReport) -> bytes:
    """The PDF report (A4), offline: fonts from the system, nothing fetched."""
    fetcher = local_fetcher()
    stylesheet = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=fetcher)
    pdf = HTML(string=report_html(report), url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
    assert pdf is not None
    return pdf
