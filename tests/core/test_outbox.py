"""Mail leaves through the outbox: only after a commit, never for a rollback, retried."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import date
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from telecom.core import outbox
from telecom.core.db import commit, transaction
from telecom.core.outbox import OutboxMessage, OutboxStatus
from telecom.events.models import Edition
from telecom.extensions import db
from tests.core import visible_text
from tests.helpers import MailSink, body_of, log_in, make_edition, make_organizer

RECIPIENT = "ada@example.org"
SUBJECT = "Please confirm your address"
LINK = "https://telecom-world.example/account/confirm/abc123"


def queue_confirmation(recipient: str = RECIPIENT) -> OutboxMessage:
    return outbox.queue_mail(
        recipient,
        SUBJECT,
        "confirm_email.txt",
        user=SimpleNamespace(full_name="Ada Lovelace"),
        confirm_url=LINK,
    )


def stored_messages() -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def nothing_arrives(sink: MailSink, wait: float = 0.3) -> bool:
    """Delivery is synchronous, but give a stray message a moment to show up."""
    time.sleep(wait)
    return sink.messages == []


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_down(app: Flask) -> Iterator[int]:
    """MAIL_SERVER points at a port nobody listens on; yields that port."""
    port = closed_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield port


def deliver_command(app: Flask) -> Result:
    return app.test_cli_runner().invoke(args=["outbox", "deliver"])


# --- after commit, and only then ------------------------------------------------


def test_mail_is_delivered_after_commit(mail):
    message = queue_confirmation()
    assert mail.messages == [], "nothing leaves before the commit"

    commit()

    [received] = mail.wait_for(1)
    assert received["To"] == RECIPIENT
    assert received["Subject"] == SUBJECT
    assert received["From"] == "TELECOM World <no-reply@telecom-world.example>"
    assert received["Message-ID"]
    body = body_of(received)
    assert "Hello Ada Lovelace," in body
    assert LINK in body
    [stored] = stored_messages()
    assert stored.id == message.id
    assert stored.status == OutboxStatus.SENT
    assert stored.attempts == 1
    assert stored.sent_at is not None
    assert stored.last_error is None


def test_several_messages_of_one_transaction_all_arrive(mail):
    for number in range(3):
        queue_confirmation(f"person{number}@example.org")

    commit()

    received = mail.wait_for(3)
    assert sorted(m["To"] for m in received) == [
        "person0@example.org",
        "person1@example.org",
        "person2@example.org",
    ]
    assert {m.status for m in stored_messages()} == {OutboxStatus.SENT}


def test_rolled_back_transaction_sends_nothing(mail):
    queue_confirmation()
    db.session.flush()  # even a message already written to the database

    db.session.rollback()
    commit()  # a later, unrelated commit

    assert nothing_arrives(mail)
    assert stored_messages() == []


def test_transaction_block_that_fails_sends_nothing(mail):
    with pytest.raises(RuntimeError, match="refused"), transaction():
        queue_confirmation()
        raise RuntimeError("refused by a business rule")

    commit()

    assert nothing_arrives(mail)
    assert stored_messages() == []


def test_commit_that_fails_sends_nothing_and_leaves_the_session_usable(mail):
    make_edition()
    queue_confirmation()
    db.session.add(
        Edition(
            slug="telecom-world-2015",
            name="Duplicate",
            city="X",
            country="HU",
            venue="X",
            start_date=date(2015, 1, 1),
            end_date=date(2015, 1, 2),
        )
    )

    with pytest.raises(IntegrityError):
        commit()

    assert nothing_arrives(mail)
    # commit() rolled back: the session can be used again straight away
    assert db.session.scalar(select(func.count()).select_from(Edition)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_message_is_sent_once(app, mail):
    queue_confirmation()
    commit()
    mail.wait_for(1)

    result = deliver_command(app)

    assert result.exit_code == 0
    assert "0 sent, 0 failed." in result.output
    time.sleep(0.3)
    assert len(mail.messages) == 1


# --- no mail server: the dev mailbox ---------------------------------------------


def test_without_mail_server_messages_wait_in_the_dev_mailbox(app, client):
    assert not app.config["MAIL_SERVER"]
    queue_confirmation()
    commit()

    [stored] = stored_messages()
    assert stored.status == OutboxStatus.PENDING
    assert stored.attempts == 0
    assert stored.sent_at is None

    make_organizer()
    log_in(client, "organizer@example.org")
    response = client.get("/organizer/mailbox")
    assert response.status_code == 200
    text = visible_text(response)
    assert "No SMTP server is configured" in text
    assert f"{SUBJECT} → {RECIPIENT}" in text
    assert "pending" in text
    assert "Hello Ada Lovelace," in text
    assert f'href="{LINK}"' in response.get_data(as_text=True), "links in the body are clickable"


def test_deliver_command_refuses_without_mail_server(app):
    queue_confirmation()
    commit()

    result = deliver_command(app)

    assert result.exit_code != 0
    assert "MAIL_SERVER is not set" in result.output
    assert stored_messages()[0].status == OutboxStatus.PENDING


def test_pending_messages_go_out_once_a_mail_server_is_configured(app, mail):
    server, port = app.config["MAIL_SERVER"], app.config["MAIL_PORT"]
    app.config["MAIL_SERVER"] = ""
    queue_confirmation()
    commit()
    assert nothing_arrives(mail)
    app.config.update(MAIL_SERVER=server, MAIL_PORT=port)

    result = deliver_command(app)

    assert result.exit_code == 0
    assert "1 sent, 0 failed." in result.output
    [received] = mail.wait_for(1)
    assert received["To"] == RECIPIENT
    assert stored_messages()[0].status == OutboxStatus.SENT


# --- SMTP down: failed, then retried ---------------------------------------------


def test_smtp_down_marks_the_message_failed_without_losing_the_change(app, client, smtp_down):
    make_edition()  # the change the mail is about
    queue_confirmation()

    commit()  # does not raise: the data is saved even though the mail could not go

    [stored] = stored_messages()
    assert stored.status == OutboxStatus.FAILED
    assert stored.attempts == 1
    assert stored.sent_at is None
    assert stored.last_error is not None
    assert "cannot connect to SMTP server" in stored.last_error
    assert db.session.scalar(select(func.count()).select_from(Edition)) == 1

    make_organizer()
    log_in(client, "organizer@example.org")
    text = visible_text(client.get("/organizer/mailbox"))
    assert "failed" in text
    assert "cannot connect to SMTP server" in text


def test_deliver_command_retries_once_the_server_is_up(app, smtp_down):
    queue_confirmation()
    commit()
    assert stored_messages()[0].status == OutboxStatus.FAILED

    still_down = deliver_command(app)
    assert still_down.exit_code == 0
    assert "0 sent, 1 failed." in still_down.output
    assert stored_messages()[0].attempts == 2

    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_down)
    controller.start()
    try:
        result = deliver_command(app)
        assert result.exit_code == 0
        assert "1 sent, 0 failed." in result.output
        [received] = sink.wait_for(1)
        assert received["To"] == RECIPIENT
        assert LINK in body_of(received)

        again = deliver_command(app)
        assert "0 sent, 0 failed." in again.output
        assert len(sink.messages) == 1, "a sent message is never sent again"
    finally:
        controller.stop()
    [stored] = stored_messages()
    assert stored.status == OutboxStatus.SENT
    assert stored.attempts == 3
    assert stored.last_error is None


def test_messages_are_given_up_after_the_maximum_attempts(app, smtp_down):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    queue_confirmation()
    commit()  # attempt 1
    deliver_command(app)  # attempt 2

    result = deliver_command(app)

    assert "0 sent, 0 failed." in result.output
    [stored] = stored_messages()
    assert stored.status == OutboxStatus.FAILED
    assert stored.attempts == 2
