"""Supporting documents: checked by content, stored safely, served only to owner and the staff
who work with them."""

import io

import pytest
import sqlalchemy as sa

from portal.complaints import service as complaints
from portal.extensions import db
from portal.loans.models import Borrower
from portal.uploads import REQUEST_LIMIT, CheckedFile, UploadedFile
from tests.helpers import log_in, submit_form
from tests.plans.test_requests import EN, open_request, plan_form, submit

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
# A photo as a phone takes it: far above the 1 MB limit of an ordinary form.
PHONE_PHOTO = b"\xff\xd8\xff\xe0" + b"\x01" * (3 * 1024 * 1024)


@pytest.fixture
def my_request(app, client, overdue_loan, upload_store):
    record = overdue_loan()
    log_in(client, record.phone)
    submit(client, record.loan_id, plan_form())
    return record, open_request(app, record.loan_id)


def upload(client, request_id, *files):
    data = {"documents": [(io.BytesIO(content), name) for name, content in files]}
    return submit_form(
        client,
        f"/requests/{request_id}",
        data,
        to=f"/requests/{request_id}/documents",
        content_type="multipart/form-data",
        follow_redirects=True,
        headers=EN,
    )


def stored(app):
    with app.app_context():
        return db.session.scalars(sa.select(UploadedFile)).all()


def test_valid_files_are_stored_and_served_to_owner_and_approver(
    app, client, my_request, make_staff, make_borrower, upload_store
):
    record, hardship = my_request
    page = upload(client, hardship.id, ("payslip.png", PNG), ("../../letter.pdf", PDF))
    assert "Your documents have been added." in page.text
    files = stored(app)
    assert [f.content_type for f in files] == ["image/png", "application/pdf"]
    assert files[1].original_name == "letter.pdf"
    assert upload_store.names() == sorted(f.stored_name for f in files)
    for f in files:
        assert f.original_name not in f.stored_name
    download = client.get(f"/files/{files[0].id}")
    assert download.status_code == 200 and download.data == PNG
    assert "attachment" in download.headers["Content-Disposition"]
    approver = app.test_client()
    log_in(approver, make_staff("approver").email)
    assert approver.get(f"/files/{files[0].id}").data == PNG
    stranger = app.test_client()
    log_in(stranger, make_borrower().phone)
    assert stranger.get(f"/files/{files[0].id}").status_code == 404
    anonymous = app.test_client()
    assert anonymous.get(f"/files/{files[0].id}").status_code == 404


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    "files, message",
    [
        ([("photo.png", b"MZ\x90\x00 this is an exe")], "is not a JPEG or PNG photo or a PDF"),
        ([("doc.pdf", b"<script>alert(1)</script>")], "is not a JPEG or PNG photo or a PDF"),
        ([("empty.png", b"")], "is empty"),
        ([("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))], "larger than 10 MB"),
        ([(f"p{n}.png", PNG) for n in range(6)], "at most 5 files"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(
    large_bodies, app, client, my_request, upload_store, files, message
):
    _record, hardship = my_request
    page = upload(client, hardship.id, *files)
    assert message in page.text
    assert stored(app) == []
    assert upload_store.names() == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_phone_photo_is_accepted_with_csrf_protection_on(large_bodies, app, client, my_request):
    _record, hardship = my_request
    page = upload(client, hardship.id, ("IMG_0001.jpg", PHONE_PHOTO))
    assert "Your documents have been added." in page.text
    assert [(f.content_type, f.size_bytes) for f in stored(app)] == [
        ("image/jpeg", len(PHONE_PHOTO))
    ]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_body_over_the_upload_limit_gets_the_size_page(large_bodies, app, client, my_request):
    _record, hardship = my_request
    response = upload(client, hardship.id, ("huge.pdf", b"%PDF-" + b"0" * REQUEST_LIMIT))
    assert response.status_code == 413 and "What you sent is too large" in response.text
    assert stored(app) == []


def test_no_more_than_five_documents_in_all(app, client, my_request):
    _record, hardship = my_request
    upload(client, hardship.id, *[(f"p{n}.png", PNG) for n in range(4)])
    page = upload(client, hardship.id, ("a.png", PNG), ("b.png", PNG))
    assert "at most 5 files" in page.text and len(stored(app)) == 4


def test_documents_only_while_the_request_is_open(app, client, my_request):
    _record, hardship = my_request
    submit_form(client, f"/requests/{hardship.id}", to=f"/requests/{hardship.id}/withdraw")
    page = upload(client, hardship.id, ("late.png", PNG))
    assert "already closed" in page.text and stored(app) == []


def test_another_borrower_cannot_add_documents(app, client, my_request, make_borrower):
    _record, hardship = my_request
    other = app.test_client()
    log_in(other, make_borrower().phone)
    response = submit_form(
        other,
        f"/requests/{hardship.id}",
        to=f"/requests/{hardship.id}/documents",
        data={"documents": [(io.BytesIO(PNG), "x.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 404 and stored(app) == []


# --- who downloads which file ------------------------------------------------------------
# The borrower who uploaded it, and the staff role that works with its kind (approvers a
# request's documents, support a complaint's attachments); nobody else, not even an
# administrator. Downloads are never cached.

# (who, the request document, the complaint attachment): 200 or 404.
ACCESS = [
    ("owner", 200, 200),
    ("other_borrower", 404, 404),
    ("approver", 200, 404),
    ("support", 404, 200),
    ("admin", 404, 404),
    ("anonymous", 404, 404),
]


@pytest.fixture
def two_files(app, client, my_request):
    """The borrower's request document and complaint attachment, by kind."""
    record, hardship = my_request
    assert upload(client, hardship.id, ("payslip.png", PNG)).status_code == 200
    with app.app_context():
        complaints.file_complaint(
            db.session.get(Borrower, record.borrower_id),
            record.user_id,
            category="other",
            description="The agent shouted.",
            desired_outcome="",
            contact_id=None,
            files=[CheckedFile("recording.pdf", "application/pdf", PDF)],
        )
        db.session.commit()
        found = {f.subject_type: f.id for f in db.session.scalars(sa.select(UploadedFile)).all()}
    assert set(found) == {"hardship_request", "complaint"}
    return found["hardship_request"], found["complaint"]


def _client_of(app, client, who, make_borrower, make_staff):
    if who == "owner":
        return client
    visitor = app.test_client()
    if who == "other_borrower":
        log_in(visitor, make_borrower().phone)
    elif who != "anonymous":
        log_in(visitor, make_staff(who).email)
    return visitor


@pytest.mark.parametrize("who, document, attachment", ACCESS)
def test_each_role_reaches_only_the_files_it_works_with(
    app, client, two_files, make_borrower, make_staff, who, document, attachment
):
    visitor = _client_of(app, client, who, make_borrower, make_staff)
    document_id, attachment_id = two_files
    for file_id, expected, content in (
        (document_id, document, PNG),
        (attachment_id, attachment, PDF),
    ):
        response = visitor.get(f"/files/{file_id}")
        assert response.status_code == expected, (who, file_id)
        assert response.headers["Cache-Control"] == "no-store"
        if expected == 200:
            assert response.data == content
            assert "attachment" in response.headers["Content-Disposition"]
