"""Ruled tables read from PDFium's paths and characters (ingest/ruled.py) against
pdfplumber end to end: the same tables, cells and text."""

from __future__ import annotations

import math
import re
from itertools import pairwise
from types import SimpleNamespace

import numpy as np
import pdfplumber.table as plumber_table
import pdfplumber.utils as plumber_utils
import pytest
from conftest import CORPUS, pdf_from_objects
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract.ingest.pdf import read_pdf
from extract.ingest.ruled import Char, PageChars, _edge, _edges, cell_text, edge_record, read_table
from extract.models import TableSource
from extract.settings import PdfSettings, TableFinder, TableSettings

ICS = CORPUS / "kent" / "2025-01-30-cabinet-ics-priorities-measures-appendix-b.pdf"
MONITORING = CORPUS / "kent" / "2025-01-30-cabinet-finance-monitoring-q3-appendix.pdf"


def _ruled(data: bytes, finder: TableFinder):
    settings = PdfSettings(tables=TableSettings(finder=finder, unruled=False))
    doc = read_pdf(data, settings)
    return [t for p in doc.pages for t in p.tables if t.source is TableSource.PDF_RULED]


def _orientations(edges):
    records = [edge_record(e) for e in edges]
    return sorted(((e["object_type"], e["orientation"]) for e in records), key=str)


@pytest.mark.parametrize(
    "shape, points, read_as",
    [
        ("ml", [(0, 0), (50, 0)], [("line", "h")]),
        ("mlh", [(0, 0), (0, 40), (0, 0)], [("line", "v")]),
        # a rectangle ("re" or four lines closed): its four sides
        (
            "mlllh",
            [(0, 0), (50, 0), (50, 20), (0, 20), (0, 0)],
            [("rect_edge", "h"), ("rect_edge", "h"), ("rect_edge", "v"), ("rect_edge", "v")],
        ),
        # closed with a redundant line back to the start: still a rectangle
        (
            "mllllh",
            [(0, 0), (50, 0), (50, 20), (0, 20), (0, 0), (0, 0)],
            [("rect_edge", "h"), ("rect_edge", "h"), ("rect_edge", "v"), ("rect_edge", "v")],
        ),
        # four sides that are not square: a curve, its straight sides kept, the slope not
        (
            "mlllh",
            [(0, 0), (50, 0), (60, 20), (0, 20), (0, 0)],
            [("curve_edge", None), ("curve_edge", "h"), ("curve_edge", "h"), ("curve_edge", "v")],
        ),
    ],
)
def test_paths_read_as_pdfminer_reads_them(shape, points, read_as):
    assert _orientations(_edges(shape, points)) == sorted(read_as, key=str)


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def _grid_in_a_form() -> bytes:
    """A 3x3 grid drawn inside a form XObject that the page scales and moves, with text in
    page space: the grid's lines are only in the right place if both matrices apply."""
    grid = b" ".join(
        [b"0 %d m 300 %d l S" % (y, y) for y in (0, 40, 80, 120)]
        + [b"%d 0 m %d 120 l S" % (x, x) for x in (0, 100, 200, 300)]
        + [b"0 0 300 120 re S"]
    )
    # form space -> page: x*0.5 + 100, y*0.5 + 500 (the /Matrix), then the page's cm
    # moves it by (20, 10): the grid spans x 120-270, y 510-570 on the page
    words = [
        (125, 555, "Review"),
        (175, 555, "Actions"),
        (225, 555, "Status"),
        (125, 535, "SCR Alpha"),
        (175, 535, "14"),
        (225, 535, "Green"),
        (125, 515, "LCSPR Beta"),
        (175, 515, "6"),
        (225, 515, "Amber"),
    ]
    text = b" ".join(b"BT /F1 6 Tf %d %d Td (%s) Tj ET" % (x, y, w.encode()) for x, y, w in words)
    page = b"q 1 0 0 1 20 10 cm /Fm1 Do Q " + text
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /XObject << /Fm1 5 0 R >> /Font << /F1 6 0 R >> >> >>",
            _stream(page),
            _stream(
                grid,
                b"/Type /XObject /Subtype /Form /BBox [0 0 300 120] /Matrix [0.5 0 0 0.5 100 500]",
            ),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def test_grid_inside_a_scaled_form_is_found_where_pdfplumber_finds_it():
    data = _grid_in_a_form()
    fast, plumber = _ruled(data, TableFinder.PDFIUM), _ruled(data, TableFinder.PDFPLUMBER)
    assert len(fast) == len(plumber) == 1
    assert fast[0].bbox == plumber[0].bbox == (120.0, 272.0, 270.0, 332.0)
    assert fast[0].rows == plumber[0].rows
    assert fast[0].rows[1] == ["SCR Alpha", "14", "Green"]
    assert fast[0].rule != plumber[0].rule  # provenance says which reader found it


def _squeezed(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "").replace("\x02", "-")


@pytest.mark.parametrize("paper", [ICS, MONITORING], ids=lambda p: p.stem)
def test_pdfium_finder_gives_pdfplumbers_tables_on_real_papers(paper):
    data = paper.read_bytes()
    fast, plumber = _ruled(data, TableFinder.PDFIUM), _ruled(data, TableFinder.PDFPLUMBER)
    assert [t.page for t in fast] == [t.page for t in plumber]
    for a, b in zip(fast, plumber, strict=True):  # PDFium's coordinates are single precision
        assert a.bbox == pytest.approx(b.bbox, abs=0.02)
    assert [[len(r) for r in t.rows] for t in fast] == [[len(r) for r in t.rows] for t in plumber]
    cells = [
        (a, b)
        for s, t in zip(fast, plumber, strict=True)
        for r, q in zip(s.rows, t.rows, strict=True)
        for a, b in zip(r, q, strict=True)
    ]
    # pdfplumber's word breaks come from gaps alone and PDFium's from its own reading, so
    # spacing may differ; the characters in each cell may not
    assert [_squeezed(a) for a, _ in cells] == [_squeezed(b) for _, b in cells]
    assert [t.bold for t in fast] == [t.bold for t in plumber]


def test_a_space_pdfium_reads_between_close_words_is_kept():
    """Regression: ICS appendix B p12 sets "Numbers trained" with a 2.5 pt gap and a space
    glyph PDFium replaces with its own; dropping it gave "Numberstrained"."""
    tables = _ruled(ICS.read_bytes(), TableFinder.PDFIUM)
    cells = {c for t in tables if t.page == 12 for row in t.rows for c in row if c}
    assert "Numbers trained" in cells
    assert "Numberstrained" not in cells


def test_a_hyphen_at_a_line_end_is_a_hyphen():
    """Regression: PDFium codes a hyphen that ends a line as 0x02 ("in\\x02house")."""
    tables = _ruled(MONITORING.read_bytes(), TableFinder.PDFIUM)
    text = " ".join(c for t in tables for row in t.rows for c in row if c)
    assert "\x02" not in text
    assert "in-house" in text.replace("\n", "")


def test_table_finder_option_chooses_the_reader(tmp_path):
    from extract.cli import main

    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / MONITORING.name).write_bytes(MONITORING.read_bytes())
    args = ["run", str(papers), "--no-cache", "--quiet", "--out"]
    assert main([*args, str(tmp_path / "fast")]) == 0
    assert main([*args, str(tmp_path / "plumber"), "--table-finder", "pdfplumber"]) == 0

    def rules(out: str) -> set[str]:
        lines = (tmp_path / out / "tables.csv").read_text(encoding="utf-8").splitlines()[1:]
        return {line.rsplit(",", 1)[-1] for line in lines}

    assert rules("fast") == {"pdfplumber.lines@pdfium", "pdfium.unruled"}
    assert rules("plumber") == {"pdfplumber.lines", "pdfium.unruled"}


def _char(text: str, x: float, top: float) -> dict:
    return {
        "text": text,
        "x0": x,
        "x1": x + 5,
        "top": top,
        "bottom": top + 8,
        "doctop": top,
        "upright": True,
        "fontname": "Arial-BoldMT" if text == "A" else "ArialMT",
    }


def test_cells_that_overlap_share_their_characters_as_in_pdfplumber():
    """A box drawn inside a merged cell: pdfplumber gives the character in both cells (a
    review found the bucketing kept it in one and dropped the line under it)."""
    cells = [(0.0, 0.0, 100.0, 40.0), (50.0, 0.0, 100.0, 20.0), (0.0, 40.0, 100.0, 60.0)]
    chars = [_char("A", 10, 5), _char("B", 60, 5), _char("C", 10, 25), _char("D", 10, 45)]
    table = plumber_table.Table(SimpleNamespace(chars=chars), cells)
    rows, bold = read_table(table, PageChars.from_records(chars))
    assert rows == table.extract()
    assert rows[0] == ["A B\nC", "B"]
    assert bold[0] > 0 and bold[-1] == 0.0


# characters in a few lines and columns, close enough to test every tolerance edge
_LIGATURES = ["\ufb00", "\ufb01", "\ufb02", "\ufb03", "\ufb04", "\ufb05", "\ufb06"]
_TEXTS = st.sampled_from(["a", "B", "7", ".", " ", "\u00a0", "\u3000", "-", *_LIGATURES])
_CHARS = st.lists(
    st.builds(
        lambda text, x, width, top, upright: {
            "text": text,
            "x0": x,
            "x1": x + width,
            "top": top,
            "bottom": top + 8,
            "doctop": top,
            "upright": upright,
            "fontname": "ArialMT",
        },
        _TEXTS,
        st.integers(0, 40).map(lambda v: v * 1.5),
        st.sampled_from([0.0, 2.0, 4.5]),
        st.integers(0, 12).map(lambda v: v * 1.5),
        st.sampled_from([True, True, True, False]),
    ),
    max_size=25,
)


@settings(max_examples=400, deadline=None)
@given(_CHARS)
def test_cell_text_is_pdfplumbers_extract_text(chars):
    """The one-pass cell text equals pdfplumber's for any characters: spaces, ligatures,
    overlaps, lines within and just beyond the 3 pt tolerance, rotated letters."""
    as_read = PageChars.from_records(chars).chars  # the tuples the table reader passes
    assert cell_text(as_read) == plumber_utils.extract_text(chars)


@pytest.mark.parametrize("paper", [ICS, MONITORING], ids=["ics", "monitoring"])
def test_compiled_and_python_char_loops_agree(paper):
    """The C loop over PDFium's characters (built at install) and the Python one it
    replaces read the same boxes, objects and flags, and give the same char records."""
    import numpy as np
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    from extract.ingest import pdfium_loops
    from extract.ingest.ruled import _chars

    if pdfium_loops.compiled is None:
        pytest.skip("the C loops were not built (no compiler at install)")
    pdf = pdfium.PdfDocument(paper.read_bytes())
    for page in (pdf[0], pdf[len(pdf) - 1]):
        textpage = page.get_textpage()
        count = pdfium_c.FPDFText_CountChars(textpage.raw)
        fast = pdfium_loops.page_chars(textpage.raw, count)
        slow = pdfium_loops.page_chars(textpage.raw, count, use_compiled=False)
        assert count > 50
        for name in ("boxes", "objects", "generated"):
            assert np.array_equal(getattr(fast, name), getattr(slow, name)), name
        runs = [textpage.get_rect(i) for i in range(textpage.count_rects())]  # pypdfium2's
        assert list(map(tuple, pdfium_loops.text_rects(textpage.raw).tolist())) == runs
        in_python = pdfium_loops.text_rects(textpage.raw, use_compiled=False)
        assert list(map(tuple, in_python.tolist())) == runs
        some = np.arange(0, count, 7)
        fast_faces = pdfium_loops.char_faces(textpage.raw, some)
        slow_faces = pdfium_loops.char_faces(textpage.raw, some, use_compiled=False)
        for name in ("sizes", "matrices", "fonts"):
            assert np.array_equal(getattr(fast_faces, name), getattr(slow_faces, name)), name
        width, height = page.get_size()
        box = [(0.0, 0.0, width, height / 2), (0.0, height / 2, width, height)]
        fast_chars = _chars(textpage, height, box)
        assert fast_chars.chars == _chars(textpage, height, box, compiled=False).chars
        records = [Char(*c).record() for c in fast_chars.chars]
        from_records = PageChars.from_records(records).at  # the arrays, as records give them
        for name in ("x0", "x1", "top", "bottom", "letter", "bold"):
            assert np.array_equal(getattr(fast_chars.at, name), getattr(from_records, name))
        textpage.close()


_grid_edge = st.tuples(
    st.sampled_from("hv"), st.integers(0, 8), st.integers(0, 8), st.integers(1, 8)
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_grid_edge, max_size=30))
def test_intersections_to_cells_is_pdfplumbers(lines):
    """The indexed edges-to-cells step finds pdfplumber's cells, in its order."""
    from extract.ingest.ruled import intersections_to_cells

    edges = []
    for orientation, a, b, length in lines:
        a, b = 10.0 * a, 10.0 * b  # h: from (a, b) rightwards; v: from (a, b) down
        x1, bottom = (a + 10.0 * length, b) if orientation == "h" else (a, b + 10.0 * length)
        edges.append({"x0": a, "x1": x1, "top": b, "bottom": bottom, "orientation": orientation})
    found = plumber_table.edges_to_intersections(edges, 1, 1)
    assert intersections_to_cells(found) == plumber_table.intersections_to_cells(found)


@pytest.mark.parametrize("paper", [ICS, MONITORING, None], ids=["ics", "monitoring", "form"])
def test_compiled_and_python_path_walks_agree(paper):
    """The C walk over a page's paths (forms entered) reads what the Python walk reads."""
    import pypdfium2 as pdfium

    from extract.ingest import pdfium_loops

    if pdfium_loops.compiled is None:
        pytest.skip("the C loops were not built (no compiler at install)")
    pdf = pdfium.PdfDocument(paper.read_bytes() if paper else _grid_in_a_form())
    walked = 0
    for i in range(len(pdf)):
        page = pdf[i]
        fast = pdfium_loops.page_paths(page.raw)
        assert fast == pdfium_loops.page_paths(page.raw, use_compiled=False)
        walked += len(fast.paths)
        assert paper or fast.forms  # the grid is drawn inside a form
    assert walked >= 1


def test_no_whitespace_lies_above_the_table_of_spaces():
    """Table characters are told from spaces by code point, from a table up to U+3000."""
    from extract.ingest.base import WHITESPACE

    assert not any(chr(c).isspace() for c in range(0x3001, 0x110000))
    assert {0x20, 0x09, 0xA0, 0x2009, 0x3000} <= set(WHITESPACE.tolist())


@settings(max_examples=400, deadline=None)
@given(_CHARS, st.lists(st.integers(0, 3), max_size=25))
def test_cells_read_together_in_c_are_pdfplumbers_extract_text(chars, cell_of):
    """The cells of a table, read at once (in C where it was built), each give what
    pdfplumber's extract_text gives for the cell's characters."""
    page = PageChars.from_records(chars)
    cells: list[list[int]] = [[] for _ in range(4)]
    for i in range(len(chars)):
        cells[cell_of[i] if i < len(cell_of) else 0].append(i)
    expected = [plumber_utils.extract_text([chars[i] for i in held]) for held in cells]
    assert page.cell_texts(cells) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 20), st.integers(0, 5)), min_size=1, max_size=60),
    st.sampled_from(["page", "reversed", "shuffled"]),
    st.randoms(use_true_random=False),
)
@example([(k % 15, k // 15) for k in range(60)], "page", None)  # no moves at all
@example([(k % 15, k // 15) for k in range(60)], "reversed", None)  # all out: to qsort
@example([(k, 0) for k in range(11)], "reversed", None)  # 55 moves: just under 4n+32
@example([(k, 0) for k in range(12)], "reversed", None)  # 66 moves: just over
def test_long_cells_in_any_order_are_pdfplumbers_extract_text(places, order, shuffle):
    """A cell of many characters (columns and lines of a grid), handed over in page order,
    backwards, or shuffled: C sorts nearly sorted characters by insertion and leaves badly
    out of order ones to qsort; both read what pdfplumber reads."""
    chars = [_char("abcdefgh"[(x + y) % 8], 5.5 * x, 10.0 * y) for x, y in places]
    if order == "reversed":
        chars.reverse()
    elif order == "shuffled":
        shuffle.shuffle(chars)
    page = PageChars.from_records(chars)
    assert page.cell_texts([list(range(len(chars)))]) == [plumber_utils.extract_text(chars)]


def test_a_cell_with_a_character_at_no_finite_place_is_read_in_python():
    """NaN does not sort: such a cell is left to the Python reading (pdfplumber's pages
    can hold one), whatever C would make of it."""
    chars = [_char("A", 10, 5), _char("B", 20, 5), {**_char("C", 30, 5), "top": float("nan")}]
    page = PageChars.from_records(chars)
    assert page.cell_texts([[0, 1, 2], [0, 1]]) == [
        cell_text([page.chars[i] for i in (0, 1, 2)]),
        "A B",
    ]


def test_space_and_member_tests_are_isin():
    import numpy as np

    from extract.ingest.base import WHITESPACE, is_one_of, is_space

    codes = np.concatenate(
        [np.arange(0x3100, dtype=np.uint32), np.array([0x10FFFF, 0xFFFFFFFF], np.uint32)]
    )
    assert (is_space(codes) == np.isin(codes, WHITESPACE)).all()
    assert (is_one_of(codes, (0, 10, 0xFFFE)) == np.isin(codes, [0, 10, 0xFFFE])).all()


_drawn_edge = st.tuples(
    st.sampled_from(["line", "rect_edge", "curve_edge"]),
    st.sampled_from(["h", "v", None]),
    st.integers(0, 12),
    st.integers(0, 12),
    st.integers(0, 6),
    st.sampled_from([0.0, 0.4, 1.5, 2.9, 3.0, 3.2, -0.7]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_drawn_edge, max_size=40), st.sampled_from([0.0, 3.0]))
def test_edges_merged_as_tuples_are_pdfplumbers(drawn, snap):
    """Filtering, snapping and joining edge tuples gives pdfplumber's edge records: the
    same values (to the last bit) in the same order."""
    from extract.ingest.ruled import _edge, _PageView, _TableFinder

    edges = []
    for kind, orientation, a, b, length, jitter in drawn:
        x, y = 10.0 * a + jitter, 10.0 * b - jitter / 3
        if orientation == "h":
            edges.append(_edge(kind, x, y, x + 5.0 * length, y, "h"))
        elif orientation == "v":
            edges.append(_edge(kind, x, y, x, y + 5.0 * length + jitter, "v"))
        else:
            edges.append(_edge(kind, x, y, x + length, y + length, None))
    settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
    settings["snap_tolerance"] = snap
    bbox = (0.0, 0.0, 200.0, 200.0)
    ours = _TableFinder(_PageView(bbox, edges), settings)
    theirs = plumber_table.TableFinder(_PageView(bbox, [edge_record(e) for e in edges]), settings)
    assert ours.edges == theirs.edges
    assert [t.bbox for t in ours.tables] == [t.bbox for t in theirs.tables]


def _needs_geometry():
    from extract.ingest import ruled

    if ruled._geometry is None:
        pytest.skip("the C table search was not built (no compiler at install)")


_jitter = st.sampled_from([0.0, 0.0, 0.4, -0.7, 1.5, 2.9, 3.2])


@st.composite
def _ruled_grid(draw):
    """Edges ruling a grid or two (rows and columns, lines jittered, some broken in two
    or cut short), and stray edges: tables, near-tables and noise."""
    edges = []
    for _ in range(draw(st.integers(1, 2))):
        xs = sorted(draw(st.sets(st.integers(0, 15), min_size=2, max_size=6)))
        ys = sorted(draw(st.sets(st.integers(0, 15), min_size=2, max_size=6)))
        for across, places, span in (("h", ys, xs), ("v", xs, ys)):
            for at in places:
                a = 10.0 * span[draw(st.integers(0, 1))] + draw(_jitter)
                b = 10.0 * span[-1 - draw(st.integers(0, 1))] + draw(_jitter)
                pos = 10.0 * at + draw(_jitter)
                cuts = [a, b] if a < b else [b, a]
                if draw(st.booleans()):  # drawn in two pieces, a gap or an overlap between
                    middle = (a + b) / 2
                    cuts = [cuts[0], middle, middle + draw(_jitter), cuts[1]]
                for start, end in zip(cuts[::2], cuts[1::2], strict=True):
                    if across == "h":
                        edges.append(_edge("line", start, pos, end, pos, "h"))
                    else:
                        edges.append(_edge("rect_edge", pos, start, pos, end, "v"))
    for kind, orientation, a, b, length, jitter in draw(st.lists(_drawn_edge, max_size=8)):
        x, y = 10.0 * a + jitter, 10.0 * b - jitter / 3
        if orientation == "h":
            edges.append(_edge(kind, x, y, x + 10.0 * length, y, "h"))
        elif orientation == "v":
            edges.append(_edge(kind, x, y, x, y + 10.0 * length, "v"))
        else:
            edges.append(_edge(kind, x, y, x + length, y + length, None))
    return draw(st.permutations(edges))


@settings(max_examples=400, deadline=None)
@given(
    _ruled_grid(),
    st.sampled_from([0.0, 3.0, 0.5]),
    st.sampled_from([0.0, 3.0]),
    st.sampled_from([1.0, 3.0]),
    st.sampled_from([1.0, 3.0, 10.0]),
)
def test_tables_found_in_c_are_pdfplumbers(edges, snap_x, join, crossing, least):
    """The C table search over a page's edges finds pdfplumber's tables: the same cells,
    to the last bit, in the same order, whatever the tolerances."""
    import struct

    from extract.ingest.ruled import PagePaths, _PageView, table_cells

    _needs_geometry()
    settings = {
        "vertical_strategy": "lines",
        "horizontal_strategy": "lines",
        "snap_x_tolerance": snap_x,
        "snap_y_tolerance": 3.0,
        "join_tolerance": join,
        "intersection_tolerance": crossing,
        "edge_min_length": least,
    }
    bbox = (0.0, 0.0, 200.0, 200.0)
    theirs = plumber_table.TableFinder(_PageView(bbox, [edge_record(e) for e in edges]), settings)
    ours = table_cells(PagePaths(1, [], tuples=edges), bbox, settings)
    bits = lambda cell: struct.pack("4d", *cell)  # noqa: E731
    assert [[bits(c) for c in t] for t in ours] == [
        [bits(c) for c in t.cells] for t in theirs.tables
    ]


def test_tables_found_in_c_on_real_papers_are_the_python_searchs():
    """On every page of three papers the C search and the Python one find the same cells."""
    import pypdfium2 as pdfium

    from extract.ingest.ruled import page_paths, table_cells

    _needs_geometry()
    found = 0
    for paper in (
        ICS,
        MONITORING,
        CORPUS / "kent" / "2025-03-13-county-council-treasury-half-year-appendix-1.pdf",
    ):
        pdf = pdfium.PdfDocument(paper.read_bytes())
        for i in range(len(pdf)):
            page = pdf[i]
            width, height = page.get_size()
            paths = page_paths(page, height)
            settings = TableSettings().plumber()
            fast = table_cells(paths, (0.0, 0.0, width, height), settings)
            assert fast == table_cells(paths, (0.0, 0.0, width, height), settings, compiled=False)
            found += len(fast)
            page.close()
        pdf.close()
    assert found >= 10


def test_an_edge_at_no_finite_place_leaves_the_page_to_the_python_search():
    """NaN does not sort: the C search declines such a page, and the Python one reads it."""
    from extract.ingest import ruled
    from extract.ingest.ruled import PagePaths, _edge

    _needs_geometry()
    grid = [_edge("line", 0.0, y, 50.0, y, "h") for y in (0.0, 20.0, 40.0)]
    grid += [_edge("line", x, 0.0, x, 40.0, "v") for x in (0.0, 25.0, 50.0)]
    broken = PagePaths(1, [], tuples=[*grid, _edge("line", math.nan, 5.0, math.nan, 30.0, "v")])
    arrays = broken.edge_arrays()
    tolerances = (3.0,) * 8  # min length first, snap, join, min length, crossing
    assert ruled._geometry.tables(arrays.values, arrays.codes, *tolerances) is None
    cells = ruled.table_cells(broken, (0.0, 0.0, 60.0, 60.0), TableSettings().plumber())
    assert [len(t) for t in cells] == [4]


@pytest.mark.parametrize("paper", [ICS, MONITORING, None], ids=["ics", "monitoring", "form"])
def test_edges_in_c_are_the_python_edges(paper):
    """The C reading of a page's paths into pdfplumber's edges and bounds gives the
    Python reading's values, bit for bit, in its order."""
    import struct

    import pypdfium2 as pdfium

    from extract.ingest import pdfium_loops
    from extract.ingest.ruled import page_paths

    if pdfium_loops.compiled is None:
        pytest.skip("the C loops were not built (no compiler at install)")
    data = paper.read_bytes() if paper else _grid_in_a_form()
    pdf = pdfium.PdfDocument(data)
    edges = 0
    for i in range(len(pdf)):
        page = pdf[i]
        height = page.get_size()[1]
        fast, slow = page_paths(page, height), page_paths(page, height, compiled=False)
        bits = lambda v: struct.pack("d", v) if isinstance(v, float) else v  # noqa: E731
        assert [tuple(map(bits, e)) for e in fast.edges] == [
            tuple(map(bits, e)) for e in slow.edges
        ]
        assert [tuple(map(bits, b)) for b in fast.bounds] == [
            tuple(map(bits, b)) for b in slow.bounds
        ]
        assert fast.count == slow.count
        edges += len(fast.edges)
    assert edges


def test_an_extension_built_before_the_edges_reads_them_in_python(monkeypatch):
    """An extension built from an older source has no `edges`: the Python reading is used,
    with the same edges, not an AttributeError on every page."""
    import pypdfium2 as pdfium

    from extract.ingest import pdfium_loops
    from extract.ingest.ruled import page_paths

    if pdfium_loops.compiled is None:
        pytest.skip("the C loops were not built (no compiler at install)")
    pdf = pdfium.PdfDocument(MONITORING.read_bytes())
    page = pdf[0]
    height = page.get_size()[1]
    expected = page_paths(page, height)
    monkeypatch.delattr(pdfium_loops.compiled, "edges")
    assert not pdfium_loops.has_compiled("edges")
    again = page_paths(page, height)
    assert (again.count, again.bounds, again.edges) == (
        expected.count,
        expected.bounds,
        expected.edges,
    )
    page.close()
    pdf.close()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 8), st.integers(0, 3), st.integers(1, 4), st.integers(1, 3)),
        min_size=1,
        max_size=12,
    ),
    st.lists(
        st.tuples(  # on the cells' edges too
            st.one_of(st.floats(-10, 100), st.just(float("nan")), st.sampled_from([10.0, 40.0])),
            st.one_of(st.floats(-5, 50), st.just(float("nan")), st.sampled_from([10.0, 20.0])),
        ),
        max_size=40,
    ),
)
@example([(0, 0, 4, 3)], [(5.0, 29.0 - 0.7 * k) for k in range(40)])  # page order upwards
def test_a_tables_characters_go_to_the_cells_pdfplumber_puts_them_in(cells, middles):
    """Each cell holds, in page order, the characters whose middle pdfplumber's
    `char_in_bbox` puts in it: cells side by side, touching, apart, or overlapping (a
    merged cell and a box inside it); a middle at no finite place in none."""
    import numpy as np

    from extract.ingest import ruled
    from extract.ingest.ruled import _held_by, _Sorted

    boxes = [(10.0 * x, 10.0 * y, 10.0 * (x + w), 10.0 * (y + h)) for x, y, w, h in cells]
    if len(boxes) > 2:  # an edge at no finite place: pdfplumber's tests all fail
        boxes[1] = (boxes[1][0], math.nan, *boxes[1][2:])
        boxes[2] = (*boxes[2][:3], math.nan)
    band = np.arange(len(middles), dtype=np.int64) * 2
    mx = np.array([m[0] for m in middles], np.float64)
    my = np.array([m[1] for m in middles], np.float64)
    page_mx, page_my = np.full(2 * len(middles), -99.0), np.full(2 * len(middles), -99.0)
    page_mx[band], page_my[band] = mx, my  # every other character of the page elsewhere
    by_middle = _Sorted(page_my, np.arange(len(page_my)))
    expected = [
        [int(band[i]) for i, (x, y) in enumerate(middles) if x0 <= x < x1 and top <= y < bottom]
        for x0, top, x1, bottom in boxes
    ]
    for compiled in (False, True) if ruled._geometry is not None else (False,):
        at, bounds = _held_by(np.array(boxes, np.float64), by_middle, page_mx, compiled)
        assert [at[a:b].tolist() for a, b in pairwise(bounds.tolist())] == expected, compiled


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 8), st.integers(0, 3), st.integers(1, 4)), min_size=1, max_size=8
    ),
    st.lists(
        st.tuples(
            st.one_of(st.floats(-10, 100), st.just(float("nan"))),
            st.one_of(st.floats(-5, 50), st.just(float("nan")), st.sampled_from([10.0, 20.0])),
            st.booleans(),
            st.booleans(),
        ),
        max_size=40,
    ),
)
def test_letters_and_bold_letters_in_a_row_in_c_are_the_arrays_count(rows, chars):
    """A row's letters (top left corner in its box; whitespace not counted) and its bold
    ones, counted in C, are the array reading's counts."""
    import numpy as np

    from extract.ingest import ruled
    from extract.ingest.ruled import PageChars, _letters_in

    if ruled._geometry is None:
        pytest.skip("the C geometry was not built (no compiler at install)")
    boxes = [(10.0 * x, 10.0 * y, 10.0 * (x + w), 10.0 * (y + 1)) for x, y, w in rows]
    if len(boxes) > 2:  # a row's edge at no finite place: no letter in it
        boxes[1] = (boxes[1][0], math.nan, *boxes[1][2:])
        boxes[2] = (*boxes[2][:3], math.nan)
    spans = np.array(boxes, np.float64).reshape(-1, 4)
    records = []
    for x, top, letter, bold in chars:
        record = {**_char("A" if letter else " ", 0.0, 0.0), "x0": x, "top": top}
        records.append({**record, "fontname": "Arial-Bold" if bold else "Arial"})
    page = PageChars.from_records(records)
    assert _letters_in(spans, page, True) == _letters_in(spans, page, False)


_place = st.sampled_from([0.0, -0.0, 1.0, 2.5, 10.0, 1e-9])
_cell = st.tuples(_place, _place, _place, _place)


@settings(max_examples=400, deadline=None)
@given(st.lists(_cell, min_size=1, max_size=30))
@example([(0.0, 0.0, 1.0, 1.0), (-0.0, -0.0, 2.5, 1.0)])  # one row, one column: the last
@example([(1.0, 0.0, 2.5, 1.0), (-0.0, 0.0, 1.0, 10.0), (0.0, 0.0, 1.0, 2.5)])  # of equal
@example([(1.0, 0.0, 2.5, 1.0), (0.0, 1.0, 1.0, 2.5), (0.0, -0.0, 1.0, 1.0)])  # x0s: 0, -0
def test_table_rows_in_c_are_pdfplumbers(cells):
    """A table's rows from C are pdfplumber's `Table.rows`: the same cell objects in the
    same places (the last of a row at one x0), each row's bbox and the cells held, to the
    bit (0.0 and -0.0 are one place, the first of equal minima kept, as min keeps it)."""
    import numpy as np

    from extract.ingest.ruled import table_rows

    _needs_geometry()
    table = plumber_table.Table(None, cells)
    found = table_rows(table)
    theirs = table.rows
    assert len(found.cells) == len(theirs)
    for ours, row in zip(found.cells, theirs, strict=True):
        assert len(ours) == len(row.cells)
        assert all(a is b for a, b in zip(ours, row.cells, strict=True))
    spans = np.array([row.bbox for row in theirs], np.float64)
    held = np.array([c for row in theirs for c in row.cells if c is not None], np.float64)
    assert found.spans.tobytes() == spans.tobytes()
    assert found.boxes.tobytes() == held.tobytes()
    assert table_rows(table, compiled=False).spans.tobytes() == spans.tobytes()


@pytest.mark.parametrize("odd", [math.nan, math.inf, 3, np.float64(1.0)], ids=str)
def test_table_rows_of_a_cell_c_does_not_read_are_pdfplumbers(odd):
    """A cell with a place that is not a finite float is left to pdfplumber's rows."""
    from extract.ingest.ruled import table_rows

    _needs_geometry()
    cells = [(0.0, 0.0, 1.0, 1.0), (1.0, 0.0, odd, 1.0), (0.0, 1.0, 1.0, 2.0)]
    table = plumber_table.Table(None, cells)
    found = table_rows(table)
    assert found.cells == [row.cells for row in table.rows]
    spans = np.array([row.bbox for row in table.rows], np.float64)
    assert found.spans.tobytes() == spans.tobytes()


_coordinate = st.one_of(st.integers(0, 8).map(lambda k: 10.0 * k), st.floats(-5, 90, width=32))
_page_char = st.tuples(
    st.tuples(*[_coordinate for _ in range(4)]),  # PDFium's loose box (on a grid, often)
    st.sampled_from([65, 97, 32, 13, 10, 0, 0x02, 0xFFFE, 0x1F600, 0xD835]),
    st.sampled_from([0, 0, 1]),  # generated
    st.integers(1, 4),  # its text object
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_page_char, max_size=40),
    st.lists(
        st.one_of(st.floats(-5, 30), st.just(float("nan")), st.sampled_from([0.0, 10.0, 20.0])),
        min_size=4,
        max_size=4,
    ),
    st.lists(
        st.one_of(
            st.just((-100.0, -100.0, 900.0, 900.0)),  # the whole page
            st.tuples(*[st.integers(0, 16).map(lambda k: 5.0 * k) for _ in range(4)]),
        ),
        max_size=3,
    ),
)
@example(  # a middle on a table's right edge: outside
    [((0.0, 60.0, 10.0, 50.0), 65, 0, 1)], [10.0] * 4, [(0.0, 0.0, 5.0, 100.0)]
)
def test_characters_kept_in_c_are_the_array_readings(chars, sizes, within):
    """A page's text objects, and the characters kept inside the tables (boxed from their
    object's font size, made-up spaces after them, hyphens read "-"), in C: the array
    reading's, to the bit."""
    import numpy as np

    from extract.ingest import ruled
    from extract.ingest.pdfium_loops import CharArrays

    if ruled._geometry is None:
        pytest.skip("the C geometry was not built (no compiler at install)")
    page = CharArrays(
        np.array([c[0] for c in chars], np.float32).reshape(-1, 4),
        np.array([1000 * c[3] for c in chars], np.uint64),
        np.array([c[2] for c in chars], np.int8),
    )
    codes = np.array([c[1] for c in chars], np.uint32)
    first, which = ruled._char_objects(page, codes)
    c_first, c_which = ruled._c_char_objects(page, codes)
    assert first.tolist() == c_first.tolist() and which.tolist() == c_which.tolist()
    sizes = np.array(sizes[: len(first)], np.float64)
    kept = ruled._kept_chars(page, codes, which, sizes, 100.0, within)
    c_kept = ruled._c_kept_chars(page, codes, which, sizes, 100.0, within)
    assert [a.tobytes() for a in c_kept] == [np.asarray(a).tobytes() for a in kept]


@given(
    st.one_of(
        st.none(),
        st.tuples(*[st.one_of(st.floats(allow_nan=True), st.integers(-(10**6), 10**6))] * 4),
    )
)
def test_a_cells_box_is_rounded_as_each_value_is(cell):
    """A cell's four values rounded at once: `rounded` of each (an int kept as it is)."""
    from extract.ingest.ruled import rounded, rounded_box

    expected = None if cell is None else tuple(rounded(v) for v in cell)
    assert repr(rounded_box(cell)) == repr(expected)


_cell_value = st.one_of(
    st.sampled_from([0.0, -0.0, 72.004999, 72.005, 100.125, 5, float("nan")]),
    st.floats(-1000, 1000),
)


@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.tuples(*[_cell_value] * 4)), max_size=6),
        max_size=6,
    )
)
@example([[(5, 1.0, 10.0, 20.0), (5.0, 1.0, 10.0, 20.0)]])  # an int and a float: one key
@example([[(0.0, 1.0, 10.0, 20.0), (-0.0, 1.0, 10.0, 20.0)]])  # two zeros: one key
@example([[(1e300, -1e-300, 2.675, 1.005)], [None, (float("inf"), 3, 3.0, 3)]])
def test_a_tables_boxes_are_rounded_as_each_cell_is(rows):
    """A table's cells rounded with each value rounded once, in Python and in C:
    `rounded_box` of each cell, to the sign of a zero and the type of an int."""
    from extract.ingest.ruled import rounded_box, rounded_boxes

    expected = [[rounded_box(cell) for cell in row] for row in rows]
    assert repr(rounded_boxes(rows, compiled=False)) == repr(expected)
    assert repr(rounded_boxes(rows)) == repr(expected)
