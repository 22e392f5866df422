"""The file store: the local disk by default, S3-compatible object storage with STORAGE_URL.

Every test runs on both (the `upload_store` fixture: a folder, then moto's S3 server); the
upload and download tests of each feature do too.
"""

import pytest

from portal import create_app
from portal.config import ConfigError
from portal.extensions import db
from portal.storage import ObjectStorage, StoredFileMissing, parse_storage_url, storage
from portal.uploads import CheckedFile, delete_stored, open_stored, store

PDF = b"%PDF-1.7\n" + b"x" * 64


def test_a_stored_file_reads_back_under_a_random_name_and_can_be_deleted(app, upload_store):
    with app.app_context():
        name, digest = store(CheckedFile("../my letter.pdf", "application/pdf", PDF))
        again, _ = store(CheckedFile("../my letter.pdf", "application/pdf", PDF))
        db.session.commit()
        assert name != again and name.endswith(".pdf") and len(name) == 36
        assert "letter" not in name and len(digest) == 64
        assert upload_store.names() == sorted([name, again])
        with open_stored(name) as handle:
            assert handle.read() == PDF
        delete_stored(name)
        delete_stored(name)  # already gone: nothing happens
        assert upload_store.names() == [again]
        with pytest.raises(StoredFileMissing):
            open_stored(name)


@pytest.mark.parametrize("name", ["../portal.sqlite3", "a/b.pdf", "", ".hidden"])
def test_a_name_that_is_not_a_stored_name_is_never_read(app, upload_store, name):
    with app.app_context(), pytest.raises(StoredFileMissing):
        open_stored(name)


def test_files_of_a_transaction_that_rolls_back_are_deleted(app, upload_store):
    with app.app_context():
        store(CheckedFile("a.pdf", "application/pdf", PDF))
        with db.session.begin_nested():
            store(CheckedFile("b.pdf", "application/pdf", PDF))
        db.session.rollback()
        assert upload_store.names() == []
        kept, _ = store(CheckedFile("c.pdf", "application/pdf", PDF))
        with db.session.begin_nested():
            nested, _ = store(CheckedFile("d.pdf", "application/pdf", PDF))
        db.session.commit()
        db.session.rollback()  # a later rollback leaves committed files alone
        assert upload_store.names() == sorted([kept, nested])


def test_a_file_missing_from_the_store_is_not_found(app, client, upload_store, login_as):
    from portal.uploads import UploadedFile

    record = login_as("borrower")
    with app.app_context():
        name, digest = store(CheckedFile("a.pdf", "application/pdf", PDF))
        row = UploadedFile(
            borrower_id=record.borrower_id,
            subject_type="complaint",
            subject_id=1,
            stored_name=name,
            original_name="a.pdf",
            content_type="application/pdf",
            size_bytes=len(PDF),
            sha256=digest,
        )
        db.session.add(row)
        db.session.commit()
        file_id = row.id
    assert client.get(f"/files/{file_id}").data == PDF
    with app.app_context():
        delete_stored(name)
    assert client.get(f"/files/{file_id}").status_code == 404


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [
        ("s3://uploads", "uploads", ""),
        ("s3://uploads/", "uploads", ""),
        ("s3://my.bucket/portal/files/", "my.bucket", "portal/files/"),
    ],
)
def test_storage_url_names_a_bucket_and_a_prefix(url, bucket, prefix):
    assert parse_storage_url(url) == (bucket, prefix)


@pytest.mark.parametrize("url", ["uploads", "https://bucket/x", "s3:///x", "s3://b?x=1"])
def test_a_storage_url_that_is_not_s3_stops_the_portal(monkeypatch, url):
    monkeypatch.setenv("STORAGE_URL", url)
    with pytest.raises(ConfigError, match="STORAGE_URL"):
        create_app()


def test_object_storage_comes_from_the_environment(monkeypatch, moto_server):
    monkeypatch.setenv("STORAGE_URL", "s3://portal-files/uploads")
    monkeypatch.setenv("STORAGE_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("STORAGE_REGION", "eu-west-1")
    app = create_app()
    with app.app_context():
        found = storage()
        assert isinstance(found, ObjectStorage)
        assert (found.bucket, found.prefix) == ("portal-files", "uploads/")
        assert found.client.meta.endpoint_url == moto_server
        assert found.client.meta.region_name == "eu-west-1"
        assert storage() is found  # one client per setting
