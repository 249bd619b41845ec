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


class TableFinder(StrEnum):
    # pdfplumber's ruled-table algorithm on PDFium's paths and characters (ingest/ruled.py):
    # the same cells at a fraction of the cost of pdfminer's page parse.
    PDFIUM = "pdfium"
    PDFPLUMBER = "pdfplumber"  # pdfplumber end to end (also used for rotated pages)


@dataclass(frozen=True)
class TableSettings:
    """Which PDF pages pdfplumber searches for tables, and how.

    pdfplumber costs ~0.1 s a page against ~3 ms for pypdfium2's text, so it only sees
    pages on which pypdfium2 counts at least `min_path_objects` drawn paths (lines and
    boxes): a ruled table draws several. Of the Kent set's 1,577 pages, 1,004 have 4 or
    more, and every one of the 777 pages where pdfplumber finds a table of two columns or
    more is among them (5 would be missed at 6).
    """

    pdf: bool = True  # search PDF pages with pdfplumber (text tables are always read)
    min_path_objects: int = 4
    finder: TableFinder = TableFinder.PDFIUM
    # PDFium's per-character and per-path calls looped in C (ingest/_pdfium_loops.c, built
    # at install where there is a compiler); False: the same loops in Python, same output.
    c_loops: bool = True
    # pdfplumber's own table settings (its TableSettings keys): ruled tables only.
    vertical_strategy: str = "lines"
    horizontal_strategy: str = "lines"
    snap_tolerance: float = 3.0
    # A table smaller than this is a box or a frame, not data.
    min_rows: int = 2
    min_cols: int = 2
    # A table continues on the next page when it starts within this many points of the
    # top and its column edges line up within `column_tolerance` points.
    continuation_top: float = 120.0
    column_tolerance: float = 4.0
    # Unruled tables (every page, from pypdfium2's text runs; see ingest/unruled.py).
    unruled: bool = True
    unruled_column_gap: float = 0.6  # a gap wider than this many text heights splits columns
    unruled_line_gap: float = 4.0  # lines further apart (in text heights) end a table
    unruled_wrap_gap: float = 0.5  # a line closer than this under a row may wrap its cells
    unruled_min_lines: int = 3  # lines of two or more columns a table needs

    def plumber(self) -> dict:
        return {
            "vertical_strategy": self.vertical_strategy,
            "horizontal_strategy": self.horizontal_strategy,
            "snap_tolerance": self.snap_tolerance,
        }


@dataclass(frozen=True)
class PdfSettings:
    text_engine: PdfTextEngine = PdfTextEngine.PDFIUM
    # pdfplumber word boxes (positions, fonts) for the first N pages, for layout rules.
    # 0 by default: the front-sheet rules read text lines, and the evaluation scores are the
    # same without the boxes, while pdfplumber cost 0.2-0.4 s a page (three quarters of a
    # Kent run's time).
    layout_pages: int = 0
    # A page with fewer printable characters than this counts as having no text layer.
    min_page_chars: int = 1
    tables: TableSettings = field(default_factory=TableSettings)


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
    # Python code (pdfplumber, our rules); a paper stuck in C code (PDFium) has its worker
    # process stopped a little later (batch._hard_limit), where there are worker processes.
    timeout_per_doc: float = 120.0
    # A Dask distributed scheduler ("tcp://host:8786"): one task per document on the
    # cluster; results come back in order and are written here, as a local run would.
    scheduler: str = ""
