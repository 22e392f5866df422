"""Every route is public on purpose or checks the role; each role reaches only its pages."""

import pytest
import sqlalchemy as sa

from portal.audit import AuditEntry
from portal.extensions import db
from tests.helpers import csrf_token

ROLES = ("borrower", "support", "approver", "admin")
# Routes anyone may open; every other route must declare the roles it lets in.
PUBLIC = {
    "static",
    "main.index",
    "main.set_language",
    "main.health",
    "main.dev_outbox",
    "auth.login",
    "auth.activate",
    "auth.activate_code",
    "auth.reset_request",
    "auth.reset_password",
    "access.second_step",
    "access.invitation",
    # Stripe calls it; it is verified by signature instead of a login.
    "payments.webhook",
}
LOGGED_IN_ANY_ROLE = {"auth.logout"}
# Routes that send a role they let in on to its own page.
# (The enrolment page sends an account whose second factor is set up to its home.)
FORWARDS = {"staff.home", "access.enrol"}


def _role_routes(app):
    routes = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "allowed_roles", None)
        if roles is not None:
            routes[rule.endpoint] = (rule, set(roles))
    return routes


def test_every_route_is_public_or_checks_roles(app):
    unchecked = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC | LOGGED_IN_ANY_ROLE
        and getattr(app.view_functions[rule.endpoint], "allowed_roles", None) is None
    }
    assert unchecked == set()


def _with_request_and_file(app, record):
    """Give a borrower a request and an uploaded file, so every route has something to open."""
    import os
    from datetime import timedelta

    from portal.loans.models import Borrower
    from portal.plans import service
    from portal.plans.terms import INSTALLMENT_PLAN, Terms
    from portal.uploads import UploadedFile, path_of

    with app.app_context():
        borrower = db.session.get(Borrower, record.borrower_id)
        hardship = service.submit_request(
            borrower,
            record.loan_id,
            Terms(
                INSTALLMENT_PLAN,
                months=3,
                first_due_on=service.request_context(borrower, record.loan_id).today
                + timedelta(days=5),
            ),
            reason_code="other",
            reason_text="",
        )
        stored = UploadedFile(
            borrower_id=borrower.id,
            subject_type="hardship_request",
            subject_id=hardship.id,
            stored_name=f"roles{hardship.id}.png",
            original_name="a.png",
            content_type="image/png",
            size_bytes=3,
            sha256="0" * 64,
        )
        db.session.add(stored)
        db.session.commit()
        with open(path_of(stored.stored_name), "wb") as handle:
            handle.write(b"png")
        from portal.complaints.service import file_complaint

        complaint = file_complaint(
            borrower,
            record.user_id,
            category="other",
            description="roles",
            desired_outcome="",
            contact_id=None,
            files=[],
        )
        db.session.commit()
        from portal.payments import service as payments

        options = payments.pay_options(borrower, record.loan_id)
        payment, _ = payments.start_payment(
            borrower, options, "other_amount", 1_000, payments.new_form_token(), "development"
        )
        payments.post_success(payment.id, amount_received=1_000, payment_intent_id=None)
        db.session.commit()
        from portal.disputes.service import open_dispute

        dispute = open_dispute(
            borrower, record.loan_id, kind="wrong_amount", statement="roles", files=[]
        )
        db.session.commit()
        record.dispute_id = dispute.id
        from portal.corrections.service import ask

        correction = ask(
            borrower, record.user_id, field="phone", value="13700000000", explanation="", files=[]
        )
        db.session.commit()
        record.correction_id = correction.id
        record.request_id, record.file_id = hardship.id, stored.id
        record.complaint_id, record.payment_id = complaint.id, payment.id
        assert os.path.exists(path_of(stored.stored_name))
    return record


def _url(rule, record):
    return (
        rule.rule.replace("<int:borrower_id>", str(record.borrower_id))
        .replace("<int:loan_id>", str(record.loan_id))
        .replace("<int:request_id>", str(getattr(record, "request_id", 0)))
        .replace("<int:file_id>", str(getattr(record, "file_id", 0)))
        .replace("<int:complaint_id>", str(getattr(record, "complaint_id", 0)))
        .replace("<int:payment_id>", str(getattr(record, "payment_id", 0)))
        .replace("<int:user_id>", str(record.user_id))
        .replace("<int:dispute_id>", str(getattr(record, "dispute_id", 0)))
        .replace("<int:correction_id>", str(getattr(record, "correction_id", 0)))
    )


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_its_own_pages(app, client, login_as, make_borrower, role, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    target = _with_request_and_file(app, make_borrower())
    me = login_as(role)
    if role == "borrower":
        _with_request_and_file(app, me)
    token = csrf_token(client)
    for endpoint, (rule, allowed) in _role_routes(app).items():
        if endpoint == "main.download_file":
            continue  # which role reads which kind of file: tests/plans/test_documents.py
        # A borrower opens their own records; staff open the target borrower's.
        url = _url(rule, me if role == "borrower" else target)
        if "GET" in rule.methods:
            response = client.get(url)
            expected = (302 if endpoint in FORWARDS else 200) if role in allowed else 404
        else:
            # State-changing routes: other roles never reach the form handling.
            if role in allowed:
                continue
            response = client.post(url, data={"csrf_token": token})
            expected = 404
        assert response.status_code == expected, (endpoint, role, response.status_code)


def test_anonymous_visitors_are_sent_to_log_in(app, client, make_borrower, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    target = _with_request_and_file(app, make_borrower())
    token = csrf_token(client)  # a visitor's browser has one from any page
    for _endpoint, (rule, _allowed) in _role_routes(app).items():
        if "GET" in rule.methods:
            response = client.get(_url(rule, target))
        else:
            response = client.post(_url(rule, target), data={"csrf_token": token})
        if rule.endpoint == "main.download_file":
            # A private file's address is not even hinted at.
            assert response.status_code == 404
            continue
        assert response.status_code == 302 and "/login" in response.location, rule.rule


@pytest.mark.parametrize(
    "role, home",
    [
        ("support", "/staff/complaints/"),
        ("approver", "/staff/requests/"),
        ("admin", "/staff/admin"),
    ],
)
def test_staff_land_on_their_role_home(client, login_as, role, home):
    login_as(role)
    assert client.get("/staff/").location == home


def test_borrower_has_no_staff_home(client, login_as):
    login_as("borrower")
    assert client.get("/staff/").status_code == 404


def test_staff_lookup_and_view_are_audited_and_mask_personal_data(
    app, client, login_as, make_borrower
):
    target = make_borrower()
    staff = login_as("support")
    found = client.get("/staff/borrowers", query_string={"q": target.loan_number})
    assert found.status_code == 200 and "张三" in found.text
    assert target.phone not in found.text and target.phone[:3] + "****" in found.text
    page = client.get(f"/staff/borrowers/{target.borrower_id}")
    assert page.status_code == 200
    assert target.phone not in page.text and target.email not in page.text
    with app.app_context():
        actions = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.actor_user_id, AuditEntry.borrower_id)
            .where(AuditEntry.action.in_(["staff.borrower_search", "staff.borrower_viewed"]))
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("staff.borrower_search", staff.user_id, None),
        ("staff.borrower_viewed", staff.user_id, target.borrower_id),
    ]


def test_unknown_borrower_is_404_for_staff(client, login_as):
    login_as("approver")
    assert client.get("/staff/borrowers/999999").status_code == 404


def test_lookup_with_hostile_query_is_safe(client, login_as):
    login_as("support")
    response = client.get("/staff/borrowers", query_string={"q": "<script>x</script>' OR 1=1" * 20})
    assert response.status_code == 200
    assert "<script>x</script>" not in response.text


def test_lookup_refuses_a_nul_character_with_a_message_and_searches_nothing(
    app, client, login_as, make_borrower
):
    target = make_borrower()
    login_as("support")
    typed = target.loan_number[:2] + "\x00" + target.loan_number[2:]
    response = client.get(
        "/staff/borrowers", query_string={"q": typed}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    assert "An invisible character that cannot be saved was removed" in response.text
    assert f'value="{target.loan_number}"' in response.text and "张三" not in response.text
    with app.app_context():
        searches = db.session.scalars(
            sa.select(AuditEntry.id).where(AuditEntry.action == "staff.borrower_search")
        ).all()
    assert searches == []
