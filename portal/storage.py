"""Where stored files live: a folder on the local disk, or S3-compatible object storage.

The embedded default is a folder (`UPLOAD_FOLDER`, default instance/uploads), which is enough
for one machine. With `STORAGE_URL=s3://bucket[/prefix]` the files go to a bucket through
boto3 instead, so every app server behind a load balancer reads what any other one stored.
`STORAGE_ENDPOINT_URL` points boto3 at another S3-compatible service (MinIO, Ceph, a cloud
other than AWS); the region and credentials come from boto3's usual settings (`AWS_REGION`,
`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, an instance role...).

Both back ends do the same three things with the same names: `save` a file under a new random
name (never a name a person chose), `open` it for reading, `delete` it. Nobody but this module
knows where a file is; access checks stay with the callers (portal/uploads.py).
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import current_app


class StoredFileMissing(LookupError):
    """No file is stored under that name."""


class Storage(Protocol):
    def save(self, data: bytes, *, suffix: str, content_type: str) -> str: ...

    def open(self, name: str) -> BinaryIO: ...

    def delete(self, name: str) -> None: ...


def new_name(suffix: str) -> str:
    """A random name for a new file (128 bits), keeping only the type's suffix."""
    return secrets.token_hex(16) + suffix


def _plain(name: str) -> str:
    # A stored name is ours (hex and a suffix); anything with a path in it is not one of them.
    base = os.path.basename(name)
    if not base or base != name or base.startswith("."):
        raise StoredFileMissing(name)
    return base


class DiskStorage:
    """Files in one folder of the local disk, outside the static folder."""

    def __init__(self, folder: str):
        self.folder = folder

    def path(self, name: str) -> str:
        return os.path.join(self.folder, _plain(name))

    def save(self, data: bytes, *, suffix: str, content_type: str) -> str:
        os.makedirs(self.folder, exist_ok=True)
        name = new_name(suffix)
        with open(self.path(name), "xb") as handle:
            handle.write(data)
        return name

    def open(self, name: str) -> BinaryIO:
        try:
            return open(self.path(name), "rb")
        except FileNotFoundError as error:
            raise StoredFileMissing(name) from error

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path(name))


class ObjectStorage:
    """Files as objects in an S3-compatible bucket, under an optional key prefix."""

    def __init__(self, bucket: str, prefix: str, client):
        self.bucket = bucket
        self.prefix = prefix
        self.client = client

    def key(self, name: str) -> str:
        return self.prefix + _plain(name)

    def save(self, data: bytes, *, suffix: str, content_type: str) -> str:
        name = new_name(suffix)
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.key(name),
            Body=data,
            ContentType=content_type,
        )
        return name

    def open(self, name: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.key(name))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise StoredFileMissing(name) from error
            raise
        with found["Body"] as body:
            # Files are small (10 MB at most): read whole, so no connection outlives the call.
            return io.BytesIO(body.read())

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))


def parse_storage_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix) of `s3://bucket[/prefix]`; the prefix ends with "/" when given."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"STORAGE_URL must look like s3://bucket or s3://bucket/prefix: {url!r}")
    prefix = parts.path.strip("/")
    return parts.netloc, (prefix + "/") if prefix else ""


def _object_storage(config) -> ObjectStorage:
    import boto3
    from botocore.config import Config

    bucket, prefix = parse_storage_url(config["STORAGE_URL"])
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=config.get("STORAGE_ENDPOINT_URL") or None,
        region_name=config.get("STORAGE_REGION") or None,
        config=Config(
            connect_timeout=config.get("STORAGE_TIMEOUT_SECONDS", 10),
            read_timeout=config.get("STORAGE_TIMEOUT_SECONDS", 10),
            retries={"max_attempts": 3, "mode": "standard"},
            # Path-style addresses work with every S3-compatible service, bucket names
            # with dots included.
            s3={"addressing_style": "path"},
        ),
    )
    return ObjectStorage(bucket, prefix, client)


def storage() -> Storage:
    """The file store the application is configured with (one per setting, made once)."""
    config = current_app.config
    url = config.get("STORAGE_URL") or ""
    if not url:
        folder = config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads")
        return DiskStorage(folder)
    made = current_app.extensions.setdefault("portal_storage", {})
    setting = (url, config.get("STORAGE_ENDPOINT_URL"), config.get("STORAGE_REGION"))
    if setting not in made:
        made[setting] = _object_storage(config)
    return made[setting]
