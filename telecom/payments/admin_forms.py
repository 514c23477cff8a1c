"""Forms of the organizer's payments pages: list filters, transfers, refunds,
cancellation, deadlines and the payment settings.

The forms check types and presence; the services (telecom/payments/admin.py)
own the rules (balance, dates, IBAN checksum), so the API and the CLI get
the same answers.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from telecom.core.forms import strip_whitespace
from telecom.payments.admin import (
    FIELD_LABELS,
    PAYMENT_SETTINGS_FIELDS,
    OrderFilters,
    PaymentFilters,
    PaymentSettingsData,
    format_iban,
)
from telecom.payments.models import (
    OrderState,
    Payment,
    PaymentProvider,
    PaymentSettings,
    PaymentState,
    RefundState,
)

_amount_message = _l("Enter the amount as a number, for example 1250.00.")
_date_message = _l("Enter a date as YYYY-MM-DD.")


def _enum_choices(enum_class, everything: object) -> list[SelectChoice]:  # type: ignore[no-untyped-def]
    return [SelectChoice("", everything), *[SelectChoice(m.value, m.label) for m in enum_class]]


def _member(enum_class, value: str | None):  # type: ignore[no-untyped-def]
    try:
        return enum_class(value) if value else None
    except ValueError:
        return None


class _GetForm(FlaskForm):
    """A filter form read from the query string (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    created_from = DateField(_l("Created from"), validators=[Optional()],
                             render_kw={"type": "date"})  # fmt: skip
    created_to = DateField(_l("Created until"), validators=[Optional()],
                           render_kw={"type": "date"})  # fmt: skip

    def _dates(self) -> tuple:  # type: ignore[type-arg]
        # An unreadable date is shown as a field error and ignored by the filter.
        start = self.created_from.data if not self.created_from.errors else None
        end = self.created_to.data if not self.created_to.errors else None
        return start, end


class OrderFilterForm(_GetForm):
    q = StringField(_l("Buyer or reference"), filters=[strip_whitespace],
                    validators=[Optional(), Length(max=200)])  # fmt: skip
    state = SelectField(_l("State"), validators=[Optional()])
    provider = SelectField(_l("Paid with"), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.state.choices = _enum_choices(OrderState, _l("All states"))
        self.provider.choices = _enum_choices(PaymentProvider, _l("Any method"))

    def to_filters(self) -> OrderFilters:
        self.validate()
        start, end = self._dates()
        return OrderFilters(
            state=_member(OrderState, self.state.data),
            provider=_member(PaymentProvider, self.provider.data),
            created_from=start,
            created_to=end,
            q=(self.q.data or "")[:200],
        )


class PaymentFilterForm(_GetForm):
    state = SelectField(_l("State"), validators=[Optional()])
    provider = SelectField(_l("Method"), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.state.choices = _enum_choices(PaymentState, _l("All states"))
        self.provider.choices = _enum_choices(PaymentProvider, _l("Any method"))

    def to_filters(self) -> PaymentFilters:
        self.validate()
        start, end = self._dates()
        return PaymentFilters(
            state=_member(PaymentState, self.state.data),
            provider=_member(PaymentProvider, self.provider.data),
            created_from=start,
            created_to=end,
        )


class RefundFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), validators=[Optional()])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.state.choices = _enum_choices(RefundState, _l("All states"))

    def to_state(self) -> RefundState | None:
        return _member(RefundState, self.state.data)


class TransferForm(FlaskForm):
    amount = DecimalField(
        _l("Amount received"), places=2, validators=[InputRequired(message=_amount_message)]
    )
    received_on = DateField(
        _l("Received on"), validators=[InputRequired(message=_date_message)],
        render_kw={"type": "date"},
        description=_l("The value date on the bank statement."),
    )  # fmt: skip
    reference = StringField(
        _l("Bank reference"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Give the bank reference of the transfer.")),
                    Length(max=200)],
        description=_l("As on the bank statement, so the payment can be found again."),
    )  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "transfer")
        super().__init__(*args, **kwargs)


class RefundForm(FlaskForm):
    payment_id = SelectField(_l("Payment"), validators=[DataRequired()])
    amount = DecimalField(
        _l("Amount to refund"), places=2, validators=[InputRequired(message=_amount_message)]
    )
    reason = StringField(
        _l("Reason"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Give a reason for the refund.")), Length(max=500)],
    )

    def __init__(self, payments: list[Payment], *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "refund")
        super().__init__(*args, **kwargs)
        self.payment_id.choices = [
            SelectChoice(
                str(p.id),
                f"#{p.id} {p.provider.label} {p.amount} {p.currency} "
                f"({_l('refundable')}: {p.refundable})",
            )
            for p in payments
        ]


class CancelOrderForm(FlaskForm):
    reason = StringField(
        _l("Reason"),
        filters=[strip_whitespace],
        validators=[DataRequired(message=_l("Give a reason for the cancellation.")),
                    Length(max=200)],
    )  # fmt: skip
    refund = BooleanField(_l("Refund every payment received"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "cancel")
        super().__init__(*args, **kwargs)


class DeadlineForm(FlaskForm):
    due = DateField(
        _l("New deadline"), validators=[InputRequired(message=_date_message)],
        render_kw={"type": "date"},
        description=_l("The buyer has until the end of this day (edition time); the booths "
                       "stay held until then."),
    )  # fmt: skip

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "deadline")
        super().__init__(*args, **kwargs)


def _text(name: str, *, area: bool = False, description: object = None):  # type: ignore[no-untyped-def]
    field_class = TextAreaField if area else StringField
    return field_class(FIELD_LABELS[name], filters=[strip_whitespace],
                       validators=[Optional()], description=description)  # fmt: skip


class PaymentSettingsForm(FlaskForm):
    tax_rate = DecimalField(
        FIELD_LABELS["tax_rate"],
        validators=[InputRequired(message=_l("Give the tax rate (0 for none)."))],
        description=_l("Applies to orders opened after the change; existing orders keep "
                       "their rate."),
    )  # fmt: skip
    tax_label = _text("tax_label", description=_l("Printed on invoices, for example VAT."))
    issuer_name = _text("issuer_name")
    issuer_address = _text("issuer_address", area=True)
    issuer_tax_id = _text("issuer_tax_id")
    bank_transfer_enabled = BooleanField(FIELD_LABELS["bank_transfer_enabled"])
    bank_account_holder = _text("bank_account_holder")
    bank_name = _text("bank_name")
    bank_iban = _text("bank_iban", description=_l("Spaces do not matter."))
    bank_bic = _text("bank_bic")
    transfer_days = IntegerField(
        FIELD_LABELS["transfer_days"],
        validators=[InputRequired(message=_l("Give a whole number of days."))],
        description=_l("From the day the buyer chooses bank transfer; the booths stay held "
                       "until then."),
    )  # fmt: skip
    invoice_note = _text("invoice_note", area=True)

    def __init__(self, *args: object, settings: PaymentSettings, **kwargs: object) -> None:
        super().__init__(*args, obj=settings, **kwargs)
        if not self.is_submitted() and self.bank_iban.data:
            self.bank_iban.data = format_iban(self.bank_iban.data)

    def to_data(self) -> PaymentSettingsData:
        values = {name: self[name].data for name in PAYMENT_SETTINGS_FIELDS}
        for name, value in values.items():
            if value is None and name not in ("tax_rate", "transfer_days"):
                values[name] = ""
        return PaymentSettingsData(**values)
