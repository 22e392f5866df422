"""Every page of the portal, in every language, on a phone and a desktop, has no WCAG 2.2 AA
violation that axe-core finds and is no wider than the screen; a full-page screenshot of each is
left in test-artifacts/ as <role>-<page>-<language>-<size>.png, to be looked at.

The pages come from the URL map: every GET route a role reaches is opened with the ids of a
world that holds every state worth seeing (the demo data, plus a loan with an accepted plan,
one with a counter-offer waiting, one with a request waiting, a promise, a dispute, payments, an
open and a resolved complaint, contacts that broke the rules). Pages that only appear after a
step (a form sent, a link from a message, an error) are reached by the STEPS below, and every
rule editor's preview by sending its form as shown. Two checks keep the list whole: every GET
route is opened or named in NOT_PAGES with a reason, and every template is rendered or named in
NOT_RENDERED with a reason, so a new page without coverage fails this test.

Run it (a few minutes per language on an idle machine):
    PYTHONPATH=. .venv/bin/python -m pytest -m browser tests/browser/test_accessibility.py
While working, A11Y_LANGUAGES=en (a comma-separated list) walks some languages and
A11Y_ROLES=borrower,support some roles (then the coverage is not checked); CI runs everything.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import product
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import template_rendered

from portal.extensions import db
from tests.browser.conftest import ARTIFACTS
from tests.helpers import TEST_PASSWORD, TODAY, totp_code

pytestmark = pytest.mark.browser

LANGUAGES = ("zh_Hans", "zh_Hant", "en")
CHOSEN = [
    language
    for language in os.environ.get("A11Y_LANGUAGES", ",".join(LANGUAGES)).split(",")
    if language
]
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# The same browser for both sizes, so that the session cookie of one serves the other.
USER_AGENT = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130 Mobile Safari/537.36"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
ALL_ROLES = ("visitor", "borrower", "support", "approver", "admin")
# A11Y_ROLES narrows the walk to some roles while working (then coverage is not checked).
ROLES = tuple(role for role in os.environ.get("A11Y_ROLES", ",".join(ALL_ROLES)).split(",") if role)

# GET routes that are not pages, each with the reason.
NOT_PAGES = {
    "static": "files, not pages",
    "main.health": "a JSON health check for the load balancer",
    "main.download_file": "an uploaded file, sent as a download",
    "account.my_data": "the machine-readable data download (JSON)",
    "staff_admin.audit_export": "the audit log as CSV",
    "staff.home": "forwards each staff role to its own home page",
}
# Templates never rendered as a page of their own, each with the reason.
NOT_RENDERED = {
    "base.html": "the layout every page extends",
    "partials/lender_contact.html": "included in the footer of base.html on every public page",
}
# axe-core, as axe-playwright-python bundles it: loaded into every page of the test's browsers.
AXE_SCRIPT = (Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js").read_text(
    encoding="utf-8"
)
TEMPLATES = Path(__file__).resolve().parents[2] / "portal" / "templates"


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    app: object
    make_staff: Callable
    ids: dict[str, dict[str, int]]  # route argument -> state -> the id of a row in it
    logins: dict[str, tuple[str, str]]  # role -> identifier, password
    activation: dict[str, str]
    reset_token: str
    invitation_token: str
    borrower_phone: str


def _extra_loan(borrower_id: int, number: str, days_late: int) -> int:
    """Another overdue loan of the borrower, for a request of its own."""
    from portal.loans.journal import Components
    from portal.loans.models import Loan, LoanDueDate
    from portal.loans.service import post_entry

    loan = Loan(
        borrower_id=borrower_id,
        loan_number=number,
        product="personal",
        currency="CNY",
        opened_on=date(2026, 2, 1),
    )
    db.session.add(loan)
    db.session.flush()
    post_entry(
        loan.id,
        "charge",
        Components(principal=1_200_000),
        posted_at=datetime(2026, 2, 1, tzinfo=UTC),
        reference=f"A11Y-{number}",
    )
    db.session.add(
        LoanDueDate(
            loan_id=loan.id,
            due_on=TODAY - timedelta(days=days_late),
            principal_minor=200_000,
            interest_minor=0,
        )
    )
    db.session.flush()
    return loan.id


def build_world(app, make_staff) -> World:
    """The demo data, and 张伟 (in the phone-contact stage, with contacts that broke the rules)
    given every state a borrower's pages can show."""
    from portal.auth.models import User
    from portal.auth.service import request_password_reset
    from portal.complaints import service as complaints
    from portal.demo import BORROWERS, DEMO_PASSWORD, load_demo
    from portal.disputes.service import open_dispute
    from portal.loans.models import Borrower, Loan
    from portal.payments import service as payments
    from portal.plans import service as plans
    from portal.plans.terms import INSTALLMENT_PLAN, Terms
    from portal.promises.service import make_promise, promise_context
    from portal.staff.accounts import invite

    staff = {role: make_staff(role) for role in ("support", "approver", "admin")}
    by_ref = {b.ref: b for b in BORROWERS}
    # A request's context: the invitation and the reset link are written in its language.
    with app.test_request_context():
        load_demo()
        db.session.flush()
        zhang = db.session.scalar(sa.select(Borrower).where(Borrower.customer_ref == "C-DEMO-3"))
        user = db.session.scalar(sa.select(User).where(User.borrower_id == zhang.id))
        approver = db.session.get(User, staff["approver"].user_id)
        support = db.session.get(User, staff["support"].user_id)
        first = db.session.scalar(sa.select(Loan.id).where(Loan.borrower_id == zhang.id))
        planned = _extra_loan(zhang.id, "DEMO-1003-P", 30)
        offered = _extra_loan(zhang.id, "DEMO-1003-O", 10)
        waiting_loan = _extra_loan(zhang.id, "DEMO-1003-W", 5)
        terms = Terms(INSTALLMENT_PLAN, months=6, first_due_on=TODAY + timedelta(days=7))
        plan_request = plans.submit_request(
            zhang, planned, terms, reason_code="income_drop", reason_text="工资推迟发放。"
        )
        plans.decide(plan_request.id, approver, "approve")
        plans.accept_offer(zhang, user.id, plan_request.id)
        counter_request = plans.submit_request(
            zhang, offered, terms, reason_code="illness", reason_text=""
        )
        plans.decide(
            counter_request.id,
            approver,
            "counter",
            counter=Terms(INSTALLMENT_PLAN, months=12, first_due_on=TODAY + timedelta(days=14)),
        )
        waiting_request = plans.submit_request(
            zhang,
            waiting_loan,
            Terms(INSTALLMENT_PLAN, months=3, first_due_on=TODAY + timedelta(days=10)),
            reason_code="other",
            reason_text="",
        )
        promised = promise_context(zhang, first)
        make_promise(zhang, first, promised.minimum, TODAY + timedelta(days=3))
        dispute = open_dispute(
            zhang, first, kind="wrong_amount", statement="这笔滞纳金我不认可。", files=[]
        )
        options = payments.pay_options(zhang, first)
        paid, _ = payments.start_payment(
            zhang, options, "other_amount", 50_000, payments.new_form_token(), "development"
        )
        payments.post_success(paid.id, amount_received=50_000, payment_intent_id=None)
        options = payments.pay_options(zhang, first)
        waiting, _ = payments.start_payment(
            zhang, options, "other_amount", 10_000, payments.new_form_token(), "development"
        )
        resolved = complaints.file_complaint(
            zhang,
            user.id,
            category="wrong_amount",
            description="还款金额显示不对。",
            desired_outcome="更正金额。",
            contact_id=None,
            files=[],
        )
        complaints.staff_action(
            resolved.id, support, "resolve", body="已更正。", outcome="non_monetary_relief"
        )
        from portal.corrections import service as corrections
        from portal.uploads import CheckedFile

        open_correction = corrections.ask(
            zhang,
            user.id,
            field="address",
            value="上海市浦东新区世纪大道 100 号",
            explanation="我搬家了。",
            files=[CheckedFile("租房合同.pdf", "application/pdf", b"%PDF-1.7\n" + b"x" * 64)],
        )
        refused_correction = corrections.ask(
            zhang, user.id, field="email", value="zhang.wei@example.net", explanation="", files=[]
        )
        corrections.refuse(refused_correction.id, support, reason="请用您名下的邮箱。")
        complaint_ids = db.session.scalars(
            sa.select(complaints.Complaint.id)
            .where(complaints.Complaint.borrower_id == zhang.id)
            .order_by(complaints.Complaint.id)
        ).all()
        resets, invitations = [], []
        li_na = by_ref["C-DEMO-2"]
        request_password_reset(li_na.phone, address=None, link_for=resets.append)
        invite(
            "new.colleague@lender.example", "New colleague", "support", link_for=invitations.append
        )
        db.session.commit()
        to_activate = by_ref["C-DEMO-7"]
        return World(
            app=app,
            make_staff=make_staff,
            ids={
                "loan_id": {
                    "overdue": first,
                    "plan": planned,
                    "offer": offered,
                    "waiting": waiting_loan,
                },
                "request_id": {
                    "plan": plan_request.id,
                    "offer": counter_request.id,
                    "waiting": waiting_request.id,
                },
                "complaint_id": dict(zip(("open", "resolved"), complaint_ids, strict=True)),
                "payment_id": {"paid": paid.id, "pending": waiting.id},
                "dispute_id": {"open": dispute.id},
                "correction_id": {"open": open_correction.id, "refused": refused_correction.id},
                "borrower_id": {"zhang": zhang.id},
                "user_id": {"support": staff["support"].user_id},
            },
            logins={
                "borrower": (by_ref["C-DEMO-3"].phone, DEMO_PASSWORD),
                **{role: (record.email, TEST_PASSWORD) for role, record in staff.items()},
            },
            activation={
                "loan_number": to_activate.loan_number,
                "id_last4": to_activate.last4,
            },
            reset_token=_token(resets[0]),
            invitation_token=_token(invitations[0]),
            borrower_phone=li_na.phone,
        )


def _token(link: str) -> str:
    """The token of a link the portal would send (the service may hand a token or a link)."""
    return link.rstrip("/").rsplit("/", 1)[-1]


# --- pages reached by a step -------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A page that appears after a step: `role` opens it with `reach(page, base, world)`; it
    covers `endpoint` (or none: an error page). `status` is the answer the page comes with."""

    name: str
    role: str
    reach: Callable
    endpoint: str | None = None
    status: int = 200


# The page's own form (not the language switcher or the log-out button in the header).
MAIN_FORM = "main form[method=post]"


def _submit(page, form_selector: str) -> None:
    """Send a form as shown, with its first submit button."""
    with page.expect_navigation():
        page.locator(form_selector).first.locator("[type=submit]").first.click()


def _fill(page, values: dict[str, str]) -> None:
    for name, value in values.items():
        field_ = page.locator(f"[name={name}]").first
        if field_.get_attribute("type") in ("radio", "checkbox"):
            page.locator(f"[name={name}][value={value}]").check()
        else:
            field_.fill(value)


def _activation_code(page, base, world):
    page.goto(base + "/activate")
    _fill(page, world.activation)
    _submit(page, MAIN_FORM)


def _reset_sent(page, base, world):
    page.goto(base + "/reset")
    _fill(page, {"identifier": world.borrower_phone})
    _submit(page, MAIN_FORM)


def _login_refused(page, base, world):
    page.goto(base + "/login")
    _fill(page, {"identifier": world.borrower_phone, "password": "not the password"})
    _submit(page, MAIN_FORM)


def _second_step(page, base, world):
    identifier, password = world.logins["support"]
    page.goto(base + "/login")
    _fill(page, {"identifier": identifier, "password": password})
    _submit(page, MAIN_FORM)


def _expired_form(page, base, world):
    page.goto(base + "/login")
    page.evaluate(
        "document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'expired')"
    )
    _fill(page, {"identifier": world.borrower_phone, "password": "whatever it is"})
    _submit(page, MAIN_FORM)


def _log_in(page, base, identifier, password):
    page.goto(base + "/login")
    _fill(page, {"identifier": identifier, "password": password})
    _submit(page, MAIN_FORM)
    if page.url.endswith("/login/code"):
        page.locator("[name=code]").fill(totp_code())
        _submit(page, MAIN_FORM)


def _enrolment(page, base, world):
    newcomer = world.make_staff("support", enrolled=False)
    _log_in(page, base, newcomer.email, TEST_PASSWORD)
    page.wait_for_url("**/staff/second-factor")


def _recovery_codes(page, base, world):
    import pyotp

    _enrolment(page, base, world)
    secret = page.locator("#totp-secret").inner_text().strip()
    page.locator("[name=code]").fill(pyotp.TOTP(secret).now())
    _submit(page, MAIN_FORM)


def _complaint_refused(page, base, world):
    page.goto(base + "/complaints/new")
    _submit(page, MAIN_FORM)


def _request_preview(page, base, world):
    page.goto(f"{base}/loans/{world.ids['loan_id']['overdue']}/request")
    first_due_on = (TODAY + timedelta(days=10)).isoformat()
    _fill(page, {"kind": "installment_plan", "months": "6", "first_due_on": first_due_on})
    with page.expect_navigation():
        page.locator("main button[value=preview]").first.click()


def _decision_to_confirm(page, base, world):
    page.goto(f"{base}/staff/requests/{world.ids['request_id']['waiting']}")
    _submit(page, "form[action$='/decide']")


def _resolution_to_confirm(page, base, world):
    page.goto(f"{base}/staff/complaints/{world.ids['complaint_id']['open']}/resolve")
    _fill(page, {"outcome": "explanation", "body": "我们已核对您的还款记录并更正了金额。"})
    _submit(page, "main form[method=post]")


def _correction_to_confirm(page, base, world):
    page.goto(f"{base}/staff/corrections/{world.ids['correction_id']['open']}")
    _submit(page, "form[action$='/accept']")


def _withdraw_question(page, base, world):
    page.goto(f"{base}/requests/{world.ids['request_id']['waiting']}/withdraw")


def _preview(path):
    def reach(page, base, world):
        page.goto(base + path)
        _submit(page, f"form[action$='{path}/preview']")

    return reach


STEPS = [
    Step("activate-code", "visitor", _activation_code, "auth.activate_code"),
    Step("reset-sent", "visitor", _reset_sent),
    Step(
        "reset-password",
        "visitor",
        lambda page, base, world: page.goto(f"{base}/reset/{world.reset_token}"),
        "auth.reset_password",
    ),
    Step(
        "reset-invalid",
        "visitor",
        lambda page, base, world: page.goto(f"{base}/reset/no-such-token"),
        status=410,
    ),
    Step(
        "invitation",
        "visitor",
        lambda page, base, world: page.goto(f"{base}/invitation/{world.invitation_token}"),
        "access.invitation",
    ),
    Step(
        "invitation-invalid",
        "visitor",
        lambda page, base, world: page.goto(f"{base}/invitation/no-such-token"),
        status=410,
    ),
    Step("login-refused", "visitor", _login_refused),
    Step("second-step", "visitor", _second_step, "access.second_step"),
    Step(
        "not-found",
        "visitor",
        lambda page, base, world: page.goto(base + "/no-such-page"),
        status=404,
    ),
    Step("expired-form", "visitor", _expired_form, status=400),
    Step("enrol", "visitor", _enrolment, "access.enrol"),
    Step("recovery-codes", "visitor", _recovery_codes),
    Step("complaint-refused", "borrower", _complaint_refused),
    Step("request-preview", "borrower", _request_preview),
    Step(
        "borrower-not-found",
        "borrower",
        lambda page, base, world: page.goto(base + "/loans/999999"),
        status=404,
    ),
    Step("decision-confirm", "approver", _decision_to_confirm),
    Step("resolution-confirm", "support", _resolution_to_confirm),
    Step("correction-confirm", "support", _correction_to_confirm),
    Step("withdraw-question", "borrower", _withdraw_question, "plans.withdraw"),
]


def _preview_steps(app) -> list[Step]:
    """Every rule editor's preview: its form sent as the editor shows it."""
    steps = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("_preview") and rule.rule.endswith("/preview"):
            path = rule.rule.removesuffix("/preview")
            name = rule.endpoint.split(".")[-1].replace("_", "-")
            steps.append(Step(name, "admin", _preview(path)))
    return steps


# --- pages from the URL map --------------------------------------------------------------------


def _reaches(rule, view, role: str) -> bool:
    roles = getattr(view, "allowed_roles", None)
    if roles is not None:
        return role in roles
    return role == "visitor" and not rule.arguments


# Pages that look different in each state of the world's rows: opened once per state. The
# others are opened with the first row of each argument (the overdue loan, the paid payment).
STATES = {
    "account.loan",
    "plans.show_request",
    "approvals.review",
    "support.show",
    "complaints.show",
    "payments.status",
    "corrections.show",
    "support_corrections.show",
}


def route_pages(app, world: World) -> dict[str, list[tuple[str, str, str]]]:
    """role -> (name, endpoint, address) of every GET page of the URL map it reaches."""
    stepped = {step.endpoint for step in STEPS}
    pages = {role: [] for role in ROLES}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES.keys() | stepped:
            continue
        arguments = sorted(rule.arguments)
        states = [list(world.ids[arg].items()) for arg in arguments]
        if rule.endpoint not in STATES:
            states = [found[:1] for found in states]
        for role in ROLES:
            if not _reaches(rule, app.view_functions[rule.endpoint], role):
                continue
            for chosen in product(*states):
                address = rule.rule
                for arg, (_state, value) in zip(arguments, chosen, strict=True):
                    address = re.sub(r"<(?:\w+:)?" + arg + ">", str(value), address)
                name = rule.endpoint.replace(".", "-").replace("_", "-")
                if rule.endpoint in STATES:
                    name += "".join(f"-{state}" for state, _value in chosen)
                pages[role].append((name, rule.endpoint, address))
    return pages


# --- the walk ----------------------------------------------------------------------------------


@dataclass
class Visit:
    problems: list[str] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)
    count: int = 0


def _check(page, visit: Visit, name: str, language: str, size: str, status: int, got):
    visit.count += 1
    if got != status:
        visit.problems.append(f"{name} [{language}, {size}]: answered {got}, expected {status}")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > SIZES[size]["width"]:
        visit.problems.append(f"{name} [{language}, {size}]: the page is {width} px wide")
    page.screenshot(path=str(ARTIFACTS / f"{name}-{language}-{size}.png"), full_page=True)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    for violation in results["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        visit.problems.append(
            f"{name} [{language}, {size}]: {violation['id']} ({violation['impact']}) "
            f"on {targets}: {violation['help']}"
        )


BROWSER_LOCALES = {"zh_Hans": "zh-CN", "zh_Hant": "zh-TW", "en": "en-US"}


def _context(browser, size: str, language: str, state=None):
    """A phone or a desktop browser set to the language, with a session's cookies."""
    phone = {"is_mobile": True, "has_touch": True}
    context = browser.new_context(
        viewport=SIZES[size],
        user_agent=USER_AGENT,
        locale=BROWSER_LOCALES[language],
        storage_state=state,
        **(phone if size == "phone" else {}),
    )
    context.add_init_script(AXE_SCRIPT)
    return context


def _session(browser, base: str, language: str, world: World, role: str):
    """The cookies of a browser logged in as the role (visitors are not), in the language."""
    context = _context(browser, "desktop", language)
    page = context.new_page()
    if role != "visitor":
        _log_in(page, base, *world.logins[role])
    page.goto(base + "/")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = context.request.post(
        base + "/language", form={"language": language, "csrf_token": token, "next": "/"}
    )
    assert answer.ok, answer.status
    state = context.storage_state()
    context.close()
    return state


def _navigation_statuses(page) -> list[int]:
    """The HTTP statuses of the page's navigations, as they come."""
    statuses = []

    def answered(response):
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            statuses.append(response.status)

    page.on("response", answered)
    return statuses


@pytest.mark.parametrize("language", CHOSEN)
def test_every_page_has_no_wcag_violation(
    app, live_server, browser, make_staff, language, tmp_path
):
    ARTIFACTS.mkdir(exist_ok=True)
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    rendered = set()

    def remember(sender, template, context, **extra):
        rendered.add(template.name)

    template_rendered.connect(remember, app)
    world = build_world(app, make_staff)
    pages = route_pages(app, world)
    steps = STEPS + _preview_steps(app)
    visit = Visit()
    try:
        states = {role: _session(browser, live_server, language, world, role) for role in ROLES}
        for role, size in product(ROLES, SIZES):
            state = states[role]
            context = _context(browser, size, language, state)
            page = context.new_page()
            for name, endpoint, address in pages[role]:
                response = page.goto(live_server + address)
                visit.visited.add(endpoint)
                got = response.status if response else None
                _check(page, visit, f"{role}-{name}", language, size, 200, got)
            context.close()
            for step in (step for step in steps if step.role == role):
                # Each step in a browser of its own: some log in or out.
                context = _context(browser, size, language, state)
                page = context.new_page()
                statuses = _navigation_statuses(page)
                step.reach(page, live_server, world)
                visit.visited.add(step.endpoint)
                got = statuses[-1] if statuses else None
                _check(page, visit, f"{role}-{step.name}", language, size, step.status, got)
                context.close()
    finally:
        template_rendered.disconnect(remember, app)

    gaps = _coverage_gaps(app, visit.visited, rendered) if ROLES == ALL_ROLES else []
    report = "\n".join(gaps + visit.problems)
    assert not gaps and not visit.problems, f"on {visit.count} pages:\n{report}"


def _coverage_gaps(app, visited: set, rendered: set) -> list[str]:
    """The GET routes and templates the walk did not show, unless named with a reason."""
    gaps = []
    unvisited = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_PAGES
    } - visited
    if unvisited:
        gaps.append(f"GET routes no page of this test opens: {sorted(unvisited)}")
    templates = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if "macros" not in path.parts
    }
    unrendered = templates - rendered - set(NOT_RENDERED)
    if unrendered:
        gaps.append(f"templates no page of this test shows: {sorted(unrendered)}")
    return gaps
