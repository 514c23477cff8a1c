"""Gapless, never-reused invoice and credit-note numbers per edition.

`next_number()` must run inside the transaction that creates the document:
it locks the edition's sequence row, so concurrent issuers queue, and a
rollback returns the number with everything else.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from telecom.events.models import Edition
from telecom.extensions import db
from telecom.payments.models import DocumentKind, DocumentSequence

_PREFIXES = {DocumentKind.INVOICE: "", DocumentKind.CREDIT_NOTE: "CN-"}


def format_number(edition: Edition, kind: DocumentKind, number: int) -> str:
    """TW2015-000123 for invoices, TW2015-CN-000007 for credit notes."""
    return f"TW{edition.start_date.year}-{_PREFIXES[kind]}{number:06d}"


def _locked_sequence(edition: Edition, kind: DocumentKind) -> DocumentSequence | None:
    return db.session.scalar(
        select(DocumentSequence)
        .where(DocumentSequence.edition_id == edition.id, DocumentSequence.kind == kind)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def next_number(edition: Edition, kind: DocumentKind) -> str:
    """Take the next number of the series in the current transaction."""
    sequence = _locked_sequence(edition, kind)
    if sequence is None:
        # The first document of its kind: create the row; when another
        # transaction creates it at the same moment, the unique constraint
        # refuses ours and we lock theirs instead.
        try:
            with db.session.begin_nested():
                db.session.add(DocumentSequence(edition_id=edition.id, kind=kind, last_number=0))
        except IntegrityError:
            pass
        sequence = _locked_sequence(edition, kind)
        assert sequence is not None
    sequence.last_number += 1
    db.session.flush()
    return format_number(edition, kind, sequence.last_number)
