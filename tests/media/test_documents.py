"""Evidence files: judged by their bytes, cleaned of metadata, shown only to those allowed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin
from PIL import Image
from werkzeug.datastructures import FileStorage

from telecom.core import storage
from telecom.core.errors import NotFound, ValidationError
from telecom.core.permissions import Role
from telecom.media import documents
from telecom.media.models import ApplicationStatus, DocumentKind
from telecom.participants.services.badges import BADGE_PHOTOS_KIND
from tests.helpers import make_edition, make_organizer, make_user
from tests.media.support_documents import (
    ELF,
    EXECUTABLE,
    HTML_PAGE,
    SECRET_MAKE,
    add_document,
    cut_in_half,
    jpeg_with_exif,
    make_application,
    noisy_image,
    padded_pdf,
    pdf_bytes,
    plain_jpeg,
    png_claiming_size,
    png_with_exif,
)

MIB = 1024 * 1024
LETTER = DocumentKind.LETTER_OF_ASSIGNMENT
CARD = DocumentKind.PRESS_CARD
PHOTO = DocumentKind.PHOTO

# The limit is read from the application's configuration.
pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def uploads(app: Flask) -> Path:
    return Path(app.config["UPLOAD_DIR"])


def stored_files(uploads: Path, kind: str = documents.DOCUMENTS_KIND) -> list[str]:
    folder = uploads / kind
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- What is accepted --------------------------------------------------------------------


def test_a_pdf_letter_is_kept_as_sent_under_a_random_name(app, uploads):
    data = pdf_bytes()

    prepared = documents.prepare_upload(LETTER, data, "Assignment letter.pdf")
    name = documents.store_prepared(prepared)

    assert prepared.content_type == "application/pdf"
    assert prepared.data == data
    assert prepared.original_name == "Assignment letter.pdf"
    assert name.endswith(".pdf") and len(name) == 36 and "Assignment" not in name
    assert stored_files(uploads) == [name]
    assert (uploads / documents.DOCUMENTS_KIND / name).read_bytes() == data
    # Outside static/: the folder is the configured upload directory.
    assert "static" not in (uploads / documents.DOCUMENTS_KIND).parts


@pytest.mark.parametrize(
    ("kind", "data", "content_type"),
    [
        (CARD, pdf_bytes(), "application/pdf"),
        (CARD, plain_jpeg(), "image/jpeg"),
        (CARD, png_with_exif(), "image/png"),
        (PHOTO, plain_jpeg(), "image/jpeg"),
        (PHOTO, png_with_exif(), "image/png"),
    ],
    ids=["card-pdf", "card-jpeg", "card-png", "photo-jpeg", "photo-png"],
)
def test_each_kind_accepts_its_types_whatever_the_name(kind, data, content_type):
    # The name says nothing: a JPEG called ".pdf" is still a JPEG.
    prepared = documents.prepare_upload(kind, data, "upload.pdf")

    assert prepared.content_type == content_type


# --- What is refused, with a clear message -----------------------------------------------


@pytest.mark.parametrize("program", [EXECUTABLE, ELF], ids=["windows-exe", "linux-elf"])
@pytest.mark.parametrize("kind", [LETTER, CARD, PHOTO])
def test_an_executable_renamed_pdf_is_refused(app, uploads, kind, program):
    with pytest.raises(ValidationError, match="whatever its name says") as refused:
        documents.prepare_upload(kind, program, "letter-of-assignment.pdf")

    assert "PDF" in refused.value.message or "JPEG" in refused.value.message
    assert stored_files(uploads) == []


@pytest.mark.parametrize("kind", [CARD, PHOTO])
def test_an_html_page_declared_as_a_png_image_is_refused(kind):
    # What the browser declares (Content-Type image/png, a .png name) never reaches
    # the judgement: only the bytes read from the upload do.
    upload = FileStorage(
        stream=io.BytesIO(HTML_PAGE), filename="portrait.png", content_type="image/png"
    )
    data = documents.read_upload(upload.stream)

    with pytest.raises(ValidationError, match="JPEG or PNG image"):
        documents.prepare_upload(kind, data, upload.filename or "")


def test_the_letter_must_be_a_pdf_and_the_photo_an_image():
    with pytest.raises(ValidationError, match="letter of assignment must be a PDF"):
        documents.prepare_upload(LETTER, plain_jpeg(), "letter.jpg")
    with pytest.raises(ValidationError, match="photo must be a JPEG or PNG image"):
        documents.prepare_upload(PHOTO, pdf_bytes(), "me.pdf")
    with pytest.raises(ValidationError, match="press card must be a PDF file or a JPEG"):
        documents.prepare_upload(CARD, b"GIF89a" + b"\x00" * 40, "card.gif")


@pytest.mark.parametrize("kind", [LETTER, CARD, PHOTO])
def test_an_empty_file_is_refused(kind):
    with pytest.raises(ValidationError, match="The file is empty"):
        documents.prepare_upload(kind, b"", "letter.pdf")


def test_the_limit_is_5_mb_exactly_the_limit_is_accepted_one_byte_more_is_not(app):
    assert documents.max_upload_bytes() == 5 * MIB
    at_limit = padded_pdf(5 * MIB)
    assert len(at_limit) == 5 * MIB

    assert documents.prepare_upload(LETTER, at_limit, "big.pdf").data == at_limit

    over = padded_pdf(5 * MIB + 1)
    with pytest.raises(ValidationError) as refused:
        documents.prepare_upload(LETTER, over, "big.pdf")
    assert refused.value.message == ("The file is too large (5.1 MB); at most 5 MB is accepted.")


def test_the_limit_comes_from_the_configuration(app):
    app.config["MEDIA_MAX_UPLOAD_BYTES"] = 2048
    assert documents.prepare_upload(LETTER, padded_pdf(2048), "a.pdf")

    with pytest.raises(ValidationError, match="too large"):
        documents.prepare_upload(LETTER, padded_pdf(2049), "a.pdf")
    with pytest.raises(ValidationError, match="too large"):
        documents.prepare_upload(PHOTO, plain_jpeg(400, 400) + b"\x00" * 2048, "me.jpg")


def test_reading_an_upload_stops_one_byte_past_the_limit(app):
    stream = io.BytesIO(b"\x00" * (documents.max_upload_bytes() * 2))

    assert len(documents.read_upload(stream)) == documents.max_upload_bytes() + 1
    assert documents.max_request_bytes() > documents.max_upload_bytes()


def test_a_pdf_cut_off_before_its_end_is_refused():
    whole = pdf_bytes()

    with pytest.raises(ValidationError, match="incomplete or damaged"):
        documents.prepare_upload(LETTER, whole[: len(whole) // 2], "letter.pdf")
    with pytest.raises(ValidationError, match="incomplete or damaged"):
        documents.prepare_upload(LETTER, b"%PDF-1.7\n" + HTML_PAGE, "letter.pdf")


@pytest.mark.parametrize(
    "data",
    [
        jpeg_with_exif(200, 150)[:400],
        cut_in_half(noisy_image("JPEG")),
        cut_in_half(noisy_image("PNG")),
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,
    ],
    ids=["jpeg-headers-only", "truncated-jpeg", "truncated-png", "png-garbage", "jpeg-garbage"],
)
def test_a_damaged_image_is_refused(app, uploads, data):
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        documents.prepare_upload(PHOTO, data, "photo.jpg")

    assert stored_files(uploads) == []


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # A few hundred bytes that claim 10 billion pixels (Pillow's own limit) ...
    with pytest.raises(ValidationError, match="claims to be larger than any photo"):
        documents.prepare_upload(PHOTO, png_claiming_size(100_000, 100_000), "bomb.png")
    # ... and 49 million (ours, lower): refused with the size it claims.
    with pytest.raises(ValidationError, match=r"too large \(7000 × 7000 pixels\)"):
        documents.prepare_upload(CARD, png_claiming_size(7000, 7000), "card.png")


# --- Images lose their metadata ----------------------------------------------------------


def _assert_no_metadata(data: bytes) -> Image.Image:
    assert SECRET_MAKE.encode() not in data
    assert b"secret comment" not in data and b"Secret Author" not in data
    image = Image.open(io.BytesIO(data))
    assert dict(image.getexif()) == {}
    for key in ("exif", "icc_profile", "comment", "Author", "Comment", "xmp", "dpi"):
        assert key not in image.info, key
    return image


def test_a_png_with_exif_is_stored_without_it(app, uploads):
    original = png_with_exif()
    before = Image.open(io.BytesIO(original))
    assert before.getexif()[0x010F] == SECRET_MAKE  # the sample really carries EXIF
    assert "icc_profile" in before.info and before.info["Author"] == "Secret Author"
    edition = make_edition()
    application = make_application(edition, make_user("ana@example.org"))

    document = add_document(application, PHOTO, original, "IMG_0001.png")

    stored = (uploads / documents.DOCUMENTS_KIND / document.stored_name).read_bytes()
    image = _assert_no_metadata(stored)
    for chunk in (b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"tIME"):
        assert chunk not in stored
    assert image.format == "PNG" and image.size == before.size
    assert document.content_type == "image/png" and document.size == len(stored)
    # The picture itself is unchanged.
    assert image.convert("RGB").tobytes() == before.convert("RGB").tobytes()


def test_a_jpeg_with_exif_is_stored_without_it(app, uploads):
    original = jpeg_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()[0x010F] == SECRET_MAKE
    edition = make_edition()
    application = make_application(edition, make_user("ana@example.org"))

    document = add_document(application, CARD, original, "card.jpg")

    stored = (uploads / documents.DOCUMENTS_KIND / document.stored_name).read_bytes()
    image = _assert_no_metadata(stored)
    assert b"Exif\x00\x00" not in stored
    assert image.format == "JPEG" and image.size == (40, 30)


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6: the camera was turned; viewers rotate the 40 x 30 picture a
    # quarter turn clockwise, so its left (red) half shows at the top.
    prepared = documents.prepare_upload(PHOTO, jpeg_with_exif(orientation=6), "turned.jpg")

    image = Image.open(io.BytesIO(prepared.data)).convert("RGB")
    assert image.size == (30, 40)
    top, bottom = image.getpixel((15, 5)), image.getpixel((15, 35))
    assert top[0] > 200 and top[2] < 60  # red
    assert bottom[2] > 200 and bottom[0] < 60  # blue
    assert 0x0112 not in Image.open(io.BytesIO(prepared.data)).getexif()


def test_palette_and_transparent_pngs_are_re_encoded_faithfully():
    # Palette index 0 is transparent, index 1 opaque red (the right half).
    picture = Image.new("P", (8, 8), 0)
    picture.putpalette([255, 255, 255, 255, 0, 0])
    picture.paste(1, (4, 0, 8, 8))
    out = io.BytesIO()
    picture.save(out, format="PNG", transparency=0)
    prepared = documents.prepare_upload(PHOTO, out.getvalue(), "logo.png")

    image = Image.open(io.BytesIO(prepared.data))
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0
    assert image.getpixel((6, 0)) == (255, 0, 0, 255)


# --- The name shown ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("C:\\Users\\ana\\Desktop\\letter.pdf", "letter.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("  my\tletter\n.pdf ", "my letter .pdf"),
        ("gpj\u202e.exe", "gpj.exe"),  # a right-to-left override cannot disguise it
        ("", "letter_of_assignment.pdf"),
        ("/", "letter_of_assignment.pdf"),
        ("lettre d’affectation – été.pdf", "lettre d’affectation – été.pdf"),
    ],
)
def test_the_original_name_is_cleaned_for_display(sent, shown):
    assert documents.prepare_upload(LETTER, pdf_bytes(), sent).original_name == shown


def test_a_long_original_name_is_shortened_to_200_characters_keeping_its_extension():
    name = documents.prepare_upload(LETTER, pdf_bytes(), "a" * 500 + ".pdf").original_name

    assert len(name) == 200 and name.endswith("….pdf")
    assert len(documents.clean_original_name("b" * 500)) == 200


# --- Who may open a file -----------------------------------------------------------------


@pytest.fixture
def two_applications(app):
    edition = make_edition()
    ana, ben = make_user("ana@example.org"), make_user("ben@example.org", full_name="Ben B")
    ana_application = make_application(edition, ana)
    ben_application = make_application(edition, ben)
    ana_letter = add_document(ana_application, data=pdf_bytes("Ana's letter"))
    ben_letter = add_document(ben_application, data=pdf_bytes("Ben's letter"))
    return edition, ana, ana_application, ana_letter, ben, ben_application, ben_letter


def test_the_applicant_opens_their_own_file(two_applications):
    edition, ana, ana_application, ana_letter, *_ = two_applications

    document, data = documents.open_document(edition, ana_application.id, ana_letter.id, actor=ana)

    assert document.id == ana_letter.id
    assert data == pdf_bytes("Ana's letter")


def test_applicant_a_cannot_open_bs_file_even_by_guessing_ids(two_applications):
    edition, ana, ana_application, _ana_letter, _ben, ben_application, ben_letter = two_applications
    missing = documents.open_document
    attempts = [
        (ben_application.id, ben_letter.id),  # B's application and file
        (ana_application.id, ben_letter.id),  # B's file under A's own application
        (ben_application.id, ben_letter.id + 100),  # ids that do not exist
        (ben_application.id + 100, ben_letter.id),
    ]
    messages = set()
    for application_id, document_id in attempts:
        with pytest.raises(NotFound) as refused:
            missing(edition, application_id, document_id, actor=ana)
        messages.add(refused.value.message)
    # Whether the file exists or not, the answer is the same.
    assert messages == {"There is no such document."}


@pytest.mark.parametrize(
    "roles",
    [None, {Role.CHECKIN_STAFF}, {Role.EXHIBITOR_CONTACT}],
    ids=["participant", "checkin", "exhibitor"],
)
def test_a_user_without_the_reviewer_role_cannot_open_a_file(two_applications, roles):
    edition, _ana, ana_application, ana_letter, *_ = two_applications
    stranger = make_user("stranger@example.org", roles=roles)

    with pytest.raises(NotFound, match="There is no such document"):
        documents.open_document(edition, ana_application.id, ana_letter.id, actor=stranger)


@pytest.mark.parametrize("actor", [None, AnonymousUserMixin()], ids=["none", "anonymous"])
def test_nobody_logged_out_opens_a_file(two_applications, actor):
    edition, _ana, ana_application, ana_letter, *_ = two_applications

    with pytest.raises(NotFound):
        documents.open_document(edition, ana_application.id, ana_letter.id, actor=actor)


def test_media_reviewers_and_organizers_open_any_submitted_applications_file(two_applications):
    edition, _ana, ana_application, ana_letter, *_ = two_applications
    reviewer = make_user("rita@example.org", roles={Role.MEDIA_REVIEWER})
    organizer = make_organizer()

    for actor in (reviewer, organizer):
        _document, data = documents.open_document(
            edition, ana_application.id, ana_letter.id, actor=actor
        )
        assert data == pdf_bytes("Ana's letter")


def test_a_draft_is_the_applicants_alone(app):
    edition = make_edition()
    ana = make_user("ana@example.org")
    draft = make_application(edition, ana, status=ApplicationStatus.DRAFT)
    letter = add_document(draft)
    reviewer = make_user("rita@example.org", roles={Role.MEDIA_REVIEWER})

    assert documents.open_document(edition, draft.id, letter.id, actor=ana)[1] == pdf_bytes()
    with pytest.raises(NotFound):
        documents.open_document(edition, draft.id, letter.id, actor=reviewer)


def test_another_editions_application_is_not_found(two_applications):
    _edition, _ana, ana_application, ana_letter, *_ = two_applications
    other = make_edition("telecom-world-2016", name="ITU TELECOM World 2016")
    organizer = make_organizer()

    with pytest.raises(NotFound):
        documents.open_document(other, ana_application.id, ana_letter.id, actor=organizer)


def test_a_missing_file_on_disk_is_not_found_not_a_crash(two_applications, uploads):
    edition, ana, ana_application, ana_letter, *_ = two_applications
    (uploads / documents.DOCUMENTS_KIND / ana_letter.stored_name).unlink()

    with pytest.raises(NotFound):
        documents.open_document(edition, ana_application.id, ana_letter.id, actor=ana)


def test_a_stored_file_can_be_deleted(two_applications, uploads):
    *_, ben_letter = two_applications

    documents.delete_stored(ben_letter.stored_name)
    documents.delete_stored(ben_letter.stored_name)  # twice: nothing to do
    documents.delete_stored(None)

    assert ben_letter.stored_name not in stored_files(uploads)
    with pytest.raises(NotFound):
        documents.read_document(ben_letter)


# --- The photo for the badge -------------------------------------------------------------


def test_the_photo_is_copied_for_the_badge_scaled_down_and_clean(app, uploads):
    edition = make_edition()
    application = make_application(edition, make_user("ana@example.org"))
    photo = add_document(application, PHOTO, png_with_exif(1200, 1600), "portrait.png")

    name = documents.copy_badge_photo(photo)

    assert stored_files(uploads, BADGE_PHOTOS_KIND) == [name]
    data = storage.read(BADGE_PHOTOS_KIND, name)
    image = _assert_no_metadata(data)
    assert image.format == "PNG" and image.size == (450, 600)
    # The evidence file is untouched (it is purged on its own schedule).
    assert Image.open(io.BytesIO(documents.read_document(photo))).size == (1200, 1600)


def test_only_the_photo_goes_on_the_badge(app):
    edition = make_edition()
    application = make_application(edition, make_user("ana@example.org"))
    card = add_document(application, CARD, plain_jpeg(), "card.jpg")

    with pytest.raises(ValidationError):
        documents.copy_badge_photo(card)
