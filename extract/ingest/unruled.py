"""Unruled PDF tables: text set out in columns with no lines drawn between them.

Finance papers print most of their tables this way. pypdfium2 hands over a page's text as
rectangles, one per run of text, cheaply (no pdfplumber parse). Runs on a line that are a
word space apart are one chunk; a wider gap separates columns. Three or more lines of two or
more chunks, close together, whose chunks fall into the same columns, are a table. Only the
geometry decides; the text of a chunk is fetched when its line may belong to a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from extract.models import RawTable, TableSource
from extract.settings import TableSettings
from extract.structure.cells import is_data_number
from extract.structure.lines import collapse

_FORM_LABEL = re.compile(r"^[A-Z][\w '’()/&-]{1,40}:$")
_MARKER = re.compile(r"^(?:\(?\d{1,2}(?:\.\d{1,2})*[.)]?|\(?[a-z]{1,4}\)|[•·▪●○■◦–-])$")
RULE = "pdfium.unruled"

try:
    from extract.ingest import _geometry
except ImportError:  # built without a C compiler: the lines are grouped in Python
    _geometry = None


class Run(NamedTuple):
    """A run of text on the page, in points from the top left (as pdfplumber measures). A
    tuple: a page has hundreds, and they go to and from arrays."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class Rule:
    """A horizontal line drawn across the page: x0, its height from the top, x1."""

    x0: float
    y: float
    x1: float


def runs_of(rows: list[list[float]]) -> list[Run]:
    """Runs of rows of their four values (`tuple.__new__` straight: Run's own `__new__` is
    a Python call per run, and a page has hundreds). It does not check a row's length:
    give it rows of four."""
    return list(map(partial(tuple.__new__, Run), rows))


class _Line:
    """A line's chunks, its top, bottom and height (the median chunk's; 1.0 for none),
    and, once fetched, its chunks' texts."""

    __slots__ = ("bottom", "chunks", "height", "texts", "top")

    def __init__(self, chunks: list[Run], top: float, bottom: float, height: float):
        self.chunks, self.top, self.bottom, self.height = chunks, top, bottom, height
        self.texts: list[str] = []

    @classmethod
    def of(cls, chunks: list[Run]) -> _Line:
        top = min(c.top for c in chunks)
        bottom = max(c.bottom for c in chunks)
        return cls(chunks, top, bottom, _median([c.height for c in chunks]) or 1.0)

    @property
    def has_number(self) -> bool:
        return any(is_data_number(t) for t in self.texts)


def _median(values: list[float]) -> float:
    """`statistics.median`, without its generality (it cost a fifth of the table search)."""
    if len(values) == 1:
        return values[0]
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def find_unruled(
    runs: Sequence[Run] | np.ndarray,
    text_of: Callable[[Run], str],
    page: int,
    settings: TableSettings,
    rules: Sequence[Rule] = (),
    ruled: Sequence[tuple[float, float, float, float]] = (),
    texts_of: Callable[[list[Run]], list[str]] | None = None,
) -> list[RawTable]:
    """Tables on one page. `runs`: Runs, or an array of their four values a row (as the
    PDF reader keeps them: no tuple per run). `rules` are horizontal lines drawn on it:
    where they cross a table, they, not the spacing, divide its rows. `ruled` are the
    boxes of the ruled tables found on the page: a table overlapping one is dropped, so a
    block certain to overlap one is skipped before its text is fetched (the text was most
    of the cost). `texts_of`: `text_of` of many boxes at once, where the reader has it."""
    boxes = _boxes(runs)
    tables = []
    for block in _found_blocks(boxes, settings, ruled):
        chunks = [c for line in block for c in line.chunks]
        texts = iter(texts_of(chunks) if texts_of else map(text_of, chunks))
        for line in block:
            line.texts = [collapse(next(texts)) for _ in line.chunks]
        table = _table(block, page, settings, _rules_across(block, rules))
        if table is not None:
            table.above = line_above(boxes, text_of, block[0].top, compiled=settings.c_loops)
            tables.append(table)
    return tables


def _boxes(runs: Sequence[Run] | np.ndarray) -> np.ndarray:
    """The runs' values as a C-ordered array of four float64 columns."""
    return np.ascontiguousarray(np.asarray(runs, np.float64).reshape(-1, 4))


def _overlaps_surely(block: list[_Line], box: tuple[float, float, float, float]) -> bool:
    """Whether any table read from the block would overlap `box`: the table spans the
    block's height, and its width lies within that of the block's split lines."""
    x0, top, x1, bottom = box
    if not (block[0].top < bottom and top < block[-1].bottom):
        return False
    return all(x0 <= c.x0 and c.x1 <= x1 for ln in block if _is_split(ln) for c in ln.chunks)


def line_above(
    runs: Sequence[Run] | np.ndarray,
    text_of: Callable[[Run], str],
    top: float,
    reach: float = 48.0,
    compiled: bool = True,
) -> str:
    """The last line of text above `top` (a table's caption or heading), if it is within
    `reach` points. A heading's descenders may cross the table's top line: a run belongs
    above the table when its middle does. Where the line lies is found in C
    (`_geometry.span_above`, the same steps) where it was built, else over the runs' array
    (`_span_above`); `_line_above` is the same, run by run."""
    boxes = _boxes(runs)
    if compiled and _geometry is not None and hasattr(_geometry, "span_above"):
        span = _geometry.span_above(boxes, float(top), float(reach))
    else:
        span = _span_above(boxes, top, reach)
    return "" if span is None else collapse(text_of(Run(*span)))


def _span_above(boxes: np.ndarray, top: float, reach: float) -> tuple[float, ...] | None:
    """Where `line_above`'s line lies, over the runs' array at once (a page has hundreds of
    runs, and a table a call)."""
    x0, tops, x1, bottoms = boxes.T
    heights = bottoms - tops
    above = (heights >= 1.0) & ((tops + bottoms) / 2 < top)
    near = np.flatnonzero(above & (bottoms >= top - reach))
    if not len(near):
        return None
    last = near[np.argmax((tops + bottoms)[near])]  # the first of the lowest, as `max`
    lt, lb, lh = tops[last], bottoms[last], heights[last]
    shared = np.minimum(lb, bottoms) - np.maximum(lt, tops)
    line = above & (shared >= 0.4 * np.minimum(lh, heights))
    return (
        float(x0[line].min()),
        float(tops[line].min()),
        float(x1[line].max()),
        float(bottoms[line].max()),
    )


def _line_above(runs: Sequence[Run], text_of: Callable[[Run], str], top: float, reach=48.0):
    """`line_above`, run by run: the reference its tests compare with."""
    above = [r for r in runs if r.height >= 1.0 and (r.top + r.bottom) / 2 < top]
    near = [r for r in above if r.bottom >= top - reach]
    if not near:
        return ""
    last = max(near, key=lambda r: r.top + r.bottom)
    line = [r for r in above if _same_line(last, r)]
    span = Run(
        min(r.x0 for r in line),
        min(r.top for r in line),
        max(r.x1 for r in line),
        max(r.bottom for r in line),
    )
    return collapse(text_of(span))


def _lines(
    runs: Sequence[Run] | np.ndarray, column_gap: float, compiled: bool = True
) -> list[_Line]:
    """Runs grouped into lines (a run shares most of its height with the line's first), each
    line cut into chunks where the gap is wider than `column_gap` times the text height.
    A flat run (a minus sign, a space: PDFium gives it no height) joins the line it sits
    on and the chunk it touches, never a chunk of its own. In C (`_geometry.text_lines`,
    the same steps) where it was built, unless a run is at no finite place."""
    boxes = _boxes(runs)
    if compiled and _geometry is not None:
        found = _geometry.text_lines(boxes, column_gap)
        if found is not None:
            chunks, ends, extents = _line_arrays(found)
            return _block_lines(chunks, ends, extents, 0, len(ends))
    runs = runs_of(boxes.tolist())
    flat = [r for r in runs if r.x1 > r.x0 and r.height < 1.0]
    lines: list[list[Run]] = []
    for run in sorted((r for r in runs if r.x1 > r.x0 and r.height >= 1.0), key=_reading):
        if lines and _same_line(lines[-1][0], run):
            lines[-1].append(run)
        else:
            lines.append([run])
    out = []
    for line in lines:
        top, bottom = min(r.top for r in line), max(r.bottom for r in line)
        line += [r for r in flat if top <= r.top <= bottom]
        line.sort(key=lambda r: r.x0)
        chunks = [line[0]]
        for run in line[1:]:
            last = chunks[-1]
            gap = column_gap * max(run.height, last.height)
            if run.x0 - last.x1 <= gap:
                top, bottom = min(last.top, run.top), max(last.bottom, run.bottom)
                chunks[-1] = Run(last.x0, top, max(last.x1, run.x1), bottom)
            else:
                chunks.append(run)
        out.append([c for c in chunks if c.height >= 1.0])
    return [_Line.of(chunks) for chunks in out if chunks]


def _found_blocks(
    boxes: np.ndarray,
    settings: TableSettings,
    ruled: Sequence[tuple[float, float, float, float]] = (),
) -> list[list[_Line]]:
    """`_blocks` of the page's `_lines`, less those that surely overlap a ruled table:
    in C (`_geometry.text_blocks`, the same steps) where it was built, and then only the
    kept blocks' lines are made `_Line`s (most of a page's lines are prose or in a ruled
    table, and a Python object each was most of the time)."""
    if settings.c_loops and _geometry is not None:
        found = _geometry.text_lines(boxes, settings.unruled_column_gap)
        if found is not None:
            ranges = _geometry.text_blocks(
                *found,
                settings.unruled_line_gap,
                settings.unruled_wrap_gap,
                settings.unruled_min_lines,
                _boxes(ruled),
            )
            chunks, ends, extents = _line_arrays(found)
            return [
                _block_lines(chunks, ends, extents, a, b)
                for a, b in np.frombuffer(ranges, np.int64).reshape(-1, 2).tolist()
            ]
    blocks = _blocks(_lines(boxes, settings.unruled_column_gap, compiled=False), settings)
    return [b for b in blocks if not any(_overlaps_surely(b, box) for box in ruled)]


def _line_arrays(found: tuple[bytes, bytes, bytes]) -> tuple[np.ndarray, ...]:
    """`_geometry.text_lines`' results as arrays: chunks [m, 4], line ends, extents [n, 3]."""
    return (
        np.frombuffer(found[0], np.float64).reshape(-1, 4),
        np.frombuffer(found[1], np.int64),
        np.frombuffer(found[2], np.float64).reshape(-1, 3),
    )


def _block_lines(chunks: np.ndarray, ends: np.ndarray, extents: np.ndarray, a: int, b: int):
    """Lines `a` to `b` (not included) of `text_lines`' results, as `_Line`s."""
    first = int(ends[a - 1]) if a else 0
    runs = runs_of(chunks[first : int(ends[b - 1]) if b else 0].tolist())
    cuts = [0, *(ends[a:b] - first).tolist()]
    return [
        _Line(runs[i:j], *extent)
        for (i, j), extent in zip(pairwise(cuts), extents[a:b].tolist(), strict=True)
    ]


def _same_line(first: Run, run: Run) -> bool:
    """Vertically centred cells sit a little off their neighbours' line: 40% overlap will do."""
    shared = min(first.bottom, run.bottom) - max(first.top, run.top)
    return shared >= 0.4 * min(first.height, run.height)


def _reading(run: Run) -> tuple[float, float]:
    return (round(run.top), run.x0)


def _blocks(lines: list[_Line], settings: TableSettings) -> list[list[_Line]]:
    """Runs of lines close together, holding enough lines of two or more chunks."""
    blocks: list[list[_Line]] = []
    current: list[_Line] = []
    extent = (0.0, 0.0)  # the current block's left and right edges
    previous: _Line | None = None
    for line in [*lines, None]:
        if (
            line is not None
            and current
            and line.top - current[-1].bottom <= settings.unruled_line_gap * line.height
            and (_is_split(line) or _inside(line, extent))
        ):
            current.append(line)
            extent = _widened(extent, line)
            previous = line
            continue
        while current and not _is_split(current[-1]):
            current.pop()  # a table ends on a line of columns, not a trailing paragraph
        if current and sum(_is_split(x) for x in current) >= settings.unruled_min_lines:
            blocks.append(current)  # (never an empty one, whatever the fewest lines asked)
        current = [line] if line is not None and _is_split(line) else []
        if current and previous is not None and _is_banner(previous, line, settings):
            current.insert(0, previous)
        if current:
            extent = _extent(current)
        previous = line
    return blocks


def _is_banner(line: _Line, below: _Line, settings: TableSettings) -> bool:
    """A heading over the figure columns just above a table's first line ("ACTUALS" over
    nine years): one chunk, close above, clear of the first column (a caption starts there)."""
    if len(line.chunks) != 1 or len(below.chunks) < 3:
        return False
    if below.top - line.bottom > 2 * settings.unruled_wrap_gap * below.height:
        return False
    return line.chunks[0].x0 > below.chunks[0].x1


def _is_split(line: _Line) -> bool:
    """Two or more chunks, not just a list marker before its paragraph ("1.2   The ...")."""
    chunks = line.chunks
    if len(chunks) < 2:
        return False
    return len(chunks) > 2 or chunks[0].x1 - chunks[0].x0 > 2 * chunks[0].height


def _inside(line: _Line, extent: tuple[float, float]) -> bool:
    """A one-chunk line that belongs to the block (of that left and right `extent`):
    indented into a column, or narrow and within its width (a wrapped cell, a label row).
    A wide line from the left edge is prose."""
    x0, x1 = extent
    chunk = line.chunks[0]
    margin = 2 * chunk.height
    if chunk.x0 > x0 + margin:
        return True
    return (
        x0 - margin <= chunk.x0
        and chunk.x1 <= x1 + margin
        and chunk.x1 - chunk.x0 < 0.6 * (x1 - x0)
    )


def _extent(block: list[_Line]) -> tuple[float, float]:
    """Left and right edges of a block's text."""
    return (
        min(c.x0 for ln in block for c in ln.chunks),
        max(c.x1 for ln in block for c in ln.chunks),
    )


def _widened(extent: tuple[float, float], line: _Line) -> tuple[float, float]:
    """`_extent` of a block with the line added, from the block's."""
    return (
        min(extent[0], *(c.x0 for c in line.chunks)),
        max(extent[1], *(c.x1 for c in line.chunks)),
    )


def _columns(block: list[_Line]) -> list[tuple[float, float]]:
    """Column extents: the x-ranges the split lines' chunks cover, merged where they meet.
    Lines with data numbers decide when there are enough of them (headings straddle)."""
    split = [ln for ln in block if _is_split(ln)]
    data = [ln for ln in split if ln.has_number]
    source = data if len(data) >= 2 else split
    spans = sorted((c.x0, c.x1) for ln in source for c in ln.chunks)
    columns = [list(spans[0])]
    for x0, x1 in spans[1:]:
        if x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _placed(chunk: Run, columns: list[tuple[float, float]]) -> list[int]:
    """The columns a chunk overlaps (more than one: a heading merged across them)."""
    hit = [i for i, (a, b) in enumerate(columns) if chunk.x0 < b and chunk.x1 > a]
    if hit:
        return hit
    middle = (chunk.x0 + chunk.x1) / 2
    return [min(range(len(columns)), key=lambda i: abs(sum(columns[i]) / 2 - middle))]


def _rules_across(block: list[_Line], rules: Sequence[Rule]) -> list[float]:
    """Heights of the rules that run across at least half the block, inside it."""
    x0, x1 = _extent(block)
    top, bottom = block[0].top, block[-1].bottom
    return sorted(
        {
            round(r.y, 1)
            for r in rules
            if top < r.y < bottom and min(r.x1, x1) - max(r.x0, x0) >= 0.5 * (x1 - x0)
        }
    )


def _table(
    block: list[_Line], page: int, settings: TableSettings, rules: list[float]
) -> RawTable | None:
    columns = _columns(block)
    split = [ln for ln in block if _is_split(ln)]
    if len(columns) < settings.min_cols:
        return None
    if len(columns) == 2 and sum(ln.has_number for ln in split) * 2 < len(split):
        return None  # two columns of words: a two-column layout or a list, not data
    firsts = [ln.texts[0] for ln in split]
    if len(columns) == 2 and sum(bool(_MARKER.match(t)) for t in firsts) * 2 >= len(firsts):
        return None  # numbered paragraphs, their numbers hanging in the margin
    texts = [t for ln in split for t in ln.texts]
    if sum(bool(_FORM_LABEL.match(t)) for t in texts) * 3 >= len(texts):
        return None  # "Label:   value" lines: a form
    rows: list[list[str | None]] = []
    spans: list[dict[int, int]] = []  # per row: a cell's first column -> its last
    bands: list[list[float]] = []  # top, bottom of each row
    previous_band = -1
    for i, line in enumerate(block):
        cells: dict[int, str | None] = {}
        reach: dict[int, int] = {}
        banner = i == 0 and not _is_split(line)  # heads every column but the first
        for chunk, text in zip(line.chunks, line.texts, strict=True):
            where = list(range(1, len(columns))) if banner else _placed(chunk, columns)
            first = where[0]
            cells[first] = f"{cells[first]} {text}" if cells.get(first) else text
            reach[first] = max(reach.get(first, first), where[-1])
            for other in where[1:]:
                cells.setdefault(other, None)
        middle = (line.top + line.bottom) / 2
        band = sum(y < middle for y in rules)  # rows ruled off: the rules divide them
        same = band == previous_band if len(rules) >= 2 else None
        previous_band = band
        if rows and (
            same if same is not None else _continues(line, block[i - 1], cells, rows[-1], settings)
        ):
            for c, text in cells.items():
                if text:
                    rows[-1][c] = f"{rows[-1][c] or ''} {text}".strip()
            bands[-1][1] = line.bottom
            continue
        rows.append([cells.get(c, "") for c in range(len(columns))])
        spans.append(reach)
        bands.append([line.top, line.bottom])
    if len(rows) < settings.min_rows:
        return None
    boxes = [  # a cell's box: its columns across its row (none where merged, as pdfplumber)
        [
            None if row[c] is None else (a, top, columns[reach.get(c, c)][1], bottom)
            for c, (a, _) in enumerate(columns)
        ]
        for row, reach, (top, bottom) in zip(rows, spans, bands, strict=True)
    ]
    bbox = (columns[0][0], bands[0][0], columns[-1][1], bands[-1][1])
    return RawTable(page, bbox, rows, boxes, source=TableSource.PDF_UNRULED, rule=RULE)


def _continues(
    line: _Line,
    previous: _Line,
    cells: dict[int, str | None],
    row: list[str | None],
    settings: TableSettings,
) -> bool:
    """Whether a line close under a row belongs to it: a wrapped cell, a stacked heading, or
    figures centred beside a label that wraps. A figure under a figure, or a new label in
    the first column, starts a new row."""
    if line.top - previous.bottom > settings.unruled_wrap_gap * line.height:
        return False
    filled = {c: t for c, t in cells.items() if t}
    if line.has_number:
        if any(row[c] for c, t in filled.items() if is_data_number(t)):
            return False
        return not (0 in filled and row[0] and any(t and is_data_number(t) for t in row))
    if any(row[c] == "" for c in filled):  # None: merged into a heading beside it
        return True
    if 0 in filled and row[0]:
        return _wraps(row[0], filled[0])
    return len(filled) == 1 or len(filled) < sum(1 for t in row if t)


_JOINS = re.compile(r"(?:[&,(/–-]|\b(?:and|or|of|for|the|to|in|on|with))$", re.I)


def _wraps(label: str, more: str) -> bool:
    """The first column's next line finishes the label above rather than starting a new one."""
    return (
        bool(_JOINS.search(label))
        or label.count("(") > label.count(")")
        or more[:1].islower()
        or more[:1] in "()"
    )
