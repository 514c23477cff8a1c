"""Organizers import past sites' daily figures (all or nothing) and read the traffic overview."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from telecom.core.audit import AuditEntry
from telecom.core.db import commit
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.traffic.cli import traffic_cli
from telecom.traffic.models import PageDay, TrafficDay, TrafficSource
from telecom.traffic.services import utc_today
from tests.core import visible_text
from tests.helpers import csrf_token_from, html, log_in, make_organizer, make_user

OVERVIEW = "/organizer/traffic/"
IMPORT = "/organizer/traffic/import"


@pytest.fixture
def organizer(app, client: FlaskClient):
    user = make_organizer()
    log_in(client, "organizer@example.org")
    return user


def upload(client: FlaskClient, content: bytes | str, *, replace: bool = False):
    token = csrf_token_from(html(client.get(OVERVIEW)))
    data = content.encode("utf-8") if isinstance(content, str) else content
    form = {"csrf_token": token, "file": (io.BytesIO(data), "traffic.csv")}
    if replace:
        form["replace"] = "y"
    response = client.post(IMPORT, data=form, content_type="multipart/form-data")
    return response


def stored_days() -> dict[date, tuple[int, int, TrafficSource]]:
    return {
        day: (views, visitors, source)
        for day, views, visitors, source in db.session.execute(
            select(
                TrafficDay.day, TrafficDay.page_views, TrafficDay.unique_visitors,
                TrafficDay.source,
            )
        )
    }  # fmt: skip


def test_an_organizer_imports_daily_figures(client, organizer):
    csv_text = (
        "\ufeffdate,page_views,unique_visitors\r\n"
        "2015-10-12,18450,6120\r\n"
        "2015-10-13,17210,5980\r\n"
        "\r\n"
        "2015-10-14,9000,3100\r\n"
    )

    response = upload(client, csv_text)

    assert response.status_code == 302
    assert stored_days() == {
        date(2015, 10, 12): (18450, 6120, TrafficSource.IMPORTED),
        date(2015, 10, 13): (17210, 5980, TrafficSource.IMPORTED),
        date(2015, 10, 14): (9000, 3100, TrafficSource.IMPORTED),
    }
    page = client.get(response.headers["Location"])
    text = visible_text(page)
    assert "3 days imported (2015-10-12 to 2015-10-14)" in text
    assert "44,660" in text  # page views over the imported window
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "traffic_days")
    ).all()
    assert [(e.action, e.actor_label, e.after["created"]) for e in entries] == [
        ("import", "organizer@example.org", 3)
    ]
    history = client.get("/organizer/audit/traffic_days/2015-10-12..2015-10-14")
    assert history.status_code == 200
    assert "2015-10-14" in visible_text(history)


def test_any_bad_line_imports_nothing_and_every_problem_is_listed_by_line(client, organizer):
    tomorrow = (utc_today() + timedelta(days=1)).isoformat()
    csv_text = (
        "date,page_views,unique_visitors\n"
        "2015-10-12,18450,6120\n"  # 2: fine
        "12/10/2015,100,10\n"  # 3: not ISO
        "2015-10-13,-5,0\n"  # 4: negative
        "2015-10-14,100,200\n"  # 5: more visitors than views
        "2015-10-12,1,1\n"  # 6: the same day twice
        f"{tomorrow},1,1\n"  # 7: not a past day
        "2015-10-15,1.5,1\n"  # 8: not a whole number
        "2015-10-16,10,1,extra\n"  # 9: a value too many
    )

    response = upload(client, csv_text)

    assert response.status_code == 400
    assert stored_days() == {}
    text = visible_text(response)
    assert "Nothing was imported: the file has 7 problems" in text
    for line in (3, 4, 5, 6, 7, 8, 9):
        assert f"Line {line}:" in text
    assert "Line 2:" not in text
    assert "“12/10/2015” is not a date" in text
    assert "2015-10-12 is already on line 2" in text
    assert "cannot be more than page_views" in text
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.object_type == "traffic_days")) == 0  # fmt: skip


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("2015-10-12,100,10\n", "The first line must name the columns"),
        ("date,page_views\n2015-10-12,100\n", "The first line has no column “unique_visitors”"),
        ("date,page_views,unique_visitors,country\n", "Unknown column “country”"),
        ("date,page_views,unique_visitors\n", "The file has a header line but no data lines."),
        ("", "The file is empty."),
        (b"PK\x03\x04 workbook", "This is a spreadsheet workbook, not a CSV file."),
        (
            b"date,page_views,unique_visitors\n\xe9t\xe9,1,1\n",
            "The file is not in UTF-8, so accented names",
        ),
    ],
    ids=["no-header", "missing-column", "unknown-column", "no-rows", "empty", "xlsx", "latin-1"],
)
def test_an_unreadable_file_gets_a_clear_message(client, organizer, content, message):
    response = upload(client, content)

    assert response.status_code == 400
    assert message in visible_text(response)
    assert stored_days() == {}


def test_a_day_already_recorded_is_refused_unless_replace_is_ticked(client, organizer):
    db.session.add(TrafficDay(day=date(2015, 10, 13), page_views=42, unique_visitors=7))
    commit()
    csv_text = "date,page_views,unique_visitors\n2015-10-12,100,50\n2015-10-13,300,90\n"

    refused = upload(client, csv_text)

    assert refused.status_code == 400
    assert "Line 3: 2015-10-13 already has figures (42 page views)" in visible_text(refused)
    assert stored_days() == {date(2015, 10, 13): (42, 7, TrafficSource.COUNTED)}

    replaced = upload(client, csv_text, replace=True)

    assert replaced.status_code == 302
    assert stored_days() == {
        date(2015, 10, 12): (100, 50, TrafficSource.IMPORTED),
        date(2015, 10, 13): (300, 90, TrafficSource.IMPORTED),
    }
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "traffic_days"))
    assert entry is not None
    assert entry.before == {"replaced": {"2015-10-13": [42, 7, "counted"]}}
    assert "1 of them replaced earlier figures" in visible_text(
        client.get(replaced.headers["Location"])
    )


def test_the_import_command_reads_a_file(app, tmp_path: Path):
    make_organizer()
    app.config["DEMO_ORGANIZER_EMAIL"] = "organizer@example.org"
    good = tmp_path / "good.csv"
    good.write_text("date,page_views,unique_visitors\n2013-11-19,12000,4000\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,page_views,unique_visitors\n2013-11-20,x,1\n", encoding="utf-8")
    runner = app.test_cli_runner()

    done = runner.invoke(traffic_cli, ["import", str(good)])
    again = runner.invoke(traffic_cli, ["import", str(good)])
    refused = runner.invoke(traffic_cli, ["import", str(bad)])
    replaced = runner.invoke(traffic_cli, ["import", "--replace", str(good)])

    assert done.exit_code == 0, done.output
    assert "Imported 1 new day(s) and replaced 0" in done.output
    assert again.exit_code == 1
    assert "line 2: 2013-11-19 already has figures" in again.output
    assert refused.exit_code == 1
    assert "line 2: page_views must be a whole number" in refused.output
    assert replaced.exit_code == 0
    assert stored_days() == {date(2013, 11, 19): (12000, 4000, TrafficSource.IMPORTED)}


def test_a_file_over_the_size_limit_is_refused(app, tmp_path: Path):
    # Through the command line: the page passes the same bytes to the same service.
    make_organizer()
    app.config["DEMO_ORGANIZER_EMAIL"] = "organizer@example.org"
    big = tmp_path / "big.csv"
    big.write_text("date,page_views,unique_visitors\n" + "2015-10-12,1,1\n" * 40_000)

    result = app.test_cli_runner().invoke(traffic_cli, ["import", str(big)])

    assert result.exit_code == 1
    assert "The file is larger than 512 KB: split it." in result.output
    assert stored_days() == {}


def test_the_overview_shows_a_window_its_totals_and_top_pages(client, organizer):
    for offset, views in enumerate((100, 200, 300)):
        db.session.add(
            TrafficDay(day=date(2015, 10, 12) + timedelta(days=offset), page_views=views,
                       unique_visitors=views // 10)
        )  # fmt: skip
    db.session.add(TrafficDay(day=date(2015, 11, 1), page_views=5000, unique_visitors=900))
    db.session.add_all([
        PageDay(day=date(2015, 10, 12), path="/editions/telecom-world-2015", page_views=70,
                unique_visitors=20),
        PageDay(day=date(2015, 10, 13), path="/editions/telecom-world-2015", page_views=60,
                unique_visitors=25),
        PageDay(day=date(2015, 10, 13), path="/", page_views=90, unique_visitors=30),
        PageDay(day=date(2015, 11, 1), path="/elsewhere", page_views=999, unique_visitors=9),
    ])  # fmt: skip
    commit()

    page = client.get(f"{OVERVIEW}?from=2015-10-12&to=2015-10-31")

    assert page.status_code == 200
    text = visible_text(page)
    assert "Page views 600" in text
    assert "Daily unique visitors, summed 60" in text
    assert "3 of 20" in text
    top = html(page).split('id="top-pages"', 1)[1]
    assert top.index("/editions/telecom-world-2015") < top.index("<code>/</code>")
    assert "130" in top and "/elsewhere" not in top


def test_the_daily_table_is_paginated(client, organizer):
    start = date(2015, 1, 1)
    db.session.add_all(
        TrafficDay(day=start + timedelta(days=n), page_views=n, unique_visitors=0)
        for n in range(40)
    )
    commit()

    first = client.get(f"{OVERVIEW}?from=2015-01-01&to=2015-03-31")
    second = client.get(f"{OVERVIEW}?from=2015-01-01&to=2015-03-31&page=2")

    def table(page) -> str:
        return html(page).split('id="days"', 1)[1].split("</table>", 1)[0]

    # Latest first, 31 a page.
    assert "2015-02-09" in table(first) and "2015-01-10" in table(first)
    assert "2015-01-09" not in table(first)
    assert "Page 1 of 2" in visible_text(first)
    assert "2015-01-09" in table(second) and "2015-01-01" in table(second)


def test_a_bad_window_falls_back_to_the_last_30_days_with_a_message(client, organizer):
    response = client.get(f"{OVERVIEW}?from=2015-10-31&to=2015-10-01")

    assert response.status_code == 400
    assert "The first day must not be after the last day." in visible_text(response)
    assert f'value="{utc_today().isoformat()}"' in html(response)


def test_traffic_pages_are_for_organizers_only(app, client):
    make_user("visitor@example.org", roles={Role.PARTICIPANT})
    anonymous = client.get(OVERVIEW)
    assert anonymous.status_code == 302
    assert "/account/login" in anonymous.headers["Location"]

    log_in(client, "visitor@example.org")
    token = csrf_token_from(html(client.get("/")))
    posted = client.post(
        IMPORT,
        data={"csrf_token": token, "file": (io.BytesIO(b"date,page_views,unique_visitors\n"
                                                       b"2015-10-12,1,1\n"), "t.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip

    assert client.get(OVERVIEW).status_code == 403
    assert posted.status_code == 403
    assert stored_days() == {}


def test_the_service_checks_the_role_itself(app):
    from telecom.core.errors import Forbidden
    from telecom.traffic.services import import_traffic

    participant = make_user("visitor@example.org", roles={Role.PARTICIPANT})

    with pytest.raises(Forbidden):
        import_traffic(b"date,page_views,unique_visitors\n2015-10-12,1,1\n", replace=False,
                       actor=participant)  # fmt: skip
    assert stored_days() == {}
