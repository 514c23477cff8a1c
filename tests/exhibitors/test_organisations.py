"""An exhibitor contact registers and manages an organisation; organizers correct it."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from telecom.auth.models import User
from telecom.core.errors import Forbidden
from telecom.core.permissions import Role
from telecom.exhibitors.models import Organisation, OrganisationMember, RateCategory
from telecom.exhibitors.services import organisations as services
from telecom.extensions import db
from tests.core import action_token, fill_and_submit, form_values, visible_text
from tests.exhibitors.organisations_support import (
    REGISTRATION,
    SLUG,
    SVG,
    audit_actions,
    client_for,
    organisation_data,
    outbox_to,
    png_bytes,
    register,
    register_pavilion,
    reload,
    stored_logos,
    use_upload_folder,
)
from tests.helpers import make_edition, make_organizer, make_user

REGISTER_URL = f"/editions/{SLUG}/exhibitors/register"


@pytest.fixture
def uploads(app, tmp_path):
    return use_upload_folder(app, tmp_path)


@pytest.fixture
def edition(app):
    return make_edition()


@pytest.fixture
def ada(app):
    return make_user("ada@telekom.example", full_name="Ada Contact")


@pytest.fixture
def ada_client(app, ada):
    return client_for(app, ada.email)


def organisations_named(legal_name: str) -> list[Organisation]:
    db.session.rollback()
    return list(
        db.session.scalars(select(Organisation).where(Organisation.legal_name == legal_name))
    )


def post_with_logo(client, url: str, typed: dict, logo: bytes, filename: str, mimetype: str):
    """What a browser sends when the user picked a file: the form as shown, plus the file."""
    values = form_values(client.get(url))
    values.update(typed)
    values["logo"] = (io.BytesIO(logo), filename, mimetype)
    response = client.post(url, data=values, content_type="multipart/form-data")
    # Werkzeug's test client spools a large body to a temporary file and closes it
    # only after a followed redirect: close it here (pytest turns the leak into an error).
    response.request.input_stream.close()
    return response


# --------------------------------------------------------------------------- registration


def test_an_exhibitor_contact_registers_an_organisation(app, edition, ada, ada_client, uploads):
    response = post_with_logo(
        ada_client, REGISTER_URL, REGISTRATION, png_bytes(), "logo.png", "image/png"
    )

    assert response.status_code == 302
    [organisation] = organisations_named("Magyar Telekom Nyrt.")
    assert urlsplit(response.headers["Location"]).path == (
        f"/editions/{SLUG}/exhibitors/{organisation.id}/manage"
    )
    assert organisation.display_name == "Magyar Telekom"
    assert organisation.country == "HU"
    assert organisation.sector.value == "operator"
    assert organisation.turnover_band.value == "1b_10b"
    assert organisation.website == "https://www.telekom.hu"
    assert organisation.billing_address.replace("\r\n", "\n") == REGISTRATION["billing_address"]
    assert organisation.rate_category == RateCategory.STANDARD
    assert organisation.pavilion_kind is None
    assert organisation.logo_content_type == "image/png"
    assert stored_logos(uploads) == [organisation.logo_file]
    # The creator manages it and is now an exhibitor contact.
    members = db.session.scalars(
        select(OrganisationMember.user_id).where(
            OrganisationMember.organisation_id == organisation.id
        )
    ).all()
    assert members == [ada.id]
    assert db.session.get(User, ada.id).has_role(Role.EXHIBITOR_CONTACT)
    assert "create" in audit_actions("organisations", organisation.id)
    assert "grant_role" in audit_actions("users", ada.id)

    page = ada_client.get(response.headers["Location"])
    text = visible_text(page)
    assert "Magyar Telekom" in text
    assert "Not yet in the directory" in text
    assert "Ada Contact <ada@telekom.example>" in text


def test_the_registration_page_needs_an_account(client, edition):
    response = client.get(REGISTER_URL)

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/account/login"
    assert parse_qs(location.query)["next"] == [REGISTER_URL]


def test_a_refused_registration_keeps_what_was_typed(edition, ada_client):
    typed = {**REGISTRATION, "website": "not a web address", "contact_email": "anna@"}

    response = fill_and_submit(ada_client, REGISTER_URL, typed)

    assert response.status_code == 200
    text = visible_text(response)
    assert "Enter a web address such as https://www.example.org." in text
    assert "Enter a valid e-mail address." in text
    shown = form_values(response)
    kept = ("legal_name", "display_name", "country", "sector", "turnover_band",
            "vat_number", "contact_name", "contact_phone", "website", "contact_email")  # fmt: skip
    for name in kept:
        assert shown[name] == typed[name], name
    assert shown["billing_address"].replace("\r\n", "\n") == typed["billing_address"]
    assert shown["description"].replace("\r\n", "\n") == typed["description"]
    assert organisations_named(REGISTRATION["legal_name"]) == []


def test_required_fields_are_named(edition, ada_client):
    response = fill_and_submit(
        ada_client, REGISTER_URL, {**REGISTRATION, "legal_name": "", "sector": ""}
    )

    assert response.status_code == 200
    assert visible_text(response).count("This field is required.") == 2
    assert organisations_named("") == []


def test_a_legal_name_is_registered_once_per_edition(app, edition, ada_client):
    rival = make_user("rival@example.org")
    register(edition, rival, "Magyar Telekom Nyrt.")

    typed = {**REGISTRATION, "legal_name": "magyar  telekom NYRT."}
    response = fill_and_submit(ada_client, REGISTER_URL, typed)

    assert response.status_code == 200
    assert (
        "An organisation with the legal name magyar telekom NYRT. is already registered for "
        "this edition." in visible_text(response)
    )
    assert form_values(response)["display_name"] == "Magyar Telekom"
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1

    # Another edition may have it again.
    other = make_edition("telecom-world-2016", name="ITU TELECOM World 2016")
    assert register(other, rival, "Magyar Telekom Nyrt.").edition_id == other.id


# --------------------------------------------------------------------------- logos


@pytest.mark.parametrize(
    ("content", "filename", "mimetype", "message"),
    [
        (b"just some text, not an image", "logo.png", "image/png",
         "This file is not a PNG, JPEG or WebP image."),
        (SVG, "logo.svg", "image/svg+xml", "SVG and other formats are not accepted."),
        (png_bytes(padding=2 * 1024 * 1024), "big.png", "image/png",
         "The image is too large (2.0 MB); the limit is 2 MB."),
        (b"", "empty.png", "image/png", "The file is empty."),
    ],
    ids=["text-renamed-png", "svg", "oversize", "empty"],
)  # fmt: skip
def test_a_logo_that_is_not_an_acceptable_image_is_refused(
    edition, ada_client, uploads, content, filename, mimetype, message
):
    response = post_with_logo(ada_client, REGISTER_URL, REGISTRATION, content, filename, mimetype)

    assert response.status_code == 200
    text = visible_text(response)
    assert message in text
    assert "If you chose a logo, choose it again" in text
    assert form_values(response)["legal_name"] == REGISTRATION["legal_name"]
    assert organisations_named(REGISTRATION["legal_name"]) == []
    assert stored_logos(uploads) == []


def test_a_request_far_above_the_limit_is_cut_off(edition, ada_client, uploads):
    response = post_with_logo(
        ada_client, REGISTER_URL, REGISTRATION, png_bytes(padding=9 * 1024 * 1024), "x.png",
        "image/png",
    )  # fmt: skip

    assert response.status_code == 413
    assert "The upload is larger than allowed." in visible_text(response)
    assert organisations_named(REGISTRATION["legal_name"]) == []


def test_jpeg_and_webp_logos_are_accepted(edition, ada, ada_client, uploads):
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 100
    organisation = register(edition, ada, "Logo Test SA")
    edit_url = f"/editions/{SLUG}/exhibitors/{organisation.id}/edit"

    for content, expected in ((jpeg, "image/jpeg"), (webp, "image/webp")):
        response = post_with_logo(ada_client, edit_url, {}, content, "whatever.bin", "text/plain")
        assert response.status_code == 302
        logo = ada_client.get(f"/exhibitors/logos/{organisation.id}")
        assert logo.status_code == 200
        assert logo.headers["Content-Type"] == expected
        assert logo.data == content
    # Replacing a logo deletes the old file.
    assert stored_logos(uploads) == [reload(organisation.id).logo_file]


def test_the_logo_is_served_with_safe_headers(app, edition, ada, ada_client, uploads):
    organisation = register(edition, ada, "Logo Test SA")
    image = png_bytes()
    post_with_logo(
        ada_client, f"/editions/{SLUG}/exhibitors/{organisation.id}/edit", {}, image, "l.png",
        "image/png",
    )  # fmt: skip

    response = ada_client.get(f"/exhibitors/logos/{organisation.id}")

    assert response.status_code == 200
    assert response.data == image
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"].startswith("private")  # not listed yet
    assert response.headers["ETag"]
    again = ada_client.get(
        f"/exhibitors/logos/{organisation.id}",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304
    # The organisation is not in the directory yet: strangers do not see its logo.
    assert app.test_client().get(f"/exhibitors/logos/{organisation.id}").status_code == 404


def test_a_member_removes_the_logo(edition, ada, ada_client, uploads):
    organisation = register(edition, ada, "Logo Test SA")
    edit_url = f"/editions/{SLUG}/exhibitors/{organisation.id}/edit"
    post_with_logo(ada_client, edit_url, {}, png_bytes(), "l.png", "image/png")
    assert len(stored_logos(uploads)) == 1

    response = fill_and_submit(ada_client, edit_url, {"remove_logo": "y"})

    assert response.status_code == 302
    assert reload(organisation.id).logo_file is None
    assert stored_logos(uploads) == []
    assert ada_client.get(f"/exhibitors/logos/{organisation.id}").status_code == 404


# --------------------------------------------------------------------------- editing


def test_a_member_edits_the_organisation_and_the_change_is_audited(edition, ada, ada_client):
    organisation = register(edition, ada, "Logo Test SA")
    edit_url = f"/editions/{SLUG}/exhibitors/{organisation.id}/edit"

    response = fill_and_submit(
        ada_client, edit_url, {"display_name": "LogoTest", "turnover_band": "under_10m"}
    )

    assert response.status_code == 302
    changed = reload(organisation.id)
    assert changed.display_name == "LogoTest"
    assert changed.turnover_band.value == "under_10m"
    assert audit_actions("organisations", organisation.id) == ["create", "update"]


def test_the_form_says_who_sets_the_rate_category(edition, ada, ada_client):
    organisation = register(edition, ada, "Logo Test SA")

    page = ada_client.get(f"/editions/{SLUG}/exhibitors/{organisation.id}/edit")

    assert "rate_category" not in form_values(page)
    assert (
        "Reduced rates for SMEs, governments, NGOs and UN bodies are set by the organizers "
        "after checking eligibility." in visible_text(page)
    )


def test_a_member_cannot_change_the_rate_category(edition, ada, ada_client):
    organisation = register(edition, ada, "Logo Test SA")
    edit_url = f"/editions/{SLUG}/exhibitors/{organisation.id}/edit"

    # A hand-made request with the organizers' field is ignored...
    response = fill_and_submit(ada_client, edit_url, {"rate_category": "un_body"})
    assert response.status_code == 302
    assert reload(organisation.id).rate_category == RateCategory.STANDARD

    # ...and the service refuses it outright.
    with pytest.raises(Forbidden):
        services.update_organisation(
            reload(organisation.id), organisation_data("Logo Test SA"), actor=ada,
            rate_category=RateCategory.UN_BODY,
        )  # fmt: skip
    assert reload(organisation.id).rate_category == RateCategory.STANDARD


def test_an_organizer_corrects_everything_including_the_rate_category(app, edition, ada):
    organisation = register(edition, ada, "Logo Test SA")
    make_organizer()
    organizer = client_for(app, "organizer@example.org")
    edit_url = f"/organizer/editions/{SLUG}/exhibitors/{organisation.id}/edit"

    page = organizer.get(edit_url)
    assert form_values(page)["rate_category"] == "standard"
    response = fill_and_submit(
        organizer, edit_url, {"rate_category": "sme", "legal_name": "Logo Test Ltd"}
    )

    assert response.status_code == 302
    changed = reload(organisation.id)
    assert changed.rate_category == RateCategory.SME
    assert changed.legal_name == "Logo Test Ltd"
    assert audit_actions("organisations", organisation.id) == ["create", "update"]
    detail = organizer.get(f"/organizer/editions/{SLUG}/exhibitors/{organisation.id}")
    assert "SME rate" in visible_text(detail)


def test_a_pavilion_with_co_exhibitors_stays_a_pavilion(edition, ada, ada_client):
    from tests.exhibitors.organisations_support import invite

    pavilion = register_pavilion(edition, ada, "Swiss Pavilion")
    invite(pavilion, ada, "Swiss Start-up AG")

    response = fill_and_submit(
        ada_client, f"/editions/{SLUG}/exhibitors/{pavilion.id}/edit", {"pavilion_kind": ""}
    )

    assert response.status_code == 200
    assert "This pavilion has co-exhibitors; it cannot stop being a pavilion." in visible_text(
        response
    )
    assert reload(pavilion.id).pavilion_kind is not None


# --------------------------------------------------------------------------- members


def test_a_member_adds_a_colleague_by_e_mail(app, edition, ada, ada_client):
    organisation = register(edition, ada, "Logo Test SA")
    bob = make_user("bob@telekom.example", full_name="Bob Colleague")
    manage_url = f"/editions/{SLUG}/exhibitors/{organisation.id}/manage"
    token = action_token(ada_client, manage_url)

    response = ada_client.post(
        f"/editions/{SLUG}/exhibitors/{organisation.id}/members",
        data={"csrf_token": token, "email": " BOB@telekom.example "},
    )

    assert response.status_code == 302
    assert db.session.get(User, bob.id).has_role(Role.EXHIBITOR_CONTACT)
    assert "add_member" in audit_actions("organisations", organisation.id)
    [mail] = outbox_to("bob@telekom.example")
    assert mail.subject == "You can now manage Logo Test SA"
    assert f"/exhibitors/{organisation.id}/manage" in mail.body_text
    # Bob now manages it.
    bob_client = client_for(app, bob.email)
    assert bob_client.get(manage_url).status_code == 200
    mine = bob_client.get(f"/editions/{SLUG}/my-organisations")
    assert "Logo Test SA" in visible_text(mine)


def test_adding_an_unknown_or_existing_member_is_explained(edition, ada, ada_client):
    organisation = register(edition, ada, "Logo Test SA")
    manage_url = f"/editions/{SLUG}/exhibitors/{organisation.id}/manage"
    members_url = f"/editions/{SLUG}/exhibitors/{organisation.id}/members"

    unknown = ada_client.post(
        members_url,
        data={"csrf_token": action_token(ada_client, manage_url), "email": "nobody@example.org"},
    )
    assert unknown.status_code == 400
    assert "There is no account with the e-mail address nobody@example.org." in visible_text(
        unknown
    )

    again = ada_client.post(
        members_url,
        data={"csrf_token": action_token(ada_client, manage_url), "email": ada.email},
    )
    assert again.status_code == 400
    assert "ada@telekom.example is already a member." in visible_text(again)


def test_the_last_member_cannot_be_removed(edition, ada, ada_client):
    organisation = register(edition, ada, "Logo Test SA")
    manage_url = f"/editions/{SLUG}/exhibitors/{organisation.id}/manage"
    [member_id] = db.session.scalars(
        select(OrganisationMember.id).where(OrganisationMember.organisation_id == organisation.id)
    ).all()

    response = ada_client.post(
        f"/editions/{SLUG}/exhibitors/{organisation.id}/members/{member_id}/remove",
        data={"csrf_token": action_token(ada_client, manage_url)},
        follow_redirects=True,
    )

    assert "An organisation keeps at least one member" in visible_text(response)
    assert db.session.get(OrganisationMember, member_id) is not None


def test_my_organisations_lists_only_mine(app, edition, ada, ada_client):
    register(edition, ada, "Mine SA")
    register(edition, make_user("other@example.org"), "Theirs SA")

    page = ada_client.get(f"/editions/{SLUG}/my-organisations")

    text = visible_text(page)
    assert "Mine SA" in text
    assert "Theirs SA" not in text


# --------------------------------------------------------------------------- access


def exhibitor_urls(organisation: Organisation, member_id: int) -> list[tuple[str, str]]:
    base = f"/editions/{SLUG}/exhibitors/{organisation.id}"
    return [
        ("GET", f"{base}/manage"),
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"),
        ("POST", f"{base}/members"),
        ("POST", f"{base}/members/{member_id}/remove"),
        ("GET", f"{base}/co-exhibitors/new"),
        ("POST", f"{base}/co-exhibitors/new"),
        ("GET", base),  # public page: unlisted organisations are not shown
        ("GET", f"/exhibitors/logos/{organisation.id}"),
    ]


@pytest.fixture
def victim(app, edition, uploads):
    owner = make_user("owner@pavilion.example")
    pavilion = register_pavilion(edition, owner, "Victim Pavilion", display_name="Victim")
    services.update_organisation(
        pavilion, organisation_data("Victim Pavilion", display_name="Victim",
                                    pavilion_kind=pavilion.pavilion_kind),
        actor=owner, logo=png_bytes(),
    )  # fmt: skip
    member_id = db.session.scalar(
        select(OrganisationMember.id).where(OrganisationMember.organisation_id == pavilion.id)
    )
    return pavilion, member_id


def snapshot_of(organisation_id: int) -> tuple:
    organisation = reload(organisation_id)
    members = db.session.scalar(
        select(func.count()).where(OrganisationMember.organisation_id == organisation_id)
    )
    return (
        organisation.legal_name, organisation.display_name, organisation.logo_file, members,
        db.session.scalar(select(func.count()).select_from(Organisation)),
    )  # fmt: skip


def test_another_exhibitor_gets_not_found_on_every_route(app, edition, victim, ada, ada_client):
    pavilion, member_id = victim
    register(edition, ada, "Nosy Ltd")  # an exhibitor with an organisation of its own
    before = snapshot_of(pavilion.id)
    token = action_token(ada_client, f"/editions/{SLUG}/my-organisations")
    failures = []
    for method, url in exhibitor_urls(pavilion, member_id):
        if method == "GET":
            response = ada_client.get(url)
        else:
            response = ada_client.post(
                url, data={"csrf_token": token, "legal_name": "Hijacked", "email": ada.email}
            )
        if response.status_code != 404:
            failures.append(f"{method} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert snapshot_of(pavilion.id) == before


def test_anonymous_visitors_are_sent_to_log_in(app, edition, victim):
    pavilion, member_id = victim
    client = app.test_client()
    token = action_token(client, "/")
    before = snapshot_of(pavilion.id)
    failures = []
    for method, url in exhibitor_urls(pavilion, member_id):
        if url.endswith(f"/exhibitors/{pavilion.id}") or "/logos/" in url:
            continue  # public pages: covered above (404 while unlisted)
        response = (
            client.get(url)
            if method == "GET"
            else client.post(url, data={"csrf_token": token, "legal_name": "Hijacked"})
        )
        location = urlsplit(response.headers.get("Location", "")).path
        if response.status_code != 302 or location != "/account/login":
            failures.append(f"{method} {url}: {response.status_code} {location}")
    for url in (REGISTER_URL, f"/editions/{SLUG}/my-organisations"):
        response = client.get(url)
        if urlsplit(response.headers.get("Location", "")).path != "/account/login":
            failures.append(f"GET {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert snapshot_of(pavilion.id) == before


def test_exhibitors_cannot_open_the_organizer_pages(app, edition, victim, ada_client):
    pavilion, _member_id = victim
    base = f"/organizer/editions/{SLUG}/exhibitors"
    for url in (base, f"{base}.csv", f"{base}.xlsx", f"{base}/summary", f"{base}/{pavilion.id}",
                f"{base}/{pavilion.id}/edit"):  # fmt: skip
        assert ada_client.get(url).status_code == 403, url


def test_an_organisation_of_another_edition_is_not_found(app, edition, ada, ada_client):
    other = make_edition("telecom-world-2016", name="ITU TELECOM World 2016")
    organisation = register(other, ada, "Logo Test SA")

    assert (
        ada_client.get(f"/editions/{SLUG}/exhibitors/{organisation.id}/manage").status_code == 404
    )
    assert (
        ada_client.get(f"/editions/telecom-world-2016/exhibitors/{organisation.id}/manage")
    ).status_code == 200
