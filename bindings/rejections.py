"""Why an upload is refused: a stable code for forms, logs and tests, and a message for the resident."""

from enum import StrEnum

from accounts.errors import HallError


class RejectionCode(StrEnum):
    TOO_LARGE = "too_large"
    APPLICATION_TOO_LARGE = "application_too_large"
    EMPTY = "empty"
    UNSUPPORTED_TYPE = "unsupported_type"
    TRAILING_DATA = "trailing_data"
    DECOMPRESSION_BOMB = "decompression_bomb"
    CORRUPT_IMAGE = "corrupt_image"
    TOO_SMALL = "too_small"
    PDF_ENCRYPTED = "pdf_encrypted"
    PDF_SCRIPTED = "pdf_scripted"
    PDF_TOO_LONG = "pdf_too_long"
    CORRUPT_PDF = "corrupt_pdf"


class DocumentRejected(HallError):
    """An upload we will not store. ``message`` is for the resident, ``code`` for forms, logs and tests.

    A form turns it into ``ValidationError(exc.message, code=exc.code)``.
    """

    def __init__(self, code: RejectionCode, message: str):
        super().__init__(message, code=code)
