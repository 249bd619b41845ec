"""Settings, passed in explicitly (no module-level state), as pdfplumber's TableSettings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class PdfTextEngine(StrEnum):
    # pypdfium2 reads body text ~70x faster than pdfplumber and keeps word spacing better
    # on Word-generated PDFs (pdfplumber splits "A pologies" where a space glyph overlaps).
    PDFIUM = "pdfium"
    PDFPLUMBER = "pdfplumber"


@dataclass(frozen=True)
class PdfSettings:
    text_engine: PdfTextEngine = PdfTextEngine.PDFIUM
    # pdfplumber word boxes are kept for the first pages only: front sheets and
    # label/value blocks live there, and pdfplumber costs ~0.2 s a page.
    layout_pages: int = 1
    # A page with fewer printable characters than this counts as having no text layer.
    min_page_chars: int = 1


@dataclass(frozen=True)
class NormaliseSettings:
    # A line at a page's top or bottom that recurs (digits aside) on at least this share
    # of pages, and on at least `furniture_min_pages` pages, is a running header/footer.
    furniture_share: float = 0.5
    furniture_min_pages: int = 3
    furniture_edge_lines: int = 3
    # How many OCR-damage repairs make a document "ocr_suspected".
    ocr_signal_min: int = 2


@dataclass(frozen=True)
class IngestSettings:
    pdf: PdfSettings = field(default_factory=PdfSettings)
    normalise: NormaliseSettings = field(default_factory=NormaliseSettings)
    ocr: bool = False  # OCR scanned PDFs with ocrmypdf (when installed) instead of failing them


@dataclass(frozen=True)
class RunSettings:
    ingest: IngestSettings = field(default_factory=IngestSettings)
    workers: int = 1
    write_text: bool = True  # write text/<doc_id>.txt, the text every span points into
    # Per-document results are cached here, keyed by content and pipeline version: a re-run
    # reuses them and a killed run resumes. None: no cache.
    cache_dir: Path | None = None
    force: bool = False  # reprocess everything (and refresh the cache)
    # A document taking longer than this (seconds) gets a timeout error row. It interrupts
    # Python code (pdfplumber, our rules); a hang inside PDFium's C code is not reached.
    timeout_per_doc: float = 120.0
