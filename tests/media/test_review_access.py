"""Everything under /media-review is for media reviewers and organizers; media settings are
for organizers only; every form needs its token.

Like tests/core/test_access_control.py for /organizer, the crawl walks every
URL rule registered under /media-review, so a page added later is checked
without anyone remembering to add it here; a URL variable the crawl cannot fill
makes it fail loudly.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from telecom.core.audit import AuditEntry
from telecom.core.permissions import Role
from telecom.extensions import db
from telecom.media.models import (
    ApplicationStatus,
    MediaApplication,
    MediaReviewStep,
    MediaSettings,
)
from telecom.participants.models import Registration
from tests.core import path_for, rules_under, visible_text
from tests.helpers import csrf_token_from, html, log_in, make_edition, make_organizer, make_user
from tests.media.support_review import SETTINGS, SLUG, make_application, make_reviewer

FORM_EXPIRED = "Form expired"


@pytest.fixture
def url_values(app) -> dict[str, object]:
    """An existing object for every URL variable a review route can have."""
    edition = make_edition()
    application = make_application(edition, status=ApplicationStatus.IN_REVIEW)
    return {
        "slug": edition.slug,
        "application_id": application.id,
        "document_id": application.documents[0].id,
    }


def review_rules(app: Flask) -> list[Rule]:
    return rules_under(app, "/media-review")


def get_rules(app: Flask) -> list[Rule]:
    return rules_under(app, "/media-review", "GET")


def post_rules(app: Flask) -> list[Rule]:
    return rules_under(app, "/media-review", "POST")


def page_token(client) -> str:  # type: ignore[no-untyped-def]
    """A valid CSRF token for this client's session, from the public home page."""
    return csrf_token_from(client.get("/").get_data(as_text=True))


# Whatever a refused request might have tried to post, in every form's own names.
HIJACK = {
    "info-message": "Hijacked",
    "reject-reason": "other",
    "reject-note": "Hijacked",
    "revoke-reason": "Hijacked",
    "late-email": "reviewer@example.org",
    "applications_open_on": "2030-01-01",
    "applications_close_on": "2030-01-02",
    "max_documents": "9",
    "retention_days": "1",
    "contact_email": "hijacked@example.org",
}


def state_of_the_world() -> dict[str, object]:
    """What a refused request must not change."""
    db.session.rollback()
    return {
        "applications": db.session.execute(
            select(
                MediaApplication.id,
                MediaApplication.status,
                MediaApplication.reviewer_id,
                MediaApplication.late_allowed_by_id,
                MediaApplication.info_request,
            ).order_by(MediaApplication.id)
        ).all(),
        "steps": db.session.scalar(select(func.count()).select_from(MediaReviewStep)),
        "audit": db.session.scalar(select(func.count()).select_from(AuditEntry)),
        "registrations": db.session.scalar(select(func.count()).select_from(Registration)),
        "settings": db.session.execute(select(MediaSettings.contact_email)).all(),
    }


def test_the_crawl_covers_the_whole_review_area(app):
    endpoints = {rule.endpoint for rule in review_rules(app)}

    assert {
        "media_review.editions",
        "media_review.queue",
        "media_review.application",
        "media_review.document",
        "media_review.media_list",
        "media_review.take",
        "media_review.request_information",
        "media_review.approve",
        "media_review.reject",
        "media_review.revoke",
        "media_review.allow_late",
    } <= endpoints
    assert {rule.endpoint for rule in post_rules(app)} >= {
        "media_review.take", "media_review.approve", "media_review.allow_late",
    }  # fmt: skip


def test_anonymous_visitors_are_sent_to_log_in(app, client, url_values):
    failures = []
    for rule in get_rules(app):
        path = path_for(app, rule, url_values)
        response = client.get(path)
        location = urlsplit(response.headers.get("Location", ""))
        if response.status_code != 302 or location.path != "/account/login":
            failures.append(f"GET {path}: {response.status_code} {location.path}")
        elif parse_qs(location.query).get("next") != [path]:
            failures.append(f"GET {path}: login does not lead back ({location.query})")
    assert not failures, "\n".join(failures)


def test_anonymous_posts_are_sent_to_log_in_and_change_nothing(app, client, url_values):
    before = state_of_the_world()
    token = page_token(client)
    failures = []
    for rule in post_rules(app):
        path = path_for(app, rule, url_values)
        response = client.post(path, data={"csrf_token": token, **HIJACK})
        location = urlsplit(response.headers.get("Location", "")).path
        if response.status_code != 302 or location != "/account/login":
            failures.append(f"POST {path}: {response.status_code} {location}")
    assert not failures, "\n".join(failures)
    assert state_of_the_world() == before


@pytest.mark.parametrize(
    "roles",
    [None, {Role.PARTICIPANT}, {Role.CHECKIN_STAFF}, {Role.EXHIBITOR_CONTACT}],
    ids=["no-role", "participant", "checkin_staff", "exhibitor_contact"],
)
def test_other_roles_are_refused_every_review_page(app, client, url_values, roles):
    make_user("someone@example.org", roles=roles)
    log_in(client, "someone@example.org")
    before = state_of_the_world()
    token = page_token(client)
    failures = []
    for rule in get_rules(app):
        path = path_for(app, rule, url_values)
        response = client.get(path)
        if response.status_code != 403:
            failures.append(f"GET {path}: {response.status_code}")
        elif "Access denied" not in visible_text(response):
            failures.append(f"GET {path}: 403 without the friendly page")
        elif b"%PDF" in response.data:
            failures.append(f"GET {path}: the file leaked")
    for rule in post_rules(app):
        path = path_for(app, rule, url_values)
        response = client.post(path, data={"csrf_token": token, **HIJACK})
        if response.status_code != 403:
            failures.append(f"POST {path}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert state_of_the_world() == before


@pytest.mark.parametrize("who", ["reviewer", "organizer"])
def test_reviewers_and_organizers_open_every_review_page(app, client, url_values, who):
    if who == "reviewer":
        make_reviewer()
        log_in(client, "reviewer@example.org")
    else:
        make_organizer()
        log_in(client, "organizer@example.org")
    failures = []
    for rule in get_rules(app):
        path = path_for(app, rule, url_values)
        response = client.get(path)
        if response.status_code != 200:
            failures.append(f"GET {path}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_posts_without_a_token_are_refused_and_change_nothing(app, client, url_values):
    make_organizer()  # may use every form, allow-late included
    make_user("late@example.org")
    log_in(client, "organizer@example.org")
    before = state_of_the_world()
    failures = []
    for rule in [*post_rules(app), *(r for r in app.url_map.iter_rules()
                                    if r.endpoint == "media_admin.settings")]:  # fmt: skip
        path = path_for(app, rule, url_values)
        for token in (None, "forged-token"):
            data = {**HIJACK, "late-email": "late@example.org"}
            if token is not None:
                data["csrf_token"] = token
            response = client.post(path, data=data)
            if response.status_code != 400 or FORM_EXPIRED not in visible_text(response):
                failures.append(f"POST {path} (token {token}): {response.status_code}")
    assert not failures, "\n".join(failures)
    assert state_of_the_world() == before


def test_media_settings_are_for_organizers_only(client, url_values):
    make_reviewer()
    log_in(client, "reviewer@example.org")
    before = state_of_the_world()

    page = client.get(SETTINGS)
    saved = client.post(SETTINGS, data={"csrf_token": page_token(client), **HIJACK})

    assert page.status_code == 403
    assert saved.status_code == 403
    assert state_of_the_world() == before


def test_the_navigation_leads_reviewers_to_the_queue(client, url_values):
    make_reviewer()
    log_in(client, "reviewer@example.org")

    home = html(client.get("/"))
    index = client.get("/media-review/")

    assert 'href="/media-review/"' in home
    assert f'href="/media-review/editions/{SLUG}/applications"' in html(index)
    # A reviewer is not sent to organizer pages they cannot open.
    assert f'href="{SETTINGS}"' not in html(
        client.get(f"/media-review/editions/{SLUG}/applications")
    )


def test_participants_are_not_shown_the_review_link(client, url_values):
    make_user("participant@example.org")
    log_in(client, "participant@example.org")

    assert 'href="/media-review/"' not in html(client.get("/"))


def test_organizers_find_the_media_pages_from_the_edition(client, url_values):
    make_organizer()
    log_in(client, "organizer@example.org")

    page = html(client.get(f"/organizer/editions/{SLUG}"))

    assert f'href="/media-review/editions/{SLUG}/applications"' in page
    assert f'href="{SETTINGS}"' in page
    assert client.get(SETTINGS).status_code == 200
