"""Plain, Markdown-ish and OCR'd text files: decode correctly, split pages on form feeds."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from extract.ingest.base import IngestError, RawDocument
from extract.models import ErrorType, Page, Problem, SourceFormat

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Headings and pipe tables say Markdown; stray **bold** alone is a converter's leftover
# that the normaliser strips from any text file.
_MARKDOWN_SIGNS = re.compile(r"^#{1,6}[ \t]+\S|^[ \t]*\|.*\|[ \t]*$", re.MULTILINE)


def decode(data: bytes) -> tuple[str, str, bool]:
    """Decode bytes as UK council text usually comes: (text, encoding, lossy).

    UTF-8 first; then Windows-1252, which legacy council files almost always are and
    which a statistical detector tends to confuse with its Central European cousins on
    short texts; then charset-normalizer; lossy UTF-8 as the last resort.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, False
            except UnicodeDecodeError:
                break
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc), enc, False
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding, False
    return data.decode("utf-8", errors="replace"), "utf-8", True


def read_text(data: bytes, *, suffix: str) -> RawDocument:
    if not data:
        raise IngestError(ErrorType.EMPTY_FILE, "the file is empty (0 bytes); re-download it")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise IngestError(
            ErrorType.NOT_TEXT,
            "the file holds binary data, not text; check it is the paper you meant",
        )
    text, encoding, lossy = decode(data)
    if not text.strip():
        raise IngestError(ErrorType.NO_TEXT, "the file holds only whitespace")
    doc = RawDocument(
        source_format=SourceFormat.MARKDOWN
        if suffix == ".md" or _MARKDOWN_SIGNS.search(text)
        else SourceFormat.TEXT,
        pages=[Page(number=i, text=t) for i, t in enumerate(text.split("\f"), 1)],
        encoding=encoding,
    )
    if lossy:
        doc.problems.append(
            Problem(
                ErrorType.ENCODING_FALLBACK,
                "some bytes fit no known encoding and were replaced with U+FFFD; "
                "re-save the file as UTF-8 to recover them",
            )
        )
    elif encoding not in ("utf-8", "utf-8-sig", "ascii"):
        doc.warnings.append(f"decoded as {encoding}")
    return doc
