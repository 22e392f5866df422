"""Hostile input on every page, filter and form of the URL map never gets a 5xx answer.

For each role and every route it can reach, the walk opens the route's pages with real ids and
with ids beyond every column's range, with hostile values in every query-string name the portal
reads, and sends every form found on those pages with one field at a time set to a hostile value
(the other fields as the page filled them in, or plausible). The CSRF token is read from the
pages, as a browser does. It runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from portal.extensions import db
from tests.helpers import TODAY, csrf_token, log_in, submit_form

ROLES = ("visitor", "borrower", "support", "approver", "admin")

NUL = "ab\x00cd"
ASTRAL = "😀𠀀" * 50
HUGE_NUMBERS = ["2147483648", "9223372036854775808", "1" + "0" * 30]
# Typed or tampered values: empty, oversized, NUL, astral characters, negative, beyond every
# integer column, a digit that is not ASCII, not a whole number, and a field sent twice.
HOSTILE = [
    "",
    "x" * 100_000,
    NUL,
    ASTRAL,
    "-1",
    *HUGE_NUMBERS,
    "²",
    "1.5e3",
    ["1", "2"],
]
# A field left out of the form; a file part where text is expected (multipart forms); what can
# be sent for a file field.
LEFT_OUT = "the field left out"
A_FILE = "a file instead of text"
FILE_VALUES = [
    NUL,
    (b"\x89PNG\r\n\x1a\n", "a\x00b.png"),
    (b"\x89PNG\r\n\x1a\n", ASTRAL + ".png"),
    (b"\x89PNG\r\n\x1a\n", "x" * 5_000 + ".png"),
    (b"", "empty.png"),
]
# The sample sent in every query-string name at once, on every page, and as the CSRF token.
SAMPLE = ["x" * 100_000, NUL, ASTRAL, "9223372036854775808", "²", ["1", "2"]]
HOSTILE_IDS = [0, 2**31, 2**63, 10**30, "9" * 5_000]
HOSTILE_PATH_TEXT = [NUL, ASTRAL, "x" * 5_000, "..%2F..%2Fetc"]

# Values a person would type into an empty field, so that the other fields of a form pass and
# the hostile one reaches the code behind the form.
FREE_TEXT = {"description", "body", "reason", "reason_text", "note"}
PLAUSIBLE = {
    "identifier": "13800000000",
    "password": "a long and unusual phrase 7",
    "confirm": "a long and unusual phrase 7",
    "loan_number": "NO-SUCH-LOAN",
    "id_last4": "1234",
    "code": "000000",
    "months": "12",
    "extension_days": "14",
    "first_due_on": (TODAY + timedelta(days=10)).isoformat(),
    "description": "They called me at night.",
    "body": "A message.",
    "reason": "I do not agree.",
    "other_amount": "100.00",
    "relief": "10.00",
    "agree": "y",
}

# Every name the portal reads from a query string, from its source.
PORTAL = Path(__file__).resolve().parent.parent / "portal"
QUERY_NAMES = sorted(
    {
        name
        for path in PORTAL.rglob("*.py")
        for name in re.findall(
            r'(?:request\.args\.get|query_string\.\w+)\(\s*"(\w+)"',
            path.read_text(encoding="utf-8"),
        )
    }
)


# --- reading forms from a page ----------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    # name -> the values the page offers, the page's own choice first
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)
    unchecked: set[str] = field(default_factory=set)

    def baseline(self) -> dict[str, str]:
        """What a person sends: the page's values or its first real choice, plausible text in
        the empty fields, no files."""
        data = {}
        for name, values in self.fields.items():
            value = values[0] if values else ""
            if not value.strip() or name in self.unchecked:
                value = PLAUSIBLE.get(name) or next((v for v in values if v.strip()), "")
            if name in self.files or (name in self.unchecked and name not in PLAUSIBLE):
                continue
            data[name] = value
        return data


class FormReader(HTMLParser):
    """The forms of a page: action, method, encoding and fields with their values."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: str | None = None
        self.select: str | None = None

    def _add(self, name, value, *, first=False):
        values = self.form.fields.setdefault(name, [])
        if first:
            values.insert(0, value)
        elif value not in values:
            values.append(value)

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self.form = Form(
                action=action,
                method=(a.get("method") or "get").lower(),
                multipart=a.get("enctype") == "multipart/form-data",
            )
            self.forms.append(self.form)
            return
        if self.form is not None and tag == "option" and self.select:
            self._add(self.select, a.get("value", ""), first="selected" in a)
        if self.form is None or not a.get("name"):
            return
        name, kind = a["name"], a.get("type", "text").lower()
        if tag == "input" and kind == "file":
            self.form.files.add(name)
            self.form.fields.setdefault(name, [])
        elif tag == "input" and kind in ("checkbox", "radio"):
            value = a.get("value", "on")
            self._add(name, value, first="checked" in a)
            if kind == "checkbox" and "checked" not in a:
                self.form.unchecked.add(name)
        elif tag == "input" and kind not in ("submit", "reset", "image", "button"):
            self._add(name, a.get("value", ""), first=True)
        elif tag in ("button", "input"):
            self._add(name, a.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self.form.fields.setdefault(name, [""])
        elif tag == "select":
            self.select = name
            self.form.fields.setdefault(name, [])

    def handle_data(self, data):
        if self.form is not None and self.textarea:
            text = self.form.fields[self.textarea][0] + data
            # A newline right after <textarea> is not part of its value.
            self.form.fields[self.textarea][0] = text.removeprefix("\r\n").removeprefix("\n")

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None


def forms_on(url: str, html: str) -> list[Form]:
    reader = FormReader(url)
    reader.feed(html)
    return reader.forms


# --- the world the walk runs in ---------------------------------------------------------------


@dataclass
class World:
    ids: dict[str, list[int]]  # route argument -> the ids of the world's rows
    reset_token: str
    activation: dict[str, str]  # the first step of activating an account
    logins: dict[str, str]  # role -> who logs in


def _client(app, world: World, role: str):
    """A browser for the role: logged in, or a visitor who began an activation."""
    client = app.test_client()
    if role == "visitor":
        # The activation's second page opens once its first step was sent.
        submit_form(client, "/activate", world.activation)
    else:
        log_in(client, world.logins[role])
    return client


def _second_loan(borrower_id: int) -> int:
    from portal.loans.journal import Components
    from portal.loans.models import Loan, LoanDueDate
    from portal.loans.service import post_entry

    loan = Loan(
        borrower_id=borrower_id,
        loan_number=f"LN-HOSTILE-{borrower_id}",
        product="personal",
        currency="CNY",
        opened_on=date(2026, 2, 1),
    )
    db.session.add(loan)
    db.session.flush()
    post_entry(
        loan.id,
        "charge",
        Components(principal=300_000),
        posted_at=datetime(2026, 2, 1, tzinfo=UTC),
        reference="H2",
    )
    db.session.add(
        LoanDueDate(
            loan_id=loan.id,
            due_on=TODAY - timedelta(days=12),
            principal_minor=100_000,
            interest_minor=0,
        )
    )
    return loan.id


def _build_world(app, make_borrower, make_staff, upload_folder) -> World:
    """A borrower with two loans, an offer and an open request, an open and a resolved
    complaint, a payment and a file; staff of every role; an account to activate; a reset link."""
    from portal.auth.models import User
    from portal.auth.service import request_password_reset
    from portal.complaints import service as complaints
    from portal.loans.models import Borrower, ContactLogEntry, LoanDueDate
    from portal.payments import service as payments
    from portal.plans import service as plans
    from portal.plans.terms import INSTALLMENT_PLAN, Terms
    from portal.uploads import UploadedFile, path_of

    me = make_borrower()
    support, approver, admin = make_staff("support"), make_staff("approver"), make_staff("admin")
    to_activate, to_reset = make_borrower(activated=False), make_borrower()
    app.config["UPLOAD_FOLDER"] = str(upload_folder)
    with app.app_context():
        borrower = db.session.get(Borrower, me.borrower_id)
        db.session.add(
            LoanDueDate(
                loan_id=me.loan_id,
                due_on=TODAY - timedelta(days=20),
                principal_minor=200_000,
                interest_minor=0,
            )
        )
        contact = ContactLogEntry(
            loan_id=me.loan_id,
            reference="HOSTILE-1",
            contacted_at=datetime.combine(TODAY - timedelta(days=2), datetime.min.time(), UTC),
            channel="call",
            party="borrower",
            agent="A023",
            outcome="answered",
        )
        db.session.add(contact)
        second_loan = _second_loan(me.borrower_id)
        db.session.flush()
        terms = Terms(INSTALLMENT_PLAN, months=3, first_due_on=TODAY + timedelta(days=5))
        offered = plans.submit_request(
            borrower, me.loan_id, terms, reason_code="other", reason_text=""
        )
        plans.decide(offered.id, db.session.get(User, approver.user_id), "approve")
        waiting = plans.submit_request(
            borrower, second_loan, terms, reason_code="illness", reason_text=""
        )
        stored = UploadedFile(
            borrower_id=borrower.id,
            subject_type="hardship_request",
            subject_id=waiting.id,
            stored_name="hostile.png",
            original_name="a.png",
            content_type="image/png",
            size_bytes=8,
            sha256="0" * 64,
        )
        db.session.add(stored)
        new_complaint = {"description": "Calls at night.", "desired_outcome": "", "files": []}
        open_complaint = complaints.file_complaint(
            borrower, me.user_id, category="other", contact_id=contact.id, **new_complaint
        )
        resolved = complaints.file_complaint(
            borrower, me.user_id, category="wrong_amount", contact_id=None, **new_complaint
        )
        complaints.staff_action(
            resolved.id,
            db.session.get(User, support.user_id),
            "resolve",
            body="Corrected.",
            outcome="non_monetary_relief",
        )
        options = payments.pay_options(borrower, me.loan_id)
        payment, _ = payments.start_payment(
            borrower, options, "other_amount", 10_000, payments.new_form_token(), "development"
        )
        from portal.corrections.service import ask as ask_correction

        correction = ask_correction(
            borrower, me.user_id, field="email", value="new@example.com", explanation="", files=[]
        )
        tokens = []
        request_password_reset(to_reset.phone, address=None, link_for=tokens.append)
        db.session.commit()
        upload_folder.mkdir(parents=True, exist_ok=True)
        Path(path_of(stored.stored_name)).write_bytes(b"\x89PNG\r\n\x1a\n")
        ids = {
            "loan_id": [me.loan_id, second_loan],
            "request_id": [offered.id, waiting.id],
            "complaint_id": [open_complaint.id, resolved.id],
            "payment_id": [payment.id],
            "file_id": [stored.id],
            "borrower_id": [me.borrower_id],
            "correction_id": [correction.id],
        }
    return World(
        ids=ids,
        reset_token=tokens[0],
        activation={
            "loan_number": to_activate.loan_number,
            "id_last4": to_activate.id_last4,
            "channel": "sms",
        },
        logins={
            "borrower": me.phone,
            "support": support.email,
            "approver": approver.email,
            "admin": admin.email,
        },
    )


# --- the walk ---------------------------------------------------------------------------------


def _reaches(rule, view, role: str) -> bool:
    if rule.endpoint == "static":
        return False
    roles = getattr(view, "allowed_roles", None)
    if roles is not None:
        return role in roles
    if rule.endpoint == "auth.logout":
        return role != "visitor"
    return role == "visitor" or rule.endpoint == "main.set_language"


def _urls(rule, world: World, replace: dict | None = None) -> list[str]:
    """The rule's addresses with the world's ids (or `replace`d arguments)."""
    urls = [rule.rule]
    for arg in sorted(rule.arguments):
        values = (replace or {}).get(arg)
        if values is None:
            values = world.ids.get(arg) or [world.reset_token]
        pattern = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?" + arg + ">")
        urls = [pattern.sub(str(value), url) for url in urls for value in values]
    return urls


# Forms this walk's world never shows, because each appears only after a step the walk does not
# take: a rule change's confirmation (after its preview), a pending second login step, an
# invitation link, the enrolment of an account already enrolled, an answer to a dispute none of
# the world's borrowers opened. Their views are tested in tests/staff, tests/auth and
# tests/disputes.
SHOWN_AFTER_ANOTHER_STEP = {
    "rules.contact_confirm",
    "rules.ladder_confirm",
    "rules.plans_confirm",
    "rules.promises_confirm",
    "rules.routes_confirm",
    "access.second_step",
    "access.invitation",
    "access.enrol",
    "support_disputes.answer",
    # Shown on the calendar page of a provisional year only (tests/holidays/test_calendar_years).
    "rules.mark_year_official",
}


@dataclass
class Walk:
    app: object
    client: object
    role: str
    world: World
    problems: list[str] = field(default_factory=list)
    forms: dict[str, tuple[str, Form]] = field(default_factory=dict)
    token: str = ""
    requests: int = 0
    sent: int = 0

    def send(self, method: str, url: str, what: str, **kwargs):
        """One request; a 5xx answer (or, in testing, the exception behind it) is a problem."""
        self.requests += 1
        try:
            response = self.client.open(url, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - the test reports every one, not the first
            self.problems.append(f"{self.role}: {method} {url} {what}: {error!r:.200}")
            return None
        if response.status_code >= 500:
            self.problems.append(f"{self.role}: {response.status_code} {method} {url} {what}")
        elif response.mimetype == "text/html" and 'name="csrf_token"' in response.text:
            self.token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.text)[1]
        return response

    def get(self, url: str, query=None):
        return self.send("GET", url, _short(query), query_string=query)

    def post(self, url: str, data: dict, form: Form, what: str) -> bool:
        """Send a form; True when it was accepted (a redirect)."""
        multipart = {"content_type": "multipart/form-data"} if form.multipart else {}
        response = self.send("POST", url, what, data=data, **multipart)
        return response is not None and response.status_code in (301, 302, 303)

    def endpoint_of(self, url: str, method: str) -> str | None:
        adapter = self.app.url_map.bind("portal.test")
        parts = urlsplit(url)
        try:
            endpoint, _ = adapter.match(parts.path, method=method)
        except Exception:  # noqa: BLE001 - not a route of the portal, or another method
            return None
        return endpoint

    # pages and filters

    def open_pages(self, rules) -> None:
        for rule in rules:
            if "GET" not in rule.methods:
                continue
            for url in _urls(rule, self.world):
                response = self.get(url)
                if response and response.mimetype == "text/html" and response.status_code == 200:
                    self.remember_forms(url, response.text)
                    self.try_filters(url, response.text)
            for arg in rule.arguments:
                for value in HOSTILE_IDS if arg.endswith("_id") else HOSTILE_PATH_TEXT:
                    for url in _urls(rule, self.world, {arg: [value]})[:1]:
                        self.get(url)

    def remember_forms(self, url: str, html: str) -> None:
        for form in forms_on(url, html):
            if form.method != "post":
                continue
            endpoint = self.endpoint_of(form.action, "POST")
            if endpoint and endpoint not in self.forms:
                self.forms[endpoint] = (url, form)

    def try_filters(self, url: str, html: str) -> None:
        """Every query name the portal reads at once, then each filter of the page's own
        GET forms and links, with every hostile value."""
        names = set()
        for form in forms_on(url, html):
            if form.method == "get":
                names |= set(form.fields)
        path = urlsplit(url).path
        for link in re.findall(r'href="([^"]+)"', html):
            parts = urlsplit(link.replace("&amp;", "&"))
            if parts.query and parts.path in ("", path):
                names |= {pair.split("=")[0] for pair in parts.query.split("&")}
        for value in SAMPLE:
            self.get(url, {name: value for name in QUERY_NAMES})
        for name in sorted(names):
            for value in HOSTILE:
                self.get(url, {name: value})

    # forms

    def send_forms(self, rules) -> None:
        posting = [r for r in rules if "POST" in r.methods and r.endpoint != "payments.webhook"]
        # Logging out ends the walk's session: last.
        for rule in sorted(posting, key=lambda r: r.endpoint == "auth.logout"):
            found = self.forms.get(rule.endpoint)
            if found is None and rule.endpoint in SHOWN_AFTER_ANOTHER_STEP:
                continue
            if found is None:
                self.problems.append(f"{self.role}: no form found for {rule.endpoint}")
                continue
            page, form = found
            form = self.fresh(page, form)
            for arg in rule.arguments:
                for value in HOSTILE_IDS:
                    url = _urls(rule, self.world, {arg: [value]})[0]
                    self.post(url, self.filled(form), form, "(id)")
            self.attack(page, form)

    def fresh(self, page: str, form: Form) -> Form:
        """The form as the page shows it now (a sent form's one-time values are used up, and
        logging in or out changes the session's CSRF token)."""
        response = self.get(page)
        if response is not None and response.status_code == 200:
            same = [f for f in forms_on(page, response.text) if f.action == form.action]
            if same:
                return same[0]
        self.token = csrf_token(self.client)
        return form

    def filled(self, form: Form, **values) -> dict:
        """The form's baseline with this session's token, unique free text (so that nothing
        is taken for a repeat of an earlier form) and the given values."""
        self.sent += 1
        data = {**form.baseline(), "csrf_token": self.token}
        for name in FREE_TEXT & set(data):
            data[name] = f"{data[name] or PLAUSIBLE.get(name, 'text')} ({self.sent})"
        return {**data, **values}

    def attack(self, page: str, form: Form) -> None:
        names = [n for n in form.fields if n != "csrf_token"] + ["csrf_token"]
        for name in names:
            if name == "csrf_token":
                values = SAMPLE
            elif name in form.files:
                values = FILE_VALUES
            else:
                values = [*HOSTILE, LEFT_OUT, *([A_FILE] if form.multipart else [])]
            for value in values:
                data = self.filled(form, **{name: _encoded(value)})
                if value is LEFT_OUT:
                    del data[name]
                if self.post(form.action, data, form, f"{name}={_short(value)}"):
                    form = self.fresh(page, form)
        # The same form as JSON: a body a browser never sends, with values of other types.
        self.send(
            "POST",
            form.action,
            "as JSON",
            json={name: [12345, None, {"a": 1}] for name in form.fields},
            headers={"X-CSRFToken": self.token},
        )


def _encoded(value):
    if value is A_FILE:
        return (io.BytesIO(b"text"), "text.txt")
    if isinstance(value, tuple):
        content, name = value
        return (io.BytesIO(content), name)
    return value


def _short(value) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:40] + f"...({len(text)})"


def _webhook(walk: Walk) -> None:
    walk.app.config["STRIPE_WEBHOOK_SECRET"] = "whsec_hostile"
    for body in ("", NUL, ASTRAL, "x" * 100_000, '{"type": 1}', "[]"):
        for signature in ("", "t=1,v1=" + "0" * 64, NUL, "x" * 5_000):
            walk.send(
                "POST",
                "/stripe/webhook",
                f"{_short(body)} signed {_short(signature)}",
                data=body,
                headers={"Stripe-Signature": signature},
            )


@pytest.mark.parametrize("role", ROLES)
def test_hostile_input_never_gets_a_5xx(app, make_borrower, make_staff, tmp_path, role):
    world = _build_world(app, make_borrower, make_staff, tmp_path / "uploads")
    walk = Walk(app, _client(app, world, role), role, world)
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if _reaches(rule, app.view_functions[rule.endpoint], role)
    ]
    assert rules, role
    walk.open_pages(rules)
    walk.send_forms(rules)
    if role == "visitor":
        _webhook(walk)
    report = "\n".join(walk.problems)
    assert not walk.problems, f"{len(walk.problems)} of {walk.requests} requests:\n{report}"
