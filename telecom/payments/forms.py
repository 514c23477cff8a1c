"""Forms of the buyer's order page."""

from __future__ import annotations

from flask_wtf import FlaskForm


class BankTransferForm(FlaskForm):
    """ "Pay by bank transfer": a button; only the CSRF token travels."""
