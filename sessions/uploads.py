"""Checking an uploaded PDF by what it is, never by what it is called.

The name and the content type come from the visitor's browser and prove
nothing. A file is accepted when it is not too large, starts with the PDF
signature and can be parsed by pypdf to its last page.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
PDF_SIGNATURE = b"%PDF-"
# The signature may follow a little junk (some producers write a byte-order
# mark or a line first); readers accept it within the first kilobyte.
SIGNATURE_WINDOW = 1024


class UploadRefused(Exception):
    """The file is not accepted; the message says why, in words for the uploader."""


@dataclass(frozen=True)
class CheckedPdf:
    data: bytes
    sha256: str
    size: int
    pages: int


def max_upload_bytes() -> int:
    return int(getattr(settings, "MATERIAL_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def read_upload(upload: UploadedFile[bytes], *, limit: int | None = None) -> bytes:
    """The bytes of an upload, refusing it as soon as it passes the limit."""
    limit = max_upload_bytes() if limit is None else limit
    if upload.size is not None and upload.size > limit:
        raise UploadRefused(_too_large(upload.size, limit))
    chunks: list[bytes] = []
    read = 0
    for chunk in upload.chunks():
        read += len(chunk)
        if read > limit:
            raise UploadRefused(_too_large(read, limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int, limit: int) -> str:
    return _("Het bestand is te groot (%(size)s). Het mag hoogstens %(max)s zijn.") % {
        "size": filesizeformat(size),
        "max": filesizeformat(limit),
    }


def pdf_check(data: bytes, *, limit: int | None = None) -> CheckedPdf:
    """Accept ``data`` as a PDF or raise UploadRefused."""
    limit = max_upload_bytes() if limit is None else limit
    if len(data) > limit:
        raise UploadRefused(_too_large(len(data), limit))
    if not data:
        raise UploadRefused(_("Het bestand is leeg."))
    if PDF_SIGNATURE not in data[:SIGNATURE_WINDOW]:
        raise UploadRefused(
            _("Dit bestand is geen PDF. Ook als de naam op .pdf eindigt: de inhoud telt.")
        )
    pages = _pdf_pages(data)
    return CheckedPdf(
        data=data, sha256=hashlib.sha256(data).hexdigest(), size=len(data), pages=pages
    )


def _pdf_pages(data: bytes) -> int:
    from pypdf import PasswordType, PdfReader

    try:
        # Not strict: PDF readers open files with a few bytes before the signature or
        # a slightly wrong xref pointer, and so must we. Reading every page's
        # content below still refuses a file that is truly broken.
        reader = PdfReader(io.BytesIO(data), strict=False)
        # An owner password only limits printing or editing: readers open such a
        # file without asking, so it opens with the empty user password.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise UploadRefused(
                _("De PDF is beveiligd met een wachtwoord. Stuur een PDF zonder wachtwoord.")
            )
        pages = len(reader.pages)
        for page in reader.pages:
            # Reading each page's content finds broken streams, not only a broken index.
            page.get_contents()
    except UploadRefused:
        raise
    except Exception as error:  # a malformed file can fail pypdf in many ways
        logger.info("pdf refused: %s", type(error).__name__)
        raise UploadRefused(
            _("De PDF is beschadigd of onvolledig. Maak de PDF opnieuw en probeer het nog eens.")
        ) from error
    if pages < 1:
        raise UploadRefused(_("De PDF heeft geen pagina's."))
    return pages
