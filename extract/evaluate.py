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
from dataclasses import dataclass, field
from pathlib import Path

from extract.batch import doc_id_for
from extract.process import DocumentResult, Processor
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
                f"{name:<40} {s.tp:>4} {s.fp:>4} {s.fn:>4} "
                f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}"
            )

        rows = [f"{'field':<40} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}"]
        rows += [row(name, self.scores[name]) for name in sorted(self.scores)]
        rows.append(row("micro-average", self.micro()))
        return "\n".join(rows)

    def f1_by_field(self) -> dict[str, float]:
        out = {name: round(s.f1, 4) for name, s in sorted(self.scores.items())}
        out["micro-average"] = round(self.micro().f1, 4)
        return out


def _bag(items) -> Counter:
    return Counter(items)


def _compare(ev: Evaluation, name: str, doc: str, gold: Counter, pred: Counter) -> None:
    ev.score(name).add(gold, pred)
    for item in sorted((gold - pred).elements(), key=str):
        ev.misses.append(f"{name} {doc}: missed {item}")
    for item in sorted((pred - gold).elements(), key=str):
        ev.misses.append(f"{name} {doc}: extra  {item}")


def evaluate_document(ev: Evaluation, gold: dict, result: DocumentResult) -> None:
    doc = gold["source_path"]
    s = result.structure
    header = s.header if s else {}
    _compare(
        ev, "doc_type", doc, _bag([norm(gold["doc_type"])]), _bag([norm(result.doc_type.value)])
    )
    for key in HEADER_FIELDS:
        g, p = norm(gold["header"].get(key, "")), norm(header.get(key, ""))
        _compare(ev, f"header.{key}", doc, _bag([g] if g else []), _bag([p] if p else []))
    if s is None:
        return
    _compare(
        ev,
        "sections",
        doc,
        _bag((x["number"], norm(x["heading"])) for x in gold["sections"]),
        _bag((x.number, norm(x.heading)) for x in s.sections),
    )
    _compare(
        ev,
        "recommendations",
        doc,
        _bag((x["number"], norm(x["text"])) for x in gold["recommendations"]),
        _bag((x.number, norm(x.text)) for x in s.recommendations),
    )
    gi, pi = gold["implications"], s.implications
    _compare(ev, "implications.type", doc, _bag(x["type"] for x in gi), _bag(x.type for x in pi))
    _compare(
        ev,
        "implications.verified_by",
        doc,
        _bag((x["type"], norm(x["verified_by"])) for x in gi if x["verified_by"]),
        _bag((x.type, norm(x.verified_by)) for x in pi if x.verified_by),
    )
    _compare(
        ev,
        "implications.role",
        doc,
        _bag((x["type"], norm(x["role"])) for x in gi if x["role"]),
        _bag((x.type, norm(x.role)) for x in pi if x.role),
    )
    _compare(
        ev,
        "implications.no_implications",
        doc,
        _bag((x["type"], bool(x["no_implications"])) for x in gi),
        _bag((x.type, bool(x.no_implications)) for x in pi),
    )
    _compare(
        ev,
        "appendices",
        doc,
        _bag((norm(x["label"]), norm(x["title"])) for x in gold["appendices"]),
        _bag((norm(x.label), norm(x.title)) for x in s.appendices),
    )
    _compare(
        ev,
        "background_papers",
        doc,
        _bag(norm(x["text"]) for x in gold["background_papers"]),
        _bag(norm(x.text) for x in s.background_papers),
    )
    _compare(
        ev,
        "people",
        doc,
        _bag((norm(x["name"]), x["capacity"]) for x in gold["people"]),
        _bag((norm(x.name), x.capacity) for x in s.people),
    )


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
