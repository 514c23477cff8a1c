"""Transactional outbox for e-mail.

`queue_mail()` writes an OutboxMessage in the caller's transaction; `commit()`
in core.db delivers it after the commit. Without MAIL_SERVER (development,
`make run` offline) messages stay pending and an organizer reads them in the
dev mailbox; `flask --app wsgi outbox deliver` retries whatever is pending.
"""

from __future__ import annotations

import contextlib
import enum
import smtplib
import ssl
from collections.abc import Iterable
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import LazyString, force_locale
from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from telecom.core.models import IdMixin, UTCDateTime, str_enum, utcnow
from telecom.extensions import db

_SESSION_KEY = "outbox_messages"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # retried by `outbox deliver` until OUTBOX_MAX_ATTEMPTS


class OutboxMessage(IdMixin, db.Model):
    __tablename__ = "outbox_messages"

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    recipient: Mapped[str] = mapped_column(String(320), nullable=False, index=True)
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus),
        default=OutboxStatus.PENDING,
        nullable=False,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        order_by="OutboxAttachment.id", cascade="all, delete-orphan"
    )


class OutboxAttachment(IdMixin, db.Model):
    """A file sent with a message (an invoice PDF), rendered when the mail was queued."""

    __tablename__ = "outbox_attachments"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), nullable=False, index=True
    )
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


def queue_mail(
    recipient: str,
    subject: str | LazyString,
    template: str,
    *,
    locale: str | None = None,
    attachments: Iterable[tuple[str, str, bytes]] = (),
    **context: object,
) -> OutboxMessage:
    """Add a message to the current transaction; `template` is under templates/mail/.

    The message is written in the recipient's language (`locale`, else the
    default), not in that of whoever triggered it, so pass `subject` as a
    lazy_gettext string.
    """
    supported = current_app.config["SUPPORTED_LOCALES"]
    if locale not in supported:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        body = render_template(f"mail/{template}", **context)
        subject_text = str(subject)
    message = OutboxMessage(recipient=recipient, subject=subject_text, body_text=body)
    for filename, content_type, data in attachments:
        message.attachments.append(
            OutboxAttachment(filename=filename, content_type=content_type, data=data)
        )
    db.session.add(message)
    db.session.info.setdefault(_SESSION_KEY, []).append(message)
    return message


def take_pending_ids(session: Session) -> list[int]:
    """Flush and return the ids of the messages queued in this transaction."""
    messages = session.info.pop(_SESSION_KEY, [])
    if not messages:
        return []
    session.flush()
    return [message.id for message in messages]


def discard_pending(session: Session) -> None:
    session.info.pop(_SESSION_KEY, None)


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _smtp_connection() -> smtplib.SMTP:
    config = current_app.config
    timeout = config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"],
            config["MAIL_PORT"],
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def _as_email(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain="telecom-world.example")
    email.set_content(message.body_text)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return email


def deliver(message_ids: Iterable[int] | None = None) -> tuple[int, int]:
    """Send pending messages over SMTP; returns (sent, failed).

    Each message is committed on its own, so one bad address never blocks the
    others, and a crash mid-way never sends a message twice on retry beyond
    the one in flight.
    """
    if not mail_configured():
        return (0, 0)
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    query = select(OutboxMessage.id).where(
        or_(
            OutboxMessage.status == OutboxStatus.PENDING,
            (OutboxMessage.status == OutboxStatus.FAILED) & (OutboxMessage.attempts < max_attempts),
        )
    )
    if message_ids is not None:
        query = query.where(OutboxMessage.id.in_(list(message_ids)))
    ids = list(db.session.scalars(query.order_by(OutboxMessage.id)))
    if not ids:
        return (0, 0)
    sent = failed = 0
    try:
        smtp = _smtp_connection()
    except (OSError, smtplib.SMTPException) as error:
        _mark_failed(ids, f"cannot connect to SMTP server: {error}")
        return (0, len(ids))
    try:
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            if message is None:
                continue
            try:
                smtp.send_message(_as_email(message))
            except (OSError, smtplib.SMTPException) as error:
                message.status = OutboxStatus.FAILED
                message.attempts += 1
                message.last_error = str(error)[:2000]
                failed += 1
            else:
                message.status = OutboxStatus.SENT
                message.attempts += 1
                message.sent_at = utcnow()
                message.last_error = None
                sent += 1
            db.session.commit()
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            smtp.quit()
    return (sent, failed)


def _mark_failed(ids: list[int], error: str) -> None:
    for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
        message.status = OutboxStatus.FAILED
        message.attempts += 1
        message.last_error = error[:2000]
    db.session.commit()
    current_app.logger.warning("outbox delivery failed: %s", error)
