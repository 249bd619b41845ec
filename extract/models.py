"""Typed records: one dataclass per output table, and the fixed vocabularies as enums.

The dataclass fields *are* the table schema: `extract.schema` turns them into CSV headers,
`datapackage.json` and the data dictionary, so a column is described in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from extract.schema import col


class DocType(StrEnum):
    REPORT = "report"
    MINUTES = "minutes"
    AGENDA = "agenda"
    APPENDIX = "appendix"
    OTHER = "other"


class Status(StrEnum):
    OK = "ok"
    PARTIAL = "partial"  # read, but some pages or bytes could not be
    FAILED = "failed"  # nothing usable could be read
    DUPLICATE = "duplicate"  # byte-identical to another input; see duplicate_of


class SourceFormat(StrEnum):
    PDF = "pdf"
    TEXT = "text"
    MARKDOWN = "markdown"


class ErrorType(StrEnum):
    EMPTY_FILE = "empty_file"  # zero bytes
    NOT_A_PDF = "not_a_pdf"  # .pdf name, other content (HTML page, image, ZIP…)
    CORRUPT_PDF = "corrupt_pdf"  # PDF header but the file cannot be parsed
    ENCRYPTED = "encrypted"  # needs a password we do not have
    NEEDS_OCR = "needs_ocr"  # pages but no text layer: a scan
    NO_TEXT = "no_text"  # a text file with nothing but whitespace
    NOT_TEXT = "not_text"  # a .txt/.md name, binary content
    PAGE_ERROR = "page_error"  # one page failed; the rest were read
    PAGES_WITHOUT_TEXT = "pages_without_text"  # some pages have no text layer
    ENCODING_FALLBACK = "encoding_fallback"  # undecodable bytes were replaced
    UNREADABLE = "unreadable"  # the OS refused to read it (permissions, I/O error)
    INTERNAL_ERROR = "internal_error"  # a bug in committee-papers: please report it


@dataclass(frozen=True)
class DocumentRow:
    doc_id: str = col(
        "Stable id from the file's content (first 16 hex digits of its SHA-256); a "
        "duplicate gets the same prefix plus a suffix from its path.",
        primary_key=True,
    )
    source_path: str = col("Path of the input file, relative to the input root, '/'-separated.")
    sha256: str = col("SHA-256 of the file's bytes.")
    source_format: str = col("How the file was read.", enum=SourceFormat)
    doc_type: str = col(
        "What kind of committee paper this is, judged from its content.", enum=DocType
    )
    status: str = col("Outcome of reading the file.", enum=Status)
    duplicate_of: str = col(
        "For a duplicate: the doc_id of the copy that was processed.",
        foreign_key=("documents", "doc_id"),
    )
    pages: int = col("Pages in the PDF; 1 for a text file (or the count of form feeds + 1).")
    chars: int = col("Characters in the normalised document text (text/<doc_id>.txt).")
    encoding: str = col("Character encoding a text file was decoded with; empty for PDFs.")
    ocr_suspected: bool = col(
        "True when the text shows OCR damage (stray bullets, broken ordinals)."
    )
    council: str = col("Council, from corpus/manifest.csv where given.")
    committee: str = col("Committee, from corpus/manifest.csv where given.")
    meeting_date: str = col(
        "Meeting date (ISO 8601), from corpus/manifest.csv where given.", type="date"
    )
    source_url: str = col("Where the paper was published, from corpus/manifest.csv where given.")
    warnings: str = col("Problems worth knowing about, '; '-separated; details in errors.csv.")


@dataclass(frozen=True)
class ErrorRow:
    source_path: str = col("Path of the input file, relative to the input root.")
    doc_id: str = col("The document the error belongs to.", foreign_key=("documents", "doc_id"))
    error_type: str = col("What went wrong, from a fixed list.", enum=ErrorType)
    page: int = col("Page the error concerns; empty when it concerns the whole file.")
    message: str = col("What happened and what to do about it.")


@dataclass
class Problem:
    """A problem found while reading one document, before it becomes an ErrorRow."""

    error_type: ErrorType
    message: str
    page: int | None = None


@dataclass
class Page:
    """One page of raw extracted text plus the layout the structure rules may need."""

    number: int  # 1-based
    text: str
    width: float = 0.0
    height: float = 0.0
    words: list[dict] = field(default_factory=list)  # pdfplumber words on layout pages
