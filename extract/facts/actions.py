"""Action-plan tables into action_items rows: columns recognised by their headings
(rules/table_columns.jsonl), RAG ratings normalised, due dates read as dates.

A table is an action plan when one column holds actions (or action numbers) and another
a lead, due date, RAG rating or progress. Rows of a table listed as an exception report
are overdue by definition.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from extract.facts.dates import DateFinder
from extract.models import ActionItemRow, Rag
from extract.rules import load_jsonl
from extract.structure.tables import FoundTable, Grid

_ACTION_ID = re.compile(r"^[A-Z]{0,3}\s?\d{1,3}(?:[.\-]\d{1,3}){0,3}[a-z]?\.?$")
_EVIDENCE = frozenset({"lead", "due", "rag", "status_text"})
_PLAN_NOISE = re.compile(
    r"\s*[-–:]?\s*\b(?:exception\s+report|progress(?:\s+update)?|update|exceptions)\b\s*",
    re.I,
)


@dataclass(frozen=True)
class ColumnRule:
    id: str
    field: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class ActionPlanReader:
    columns: tuple[ColumnRule, ...]
    rag: tuple[tuple[str, Rag, re.Pattern[str]], ...]
    overdue: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def load(cls) -> ActionPlanReader:
        rules = load_jsonl("table_columns.jsonl")

        def whole(p: str) -> re.Pattern[str]:
            return re.compile(rf"(?:{p})[\s:.*]*", re.I)

        return cls(
            tuple(
                ColumnRule(r["id"], r["field"], whole(r["pattern"]))
                for r in rules
                if r["kind"] == "column"
            ),
            tuple(
                (r["id"], Rag(r["rag"]), whole(r["pattern"])) for r in rules if r["kind"] == "rag"
            ),
            tuple(
                (r["id"], re.compile(r["pattern"], re.I)) for r in rules if r["kind"] == "overdue"
            ),
        )

    def rag_of(self, text: str) -> Rag | None:
        value = " ".join(text.split())
        for _, rag, pattern in self.rag:
            if pattern.fullmatch(value):
                return rag
        return None

    def columns_of(self, headers: list[str], grid: Grid, n_head: int) -> dict[str, tuple[int, str]]:
        """field -> (column index, rule id); each field from the first column it fits."""
        out: dict[str, tuple[int, str]] = {}
        for c, heading in enumerate(headers):
            heading = " ".join(heading.split())
            for rule in self.columns:
                if rule.field in out or not rule.pattern.fullmatch(heading):
                    continue
                values = [r[c].text for r in grid.rows[n_head:] if c < len(r) and r[c].text]
                if rule.field == "action_id" and not _mostly(values, _ACTION_ID.match):
                    continue  # "Action" over sentences is the action, not its number
                if rule.field == "rag" and not _mostly(values, self.rag_of):
                    continue
                out[rule.field] = (c, rule.id)
                break
        return out

    def read(
        self, found: FoundTable, dates: DateFinder, reference: dt.date | None
    ) -> list[ActionItemRow]:
        table, grid, n_head = found.row, found.grid, found.header_rows
        cols = self.columns_of(found.headers, grid, n_head)
        if not ({"action", "action_id"} & cols.keys() and _EVIDENCE & cols.keys()):
            return []
        overdue_rule = next(
            (rid for rid, p in self.overdue if p.search(f"{table.title} {grid.above}")), ""
        )
        plan = _PLAN_NOISE.sub(" ", table.title).strip(" -–:")
        rules = sorted({rid for _, rid in cols.values()} | ({overdue_rule} - {""}))
        out = []
        for r, row in enumerate(grid.rows[n_head:], 1):

            def value(name: str, row=row) -> str:
                if name not in cols:
                    return ""
                c = cols[name][0]
                return (row[c].text or "") if c < len(row) else ""

            if not (value("action") or value("action_id")) or _is_section_row(row):
                continue
            rag_text = value("rag")
            rag = self.rag_of(rag_text) if rag_text else None
            due_text = value("due")
            found = dates.find(due_text, reference) if due_text else []
            spans = [c.span for c in row if c.span]
            out.append(
                ActionItemRow(
                    table.doc_id,
                    table.table_id,
                    r,
                    plan,
                    "",
                    value("action_id"),
                    value("recommendation"),
                    value("action"),
                    value("lead"),
                    found[0].date.isoformat() if found else "",
                    due_text,
                    rag.value if rag else "",
                    rag_text,
                    value("status_text"),
                    bool(overdue_rule),
                    row[0].page if row else table.page_start,
                    min(a for a, _ in spans) if spans else None,
                    max(b for _, b in spans) if spans else None,
                    ";".join(rules),
                )
            )
        return out


def _is_section_row(row) -> bool:
    """One cell across the table's width: a heading for the rows below, not an action."""
    return bool(row) and bool(row[0].text) and all(c.text is None for c in row[1:])


def _mostly(values: list[str], test, share: float = 0.8) -> bool:
    return bool(values) and sum(bool(test(v)) for v in values) >= share * len(values)
