"""Tables in plain and Markdown text: tab-separated lines, | pipe | tables |, and columns
aligned with runs of spaces. Each cell keeps its span in the text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.models import TableSource
from extract.structure.lines import Line, lines_of

Cell = tuple[str, int, int]  # text, char_start, char_end (end == start for an empty cell)

# "Label: value" front-sheet layout ("Wards and communities affected: All<TAB>Key Decision:
# N/A") is laid out with tabs too, but it is a form, not a table of data.
_LABEL_VALUE = re.compile(r"^[A-Z][\w '’()/-]{1,40}:\s*\S|^ITEM:\s*\d", re.I)
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_SPACE_GAP = re.compile(r"\S(?: ?\S)*")  # a field: words separated by single spaces


@dataclass
class TextTable:
    rows: list[list[Cell]]
    start: int
    end: int
    source: TableSource
    rule: str


def find_text_tables(text: str, min_rows: int = 2, min_cols: int = 2) -> list[TextTable]:
    lines = lines_of(text)
    found = _tab_tables(lines) + _pipe_tables(lines) + _space_tables(lines)
    found = [
        t
        for t in found
        if len(t.rows) >= min_rows
        and max(sum(1 for c in r if c[0]) for r in t.rows) >= min_cols
        and not _is_form(t)
    ]
    return sorted(found, key=lambda t: t.start)


def _is_form(t: TextTable) -> bool:
    cells = [c[0] for r in t.rows for c in r if c[0]]
    return sum(bool(_LABEL_VALUE.match(c)) for c in cells) * 2 > len(cells)


def _split(line: Line, sep: str) -> list[Cell]:
    cells, pos = [], line.start
    for part in line.text.split(sep):
        lead = len(part) - len(part.lstrip())
        value = part.strip()
        start = pos + lead
        cells.append((value, start, start + len(value)))
        pos += len(part) + len(sep)
    return cells


def _is_continuation(cells: list[Cell], previous: list[Cell]) -> bool:
    """A wrapped cell: the first cell empty, one cell with text, under a cell with text."""
    filled = [i for i, c in enumerate(cells) if c[0]]
    return (
        len(filled) == 1
        and filled[0] > 0
        and filled[0] < len(previous)
        and bool(previous[filled[0]][0])
    )


def _is_row_label(line: Line) -> bool:
    text = line.stripped
    return (
        "\t" not in text
        and 0 < len(text) <= 30
        and len(text.split()) <= 4
        and not text.endswith((".", ":", ";"))
    )


def _tab_tables(lines: list[Line]) -> list[TextTable]:
    out: list[TextTable] = []
    rows: list[list[Cell]] = []
    end = 0

    def flush() -> None:
        if rows:
            out.append(TextTable(list(rows), rows[0][0][1], end, TableSource.TEXT_TABS, "tabs"))
            rows.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if rows and _is_row_label(line):
            # a row of empty cells after its label: the line's trailing tabs were trimmed
            rows.append([(line.stripped, line.content_start, line.content_end)])
            end = line.content_end
            i += 1
            continue
        if "\t" not in line.text or "\f" in line.text:
            # a blank line may sit inside a wrapped cell: look past it
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if (
                rows
                and line.blank
                and nxt is not None
                and "\t" in nxt.text
                and _is_continuation(_split(nxt, "\t"), rows[-1])
            ):
                i += 1
                continue
            flush()
            i += 1
            continue
        cells = _split(line, "\t")
        if rows and _is_continuation(cells, rows[-1]):
            k = next(j for j, c in enumerate(cells) if c[0])
            text, start, _ = rows[-1][k]
            rows[-1][k] = (f"{text} {cells[k][0]}", start, cells[k][2])
        else:
            rows.append(cells)
        end = line.content_end
        i += 1
    flush()
    return out


def _pipe_tables(lines: list[Line]) -> list[TextTable]:
    out: list[TextTable] = []
    block: list[Line] = []
    for line in [*lines, None]:
        if line is not None and _PIPE_ROW.match(line.text):
            block.append(line)
            continue
        if len(block) >= 2 and any(_PIPE_RULE.match(b.text) for b in block[1:3]):
            rows = []
            for b in block:
                if _PIPE_RULE.match(b.text):
                    continue
                inner = b.text.strip()
                offset = b.start + b.text.index(inner) + 1
                cells = _split(Line(offset, offset + len(inner) - 2, inner[1:-1]), "|")
                rows.append(cells)
            out.append(
                TextTable(
                    rows,
                    block[0].content_start,
                    block[-1].content_end,
                    TableSource.MARKDOWN,
                    "markdown.pipes",
                )
            )
        block = []
    return out


def _fields(line: Line) -> list[Cell]:
    return [
        (m.group(), line.start + m.start(), line.start + m.end())
        for m in _SPACE_GAP.finditer(line.text)
    ]


def _space_tables(lines: list[Line], min_rows: int = 3) -> list[TextTable]:
    """Runs of lines whose fields, split at two or more spaces, start at the same columns.

    Strict on purpose: prose never lines up, and a wrong table is worse than none.
    """
    out: list[TextTable] = []
    run: list[list[Cell]] = []
    starts: list[int] = []

    def flush() -> None:
        if len(run) >= min_rows:
            out.append(
                TextTable(
                    list(run),
                    run[0][0][1],
                    run[-1][-1][2],
                    TableSource.TEXT_SPACES,
                    "spaces.aligned",
                )
            )
        run.clear()

    for line in lines:
        if "\t" in line.text or "  " not in line.text.strip():
            flush()
            continue
        cells = _fields(line)
        columns = [c[1] - line.start for c in cells]
        if len(cells) < 2:
            flush()
            continue
        if run and columns != starts:
            flush()
        if not run:
            starts = columns
        run.append(cells)
    flush()
    return out
