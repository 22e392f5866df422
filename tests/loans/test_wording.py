"""What a journal entry did and who made a contact, in words a borrower can read."""

import pytest

from portal.loans.journal import Components, entry_wording
from portal.loans.labels import agent_name


@pytest.mark.parametrize(
    ("kind", "change", "reversed_kind", "wording"),
    [
        ("charge", Components(principal=500_000), None, "payout"),
        ("charge", Components(interest=30_000), None, "interest"),
        ("charge", Components(fee=5_000), None, "fee"),
        ("charge", Components(principal=1, fee=1), None, "charge"),
        ("payment", Components(principal=-1), None, "payment"),
        ("reversal", Components(principal=1), "payment", "refund"),
        ("reversal", Components(fee=-1), "charge", "reversal"),
        ("reversal", Components(fee=-1), None, "reversal"),
        ("waiver", Components(fee=-1), None, "waiver"),
        ("adjustment", Components(interest=-1), None, "adjustment"),
    ],
)
def test_entry_wording(kind, change, reversed_kind, wording):
    assert entry_wording(kind, change, reversed_kind) == wording


@pytest.mark.parametrize(
    ("agent", "shown"),
    [
        ("SYSTEM", "Automatic reminder"),
        ("system", "Automatic reminder"),
        (" AUTO ", "Automatic reminder"),
        ("A017", "The lender's staff"),
        ("ag-2031", "The lender's staff"),
        ("COLLECT", "The lender's staff"),
        ("", "The lender's staff"),
        (None, "The lender's staff"),
        ("恒信催收服务有限公司", "恒信催收服务有限公司"),
        ("明德律师事务所", "明德律师事务所"),
        ("Mingde Law Firm", "Mingde Law Firm"),
        ("Hengxin", "Hengxin"),
    ],
)
def test_agent_name(app, agent, shown):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert agent_name(agent) == shown
