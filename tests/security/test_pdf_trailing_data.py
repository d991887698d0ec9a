"""Hole 6 (smaller): a PDF was stored byte for byte, with whatever rode along after %%EOF.

A file that is a valid PDF and also a ZIP or an HTML page (data appended after the end marker, or kept in
an earlier revision of an incremental update) must reach storage as the PDF alone.
"""

import hashlib
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter

from bindings.uploads import sanitize_upload

PAYLOAD = b"<html><script>alert(document.cookie)</script></html>"
ZIP_PAYLOAD = b"PK\x03\x04" + b"\x00" * 26 + b"evil.exe"


def _pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stored(data: bytes) -> bytes:
    upload = SimpleUploadedFile("proof.pdf", data, content_type="application/pdf")
    return sanitize_upload(upload).content


def test_data_after_eof_is_not_stored():
    doc = _stored(_pdf(2) + b"\n" + PAYLOAD + ZIP_PAYLOAD)
    assert PAYLOAD not in doc
    assert b"PK\x03\x04" not in doc
    assert doc.rstrip().endswith(b"%%EOF")
    assert len(PdfReader(io.BytesIO(doc)).pages) == 2


def test_an_earlier_revisions_leftovers_are_not_stored():
    """An incremental update: the first revision's page object carries a marker the final one no longer uses."""
    first = _pdf(1).replace(b"/MediaBox", b"/Marker (SECRET-OLD-REVISION) /MediaBox", 1)
    writer = PdfWriter(io.BytesIO(first), incremental=True)
    del writer.pages[0]["/Marker"]
    out = io.BytesIO()
    writer.write(out)
    updated = out.getvalue()
    assert updated.count(b"%%EOF") == 2 and b"SECRET-OLD-REVISION" in updated
    assert b"SECRET-OLD-REVISION" not in _stored(updated)


def test_sha256_and_size_describe_the_stored_bytes():
    upload = SimpleUploadedFile("proof.pdf", _pdf(1) + PAYLOAD, content_type="application/pdf")
    doc = sanitize_upload(upload)

    assert doc.size == len(doc.content)
    assert doc.sha256 == hashlib.sha256(doc.content).hexdigest()
