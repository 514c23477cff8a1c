"""The KPI charts: well-formed, accessible SVG whose shapes say what the numbers say."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from telecom.kpi.charts import bar_chart, grouped_bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 -- our own markup, not untrusted input


def bars(svg: ET.Element) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "kpi-bar"]


def axis_y(svg: ET.Element) -> float:
    (axis,) = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "kpi-axis"]
    return float(axis.get("y1", "nan"))


def texts(svg: ET.Element) -> list[str]:
    return [text.text or "" for text in svg.iter(f"{SVG}text")]


def test_a_bar_chart_has_one_bar_per_label_and_lengths_in_proportion() -> None:
    svg = parse(bar_chart("Exhibitors", ["Small", "Medium", "Large"], [10, 20, 5]))

    drawn = bars(svg)
    assert [bar.get("data-value") for bar in drawn] == ["10", "20", "5"]
    heights = [float(bar.get("height", "0")) for bar in drawn]
    assert heights[1] == max(heights)
    assert abs(heights[0] / heights[1] - 0.5) < 0.01
    assert abs(heights[2] / heights[1] - 0.25) < 0.01
    # Every bar stands on the zero line.
    zero = axis_y(svg)
    for bar in drawn:
        assert abs(float(bar.get("y", "0")) + float(bar.get("height", "0")) - zero) < 0.11
    assert {"Small", "Medium", "Large"} <= set(texts(svg))


def test_the_chart_is_an_accessible_image_labelled_by_its_escaped_title() -> None:
    markup = bar_chart('Revenue <script>alert("x")</script> & costs', ["A & B"], [1])

    assert "<script>" not in markup
    svg = parse(markup)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title is not None
    assert title.text == 'Revenue <script>alert("x")</script> & costs'
    assert svg.get("aria-labelledby") == title.get("id")
    assert svg.get("viewBox") == "0 0 640 320"
    assert "A & B" in texts(svg)
    # The strict CSP forbids style attributes; SVG presentation attributes are fine.
    assert all(element.get("style") is None for element in svg.iter())
    assert not list(svg.iter(f"{SVG}script"))
    # Each bar tells its exact value to a pointer or a screen reader.
    (bar,) = bars(svg)
    bar_title = bar.find(f"{SVG}title")
    assert bar_title is not None and bar_title.text == "A & B: 1"


def test_a_negative_bar_hangs_below_the_axis() -> None:
    svg = parse(
        bar_chart(
            "Result",
            ["Revenue", "Costs", "Result"],
            [Decimal("1000.00"), Decimal("1500.50"), Decimal("-500.50")],
            unit="CHF",
        )
    )

    revenue, costs, result = bars(svg)
    zero = axis_y(svg)
    assert float(revenue.get("y", "0")) < zero
    assert float(result.get("y", "0")) >= zero - 0.11
    assert float(result.get("height", "0")) > 0
    assert abs(float(result.get("height", "0")) / float(costs.get("height", "0")) - 1 / 3) < 0.01
    # The scale reaches below zero and the unit is printed.
    assert any(text.startswith("-") for text in texts(svg))
    assert "CHF" in texts(svg)
    tooltip = result.find(f"{SVG}title")
    assert tooltip is not None and tooltip.text == "Result: -500.50 CHF"


def test_empty_data_and_zeros_draw_without_dividing_by_zero() -> None:
    empty = parse(bar_chart("Nothing", [], []))
    assert bars(empty) == []
    assert "No data yet" in texts(empty)

    zeros = parse(bar_chart("Zeros", ["a", "b"], [0, 0]))
    assert [float(bar.get("height", "1")) for bar in bars(zeros)] == [0.0, 0.0]

    no_lines = parse(line_chart("No days", [], [("Registrations", [])]))
    assert "No data yet" in texts(no_lines)


def test_long_labels_are_cut_with_an_ellipsis_and_kept_whole_in_a_tooltip() -> None:
    label = "National pavilion of a country with a remarkably long official name"
    svg = parse(bar_chart("Pavilions", [label, "Short"], [3, 4]))

    shown = texts(svg)
    cut = [text for text in shown if text.endswith("\u2026")]
    assert len(cut) == 1 and len(cut[0]) < len(label)
    assert label.startswith(cut[0][:-1])
    assert "Short" in shown
    first_bar = bars(svg)[0].find(f"{SVG}title")
    assert first_bar is not None and first_bar.text == f"{label}: 3"


def test_a_grouped_chart_draws_one_bar_per_series_and_label_with_a_legend() -> None:
    svg = parse(
        grouped_bar_chart(
            "Visitors",
            ["Trade visitors", "VIPs", "Media"],
            [("2013", [900, 40, 120]), ("2015", [1200, 55, 150])],
        )
    )

    drawn = bars(svg)
    assert len(drawn) == 6
    # Bars of one series share a colour; the two series differ.
    colours_2013 = {bar.get("fill") for bar in drawn[0::2]}
    colours_2015 = {bar.get("fill") for bar in drawn[1::2]}
    assert len(colours_2013) == len(colours_2015) == 1 and colours_2013 != colours_2015
    assert {"2013", "2015"} <= set(texts(svg))
    titles = [bar.find(f"{SVG}title").text for bar in drawn]  # type: ignore[union-attr]
    assert titles[:2] == ["2013, Trade visitors: 900", "2015, Trade visitors: 1,200"]
    # Within a group, the 2015 bar is right of the 2013 one.
    assert float(drawn[1].get("x", "0")) > float(drawn[0].get("x", "0"))


def test_a_line_chart_has_a_point_per_value_and_many_days_still_fit() -> None:
    days = [f"{day} Oct" for day in range(1, 61)]
    values = list(range(60))
    svg = parse(line_chart("Registrations per day", days, [("Registrations", values)]))

    points = [c for c in svg.iter(f"{SVG}circle") if c.get("class") == "kpi-point"]
    assert len(points) == 60
    (line,) = [p for p in svg.iter(f"{SVG}polyline") if p.get("class") == "kpi-line"]
    assert len(line.get("points", "").split()) == 60
    # Rising values climb (smaller y) from left to right.
    ys = [float(point.get("cy", "0")) for point in points]
    assert ys == sorted(ys, reverse=True)
    # Sixty labels cannot all be printed legibly: only some are, the last one included.
    day_labels = [text for text in texts(svg) if text.endswith("Oct")]
    assert 5 <= len(day_labels) < 60
    assert "60 Oct" in day_labels
    # The whole drawing stays inside the viewBox.
    assert all(0 <= float(point.get("cx", "-1")) <= 640 for point in points)
