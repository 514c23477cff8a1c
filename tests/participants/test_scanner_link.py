"""Check-in staff find the scanner from the edition's page; nobody else is shown it."""

from __future__ import annotations

from tests.helpers import html, log_in, make_edition, make_user
from tests.participants.checkin_support import make_staff

SCANNER = "/checkin/editions/telecom-world-2015/"


def test_check_in_staff_see_the_scanner_link_on_the_edition_page(client):
    make_edition()
    make_staff()
    log_in(client, "gate@example.org")

    page = html(client.get("/editions/telecom-world-2015"))

    assert f'href="{SCANNER}"' in page
    assert client.get(SCANNER).status_code == 200


def test_participants_and_visitors_are_not_shown_the_scanner(client):
    make_edition()
    assert f'href="{SCANNER}"' not in html(client.get("/editions/telecom-world-2015"))
    make_user("vera@example.org")
    log_in(client, "vera@example.org")
    assert f'href="{SCANNER}"' not in html(client.get("/editions/telecom-world-2015"))
    assert client.get(SCANNER).status_code == 403
