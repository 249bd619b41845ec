"""Tables, whatever they came from, into tables.csv and table_cells.csv rows.

PDF tables come from pdfplumber page by page; here a table that runs on over a page break
is joined up (its repeated header dropped), a table drawn inside another's cell is marked
nested, stacked header rows become one heading per column, and each cell is found in the
document text for its span. Text tables come with their spans already.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field

import numpy as np

from extract.ingest.base import code_points, is_space
from extract.ingest.normalise import DocumentText
from extract.models import Page, RawTable, TableCellRow, TableRow, TableSource
from extract.settings import TableSettings
from extract.structure.cells import is_data_number, parse_number
from extract.structure.lines import collapse
from extract.structure.text_tables import TextTable, find_text_tables

Box = tuple[float, float, float, float]
_SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+")
_UNITS = re.compile(r"^\(?(?:[£$€]\s?(?:m|k|bn|000|'000)?|%|(?:m|k|bn)|'?000s?)\)?$", re.I)
_MAX_UNRULED_HEADING_LINES = 4
_CAPTION = re.compile(r"^(?:table|figure|chart|annex|appendix)\s*[\dA-Z]", re.I)


@dataclass
class GridCell:
    text: str | None  # None: merged into a neighbour
    page: int
    box: Box | None = None
    span: tuple[int, int] | None = None


@dataclass
class Grid:
    """One table, all its rows (header rows first), before it becomes output rows."""

    rows: list[list[GridCell]]
    source: TableSource
    rule: str
    above: str = ""  # the line above: a caption, or the end of a paragraph
    start: int | None = None  # where the table sits in the document text
    pages: list[int] = field(default_factory=list)
    boxes: dict[int, Box] = field(default_factory=dict)  # page -> the table's box there
    nested_in: int | None = None  # index of the enclosing grid
    bold: list[float] = field(default_factory=list)  # PDF: share of bold letters per row

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class FoundTable:
    """One table: its tables.csv row, and what the action-plan reader needs of it."""

    row: TableRow
    grid: Grid
    headers: list[str]  # one heading per column
    header_rows: int  # rows at the top of the grid that are headings


@dataclass
class Tables:
    found: list[FoundTable] = field(default_factory=list)
    cells: list[TableCellRow] = field(default_factory=list)


def extract_tables(
    doc_id: str,
    doc: DocumentText,
    pages: list[Page],
    settings: TableSettings,
    section_at,
    is_pdf: bool,
) -> Tables:
    """`section_at(offset)` names the heading a text offset sits under (the title of last
    resort)."""
    if is_pdf:
        grids = _join_pages([t for p in pages for t in p.tables], pages, settings)
        pages_words: dict[int, PageWords] = {}
        for g in grids:
            _locate(g, doc, pages_words)
    else:
        grids = [
            _text_grid(t, doc)
            for t in find_text_tables(doc.text, settings.min_rows, settings.min_cols)
        ]
    out = Tables()
    for i, g in enumerate(grids, 1):
        table_id = f"{doc_id}-t{i}"
        n_head = header_rows(g)
        headers = column_headers(g, n_head) if n_head else [""] * g.n_cols
        spans = [c.span for r in g.rows for c in r if c.span]
        start = min((s for s, _ in spans), default=None)
        end = max((e for _, e in spans), default=None)
        title = _SECTION_NUMBER.sub("", g.above) if _is_caption(g.above) else ""
        if not title and start is not None:
            title = section_at(start)
        row = TableRow(
            doc_id,
            table_id,
            g.pages[0],
            g.pages[-1],
            title,
            len(g.rows) - n_head,
            g.n_cols,
            " | ".join(headers) if n_head else "",
            g.source.value,
            f"{doc_id}-t{g.nested_in + 1}" if g.nested_in is not None else "",
            start,
            end,
            g.rule,
        )
        for r, cells in enumerate(g.rows[n_head:], 1):
            for c, cell in enumerate(cells, 1):
                if not cell.text:
                    continue
                number, unit = parse_number(cell.text)
                box = cell.box or (None, None, None, None)
                a, b = cell.span or (None, None)
                out.cells.append(
                    TableCellRow(
                        doc_id,
                        table_id,
                        r,
                        c,
                        headers[c - 1] if c <= len(headers) else "",
                        cell.text,
                        number,
                        unit,
                        cell.page,
                        *box,
                        a,
                        b,
                    )
                )
        out.found.append(FoundTable(row, g, headers, n_head))
    return out


def header_rows(g: Grid) -> int:
    """How many rows at the top are headings: the first row unless it holds data numbers
    (or, in a PDF, is plain while rows below are bold), and below it rows that finish a
    stacked heading (merged cells in both) or only give units ("£m")."""
    if not g.rows or _is_data_row(g.rows[0]) or not any(c.text for c in g.rows[0]):
        return 0
    if g.source is TableSource.PDF_UNRULED:
        # No boxes mark a stacked heading: the lines above the first line of figures do.
        first_data = next((i for i, r in enumerate(g.rows) if _is_data_row(r)), None)
        if first_data is not None and first_data <= _MAX_UNRULED_HEADING_LINES:
            return first_data
    if g.bold and max(g.bold) >= 0.5 and g.bold[0] < 0.5:
        return 0  # bold rows below a plain first row: the headings are not on top
    n = 1
    while n < len(g.rows) - 1 and (_is_units_row(g.rows[n]) or _finishes_stack(g.rows, n)):
        n += 1
    return n


def _finishes_stack(rows: list[list[GridCell]], n: int) -> bool:
    return (
        any(c.text is None for c in rows[n - 1])
        and any(c.text is None for c in rows[n])
        and not _is_data_row(rows[n])
    )


def _is_units_row(row: list[GridCell]) -> bool:
    """A row under the headings that only gives units: "£m", "%", "£000"."""
    filled = [c.text for c in row if c.text]
    return bool(filled) and all(_UNITS.match(t) for t in filled)


def _is_data_row(row: list[GridCell]) -> bool:
    return any(c.text and is_data_number(c.text) for c in row)


def column_headers(g: Grid, n_head: int) -> list[str]:
    """One heading per column; a heading merged across columns heads each of them."""
    heads = [[] for _ in range(g.n_cols)]
    for row in g.rows[:n_head]:
        for c in range(g.n_cols):
            text = _spanning_text(row, c, g)
            if text and (not heads[c] or heads[c][-1] != text):
                heads[c].append(text)
    return [" ".join(h) for h in heads]


def _spanning_text(row: list[GridCell], c: int, g: Grid) -> str:
    cell = row[c] if c < len(row) else GridCell(None, 0)
    if cell.text is not None:
        return cell.text
    centre = _column_centre(g, c)
    if centre is None:
        return ""
    for left in reversed(row[:c]):  # a box from the left that reaches over this column
        if left.box is not None:
            return left.text or "" if left.box[2] > centre else ""
    return ""


def _column_centre(g: Grid, c: int) -> float | None:
    for row in g.rows:
        if c < len(row) and row[c].box is not None and row[c].text is not None:
            x0, _, x1, _ = row[c].box
            return (x0 + x1) / 2
    return None


def _is_caption(line: str) -> bool:
    line = line.strip()
    return (
        bool(line)
        and "\t" not in line
        and "|" not in line
        and (bool(_CAPTION.match(line)) or (len(line) <= 90 and not line.endswith((".", ",", ";"))))
    )


# --- text tables ----------------------------------------------------------------------------


def _text_grid(t: TextTable, doc: DocumentText) -> Grid:
    rows = [
        [GridCell(v, doc.page_of(a), None, (a, b) if v else None) for v, a, b in row]
        for row in t.rows
    ]
    width = max(len(r) for r in rows)
    for r in rows:
        r.extend(GridCell("", r[0].page) for _ in range(width - len(r)))
    above = doc.text[: t.start].rstrip().rsplit("\n", 1)[-1].strip()
    pages = sorted({c.page for r in rows for c in r})
    return Grid(rows, t.source, t.rule, above, t.start, pages)


# --- PDF tables -----------------------------------------------------------------------------


def _join_pages(raw: list[RawTable], pages: list[Page], settings: TableSettings) -> list[Grid]:
    """Grids in reading order; a table continued on the next page joins its first part."""
    heights = {p.number: p.height for p in pages}
    grids: list[Grid] = []
    last_on_page: dict[int, int] = {}  # page -> index of its last top-level grid
    for t in sorted(raw, key=lambda t: (t.page, t.bbox[1], t.bbox[0])):
        rows = [
            [GridCell(_clean(v), t.page, box) for v, box in zip(row, boxes, strict=False)]
            for row, boxes in zip(t.rows, t.boxes, strict=False)
        ]
        outer = _enclosing(grids, t)
        prev = last_on_page.get(t.page - 1)
        if (
            outer is None
            and prev is not None
            and t.page not in last_on_page
            and _continues(grids[prev], t, heights, settings)
        ):
            g = grids[prev]
            n_head = header_rows(g)
            repeated = [[c.text for c in r] for r in g.rows[:n_head]]
            while rows and repeated and [c.text for c in rows[0]] == repeated[0]:
                rows.pop(0)
                repeated.pop(0)
            g.bold.extend(t.bold[len(t.bold) - len(rows) :] if t.bold else [0.0] * len(rows))
            g.rows.extend(rows)
            g.pages.append(t.page)
            g.boxes[t.page] = t.bbox
            last_on_page[t.page] = prev
            continue
        g = Grid(
            rows,
            t.source,
            t.rule,
            t.above,
            None,
            [t.page],
            {t.page: t.bbox},
            outer,
            list(t.bold),
        )
        grids.append(g)
        if outer is None and len(rows) >= 2:  # a one-row box above a table is no start
            last_on_page[t.page] = len(grids) - 1
    return _drop_small(grids, settings.min_rows)


def _drop_small(grids: list[Grid], min_rows: int) -> list[Grid]:
    """Frames and boxes (fewer rows than `min_rows`, once continuations are joined) go."""
    kept = [i for i, g in enumerate(grids) if len(g.rows) >= min_rows]
    new_index = {old: new for new, old in enumerate(kept)}
    out = []
    for i in kept:
        g = grids[i]
        g.nested_in = new_index.get(g.nested_in) if g.nested_in is not None else None
        out.append(g)
    return out


def _clean(value: str | None) -> str | None:
    return None if value is None else collapse(value)


def _enclosing(grids: list[Grid], t: RawTable) -> int | None:
    x0, top, x1, bottom = t.bbox
    for i, g in enumerate(grids):
        box = g.boxes.get(t.page)
        if (
            box
            and box[0] - 1 <= x0
            and box[1] - 1 <= top
            and x1 <= box[2] + 1
            and bottom <= box[3] + 1
        ):
            return i
    return None


def _continues(g: Grid, t: RawTable, heights: dict[int, float], settings: TableSettings) -> bool:
    """Starts at the top of the page after g ended at the bottom, columns lined up."""
    box = g.boxes[t.page - 1]
    height = heights.get(t.page - 1) or 842.0
    if t.bbox[1] > settings.continuation_top or box[3] < height - settings.continuation_top * 1.5:
        return False
    if len(t.rows[0]) != g.n_cols:
        return False
    if t.source is TableSource.PDF_UNRULED:
        # Columns as wide as their text: no edges to match. A continuation repeats the
        # heading, with nothing new above it (a paragraph there introduces a new table).
        repeated = [collapse(v or "") for v in t.rows[0]] == [c.text or "" for c in g.rows[0]]
        return repeated and t.above in ("", g.above)
    mine = _edges([[c.box for c in row] for row in g.rows])
    theirs = _edges(t.boxes)  # (boxes as they are: no grid cell made for each)
    return len(mine) == len(theirs) and all(
        abs(a - b) <= settings.column_tolerance for a, b in zip(mine, theirs, strict=True)
    )


def _edges(rows: list[list[tuple | None]]) -> list[float]:
    """Left edge of each column and the right edge of the last, from the fullest row of
    cell boxes."""
    for row in sorted(rows, key=lambda r: -sum(b is not None for b in r)):
        if all(b is not None for b in row):
            return [b[0] for b in row] + [row[-1][2]]
    return []


def _locate(g: Grid, doc: DocumentText, pages: dict[int, PageWords]) -> None:
    """Find each cell in the page's text: the span an auditor can check it against.
    `pages` keeps each page's squeezed text for every table of the document."""
    cursor: dict[int, int] = {}
    for row in g.rows:
        for cell in row:
            if not cell.text:
                continue
            page = pages.get(cell.page)
            if page is None:
                page = pages[cell.page] = PageWords(doc.text, *doc.page_bounds(cell.page))
            words = cell.text.split()[:MAX_CELL_WORDS]
            span = page.find(words, cursor.get(cell.page, page.lo)) or page.find(words, page.lo)
            if span:
                cell.span = span
                cursor[cell.page] = span[1]
    found = [c.span[0] for r in g.rows for c in r if c.span]
    g.start = min(found) if found else None


MAX_CELL_WORDS = 12  # a cell is found by its first words


def _int_array(values: np.ndarray) -> array:
    out = array("q")
    out.frombytes(values.astype(np.int64, copy=False).tobytes())
    return out


class PageWords:
    """A page's text with its whitespace squeezed out, to find a cell's words in it.

    A cell is found where its words follow one another with any whitespace (or none)
    between them: the regex `w1\\s*w2\\s*...`. Compiling one such regex per cell cost
    more than the rest of the table stage (tens of thousands of cells overflow `re`'s
    cache); a plain `str.find` in the squeezed text, with the letters of each word checked
    to be adjacent in the page, finds the same first match.
    """

    def __init__(self, text: str, lo: int, hi: int):
        self.lo = lo
        codes = code_points(text[lo:hi])
        kept = ~is_space(codes)
        at = np.flatnonzero(kept) + lo
        # (arrays of machine integers, not lists: a page's were made for a few look-ups)
        self._at = _int_array(at)  # each one's page offset
        self._squeezed = codes[kept].tobytes().decode("utf-32-le", "surrogatepass")
        # _gaps[i]: how many of the letters before the i-th are not next to the letter
        # after them in the page: a word's letters are adjacent where this does not grow
        self._gaps = _int_array(np.concatenate([[0], np.cumsum(np.diff(at) != 1)]))

    def find(self, words: list[str], start: int) -> tuple[int, int] | None:
        """The span of the first match at or after page offset `start`."""
        if not words:
            return (start, start)
        k = bisect_left(self._at, start)
        target = "".join(words)
        at, gaps, n, squeezed = self._at, self._gaps, len(target), self._squeezed
        k = squeezed.find(target, k)
        while k != -1:
            j = k  # each word's first letter; its letters adjacent: no gap from first to last
            for w in words:
                last = j + len(w) - 1
                if gaps[j] != gaps[last]:
                    break
                j = last + 1
            else:
                return at[k], at[k + n - 1] + 1
            k = squeezed.find(target, k + 1)
        return None
