"""Uploads are accepted by their bytes, never by their name, and stored out of reach."""

from __future__ import annotations

import io

import pytest

from telecom.core import storage
from telecom.core.errors import NotFound, ValidationError
from tests.exhibitors.organisations_support import SVG, png_bytes

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
WEBP = b"RIFF\x30\x00\x00\x00WEBPVP8L" + b"\x00" * 64


@pytest.fixture
def folder(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return tmp_path / "uploads"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(png_bytes(), "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")],
    ids=["png", "jpeg", "webp"],
)
def test_images_are_recognised_by_their_bytes(data, content_type):
    assert storage.sniff_image_type(data) == content_type
    assert storage.check_image(data) == content_type


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (SVG, "not a PNG, JPEG or WebP image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG and other formats are not accepted"),
        (b"GIF89a" + b"\x00" * 20, "not a PNG, JPEG or WebP image"),
        (b"%PDF-1.7\n", "not a PNG, JPEG or WebP image"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "not a PNG, JPEG or WebP image"),
        (b"hello.png", "not a PNG, JPEG or WebP image"),
        (b"", "The file is empty."),
    ],
    ids=["svg", "bare-svg", "gif", "pdf", "wav", "text", "empty"],
)
def test_anything_else_is_refused(data, message):
    with pytest.raises(ValidationError, match=message):
        storage.check_image(data)


def test_the_size_limit_is_2_mb():
    at_limit = png_bytes(padding=storage.MAX_IMAGE_BYTES - len(png_bytes()))
    assert len(at_limit) == storage.MAX_IMAGE_BYTES
    assert storage.check_image(at_limit) == "image/png"

    with pytest.raises(ValidationError, match=r"too large \(2.0 MB\); the limit is 2 MB"):
        storage.check_image(at_limit + b"\x00")


def test_reading_an_upload_stops_just_past_the_limit():
    stream = io.BytesIO(b"\x00" * (storage.MAX_IMAGE_BYTES * 3))

    assert len(storage.read_upload(stream)) == storage.MAX_IMAGE_BYTES + 1


def test_an_image_is_stored_with_a_random_name_and_read_back(folder):
    data = png_bytes()

    name, content_type = storage.store_image("logos", data)
    other, _ = storage.store_image("logos", data)

    assert content_type == "image/png"
    assert name.endswith(".png") and len(name) == 36
    assert other != name
    assert (folder / "logos" / name).read_bytes() == data
    assert storage.read("logos", name) == data
    assert storage.content_type_of(name) == "image/png"
    assert sorted(p.name for p in (folder / "logos").iterdir()) == sorted([name, other])


def test_a_refused_image_leaves_nothing_behind(folder):
    with pytest.raises(ValidationError):
        storage.store_image("logos", SVG)

    assert not (folder / "logos").exists() or list((folder / "logos").iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "../../config.py",
        "/etc/passwd",
        "abc.png",
        "abc.pdf",
        "0" * 32 + ".svg",
        "0" * 32 + ".exe",
        "0" * 32 + ".PDF",
        "0" * 32 + ".png/../x",
        "",
    ],
)
def test_names_that_are_not_ours_are_not_found(folder, name):
    with pytest.raises(NotFound):
        storage.read("logos", name)


def test_a_missing_file_is_not_found_and_delete_is_quiet(folder):
    name, _ = storage.store_image("logos", png_bytes())
    storage.delete("logos", name)
    storage.delete("logos", name)  # twice: nothing to do
    storage.delete("logos", "../../config.py")  # never outside the folder
    storage.delete("logos", None)

    with pytest.raises(NotFound):
        storage.read("logos", name)


def test_the_kind_is_a_plain_folder_name(folder):
    with pytest.raises(ValueError):
        storage.store_image("../static", png_bytes())


def test_uploads_default_to_the_instance_folder(app):
    app.config.pop("UPLOAD_DIR", None)

    assert storage.upload_root() == __import__("pathlib").Path(app.instance_path) / "uploads"


# --- Any checked bytes: PDFs and re-encoded images (media evidence) -----------------


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_checked_bytes_are_stored_under_a_random_name_with_their_extension(folder):
    name = storage.store_bytes("media_documents", PDF, "pdf")
    other = storage.store_bytes("media_documents", PDF, "pdf")

    assert name.endswith(".pdf") and len(name) == 36 and other != name
    assert storage.read("media_documents", name) == PDF
    assert storage.content_type_of(name) == "application/pdf"
    # Only the finished files are in the folder: no temporary ".part" left behind.
    assert sorted(p.name for p in (folder / "media_documents").iterdir()) == sorted([name, other])

    storage.delete("media_documents", name)
    with pytest.raises(NotFound):
        storage.read("media_documents", name)
    assert storage.read("media_documents", other) == PDF


@pytest.mark.parametrize(
    ("extension", "content_type"),
    [
        ("png", "image/png"),
        ("jpg", "image/jpeg"),
        ("webp", "image/webp"),
        ("pdf", "application/pdf"),
    ],
)
def test_every_known_extension_can_be_stored(folder, extension, content_type):
    name = storage.store_bytes("badge_photos", b"checked elsewhere", extension)

    assert name.endswith(f".{extension}")
    assert storage.content_type_of(name) == content_type


@pytest.mark.parametrize("extension", ["exe", "html", "svg", "PDF", "", "pdf/../x"])
def test_an_unknown_extension_is_a_programming_error_and_stores_nothing(folder, extension):
    with pytest.raises(ValueError):
        storage.store_bytes("media_documents", PDF, extension)

    assert not (folder / "media_documents").exists()


def test_stored_bytes_stay_in_their_kind_folder(folder):
    name = storage.store_bytes("media_documents", PDF, "pdf")

    with pytest.raises(NotFound):
        storage.read("logos", name)
    with pytest.raises(ValueError):
        storage.store_bytes("../media_documents", PDF, "pdf")
