"""Tables: text tables from the corpus, ruled PDF tables from real Kent papers, numbers in
cells, action-plan rows, and the text-against-table check."""

from __future__ import annotations

import dataclasses
import math

import pytest
from conftest import CORPUS, KENT, PDF_REPORT, PDF_RUNNING_HEADER, TABBED_TEXT
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract.facts.actions import ActionPlanReader
from extract.ingest.unruled import Rule, Run, find_unruled
from extract.link import _table_check
from extract.models import ActionItemRow, Rag
from extract.settings import TableSettings
from extract.structure.cells import is_data_number, parse_number
from extract.structure.text_tables import find_text_tables

ICS_PLAN = CORPUS / "kent" / "2025-01-30-cabinet-ics-priorities-measures-appendix-b.pdf"
QPR = KENT / "cabinet" / "2025-03-04" / "QPR Q3 Cabinet appendix 1.pdf"
EXEC_RESPONSE = KENT / "full_council" / "2025-03-13" / "Appendix 1 - Executive Response.pdf"
RISK_REGISTER = KENT / "full_council" / "2025-02-13" / "Appendix J - Budget Risk Register.pdf"
PRUDENTIAL = CORPUS / "kent" / "2025-01-30-cabinet-finance-monitoring-q3-appendix.pdf"
MONITORING = (
    KENT
    / "cabinet"
    / "2025-01-30"
    / ("24-00108 - Finance Monitoring Report - Q3 - November 2024-25.pdf")
)
CAPITAL_STRATEGY = KENT / "cabinet" / "2025-01-30" / "Appendix N - Capital Strategy.pdf"
AGENDA = KENT / "cabinet" / "2025-03-04" / "Agenda frontsheet 04th-Mar-2025 10.00 Cabinet.pdf"
needs_kent = pytest.mark.skipif(not KENT.is_dir(), reason="../shared/kent not present")


@pytest.mark.parametrize(
    ("printed", "value", "unit"),
    [
        ("2859", 2859.0, ""),
        ("149,107.7", 149107.7, ""),
        ("1.87%", 1.87, "%"),
        ("(313.3)", -313.3, ""),
        ("-42.7", -42.7, ""),
        ("– 4", -4.0, ""),
        ("£15.0m", 15.0, "£m"),
        ("£(3.2)bn", -3.2, "£bn"),
        ("£ 1,000", 1000.0, "£"),
        ("12.5 %", 12.5, "%"),
        ("SO3", None, ""),
        ("2024-2029", None, ""),
        ("(5", None, ""),
        ("", None, ""),
    ],
)
def test_parse_number(printed, value, unit):
    assert parse_number(printed) == (value, unit)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="£$€-−–+(). ,%0123456789mkbnMK", max_size=10), max_size=6))
def test_a_cells_number_from_the_cache_is_the_one_worked_out(texts):
    """`parse_number` keeps recent cells' results: asked again, the same pair as the
    uncached reading."""
    for text in texts + texts:
        assert parse_number(text) == parse_number.__wrapped__(text)


@pytest.mark.parametrize(
    ("text", "is_data"), [("1", False), ("3", False), ("2,859", True), ("4.5", True), ("£3", True)]
)
def test_small_numbers_are_labels_not_data(text, is_data):
    assert is_data_number(text) is is_data


# --- text tables ------------------------------------------------------------------------


def test_exception_report_rows_with_a_wrapped_comment(processed):
    s = processed(TABBED_TEXT).structure
    table = s.tables[0]
    assert (table.header, table.n_rows, table.title) == (
        "Action | Comment",
        22,
        "Delivery Plan Exception report",
    )
    cells = {(c.row, c.col): c.value for c in s.table_cells if c.table_id == table.table_id}
    assert cells[(15, 1)] == "24.2"
    # the comment wraps over a blank line onto a line of its own: still one cell
    assert cells[(15, 2)].endswith(
        "under the new arrangements and have only met on two occasions "
        "– this will be discussed at the next meeting"
    )


def test_monthly_figures_stay_under_their_month(processed):
    s = processed(TABBED_TEXT).structure
    hits = next(t for t in s.tables if t.header.startswith("Total Hits"))
    by_month = {c.header: c.number for c in s.table_cells if c.table_id == hits.table_id}
    assert by_month == {"May": 2859.0, "Jun": 3246.0, "July": 3904.0, "Aug": 4374.0}


def test_text_cell_spans_point_at_the_value(processed):
    result = processed(TABBED_TEXT)
    text = result.text.text
    for c in result.structure.table_cells:
        if "\n" not in text[c.char_start : c.char_end]:  # a wrapped cell spans its lines
            assert text[c.char_start : c.char_end] == c.value


@pytest.mark.parametrize("name", sorted(p.name for p in (CORPUS / "thurrock").iterdir()))
def test_front_sheet_tabs_are_not_a_table(processed, name):
    tables = processed(CORPUS / "thurrock" / name).structure.tables
    assert not any("Key Decision" in t.header or "ITEM" in t.header for t in tables)


def test_markdown_pipe_table():
    text = (
        "Intro\n\n| Action | Lead | RAG |\n|---|:--:|---|\n"
        "| 1.1 Train staff | LSCP | Green |\n| 1.2 Audit | CCG | Amber |\n"
    )
    [t] = find_text_tables(text)
    assert [[c[0] for c in r] for r in t.rows] == [
        ["Action", "Lead", "RAG"],
        ["1.1 Train staff", "LSCP", "Green"],
        ["1.2 Audit", "CCG", "Amber"],
    ]
    assert all(text[a:b] == v for r in t.rows for v, a, b in r)


def test_space_aligned_columns_but_not_prose():
    table = "Month      Hits    Visitors\nApril      2,859   1,204\nMay        3,246   1,311\n"
    prose = (
        "This is a sentence.  It has two spaces.\nAnother  line  of prose here.\nAnd one more.\n"
    )
    assert len(find_text_tables(table)) == 1
    assert find_text_tables(prose) == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab 1.2\t\n|-:"), max_size=300))
def test_text_table_cells_quote_the_text(text):
    for t in find_text_tables(text):
        for row in t.rows:
            for value, a, b in row:
                assert 0 <= a <= b <= len(text)
                if value and "\n" not in text[a:b]:
                    assert text[a:b] == value


# --- PDF tables (real Kent papers) ------------------------------------------------------


def test_ruled_table_with_header_numbers_and_boxes(processed):
    result = processed(PDF_RUNNING_HEADER)
    s = result.structure
    first = s.tables[0]
    assert first.source == "pdf_ruled"
    assert first.header.split(" | ")[:2] == ["Instrument Type", "Counterparty"]
    cells = [c for c in s.table_cells if c.table_id == first.table_id]
    assert all(c.x0 is not None and c.x0 < c.x1 and c.top < c.bottom for c in cells)
    numbers = [c for c in cells if c.number is not None]
    assert numbers, "amounts and rates read as numbers"
    text = result.text.text
    located = [c for c in cells if c.char_start is not None]
    assert len(located) >= 0.9 * len(cells)
    for c in located:  # a span quotes the cell (its words, spacing aside)
        assert "".join(text[c.char_start : c.char_end].split()) == "".join(c.value.split()[:12])


def test_headerless_budget_table_keeps_its_first_row(processed):
    s = processed(PDF_REPORT).structure
    first = s.tables[0]
    assert "Updated figures for Cabinet" in first.header
    rows = {c.value for c in s.table_cells if c.table_id == first.table_id and c.col == 1}
    assert "Business rates top up grant" in rows


def test_table_over_a_page_break_is_one_table(processed):
    s = processed(ICS_PLAN).structure
    spanning = [t for t in s.tables if t.page_start == 9]
    assert len(spanning) == 1
    t = spanning[0]
    assert (t.page_start, t.page_end) == (9, 10)
    assert t.header.startswith("What we have committed to | Led by | Timescale")
    values = [c.value for c in s.table_cells if c.table_id == t.table_id]
    assert "What we have committed to" not in values  # repeated header dropped
    assert (
        "Create a resilient and sustainable Health Protection assurance function for Kent" in values
    )


@needs_kent
def test_stacked_header_rows_become_one_heading_per_column(processed):
    s = processed(QPR).structure
    kpis = [t for t in s.tables if "RAG rating Latest | RAG rating Previous" in t.header]
    assert len(kpis) >= 5


@needs_kent
def test_table_inside_a_cell_is_marked_nested(processed):
    s = processed(EXEC_RESPONSE).structure
    outer = s.tables[0]
    assert outer.header == "Issue raised | Response" and outer.page_end > outer.page_start
    assert any(t.nested_in == outer.table_id for t in s.tables[1:])


@needs_kent
def test_units_row_joins_the_headings(processed):
    s = processed(RISK_REGISTER).structure
    assert any("Estimated Annual Financial Exposure £m" in t.header for t in s.tables)


# --- unruled PDF tables -----------------------------------------------------------------


def _cells(s, table):
    return {(c.row, c.col): c for c in s.table_cells if c.table_id == table.table_id}


def test_unruled_tables_with_shaded_headings(processed):
    s = processed(PRUDENTIAL).structure
    unruled = [t for t in s.tables if t.source == "pdf_unruled"]
    assert {t.page_start for t in unruled} == {12, 13}
    cfr = next(t for t in unruled if "Total CFR" in {c.value for c in _cells(s, t).values()})
    assert cfr.header.split(" | ")[1:3] == ["23-24 Actuals", "2024-25 Budget"]
    row = {c.col: c for c in _cells(s, cfr).values() if c.row == 1}
    assert (row[1].value, row[2].number, row[7].value) == ("Total CFR", 1268.01, "1,235.80")
    text = processed(PRUDENTIAL).text.text
    assert text[row[2].char_start : row[2].char_end] == "1,268.01"


@needs_kent
def test_rows_ruled_across_hold_wrapped_and_centred_cells(processed):
    s = processed(MONITORING).structure
    reserves = next(t for t in s.tables if t.page_start == 47)
    assert (reserves.source, reserves.page_end) == ("pdf_unruled", 48)  # continued, joined
    cells = _cells(s, reserves)
    labels = [c.value for (r, col), c in sorted(cells.items()) if col == 1]
    assert labels[:4] == [
        "General Fund (including Commercial Services General Fund)",
        "Earmarked Reserves",
        "Vehicle, Plant & Equipment",
        "Smoothing",
    ]
    major = next(r for (r, col), c in cells.items() if c.value == "Major Projects")
    assert [cells[(major, col)].number for col in (2, 3, 4)] == [-41.0, 9.2, -31.8]
    detail = cells[(major, 5)].value
    assert detail.startswith("The forecast expenditure") and detail.endswith("cost control.")
    assert "Reserve" not in labels  # the heading repeated on page 48 is not a row


@needs_kent
def test_label_wrapping_beside_centred_figures_is_one_row(processed):
    s = processed(MONITORING).structure
    table = next(t for t in s.tables if t.page_start == 7 and t.source == "pdf_unruled")
    assert table.header == " | Revenue Budget | Revenue Forecast | Revenue Variance"
    rows = {}
    for (r, col), c in _cells(s, table).items():
        rows.setdefault(r, {})[col] = c.value
    assert rows[3] == {
        1: "Strategic Commissioning (Integrated & Adults)",
        2: "22.1",
        3: "23.2",
        4: "+1.0",
    }


@needs_kent
@pytest.mark.parametrize("paper", [CAPITAL_STRATEGY, AGENDA], ids=["numbered-paragraphs", "form"])
def test_numbered_paragraphs_and_forms_are_not_tables(processed, paper):
    s = processed(paper).structure
    assert not [t for t in s.tables if t.source == "pdf_unruled" and t.n_cols == 2]
    assert not [t for t in s.tables if "Ask for:" in t.header]


def _grid(rows: list[list[str]], top: float = 100.0, pitch: float = 14.0) -> dict[Run, str]:
    """Runs laid out as a grid: column i starts at 72 + 120 * i; '' leaves a gap."""
    runs = {}
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text:
                x0, y = 72.0 + 120.0 * c, top + pitch * r
                runs[Run(x0, y, x0 + 5.0 * len(text), y + 9.0)] = text
    return runs


def _find(runs: dict[Run, str], rules=()):
    def text_of(box: Run) -> str:
        """The text of the runs in the box, as PDFium gives a box's text (the finder asks
        for merged runs and caption lines as well as the runs themselves)."""
        if box in runs:
            return runs[box]
        inside = [
            r for r in runs if box.x0 <= r.x0 and r.x1 <= box.x1 and box.top <= r.top <= box.bottom
        ]
        return " ".join(runs[r] for r in sorted(inside, key=lambda r: (r.top, r.x0)))

    return find_unruled(list(runs), text_of, 1, TableSettings(), list(rules))


def test_unruled_grid_is_read_row_by_row():
    runs = _grid([["", "2023", "2024"], ["Income", "1,200", "1,350"], ["Costs", "(900)", "(950)"]])
    (table,) = _find(runs)
    assert table.rows == [
        ["", "2023", "2024"],
        ["Income", "1,200", "1,350"],
        ["Costs", "(900)", "(950)"],
    ]
    assert table.source == "pdf_unruled" and table.rule == "pdfium.unruled"


def test_numbered_paragraphs_are_not_a_table():
    runs = _grid([["1.1", "The council"], ["1.2", "The board"], ["1.3", "The panel"]])
    assert _find(runs) == []


def test_rules_across_decide_the_rows():
    runs = _grid(
        [
            ["Name", "Amount", "Note"],
            ["Fund", "1,000.0", "first line"],
            ["", "", "second"],
            ["Pot", "2,000.0", "third"],
        ],
        pitch=14.0,  # the wrapped line is no closer than the rows: only the rules tell
    )
    rules = [Rule(60, 111.5, 500), Rule(60, 139.5, 500)]
    (table,) = _find(runs, rules)
    assert table.rows[1:] == [["Fund", "1,000.0", "first line second"], ["Pot", "2,000.0", "third"]]
    (unruled,) = _find(runs)
    assert len(unruled.rows) == 4  # without them, "second" is a row of its own


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 500),
            st.floats(0, 700),
            st.floats(1, 200),
            st.floats(1, 20),
            st.text(max_size=8),
        ),
        max_size=60,
    )
)
@example(  # merged runs: the box asked for is none of the runs given
    [(0.0, 0.0, 1.0, 1.0, "")] * 11
    + [(0.0, 1.0, 3.0, 1.0, ""), (0.0, 2.0, 3.0, 1.0, ""), (0.0, 0.25, 3.0, 1.0, "")]
    + [(4.0, 0.0, 1.0, 1.0, ""), (4.0, 1.0, 1.0, 1.0, ""), (4.0, 2.0, 1.0, 1.0, "")]
)
def test_unruled_finder_on_arbitrary_runs(boxes):
    runs = {Run(x, y, x + w, y + h): t for x, y, w, h, t in boxes}
    for table in _find(runs):
        width = len(table.rows[0])
        assert width >= 2 and all(len(r) == width for r in table.rows)
        assert len(table.boxes) == len(table.rows)


_run = st.tuples(
    st.one_of(st.integers(0, 20).map(lambda k: 5.0 * k), st.floats(-5, 300)),
    # tops on a half-point grid (halves round to even), anywhere, and a negative zero
    st.one_of(st.integers(0, 24).map(lambda k: k / 2), st.floats(-5, 300), st.just(-0.0)),
    st.one_of(st.sampled_from([-1.0, 0.0, 2.0, 4.5, 10.0]), st.floats(-1, 80)),
    st.sampled_from([0.0, 0.4, 0.99, 1.0, 4.0, 6.0, 9.5, 10.0]),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_run, max_size=50), st.sampled_from([0.0, 0.9, 2.5]))
@example([(0.0, 0.0, 10.0, 10.0), (20.0, 6.0, 10.0, 10.0)], 0.0)  # 40% shared, just
@example(  # flat runs in three lines at once: more chunks than runs (C once overran)
    [(900.0, 10.0 * j, 10.0, 10.0) for j in range(3)]
    + [(950.0, 10.0 * j + 0.4, 2.0, 399.6 - 10.0 * j) for j in range(3)]
    + [(20.0 * p + d, 300.0 + 1.5 * d, 3.0, 0.0) for p in range(5) for d in (0, 1)],
    0.6,
)
def test_text_lines_grouped_in_c_are_the_python_grouping(boxes, gap):
    """Runs grouped into lines and chunks in C: the Python grouping's chunks and each
    line's extent, to the sign of a zero, flat and empty runs among them."""
    from extract.ingest import unruled

    if unruled._geometry is None:
        pytest.skip("the C geometry was not built (no compiler at install)")
    runs = [Run(x, y, x + w, y + h) for x, y, w, h in boxes]
    as_text = lambda lines: [  # noqa: E731
        [repr((ln.top, ln.bottom, ln.height)), *map(repr, ln.chunks)] for ln in lines
    ]
    assert as_text(unruled._lines(runs, gap)) == as_text(unruled._lines(runs, gap, compiled=False))


# a page's rows of columns: each row at a height, each cell a run (x, width, height)
_row = st.tuples(
    st.floats(0, 400),
    st.lists(
        st.tuples(
            st.one_of(st.floats(0, 500), st.integers(0, 8).map(lambda k: 60.0 * k)),
            st.one_of(st.floats(0.5, 120), st.just(30.0)),
            st.sampled_from([0.0, 0.5, 6.0, 9.0, 10.0, 12.0]),
        ),
        min_size=1,
        max_size=5,
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.lists(_run, max_size=40),
        st.lists(_row, max_size=14).map(
            lambda rows: [(x, y, w, h) for y, cells in rows for x, w, h in cells]
        ),
        st.integers(3, 12).map(  # a table under a one-chunk banner line
            lambda n: (
                [(200.0, 90.0, 80.0, 10.0)]
                + [(60.0 * c, 100.0 + 12.0 * r, 30.0, 10.0) for r in range(n) for c in range(4)]
            )
        ),
    ),
    st.sampled_from([0.9, 2.5]),
    st.sampled_from([(4.0, 0.5), (1.0, 0.6), (0.0, 0.0), (2.5, 1.5)]),
    st.integers(0, 4),  # (none asked for: still no empty block)
    st.lists(
        st.one_of(
            st.just((-1000.0, -1000.0, 1000.0, 1000.0)),  # the whole page
            st.tuples(*[st.integers(0, 10).map(lambda k: 50.0 * k) for _ in range(4)]),
        ),
        max_size=2,
    ),
)
@example(  # a banner that starts just where the first column ends: not a banner
    [(30.0, 88.0, 50.0, 10.0)]
    + [(60.0 * c, 100.0 + 12.0 * r, 30.0, 10.0) for r in range(3) for c in range(4)],
    0.6,
    (4.0, 0.5),
    3,
    [],
)
@example(  # a line from the left edge exactly 0.6 of the block wide: prose, not a cell
    [(60.0 * c, 100.0 + 12.0 * r, 30.0, 10.0) for r in (0, 1, 2, 4, 5, 6) for c in range(4)]
    + [(0.0, 136.0, 126.0, 10.0)],
    0.6,
    (4.0, 0.5),
    3,
    [],
)
@example(  # ruled tables just short of the block: all but its last column, below its last
    # line's bottom, above its first line's top
    [(60.0 * c, 100.0 + 12.0 * r, 30.0, 10.0) for r in range(3) for c in range(4)],
    0.6,
    (4.0, 0.5),
    3,
    [(0.0, 0.0, 209.0, 200.0), (0.0, 134.0, 210.0, 200.0), (0.0, 0.0, 210.0, 100.0)],
)
@example(  # a ruled table that holds the block to its edge: the block is not read
    [(60.0 * c, 100.0 + 12.0 * r, 30.0, 10.0) for r in range(3) for c in range(4)],
    0.6,
    (4.0, 0.5),
    3,
    [(0.0, 0.0, 210.0, 200.0)],
)
def test_blocks_found_in_c_are_the_python_blocks(boxes, gap, gaps, fewest, ruled):
    """The blocks of lines that may hold a table (and no ruled table surely covers),
    found in C over the C grouping's arrays: the Python blocks of the Python lines, line
    for line."""
    from extract.ingest import unruled

    if unruled._geometry is None:
        pytest.skip("the C geometry was not built (no compiler at install)")
    runs = [Run(x, y, x + w, y + h) for x, y, w, h in boxes]
    line_gap, wrap_gap = gaps
    fast = TableSettings(
        unruled_column_gap=gap,
        unruled_line_gap=line_gap,
        unruled_wrap_gap=wrap_gap,
        unruled_min_lines=fewest,
    )
    slow = dataclasses.replace(fast, c_loops=False)
    as_text = lambda blocks: [  # noqa: E731
        [[repr((ln.top, ln.bottom, ln.height)), *map(repr, ln.chunks)] for ln in block]
        for block in blocks
    ]
    boxes = unruled._boxes(runs)
    assert as_text(unruled._found_blocks(boxes, fast, ruled)) == as_text(
        unruled._found_blocks(boxes, slow, ruled)
    )


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_run, max_size=50),
    st.one_of(st.floats(-10, 320), st.integers(0, 30).map(lambda k: 5.0 * k)),
    st.sampled_from([48.0, 0.0, 12.5]),
)
@example([(0.0, 0.0, 10.0, 10.0), (20.0, 6.0, 10.0, 10.0)], 30.0, 48.0)  # 40% shared
@example([(0.0, 0.0, 10.0, 10.0), (20.0, 0.0, 10.0, 10.0)], 10.0, 48.0)  # two lowest: first
@example([(0.0, 0.0, 10.0, 10.0)], 5.0, 48.0)  # its middle on the table's top: not above
def test_caption_line_over_arrays_is_the_run_by_run_reading(boxes, top, reach):
    """The caption above a table, read over the runs' array: the box asked for is the one
    the run-by-run reading asks for (a zero's sign aside: PDFium reads both alike)."""
    from extract.ingest import unruled

    runs = [Run(x, y, x + w, y + h) for x, y, w, h in boxes]
    asked = lambda box: repr(tuple(v + 0.0 for v in box))  # noqa: E731
    assert unruled.line_above(runs, asked, top, reach) == unruled._line_above(
        runs, asked, top, reach
    )


_odd_value = st.sampled_from([math.nan, math.inf, -math.inf])


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            _run,
            _run.flatmap(
                lambda r: st.integers(0, 3).map(lambda k: (*r[:k], math.nan, *r[k + 1 :]))
            ),
            st.tuples(_odd_value, _odd_value, _odd_value, _odd_value),
        ),
        max_size=50,
    ),
    st.one_of(st.floats(-10, 320), st.integers(0, 30).map(lambda k: 5.0 * k), _odd_value),
    st.sampled_from([48.0, 0.0, 12.5, math.inf]),
)
@example([(0.0, 0.0, 10.0, 10.0), (20.0, 6.0, 10.0, 10.0)], 30.0, 48.0)  # 40% shared
@example([(0.0, 0.0, 10.0, 10.0), (20.0, 0.0, 10.0, 10.0)], 10.0, 48.0)  # two lowest: first
@example(  # two lowest, and a run on the first's line, not on the second's: the first's
    [(0.0, 0.0, 10.0, 10.0), (20.0, 4.0, 10.0, 2.0), (40.0, 0.0, 10.0, 3.0)], 20.0, 48.0
)
@example([(0.0, 0.0, 10.0, 10.0), (math.nan, 0.0, 10.0, 10.0)], 20.0, 48.0)  # x0 NaN: NaN
@example([(math.nan, 0.0, 10.0, 10.0), (0.0, 0.0, 10.0, 10.0)], 20.0, 48.0)  # first or last
def test_caption_line_found_in_c_is_the_arrays_reading(boxes, top, reach):
    """Where the caption line over a table lies, found in C, is where the array reading
    finds it (a zero's sign aside: PDFium reads both alike), runs at no finite place too."""
    import numpy as np

    from extract.ingest import unruled

    if unruled._geometry is None:
        pytest.skip("the C geometry was not built (no compiler at install)")
    runs = unruled._boxes([(x, y, x + w, y + h) for x, y, w, h in boxes])
    with np.errstate(invalid="ignore"):
        expected = unruled._span_above(runs, top, reach)
    found = unruled._geometry.span_above(runs, top, reach)
    as_text = lambda span: span and repr(tuple(v + 0.0 for v in span))  # noqa: E731
    assert as_text(found) == as_text(expected)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


_TWO_TABLES = {
    **_grid([["", "2023", "2024"], ["Income", "1,200", "1,350"], ["Costs", "(900)", "(950)"]]),
    **_grid(
        [["Fund", "1.0", "2.0", "3.0"], ["Pot", "4.0", "5.0", "6.0"], ["Sum", "5", "7", "9"]], 300
    ),
}


@settings(max_examples=150, deadline=None)
@given(
    st.tuples(st.floats(0, 500), st.floats(0, 500), st.floats(0, 400), st.floats(0, 300)),
)
def test_blocks_under_a_ruled_table_are_skipped_not_lost(box):
    """Skipping a block that a ruled table covers (before its text is read) keeps exactly
    the tables the page keeps when every block is read and overlaps are dropped after."""
    x, y, w, h = box
    ruled = (x, y, x + w, y + h)
    every = [t for t in _find(_TWO_TABLES) if not _overlap(t.bbox, ruled)]
    skipping = find_unruled(
        list(_TWO_TABLES), _TWO_TABLES.__getitem__, 1, TableSettings(), [], [ruled]
    )
    kept = [t for t in skipping if not _overlap(t.bbox, ruled)]  # as ingest/pdf.py drops
    assert [t.rows for t in kept] == [t.rows for t in every]


def test_a_block_inside_a_ruled_table_is_not_read():
    read: list[Run] = []
    runs = _grid([["", "2023", "2024"], ["Income", "1,200", "1,350"], ["Costs", "(900)", "(950)"]])
    found = find_unruled(
        list(runs),
        lambda r: read.append(r) or runs[r],
        1,
        TableSettings(),
        [],
        [(60.0, 90.0, 400.0, 140.0)],
    )
    assert found == [] and read == []


# --- action plans -----------------------------------------------------------------------


def test_exception_report_rows_are_overdue_actions(processed):
    items = processed(TABBED_TEXT).facts.action_items
    assert len(items) == 22
    assert all(i.overdue and i.status_text and i.plan == "Delivery Plan" for i in items)
    assert [i.action_id for i in items][:3] == ["1.4", "2.2", "2.8"]


def test_commitments_table_is_an_action_plan(processed):
    items = [i for i in processed(ICS_PLAN).facts.action_items if i.page in (9, 10)]
    by_action = {i.action: i for i in items}
    smoke = by_action["Deliver Smokefree Generation"]
    assert (smoke.lead, smoke.due_text, smoke.overdue) == ("CPH lead", "2024-2029", False)
    assert not any(i.action.startswith("Prevention Programme") for i in items)  # section row


def test_kpi_table_is_not_an_action_plan(processed):
    assert processed(PDF_RUNNING_HEADER).facts.action_items == []


@pytest.fixture(scope="module")
def reader():
    return ActionPlanReader.load()


@pytest.mark.parametrize(
    ("printed", "rag"),
    [
        ("Green", Rag.GREEN),
        ("G", Rag.GREEN),
        ("AMBER", Rag.AMBER),
        ("Red", Rag.RED),
        ("Complete", Rag.BLUE),
        ("Blue", Rag.BLUE),
        ("On track", Rag.GREEN),
        ("Greenish", None),
        ("Action", None),
    ],
)
def test_rag_ratings(reader, printed, rag):
    assert reader.rag_of(printed) is rag


def _item(rag: str = "", overdue: bool = False) -> ActionItemRow:
    return ActionItemRow(
        "d", "d-t1", 1, "", "r", "1", "", "act", "", "", "", rag, rag, "", overdue, 1, 0, 1, ""
    )


@pytest.mark.parametrize(
    ("said", "listed", "check"),
    [
        ({"actions": 3}, [_item(), _item(), _item()], "agrees"),
        ({"actions": 15}, [_item()] * 14, "disagrees: actions 15 in the text, 14 in the table"),
        (
            {"actions": 3, "rag_green": 2, "rag_amber": 1},
            [_item("green"), _item("green"), _item("amber")],
            "agrees",
        ),
        (
            {"complete": 2},
            [_item("blue"), _item("green"), _item("amber")],
            "disagrees: complete 2 in the text, 1 in the table",
        ),
        ({"recommendations": 6}, [_item()], ""),
    ],
)
def test_text_checked_against_its_table(said, listed, check):
    assert _table_check(said, listed) == check


def test_no_tables_skips_the_pdf_search_only(tmp_path):
    from extract.cli import main

    papers = tmp_path / "papers"
    papers.mkdir()
    for paper in (PDF_REPORT, TABBED_TEXT):
        (papers / paper.name).write_bytes(paper.read_bytes())
    args = ["run", str(papers), "--no-cache", "--quiet", "--out"]
    assert main([*args, str(tmp_path / "with")]) == 0
    assert main([*args, str(tmp_path / "without"), "--no-tables"]) == 0

    def sources(out: str) -> list[str]:
        lines = (tmp_path / out / "tables.csv").read_text(encoding="utf-8").splitlines()[1:]
        return sorted(line.split(",")[-5] for line in lines)

    assert "pdf_ruled" in sources("with")
    assert set(sources("without")) == {"text_tabs"}


# A cell is found in the page text where its words follow one another with any whitespace
# between: the regex the locator replaced, kept here as the reference.
def _cell_regex_span(words: list[str], text: str, start: int, lo: int, hi: int):
    import re

    pattern = re.compile(r"\s*".join(re.escape(w) for w in words))
    m = pattern.search(text, start, hi) or pattern.search(text, lo, hi)
    return m.span() if m else None


_page_text = st.text(alphabet="ab1. \n\u00a0\t", max_size=40)
_cell_words = st.lists(st.text(alphabet="ab1.", min_size=1, max_size=4), min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(
    before=_page_text,
    page=_page_text,
    after=_page_text,
    words=_cell_words,
    start=st.integers(0, 40),
)
def test_cell_locator_finds_what_the_regex_finds(before, page, after, words, start):
    from extract.structure.tables import PageWords

    text = before + page + after
    lo, hi = len(before), len(before) + len(page)
    start = min(lo + start, hi)
    located = PageWords(text, lo, hi)
    found = located.find(words, start) or located.find(words, lo)
    assert found == _cell_regex_span(words, text, start, lo, hi)
