"""Score the pipeline against hand-checked gold annotations (tests/gold/*.json).

Each field is a bag of items per document; an item counts when the pipeline gives the
same item (compared case-insensitively, ignoring punctuation and spacing). A wrong value
counts once as a false positive and once as a false negative.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extract.batch import doc_id_for
from extract.facts import COUNT_FIELDS
from extract.models import DocType, PartKind
from extract.process import DocumentResult, PackPart, Processor
from extract.settings import IngestSettings

HEADER_FIELDS = (
    "meeting_date",
    "item_number",
    "committee",
    "title",
    "wards_affected",
    "key_decision",
    "report_of_name",
    "report_of_role",
    "accountable_assistant_director_name",
    "accountable_assistant_director_role",
    "accountable_director_name",
    "accountable_director_role",
    "classification",
    "report_author_name",
    "report_author_role",
    "decision_number",
    "council",
)


def norm(value: object) -> str:
    text = str(value).lower().replace("’", "'").replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: Counter, pred: Counter) -> None:
        hit = sum((gold & pred).values())
        self.tp += hit
        self.fp += sum(pred.values()) - hit
        self.fn += sum(gold.values()) - hit

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    scores: dict[str, Score] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)  # "field doc: missed/extra item" lines

    def score(self, name: str) -> Score:
        return self.scores.setdefault(name, Score())

    def micro(self) -> Score:
        total = Score()
        for s in self.scores.values():
            total.tp, total.fp, total.fn = total.tp + s.tp, total.fp + s.fp, total.fn + s.fn
        return total

    def table(self) -> str:
        def row(name: str, s: Score) -> str:
            return (
                f"{name:<46} {s.tp:>4} {s.fp:>4} {s.fn:>4} "
                f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
            )

        rows = [f"{'field':<46} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}"]
        rows += [row(name, self.scores[name]) for name in sorted(self.scores)]
        rows.append(row("micro-average", self.micro()))
        return "\n".join(rows)

    def f1_by_field(self) -> dict[str, float]:
        out = {name: round(s.f1, 4) for name, s in sorted(self.scores.items())}
        out["micro-average"] = round(self.micro().f1, 4)
        return out


def _bag(items) -> Counter:
    return Counter(i for i in items if i is not None)


# List fields: (field name, table in the gold and in Structure, key of one item or None to
# skip it). The same key reads a gold item (a dict) and a row (as a dict).
LIST_FIELDS = (
    ("sections", "sections", lambda x: (x["number"], norm(x["heading"]))),
    ("recommendations", "recommendations", lambda x: (x["number"], norm(x["text"]))),
    ("implications.type", "implications", lambda x: x["type"]),
    (
        "implications.verified_by",
        "implications",
        lambda x: (x["type"], norm(x["verified_by"])) if x["verified_by"] else None,
    ),
    (
        "implications.role",
        "implications",
        lambda x: (x["type"], norm(x["role"])) if x["role"] else None,
    ),
    (
        "implications.no_implications",
        "implications",
        lambda x: (x["type"], bool(x["no_implications"])),
    ),
    ("appendices", "appendices", lambda x: (norm(x["label"]), norm(x["title"]))),
    ("background_papers", "background_papers", lambda x: norm(x["text"])),
    ("people", "people", lambda x: (norm(x["name"]), x["capacity"])),
)


def _compare(ev: Evaluation, name: str, doc: str, gold: Counter, pred: Counter) -> None:
    ev.score(name).add(gold, pred)
    for item in sorted((gold - pred).elements(), key=str):
        ev.misses.append(f"{name} {doc}: missed {item}")
    for item in sorted((pred - gold).elements(), key=str):
        ev.misses.append(f"{name} {doc}: extra  {item}")


def evaluate_document(ev: Evaluation, gold: dict, result: DocumentResult) -> None:
    doc = gold["source_path"]
    if "parts" in gold:
        evaluate_pack(ev, gold, result)
        return
    s = result.structure
    if "meeting" in gold:
        evaluate_meeting(ev, gold, result)
    if "header" not in gold:  # a gold file for tables only, or for minutes and agendas only
        if "tables" in gold:
            evaluate_tables(ev, gold, result)
        if "meeting" in gold:
            _compare(ev, "doc_type", doc, _bag([gold["doc_type"]]), _bag([result.doc_type.value]))
        return
    header = s.header if s else {}
    _compare(ev, "doc_type", doc, _bag([norm(gold["doc_type"])]), _bag([norm(result.doc_type)]))
    for key in HEADER_FIELDS:
        g, p = norm(gold["header"].get(key, "")), norm(header.get(key, ""))
        _compare(ev, f"header.{key}", doc, _bag([g or None]), _bag([p or None]))
    for name, table, key in LIST_FIELDS:
        rows = [asdict(r) for r in getattr(s, table)] if s else []
        _compare(ev, name, doc, _bag(map(key, gold[table])), _bag(map(key, rows)))
    if "dates" in gold:
        evaluate_facts(ev, gold, result)
    if "tables" in gold:
        evaluate_tables(ev, gold, result)


# Minutes and agendas: (field name, table, key of one item).
MEETING_FIELDS = (
    (
        "minute_items",
        "minute_items",
        lambda x: (x["minute_number"], x["item_number"], norm(x["title"])),
    ),
    (
        "minute_items.presenter",
        "minute_items",
        lambda x: (
            (x["minute_number"], x["item_number"], norm(x["presenter"])) if x["presenter"] else None
        ),
    ),
    ("resolutions", "resolutions", lambda x: (x["minute_number"], x["number"], squash(x["text"]))),
    ("attendance", "attendance", lambda x: (norm(x["name"]), x["capacity"])),
    (
        "attendance.role",
        "attendance",
        lambda x: (norm(x["name"]), norm(x["role"])) if x["role"] else None,
    ),
    (
        "agenda_items",
        "agenda_items",
        lambda x: (x["item_number"], norm(x["title"]), x["page_from"], x["page_to"]),
    ),
)


def evaluate_meeting(ev: Evaluation, gold: dict, result: DocumentResult) -> None:
    """Minute items, decisions, attendance and agenda items, item by item; the meeting's
    venue and start time."""
    doc, s = gold["source_path"], result.structure
    header = s.header if s else {}
    for key, column in (("venue", "venue"), ("time", "meeting_time")):
        g, p = norm(gold["meeting"].get(key, "")), norm(header.get(column, ""))
        _compare(ev, f"meeting.{key}", doc, _bag([g or None]), _bag([p or None]))
    for name, table, key in MEETING_FIELDS:
        if table not in gold:
            continue
        rows = [asdict(r) for r in getattr(s, table)] if s else []
        _compare(ev, name, doc, _bag(map(key, gold[table])), _bag(map(key, rows)))


def evaluate_pack(ev: Evaluation, gold: dict, result: DocumentResult) -> None:
    """A pack: its papers by item and page range, each paper's kind, the filler pages left
    out; the meeting fields and agenda from its front sheet."""
    doc = gold["source_path"]
    _compare(ev, "doc_type", doc, _bag([gold["doc_type"]]), _bag([result.doc_type.value]))
    parts = result.parts
    _compare(
        ev,
        "parts",
        doc,
        _bag((p["item_number"], p["page_from"], p["page_to"]) for p in gold["parts"]),
        _bag((p.part.item_number, p.part.page_from, p.part.page_to) for p in parts),
    )
    _compare(
        ev,
        "parts.kind",
        doc,
        _bag((p["page_from"], _PART_KINDS.get(p["kind"], p["kind"])) for p in gold["parts"]),
        _bag((p.part.page_from, _part_kind(p)) for p in parts),
    )
    _compare(ev, "blank_pages", doc, _bag(gold["blank_pages"]), _bag(result.blank_pages))
    front = next((p.result for p in parts if p.part.kind is PartKind.FRONT_SHEET), result)
    if "meeting" in gold:
        evaluate_meeting(ev, gold, front)


# The gold's kinds of paper in a pack, in our vocabulary (doc types; a pack's front sheet).
_PART_KINDS = {"questions": DocType.OTHER.value}


def _part_kind(part: PackPart) -> str:
    if part.part.kind is PartKind.FRONT_SHEET:
        return PartKind.FRONT_SHEET.value
    return part.result.doc_type.value


def squash(value: object) -> str:
    """`norm` without the spaces: "26 th" (a superscript split off) is "26th", and a word
    wrapped inside a narrow cell ("commissione d") is one word."""
    return "".join(norm(value).split())


def _cell_items(rows: list[list[str]], headers: list[str], pages: set[int] | None, page: int):
    """A table as (row label, column heading, value) items: the row label is the row's first
    cell, so a cell counts only in its right row and column, wherever the table sits."""
    if pages is not None and page not in pages:
        return
    for row in rows:
        label = squash(row[0]) if row else ""
        for c, value in enumerate(row):
            if squash(value):
                yield (label, squash(headers[c]) if c < len(headers) else "", squash(value))


def evaluate_tables(ev: Evaluation, gold: dict, result: DocumentResult) -> None:
    """Tables cell by cell over the pages the gold covers (`table_pages`, default all);
    each table's header cells count once as items of their own. Action items field by
    field, keyed by action number (or the action's first words)."""
    doc, s = gold["source_path"], result.structure
    pages = set(gold["table_pages"]) if "table_pages" in gold else None
    want, got = Counter(), Counter()
    for t in gold["tables"]:
        want.update(_cell_items(t["rows"], t["header"], pages, t["page"]))
        if pages is None or t["page"] in pages:
            want.update(("header", squash(h)) for h in t["header"] if squash(h))
    for t in s.found_tables if s else []:
        rows = [[c.text or "" for c in r] for r in t.grid.rows[t.header_rows :]]
        got.update(_cell_items(rows, t.headers, pages, t.row.page_start))
        if pages is None or t.row.page_start in pages:
            got.update(("header", squash(h)) for h in t.headers if squash(h))
    _compare(ev, "tables.cells", doc, want, got)
    fields = ("action", "lead", "due_date", "rag", "status_text", "overdue")

    def items(rows):
        for a in rows:
            key = a["action_id"] or squash(a["action"])[:40]
            for f in fields:
                if a.get(f) not in (None, "", False):
                    yield (key, f, squash(a[f]) if f != "overdue" else True)

    pred = [
        asdict(a)
        for a in (result.facts.action_items if result.facts else [])
        if pages is None or a.page in pages
    ]
    _compare(ev, "action_items", doc, _bag(items(gold.get("action_items", []))), _bag(items(pred)))


def _day_or_month(iso: str, precision: str) -> str:
    return iso[:7] if iso and precision == "month" else iso


def evaluate_facts(ev: Evaluation, gold: dict, result: DocumentResult) -> None:
    """Reviews by name and type; action-plan figures one number at a time (review, field,
    value); dates by value at their precision; events matched by date and name."""
    doc, f = gold["source_path"], result.facts
    names = dict(f.reviews) if f else {}
    _compare(
        ev,
        "reviews",
        doc,
        _bag((norm(r["name"]), r["review_type"]) for r in gold["reviews"]),
        _bag((norm(n), t) for n, t in names.values()),
    )
    gold_counts = [
        (norm(c["review"]), field, c[field])
        for c in gold["action_counts"]
        for field in COUNT_FIELDS
        if c.get(field) is not None
    ]
    pred_counts = [
        (norm(names.get(r.review_id, ("", ""))[0]), field, getattr(r, field))
        for r in (f.action_counts if f else [])
        for field in COUNT_FIELDS
        if getattr(r, field) is not None
    ]
    _compare(ev, "action_counts", doc, _bag(gold_counts), _bag(pred_counts))
    _compare(
        ev,
        "dates",
        doc,
        _bag(
            (
                _day_or_month(d["date"], d["precision"]),
                _day_or_month(d.get("date_end", ""), d["precision"]),
            )
            for d in gold["dates"]
        ),
        _bag(
            (_day_or_month(d.date, d.precision), _day_or_month(d.date_end, d.precision))
            for d in (f.dates if f else [])
        ),
    )
    _events(ev, doc, gold["events"], f.events if f else [])


def _events(ev: Evaluation, doc: str, gold: list[dict], pred: list) -> None:
    """An event counts when a predicted one has the same start date and shares a word of
    its name (or is the only one that day on both sides)."""
    score = ev.score("events")
    left = list(pred)
    for g in gold:
        same_day = [p for p in left if p.date_start == g["date_start"]]
        words = set(norm(g["name"]).split()) - _STOPWORDS
        match = next((p for p in same_day if words & set(norm(p.name).split())), None)
        if (
            match is None
            and len(same_day) == 1
            and sum(x["date_start"] == g["date_start"] for x in gold) == 1
        ):
            match = same_day[0]
        if match is None:
            score.fn += 1
            ev.misses.append(f"events {doc}: missed ({g['date_start']}, {g['name']!r})")
        else:
            score.tp += 1
            left.remove(match)
    for p in left:
        score.fp += 1
        ev.misses.append(f"events {doc}: extra  ({p.date_start}, {p.name!r})")


_STOPWORDS = frozenset(["the", "a", "an", "of", "and", "for", "in", "on", "to", "at", "with"])


def load_gold(gold_dir: Path) -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(gold_dir.rglob("*.json"))
        if p.name != "scores.json"
    ]


def evaluate(gold_dir: Path, corpus: Path, settings: IngestSettings | None = None) -> Evaluation:
    processor = Processor.build(settings or IngestSettings())
    ev = Evaluation()
    for gold in load_gold(gold_dir):
        path = corpus / gold["source_path"]
        data = path.read_bytes()
        result = processor.process(path, data, doc_id_for(hashlib.sha256(data).hexdigest()))
        evaluate_document(ev, gold, result)
    return ev
