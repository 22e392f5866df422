"""Uploaded files: type checked from content, size-limited, stored outside the static folder
under generated names, and handed out only as downloads."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass

from flask import current_app

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# What a file's first bytes must be, for each type we accept; the name's extension is ignored.
SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
}
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


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


def _content_type(data: bytes) -> str | None:
    for content_type, signatures in SIGNATURES.items():
        if any(data.startswith(signature) for signature in signatures):
            return content_type
    return None


def safe_name(name: str) -> str:
    """The base name a browser sent, without any path, control characters or excess length."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ord(ch) >= 32 and ch not in '<>:"|?*')
    return base[-120:] or "file"


def check_files(storages) -> list[CheckedFile]:
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
        content_type = _content_type(data)
        if content_type is None:
            raise UploadRefused("wrong_type", name)
        checked.append(CheckedFile(name, content_type, data))
    return checked


def upload_folder() -> str:
    folder = current_app.config.get("UPLOAD_FOLDER") or os.path.join(
        current_app.instance_path, "uploads"
    )
    os.makedirs(folder, exist_ok=True)
    return folder


def store(checked: CheckedFile) -> tuple[str, str]:
    """Write a checked file under a new random name; returns (stored name, sha256)."""
    stored_name = secrets.token_hex(16) + EXTENSIONS[checked.content_type]
    path = os.path.join(upload_folder(), stored_name)
    with open(path, "xb") as handle:
        handle.write(checked.data)
    return stored_name, hashlib.sha256(checked.data).hexdigest()


def path_of(stored_name: str) -> str:
    return os.path.join(upload_folder(), os.path.basename(stored_name))
