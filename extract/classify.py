"""doc_type from content: weighted rules from `rules/doc_type.jsonl`, the file name as a hint."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.models import DocType
from extract.rules import load_jsonl
from extract.rules.literals import Gate, folded, split_alternatives

_FLAGS = {"m": re.MULTILINE, "i": re.IGNORECASE, "s": re.DOTALL}
MIN_SCORE = 3


@dataclass(frozen=True)
class TypeRule:
    id: str
    doc_type: DocType
    pattern: re.Pattern[str]
    within: int | None  # None: the file name
    weight: int
    # the pattern's top-level alternatives, each with the literals its matches hold: the
    # rule fires where one of them matches, and one whose literals are missing is not run
    # (the 40,000-character rules' `\b…|^\s*…` scans were most of classifying)
    branches: tuple[Gate, ...] = ()

    def fires(self, haystack: str, lowered: str | None) -> bool:
        """Whether `pattern.search(haystack)` finds a match; `lowered`: `folded(haystack)`."""
        return any(
            b.possible_folded(haystack, lowered) and b.pattern.search(haystack)
            for b in self.branches
        )


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
            branches = tuple(
                Gate(re.compile(b, flags)) for b in split_alternatives(r["pattern"], flags)
            )
            rules.append(
                TypeRule(
                    r["id"],
                    DocType(r["doc_type"]),
                    re.compile(r["pattern"], flags),
                    None if within == "name" else int(within),
                    int(r["weight"]),
                    branches,
                )
            )
        return cls(tuple(rules))

    def classify(self, text: str, file_name: str) -> tuple[DocType, list[str]]:
        """The winning type and the ids of the rules that voted for it."""
        longest = max((r.within for r in self.rules if r.within is not None), default=0)
        lowered = folded(text[:longest])  # one lower-casing for every rule's literals
        name_lowered = folded(file_name)
        cuts: dict[int, tuple[str, str | None]] = {}
        fired = []
        for rule in self.rules:
            if rule.within is None:
                haystack, low = file_name, name_lowered
            else:
                if rule.within not in cuts:
                    low = lowered[: rule.within] if lowered is not None else None
                    cuts[rule.within] = (text[: rule.within], low)
                haystack, low = cuts[rule.within]
            if rule.fires(haystack, low):
                fired.append(rule)
        return self._vote(fired)

    def classify_reference(self, text: str, file_name: str) -> tuple[DocType, list[str]]:
        """`classify` as first written, each rule's whole pattern searched: kept for the
        tests that compare the two."""
        fired = []
        for rule in self.rules:
            haystack = file_name if rule.within is None else text[: rule.within]
            if rule.pattern.search(haystack):
                fired.append(rule)
        return self._vote(fired)

    @staticmethod
    def _vote(rules: list[TypeRule]) -> tuple[DocType, list[str]]:
        scores: dict[DocType, int] = {}
        fired: dict[DocType, list[str]] = {}
        for rule in rules:
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
