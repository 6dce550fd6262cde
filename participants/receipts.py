"""Checking a receipt (bon) for an expense claim by what it is, never by its
name or the type the browser says it has.

Accepted: a photo (JPEG or PNG) that Pillow can read to the end, or a PDF
that passes sessions.uploads' check. The size limit is
``settings.RECEIPT_MAX_UPLOAD_BYTES`` (10 MB when not set): large enough for
a phone photo, small enough to keep the server and the organisers' phones
quick.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from sessions.uploads import UploadRefused, pdf_check, read_upload

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
JPEG_SIGNATURE = b"\xff\xd8\xff"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_SIGNATURE = b"%PDF-"
# A photo this large (in pixels) is refused before it is decoded: a small
# file can claim a huge picture and eat the server's memory.
MAX_PIXELS = 60_000_000

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}

__all__ = ["CheckedReceipt", "UploadRefused", "max_receipt_bytes", "receipt_check"]


@dataclass(frozen=True)
class CheckedReceipt:
    data: bytes
    sha256: str
    extension: str  # jpg, png or pdf

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]


def max_receipt_bytes() -> int:
    return int(getattr(settings, "RECEIPT_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def receipt_check(upload: UploadedFile[bytes]) -> CheckedReceipt:
    """Accept the upload as a receipt or raise UploadRefused with a message for the member."""
    limit = max_receipt_bytes()
    data = read_upload(upload, limit=limit)
    return receipt_check_bytes(data)


def receipt_check_bytes(data: bytes) -> CheckedReceipt:
    limit = max_receipt_bytes()
    if not data:
        raise UploadRefused(_("Het bestand is leeg."))
    if data.startswith(JPEG_SIGNATURE):
        _image_check(data, "JPEG")
        extension = "jpg"
    elif data.startswith(PNG_SIGNATURE):
        _image_check(data, "PNG")
        extension = "png"
    elif PDF_SIGNATURE in data[:1024]:
        pdf_check(data, limit=limit)
        extension = "pdf"
    else:
        raise UploadRefused(
            _(
                "Dit bestand is geen foto (JPG of PNG) en geen PDF. "
                "Maak een foto van de bon, of stuur een PDF."
            )
        )
    if len(data) > limit:
        # read_upload already stops large uploads; this guards direct callers.
        raise UploadRefused(_("Het bestand is te groot."))
    return CheckedReceipt(data=data, sha256=hashlib.sha256(data).hexdigest(), extension=extension)


def _image_check(data: bytes, expected: str) -> None:
    from PIL import Image

    broken = UploadRefused(
        _("De foto is beschadigd of onvolledig. Maak een nieuwe foto en probeer het nog eens.")
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise broken
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise UploadRefused(_("De foto is te groot. Maak een foto met minder pixels."))
                image.verify()
            # verify() checks the structure; loading decodes every pixel, which
            # finds a file cut off half-way.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except UploadRefused:
        raise
    except Exception as error:  # a malformed image can fail Pillow in many ways
        logger.info("receipt image refused: %s", type(error).__name__)
        raise broken from error
