"""PDF proof documents: parsed by pypdf, checked object by object for active content, then written anew.

Only what the document's object graph holds is stored: pypdf writes a fresh file from the parsed objects, so
bytes appended after `%%EOF`, an earlier revision left behind by an incremental update, unreferenced
objects and anything hidden between objects (the usual ways of making a PDF that is also a ZIP, an HTML page
or a script) do not reach storage. The stored file is the one that is then served to clerks.
"""

import io
import logging

from django.conf import settings
from django.utils.translation import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from .rejections import DocumentRejected, RejectionCode

logger = logging.getLogger("bindings.uploads")

PDF_MAGIC = b"%PDF-"

# A PDF has a few hundred objects per page at most; far more within 10 MB is an attempt to make the
# object walk below expensive, not a certificate.
_PDF_MAX_OBJECTS = 100_000
# Dictionary keys that only exist to run something: scripts, actions fired by events (/AA), embedded
# or attached files, XFA forms (which carry their own scripts) and Flash-era rich media.
_PDF_FORBIDDEN_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/RichMedia"})
# Names that, wherever they appear as a value, denote a dangerous action type (/S) or object type.
# /URI and /GoTo (ordinary links) are allowed: many exported PDFs contain them.
_PDF_FORBIDDEN_NAMES = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/RichMediaExecute",
        "/EmbeddedFile",
        "/FileAttachment",
        "/RichMedia",
    }
)


def sanitize_pdf(data: bytes) -> tuple[bytes, int]:
    """The PDF to store (rewritten from its parsed objects) and its page count, or DocumentRejected."""
    corrupt = DocumentRejected(RejectionCode.CORRUPT_PDF, _("PDF文件已损坏或无法打开，请重新导出或改为拍照上传。"))
    max_pages = int(getattr(settings, "DOCUMENT_PDF_MAX_PAGES", 10))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise DocumentRejected(RejectionCode.PDF_ENCRYPTED, _("PDF文件已加密，请上传未加密的文件。"))
        pages = len(reader.pages)  # counted by walking the page tree, not taken from /Count
        if pages == 0:
            raise corrupt
        if pages > max_pages:
            raise DocumentRejected(
                RejectionCode.PDF_TOO_LONG,
                _("PDF文件超过%(limit)s页，请只上传证明材料所在的页面。") % {"limit": max_pages},
            )
        if _pdf_has_active_content(reader):
            raise DocumentRejected(
                RejectionCode.PDF_SCRIPTED, _("PDF文件含有脚本、附件或自动执行内容，出于安全考虑不能上传。")
            )
        rewritten = _rewrite(reader)
    except DocumentRejected:
        raise
    except Exception as exc:  # pypdf, like any parser of hostile input, fails in many ways
        logger.info("Unreadable PDF upload refused: %r", exc)
        raise corrupt from exc
    return rewritten, pages


def _rewrite(reader: PdfReader) -> bytes:
    """A fresh file holding the document's objects and nothing else (no appended data, no old revisions)."""
    writer = PdfWriter(clone_from=reader)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_has_active_content(reader: PdfReader) -> bool:
    """Walk every object, reachable from the trailer or merely listed in the xref, for active content.

    Checking parsed objects rather than raw bytes sees inside compressed object streams and through
    escaped names (``/J#61vaScript``). Orphan objects are checked too: some readers recover them.
    """
    roots: list = [reader.trailer]
    for generation, numbers in reader.xref.items():
        roots.extend(IndirectObject(number, generation, reader) for number in numbers)
    roots.extend(IndirectObject(number, 0, reader) for number in reader.xref_objStm)

    seen: set[tuple[int, int]] = set()
    stack = roots
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > _PDF_MAX_OBJECTS:
                raise ValueError("too many PDF objects")
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for name, value in dict.items(obj):  # raw values: references are followed by the walk
                if name in _PDF_FORBIDDEN_KEYS:
                    return True
                if name == "/OpenAction" and _is_active_open_action(value):
                    return True
                stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
        elif isinstance(obj, NameObject) and obj in _PDF_FORBIDDEN_NAMES:
            return True
    return False


def _is_active_open_action(value) -> bool:
    """/OpenAction as a destination (LibreOffice writes ``[page /XYZ ...]``) only sets the first view."""
    value = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(value, ArrayObject):
        return False
    return not (isinstance(value, DictionaryObject) and value.get("/S") == "/GoTo")
