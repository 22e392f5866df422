"""Public and borrower pages name the lender, its customer service number and hours, so the
portal can be told apart from a scam; staff pages do not carry the borrower's footer."""

import pytest

from tests.helpers import log_in

NAMES = {
    "zh_Hans": ("zh-CN", "示例消费金融有限公司", "每天 09:00–21:00", "客服电话"),
    "zh_Hant": ("zh-TW", "示例消費金融有限公司", "每天 09:00–21:00", "客服電話"),
    "en": (
        "en",
        "Example Consumer Finance Co., Ltd.",
        "Every day, 09:00–21:00",
        "Customer service",
    ),
}
PUBLIC_PAGES = ["/", "/login", "/activate", "/reset", "/reset/not-a-token", "/no-such-page"]


@pytest.mark.parametrize("language", NAMES)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_name_the_lender_and_how_to_reach_it(client, path, language):
    accept, name, hours, service = NAMES[language]
    page = client.get(path, headers={"Accept-Language": accept}).text
    assert name in page and hours in page and service in page
    assert 'href="tel:4008001234"' in page and "400-800-1234" in page


def test_borrower_pages_name_the_lender(client, make_borrower):
    record = make_borrower(language="en")
    log_in(client, record.phone)
    page = client.get("/loans", headers={"Accept-Language": "en"}).text
    assert "<strong>Example Consumer Finance Co., Ltd.</strong> · Official borrower portal" in page


def test_the_lender_named_in_configuration_is_the_one_shown(app, client):
    app.config["LENDER_NAME"] = {"zh_Hans": "某某消费金融", "zh_Hant": "某某消費金融", "en": "Mou"}
    app.config["LENDER_PHONE"] = "+86 21 5555 0000"
    page = client.get("/login", headers={"Accept-Language": "zh-TW"}).text
    assert "某某消費金融" in page and 'href="tel:+862155550000"' in page
    assert "示例" not in page


@pytest.mark.parametrize(
    "role, path",
    [
        ("support", "/staff/complaints/"),
        ("approver", "/staff/borrowers"),
        ("admin", "/staff/admin"),
    ],
)
def test_staff_pages_carry_no_borrower_footer(client, login_as, role, path):
    login_as(role)
    response = client.get(path, headers={"Accept-Language": "en"})
    page = response.text
    assert (
        response.status_code == 200
        and "Example Consumer Finance" not in page
        and "tel:" not in page
    )
