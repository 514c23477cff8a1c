"""Uploaded files: checked by their bytes, stored outside static/, served by a view.

An upload is accepted only when its first bytes are those of an allowed type
(the browser's file name and Content-Type are never trusted), and only when it
is small enough. Images are PNG, JPEG or WebP; SVG is refused because it can
carry script. Files are stored under `<UPLOAD_DIR>/<kind>/` (default:
instance/uploads) with a random name, so a name can neither collide, nor be
guessed, nor point outside the folder.

`store_image` checks and stores an image in one step (exhibitor logos).
`store_bytes` stores bytes a caller has already judged (media evidence: PDFs,
re-encoded images), under the same naming rules; a stored name is always 32
hex digits and one of the known extensions.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from telecom.core.errors import NotFound, ValidationError

MAX_IMAGE_BYTES = 2 * 1024 * 1024
# What the upload views let through at the HTTP level: larger than the image
# limit so that a slightly too large file gets a clear message on the form,
# small enough that nobody can fill the disk with one request.
MAX_REQUEST_BYTES = 8 * 1024 * 1024

IMAGE_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
# Every type a stored file may have, by the extension its name ends with.
EXTENSIONS = {**IMAGE_EXTENSIONS, "application/pdf": "pdf"}
_CONTENT_TYPES = {extension: kind for kind, extension in EXTENSIONS.items()}
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_NAME = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|pdf)$")


def sniff_image_type(data: bytes) -> str | None:
    """The image type the bytes really are (PNG, JPEG, WebP), or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_image(data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> str:
    """Return the content type of an acceptable image, else raise ValidationError."""
    if not data:
        raise ValidationError(_("The file is empty."))
    if len(data) > max_bytes:
        raise ValidationError(
            _(
                "The image is too large (%(size)s MB); the limit is %(limit)s MB.",
                size=f"{len(data) / (1024 * 1024):.1f}",
                limit=f"{max_bytes / (1024 * 1024):g}",
            )
        )
    content_type = sniff_image_type(data)
    if content_type is None:
        raise ValidationError(
            _("This file is not a PNG, JPEG or WebP image. SVG and other formats are not accepted.")
        )
    return content_type


def read_upload(stream: object, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """Read an uploaded file, at most one byte more than the limit (so `check_image` can say
    "too large" without reading a huge file into memory)."""
    read = getattr(stream, "read", None)
    if read is None:
        return b""
    data = read(max_bytes + 1)
    return data if isinstance(data, bytes) else b""


def upload_root() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _folder(kind: str) -> Path:
    if not _KIND.match(kind):
        raise ValueError(f"invalid upload kind {kind!r}")
    return upload_root() / kind


def _path(kind: str, name: str) -> Path:
    if not _NAME.match(name or ""):
        raise NotFound(_("There is no such file."))
    return _folder(kind) / name


def store_bytes(kind: str, data: bytes, extension: str) -> str:
    """Store bytes the caller has already checked under a new random name; return the name.

    `extension` is one of EXTENSIONS' values ("png", "jpg", "webp", "pdf"); the
    content is not judged here, so only pass bytes a check has accepted.
    """
    if extension not in _CONTENT_TYPES:
        raise ValueError(f"invalid stored-file extension {extension!r}")
    folder = _folder(kind)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{extension}"
    path = folder / name
    # Written under a temporary name and renamed, so a reader never sees half a
    # file; "x": never overwrite (the name is random, so a clash means a bug).
    temporary = folder / f".{name}.part"
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    return name


def store_image(kind: str, data: bytes) -> tuple[str, str]:
    """Check and store an image; return (stored name, content type)."""
    content_type = check_image(data)
    return store_bytes(kind, data, IMAGE_EXTENSIONS[content_type]), content_type


def content_type_of(name: str) -> str:
    """The content type a stored name stands for (by its extension, which we chose)."""
    return _CONTENT_TYPES[name.rsplit(".", 1)[-1]]


def read(kind: str, name: str) -> bytes:
    """The stored bytes; NotFound when the file is missing or the name is not one of ours."""
    path = _path(kind, name)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound(_("There is no such file.")) from None


def delete(kind: str, name: str | None) -> None:
    """Remove a stored file if it exists (a missing file is not an error)."""
    if not name or not _NAME.match(name):
        return
    with contextlib.suppress(FileNotFoundError):
        (_folder(kind) / name).unlink()
