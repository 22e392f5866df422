"""Choosing what to pay: each refusal names its code and the field at fault, and has a message."""

from types import SimpleNamespace

import pytest

from portal.errors import DomainError, message_for
from portal.i18n import AmountError, amount_error_message
from portal.payments.labels import MESSAGES
from portal.payments.service import PaymentRefused, PayOptions, choose_amount

LOAN = SimpleNamespace(currency="CNY")
OWING = PayOptions(LOAN, outstanding=535_000, overdue=135_000, next_installment=0, minimum=1_000)
IN_A_PLAN = PayOptions(LOAN, outstanding=535_000, overdue=0, next_installment=50_000, minimum=1_000)
NOTHING_OWED = PayOptions(LOAN, outstanding=0, overdue=0, next_installment=0, minimum=0)


@pytest.mark.parametrize(
    "options, choice, typed, chosen",
    [
        (OWING, "overdue", "", ("overdue", 135_000)),
        (OWING, "overdue", "junk is ignored", ("overdue", 135_000)),
        (IN_A_PLAN, "installment", "", ("installment", 50_000)),
        (OWING, "other_amount", "¥2,000.50", ("other_amount", 200_050)),
        (OWING, "other_amount", "10", ("other_amount", 1_000)),
        (OWING, "other_amount", "5350", ("other_amount", 535_000)),
    ],
)
def test_amounts_that_may_be_paid(options, choice, typed, chosen):
    assert choose_amount(options, choice, typed) == chosen


@pytest.mark.parametrize(
    "options, choice, typed, error, code, field",
    [
        (NOTHING_OWED, "overdue", "", PaymentRefused, "nothing_owed", "choice"),
        (NOTHING_OWED, "other_amount", "10", PaymentRefused, "nothing_owed", "other_amount"),
        (IN_A_PLAN, "overdue", "", PaymentRefused, "nothing_overdue", "choice"),
        (OWING, "installment", "", PaymentRefused, "no_installment", "choice"),
        (OWING, "other_amount", "", PaymentRefused, "no_amount", "other_amount"),
        (OWING, "other_amount", "9.99", PaymentRefused, "too_small", "other_amount"),
        (OWING, "other_amount", "5350.01", PaymentRefused, "too_large", "other_amount"),
        (OWING, "everything", "", PaymentRefused, "choose", "choice"),
        (OWING, "other_amount", " ", AmountError, "missing", "other_amount"),
        (OWING, "other_amount", "lots", AmountError, "not_a_number", "other_amount"),
        (OWING, "other_amount", "-5", AmountError, "negative", "other_amount"),
        (OWING, "other_amount", "1.234", AmountError, "too_many_decimals", "other_amount"),
    ],
)
def test_refusals_name_their_code_and_field(app, options, choice, typed, error, code, field):
    with pytest.raises(error) as refused:
        choose_amount(options, choice, typed)
    assert isinstance(refused.value, DomainError)
    assert (refused.value.code, refused.value.field) == (code, field)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert message_for(refused.value, MESSAGES)


def test_limits_are_shown_as_money(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        small = PaymentRefused("too_small", minimum=1_000, currency="CNY")
        large = PaymentRefused("too_large", maximum=535_000, currency="CNY")
        assert message_for(small, MESSAGES) == "The smallest payment is ¥10.00."
        assert message_for(large, MESSAGES) == "You can pay at most what you owe: ¥5,350.00."
        # The old name still gives an amount error's message (forms not using show_error).
        assert amount_error_message("too_many_decimals") == "Use at most 2 decimals."
        assert amount_error_message("unknown") == "Enter an amount like 500.00."
