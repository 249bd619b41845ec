"""Ruled PDF tables without pdfplumber's page parse.

pdfplumber finds ruled tables well but parses the whole page with pdfminer first (~0.1 s a
page, every glyph and path), which made tables 12x the cost of the rest of the pipeline.
Here pypdfium2 hands over the page's paths and characters, turned into the edge and char
records pdfplumber's own table algorithm reads (`pdfplumber.table.TableFinder` and
`Table.extract`), so the cells and their text are pdfplumber's: only the page parse is
PDFium's. Paths are split into lines, rectangles and curves as pdfminer splits them.
Characters are fetched only inside the tables found, after the edges have found them.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain, groupby, pairwise
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import pdfplumber.table as plumber_table
import pdfplumber.utils as plumber_utils
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.ingest import pdfium_loops
from extract.ingest.base import code_points, is_one_of, is_space
from extract.ingest.pdfium_loops import CharArrays, EdgeArrays, char_faces, page_chars
from extract.ingest.pdfium_loops import page_paths as read_paths
from extract.models import RawTable
from extract.settings import TableSettings

try:
    from extract.ingest import _geometry
except ImportError:  # built without a C compiler: the Python search below
    _geometry = None

RULE = "pdfplumber.lines@pdfium"
BOLD_WORDS = ("bold", "black", "heavy", "semibold", "demi")

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_HULL = ((min, 0), (min, 1), (max, 2), (max, 3))  # a hull of (x0, top, x1, bottom) boxes


@dataclass(frozen=True)
class PagePaths:
    """A page's drawn paths: how many objects, each one's bounds, and pdfplumber-style
    edges from them, kept as they were read: arrays from C (which the C table search reads
    as they are), tuples from Python."""

    count: int
    bounds: list[tuple[float, float, float, float]]  # each object's left, bottom, right, top
    tuples: list[Edge] | None = None  # see EDGE_KEYS
    arrays: EdgeArrays | None = None

    @cached_property
    def edges(self) -> list[Edge]:
        """The edges as tuples: made from the arrays only for the Python table search."""
        if self.tuples is not None or self.arrays is None:
            return self.tuples or []
        kinds = [_EDGE_KINDS[k] for k in self.arrays.codes[:, 0].tolist()]
        orientations = [_ORIENTATIONS[k] for k in self.arrays.codes[:, 1].tolist()]
        return list(zip(kinds, *self.arrays.values.T.tolist(), orientations, strict=True))

    def edge_arrays(self) -> EdgeArrays:
        if self.arrays is not None:
            return self.arrays
        values = np.array([e[_X0:_ORIENTATION] for e in self.edges], np.float64).reshape(-1, 7)
        codes = [
            (_EDGE_KINDS.index(e[_KIND]), _ORIENTATIONS.index(e[_ORIENTATION])) for e in self.edges
        ]
        return EdgeArrays(values, np.array(codes, np.int8).reshape(-1, 2), np.zeros((0, 4)))


@dataclass
class _PageView:
    """What pdfplumber's TableFinder reads of a page when it looks for lines."""

    bbox: tuple[float, float, float, float]
    edges: list  # Edge tuples for _TableFinder; records for pdfplumber's own get_edges


def page_paths(page: pdfium.PdfPage, height: float, compiled: bool = True) -> PagePaths:
    """Every path object on the page, forms included, as pdfplumber would see it: in C
    where it was built (`pdfium_loops.page_edges`: the same steps, a test compares them),
    else here."""
    if compiled and pdfium_loops.has_compiled("edges"):
        read = pdfium_loops.page_edges(page.raw, height)
        bounds = [tuple(b) for b in read.bounds.tolist()]
        return PagePaths(len(bounds), bounds, arrays=read)
    records = read_paths(page.raw, False)
    containers = [_IDENTITY]  # the matrix from each container's space to the page's
    for parent, matrix_ok, matrix in records.forms:
        containers.append(_compose(matrix if matrix_ok else _IDENTITY, containers[parent]))
    edges: list[Edge] = []
    bounds: list[tuple[float, float, float, float]] = []
    for where, bounds_ok, box, matrix_ok, matrix, segments in records.paths:
        container = containers[where]
        if bounds_ok:  # in the space of the form holding the object: corners to the page's
            left, bottom, right, top = box
            corners = [_apply(container, x, y) for x in (left, right) for y in (bottom, top)]
            xs, ys = [x for x, _ in corners], [y for _, y in corners]
            bounds.append((min(xs), min(ys), max(xs), max(ys)))
        own = _compose(matrix if matrix_ok else _IDENTITY, container)
        for shape, points in _subpaths(segments, own):
            edges += _edges(shape, [(x, height - y) for x, y in points])
    return PagePaths(len(bounds), bounds, tuples=edges)


_EDGE_KINDS = ("line", "rect_edge", "curve_edge")  # the C codes' names
_ORIENTATIONS = (None, "h", "v")


def _apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return (a * x + c * y + e, b * x + d * y + f)


def _compose(first: Matrix, then: Matrix) -> Matrix:
    """The matrix applying `first`, then `then` (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _subpaths(segments: list[tuple], matrix: Matrix) -> list[tuple[str, list[tuple]]]:
    """The path's subpaths as pdfminer reads them: operators ("mllh") and their end points
    (a Bézier's control points dropped), in page space."""
    out: list[tuple[str, list[tuple[float, float]]]] = []
    shape, points, bezier = "", [], 0
    for kind, closes, x, y in segments:
        point = _apply(matrix, x, y)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            if shape:
                out.append((shape, points))
            shape, points, bezier = "m", [point], 0
        elif kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:
            bezier += 1
            if bezier % 3 == 0:  # the curve's end point; the two before are control points
                shape += "c"
                points.append(point)
        else:
            shape += "l"
            points.append(point)
        if shape and closes:
            shape += "h"
            points.append(points[0])
    if shape:
        out.append((shape, points))
    return out


def _edges(shape: str, pts: list[tuple[float, float]]) -> list[Edge]:
    """pdfminer's reading of a subpath (line, rectangle or curve) as pdfplumber's edges."""
    if len(shape) > 3 and shape.endswith("lh") and pts[-2] == pts[0]:
        shape, pts = shape[:-2] + "h", pts[:-2] + pts[-1:]
    if shape in ("mlh", "ml"):
        (x0, y0), (x1, y1) = pts[0], pts[1]
        return [_edge("line", x0, y0, x1, y1, "h" if y0 == y1 else "v")]  # pdfplumber's name
    if shape in ("mlllh", "mllll") and len(pts) == 5 and pts[0] == pts[4]:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
            y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
        ):
            left, right = min(x0, x2), max(x0, x2)
            top, bottom = min(y0, y2), max(y0, y2)
            return [
                _edge("rect_edge", left, top, right, top, "h"),
                _edge("rect_edge", left, bottom, right, bottom, "h"),
                _edge("rect_edge", left, top, left, bottom, "v"),
                _edge("rect_edge", right, top, right, bottom, "v"),
            ]
    out = []
    for (x0, y0), (x1, y1) in pairwise(pts):
        orientation = "v" if x0 == x1 else ("h" if y0 == y1 else None)
        out.append(_edge("curve_edge", x0, y0, x1, y1, orientation))
    return out


# An edge is a tuple of pdfplumber's edge record's values, in its keys' order (a dict an
# edge, for every path of every page, cost more than the table search on them).
EDGE_KEYS = ("object_type", "x0", "x1", "top", "bottom", "doctop", "width", "height", "orientation")
_KIND, _X0, _X1, _TOP, _BOTTOM, _DOCTOP, _WIDTH, _HEIGHT, _ORIENTATION = range(9)
Edge = tuple


def _edge(kind: str, x0: float, y0: float, x1: float, y1: float, orientation) -> Edge:
    left, right, top, bottom = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    return (kind, left, right, top, bottom, top, right - left, bottom - top, orientation)


def edge_record(edge: Edge) -> dict:
    """pdfplumber's edge record."""
    return dict(zip(EDGE_KEYS, edge, strict=True))


def find_ruled(
    textpage: pdfium.PdfTextPage,
    paths: PagePaths,
    number: int,
    size: tuple[float, float],
    settings: TableSettings,
    line_above: Callable[[float], str],
    text: str | None = None,
) -> list[RawTable]:
    """pdfplumber's ruled tables on one page, read from PDFium's paths and characters;
    `line_above(top)` gives the caption line over a table; `text`, the text page's whole
    text, where the caller has it already."""
    width, height = size
    view = _PageView((0.0, 0.0, width, height), [])
    tables = [
        plumber_table.Table(view, cells)
        for cells in table_cells(paths, view.bbox, _plumber_settings(settings), settings.c_loops)
    ]
    if not tables:
        return []
    chars = _chars(textpage, height, [t.bbox for t in tables], settings.c_loops, text)
    found = []
    for table in tables:
        bbox = table.bbox  # (pdfplumber works it out at each asking)
        grid = table_rows(table, settings.c_loops)
        rows, bold = read_table(table, chars, grid)
        if not rows or max(map(len, rows)) < settings.min_cols:
            continue  # a box, not a table (short ones may continue a table)
        found.append(
            RawTable(
                number,
                tuple(rounded(v) for v in bbox),
                rows,
                rounded_boxes(grid.cells, settings.c_loops),
                line_above(bbox[1]),
                bold,
                rule=RULE,
            )
        )
    return found


@lru_cache(maxsize=16)
def _plumber_settings(settings: TableSettings) -> plumber_table.TableSettings:
    """pdfplumber's table settings from ours, resolved once, not at every page (resolving
    checks every field: ~18 us). Nothing changes them once resolved."""
    return plumber_table.TableSettings.resolve(settings.plumber())


def table_cells(
    paths: PagePaths,
    bbox: tuple[float, ...],
    settings: dict | plumber_table.TableSettings,
    compiled: bool = True,
) -> list[list[tuple[float, float, float, float]]]:
    """The cells of each table pdfplumber's TableFinder finds among the page's edges, in
    its order: in C (`_geometry.c`) where it was built and the settings are the ruled-lines
    ones it follows (a property test compares it with pdfplumber), else in Python."""
    resolved = plumber_table.TableSettings.resolve(settings)
    if compiled and _geometry is not None and _lines_only(resolved):
        arrays = paths.edge_arrays()
        found = _geometry.tables(
            arrays.values,
            arrays.codes,
            resolved.edge_min_length_prefilter,
            resolved.snap_x_tolerance,
            resolved.snap_y_tolerance,
            resolved.join_x_tolerance,
            resolved.join_y_tolerance,
            resolved.edge_min_length,
            resolved.intersection_x_tolerance,
            resolved.intersection_y_tolerance,
        )
        if found is not None:  # None: a place that is not a finite number
            return found
    return [t.cells for t in _TableFinder(_PageView(bbox, paths.edges), resolved).tables]


def _lines_only(settings: plumber_table.TableSettings) -> bool:
    """Ruled lines both ways and no explicit lines: the settings the fast searches follow."""
    lines = settings.vertical_strategy == settings.horizontal_strategy == "lines"
    return lines and not settings.explicit_vertical_lines and not settings.explicit_horizontal_lines


class _TableFinder(plumber_table.TableFinder):
    """pdfplumber's TableFinder (0.11: its `__init__`, step by step) with the edges-to-cells
    step indexed (two thirds of its time went there), and the edges merged as tuples."""

    def __init__(self, page, settings):
        self.page = page
        self.settings = plumber_table.TableSettings.resolve(settings)
        self.edges = self.get_edges()
        self.intersections = plumber_table.edges_to_intersections(
            self.edges,
            self.settings.intersection_x_tolerance,
            self.settings.intersection_y_tolerance,
        )
        self.cells = intersections_to_cells(self.intersections)
        self.tables = [
            plumber_table.Table(self.page, group)
            for group in plumber_table.cells_to_tables(self.cells)
        ]

    def get_edges(self) -> list[dict]:
        """pdfplumber's `get_edges` for ruled tables (strategy "lines" both ways, no
        explicit lines): the same edges, the same values, in the same order (a property
        test compares them); any other settings are left to pdfplumber's own."""
        settings = self.settings
        if not _lines_only(settings):
            self.page = _PageView(self.page.bbox, [edge_record(e) for e in self.page.edges])
            return super().get_edges()
        least = settings.edge_min_length_prefilter
        edges = [e for e in self.page.edges if e[_ORIENTATION] == "v" and e[_HEIGHT] >= least]
        edges += [e for e in self.page.edges if e[_ORIENTATION] == "h" and e[_WIDTH] >= least]
        edges = merge_edges(
            edges,
            settings.snap_x_tolerance,
            settings.snap_y_tolerance,
            settings.join_x_tolerance,
            settings.join_y_tolerance,
        )
        least = settings.edge_min_length
        return [
            edge_record(e)
            for e in edges
            if (e[_HEIGHT] if e[_ORIENTATION] == "v" else e[_WIDTH]) >= least
        ]


def merge_edges(
    edges: list[Edge], snap_x: float, snap_y: float, join_x: float, join_y: float
) -> list[Edge]:
    """pdfplumber's `merge_edges` (snap, then join) over edge tuples, step for step: the
    same clusters, sums in the same order, the same float operations."""
    if snap_x > 0 or snap_y > 0:
        edges = _snap([e for e in edges if e[_ORIENTATION] == "v"], _X0, snap_x) + _snap(
            [e for e in edges if e[_ORIENTATION] == "h"], _TOP, snap_y
        )

    def group(edge: Edge) -> tuple[str, float]:
        return ("h", edge[_TOP]) if edge[_ORIENTATION] == "h" else ("v", edge[_X0])

    out: list[Edge] = []
    for (orientation, _), items in groupby(sorted(edges, key=group), key=group):
        out += _join(items, orientation, join_x if orientation == "h" else join_y)
    return out


def _snap(edges: list[Edge], key: int, tolerance: float) -> list[Edge]:
    """pdfplumber's `snap_objects`: edges within `tolerance` of each other (chained) moved
    to their cluster's mean, clusters in order of value, each in the edges' order."""
    values = [e[key] for e in edges]
    cluster_of = plumber_utils.make_cluster_dict(values, tolerance)
    order = sorted(range(len(edges)), key=lambda i: cluster_of.get(values[i]))
    out: list[Edge] = []
    for _, members in groupby(order, key=lambda i: cluster_of.get(values[i])):
        cluster = [edges[i] for i in members]
        mean = sum(e[key] for e in cluster) / len(cluster)
        for e in cluster:
            shift = mean - e[key]
            if key == _X0:  # a vertical edge moves across
                out.append((e[0], e[1] + shift, e[2] + shift, *e[3:]))
            else:  # a horizontal one moves down (its doctop with it)
                out.append((*e[:3], e[3] + shift, e[4] + shift, e[5] + shift, *e[6:]))
    return out


def _join(items, orientation: str, tolerance: float) -> list[Edge]:
    """pdfplumber's `join_edge_group`: edges on one line that touch or overlap (within
    `tolerance`) made one."""
    low, high = (_X0, _X1) if orientation == "h" else (_TOP, _BOTTOM)
    joined: list[Edge] = []
    for e in sorted(items, key=itemgetter(low)):
        if not joined:
            joined.append(e)
            continue
        last = joined[-1]
        if e[low] <= last[high] + tolerance:
            if e[high] > last[high]:
                joined[-1] = _resized(last, high, e[high])
        else:
            joined.append(e)
    return joined


def _resized(edge: Edge, key: int, value: float) -> Edge:
    """pdfplumber's `resize_object` of an edge's right or bottom end (and its asserts)."""
    if key == _X1:
        assert value >= edge[_X0]
        return (*edge[:2], value, *edge[3:6], value - edge[_X0], *edge[7:])
    assert value >= edge[_TOP]
    height = edge[_HEIGHT] + (value - edge[_BOTTOM])
    return (*edge[:4], value, edge[5], edge[6], height, edge[8])


def intersections_to_cells(intersections: dict) -> list[tuple[float, float, float, float]]:
    """pdfplumber's `intersections_to_cells`: the same cells in the same order (a property
    test compares them). pdfplumber rebuilds both points' edge sets at every test, and
    scans all the points after each one for those below it and right of it; here each
    point's edge boxes are a set once, and the points below and right come from an index.
    """
    vertical = {p: {_bbox(e) for e in edges["v"]} for p, edges in intersections.items()}
    horizontal = {p: {_bbox(e) for e in edges["h"]} for p, edges in intersections.items()}
    points = sorted(intersections)
    columns: dict[float, list] = {}  # x -> its points, top to bottom
    rows: dict[float, list] = {}  # y -> its points, left to right
    for pt in points:
        columns.setdefault(pt[0], []).append(pt)
        rows.setdefault(pt[1], []).append(pt)
    seen_in_column: dict[float, int] = {}
    seen_in_row: dict[float, int] = {}
    cells = []
    for pt in points:
        x, y = pt
        below = columns[x][seen_in_column.setdefault(x, 0) + 1 :]
        right = rows[y][seen_in_row.setdefault(y, 0) + 1 :]
        seen_in_column[x] += 1
        seen_in_row[y] += 1
        cell = _smallest_cell(pt, below, right, vertical, horizontal)
        if cell:
            cells.append(cell)
    return cells


def _smallest_cell(pt, below, right, vertical, horizontal):
    for below_pt in below:
        if vertical[pt].isdisjoint(vertical[below_pt]):
            continue
        for right_pt in right:
            if horizontal[pt].isdisjoint(horizontal[right_pt]):
                continue
            corner = (right_pt[0], below_pt[1])
            if (
                corner in vertical
                and not vertical[corner].isdisjoint(vertical[right_pt])
                and not horizontal[corner].isdisjoint(horizontal[below_pt])
            ):
                return (pt[0], pt[1], corner[0], corner[1])
    return None


def _bbox(edge: dict) -> tuple[float, float, float, float]:
    return (edge["x0"], edge["top"], edge["x1"], edge["bottom"])


def _chars(
    textpage: pdfium.PdfTextPage,
    height: float,
    within: list[tuple],
    compiled: bool = True,
    text: str | None = None,
) -> PageChars:
    """The page's characters inside the given boxes, as pdfplumber's char records.

    pdfminer boxes a glyph from the font's descent (PDFium's loose box bottom) up one font
    size, and across its advance width. The boxes and text objects of all the page's
    characters come from one loop (`pdfium_loops`), the text from one call, and font, size
    and direction once per text object; the tests on them run over whole arrays.
    """
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if text is None:
        text = textpage.get_text_range()
    if len(text) != count:  # the page text skips or adds characters: one call each instead
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(raw, i)) for i in range(count))
    if not count:
        return PageChars.from_records([])
    page = page_chars(raw, count, compiled)
    codes = code_points(text)
    in_c = compiled and _geometry is not None
    first, which = (_c_char_objects if in_c else _char_objects)(page, codes)
    faces = _faces(raw, first, compiled)
    left, x1, top, bottom, kinds, letters = (_c_kept_chars if in_c else _kept_chars)(
        page, codes, which, faces.size, height, within
    )

    def chars() -> list[tuple]:
        return list(
            zip(
                letters.tobytes().decode("utf-32-le", "surrogatepass"),
                left.tolist(),
                x1.tolist(),
                top.tolist(),
                bottom.tolist(),
                faces.upright[kinds].tolist(),
                faces.fontname[kinds].tolist(),
                strict=True,
            )
        )

    letter = ~is_space(letters)
    arrays = _Arrays(
        left, x1, top, bottom, letter, faces.bold[kinds], letters, faces.upright[kinds]
    )
    return PageChars(chars, arrays, compiled)


def _char_objects(page: CharArrays, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The text objects of the characters PDFium did not make up (in order of address),
    the first character of each, and each character's object among them (-1: made up).

    PDFium puts a space where it sees a word break (sometimes in place of a space glyph
    it drops); it has no box, so it goes at the end of the letter before (`_kept_chars`).
    """
    made_up = (page.generated == 1) & is_one_of(codes, _BREAKS)
    placed = np.flatnonzero(~made_up)
    _, first, which = np.unique(page.objects[placed], return_index=True, return_inverse=True)
    out = np.full(len(codes), -1, np.int64)
    out[placed] = which
    return placed[first], out


def _kept_chars(
    page: CharArrays,
    codes: np.ndarray,
    which: np.ndarray,
    sizes: np.ndarray,
    height: float,
    within: list[tuple],
) -> tuple[np.ndarray, ...]:
    """The left, right, top, bottom, object (`which`) and text of each character whose
    middle is inside one of the boxes `within` (not made up, NUL, CR or LF), each followed
    by the made-up space after it, if any, at its right edge. `sizes`: each object's font
    size on the page. `_geometry.kept_chars` does the same in C."""
    count = len(codes)
    placed = np.flatnonzero(which >= 0)
    made_up = which < 0
    size = np.zeros(count)
    size[placed] = sizes[which[placed]]
    face_of = np.zeros(count, np.int64)
    face_of[placed] = which[placed]
    x0 = page.boxes[:, 0].astype(np.float64)
    x1 = page.boxes[:, 2].astype(np.float64)
    bottom = height - page.boxes[:, 3].astype(np.float64)
    top = bottom - size
    mx, my = (x0 + x1) / 2, (top + bottom) / 2
    inside = np.zeros(count, bool)
    for a, b, c, d in within:
        inside |= (a <= mx) & (mx < c) & (b <= my) & (my < d)
    kept = inside & ~made_up & ~is_one_of(codes, _DROPPED)
    # a made-up space follows the character before it when that one is kept (not a space)
    space_after = np.zeros(count, bool)
    spaces = np.flatnonzero(made_up & (codes == 32))
    spaces = spaces[spaces > 0] - 1
    space_after[spaces[kept[spaces]]] = True
    # each kept character, and after it the made-up space it is followed by, if any
    at = np.flatnonzero(kept)
    spaced = space_after[at] & (codes[at] != 32)
    source = np.repeat(at, 1 + spaced)
    copy = np.zeros(len(source), bool)
    copy[np.flatnonzero(spaced) + np.arange(1, spaced.sum() + 1)] = True
    left = np.where(copy, x1[source], x0[source])
    # the text of each kept character (the characters, then the made-up spaces)
    letters = codes.copy()
    letters[is_one_of(codes, _HYPHENS)] = ord("-")
    letters = np.where(copy, 32, letters[source]).astype("<u4")
    return left, x1[source], top[source], bottom[source], face_of[source], letters


def _c_char_objects(page: CharArrays, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_char_objects` in C."""
    found = _geometry.char_objects(page.objects, page.generated, codes)
    first, which = (np.frombuffer(b, np.int64) for b in found)
    return first, which


def _c_kept_chars(page, codes, which, sizes, height, within) -> tuple[np.ndarray, ...]:
    """`_kept_chars` in C."""
    boxes = np.array(within, np.float64).reshape(-1, 4)
    found = _geometry.kept_chars(
        page.boxes, codes, page.generated, which, _floats(sizes), float(height), boxes
    )
    left, x1, top, bottom = np.frombuffer(found[1], np.float64).reshape(-1, 4).T
    kinds, letters = np.frombuffer(found[2], np.int64), np.frombuffer(found[3], "<u4")
    return left, x1, top, bottom, kinds, letters


_BREAKS = (ord(" "), ord("\r"), ord("\n"))


@dataclass(frozen=True)
class _Faces:
    """Direction, size, font name and weight of each text object (pdfminer's reading)."""

    upright: np.ndarray
    size: np.ndarray  # the font size on the page, in points
    fontname: np.ndarray  # of str
    bold: np.ndarray


def _faces(raw, first: np.ndarray, compiled: bool) -> _Faces:
    """Each text object's face, read at its first character (`first`). A font's name is
    asked for once per font, not per object."""
    read = char_faces(raw, first, compiled)
    a, b, c, d = (read.matrices[:, k].astype(np.float64) for k in range(4))
    upright = (a * d > 0) & (b * c <= 0)
    size = read.sizes * np.abs(np.where(upright, d, a))
    names: dict[int, str] = {}
    for font, index in zip(read.fonts.tolist(), first.tolist(), strict=True):
        if font not in names:
            names[font] = _font_name(raw, index)
    fontname = np.array([names[f] for f in read.fonts.tolist()], object)
    bold = np.array([_bold_face(n) for n in fontname.tolist()], bool)
    return _Faces(upright, size, fontname, bold)


def _font_name(raw, index: int) -> str:
    name = ctypes.create_string_buffer(128)
    pdfium_c.FPDFText_GetFontInfo(raw, index, name, len(name), None)
    return name.value.decode("latin-1")


_HYPHENS = (0x02, 0xFFFE)  # PDFium's codes for a hyphen at a line end
_DROPPED = (0x00, ord("\n"), ord("\r"))  # not characters of the text


class Char(NamedTuple):
    """A character as pdfplumber's cell text reads it (its char record's fields)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    upright: bool
    fontname: str

    def record(self) -> dict:
        """pdfplumber's char record, for its own text functions."""
        return {**self._asdict(), "doctop": self.top}


@dataclass(frozen=True)
class _Arrays:
    """The characters' coordinates and flags, by their index in `PageChars.chars`."""

    x0: np.ndarray
    x1: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    letter: np.ndarray  # not whitespace
    bold: np.ndarray
    code: np.ndarray  # uint32: the character's code point (0: not one code point)
    plain: np.ndarray  # upright, of one code point: its cell text can be read in C


class PageChars:
    """A page's characters sorted once by height, for every table on the page to slice.

    The characters are tuples in `Char`'s order, made by `zip` from the arrays (a dict per
    character cost as much as reading it from PDFium) when first asked for: the C cell
    text reads the arrays. `from_records` takes pdfplumber's.
    """

    def __init__(
        self,
        chars: list[tuple] | Callable[[], list[tuple]],
        arrays: _Arrays,
        compiled: bool = True,
    ):
        self._chars, self.at = chars, arrays
        # (a C module built from an older source lacks the cell text: Python reads it)
        self.compiled = compiled and pdfium_loops.has_compiled("plain_cell_texts")
        # what C reads: upright, one code point, and a finite place (NaN would not sort)
        finite = np.isfinite(arrays.x0) & np.isfinite(arrays.x1) & np.isfinite(arrays.top)
        self._in_c = arrays.plain & finite
        self.mx = (arrays.x0 + arrays.x1) / 2
        self.my = (arrays.top + arrays.bottom) / 2
        self.by_middle = _Sorted(self.my, np.arange(len(arrays.x0)))
        self.by_top = _Sorted(arrays.top, np.flatnonzero(arrays.letter))

    @property
    def chars(self) -> list[tuple]:
        if callable(self._chars):
            self._chars = self._chars()
        return self._chars

    def cell_texts(self, cells: list[list[int]]) -> list[str]:
        """`cell_text` of each cell (its characters by index)."""
        bounds = np.cumsum([0] + [len(held) for held in cells], dtype=np.int64)
        at = np.fromiter(chain.from_iterable(cells), np.int64, int(bounds[-1]))
        return self.texts_held(at, bounds)

    def texts_held(self, at: np.ndarray, bounds: np.ndarray) -> list[str]:
        """`cell_text` of each cell, its characters `at[bounds[k]:bounds[k + 1]]`, in C
        where it was built. Cells with a character that is not upright, not one code point
        or not at a finite place are read in Python (C leaves them: None)."""
        if not self.compiled:
            return [cell_text([self.chars[i] for i in at[a:b]]) for a, b in pairwise(bounds)]
        texts = pdfium_loops.compiled.plain_cell_texts(*self._c_arrays, at, bounds)
        for k, text in enumerate(texts):
            if text is None:
                texts[k] = cell_text([self.chars[i] for i in at[bounds[k] : bounds[k + 1]]])
        return texts

    @cached_property
    def _c_arrays(self) -> tuple[np.ndarray, ...]:
        """What the C cell text reads, contiguous: made once a page, not once a table."""
        a = self.at
        code = np.ascontiguousarray(a.code, np.uint32)
        x0, x1, top = (np.ascontiguousarray(v, np.float64) for v in (a.x0, a.x1, a.top))
        return code, x0, x1, top, np.ascontiguousarray(self._in_c, np.bool_)

    @classmethod
    def from_records(cls, records: list[dict]) -> PageChars:
        chars = [Char(*(c[k] for k in Char._fields)) for c in records]
        one = [len(c.text) == 1 for c in chars]  # pdfminer may give "(cid:3)"
        arrays = _Arrays(
            *(np.array([getattr(c, k) for c in chars], np.float64) for k in _BOX),
            np.array([bool(c.text.strip()) for c in chars], bool),
            np.array([_bold_face(c.fontname) for c in chars], bool),
            np.array([ord(c.text) if o else 0 for c, o in zip(chars, one, strict=True)], np.uint32),
            np.array([c.upright and o for c, o in zip(chars, one, strict=True)], bool),
        )
        return cls(chars, arrays)


_BOX = ("x0", "x1", "top", "bottom")


class TableRows(NamedTuple):
    """A table's rows, as pdfplumber's `Table.rows` gives them."""

    cells: list[list]  # each row's cells (x0, top, x1, bottom): None in a column it lacks
    spans: np.ndarray  # float64 [rows, 4]: each row's bbox
    boxes: np.ndarray  # float64 [cells, 4]: the cells the rows hold, row by row


def table_rows(table: plumber_table.Table, compiled: bool = True) -> TableRows:
    """pdfplumber's `Table.rows` (a sort, a dict a row and four passes for each row's
    bbox, at each asking), in C (`_geometry.table_rows`, the same steps; a property test
    compares them) where it was built, else pdfplumber's own."""
    if compiled and _geometry is not None and hasattr(_geometry, "table_rows"):
        found = _geometry.table_rows(table.cells)
        if found is not None:  # None: a value that is not a finite float
            cells, spans, boxes = found
            return TableRows(cells, _box_array(spans), _box_array(boxes))
    rows = table.rows
    boxes = [c for row in rows for c in row.cells if c is not None]
    return TableRows(
        [row.cells for row in rows],
        np.array([row.bbox for row in rows], np.float64).reshape(-1, 4),
        np.array(boxes, np.float64).reshape(-1, 4),
    )


def _box_array(data: bytes) -> np.ndarray:
    return np.frombuffer(data, np.float64).reshape(-1, 4)


def read_table(
    table: plumber_table.Table, chars: PageChars, rows: TableRows | None = None
) -> tuple[list, list[float]]:
    """The table's cell texts (as pdfplumber's `Table.extract`) and the share of bold
    letters in each row (heading rows are bold); `rows`: its `table_rows`, where the caller
    has them.

    pdfplumber tests every character of the page against every row and cell; here each
    cell takes the characters whose middle falls in it from those sorted by height, all
    the table's cells at once (see `_held_by`). A row's letters for the bold share are
    those whose top left corner lies in it (the measure the heading rules were written
    against).
    """
    if rows is None:
        rows = table_rows(table, chars.compiled)
    if not len(rows.boxes):
        return [[None] * len(row) for row in rows.cells], [0.0] * len(rows.cells)
    compiled = chars.compiled and _geometry is not None
    held = _held_by(rows.boxes, chars.by_middle, chars.mx, compiled)
    texts = iter(chars.texts_held(*held))
    read = [[None if c is None else next(texts) for c in row] for row in rows.cells]
    counts, heavy = _letters_in(rows.spans, chars, compiled)
    bold = [round(h / n, 2) if n else 0.0 for h, n in zip(heavy, counts, strict=True)]
    return read, bold


def _letters_in(spans: np.ndarray, chars: PageChars, compiled: bool) -> tuple[list, list]:
    """How many letters have their top left corner in each row's box [rows, 4], and how
    many of those are bold: in C (`_geometry.letters_in`, each row's slice of the letters
    sorted by top) where it was built, else over arrays."""
    at = chars.at
    if compiled:
        found = _geometry.letters_in(
            chars.by_top.keys, chars.by_top.indices, _floats(at.x0), _flags(at.bold), spans
        )
        counts, heavy = (np.frombuffer(b, np.int64).tolist() for b in found)
        return counts, heavy
    letters = chars.by_top.indices
    x0, top = at.x0[letters], at.top[letters]
    in_row = (spans[:, 1, None] <= top) & (top < spans[:, 3, None])
    in_row &= (spans[:, 0, None] <= x0) & (x0 < spans[:, 2, None])
    return in_row.sum(axis=1).tolist(), (in_row & at.bold[letters]).sum(axis=1).tolist()


def _floats(values: np.ndarray) -> np.ndarray:
    """The values as the C geometry reads them: contiguous doubles."""
    return np.ascontiguousarray(values, np.float64)


def _flags(values: np.ndarray) -> np.ndarray:
    """The flags as the C geometry reads them: contiguous bytes of 0 or 1."""
    return np.ascontiguousarray(values, np.bool_)


def _held_by(
    box: np.ndarray, by_middle: _Sorted, mx: np.ndarray, compiled: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The characters (indices, in page order) whose middle lies in each cell of `box`
    [cells, 4]: all the cells' characters, and where each cell's start (bounds). Each
    cell takes the slice of characters sorted by middle height that its height spans
    (characters in two cells that overlap go to both), and keeps those its width does:
    in C (`_geometry.held`, the same steps) where it was built, else over arrays."""
    if compiled:
        at, bounds = _geometry.held(by_middle.keys, by_middle.indices, _floats(mx), box)
        return np.frombuffer(at, np.int64), np.frombuffer(bounds, np.int64)
    lo, hi = by_middle.slices(box[:, 1], box[:, 3])
    counts = np.where(np.isfinite(box).all(axis=1), np.maximum(hi - lo, 0), 0)  # NaN: none
    cell = np.repeat(np.arange(len(box)), counts)
    place = np.arange(int(counts.sum())) + np.repeat(lo - (np.cumsum(counts) - counts), counts)
    char = by_middle.indices[place]
    x = mx[char]
    keep = (box[cell, 0] <= x) & (x < box[cell, 2])
    cell, char = cell[keep], char[keep]
    order = np.lexsort((char, cell))  # by cell, page order within
    bounds = np.searchsorted(cell[order], np.arange(len(box) + 1), side="left")
    return char[order].astype(np.int64), bounds.astype(np.int64)


def cell_text(chars: list[tuple]) -> str:
    """pdfplumber's `extract_text(chars)` with its default settings, in one pass, on
    characters in `Char`'s order.

    pdfplumber builds a word extractor, clusters, merges word records and a character
    map for every cell: ~150 us a cell, a third of the table cost. Upright text (nearly
    all of it) is assembled here the same way, directly; anything else goes to pdfplumber.
    The equality is a property test (tests/test_ruled.py).
    """
    if not chars:
        return ""
    if not all(c[_UPRIGHT] for c in chars) or not all(c[_TEXT_AT] for c in chars):
        return plumber_utils.extract_text([Char(*c).record() for c in chars])
    words: list[tuple[float, str]] = []  # (top, text)
    for line in _clusters(chars, _by_top):
        word: list[tuple] = []
        for char in sorted(line, key=_by_x0):
            if char[_TEXT_AT].isspace():
                _end_word(word, words)
                word = []
            elif word and _begins_word(word[-1], char):
                _end_word(word, words)
                word = [char]
            else:
                word.append(char)
        _end_word(word, words)
    lines = _clusters(words, itemgetter(0))
    return "\n".join(" ".join(text for _, text in line) for line in lines)


_TOLERANCE = 3.0  # pdfplumber's default x and y tolerance, in points
_LIGATURES = plumber_utils.text.LIGATURES
_TEXT_AT, _X0, _X1, _TOP, _UPRIGHT = 0, 1, 2, 3, 5  # fields of Char
_by_top, _by_x0 = itemgetter(_TOP), itemgetter(_X0)


def _begins_word(last: tuple, char: tuple) -> bool:
    return (
        char[_X0] < last[_X0]
        or char[_X0] > last[_X1] + _TOLERANCE
        or abs(char[_TOP] - last[_TOP]) > _TOLERANCE
    )


def _end_word(word: list[tuple], words: list[tuple[float, str]]) -> None:
    if word:
        text = "".join(_LIGATURES.get(c[_TEXT_AT], c[_TEXT_AT]) for c in word)
        words.append((min(c[_TOP] for c in word), text))


def _clusters(items: list, key: Callable) -> list[list]:
    """pdfplumber's `cluster_objects`: distinct values chained while each is within the
    tolerance of the one before; items keep their order within a cluster."""
    cluster: dict[float, int] = {}
    last = None
    for value in sorted(set(map(key, items))):
        if last is not None and value > last + _TOLERANCE:
            cluster[value] = cluster[last] + 1
        else:
            cluster[value] = cluster[last] if last is not None else 0
        last = value
    grouped: list[list] = [[] for _ in range(cluster[last] + 1 if items else 0)]
    for item in items:
        grouped[cluster[key(item)]].append(item)
    return grouped


@lru_cache(maxsize=256)
def _bold_face(fontname: str) -> bool:
    name = fontname.lower()
    return any(w in name for w in BOLD_WORDS)


class _Sorted:
    """Characters sorted by a height, sliced by a band of heights in page order."""

    def __init__(self, heights: np.ndarray, indices: np.ndarray):
        order = np.argsort(heights[indices], kind="stable")  # equal heights: page order
        self.indices = np.ascontiguousarray(indices[order], np.int64)
        self.keys = np.ascontiguousarray(heights[indices][order], np.float64)

    def between(self, low: float, high: float) -> np.ndarray:
        lo, hi = np.searchsorted(self.keys, (low, high), side="left")
        return np.sort(self.indices[lo:hi])

    def slices(self, lows: np.ndarray, highs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where each band [low, high) starts and ends in `indices`."""
        return (
            np.searchsorted(self.keys, lows, side="left"),
            np.searchsorted(self.keys, highs, side="left"),
        )


def rounded_box(cell) -> tuple[float, float, float, float] | None:
    """`rounded` of each of a cell's four values (a table has hundreds of cells; `round`
    leaves an int as it is, as `rounded` does)."""
    if cell is None:
        return None
    x0, top, x1, bottom = cell
    return (round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2))


def rounded_boxes(rows: list[list], compiled: bool = True) -> list[list]:
    """`rounded_box` of each cell of a table's rows. A grid's cells share their edges, so
    each value is rounded once (`round` to two places costs half a microsecond, and a page
    of tables has thousands of values); where a value is not a float, or is a zero (0.0
    and -0.0 are one key), each cell is rounded as it is. In C (`_geometry.rounded_rows`,
    the same, a zero alone rounded as it is) where it was built: a tuple a cell, made in
    Python, cost more than the rounding."""
    if compiled and _geometry is not None and hasattr(_geometry, "rounded_rows"):
        return _geometry.rounded_rows(rows, 2)
    values = {v for row in rows for cell in row if cell is not None for v in cell}
    if any(type(v) is not float or v == 0 for v in values):
        return [[rounded_box(cell) for cell in row] for row in rows]
    once = {v: round(v, 2) for v in values}
    return [
        [None if cell is None else tuple(map(once.__getitem__, cell)) for cell in row]
        for row in rows
    ]


def rounded(v):
    """Two decimals of a point: finer than print, and stable across readers."""
    return round(v, 2) if isinstance(v, float) else v
