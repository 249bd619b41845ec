"""PDFs: body text page by page, and pdfplumber word boxes for the layout pages.

Text comes from pypdfium2 by default (see `PdfTextEngine`); pdfplumber opens only the
first `layout_pages` pages, where front sheets and label/value blocks live, and keeps
their words with positions and fonts for the structure rules.
"""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.ingest.base import IngestError, RawDocument
from extract.ingest.unruled import Rule, Run, find_unruled
from extract.models import ErrorType, Page, Problem, RawTable, SourceFormat
from extract.settings import PdfSettings, PdfTextEngine, TableSettings

_SNIFF = (
    (b"<!doctype html", "an HTML page (often a saved error or login page)"),
    (b"<html", "an HTML page (often a saved error or login page)"),
    (b"<?xml", "an XML file"),
    (b"\x89png", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"gif8", "a GIF image"),
    (b"pk\x03\x04", "a ZIP archive (a .docx or .xlsx is one too)"),
    (b"\xd0\xcf\x11\xe0", "a legacy Microsoft Office file"),
    (b"{\\rtf", "an RTF document"),
)
_WORD_KEYS = ("text", "x0", "x1", "top", "bottom", "fontname", "size")


def sniff(data: bytes) -> str:
    head = data[:512].lstrip().lower()
    for magic, what in _SNIFF:
        if head.startswith(magic):
            return what
    return "not a PDF (no %PDF- header)"


def read_pdf(data: bytes, settings: PdfSettings) -> RawDocument:
    if not data:
        raise IngestError(ErrorType.EMPTY_FILE, "the file is empty (0 bytes); re-download it")
    if b"%PDF-" not in data[:1024]:
        raise IngestError(
            ErrorType.NOT_A_PDF,
            f"the file has a .pdf name but is {sniff(data)}; re-download the paper",
        )
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise IngestError(
                ErrorType.ENCRYPTED,
                "the PDF is encrypted with a password; ask the publisher for an open copy",
            ) from exc
        truncated = b"%%EOF" not in data[-2048:]
        raise IngestError(
            ErrorType.CORRUPT_PDF,
            "the PDF is truncated (no end-of-file marker); re-download it"
            if truncated
            else f"the PDF is damaged and cannot be parsed ({exc}); re-download it",
        ) from exc
    try:
        return _read_pages(pdf, data, settings)
    finally:
        pdf.close()


def _read_pages(pdf: pdfium.PdfDocument, data: bytes, settings: PdfSettings) -> RawDocument:
    n = len(pdf)
    doc = RawDocument(source_format=SourceFormat.PDF, pages=[])
    layout = _layout_pages(data, n, settings, doc)
    ruled: list[int] = []  # pages drawn with enough lines and boxes to hold a table
    unruled: dict[int, list[RawTable]] = {}
    for i in range(n):
        number = i + 1
        try:
            page = pdf[i]
            width, height = page.get_size()
            paths, rules = _paths(page, height) if settings.tables.pdf else (0, [])
            if paths >= settings.tables.min_path_objects:
                ruled.append(number)
            textpage = page.get_textpage()  # one per page: body text and unruled tables
            try:
                if settings.text_engine is PdfTextEngine.PDFPLUMBER and number in layout:
                    text = layout[number][0]
                elif settings.text_engine is PdfTextEngine.PDFPLUMBER:
                    text = _plumber_text(data, i)
                else:
                    text = textpage.get_text_range()
                if settings.tables.pdf and settings.tables.unruled and page.get_rotation() == 0:
                    unruled[number] = _unruled_tables(
                        textpage, number, height, rules, settings.tables
                    )
            finally:
                textpage.close()
            page.close()
        except Exception as exc:
            doc.problems.append(
                Problem(ErrorType.PAGE_ERROR, f"page {number} could not be read: {exc}", number)
            )
            text, width, height = "", 0.0, 0.0
        words = layout.get(number, ("", []))[1]
        doc.pages.append(Page(number, text, float(width), float(height), words))
    if ruled:
        for number, tables in _find_tables(data, ruled, settings.tables, doc).items():
            doc.pages[number - 1].tables = tables
    for number, tables in unruled.items():
        page = doc.pages[number - 1]
        page.tables += [t for t in tables if not any(_overlap(t.bbox, r.bbox) for r in page.tables)]
    empty = [p.number for p in doc.pages if len(p.text.strip()) < settings.min_page_chars]
    failed = {p.page for p in doc.problems}
    if n == 0:
        raise IngestError(ErrorType.CORRUPT_PDF, "the PDF has no pages; re-download it")
    if len(set(empty) - failed) == n:
        raise IngestError(
            ErrorType.NEEDS_OCR,
            f"no page of {n} has a text layer (a scanned paper); run with --ocr "
            "(it needs ocrmypdf: apt-get install ocrmypdf tesseract-ocr-eng)",
            pages=n,
        )
    blank = [p for p in empty if p not in failed]
    if blank:
        doc.warnings.append(f"pages without text: {_ranges(blank)}")
    return doc


def _layout_pages(
    data: bytes, n: int, settings: PdfSettings, doc: RawDocument
) -> dict[int, tuple[str, list[dict]]]:
    """pdfplumber text and words for the first pages: {page number: (text, words)}."""
    out: dict[int, tuple[str, list[dict]]] = {}
    if settings.layout_pages <= 0 and settings.text_engine is PdfTextEngine.PDFIUM:
        return out
    count = n if settings.text_engine is PdfTextEngine.PDFPLUMBER else min(n, settings.layout_pages)
    try:
        with pdfplumber.open(io.BytesIO(data), pages=list(range(1, count + 1))) as plumber:
            for page in plumber.pages:
                page = _without_space_glyphs(page)
                words = page.extract_words(extra_attrs=["fontname", "size"])
                kept = [{k: _round(w[k]) for k in _WORD_KEYS} for w in words]
                text = (
                    page.extract_text() if settings.text_engine is PdfTextEngine.PDFPLUMBER else ""
                )
                out[page.page_number] = (
                    text,
                    kept if page.page_number <= settings.layout_pages else [],
                )
    except Exception as exc:
        doc.warnings.append(f"page layout unavailable ({type(exc).__name__})")
    return out


def _paths(page: pdfium.PdfPage, height: float, most: int = 2000) -> tuple[int, list[Rule]]:
    """How many path objects (lines, boxes) the page draws, forms included, and which of
    them are horizontal rules (rows of a table ruled across but not down)."""
    count, rules = 0, []
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=8):
        count += 1
        if count > most:
            break
        left, bottom, right, top = obj.get_bounds()
        if top - bottom <= 2.0 and right - left >= 20.0:
            rules.append(Rule(left, height - (top + bottom) / 2, right))
    return count, rules


def _unruled_tables(
    textpage: pdfium.PdfTextPage,
    number: int,
    height: float,
    rules: list[Rule],
    settings: TableSettings,
) -> list[RawTable]:
    """Tables set out in columns without lines, from pypdfium2's text runs (PDF points
    from the bottom turned into points from the top, as pdfplumber's)."""
    runs = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        runs.append(Run(left, height - top, right, height - bottom))

    def text_of(run: Run) -> str:
        return textpage.get_text_bounded(run.x0, height - run.bottom, run.x1, height - run.top)

    return find_unruled(runs, text_of, number, settings, rules)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _find_tables(
    data: bytes, numbers: list[int], settings: TableSettings, doc: RawDocument
) -> dict[int, list[RawTable]]:
    """pdfplumber's ruled tables on the given pages, with the line above each as its title."""
    out: dict[int, list[RawTable]] = {}
    try:
        with pdfplumber.open(io.BytesIO(data), pages=numbers) as plumber:
            for page in plumber.pages:
                found = []
                for table in page.find_tables(settings.plumber()):
                    rows = table.extract()
                    if not rows or max(map(len, rows)) < settings.min_cols:
                        continue  # a box, not a table (short ones may continue a table)
                    found.append(
                        RawTable(
                            page.page_number,
                            tuple(_round(v) for v in table.bbox),
                            rows,
                            [[_box(c) for c in row.cells] for row in table.rows],
                            _line_above(page, table.bbox),
                            _bold_shares(page, table),
                        )
                    )
                out[page.page_number] = found
                page.close()  # frees the page's parsed objects: memory stays flat
    except Exception as exc:
        doc.warnings.append(f"tables unavailable ({type(exc).__name__}: {exc})")
    return out


_BOLD = ("bold", "black", "heavy", "semibold", "demi")


def _bold_shares(page, table) -> list[float]:
    """Share of each row's letters set in a bold face: heading rows are bold."""
    x0, top, x1, bottom = table.bbox
    letters = [  # the table's letters, picked out of the page once
        c
        for c in page.chars
        if c["text"].strip() and x0 <= c["x0"] < x1 and top <= c["top"] < bottom
    ]
    shares = []
    for row in table.rows:
        rx0, rtop, rx1, rbottom = row.bbox
        chars = [c for c in letters if rx0 <= c["x0"] < rx1 and rtop <= c["top"] < rbottom]
        bold = sum(any(w in c["fontname"].lower() for w in _BOLD) for c in chars)
        shares.append(round(bold / len(chars), 2) if chars else 0.0)
    return shares


def _box(cell) -> tuple[float, float, float, float] | None:
    return None if cell is None else tuple(_round(v) for v in cell)


def _line_above(page, bbox, reach: float = 48.0) -> str:
    """The last line of text within `reach` points above the table."""
    left, page_top, right, _ = page.bbox
    top = bbox[1]
    if top - page_top <= 1:
        return ""
    region = page.crop((left, max(page_top, top - reach), right, top), strict=False)
    lines = [ln.strip() for ln in (region.extract_text() or "").splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _plumber_text(data: bytes, index: int) -> str:
    with pdfplumber.open(io.BytesIO(data), pages=[index + 1]) as plumber:
        return _without_space_glyphs(plumber.pages[0]).extract_text()


def _without_space_glyphs(page):
    """Drop space glyphs drawn on top of letters.

    Word-made PDFs sometimes draw a run of spaces over the first letter of a heading;
    pdfplumber then splits the word there ("A pologies"). Spaces with no letter under
    them still separate words as usual.
    """
    letters: dict[int, list[tuple[float, float]]] = {}
    for ch in page.chars:
        if ch["text"].strip():
            letters.setdefault(round(ch["top"]), []).append((ch["x0"], ch["x1"]))

    def covered(ch: dict) -> bool:
        width = max(ch["x1"] - ch["x0"], 0.01)
        for key in (round(ch["top"]) - 1, round(ch["top"]), round(ch["top"]) + 1):
            for x0, x1 in letters.get(key, ()):
                if min(x1, ch["x1"]) - max(x0, ch["x0"]) > width / 2:
                    return True
        return False

    return page.filter(
        lambda obj: obj.get("object_type") != "char" or obj["text"].strip() or not covered(obj)
    )


def _round(v):
    return round(v, 2) if isinstance(v, float) else v


def _ranges(numbers: list[int]) -> str:
    out, start, prev = [], numbers[0], numbers[0]
    for x in [*numbers[1:], None]:
        if x is not None and x == prev + 1:
            prev = x
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if x is not None:
            start = prev = x
    return ", ".join(out)
