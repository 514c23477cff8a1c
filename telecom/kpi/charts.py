"""KPI charts as inline SVG, drawn on the server: no JavaScript, no style attributes.

The same markup goes into the dashboard (where the strict CSP forbids inline
styles and scripts) and into the PDF report (WeasyPrint renders inline SVG).
Every chart has a fixed viewBox, `role="img"` with a `<title>` it is labelled
by, a visible heading, and a `<title>` on each bar or point so a pointer or a
screen reader gets the exact number; pages still follow each chart with a table
of the same numbers.

Values are Decimals or ints and are printed from their exact value; only the
geometry goes through floats. Axes always include zero, so a bar's length is
honest, and negative bars (a financial loss) hang below the axis.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from markupsafe import Markup, escape

__all__ = ["bar_chart", "grouped_bar_chart", "line_chart"]

Number = Decimal | int

WIDTH = 640
HEIGHT = 320
# The plot area inside the viewBox: room for the heading and legend above, the
# value axis on the left and the category labels below.
PLOT_LEFT = 64
PLOT_RIGHT = WIDTH - 16
PLOT_TOP = 64
PLOT_BOTTOM = HEIGHT - 72
# Colour-blind-safe palette (Okabe and Ito); the first colour is the single-series one.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
NEGATIVE = "#D55E00"
AXIS = "#495057"
GRID = "#dee2e6"
TEXT = "#212529"
FONT_SIZE = 11
# A rough advance width of one character at FONT_SIZE, to decide truncation.
CHAR_WIDTH = 5.6
ELLIPSIS = "\u2026"
TICKS = 5


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[Number], *, unit: str = ""
) -> Markup:
    """One bar per label; negative values go below the zero line."""
    return grouped_bar_chart(title, labels, [("", values)], unit=unit)


def grouped_bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    unit: str = "",
) -> Markup:
    """For each label, one bar per series side by side (revenue against costs...)."""
    chart = _Chart(title, labels, series, unit)
    if chart.empty:
        return chart.render(chart.no_data())
    parts = [*chart.grid(), *chart.legend()]
    slot = chart.slot_width
    bars = len(chart.series)
    # Bars fill 80 % of their slot, so neighbouring groups stay apart.
    bar_width = slot * 0.8 / bars
    zero_y = chart.y(Decimal(0))
    show_values = bar_width >= 30
    for index, label in enumerate(chart.labels):
        for number, (name, values) in enumerate(chart.series):
            value = values[index] if index < len(values) else None
            if value is None:
                continue
            left = PLOT_LEFT + slot * index + slot * 0.1 + bar_width * number
            top = min(zero_y, chart.y(value))
            height = abs(chart.y(value) - zero_y)
            colour = PALETTE[number % len(PALETTE)]
            if bars == 1 and value < 0:
                colour = NEGATIVE
            tooltip = f"{label}: {_format(value, unit)}"
            if name:
                tooltip = f"{name}, {tooltip}"
            parts.append(
                f'<rect class="kpi-bar" x="{_n(left)}" y="{_n(top)}" width="{_n(bar_width)}" '
                f'height="{_n(height)}" fill="{colour}" data-value="{escape(str(value))}">'
                f"<title>{escape(tooltip)}</title></rect>"
            )
            if show_values:
                centre = left + bar_width / 2
                below = value < 0
                text_y = top + height + FONT_SIZE + 2 if below else top - 4
                parts.append(
                    _text(centre, text_y, _compact(value), anchor="middle", size=FONT_SIZE - 1)
                )
    parts.extend(chart.category_labels())
    parts.append(chart.zero_line())
    return chart.render("".join(parts))


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    unit: str = "",
) -> Markup:
    """One line per series over the labels (days), with a marker on each point."""
    chart = _Chart(title, labels, series, unit)
    if chart.empty:
        return chart.render(chart.no_data())
    parts = [*chart.grid(), *chart.legend()]
    slot = chart.slot_width
    for number, (name, values) in enumerate(chart.series):
        colour = PALETTE[number % len(PALETTE)]
        points = [
            (PLOT_LEFT + slot * (index + 0.5), chart.y(value), chart.labels[index], value)
            for index, value in enumerate(values[: len(chart.labels)])
            if value is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{_n(x)},{_n(y)}" for x, y, _label, _value in points)
            parts.append(
                f'<polyline class="kpi-line" points="{path}" fill="none" stroke="{colour}" '
                f'stroke-width="2"/>'
            )
        for x, y, label, value in points:
            tooltip = f"{label}: {_format(value, unit)}"
            if name:
                tooltip = f"{name}, {tooltip}"
            parts.append(
                f'<circle class="kpi-point" cx="{_n(x)}" cy="{_n(y)}" r="3" fill="{colour}" '
                f'data-value="{escape(str(value))}"><title>{escape(tooltip)}</title></circle>'
            )
    parts.extend(chart.category_labels())
    parts.append(chart.zero_line())
    return chart.render("".join(parts))


# --------------------------------------------------------------------------- the frame


@dataclass
class _Scale:
    low: Decimal
    high: Decimal
    step: Decimal


class _Chart:
    """What every chart shares: the frame, the value axis, labels, legend."""

    def __init__(
        self,
        title: str,
        labels: Sequence[str],
        series: Sequence[tuple[str, Sequence[Number]]],
        unit: str,
    ) -> None:
        self.title = str(title)
        self.labels = [str(label) for label in labels]
        self.series = [(str(name), [_decimal(v) for v in values]) for name, values in series]
        self.unit = unit
        numbers = [
            value
            for _name, values in self.series
            for value in values[: len(self.labels)]
            if value is not None
        ]
        self.empty = not self.labels or not numbers
        self.scale = _scale(numbers)
        self.slot_width = (PLOT_RIGHT - PLOT_LEFT) / max(len(self.labels), 1)
        digest = hashlib.sha1(
            repr((self.title, self.labels, self.series, unit)).encode(), usedforsecurity=False
        )
        self.id = f"kpi-chart-{digest.hexdigest()[:12]}"

    def y(self, value: Decimal) -> float:
        span = float(self.scale.high - self.scale.low)
        share = float(value - self.scale.low) / span
        return PLOT_BOTTOM - share * (PLOT_BOTTOM - PLOT_TOP)

    def render(self, body: str) -> Markup:
        title_id = f"{self.id}-title"
        heading = _text(WIDTH / 2, 20, self.title, anchor="middle", size=14, weight="bold")
        # Every piece of text in `body` went through escape() when it was built.
        return Markup(  # noqa: S704
            f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart img-fluid" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-labelledby="{title_id}" font-family="sans-serif" font-size="{FONT_SIZE}">'
            f'<title id="{title_id}">{escape(self.title)}</title>'
            f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>'
            f"{heading}{body}</svg>"
        )

    def no_data(self) -> str:
        return _text(WIDTH / 2, HEIGHT / 2, _("No data yet"), anchor="middle", size=13)

    def grid(self) -> list[str]:
        parts = []
        scale = self.scale
        tick = scale.low
        while tick <= scale.high:
            y = self.y(tick)
            parts.append(
                f'<line x1="{PLOT_LEFT}" y1="{_n(y)}" x2="{PLOT_RIGHT}" y2="{_n(y)}" '
                f'stroke="{GRID}" stroke-width="1"/>'
            )
            parts.append(_text(PLOT_LEFT - 6, y + 4, _compact(tick), anchor="end"))
            tick += scale.step
        if self.unit:
            parts.append(_text(PLOT_LEFT - 6, PLOT_TOP - 10, self.unit, anchor="end"))
        parts.append(
            f'<line x1="{PLOT_LEFT}" y1="{PLOT_TOP}" x2="{PLOT_LEFT}" y2="{PLOT_BOTTOM}" '
            f'stroke="{AXIS}" stroke-width="1"/>'
        )
        return parts

    def zero_line(self) -> str:
        y = self.y(Decimal(0))
        return (
            f'<line class="kpi-axis" x1="{PLOT_LEFT}" y1="{_n(y)}" x2="{PLOT_RIGHT}" '
            f'y2="{_n(y)}" stroke="{AXIS}" stroke-width="1.5"/>'
        )

    def legend(self) -> list[str]:
        named = [name for name, _values in self.series if name]
        if not named:
            return []
        parts = []
        # One row of swatches under the heading, each entry sized to its (truncated) name.
        x = float(PLOT_LEFT)
        space = (PLOT_RIGHT - PLOT_LEFT) / len(named)
        for number, name in enumerate(named):
            colour = PALETTE[number % len(PALETTE)]
            parts.append(f'<rect x="{_n(x)}" y="34" width="12" height="12" fill="{colour}"/>')
            parts.append(_text(x + 16, 44, _truncate(name, space - 24)))
            x += space
        return parts

    def category_labels(self) -> list[str]:
        slot = self.slot_width
        count = len(self.labels)
        # Thin slots: tilt the labels; very thin ones: print every n-th label (and the last).
        tilted = slot < 56
        every = max(1, math.ceil(FONT_SIZE * 1.8 / slot)) if tilted else 1
        room = 96.0 if tilted else slot - 4
        shown_at = [index for index in range(count) if index % every == 0]
        if shown_at[-1] != count - 1:
            if count - 1 - shown_at[-1] < every:
                shown_at.pop()  # too close to the last label, which matters more
            shown_at.append(count - 1)
        parts = []
        for index in shown_at:
            label = self.labels[index]
            x = PLOT_LEFT + slot * (index + 0.5)
            y = PLOT_BOTTOM + 14
            shown = _truncate(label, room)
            # A cut label keeps its full text as a tooltip.
            tooltip = f"<title>{escape(label)}</title>" if shown != label else ""
            rotate = f' transform="rotate(-40 {_n(x)} {_n(y)})"' if tilted else ""
            anchor = "end" if tilted else "middle"
            parts.append(
                f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{TEXT}"{rotate}>'
                f"{escape(shown)}{tooltip}</text>"
            )
        return parts


# --------------------------------------------------------------------------- helpers


def _decimal(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value)) if isinstance(value, int) else Decimal(str(value))


def _scale(numbers: list[Decimal]) -> _Scale:
    """A value axis from a round number at or below min(0, data) to one at or above max."""
    low = min([Decimal(0), *numbers])
    high = max([Decimal(0), *numbers])
    if low == high:  # nothing but zeros
        high = Decimal(1)
    raw = (high - low) / (TICKS - 1)
    magnitude = Decimal(1).scaleb(raw.adjusted())
    whole = all(number == number.to_integral_value() for number in numbers)
    # Counts get whole steps (no "2.5 people"); other figures may use 2.5 too.
    factors = (1, 2, 5, 10) if whole else (1, 2, Decimal("2.5"), 5, 10)
    step = magnitude * 10
    for factor in factors:
        if magnitude * factor >= raw:
            step = magnitude * factor
            break
    # Steps below one suit scores and tiny sums; below a cent is noise.
    step = max(step, Decimal(1) if whole else Decimal("0.01"))
    nice_low = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    nice_high = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    return _Scale(nice_low, nice_high, step)


def _compact(value: Decimal) -> str:
    """A short axis or bar label: 950, 12,300, 1.2M; the exact value is in the tooltip."""
    size = abs(value)
    if size >= 1_000_000:
        short = (value / 1_000_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return f"{_plain(short)}M"
    if size >= 100_000:
        short = (value / 1000).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
        return f"{_plain(short)}k"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return _plain(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _plain(value: Decimal) -> str:
    text = f"{value:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _format(value: Decimal, unit: str) -> str:
    text = f"{value:,f}" if value != value.to_integral_value() else f"{int(value):,}"
    return f"{text} {unit}" if unit else text


def _truncate(text: str, room: float) -> str:
    limit = max(3, int(room / CHAR_WIDTH))
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int = FONT_SIZE,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{TEXT}">{escape(content)}</text>'
    )


def _n(number: float) -> str:
    """A coordinate with at most one decimal place, without a trailing '.0'."""
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text
