"""Reading an upload's request body early, so that a broken one is told apart.

Upload views call `read_upload_body(max_bytes)` from a URL value preprocessor,
before the CSRF check parses the form: there a body that broke off half-way
would look like an empty form and be called "expired". Here it raises
UploadBrokeOff (the view answers that nothing was saved), and a body over the
cap raises RequestEntityTooLarge.
"""

from __future__ import annotations

from typing import IO, Any

from flask import request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge


class UploadBrokeOff(Exception):
    """The upload's body ended before it was complete; nothing was saved."""


def read_upload_body(max_bytes: int) -> None:
    """Cap the body at `max_bytes` and parse it now; UploadBrokeOff when it did not arrive whole.

    Werkzeug leaves the temporary file of a part cut off half-way open; the
    files it opens are tracked through its `_get_file_stream` hook and closed.
    """
    request.max_content_length = max_bytes
    current = request._get_current_object()  # type: ignore[attr-defined]
    opened: list[IO[bytes]] = []
    open_stream = current._get_file_stream

    def tracked(*args: Any, **kwargs: Any) -> IO[bytes]:
        stream = open_stream(*args, **kwargs)
        opened.append(stream)
        return stream

    current._get_file_stream = tracked
    try:
        form, files = current.form, current.files
    except ClientDisconnected:
        _close(opened)
        raise UploadBrokeOff from None
    except RequestEntityTooLarge:
        _close(opened)
        raise
    finally:
        del current._get_file_stream
    # Werkzeug answers a malformed multipart body (no closing boundary, a part
    # without headers) with an empty form rather than an error; a browser never
    # sends a multipart form without a single part.
    if request.mimetype == "multipart/form-data" and not form and not files:
        _close(opened)
        raise UploadBrokeOff


def _close(streams: list[IO[bytes]]) -> None:
    for stream in streams:
        stream.close()
