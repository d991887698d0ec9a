"""Kinship proof uploads: every hostile file is built here, in the test, from Pillow, pypdf or bytes."""

import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, JpegImagePlugin, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from bindings.uploads import (
    DocumentRejected,
    SanitizedDocument,
    check_application_total,
    delete_document,
    sanitize_upload,
    store_document,
)

MIB = 1024 * 1024


# --- builders -------------------------------------------------------------------------------------


def upload(data: bytes, name: str = "proof.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def two_halves(size=(800, 600), mode="RGB") -> Image.Image:
    """Left half red, right half blue: shows which way a rotation went."""
    image = Image.new(mode, size, "blue")
    image.paste("red", (0, 0, size[0] // 2, size[1]))
    return image


def jpeg_bytes(image: Image.Image | None = None, **options) -> bytes:
    out = io.BytesIO()
    (image or two_halves()).save(out, "JPEG", quality=90, **options)
    return out.getvalue()


def png_bytes(image: Image.Image | None = None, **options) -> bytes:
    out = io.BytesIO()
    (image or two_halves()).save(out, "PNG", **options)
    return out.getvalue()


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (27.0, 48.0, 0.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (114.0, 23.0, 0.0)
    return exif


def jpeg_markers(data: bytes) -> list[int]:
    """Marker bytes of the segments before the image data (SOS)."""
    assert data[:2] == b"\xff\xd8"
    pos, markers = 2, []
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:
            break
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return markers


def png_chunk_types(data: bytes) -> list[bytes]:
    pos, types = 8, []
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        types.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return types


def png_chunk(chunk_type: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + chunk_type + body + struct.pack(">I", zlib.crc32(chunk_type + body))


def pdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf(pages: int = 1) -> PdfWriter:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    return writer


def raw_pdf(*objects: bytes) -> bytes:
    """A PDF written by hand (object 1 is the catalog), for what pypdf's writer would not produce."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
ONE_PAGE_TREE = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"


def rejected(data: bytes, name: str = "proof.jpg") -> str:
    with pytest.raises(DocumentRejected) as caught:
        sanitize_upload(upload(data, name))
    assert caught.value.message and str(caught.value) == caught.value.message
    return caught.value.code


# --- photos ---------------------------------------------------------------------------------------


def test_jpeg_photo_is_reencoded_and_described():
    doc = sanitize_upload(upload(jpeg_bytes()))
    assert isinstance(doc, SanitizedDocument)
    assert (doc.content_type, doc.extension, doc.width, doc.height, doc.pages) == ("image/jpeg", "jpg", 800, 600, None)
    assert doc.size == len(doc.content)
    assert re.fullmatch(r"[0-9a-f]{64}", doc.sha256)
    with Image.open(io.BytesIO(doc.content)) as stored:
        assert stored.format == "JPEG" and stored.size == (800, 600)


def test_exif_orientation_is_applied_and_removed():
    original = jpeg_bytes(exif=exif_with_gps(orientation=6))  # stored 800x600, shown turned 90° clockwise
    doc = sanitize_upload(upload(original))
    assert (doc.width, doc.height) == (600, 800)
    with Image.open(io.BytesIO(doc.content)) as stored:
        assert stored.size == (600, 800)
        assert not stored.getexif()
        rgb = stored.convert("RGB")
        # Turned clockwise, the left (red) half of the sensor image is on top.
        top, bottom = rgb.getpixel((300, 150)), rgb.getpixel((300, 650))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_gps_exif_xmp_icc_and_comments_are_stripped_from_jpeg():
    original = jpeg_bytes(
        exif=exif_with_gps(),
        icc_profile=b"not-really-an-icc-profile" * 10,
        xmp=b"<x:xmpmeta><rdf:RDF>secret</rdf:RDF></x:xmpmeta>",
        comment=b"taken at home",
    )
    with Image.open(io.BytesIO(original)) as before:  # the test image really carries all of it
        assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert {"icc_profile", "xmp", "comment"} <= set(before.info)

    doc = sanitize_upload(upload(original))

    markers = jpeg_markers(doc.content)
    assert not [m for m in markers if 0xE1 <= m <= 0xEF or m == 0xFE]  # APP1-15 (EXIF, XMP, ICC), COM
    assert b"PhoneMaker" not in doc.content and b"secret" not in doc.content
    with Image.open(io.BytesIO(doc.content)) as stored:
        assert not {"exif", "icc_profile", "xmp", "comment"} & set(stored.info)


def test_multi_picture_jpeg_from_a_phone_is_accepted_as_one_jpeg():
    out = io.BytesIO()
    two_halves().save(out, "MPO", save_all=True, append_images=[two_halves()])
    doc = sanitize_upload(upload(out.getvalue()))
    assert doc.content_type == "image/jpeg"
    assert doc.content.count(b"\xff\xd8") == 1  # the second picture is gone


def test_data_after_jpeg_end_is_dropped_not_stored():
    # Phones append motion-photo videos and vendor trailers after EOI, so this is not refused;
    # re-encoding leaves it behind.
    doc = sanitize_upload(upload(jpeg_bytes() + b"<html><script>alert(1)</script></html>"))
    assert b"script" not in doc.content
    assert doc.content.endswith(b"\xff\xd9")


def test_cmyk_jpeg_is_stored_as_rgb():
    doc = sanitize_upload(upload(jpeg_bytes(Image.new("CMYK", (400, 300), (0, 255, 255, 0)))))
    with Image.open(io.BytesIO(doc.content)) as stored:
        assert stored.mode == "RGB"


def test_large_photo_is_downscaled_to_the_configured_long_side(settings):
    settings.DOCUMENT_MAX_SIDE = 1000
    doc = sanitize_upload(upload(jpeg_bytes(two_halves((4000, 2000)))))  # decoded at 1/4 by draft
    assert (doc.width, doc.height) == (1000, 500)

    doc = sanitize_upload(upload(jpeg_bytes(two_halves((1500, 2400)))))  # no draft step possible
    assert (doc.width, doc.height) == (625, 1000)


def test_large_jpeg_is_decoded_at_reduced_size(settings, monkeypatch):
    settings.DOCUMENT_MAX_SIDE = 1000
    decoded_sizes = []
    load = JpegImagePlugin.JpegImageFile.load

    def spy(self):
        decoded_sizes.append(self.size)
        return load(self)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "load", spy)
    sanitize_upload(upload(jpeg_bytes(two_halves((4000, 2000)))))
    assert decoded_sizes[0] == (1000, 500)  # libjpeg scaled by 1/4, not 4000x2000 then resized


def test_photo_within_the_limit_keeps_its_size(settings):
    settings.DOCUMENT_MAX_SIDE = 1000
    doc = sanitize_upload(upload(jpeg_bytes(two_halves((1000, 700)))))
    assert (doc.width, doc.height) == (1000, 700)


@pytest.mark.parametrize("size", [(150, 800), (800, 199)])
def test_tiny_image_is_refused(size):
    assert rejected(jpeg_bytes(two_halves(size))) == "too_small"


# --- PNG ------------------------------------------------------------------------------------------


def test_png_stays_png_without_metadata():
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "address: somewhere")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>secret</x:xmpmeta>")
    original = png_bytes(exif=exif_with_gps(), pnginfo=text, icc_profile=b"fake-icc" * 20, dpi=(300, 300))
    assert {b"tEXt", b"iTXt", b"eXIf", b"iCCP", b"pHYs"} <= set(png_chunk_types(original))

    doc = sanitize_upload(upload(original, name="scan.png", content_type="image/png"))

    assert (doc.content_type, doc.extension, doc.width, doc.height) == ("image/png", "png", 800, 600)
    assert set(png_chunk_types(doc.content)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    assert b"somewhere" not in doc.content and b"secret" not in doc.content


def test_png_exif_orientation_is_applied():
    doc = sanitize_upload(upload(png_bytes(exif=exif_with_gps(orientation=8))))
    assert (doc.width, doc.height) == (600, 800)


def test_palette_png_keeps_its_transparency():
    image = Image.new("P", (300, 300), 0)
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    image.paste(1, (0, 0, 150, 300))
    doc = sanitize_upload(upload(png_bytes(image, transparency=0)))
    with Image.open(io.BytesIO(doc.content)) as stored:
        assert stored.mode == "P" and stored.info.get("transparency") == 0


def test_palette_png_is_smoothed_when_downscaled(settings):
    settings.DOCUMENT_MAX_SIDE = 500
    image = Image.new("P", (1000, 800), 0)
    image.putpalette([255, 255, 255, 0, 0, 0] + [0] * 762)
    doc = sanitize_upload(upload(png_bytes(image)))
    with Image.open(io.BytesIO(doc.content)) as stored:
        assert stored.size == (500, 400) and stored.mode == "RGB"


def test_sixteen_bit_grey_png_is_scaled_not_clipped_to_white():
    doc = sanitize_upload(upload(png_bytes(Image.new("I;16", (300, 300), 30000))))
    with Image.open(io.BytesIO(doc.content)) as stored:
        assert stored.format == "PNG" and stored.mode == "L"
        assert stored.getpixel((10, 10)) == 30000 // 256


@pytest.mark.parametrize(
    "appended",
    [b"<?php system($_GET['c']); ?>", b"\x00" * 16, b"PK\x03\x04 a zip would start here"],
)
def test_png_with_data_after_iend_is_refused(appended):
    assert rejected(png_bytes() + appended, name="proof.png") == "trailing_data"


# --- refused types --------------------------------------------------------------------------------


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("proof.jpg", jpeg_bytes())
    return out.getvalue()


def gif_bytes() -> bytes:
    out = io.BytesIO()
    two_halves().save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", id="html"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', id="svg"
        ),
        pytest.param(b"<svg><script>alert(1)</script></svg>", id="bare-svg"),
        pytest.param(zip_bytes(), id="zip"),
        pytest.param(gif_bytes(), id="gif"),
        pytest.param(b"MZ\x90\x00" + b"\x00" * 100, id="exe"),
        pytest.param(b"  %PDF-1.4 leading junk", id="pdf-not-at-start"),
    ],
)
def test_anything_but_jpeg_png_pdf_is_refused_whatever_its_name(data):
    assert rejected(data, name="hukoubu.jpg") == "unsupported_type"


def test_empty_file_is_refused():
    assert rejected(b"") == "empty"


def test_file_over_the_size_limit_is_refused_with_the_limit_in_the_message():
    with pytest.raises(DocumentRejected) as caught:
        sanitize_upload(upload(b"\xff\xd8\xff" + b"\x00" * (10 * MIB)))
    assert caught.value.code == "too_large"
    assert "10MB" in caught.value.message


class CountingFile(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_no_more_than_limit_plus_one_bytes_are_read_even_when_the_size_is_unknown(settings):
    settings.DOCUMENT_MAX_BYTES = 1000
    stream = CountingFile(b"\xff\xd8\xff" + b"\x00" * 5000)
    with pytest.raises(DocumentRejected) as caught:
        sanitize_upload(UploadedFile(stream, name="big.jpg", content_type="image/jpeg", size=None))
    assert caught.value.code == "too_large"
    assert stream.bytes_read == 1001


def test_file_of_exactly_the_limit_is_read(settings):
    data = jpeg_bytes()
    settings.DOCUMENT_MAX_BYTES = len(data)
    assert sanitize_upload(upload(data)).content_type == "image/jpeg"


# --- broken and oversized images ------------------------------------------------------------------


def png_declaring(width: int, height: int) -> bytes:
    """A ~100 byte PNG whose header promises width x height 1-bit pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + (png_chunk(b"IEND", b""))
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small JPEG whose frame header (SOF0) is patched to promise width x height."""
    data = bytearray(jpeg_bytes(Image.new("L", (16, 16))))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_png_decompression_bomb_is_refused_before_decoding():
    data = png_declaring(30000, 30000)
    assert len(data) < 200
    assert rejected(data, name="bomb.png") == "decompression_bomb"


def test_jpeg_decompression_bomb_is_refused():
    assert rejected(jpeg_declaring(60000, 60000)) == "decompression_bomb"


def test_per_call_pixel_limit_applies_below_pillows_own(settings):
    settings.DOCUMENT_MAX_PIXELS = 1_000_000
    assert rejected(jpeg_bytes(two_halves((1200, 1000)))) == "decompression_bomb"


def test_png_is_limited_by_the_pixels_it_would_decode(settings):
    settings.DOCUMENT_MAX_DECODED_PIXELS = 1_000_000
    assert rejected(png_bytes(two_halves((1200, 1000)))) == "decompression_bomb"


def test_large_jpeg_passes_the_decoded_limit_thanks_to_draft(settings):
    settings.DOCUMENT_MAX_SIDE = 1000
    settings.DOCUMENT_MAX_DECODED_PIXELS = 1_000_000
    assert sanitize_upload(upload(jpeg_bytes(two_halves((4000, 2000))))).width == 1000  # decoded 1000x500


def test_pillows_decompression_bomb_warning_is_treated_as_an_error(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300_000)  # warns above this, raises above twice this
    assert rejected(jpeg_bytes(two_halves((800, 600)))) == "decompression_bomb"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(jpeg_bytes()[:2000], id="truncated-jpeg"),
        pytest.param(png_bytes()[:300], id="truncated-png"),
        pytest.param(b"\xff\xd8\xff\xe0 not really a jpeg", id="jpeg-magic-only"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, id="png-magic-only"),
        pytest.param(png_declaring(400, 400), id="png-missing-pixel-data"),
    ],
)
def test_broken_image_is_refused(data):
    assert rejected(data) == "corrupt_image"


# --- PDF ------------------------------------------------------------------------------------------


def test_plain_pdf_is_stored_rewritten_with_its_pages():
    data = pdf_bytes(blank_pdf(pages=2))
    doc = sanitize_upload(upload(data, name="scan.pdf", content_type="application/pdf"))
    assert doc.content.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(doc.content)).pages) == 2
    assert (doc.content_type, doc.extension, doc.pages, doc.width, doc.height) == (
        "application/pdf",
        "pdf",
        2,
        None,
        None,
    )


def test_pdf_opening_at_a_page_like_libreoffice_exports_is_accepted():
    writer = blank_pdf()
    page_ref = writer.pages[0].indirect_reference
    writer.root_object[NameObject("/OpenAction")] = ArrayObject([page_ref, NameObject("/Fit")])
    assert sanitize_upload(upload(pdf_bytes(writer))).pages == 1


def test_pdf_with_a_web_link_is_accepted():
    writer = blank_pdf()
    writer.add_annotation(
        0,
        link(DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): txt("https://example.org")})),
    )
    assert sanitize_upload(upload(pdf_bytes(writer))).pages == 1


def txt(value: str) -> TextStringObject:
    return TextStringObject(value)


def js_action(code: str = "app.alert(1)") -> DictionaryObject:
    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): txt(code)})


def link(action: DictionaryObject) -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
            NameObject("/A"): action,
        }
    )


def with_document_js(writer: PdfWriter) -> None:
    """Document-level JavaScript: the /Names /JavaScript tree, run when the file opens."""
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([txt("hi"), writer._add_object(js_action())])})
    writer.root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def with_open_action_js(writer: PdfWriter) -> None:
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(js_action())


def with_open_action_uri(writer: PdfWriter) -> None:
    uri = DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): txt("https://evil.example")})
    writer.root_object[NameObject("/OpenAction")] = uri


def with_page_additional_action(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): js_action()})


def with_launch_link(writer: PdfWriter) -> None:
    launch = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): txt("cmd.exe")})
    writer.add_annotation(0, link(launch))


def with_javascript_link(writer: PdfWriter) -> None:
    writer.add_annotation(0, link(js_action()))


def with_attachment(writer: PdfWriter) -> None:
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")


@pytest.mark.parametrize(
    "add",
    [
        with_document_js,
        with_open_action_js,
        with_open_action_uri,
        with_page_additional_action,
        with_launch_link,
        with_javascript_link,
        with_attachment,
    ],
)
def test_pdf_with_scripts_actions_or_attachments_is_refused(add):
    writer = blank_pdf()
    add(writer)
    assert rejected(pdf_bytes(writer), name="proof.pdf") == "pdf_scripted"


def test_pdf_hiding_an_action_behind_an_escaped_name_is_refused():
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /A#41 << /O << /S /GoTo /D [3 0 R /Fit] >> >> >>"
    assert rejected(raw_pdf(CATALOG, ONE_PAGE_TREE, page)) == "pdf_scripted"


def test_pdf_with_an_unreferenced_launch_action_is_refused():
    orphan = b"<< /Type /Action /S /Launch /F (cmd.exe) >>"
    data = raw_pdf(CATALOG, ONE_PAGE_TREE, PAGE, orphan)
    assert sanitize_upload(upload(raw_pdf(CATALOG, ONE_PAGE_TREE, PAGE))).pages == 1  # the same without it is fine
    assert rejected(data) == "pdf_scripted"


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_encrypted_pdf_is_refused(user_password):
    writer = blank_pdf()
    writer.encrypt(user_password, owner_password="owner")
    assert rejected(pdf_bytes(writer), name="proof.pdf") == "pdf_encrypted"


def test_pdf_over_the_page_limit_is_refused(settings):
    assert sanitize_upload(upload(pdf_bytes(blank_pdf(pages=10)))).pages == 10
    assert rejected(pdf_bytes(blank_pdf(pages=11))) == "pdf_too_long"
    settings.DOCUMENT_PDF_MAX_PAGES = 2
    with pytest.raises(DocumentRejected) as caught:
        sanitize_upload(upload(pdf_bytes(blank_pdf(pages=3))))
    assert caught.value.code == "pdf_too_long" and "2页" in caught.value.message


def test_pdf_page_count_is_counted_not_taken_from_the_header():
    kids = b" ".join(b"%d 0 R" % n for n in range(3, 15))
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * 12
    data = raw_pdf(CATALOG, b"<< /Type /Pages /Kids [" + kids + b"] /Count 1 >>", *pages)
    assert rejected(data) == "pdf_too_long"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.4\nthis is not a pdf at all", id="garbage"),
        pytest.param(b"%PDF-", id="header-only"),
        pytest.param(raw_pdf(CATALOG, b"<< /Type /Pages /Kids [] /Count 0 >>"), id="no-pages"),
    ],
)
def test_unreadable_pdf_is_refused(data):
    assert rejected(data, name="proof.pdf") == "corrupt_pdf"


# --- per-application total ------------------------------------------------------------------------


def test_application_total_within_the_limit_passes():
    check_application_total(20 * MIB, 10 * MIB)


def test_application_total_over_the_limit_is_refused(settings):
    with pytest.raises(DocumentRejected) as caught:
        check_application_total(25 * MIB, 6 * MIB)
    assert caught.value.code == "application_too_large" and "30MB" in caught.value.message
    settings.DOCUMENT_APPLICATION_MAX_BYTES = 1000
    with pytest.raises(DocumentRejected):
        check_application_total(0, 1001)


def test_application_total_refuses_negative_counts():
    with pytest.raises(ValueError):
        check_application_total(-1, 10)


# --- storage --------------------------------------------------------------------------------------


def test_store_then_delete_leaves_no_file():
    doc = sanitize_upload(upload(jpeg_bytes(), name="王建国_户口簿.jpg"))
    name = store_document(doc)

    assert re.fullmatch(r"proof/\d{4}/\d{2}/[0-9a-f]{32}\.jpg", name)
    assert "王建国" not in name and "户口簿" not in name
    with default_storage.open(name) as stored:
        assert stored.read() == doc.content

    delete_document(name)
    assert not default_storage.exists(name)
    delete_document(name)  # already gone: clean-up may run twice


def test_each_stored_document_gets_its_own_name():
    doc = sanitize_upload(upload(pdf_bytes(blank_pdf()), name="same.pdf"))
    first, second = store_document(doc), store_document(doc)
    try:
        assert first != second and first.endswith(".pdf")
    finally:
        delete_document(first)
        delete_document(second)


@pytest.mark.parametrize("name", ["../settings.py", "proof/2026/01/../../x.jpg", "accounts/face.jpg", ""])
def test_delete_refuses_names_it_did_not_generate(name):
    with pytest.raises(ValueError):
        delete_document(name)


# --- anything at all ------------------------------------------------------------------------------

MAGIC_PREFIXES = [b"", b"\xff\xd8\xff", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n"]


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(MAGIC_PREFIXES), body=st.binary(max_size=2048))
def test_arbitrary_bytes_are_refused_or_sanitized_never_crash(prefix, body):
    try:
        doc = sanitize_upload(upload(prefix + body))
    except DocumentRejected as exc:
        assert exc.code and exc.message
    else:
        assert doc.content_type in {"image/jpeg", "image/png", "application/pdf"}
