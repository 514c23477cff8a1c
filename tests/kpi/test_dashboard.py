"""The organizer's KPI dashboard and comparison pages, read as an organizer reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from telecom.core.permissions import Role
from telecom.events.models import Edition
from telecom.exhibitors.models import (
    BookingState,
    Booth,
    BoothBooking,
    BoothType,
    Hall,
    Organisation,
    Sector,
    TurnoverBand,
)
from telecom.extensions import db
from telecom.participants.models import CheckIn, CheckInPoint, RegistrationCategory
from tests.helpers import html, log_in, make_edition, make_organizer, make_user
from tests.kpi.support import Builder, build_edition

CURRENT = "kpi-world-2015"
PREVIOUS = "kpi-world-2013"
DASHBOARD = f"/organizer/editions/{CURRENT}/kpis/"
BANGKOK = ZoneInfo("Asia/Bangkok")
OPENING_2013 = date(2013, 11, 19)


# --------------------------------------------------------------------------- reading pages

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and all(
                    attrs_match(name.rstrip("_"), child.attrs.get(name.rstrip("_")), value)
                    for name, value in attrs.items()
                ):
                    found.append(child)
                found.extend(child.all(tag, **attrs))
        return found

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        found = self.all(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}> found"
        return found[0]

    def by_id(self, element_id: str) -> Node:
        return self.one(id=element_id)

    def rows(self) -> list[list[str]]:
        """The text of each body row's cells (header cell included)."""
        return [
            [cell.text for cell in row.children if isinstance(cell, Node)]
            for body in ([self] if self.tag == "tbody" else self.all("tbody"))
            for row in body.all("tr")
        ]


def attrs_match(name: str, actual: str | None, wanted: str) -> bool:
    if actual is None:
        return False
    return wanted in actual.split() if name == "class" else actual == wanted


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def page(response) -> Node:  # type: ignore[no-untyped-def]
    assert response.status_code in {200, 400}, response.status_code
    builder = _TreeBuilder()
    builder.feed(html(response))
    return builder.root


def card(document: Node, group: str) -> tuple[str, str]:
    """(value, change) shown on a KPI's card."""
    element = document.by_id(f"kpi-{group}")
    return element.one(class_="kpi-value").text, element.one(class_="kpi-change").text


def change_of(document: Node, group: str) -> str:
    # The badge starts with a visually hidden "Change against ...:" for screen readers.
    text = card(document, group)[1]
    return text.split(":", 1)[1].strip() if ":" in text else text


def chart_values(document: Node, chart_id: str) -> list[str]:
    figure = document.by_id(f"chart-{chart_id}")
    svg = figure.one("svg")
    assert svg.attrs["role"] == "img"
    title_id = svg.attrs["aria-labelledby"]
    assert svg.by_id(title_id).text == figure.one("caption").text
    marks = svg.all("rect", class_="kpi-bar") or svg.all("circle", class_="kpi-point")
    return [mark.attrs["data-value"] for mark in marks]


# --------------------------------------------------------------------------- data


def build_previous_edition(slug: str = PREVIOUS) -> Edition:
    """TELECOM World 2013 in miniature: two exhibitors, four trade visitors (one on day 2)."""
    edition = make_edition(
        slug,
        name="Mini World 2013",
        city="Bangkok",
        country="TH",
        venue="IMPACT",
        start_date=OPENING_2013,
        end_date=date(2013, 11, 22),
        timezone="Asia/Bangkok",
    )
    builder = Builder(edition)
    hall = builder.add(
        Hall(edition_id=edition.id, code="C1", name="Challenger 1", width=Decimal(50),
             depth=Decimal(40))
    )  # fmt: skip
    made = datetime(2013, 9, 1, tzinfo=UTC)
    for number, band in enumerate((TurnoverBand.UNDER_10M, TurnoverBand.OVER_10B), start=1):
        organisation = builder.add(
            Organisation(edition_id=edition.id, legal_name=f"Old {number}",
                         display_name=f"Old {number}", country="TH", sector=Sector.OTHER,
                         turnover_band=band, created_at=made)
        )  # fmt: skip
        booth = builder.add(
            Booth(edition_id=edition.id, hall_id=hall.id, code=f"C1-{number}", x=Decimal(0),
                  y=Decimal(0), width=Decimal(10), depth=Decimal(10),
                  booth_type=BoothType.SPACE_ONLY)
        )  # fmt: skip
        builder.add(
            BoothBooking(edition_id=edition.id, booth_id=booth.id,
                         organisation_id=organisation.id, state=BookingState.CONFIRMED,
                         price=Decimal("1000.00"), currency="CHF", created_at=made,
                         confirmed_at=made)
        )  # fmt: skip
    for key, day in (("ann", 19), ("bo", 19), ("cy", 19), ("dee", 20)):
        builder.person(key, "TH")
        registration = builder.register(key, RegistrationCategory.VISITOR, created=made)
        # Builder.check_in scans in Budapest time; these are Bangkok days.
        builder.add(
            CheckIn(edition_id=edition.id, person_id=registration.person_id,
                    registration_id=registration.id, category=RegistrationCategory.VISITOR,
                    day=date(2013, 11, day), point=CheckInPoint.GATE, point_ref="",
                    scanned_at=datetime.combine(date(2013, 11, day), time(10), BANGKOK))
        )  # fmt: skip
    db.session.commit()
    return edition


@pytest.fixture
def organizer(client: FlaskClient) -> FlaskClient:
    make_organizer()
    log_in(client, "organizer@example.org")
    return client


# --------------------------------------------------------------------------- dashboard


def test_every_headline_shows_with_its_change_against_the_previous_edition(
    app: Flask, organizer: FlaskClient
) -> None:
    build_edition()
    build_previous_edition()
    # Neither an older edition nor a later one is "the previous edition".
    make_edition("kpi-world-2011", name="World 2011", start_date=date(2011, 10, 24),
                 end_date=date(2011, 10, 27))  # fmt: skip
    make_edition("kpi-world-2017", name="World 2017", start_date=date(2017, 9, 25),
                 end_date=date(2017, 9, 28))  # fmt: skip

    document = page(organizer.get(DASHBOARD))

    assert "Changes are against Mini World 2013" in document.by_id("as-of-line").text
    assert card(document, "candidate-venues")[0] == "3"
    assert change_of(document, "candidate-venues") == "new"  # none recorded in 2013
    assert card(document, "exhibitors")[0] == "4"
    assert change_of(document, "exhibitors") == "+100.0 %"  # 2 -> 4
    assert card(document, "exhibition-size")[0] == "35 m²"
    assert change_of(document, "exhibition-size") == "-82.5 %"  # 200 -> 35
    assert card(document, "trade-visitors")[0] == "3"
    assert change_of(document, "trade-visitors") == "-25.0 %"  # 4 -> 3
    assert card(document, "vips")[0] == "1"
    assert card(document, "forum")[0] == "2"
    assert card(document, "accredited-media")[0] == "2"
    assert card(document, "total-participants")[0] == "6"
    assert change_of(document, "total-participants") == "+50.0 %"  # 4 -> 6
    assert card(document, "web-traffic")[0] == "600"
    # 2013 recorded no traffic, costs or participant survey: no change to speak of.
    assert change_of(document, "web-traffic") == "—"
    assert card(document, "financial-result")[0] == "CHF1,150.00"
    assert change_of(document, "financial-result") == "—"
    assert card(document, "participant-satisfaction")[0] == "3.67 / 5"
    assert change_of(document, "participant-satisfaction") == "—"
    # The definition of each KPI is on its card.
    assert "Net square metres" in document.by_id("kpi-exhibition-size").text

    # Details under the cards: the band breakdown and the satisfaction figures.
    exhibitors = document.by_id("kpi-exhibitors")
    assert exhibitors.by_id("detail-exhibitors-satisfaction-nps").text == "+0.0"
    assert exhibitors.by_id("detail-exhibitors-satisfaction-mean-score").text == "4.00 / 5"
    by_band = exhibitors.by_id("breakdown-exhibitors-by-turnover-band")
    assert by_band.rows()[0] == ["Under USD 10 M", "2"]
    money = document.by_id("kpi-financial-result")
    assert ["Booths", "CHF1,000.00"] in money.by_id(
        "breakdown-financial-result-revenue-by-stream"
    ).rows()
    assert ["Venue", "CHF500.00"] in money.by_id(
        "breakdown-financial-result-costs-by-category"
    ).rows()
    assert not document.all(class_="kpi-not-recorded")


def test_without_an_earlier_edition_there_is_no_change(app: Flask, organizer: FlaskClient) -> None:
    build_edition()

    document = page(organizer.get(DASHBOARD))

    assert "There is no earlier edition" in document.by_id("as-of-line").text
    assert {change_of(document, group) for group in ("exhibitors", "vips", "web-traffic")} == {"—"}


def test_as_of_shows_both_editions_at_the_same_point_of_their_cycle(
    app: Flask, organizer: FlaskClient
) -> None:
    build_edition()
    build_previous_edition()

    document = page(organizer.get(DASHBOARD + "?as_of=2015-10-12"))

    line = document.by_id("as-of-line").text
    assert "October 12, 2015" in line
    assert "Mini World 2013 as at the end of November 19, 2013" in line
    assert document.by_id("as-of").attrs["value"] == "2015-10-12"
    assert card(document, "exhibitors")[0] == "3"  # Late Giant confirmed on day 2
    # 2 visitors by the end of the first day, against 3 by the end of 2013's first day.
    assert card(document, "trade-visitors")[0] == "2"
    assert change_of(document, "trade-visitors") == "-33.3 %"
    assert chart_values(document, "checkins-per-day") == ["3"]  # Vera, Sam and Max (media)
    # The exports take the same date.
    links = {a.text: a.attrs["href"] for a in document.by_id("exports").all("a")}
    assert set(links) == {"CSV", "XLSX", "JSON", "PDF"}
    assert parse_qs(urlsplit(links["PDF"]).query) == {"as_of": ["2015-10-12"]}
    assert urlsplit(links["XLSX"]).path == f"/organizer/editions/{CURRENT}/kpis/export.xlsx"


@pytest.mark.parametrize(
    "bad", ["2015-13-45", "yesterday", "12/10/2015", "2015-02-30", "9999-12-31", "0001-01-01"]
)
def test_a_bad_as_of_date_says_so_and_shows_the_figures_as_of_now(
    app: Flask, organizer: FlaskClient, bad: str
) -> None:
    build_edition()

    response = organizer.get(DASHBOARD, query_string={"as_of": bad})

    assert response.status_code == 200
    document = page(response)
    assert "as_of must be" in document.text
    assert "Figures as of now." in document.by_id("as-of-line").text
    assert card(document, "exhibitors")[0] == "4"
    assert document.by_id("as-of").attrs["value"] == ""


def test_inputs_never_recorded_are_badged_rather_than_shown_as_plain_zeros(
    app: Flask, organizer: FlaskClient
) -> None:
    make_edition(CURRENT, name="Quiet World")

    document = page(organizer.get(DASHBOARD))

    def badges(group: str) -> list[str]:
        return [b.text for b in document.by_id(f"kpi-{group}").all(class_="kpi-not-recorded")]

    assert badges("exhibitors") == ["Exhibitor satisfaction not recorded yet"]
    assert badges("participant-satisfaction") == ["Not recorded yet"]
    assert badges("web-traffic") == ["Not recorded yet"]
    assert card(document, "web-traffic")[0] == "—"
    assert card(document, "trade-visitors")[0] == "0"  # nobody came: that is a fact
    assert badges("financial-result") == ["Costs not recorded yet"]
    assert badges("trade-visitors") == []
    # An empty edition still draws every chart, each saying there is nothing yet.
    assert chart_values(document, "registrations-per-day") == []
    assert "No data yet" in document.by_id("chart-checkins-per-day").text
    assert document.by_id("table-checkins-per-day").rows() == [["No data yet."]]


def test_each_chart_is_followed_by_a_table_of_the_same_numbers(
    app: Flask, organizer: FlaskClient
) -> None:
    build_edition()

    document = page(organizer.get(DASHBOARD))

    def table(chart_id: str) -> list[list[str]]:
        return document.by_id(f"table-{chart_id}").rows()

    assert chart_values(document, "exhibitors-by-band") == ["2", "1", "0", "0", "1"]
    assert table("exhibitors-by-band") == [
        ["Under USD 10 M", "2"],
        ["USD 10–100 M", "1"],
        ["USD 100 M–1 B", "0"],
        ["USD 1–10 B", "0"],
        ["Over USD 10 B", "1"],
    ]
    assert chart_values(document, "net-sqm-by-hall") == ["29.00", "6.00", "0.00"]
    assert table("net-sqm-by-hall") == [
        ["H1 – Hall 1", "29 m²"],
        ["H2 – Hall 2", "6 m²"],
        ["H3 – Hall 3", "0 m²"],
    ]
    assert chart_values(document, "checkins-per-day") == ["3", "3"]
    assert table("checkins-per-day") == [["Oct 12, 2015", "3"], ["Oct 13, 2015", "3"]]
    # The line runs over every day from the first registration to the last; the
    # table lists the days that had registrations.
    points = chart_values(document, "registrations-per-day")
    assert len(points) == (date(2015, 10, 13) - date(2015, 9, 1)).days + 1
    assert (points[0], points[-1], set(points[1:-1])) == ("10", "1", {"0"})
    assert table("registrations-per-day") == [["Sep 1, 2015", "10"], ["Oct 13, 2015", "1"]]
    assert chart_values(document, "revenue-costs") == ["1850.00", "700.00", "1150.00"]
    money = table("revenue-costs")
    assert money[0] == ["Revenue", "CHF1,850.00"]
    assert ["Revenue: Passes", "CHF150.00"] in money
    assert ["Costs", "CHF700.00"] in money
    assert ["Costs: Marketing", "CHF120.50"] in money
    assert money[-1] == ["Result", "CHF1,150.00"]


# --------------------------------------------------------------------------- compare


def test_the_comparison_puts_the_earlier_edition_left_whichever_page_it_starts_from(
    app: Flask, organizer: FlaskClient
) -> None:
    build_edition()
    build_previous_edition()

    # The dashboard's compare form offers the other editions, the previous one chosen.
    form = page(organizer.get(DASHBOARD)).by_id("compare-form")
    assert urlsplit(form.attrs["action"]).path == f"/organizer/editions/{CURRENT}/kpis/compare"
    chosen = form.one("option", selected="")
    assert chosen.attrs["value"] == PREVIOUS

    for start, other in ((CURRENT, PREVIOUS), (PREVIOUS, CURRENT)):
        response = organizer.get(f"/organizer/editions/{start}/kpis/compare?with={other}")
        assert response.status_code == 200
        document = page(response)
        assert document.by_id("earlier-name").text == "Mini World 2013"
        assert document.by_id("later-name").text == "ITU TELECOM World 2015"
        exhibitors = document.by_id("compare-exhibitors").rows()
        assert exhibitors[0] == ["Exhibitors"]  # the KPI's heading row
        assert ["Exhibitors", "2", "4", "+100.0 %"] in exhibitors
        assert ["By annual turnover — Over USD 10 B", "1", "1", "+0.0 %"] in exhibitors
        assert ["Satisfaction: Survey answers", "not recorded", "3", "—"] in exhibitors
        size = document.by_id("compare-exhibition-size").rows()
        assert ["Net area", "200 m²", "35 m²", "-82.5 %"] in size
        web = document.by_id("compare-web-traffic").rows()
        assert ["Page views", "not recorded", "600", "—"] in web
        money = document.by_id("compare-financial-result").rows()
        assert ["Revenue", "CHF0.00", "CHF1,850.00", "new"] in money
        assert ["Costs", "not recorded", "CHF700.00", "—"] in money
        links = {a.text: a.attrs["href"] for a in document.by_id("exports").all("a")}
        assert parse_qs(urlsplit(links["XLSX"]).query) == {"compare": [other]}
        assert urlsplit(links["PDF"]).path == f"/organizer/editions/{start}/kpis/export.pdf"


def test_the_comparison_charts_never_mix_units_on_one_axis(
    app: Flask, organizer: FlaskClient
) -> None:
    build_edition()
    build_previous_edition()

    document = page(organizer.get(f"/organizer/editions/{CURRENT}/kpis/compare?with={PREVIOUS}"))

    size = document.by_id("chart-compare-size")
    assert chart_values(document, "compare-size") == ["200.00", "35.00", "2000.00", "300.00"]
    assert "m²" in size.one("svg").text
    assert document.by_id("table-compare-size").rows() == [
        ["Net area", "200 m²", "35 m²"],
        ["Gross area", "2,000 m²", "300 m²"],
    ]
    participants = document.by_id("table-compare-participants").rows()
    assert ["Trade visitors", "4", "3"] in participants
    assert all("m²" not in cell for row in participants for cell in row)
    assert chart_values(document, "compare-participants")[:2] == ["4", "3"]
    # 2013's zero traffic is a missing input, and the chart says so.
    assert "Not recorded for Mini World 2013" in document.by_id("chart-compare-web").text


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 200, "Choose the edition to compare with."),
        ("?with=", 200, "Choose the edition to compare with."),
        ("?with=no-such-world", 400, "There is no edition no-such-world."),
        (f"?with={CURRENT}", 400, "an edition compared with itself"),
    ],
)
def test_a_missing_unknown_or_same_edition_to_compare_is_explained(
    app: Flask, organizer: FlaskClient, query: str, status: int, message: str
) -> None:
    build_edition()
    build_previous_edition()

    response = organizer.get(f"/organizer/editions/{CURRENT}/kpis/compare{query}")

    assert response.status_code == status
    document = page(response)
    assert message in document.text
    assert not document.all(id="comparison")
    # The form is there to choose again.
    options = [o.attrs["value"] for o in document.by_id("compare-form").all("option")]
    assert options == [PREVIOUS]


def test_an_unknown_edition_is_not_found(app: Flask, organizer: FlaskClient) -> None:
    assert organizer.get("/organizer/editions/nowhere/kpis/").status_code == 404
    assert organizer.get("/organizer/editions/nowhere/kpis/compare?with=x").status_code == 404


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize("path", ["/", "/compare?with=" + PREVIOUS])
def test_only_organizers_see_the_kpis(app: Flask, client: FlaskClient, path: str) -> None:
    build_edition()
    build_previous_edition()
    url = f"/organizer/editions/{CURRENT}/kpis{path}"

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert urlsplit(anonymous.headers["Location"]).path == "/account/login"

    make_user("staff@example.org", roles={Role.CHECKIN_STAFF})
    log_in(client, "staff@example.org")
    refused = client.get(url)
    assert refused.status_code == 403
    assert "CHF" not in html(refused)
