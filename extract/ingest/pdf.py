"""PDFs: body text page by page, and pdfplumber word boxes for the layout pages.

Text comes from pypdfium2 by default (see `PdfTextEngine`); pdfplumber opens only the
first `layout_pages` pages, where front sheets and label/value blocks live, and keeps
their words with positions and fonts for the structure rules.
"""

from __future__ import annotations

import ctypes
import io

import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.ingest import pdfium_loops
from extract.ingest.base import IngestError, RawDocument, is_space
from extract.ingest.packs import Stamps
from extract.ingest.pdfium_loops import object_chars, page_object, text_objects, text_rects
from extract.ingest.ruled import (
    PageChars,
    PagePaths,
    find_ruled,
    page_paths,
    read_table,
    rounded,
    rounded_box,
)
from extract.ingest.unruled import Rule, Run, find_unruled, line_above
from extract.models import ErrorType, Page, Problem, RawTable, SourceFormat
from extract.settings import PdfSettings, PdfTextEngine, TableFinder, TableSettings

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


def read_pdf(data: bytes, settings: PdfSettings, stamps: Stamps | None = None) -> RawDocument:
    """The pages of a PDF. With `stamps`, from the first page that carries an item stamp
    on, the stamps of an agenda pack are taken off each page before its text and tables
    are read, and the fonts of the rest are kept (see ingest/packs.py)."""
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
        return _read_pages(pdf, data, settings, stamps)
    finally:
        pdf.close()


def _read_pages(
    pdf: pdfium.PdfDocument, data: bytes, settings: PdfSettings, stamps: Stamps | None
) -> RawDocument:
    n = len(pdf)
    stamped = False  # an item stamp was seen: a pack, from here on
    font_ids: dict[int, int] = {}
    doc = RawDocument(source_format=SourceFormat.PDF, pages=[])
    layout = _layout_pages(data, n, settings, doc)
    ruled: dict[int, list[RawTable]] = {}  # tables drawn with lines, page by page
    unruled: dict[int, list[RawTable]] = {}
    plumber: list[int] = []  # pages left to pdfplumber's own table search
    for i in range(n):
        number = i + 1
        taken: list[str] = []  # stamps taken off the page
        fonts: frozenset[int] = frozenset()
        try:
            page = pdf[i]
            width, height = page.get_size()
            paths = (
                page_paths(page, height, settings.tables.c_loops)
                if settings.tables.pdf
                else PagePaths(0, [])
            )
            textpage = page.get_textpage()  # one per page: text and tables
            try:
                text = textpage.get_text_range()
                if stamps is not None:
                    stamped = stamped or stamps.marks_item(text)
                    if stamped:
                        taken = _unstamp(page, textpage, stamps, settings.tables.c_loops)
                        fonts = _fonts(page, font_ids, settings.tables.c_loops)
                    if taken:
                        textpage.close()
                        textpage = page.get_textpage()
                        text = textpage.get_text_range()
                text_runs = _PageText(textpage, height, settings.tables.c_loops, text)
                if settings.text_engine is PdfTextEngine.PDFPLUMBER and number in layout:
                    text = layout[number][0]
                elif settings.text_engine is PdfTextEngine.PDFPLUMBER:
                    text = _plumber_text(data, i)
                upright = page.get_rotation() == 0
                if paths.count >= settings.tables.min_path_objects:
                    found = None
                    if upright and settings.tables.finder is TableFinder.PDFIUM:
                        found = _ruled_tables(
                            text_runs, paths, number, (width, height), doc, settings.tables
                        )
                    if found is None:
                        plumber.append(number)
                    else:
                        ruled[number] = found
                if settings.tables.pdf and settings.tables.unruled and upright:
                    unruled[number] = find_unruled(
                        text_runs.boxes,
                        text_runs.text_of,
                        number,
                        settings.tables,
                        _rules(paths, height),
                        [t.bbox for t in ruled.get(number, [])],
                        text_runs.texts_of,
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
        doc.pages.append(
            Page(number, text, float(width), float(height), words, stamps=tuple(taken), fonts=fonts)
        )
    if plumber:
        ruled.update(_find_tables(data, plumber, settings.tables, doc))
    for number, tables in sorted(ruled.items()):
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


def _unstamp(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, stamps: Stamps, c_loops: bool = True
) -> list[str]:
    """Take the stamps off the page (in memory: a new text page no longer sees them)."""
    found = []
    letters = _object_letters(textpage, c_loops) if stamps.letters is not None else None
    for at in text_objects(page.raw, 0, c_loops)[0]:
        if letters is not None and not stamps.letters.fullmatch(letters.get(at, "")):
            continue  # its characters cannot make a stamp
        obj = page_object(at)
        text = _object_text(obj, textpage).strip()
        if stamps.is_stamp(text):
            found.append(text)
            pdfium_c.FPDFPage_RemoveObject(page.raw, obj)
            pdfium_c.FPDFPageObj_Destroy(obj)
    return found


def _object_letters(textpage: pdfium.PdfTextPage, c_loops: bool) -> dict[int, str]:
    """Each text object's characters other than whitespace, in the text page's order.

    PDFium's text of an object (FPDFTextObj_GetText) is these, with spaces and line breaks
    put between them: so the stamp pattern without its whitespace rules out most objects
    before they are asked for, and asking costs a pass over the page's characters each.
    """
    count = pdfium_c.FPDFText_CountChars(textpage.raw)
    objects, unicodes = object_chars(textpage.raw, max(count, 0), c_loops)
    keep = (unicodes != 0) & ~is_space(unicodes)  # PDFium leaves out 0
    objects, unicodes = objects[keep], unicodes[keep]
    order = np.argsort(objects, kind="stable")
    objects = objects[order]
    # a character above U+FFFF comes as two, one per surrogate half: kept as they are
    # here, then paired per object, as the UTF-16 of FPDFTextObj_GetText pairs them
    codes = np.where(unicodes[order] > 0x10FFFF, 0xFFFD, unicodes[order]).astype("<u4")
    text = codes.tobytes().decode("utf-32-le", "surrogatepass")
    cuts = (np.flatnonzero(objects[1:] != objects[:-1]) + 1).tolist()
    starts = [0, *cuts]
    ends = [*cuts, len(text)]
    return {int(objects[a]): _paired(text[a:b]) for a, b in zip(starts, ends, strict=True) if a < b}


def _paired(text: str) -> str:
    """Surrogate halves side by side made one character; a lone half U+FFFD."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _fonts(page: pdfium.PdfPage, ids: dict[int, int], c_loops: bool = True) -> frozenset[int]:
    """The fonts of the page's text objects (forms entered), numbered as the document's
    pages first use them."""
    _, fonts = text_objects(page.raw, 2, c_loops)
    return frozenset(ids.setdefault(font, len(ids)) for font in fonts)


def _object_text(obj, textpage: pdfium.PdfTextPage) -> str:
    size = pdfium_c.FPDFTextObj_GetText(obj, textpage.raw, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFTextObj_GetText(
        obj, textpage.raw, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size
    )
    return buffer.raw[: size - 2].decode("utf-16-le", errors="replace")


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
                kept = [{k: rounded(w[k]) for k in _WORD_KEYS} for w in words]
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


def _ruled_tables(
    text: _PageText,
    paths: PagePaths,
    number: int,
    size: tuple[float, float],
    doc: RawDocument,
    settings: TableSettings,
) -> list[RawTable] | None:
    """Ruled tables from PDFium's paths, or None (with a warning) to leave the page to
    pdfplumber when the fast reading fails."""
    try:
        return find_ruled(text.textpage, paths, number, size, settings, text.line_above, text.text)
    except Exception as exc:
        doc.warnings.append(
            f"page {number}: tables read by pdfplumber instead ({type(exc).__name__}: {exc})"
        )
        return None


def _rules(paths: PagePaths, height: float) -> list[Rule]:
    """The horizontal rules among the page's paths (rows of a table ruled across but not
    down), in points from the top."""
    return [
        Rule(left, height - (top + bottom) / 2, right)
        for left, bottom, right, top in paths.bounds
        if top - bottom <= 2.0 and right - left >= 20.0
    ]


class _PageText:
    """A page's text runs from pypdfium2 (PDF points from the bottom turned into points
    from the top, as pdfplumber's), fetched once, for both table finders."""

    def __init__(
        self,
        textpage: pdfium.PdfTextPage,
        height: float,
        c_loops: bool = True,
        text: str | None = None,
    ):
        """`text`: the text page's whole text, where the caller has it already."""
        self.textpage, self.height, self.c_loops, self.text = textpage, height, c_loops, text
        self._boxes: np.ndarray | None = None
        self._buffer: ctypes.Array | None = None
        # a box's text from the page's characters, read once (see texts_of)
        self._replica = c_loops and pdfium_loops.has_compiled("texts_in_boxes")
        self._chars: bytes | None = None
        self._checked = False  # a box with text read both ways and found the same

    @property
    def boxes(self) -> np.ndarray:
        """The page's runs, a row of x0, top, x1, bottom each (Run's order)."""
        if self._boxes is None:
            rects = text_rects(self.textpage.raw, self.c_loops)  # left, bottom, right, top
            self._boxes = _flipped(rects, self.height)
        return self._boxes

    def _room(self) -> ctypes.Array:
        """A buffer with room for any text of the page, and a NUL: made once."""
        if self._buffer is None:
            size = 2 * max(pdfium_c.FPDFText_CountChars(self.textpage.raw), 0) + 64
            self._buffer = (ctypes.c_ushort * size)()
        return self._buffer

    def text_of(self, run: Run) -> str:
        """The text in the run's box, as PDFium's `FPDFText_GetBoundedText` reads it (from
        the characters where `texts_of` has read them: for one box, PDFium's one walk over
        them costs less than reading them)."""
        if self._replica and self._chars is not None:
            return self.texts_of([run])[0]
        return self._pdfium_text_of(run)

    def _pdfium_text_of(self, run: Run) -> str:
        """pypdfium2's `get_text_bounded` in one PDFium call, not two: it asks for the
        length first, and each call walks the page's characters (a test compares them)."""
        h = self.height
        box = (run.x0, h - run.bottom, run.x1, h - run.top)  # left, bottom, right, top
        buffer = self._room()
        left, bottom, right, top = box
        written = pdfium_c.FPDFText_GetBoundedText(
            self.textpage.raw, left, top, right, bottom, buffer, len(buffer)
        )
        if not 1 <= written < len(buffer):  # no NUL after it: it may not all be there
            return self.textpage.get_text_bounded(*box)
        return ctypes.string_at(buffer, 2 * (written - 1)).decode("utf-16-le", "ignore")

    def texts_of(self, runs: list[Run]) -> list[str]:
        """`text_of` of each run. PDFium walks all of the page's characters for each box
        (0.3 s of the Kent set's unruled search); where C was built, its predicate and
        line breaks are replicated over the characters read once (`texts_in_boxes`).
        A page's longest text is also asked of PDFium, and a page where the two differ
        (a PDFium that reads boxes otherwise) is read by PDFium from then on."""
        if not runs:
            return []
        boxes = _flipped(np.array(runs, np.float64).reshape(-1, 4), self.height)
        boxes = np.ascontiguousarray(boxes)  # left, bottom, right, top
        if self._replica:
            if self._chars is None:
                self._chars = pdfium_loops.text_chars(self.textpage.raw)
            texts = pdfium_loops.compiled.texts_in_boxes(self._chars, boxes)
            if self._checked:
                return texts
            longest = max(range(len(texts)), key=lambda k: len(texts[k]))
            if texts[longest] == self._pdfium_text_of(runs[longest]):
                self._checked = bool(texts[longest])
                return texts
            self._replica = False
        if not self.c_loops or pdfium_loops.compiled is None:
            return [self._pdfium_text_of(run) for run in runs]
        texts = pdfium_loops.compiled.bounded_texts(
            pdfium_loops.address(self.textpage.raw),
            boxes,
            len(self._room()),
            pdfium_loops.function("FPDFText_GetBoundedText"),
        )
        return [
            self._pdfium_text_of(run) if t is None else t
            for run, t in zip(runs, texts, strict=True)
        ]

    def line_above(self, top: float) -> str:
        return line_above(self.boxes, self.text_of, top, compiled=self.c_loops)


def _flipped(boxes: np.ndarray, height: float) -> np.ndarray:
    """Boxes [n, 4] between PDF points from the bottom (left, bottom, right, top) and
    points from the top (x0, top, x1, bottom), either way: the same steps both ways."""
    return np.column_stack([boxes[:, 0], height - boxes[:, 3], boxes[:, 2], height - boxes[:, 1]])


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
                    rows = table.extract()  # pdfplumber's own: the reference for ruled.py
                    bold = read_table(table, PageChars.from_records(page.chars))[1]
                    if not rows or max(map(len, rows)) < settings.min_cols:
                        continue  # a box, not a table (short ones may continue a table)
                    found.append(
                        RawTable(
                            page.page_number,
                            tuple(rounded(v) for v in table.bbox),
                            rows,
                            [[rounded_box(c) for c in row.cells] for row in table.rows],
                            _line_above(page, table.bbox),
                            bold,
                        )
                    )
                out[page.page_number] = found
                page.close()  # frees the page's parsed objects: memory stays flat
    except Exception as exc:
        doc.warnings.append(f"tables unavailable ({type(exc).__name__}: {exc})")
    return out


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
