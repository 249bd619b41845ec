"""doc_type from content: weighted rules from `rules/doc_type.jsonl`, the file name as a hint."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.models import DocType
from extract.rules import load_jsonl

_FLAGS = {"m": re.MULTILINE, "i": re.IGNORECASE, "s": re.DOTALL}
MIN_SCORE = 3


@dataclass(frozen=True)
class TypeRule:
    id: str
    doc_type: DocType
    pattern: re.Pattern[str]
    within: int | None  # None: the file name
    weight: int


@dataclass(frozen=True)
class DocTypeClassifier:
    rules: tuple[TypeRule, ...]

    @classmethod
    def load(cls) -> DocTypeClassifier:
        rules = []
        for r in load_jsonl("doc_type.jsonl"):
            flags = 0
            for f in r.get("flags", ""):
                flags |= _FLAGS[f]
            within = r.get("within", 2000)
            rules.append(
                TypeRule(
                    r["id"],
                    DocType(r["doc_type"]),
                    re.compile(r["pattern"], flags),
                    None if within == "name" else int(within),
                    int(r["weight"]),
                )
            )
        return cls(tuple(rules))

    def classify(self, text: str, file_name: str) -> tuple[DocType, list[str]]:
        """The winning type and the ids of the rules that voted for it."""
        scores: dict[DocType, int] = {}
        fired: dict[DocType, list[str]] = {}
        for rule in self.rules:
            haystack = file_name if rule.within is None else text[: rule.within]
            if rule.pattern.search(haystack):
                scores[rule.doc_type] = scores.get(rule.doc_type, 0) + rule.weight
                fired.setdefault(rule.doc_type, []).append(rule.id)
        if not scores:
            return DocType.OTHER, []
        # Ties go to the earlier type in DocType's order: report before minutes, etc.
        order = list(DocType)
        best = max(scores, key=lambda t: (scores[t], -order.index(t)))
        if scores[best] < MIN_SCORE:
            return DocType.OTHER, []
        return best, fired[best]
