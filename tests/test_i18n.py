"""Every page in all three languages, complete catalogs, and the choice of language."""

import re
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

from portal.i18n import language_from_accept_header, language_from_tag
from tests.helpers import NOW, log_in, submit_form
from tests.i18n_check import english_words

CATALOGS = Path(__file__).resolve().parent.parent / "portal" / "translations"
LANGUAGES = ("zh_Hans", "zh_Hant", "en")
HTML_LANG = {"zh_Hans": "zh-Hans", "zh_Hant": "zh-Hant", "en": "en"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# Written in Latin letters in every language.
ALWAYS_ALLOWED = (
    "flask portal create-staff",
    "English",
    "JPEG",
    "PNG",
    "PDF",
    "MP3",
    "M4A",
    "WAV",
    "AMR",
    "OGG",
    "KB",
    "MB",
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_not_fuzzy(language):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    with (CATALOGS / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    assert {m.id for m in template if m.id} <= {m.id for m in catalog if m.id}
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        assert all(strings), f"untranslated in {language}: {message.id!r}"
        assert not message.fuzzy, f"fuzzy in {language}: {message.id!r}"
        wanted = sorted(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == wanted, (language, message.id)


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant"])
def test_chinese_catalogs_hold_no_english(language):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            text = PLACEHOLDER.sub(
                "", message.string if isinstance(message.string, str) else " ".join(message.string)
            )
            text = re.sub(r"\b(Stripe|JPEG|PNG|PDF|MP3|M4A|WAV|AMR|OGG|KB|MB)\b", "", text)
            assert not re.findall(r"[A-Za-z]{3,}", text), (language, message.id)


def _pages(app, client, make_borrower, make_staff, who):
    """(url, status, data values to allow) for every page a user of this kind can open."""
    if who == "visitor":
        submit_form(
            client, "/activate", {"loan_number": "NOPE", "id_last4": "1234", "channel": "sms"}
        )
        borrower = make_borrower(activated=True)
        submit_form(client, "/reset", {"identifier": borrower.phone})
        from tests.helpers import outbox_bodies

        with app.app_context():
            link = re.findall(r"http://portal\.test(/reset/\S+)", outbox_bodies()[-1])[0]
        return [
            ("/", 200, ()),
            ("/login", 200, ()),
            ("/activate", 200, ()),
            ("/activate/code", 200, ()),
            ("/reset", 200, ()),
            (link, 200, ()),
            ("/reset/no-such-token", 410, ()),
            ("/no/such/page", 404, ()),
            ("/dev/outbox", 200, (borrower.phone, borrower.email)),
        ]
    if who == "borrower":
        borrower = _rich_borrower(app, make_borrower)
        log_in(client, borrower.phone)
        allowed = (borrower.loan_number,)  # no agent codes: names or translated words
        return [
            ("/", 302, ()),
            ("/loans", 200, allowed),
            (f"/loans/{borrower.loan_id}", 200, allowed),
            ("/rights", 200, ()),
            ("/rights/my-data", 200, allowed + ("Asia/Shanghai",)),
            ("/no/such/page", 404, ()),
        ]
    staff = make_staff(who)
    target = make_borrower()
    log_in(client, staff.email)
    allowed = (
        staff.email,
        target.loan_number,
        target.phone[:3],
        target.phone[-4:],
        f"C{target.borrower_id}",
        "Admin",
        "Support",
        "Approver",
    )
    if who == "admin":
        return [("/staff/admin", 200, allowed)]
    if who == "support":
        complaint, _contact = _complaint_for(
            app, _rich_borrower(app, make_borrower), resolved=False
        )
        staff_allowed = allowed + ("A017", "SYSTEM", "TS")
        return [
            ("/staff/complaints/", 200, staff_allowed),
            ("/staff/complaints/?status=resolved&sort=newest&overdue=1", 200, staff_allowed),
            (f"/staff/complaints/{complaint}", 200, staff_allowed),
        ]
    if who == "approver":
        pending = _request_for(app, make_borrower, target, offer=False)
        return [
            ("/staff/requests/", 200, allowed),
            ("/staff/requests/?state=closed&sort=largest", 200, allowed),
            (f"/staff/requests/{pending}", 200, allowed + ("A017", "SYSTEM")),
        ]
    return [
        ("/staff/borrowers", 200, allowed),
        (f"/staff/borrowers?q={target.loan_number}", 200, allowed),
        (
            f"/staff/borrowers/{target.borrower_id}",
            200,
            allowed + (target.email.split("@")[1], "customer_ref"),
        ),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("who", ["visitor", "borrower", "support", "approver", "admin"])
def test_every_page_renders_in_every_language(
    app, client, make_borrower, make_staff, who, language
):
    submit_form(client, "/", to="/language", data={"language": language})
    for url, status, allowed in _pages(app, client, make_borrower, make_staff, who):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            continue
        assert f'<html lang="{HTML_LANG[language]}">' in response.text, url
        if language != "en":
            from portal.extensions import db  # noqa: F401

            leaked = english_words(
                response.text,
                HTML_LANG[language],
                allowed=allowed + ALWAYS_ALLOWED + _customer_refs(app),
            )
            assert leaked == [], (url, leaked)


def _rich_borrower(app, make_borrower):
    """A borrower with an overdue installment and contacts of every kind, some marked."""
    from datetime import timedelta

    from portal.extensions import db
    from portal.loans.models import CONTACT_OUTCOMES, ContactLogEntry, LoanDueDate

    record = make_borrower()
    now = NOW
    with app.app_context():
        db.session.add(
            LoanDueDate(
                loan_id=record.loan_id,
                due_on=(now - timedelta(days=40)).date(),
                principal_minor=100_000,
                interest_minor=0,
            )
        )
        kinds = [
            ("call", "borrower"),
            ("sms", "borrower"),
            ("email", "borrower"),
            ("push", "borrower"),
            ("visit", "borrower"),
            ("letter", "borrower"),
            ("legal", "borrower"),
            ("call", "emergency_contact"),
            ("call", "family"),
            ("call", "employer"),
            ("call", "other_third_party"),
        ]
        for n, (channel, party) in enumerate(kinds):
            db.session.add(
                ContactLogEntry(
                    loan_id=record.loan_id,
                    reference=f"I18N-{record.loan_id}-{n}",
                    contacted_at=now - timedelta(hours=n * 5 + 1),
                    channel=channel,
                    party=party,
                    agent="A017" if n % 2 else "SYSTEM",
                    outcome=CONTACT_OUTCOMES[n % len(CONTACT_OUTCOMES)],
                )
            )
        db.session.commit()
    return record


def _request_for(app, make_borrower, record, *, offer):
    """A pending request on the borrower's loan, approved into an offer when asked."""
    from datetime import timedelta

    from portal.auth.service import create_staff_user
    from portal.extensions import db
    from portal.loans.models import Borrower
    from portal.plans import service
    from portal.plans.terms import INSTALLMENT_PLAN, Terms

    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        context = service.request_context(borrower, record.loan_id)
        hardship = service.submit_request(
            borrower,
            record.loan_id,
            Terms(
                INSTALLMENT_PLAN,
                months=3,
                down_payment=10_000,
                first_due_on=context.today + timedelta(days=5),
            ),
            reason_code="job_loss",
            reason_text="",
        )
        if offer:
            approver = create_staff_user(
                f"a{hardship.id}@staff.example", "A", "approver", "a long staff passphrase"
            )
            service.decide(hardship.id, approver, "approve")
        db.session.commit()
        return hardship.id


def _complaint_for(app, record, *, resolved):
    """A complaint about the borrower's first contact, with a reply and a note (or resolved)."""
    import sqlalchemy as sa

    from portal.auth.service import create_staff_user
    from portal.complaints import service
    from portal.extensions import db
    from portal.loans.models import Borrower, ContactLogEntry

    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        contact = db.session.scalar(
            sa.select(ContactLogEntry.id).where(ContactLogEntry.loan_id == record.loan_id).limit(1)
        )
        complaint = service.file_complaint(
            borrower,
            record.user_id,
            category="harassment",
            description="他们骂我。",
            desired_outcome="道歉",
            contact_id=contact,
            files=[],
        )
        staff = create_staff_user(
            f"s{complaint.id}@staff.example", "客服", "support", "a long staff passphrase"
        )
        service.staff_action(complaint.id, staff, "reply", body="我们正在调查。")
        service.staff_action(complaint.id, staff, "note", body="内部")
        if resolved:
            service.staff_action(
                complaint.id,
                staff,
                "resolve",
                outcome="monetary_relief",
                relief_minor=5_000,
                body="已处理。",
            )
        db.session.commit()
        return complaint.id, contact


def _payment_for(app, record):
    """A payment of 100.00 that succeeded through the development path."""
    from portal.extensions import db
    from portal.loans.models import Borrower
    from portal.payments import service

    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        options = service.pay_options(borrower, record.loan_id)
        payment, _ = service.start_payment(
            borrower, options, "other_amount", 10_000, service.new_form_token(), "development"
        )
        service.post_success(payment.id, amount_received=10_000, payment_intent_id=None)
        db.session.commit()
        return payment.id


def _customer_refs(app):
    import sqlalchemy as sa

    from portal.extensions import db
    from portal.loans.models import Borrower

    with app.app_context():
        refs = db.session.scalars(sa.select(Borrower.customer_ref)).all()
        emails = db.session.scalars(sa.select(Borrower.email)).all()
    return (
        tuple(refs)
        + tuple(e for e in emails if e)
        + tuple("*" + e.split("@")[0][:1] + "***@" + e.split("@")[1] for e in emails if e)
    )


@pytest.mark.parametrize(
    "header, language",
    [
        ("zh-CN,zh;q=0.9", "zh_Hans"),
        ("zh-TW", "zh_Hant"),
        ("zh-HK,en;q=0.5", "zh_Hant"),
        ("zh-Hant-TW", "zh_Hant"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR,de;q=0.8", "zh_Hans"),
        ("fr-FR,en;q=0.5", "en"),
        ("", "zh_Hans"),
    ],
)
def test_accept_language_decides_when_nothing_was_chosen(client, header, language):
    response = client.get("/login", headers={"Accept-Language": header})
    assert f'<html lang="{HTML_LANG[language]}">' in response.text


def test_chosen_language_wins_over_the_browser(client):
    submit_form(client, "/", to="/language", data={"language": "zh_Hant"})
    response = client.get("/login", headers={"Accept-Language": "en"})
    assert '<html lang="zh-Hant">' in response.text


def test_unknown_language_choice_is_ignored(client):
    response = submit_form(
        client, "/", to="/language", data={"language": "klingon", "next": "//evil.example"}
    )
    assert response.status_code == 302 and response.location == "/"


def test_borrowers_choice_is_saved_on_their_account(app, client, make_borrower):
    record = make_borrower(language="zh_Hans")
    log_in(client, record.phone)
    submit_form(client, "/", to="/language", data={"language": "en", "next": "/"})
    fresh = app.test_client()
    log_in(fresh, record.phone)
    assert '<html lang="en">' in fresh.get("/loans").text


def test_language_survives_login(client, make_borrower):
    record = make_borrower(language="zh_Hans")
    submit_form(client, "/", to="/language", data={"language": "zh_Hant"})
    log_in(client, record.phone)
    assert '<html lang="zh-Hant">' in client.get("/loans").text


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant", "en"])
@pytest.mark.parametrize(
    "amount, currency, shown",
    [(123456, "CNY", "¥1,234.56"), (-1600000, "CNY", "-¥16,000.00"), (-5, "HKD", "-HK$0.05")],
)
def test_money_is_written_the_same_way_in_every_language(app, language, amount, currency, shown):
    from flask_babel import force_locale

    from portal.i18n import format_money

    with app.test_request_context(), force_locale(language):
        assert format_money(amount, currency) == shown


def test_money_is_integer_minor_units():
    from portal.i18n import format_money

    with pytest.raises(TypeError):
        format_money(1.5, "CNY")


# 14:00:33 UTC is 22:00:33 in Shanghai: 24-hour times, no seconds, days no reader can misread.
MOMENT = datetime(2026, 11, 24, 14, 0, 33, tzinfo=UTC)


@pytest.mark.parametrize(
    "language, size, day, moment",
    [
        ("zh_Hans", "medium", "2026年11月24日", "2026年11月24日 22:00"),
        ("zh_Hans", "short", "2026年11月24日", "2026年11月24日 22:00"),
        ("zh_Hans", "long", "2026年11月24日", "2026年11月24日 22:00"),
        ("zh_Hans", "full", "2026年11月24日星期二", "2026年11月24日星期二 22:00"),
        ("zh_Hant", "medium", "2026年11月24日", "2026年11月24日 22:00"),
        ("zh_Hant", "short", "2026年11月24日", "2026年11月24日 22:00"),
        ("zh_Hant", "full", "2026年11月24日 星期二", "2026年11月24日 星期二 22:00"),
        ("en", "medium", "24 Nov 2026", "24 Nov 2026, 22:00"),
        ("en", "short", "24 Nov 2026", "24 Nov 2026, 22:00"),
        ("en", "long", "24 November 2026", "24 November 2026, 22:00"),
        ("en", "full", "Tuesday, 24 November 2026", "Tuesday, 24 November 2026, 22:00"),
    ],
)
def test_days_and_times_are_written_one_way_per_language(app, language, size, day, moment):
    from flask_babel import force_locale

    from portal.i18n import format_date, format_datetime

    with app.test_request_context(), force_locale(language):
        assert format_date(MOMENT, size) == day
        assert format_date(MOMENT.date(), size) == day
        assert format_datetime(MOMENT, size) == moment


@pytest.mark.parametrize(
    "value, zone, shown",
    [
        (MOMENT, None, "22:00"),
        (MOMENT, "America/New_York", "09:00"),
        (datetime(2026, 11, 24, 15, 15, 59, tzinfo=UTC), None, "23:15"),
        (time(8, 5, 30), None, "08:05"),
    ],
)
def test_times_are_on_the_24_hour_clock_without_seconds(app, value, zone, shown):
    from portal.i18n import format_time

    with app.test_request_context():
        assert format_time(value, ZoneInfo(zone) if zone else None) == shown


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant", "en"])
def test_pages_and_refusals_share_the_formats(app, language):
    # A page's filters and a refusal text write a day the same way (messages: test_notices).
    from flask import render_template_string
    from flask_babel import force_locale

    from portal.errors import DomainError, message_for
    from portal.i18n import format_date
    from portal.plans.labels import MESSAGES

    with app.test_request_context(), force_locale(language):
        page = render_template_string("{{ moment | datetime('medium') }}", moment=MOMENT)
        refusal = message_for(DomainError("first_due_on", days=30, latest=MOMENT.date()), MESSAGES)
        assert format_date(MOMENT.date()) in page and format_date(MOMENT.date()) in refusal
        assert "22:00" in page and ":33" not in page and "PM" not in page


@pytest.mark.parametrize(
    "tag, language",
    [("zh", "zh_Hans"), ("zh-SG", "zh_Hans"), ("zh-MO", "zh_Hant"), ("EN-gb", "en"), ("ja", None)],
)
def test_language_from_tag(tag, language):
    assert language_from_tag(tag) == language


def test_language_from_accept_header_defaults_to_simplified_chinese():
    assert language_from_accept_header([]) == "zh_Hans"


def test_templates_follow_a_change_of_language_within_a_request(app):
    # Templates look the catalog up once per request; force_locale and refresh still switch it.
    from flask import render_template_string, session
    from flask_babel import force_locale, refresh

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        page = "{{ _('Log in') }}"
        assert render_template_string(page) == "登录"
        with force_locale("en"):
            assert render_template_string(page) == "Log in"
        assert render_template_string(page) == "登录"
        session["language"] = "zh_Hant"
        refresh()
        assert render_template_string(page) == "登入"


# Characters written only in Simplified Chinese (their Traditional form differs and the
# character itself is not used in Traditional text), and the reverse. Characters shared by
# both scripts in some words (只, 台, 系, 准, 面, 里, 干, 划, 余, 周 ...) are left out.
SIMPLIFIED_ONLY = (
    "这为们说还时经联请关于对发现后问题过应该个来会国实学动种开进么将与业样长间头没从两电话"
    "让认书东车门见点无机产体当总边员办给录纪记计审结贷额费银单务处码号网页确设邮简讯语选择输"
    "错误类别签订约则规罚违严险权隐数条阶级诉讼师劳扫传图态担负债偿缴纳难虑构报帮宽减积极际检"
    "验证详细读写节营运监诚亲岁币优质热烦闭阅载软显库储备资标测试达频视钱继续专欢络觉变转换缓"
    "紧响损维护坏责销恶绝虽带导闻须顾碍谢终场户启询释览账术着拟满馈链锁状况钟汇获团据历复尽"
)
TRADITIONAL_ONLY = (
    "這為們說還時經聯繫請關於對發現後問題過應該個來會國實學動種開進麼將與業樣長間頭沒從兩電話"
    "讓認書東車門見點無機產體當總邊員辦給錄紀記計審結貸額費銀單務處碼號網頁確設郵簡訊語選擇輸"
    "錯誤類別簽訂約則規罰違嚴險權隱數條階級訴訟師勞掃傳圖態擔負債償繳納難慮構報幫寬減積極際檢"
    "驗證詳細讀寫節營運監誠親歲幣優質熱煩閉閱載軟顯庫儲備資標測試達頻視錢繼續專歡絡覺變轉換緩"
    "緊響損維護壞責銷惡絕雖帶導聞須顧礙謝終場戶啟詢釋覽帳術擬滿饋鏈鎖狀況鐘匯獲團據歷曆復複盡"
    "準劃係裡裏臺隻範週餘製佈"
)
# Mainland words that Taiwan writes otherwise (zh_Hant uses Taiwan terms).
MAINLAND_TERMS = ("聯繫", "記錄", "計劃", "審批", "辦結", "首付", "銀行卡", "信息", "短信", "默認")


def _msgstrs(language):
    with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            yield message.id, "".join(strings)


def test_the_character_lists_do_not_overlap():
    assert not set(SIMPLIFIED_ONLY) & set(TRADITIONAL_ONLY)


@pytest.mark.parametrize(
    "language, foreign",
    [("zh_Hant", SIMPLIFIED_ONLY), ("zh_Hans", TRADITIONAL_ONLY)],
)
def test_each_chinese_catalog_is_written_in_its_own_script(language, foreign):
    wrong = {
        msgid: "".join(sorted({ch for ch in text if ch in foreign}))
        for msgid, text in _msgstrs(language)
        if any(ch in foreign for ch in text)
    }
    assert wrong == {}


def test_traditional_chinese_uses_the_taiwan_terms():
    wrong = {
        msgid: [term for term in MAINLAND_TERMS if term in text]
        for msgid, text in _msgstrs("zh_Hant")
        if any(term in text for term in MAINLAND_TERMS)
    }
    assert wrong == {}
    texts = dict(_msgstrs("zh_Hant"))
    assert texts["Contact log"] == "催收聯絡紀錄"
    assert texts["Down payment"] == "頭期款"
    assert texts["Waiting for a decision"] == "審核中"
    assert texts["Complaint closed"] == "投訴已結案"
    assert "還款計畫" in texts["Plan rules"]
