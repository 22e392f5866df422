"""The request form: one kind's fields at a time, no reason chosen for the borrower, documents
sent with the request, the schedule asked for on the sent request, and withdrawing on purpose."""

import io
import re

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.plans.models import HardshipRequest
from portal.uploads import UploadedFile
from tests.helpers import csrf_token_in, log_in, submit_form
from tests.plans.test_requests import EN, QUEUE, open_request, plan_form, submit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def upload_dir(app, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def _requests(app):
    with app.app_context():
        return db.session.scalars(sa.select(HardshipRequest)).all()


def _documents(app, request_id):
    with app.app_context():
        return db.session.scalars(
            sa.select(UploadedFile).where(
                UploadedFile.subject_type == "hardship_request",
                UploadedFile.subject_id == request_id,
            )
        ).all()


def test_the_form_chooses_no_reason_and_marks_each_kinds_fields(app, client, overdue_loan):
    record = overdue_loan()
    log_in(client, record.phone)
    page = client.get(f"/loans/{record.loan_id}/request", headers=EN).text
    select = re.search(r'<select[^>]*name="reason_code".*?</select>', page, re.S).group(0)
    assert '<option value="">Choose a reason</option><option' in select and "selected" not in select
    assert 'data-shown-for="kind:extension"' in page
    assert 'data-shown-for="kind:installment_plan"' in page
    assert "Down payment when the plan is accepted (optional)" in page
    assert "Paid when you accept the plan, not now" in page
    refused = submit_form(
        client,
        f"/loans/{record.loan_id}/request",
        {**plan_form(reason=""), "action": "preview"},
        headers=EN,
    )
    assert "Choose a reason." in refused.text and "The exact terms" not in refused.text
    # The summary at the top names the problem and leads to the field.
    summary = re.search(r"<div[^>]*data-error-summary.*?</div>", refused.text, re.S).group(0)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert '<a href="#reason_code">Choose a reason.</a>' in summary


def test_the_schedule_is_shown_where_the_borrower_is(app, client, overdue_loan):
    record = overdue_loan()
    log_in(client, record.phone)
    url = f"/loans/{record.loan_id}/request"
    page = submit_form(client, url, {**plan_form(), "action": "preview"}, headers=EN).text
    # The form comes back at its schedule: the address's anchor, and the script's focus.
    assert f'action="{url}#preview"' in page
    assert re.search(r'<section class="preview" id="preview"[^>]*data-focus-on-load', page)


def test_documents_are_sent_with_the_request(app, client, overdue_loan, upload_dir):
    record = overdue_loan()
    log_in(client, record.phone)
    url = f"/loans/{record.loan_id}/request"
    preview = submit_form(client, url, {**plan_form(), "action": "preview"}, headers=EN)
    assert 'name="documents"' in preview.text and 'enctype="multipart/form-data"' in preview.text
    digest = re.search(r'name="previewed" type="hidden" value="([0-9a-f]+)"', preview.text)
    sent = {**plan_form(), "action": "submit", "previewed": digest.group(1)}
    token = csrf_token_in(preview.text)

    wrong = client.post(
        url,
        data={**sent, "csrf_token": token, "documents": [(io.BytesIO(b"MZ..."), "a.exe")]},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert "The file a.exe is not a JPEG or PNG photo or a PDF." in wrong.text
    assert "The exact terms you are asking for" in wrong.text  # the schedule stays shown
    assert _requests(app) == []
    assert not upload_dir.exists() or not any(upload_dir.iterdir())

    files = [(io.BytesIO(PNG), "payslip.png"), (io.BytesIO(PNG), "letter.png")]
    done = client.post(
        url,
        data={**sent, "csrf_token": token, "documents": files},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    (hardship,) = _requests(app)
    assert [d.original_name for d in _documents(app, hardship.id)] == ["payslip.png", "letter.png"]


def test_the_sent_request_shows_the_schedule_asked_for(app, client, overdue_loan):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form(months=12))
    hardship = open_request(app, record.loan_id)
    page = client.get(f"/requests/{hardship.id}", headers=EN).text
    assert "The schedule you asked for" in page
    assert page.count("¥1,000.00") >= 12  # 12,000.00 over 12 months


def test_withdrawing_asks_first_and_says_collection_resumes(app, client, overdue_loan):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form())
    hardship = open_request(app, record.loan_id)
    shown = client.get(f"/requests/{hardship.id}", headers=EN).text
    # One tap no longer withdraws: the request page only leads to the question.
    assert f'action="/requests/{hardship.id}/withdraw"' not in shown
    assert f'href="/requests/{hardship.id}/withdraw"' in shown
    asked = client.get(f"/requests/{hardship.id}/withdraw", headers=EN).text
    assert "Withdraw your request?" in asked
    assert "Collection on this loan resumes when you withdraw." in asked
    assert "offered you terms" not in asked
    assert open_request(app, record.loan_id).status == "submitted"
    submit_form(client, f"/requests/{hardship.id}/withdraw", to=f"/requests/{hardship.id}/withdraw")
    assert open_request(app, record.loan_id).status == "withdrawn"
    # Once withdrawn, the question is not asked again.
    again = client.get(f"/requests/{hardship.id}/withdraw")
    assert again.status_code == 302 and again.location == f"/requests/{hardship.id}"


def test_withdrawing_while_an_offer_waits_says_the_offer_is_lost(
    app, client, overdue_loan, make_staff
):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form())
    hardship = open_request(app, record.loan_id)
    approver = app.test_client()
    log_in(approver, make_staff("approver").email)
    submit_form(
        approver,
        QUEUE,
        to=f"/staff/requests/{hardship.id}/decide",
        data={"action": "approve", "confirmed": "1"},
    )
    assert open_request(app, record.loan_id).status == "offered"
    asked = client.get(f"/requests/{hardship.id}/withdraw", headers=EN).text
    assert "offered you terms that are waiting for your answer" in asked
    assert "If you withdraw, the offer is gone." in asked
    assert "Collection on this loan resumes when you withdraw." in asked
