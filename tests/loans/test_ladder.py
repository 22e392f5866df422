"""Which stage a number of days past due falls in."""

import pytest

from portal.loans.ladder import DEFAULT_LADDER, Rung, stage_for

LADDER = [Rung(code, dpd) for code, dpd in DEFAULT_LADDER]


@pytest.mark.parametrize(
    "days, stage",
    [
        (0, "due_reminder"),
        (1, "early_warning"),
        (3, "early_warning"),
        (4, "phone_contact"),
        (30, "phone_contact"),
        (31, "agency"),
        (90, "agency"),
        (91, "lawyer_letter"),
        (120, "lawyer_letter"),
        (121, "litigation"),
        (4000, "litigation"),
    ],
)
def test_default_ladder_thresholds(days, stage):
    assert stage_for(days, LADDER).code == stage


def test_before_the_first_rung_there_is_no_stage():
    assert stage_for(-1, LADDER) is None
    assert stage_for(5, [Rung("late", 10)]) is None
