"""Invoice and credit-note numbers: sequential per edition, gapless, never reused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask

from telecom.core.db import commit
from telecom.events.models import Edition
from telecom.extensions import db
from telecom.payments.models import DocumentKind
from telecom.payments.numbering import next_number
from tests.concurrency import Job, race
from tests.helpers import make_edition

ISSUERS = 50


def test_numbers_follow_each_other_per_edition_and_kind(app):
    edition_2015 = make_edition()
    edition_2017 = make_edition(
        "telecom-world-2017", name="ITU TELECOM World 2017", city="Busan", country="KR",
        venue="BEXCO", start_date=date(2017, 9, 25), end_date=date(2017, 9, 28),
    )  # fmt: skip

    issued = [
        next_number(edition_2015, DocumentKind.INVOICE),
        next_number(edition_2015, DocumentKind.INVOICE),
        next_number(edition_2015, DocumentKind.CREDIT_NOTE),
        next_number(edition_2017, DocumentKind.INVOICE),
        next_number(edition_2015, DocumentKind.INVOICE),
    ]
    commit()

    assert issued == [
        "TW2015-000001",
        "TW2015-000002",
        "TW2015-CN-000001",
        "TW2017-000001",
        "TW2015-000003",
    ]


def test_a_rolled_back_document_gives_its_number_back(app):
    edition = make_edition()
    assert next_number(edition, DocumentKind.INVOICE) == "TW2015-000001"
    commit()

    assert next_number(edition, DocumentKind.INVOICE) == "TW2015-000002"
    db.session.rollback()  # the invoice was never issued

    assert next_number(edition, DocumentKind.INVOICE) == "TW2015-000002"
    commit()


def issue_job(edition_id: int) -> Job:
    def prepare() -> Callable[[], object]:
        edition = db.session.get(Edition, edition_id)
        assert edition is not None

        def issue() -> str:
            number = next_number(edition, DocumentKind.INVOICE)
            commit()
            return number

        return issue

    return prepare


@pytest.mark.parametrize("first_ever", [True, False], ids=["new series", "running series"])
def test_fifty_issuers_at_once_get_fifty_consecutive_numbers(
    app: Flask, racing_app: Flask, first_ever: bool
) -> None:
    edition = make_edition()
    already = 0 if first_ever else 7
    for _ in range(already):
        next_number(edition, DocumentKind.INVOICE)
    commit()

    outcomes = race(racing_app, [issue_job(edition.id) for _ in range(ISSUERS)])

    assert [o.error for o in outcomes if o.error] == []
    numbers = sorted(str(o.result) for o in outcomes)
    assert numbers == [f"TW2015-{n:06d}" for n in range(already + 1, already + ISSUERS + 1)]
