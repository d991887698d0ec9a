"""Kinship proof uploads (户口簿, 结婚证, 出生医学证明): sniff, check, sanitize, store.

An upload is trusted for nothing: its name and the browser's content type are ignored and the type
is decided from the bytes. Images are decoded and re-encoded, so whatever rode along in the original
(EXIF with GPS, XMP, ICC profiles, comments, text chunks, data appended after the image, an HTML or
ZIP polyglot) never reaches storage. PDFs are parsed by pypdf, every object is checked for scripts,
automatic actions and embedded files, and the file stored is written anew from the parsed objects
(bindings/pdfs.py), so data after %%EOF and old revisions do not reach storage either.

Limits are settings with defaults, read at call time so tests and deployments can override them:

==============================  =============  =====================================================
setting                         default        meaning
==============================  =============  =====================================================
DOCUMENT_MAX_BYTES              10 MiB         one uploaded file
DOCUMENT_APPLICATION_MAX_BYTES  30 MiB         all files of one application (check_application_total)
DOCUMENT_MAX_PIXELS             64 000 000     pixels an image declares (decompression bombs)
DOCUMENT_MAX_DECODED_PIXELS     36 000 000     pixels actually decoded into memory (see below)
DOCUMENT_MAX_SIDE               3000           long side of a stored image, larger ones are downscaled
DOCUMENT_MIN_SIDE               200            short side below which an image cannot show a document
DOCUMENT_PDF_MAX_PAGES          10             pages of a PDF
DOCUMENT_JPEG_QUALITY           85             quality of re-encoded photos
==============================  =============  =====================================================

64 megapixels lets through the full-resolution mode of today's 48/50 MP phone cameras. libjpeg can
decode a JPEG at 1/2, 1/4 or 1/8 scale (``Image.draft``), so a photo at least twice the stored size
never occupies full-size memory; with DOCUMENT_MAX_SIDE 3000, no JPEG under 64 MP decodes to more than
36 MP. A PNG has no such shortcut and compresses flat scans enormously, hence the second limit: 36 MP
still admits an A4 page scanned at 600 dpi (4960x7016). Pillow holds RGB(A) at 4 bytes a pixel.
"""

import hashlib
import io
import logging
import re
import uuid
import warnings
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from .pdfs import PDF_MAGIC, sanitize_pdf
from .rejections import DocumentRejected, RejectionCode

logger = logging.getLogger(__name__)

MIB = 1024 * 1024
STORAGE_PREFIX = "proof"
_STORED_NAME = re.compile(rf"^{STORAGE_PREFIX}/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.(?:jpg|png|pdf)$")

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class SanitizedDocument:
    content: bytes = field(repr=False)  # up to 10 MB: keep it out of logs and tracebacks
    content_type: str  # "image/jpeg" | "image/png" | "application/pdf"
    extension: str  # "jpg" | "png" | "pdf"
    width: int | None
    height: int | None
    pages: int | None
    sha256: str
    size: int


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _mib(n_bytes: int) -> str:
    return f"{n_bytes / MIB:g}"


def sanitize_upload(upload: UploadedFile) -> SanitizedDocument:
    """Check an uploaded file and return what may be stored, or raise DocumentRejected."""
    data = _read_limited(upload, _limit("DOCUMENT_MAX_BYTES", 10 * MIB))
    if data.startswith(_JPEG_MAGIC):
        return _sanitize_image(data, is_png=False)
    if data.startswith(_PNG_MAGIC):
        if _png_end(data) != len(data):
            raise DocumentRejected(
                RejectionCode.TRAILING_DATA, _("图片文件末尾夹带了其他数据，可能被改动过，请用手机重新拍照上传。")
            )
        return _sanitize_image(data, is_png=True)
    if data.startswith(PDF_MAGIC):
        content, pages = sanitize_pdf(data)
        return SanitizedDocument(
            content=content,
            content_type="application/pdf",
            extension="pdf",
            width=None,
            height=None,
            pages=pages,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
        )
    raise DocumentRejected(RejectionCode.UNSUPPORTED_TYPE, _("文件不是有效的JPG/PNG图片或PDF文件，请重新拍照上传。"))


def check_application_total(existing_bytes: int, new_bytes: int) -> None:
    """Refuse a file that would take one application's documents past DOCUMENT_APPLICATION_MAX_BYTES."""
    if existing_bytes < 0 or new_bytes < 0:
        raise ValueError("byte counts cannot be negative")
    limit = _limit("DOCUMENT_APPLICATION_MAX_BYTES", 30 * MIB)
    if existing_bytes + new_bytes > limit:
        raise DocumentRejected(
            RejectionCode.APPLICATION_TOO_LARGE,
            _("本次申请的材料合计超过%(limit)sMB，请删掉不需要的文件后再上传。") % {"limit": _mib(limit)},
        )


def store_document(doc: SanitizedDocument) -> str:
    """Save a sanitized document to private storage and return its storage name.

    The name is ``proof/<yyyy>/<mm>/<uuid4 hex>.<ext>``: nothing of the resident's file name is kept,
    so it cannot traverse paths, collide or leak into logs.

    Storage is not transactional, so the caller owns clean-up. Store *before* the database work and
    delete if that work fails, so a rollback leaves no orphan file::

        name = store_document(doc)
        try:
            with transaction.atomic():
                attachment_add(..., storage_name=name)
        except BaseException:
            delete_document(name)
            raise

    When a committed row stops pointing at a file (replaced or withdrawn proof), delete it only
    after the commit: ``transaction.on_commit(partial(delete_document, old_name))``.
    """
    now = timezone.localtime()
    name = f"{STORAGE_PREFIX}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{doc.extension}"
    return default_storage.save(name, ContentFile(doc.content))


def delete_document(name: str) -> None:
    """Delete a file saved by store_document; a file already gone is not an error.

    Only names store_document can produce are accepted, so a name taken from a request or a
    corrupted row cannot delete anything else in private storage.
    """
    if not _STORED_NAME.fullmatch(name):
        raise ValueError(f"not a document storage name: {name!r}")
    default_storage.delete(name)


def _read_limited(upload: UploadedFile, limit: int) -> bytes:
    """Read at most limit + 1 bytes, enough to tell that a file is too large without holding all of it."""
    too_large = DocumentRejected(
        RejectionCode.TOO_LARGE, _("文件超过%(limit)sMB，请压缩或重新拍摄后上传。") % {"limit": _mib(limit)}
    )
    if (upload.size or 0) > limit:
        raise too_large
    upload.seek(0)
    buffer = bytearray()
    while len(buffer) <= limit:
        chunk = upload.read(limit + 1 - len(buffer))
        if not chunk:
            break
        buffer += chunk
    if len(buffer) > limit:
        raise too_large
    if not buffer:
        raise DocumentRejected(RejectionCode.EMPTY, _("文件是空的，请重新选择文件上传。"))
    return bytes(buffer)


def _png_end(data: bytes) -> int:
    """Offset just past the IEND chunk; anything after it is not part of the image."""
    pos = len(_PNG_MAGIC)
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunk_type = data[pos + 4 : pos + 8]
        pos += 12 + length  # length, type, data, CRC
        if chunk_type == b"IEND":
            return min(pos, len(data))
    # No IEND: truncated. Pillow refuses it (or we do, if Pillow is lenient) as a corrupt image.
    return len(data)


def _corrupt_image() -> DocumentRejected:
    return DocumentRejected(RejectionCode.CORRUPT_IMAGE, _("图片文件已损坏或不完整，无法打开，请重新拍照上传。"))


def _sanitize_image(data: bytes, *, is_png: bool) -> SanitizedDocument:
    max_pixels = _limit("DOCUMENT_MAX_PIXELS", 64_000_000)
    max_decoded = _limit("DOCUMENT_MAX_DECODED_PIXELS", 36_000_000)
    max_side = _limit("DOCUMENT_MAX_SIDE", 3000)
    min_side = _limit("DOCUMENT_MIN_SIDE", 200)
    bomb = DocumentRejected(RejectionCode.DECOMPRESSION_BOMB, _("图片像素过大，无法处理，请用手机相机正常拍摄后上传。"))
    try:
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here the warning is an error too.
        # catch_warnings swaps process-wide state, so with threads a race may briefly drop or keep this
        # one filter; the per-call limits below, stricter than Pillow's by default, hold either way.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["PNG"] if is_png else ["JPEG"])
            if image.format not in (("PNG",) if is_png else ("JPEG", "MPO")):
                raise _corrupt_image()
            width, height = image.size
            # Our own limit, checked from the header before a single pixel is decoded.
            if width * height > max_pixels:
                raise bomb
            if min(width, height) < min_side:
                raise DocumentRejected(
                    RejectionCode.TOO_SMALL, _("图片太小，看不清上面的字，请用手机相机重新拍照上传。")
                )
            target = _fit(width, height, max_side)
            if not is_png and target != (width, height):
                # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still covers the target size.
                image.draft(None, target)
            if image.width * image.height > max_decoded:
                raise bomb
            image.load()
            image = _prepare(image, target, is_png=is_png)
            # Orientation is applied last, on the smaller image; the long side is the same either way.
            image = ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except DocumentRejected:
        raise
    except Exception as exc:  # Pillow raises many types on malformed input: OSError, SyntaxError, ValueError...
        logger.info("Unreadable image upload refused: %r", exc)
        raise _corrupt_image() from exc

    # Nothing of the original's info (EXIF, XMP, ICC, comments, text chunks, dpi) goes into the output:
    # Pillow's encoders fall back to image.info for some of these.
    transparency = image.info.get("transparency")
    image.info = {}
    out = io.BytesIO()
    if is_png:
        options = {"transparency": transparency} if transparency is not None else {}
        image.save(out, format="PNG", **options)
        content_type, extension = "image/png", "png"
    else:
        image.save(out, format="JPEG", quality=_limit("DOCUMENT_JPEG_QUALITY", 85), optimize=True)
        content_type, extension = "image/jpeg", "jpg"
    content = out.getvalue()
    return SanitizedDocument(
        content=content,
        content_type=content_type,
        extension=extension,
        width=image.width,
        height=image.height,
        pages=None,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )


def _fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    long_side = max(width, height)
    if long_side <= max_side:
        return width, height
    scale = max_side / long_side
    return max(1, round(width * scale)), max(1, round(height * scale))


def _prepare(image: Image.Image, target: tuple[int, int], *, is_png: bool) -> Image.Image:
    """Bring the decoded image to a mode the output format stores, then to the target size."""
    if is_png:
        if image.mode == "I" or image.mode.startswith("I;16"):
            # 16-bit grey: a plain convert("L") would clip every value above 255 to white.
            image = image.convert("I").point(lambda value: value / 256).convert("L")
        elif image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
            image = image.convert("RGBA" if image.has_transparency_data else "RGB")
        if image.size != target and image.mode in ("1", "P"):
            # Palette and bilevel images only resize with nearest neighbour: unreadable text.
            image = image.convert("RGBA" if image.has_transparency_data else ("RGB" if image.mode == "P" else "L"))
    elif image.mode not in ("L", "RGB"):  # CMYK, YCCK
        image = image.convert("RGB")
    if image.size != target:
        image = image.resize(target, Image.Resampling.BICUBIC, reducing_gap=3.0)
    return image


def serve_document(name: str, content_type: str, download_name: str):
    """A privately stored document as the response: inline, never cached, sandboxed, nosniff. Handed to nginx
    with X-Accel-Redirect when DOCUMENT_X_ACCEL_REDIRECT is set (filesystem storage), streamed otherwise. The
    caller has checked the permission and logged the look."""
    accel = settings.DOCUMENT_X_ACCEL_REDIRECT
    if accel and isinstance(default_storage, FileSystemStorage):
        # nginx sends the file from its `internal` location; the worker is free at once.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{quote(name)}"
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}.get(content_type, "")
    response["Content-Disposition"] = f'inline; filename="{download_name}{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response
