"""Uploaded files: type checked from content, size-limited, stored under generated names in
the configured store (portal/storage.py: a local folder or object storage), and handed out
only as downloads, to their owner and the staff who work with them."""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal import clock
from portal import storage as file_store
from portal.columns import UTCDateTime
from portal.extensions import db
from portal.security import Role

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# The body of a request that carries uploads: the files and room for the form around them.
REQUEST_LIMIT = MAX_FILES * MAX_FILE_BYTES + 1024 * 1024
DOCUMENT_TYPES = ("image/jpeg", "image/png", "application/pdf")
AUDIO_TYPES = ("audio/mpeg", "audio/mp4", "audio/wav", "audio/amr", "audio/ogg")
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/pdf": ".pdf",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/wav": ".wav",
    "audio/amr": ".amr",
    "audio/ogg": ".ogg",
}


class UploadedFile(db.Model):
    """A file a borrower uploaded, stored outside the static folder under a generated name."""

    __tablename__ = "uploaded_files"
    __table_args__ = (sa.Index("ix_uploaded_files_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    borrower_id: Mapped[int] = mapped_column(sa.ForeignKey("borrowers.id"), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(32))
    subject_id: Mapped[int]
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(64))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class UploadRefused(ValueError):
    """A file that cannot be accepted; `code` names why, for a translated message."""

    def __init__(self, code: str, name: str = ""):
        super().__init__(code)
        self.code = code
        self.name = name


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    content_type: str
    data: bytes


def content_type_of(data: bytes) -> str | None:
    """The type a file's first bytes show; the name's extension is never trusted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"ID3") or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if data[4:8] == b"ftyp" and data[8:12] in (b"M4A ", b"mp42", b"isom", b"3gp4", b"3gp5"):
        return "audio/mp4"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "audio/wav"
    if data.startswith(b"#!AMR"):
        return "audio/amr"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    return None


def safe_name(name: str) -> str:
    """The base name a browser sent, without any path, control characters or excess length."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ord(ch) >= 32 and ch not in '<>:"|?*')
    return base[-120:] or "file"


def check_files(storages, allowed=DOCUMENT_TYPES) -> list[CheckedFile]:
    """Read and check uploaded files (werkzeug FileStorage); refuse the lot on any problem."""
    present = [s for s in storages if s is not None and s.filename]
    if len(present) > MAX_FILES:
        raise UploadRefused("too_many")
    checked = []
    for storage in present:
        data = storage.stream.read(MAX_FILE_BYTES + 1)
        name = safe_name(storage.filename)
        if not data:
            raise UploadRefused("empty", name)
        if len(data) > MAX_FILE_BYTES:
            raise UploadRefused("too_large", name)
        content_type = content_type_of(data)
        if content_type not in allowed:
            raise UploadRefused("wrong_type", name)
        checked.append(CheckedFile(name, content_type, data))
    return checked


def accepts_uploads(view):
    """Mark a view that takes uploaded files: its request body may be up to REQUEST_LIMIT."""
    view.max_content_length = REQUEST_LIMIT
    return view


def allow_upload_bodies() -> None:
    """Raise the body limit of a request to a view that takes uploads, for a logged-in user.

    It must run before anything reads the body: CSRF protection reads the form in its own
    before_request hook, under the application's MAX_CONTENT_LENGTH, long before the view.
    """
    view = current_app.view_functions.get(request.endpoint)
    limit = getattr(view, "max_content_length", None)
    if limit and current_user.is_authenticated:
        request.max_content_length = limit


def upload_folder() -> str:
    """The folder of the local-disk store (UPLOAD_FOLDER, default instance/uploads)."""
    folder = current_app.config.get("UPLOAD_FOLDER") or os.path.join(
        current_app.instance_path, "uploads"
    )
    os.makedirs(folder, exist_ok=True)
    return folder


# Files stored in the session's transaction, deleted again if it does not commit.
_SAVED = "uploads_saved"


def store(checked: CheckedFile) -> tuple[str, str]:
    """Store a checked file under a new random name; returns (stored name, sha256).

    The file goes to the configured store (portal/storage.py) at once, before its row is
    committed; if the transaction rolls back instead, the file is deleted again.
    """
    where = file_store.storage()
    stored_name = where.save(
        checked.data,
        suffix=EXTENSIONS[checked.content_type],
        content_type=checked.content_type,
    )
    db.session.info.setdefault(_SAVED, []).append((where, stored_name))
    return stored_name, hashlib.sha256(checked.data).hexdigest()


def attach(borrower_id: int, subject_type: str, subject_id: int, files: list[CheckedFile]):
    """Store checked files and record each as belonging to the borrower's `subject` row."""
    for checked in files:
        stored_name, digest = store(checked)
        db.session.add(
            UploadedFile(
                borrower_id=borrower_id,
                subject_type=subject_type,
                subject_id=subject_id,
                stored_name=stored_name,
                original_name=checked.original_name,
                content_type=checked.content_type,
                size_bytes=len(checked.data),
                sha256=digest,
            )
        )


def open_stored(stored_name: str) -> BinaryIO:
    """A stored file opened for reading (StoredFileMissing when it is not there)."""
    return file_store.storage().open(stored_name)


def delete_stored(stored_name: str) -> None:
    """Remove a stored file (nothing happens when it is already gone)."""
    file_store.storage().delete(stored_name)


def path_of(stored_name: str) -> str:
    """Where the local-disk store keeps a file (only for that store: see open_stored)."""
    return os.path.join(upload_folder(), os.path.basename(stored_name))


@sa.event.listens_for(Session, "after_commit")
def _keep_saved_files(session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_SAVED, None)


@sa.event.listens_for(Session, "after_transaction_end")
def _delete_unkept_files(session, transaction) -> None:
    # The outermost transaction ended without a commit (rolled back, or the session closed):
    # its rows are gone, so are the files they named.
    if transaction.parent is not None or transaction.nested:
        return
    for where, stored_name in session.info.pop(_SAVED, ()):
        try:
            where.delete(stored_name)
        except Exception:  # noqa: BLE001 - an orphan file is harmless; the rollback must finish
            logging.getLogger(__name__).warning("could not delete unkept file %s", stored_name)


# The files each staff role works with: approvers the documents of hardship requests,
# support the attachments of complaints and the evidence of correction requests.
# Administrators read none.
STAFF_FILES = {
    Role.APPROVER: ("hardship_request",),
    Role.SUPPORT: ("complaint", "correction_request"),
}


def file_for_user(user, file_id: int) -> UploadedFile | None:
    """An uploaded file, for its owner or for the staff role that works with it (audited);
    None for anyone else."""
    from portal import audit

    found = db.session.get(UploadedFile, file_id)
    if found is None:
        return None
    if user.borrower_id is not None:
        return found if found.borrower_id == user.borrower_id else None
    if found.subject_type not in STAFF_FILES.get(user.role, ()):
        return None
    audit.record(
        "staff.file_downloaded",
        subject_type="uploaded_file",
        subject_id=found.id,
        borrower_id=found.borrower_id,
    )
    return found
