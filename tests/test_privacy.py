"""Masking of personal data."""

import pytest

from portal.privacy import mask_email, mask_id_number, mask_phone


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("13812345678", "138****5678"),
        ("8613812345678", "861******5678"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    "email, masked",
    [("wang@example.com", "w***@example.com"), ("x@y.cn", "x***@y.cn"), ("broken", ""), (None, "")],
)
def test_mask_email(email, masked):
    assert mask_email(email) == masked


def test_mask_id_number_shows_only_the_last_four():
    assert mask_id_number("123X") == "****123X"
    assert mask_id_number(None) == ""
