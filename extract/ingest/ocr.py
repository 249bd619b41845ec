"""OCR for scanned PDFs with OCRmyPDF and Tesseract (Debian packages, found at run time)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from extract.ingest.base import IngestError
from extract.models import ErrorType

INSTALL_HINT = "install it with `apt-get install ocrmypdf tesseract-ocr-eng`"


def ocr_available() -> bool:
    return shutil.which("ocrmypdf") is not None


def ocr_pdf(data: bytes, timeout: float = 600.0) -> bytes:
    """A copy of the PDF with a text layer added to the pages that have none."""
    if not ocr_available():
        raise IngestError(
            ErrorType.NEEDS_OCR,
            f"the PDF has no text layer and ocrmypdf is not installed; {INSTALL_HINT}",
        )
    with tempfile.TemporaryDirectory(prefix="committee-papers-ocr-") as tmp:
        src, dst = Path(tmp) / "in.pdf", Path(tmp) / "out.pdf"
        src.write_bytes(data)
        cmd = [
            "ocrmypdf",
            "--skip-text",
            "--output-type",
            "pdf",
            "-l",
            "eng",
            "--quiet",
            str(src),
            str(dst),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise IngestError(ErrorType.NEEDS_OCR, f"OCR took longer than {timeout:g} s") from exc
        if done.returncode != 0 or not dst.is_file():
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no message"]
            raise IngestError(
                ErrorType.NEEDS_OCR, f"ocrmypdf failed ({detail[0]}); the scan stays unread"
            )
        return dst.read_bytes()
