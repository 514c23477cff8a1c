"""Languages: the reader's choice, their account's, then their browser's; Arabic right to left.

The catalogue checks at the end keep every user-facing string translated in the
languages we ship complete (Arabic and French), so a new string cannot slip
through in English silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from telecom.auth.models import User
from telecom.extensions import db
from tests.helpers import log_in, make_edition, make_user, submit_form

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
# Languages whose catalogues must be complete; a string missing in another
# language falls back to English.
COMPLETE_LOCALES = ("ar", "fr")
SHIPPED_LOCALES = sorted(
    p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")
)
HOW_TO_FIX = (
    "Run `make messages` (re-extracts translations/messages.pot and merges it into "
    "every translations/<lang>/LC_MESSAGES/messages.po), translate the new or "
    "changed entries in {langs} (drop any '#, fuzzy' flag once checked), then "
    "`make translations` to compile."
)


def choose_language(client: FlaskClient, locale: str) -> None:
    response = submit_form(
        client, "/account/language", {"locale": locale, "next": "/"}, form_page="/"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def home(client: FlaskClient, **headers: str) -> str:
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_english_is_the_default(client: FlaskClient) -> None:
    page = home(client)
    assert '<html lang="en" dir="ltr">' in page
    assert "bootstrap.min.css" in page and "bootstrap.rtl.min.css" not in page
    assert ">Editions<" in page


def test_choosing_arabic_turns_the_site_right_to_left(app: Flask, client: FlaskClient) -> None:
    make_edition()
    choose_language(client, "ar")

    page = home(client)
    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap.rtl.min.css" in page and "bootstrap.min.css" not in page
    assert ">الدورات<" in page  # "Editions"
    assert "تسجيل الدخول" in page  # "Log in"
    assert ">Editions<" not in page
    # Dates follow the language too (Babel's Arabic month names).
    assert "أكتوبر" in page
    # The selector shows the current language.
    assert '<option value="ar" lang="ar" selected>' in page


def test_choosing_french(client: FlaskClient) -> None:
    choose_language(client, "fr")

    page = home(client)
    assert '<html lang="fr" dir="ltr">' in page
    assert "bootstrap.min.css" in page and "bootstrap.rtl.min.css" not in page
    assert ">Éditions<" in page
    assert "Se connecter" in page
    assert ">Editions<" not in page


def test_browser_language_is_used_when_nothing_was_chosen(client: FlaskClient) -> None:
    page = home(client, **{"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"})
    assert '<html lang="fr" dir="ltr">' in page
    assert ">Éditions<" in page

    page = home(client, **{"Accept-Language": "ar-EG,ar;q=0.9"})
    assert '<html lang="ar" dir="rtl">' in page


def test_a_chosen_language_beats_the_browser_language(client: FlaskClient) -> None:
    choose_language(client, "ar")
    page = home(client, **{"Accept-Language": "fr"})
    assert '<html lang="ar" dir="rtl">' in page


@pytest.mark.parametrize("locale", ["de", "xx", "", "ar-EG", "../ar", "AR"])
def test_an_unsupported_language_is_ignored(client: FlaskClient, locale: str) -> None:
    choose_language(client, locale)

    page = home(client)
    assert '<html lang="en" dir="ltr">' in page
    assert ">Editions<" in page
    with client.session_transaction() as session:
        assert "locale" not in session


EDITIONS_IN = {"en": "Editions", "fr": "Éditions", "es": "Ediciones", "ar": "الدورات",
               "zh": "历届活动", "ru": "Выпуски"}  # fmt: skip


@pytest.mark.parametrize("locale", sorted(EDITIONS_IN))
def test_public_pages_render_in_every_language(client: FlaskClient, locale: str) -> None:
    make_edition()
    choose_language(client, locale)
    pages = {
        "/": 200, "/editions/telecom-world-2015": 200, "/account/login": 200,
        "/account/signup": 200, "/account/reset": 200, "/account/confirm": 200,
        "/no-such-page": 404,
    }  # fmt: skip
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        page = response.get_data(as_text=True)
        assert f'<html lang="{locale}" dir="{"rtl" if locale == "ar" else "ltr"}">' in page, url
        assert f">{EDITIONS_IN[locale]}<" in page, url


def test_language_change_needs_the_csrf_token(client: FlaskClient) -> None:
    response = client.post("/account/language", data={"locale": "ar", "next": "/"})
    assert response.status_code == 400
    assert '<html lang="en" dir="ltr">' in home(client)


def test_a_logged_in_users_choice_is_saved_and_used_in_a_later_session(
    app: Flask, client: FlaskClient
) -> None:
    user = make_user("amira@example.org")
    log_in(client, user.email)
    choose_language(client, "ar")

    db.session.expire_all()
    saved = db.session.scalar(select(User).where(User.email == "amira@example.org"))
    assert saved is not None and saved.locale == "ar"

    # Another browser, no session choice, a French browser: the account's language wins.
    other = app.test_client()
    assert '<html lang="fr" dir="ltr">' in home(other, **{"Accept-Language": "fr"})
    log_in(other, user.email)
    page = home(other, **{"Accept-Language": "fr"})
    assert '<html lang="ar" dir="rtl">' in page
    assert ">الدورات<" in page


def test_an_anonymous_choice_survives_logging_in(client: FlaskClient) -> None:
    user = make_user("jean@example.org")
    choose_language(client, "fr")
    log_in(client, user.email)

    page = home(client)
    assert '<html lang="fr" dir="ltr">' in page
    assert "Se déconnecter" in page  # "Log out"


# --- The catalogue -----------------------------------------------------------


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in catalog if message.id}


def _source_ids() -> set[str | tuple[str, ...]]:
    """What `make messages` would extract now, with the same babel.cfg and keywords."""
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found: set[str | tuple[str, ...]] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def _listing(ids: set) -> str:
    return "\n".join(f"  {message_id!r}" for message_id in sorted(ids, key=str))


def test_the_template_catalogue_is_current() -> None:
    template = _ids(_read(TRANSLATIONS / "messages.pot"))
    missing = _source_ids() - template
    assert not missing, (
        f"{len(missing)} string(s) in the code are not in translations/messages.pot:\n"
        f"{_listing(missing)}\n" + HOW_TO_FIX.format(langs=", ".join(COMPLETE_LOCALES))
    )


@pytest.mark.parametrize("locale", COMPLETE_LOCALES)
def test_every_string_is_translated(locale: str) -> None:
    template = _ids(_read(TRANSLATIONS / "messages.pot"))
    catalog = _read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    po_file = f"translations/{locale}/LC_MESSAGES/messages.po"
    fix = HOW_TO_FIX.format(langs=po_file)

    not_merged = template - _ids(catalog)
    assert not not_merged, (
        f"{po_file} lacks {len(not_merged)} entries:\n{_listing(not_merged)}\n{fix}"
    )

    untranslated = {
        m.id
        for m in catalog
        if m.id and m.id in template
        and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    }  # fmt: skip
    assert not untranslated, (
        f"{po_file} has {len(untranslated)} untranslated or fuzzy entries:\n"
        f"{_listing(untranslated)}\n{fix}"
    )


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_placeholders_survive_translation(locale: str) -> None:
    """A lost or renamed %(name)s would raise KeyError when the page renders."""
    catalog = _read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    problems = [f"  {m.id!r}: {'; '.join(map(str, errors))}" for m, errors in catalog.check()]
    assert not problems, f"{locale}: broken placeholders:\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_translations_do_not_break_html(locale: str) -> None:
    """Jinja marks translated template text safe; a quote or '<' would break the markup."""
    catalog = _read(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    unsafe = {
        m.id: m.string
        for m in catalog
        if m.id and isinstance(m.string, str)
        and any(c in m.string for c in '"<>&') and not any(c in m.id for c in '"<>&')
    }  # fmt: skip
    assert not unsafe, f"translations with HTML-significant characters: {unsafe}"


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_compiled_catalogues_are_current(locale: str) -> None:
    po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        f"{mo.relative_to(ROOT)} is missing or older than its .po: run `make translations`."
    )
