"""Raw pages -> the one normalised document text every extractor reads.

Stages, each a list of rules in `rules/normalise.jsonl`: `chars` (all inputs), `markdown`
(text inputs only), `ocr` (all inputs; the rules are narrow enough to be safe on clean
text), `layout` (bullets and list numbering, all inputs). Running headers, footers and page
numbers are dropped from PDFs between `chars` and the rest. Every edit keeps the map from
normalised characters back to the raw text. A rule marked `digit_start` (every match begins
a run of digits) is first looked for only there, and skipped where it matches nothing.
"""

from __future__ import annotations

import dataclasses
import re
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from extract.mapped import MappedText, join
from extract.models import Page
from extract.rules import DigitRuns, RulePattern, load_jsonl, one_character
from extract.rules.literals import Gate
from extract.settings import NormaliseSettings

PAGE_SEPARATOR = "\n\f\n"

_FLAGS = {"m": re.MULTILINE, "i": re.IGNORECASE, "s": re.DOTALL}
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–(]?\s*\d{1,4}\s*[-–)]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE
)
# A minute's agenda marker, "(Item 9)": at the top of many pages of minutes, but content.
_ITEM_MARKER = re.compile(r"^\(\s*item\s+\w{1,6}\s*\)$", re.IGNORECASE)


def _ordinal(m: re.Match[str]) -> str:
    n = int(m.group("num"))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{m.group('num')}{suffix}"


_REPLACE_FUNCTIONS: dict[str, Callable[[re.Match[str]], str]] = {"ordinal": _ordinal}


@dataclass(frozen=True)
class Rule:
    id: str
    stage: str
    pattern: re.Pattern[str]
    replace: str | Callable[[re.Match[str]], str]
    ocr_signal: bool
    # a faster scan of the same pattern, where the rule says how: it tells whether the
    # rule matches at all (most pages have no OCR damage), before the mapped replace
    scan: RulePattern | None = None
    # the whole rule done by string methods (`BY_STRING_METHODS`): `subn`'s result
    by_strings: Callable[[MappedText], tuple[MappedText, int]] | None = None
    # what every match of the rule holds (`requires` in the rules file): where it is not
    # in the text, the rule is skipped (a test checks it on the rule's own matches)
    requires: re.Pattern[str] | None = None
    # the first of a run of rules each replacing one character of a set: the run's
    # characters, and how many rules the run holds (where none of its characters is in
    # the text, none of them can match, and none of them changes it)
    run: tuple[re.Pattern[str], int] | None = None
    # the literals every match holds (read from the pattern, `rules.literals`): where none
    # is in the text the rule cannot match (a page without « is not scanned for one)
    gate: Gate | None = None


def _runs_of_one_character(rules: list[Rule]) -> tuple[Rule, ...]:
    """The rules, the first of each run of two or more (of one stage, side by side) whose
    every match is one character of a set given the run's characters as one pattern."""
    single = [
        r.by_strings is None and one_character(r.pattern.pattern, r.pattern.flags) for r in rules
    ]
    out = list(rules)
    i = 0
    while i < len(rules):
        j = i
        while (
            j < len(rules)
            and single[j]
            and (rules[j].stage, rules[j].pattern.flags) == (rules[i].stage, rules[i].pattern.flags)
        ):
            j += 1
        if j - i >= 2:
            joined = "|".join(r.pattern.pattern for r in rules[i:j])
            out[i] = dataclasses.replace(
                rules[i], run=(re.compile(joined, rules[i].pattern.flags), j - i)
            )
        i = max(j, i + 1)
    return tuple(out)


def lf_line_ends(text: MappedText) -> tuple[MappedText, int]:
    """`subn(re.compile(r"\\r\\n?"), "\\n")` by `str.replace`: a CR LF keeps the LF's
    offset, a lone CR becomes an LF at its own. pdfium ends every line with CR LF, and
    the regex's per-match bookkeeping was a tenth of normalising."""
    old = text.text
    count = old.count("\r")  # each CR begins one match
    if not count:
        return text, 0
    offsets, source, pos = array("q"), text.offsets, 0
    while (cr := old.find("\r\n", pos)) >= 0:
        offsets.extend(source[pos:cr])
        pos = cr + 1  # the CR goes; the LF after it is kept
    offsets.extend(source[pos:])
    return MappedText(old.replace("\r\n", "\n").replace("\r", "\n"), offsets), count


def strip_line_ends(text: MappedText) -> tuple[MappedText, int]:
    """`subn(re.compile(r"[ \\t]+$", re.MULTILINE), "")` line by line with `str.rstrip`
    (`$` is before each LF and at the end): pdfium pads every line with spaces, and `re`
    tries a match at every space of a page."""
    lines = text.text.split("\n")
    kept = [line.rstrip(" \t") for line in lines]
    offsets, source = array("q"), text.offsets
    pos = done = count = 0
    for line, short in zip(lines, kept, strict=True):
        if len(short) != len(line):
            offsets.extend(source[done : pos + len(short)])
            done = pos + len(line)
            count += 1
        pos += len(line) + 1
    if not count:
        return text, 0
    offsets.extend(source[done:])
    return MappedText("\n".join(kept), offsets), count


# Rules done by string methods instead of `re`, by (pattern, flags, replacement): a rule
# whose pattern, flags or replacement is changed goes back to `re`. Tests compare each.
BY_STRING_METHODS: dict[tuple[str, int, object], Callable[[MappedText], tuple[MappedText, int]]] = {
    ("\\r\\n?", 0, "\\n"): lf_line_ends,
    ("[ \\t]+$", re.MULTILINE, ""): strip_line_ends,
}


@dataclass(frozen=True)
class Normaliser:
    """Compiled normalisation rules; build once per worker with `Normaliser.load()`."""

    rules: tuple[Rule, ...]
    settings: NormaliseSettings = field(default_factory=NormaliseSettings)

    @classmethod
    def load(cls, settings: NormaliseSettings | None = None) -> Normaliser:
        rules = []
        for r in load_jsonl("normalise.jsonl"):
            flags = 0
            for f in r.get("flags", ""):
                flags |= _FLAGS[f]
            repl = _REPLACE_FUNCTIONS[r["replace_fn"]] if "replace_fn" in r else r["replace"]
            scan = (
                RulePattern(r["pattern"], flags, digit_start=True) if r.get("digit_start") else None
            )
            rules.append(
                Rule(
                    r["id"],
                    r["stage"],
                    re.compile(r["pattern"], flags),
                    repl,
                    bool(r.get("ocr_signal")),
                    scan,
                    BY_STRING_METHODS.get((r["pattern"], flags, repl)),
                    re.compile(r["requires"], flags) if "requires" in r else None,
                    gate=Gate(re.compile(r["pattern"], flags)),
                )
            )
        return cls(_runs_of_one_character(rules), settings or NormaliseSettings())

    def apply(self, text: MappedText, stage: str, hits: Counter[str]) -> MappedText:
        runs: tuple[MappedText, DigitRuns] | None = None  # the digit runs of a text
        skip = 0  # rules left of a run of one-character rules that cannot match
        for rule in self.rules:
            if skip:
                skip -= 1
                continue
            if rule.stage != stage:
                continue
            if rule.run is not None and rule.run[0].search(text.text) is None:
                skip = rule.run[1] - 1
                continue
            if rule.gate is not None and not rule.gate.possible(text.text):
                continue
            if rule.requires is not None and rule.requires.search(text.text) is None:
                continue
            if rule.scan is not None:
                if runs is None or runs[0] is not text:
                    runs = (text, DigitRuns(text.text))
                if next(rule.scan.finditer(text.text, runs[1]), None) is None:
                    continue  # no match: the same as the replace finding none
            before = text
            if rule.by_strings is not None:
                text, matches = rule.by_strings(text)
            else:
                text, matches = text.subn(rule.pattern, rule.replace)
            if text is not before:
                hits[rule.id] += matches
        return text

    def normalise(self, pages: list[Page], *, is_pdf: bool) -> DocumentText:
        raw = "\f".join(p.text for p in pages)
        hits: Counter[str] = Counter()
        mapped: list[MappedText] = []
        start = 0
        for p in pages:
            mapped.append(self.apply(MappedText.identity(p.text, start), "chars", hits))
            start += len(p.text) + 1  # the \f between raw pages
        removed = 0
        if is_pdf:
            mapped, removed = drop_page_furniture(mapped, self.settings)
        out = []
        for m in mapped:
            if not is_pdf:
                m = self.apply(m, "markdown", hits)
            m = self.apply(m, "ocr", hits)
            m = self.apply(m, "layout", hits)
            out.append(_strip_blank_edges(m))
        text = join(out, PAGE_SEPARATOR)
        page_starts, pos = [], 0
        for m in out:
            page_starts.append(pos)
            pos += len(m) + len(PAGE_SEPARATOR)
        ocr_hits = sum(n for rid, n in hits.items() if self._rule(rid).ocr_signal)
        return DocumentText(
            text=text.text,
            raw=raw,
            offsets=text.offsets,
            page_starts=page_starts,
            page_numbers=[p.number for p in pages],
            rule_hits=dict(sorted(hits.items())),
            furniture_lines_removed=removed,
            ocr_suspected=ocr_hits >= self.settings.ocr_signal_min,
        )

    def _rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


@dataclass
class DocumentText:
    """The normalised text of one document, its pages, and its map back to the raw text."""

    text: str
    raw: str  # raw extracted text, pages joined by \f ("" in a batch's results: see batch._kept)
    offsets: object  # array: offsets[i] is the raw offset of text[i] (None in a batch's)
    page_starts: list[int]  # offset in `text` where each page begins
    # the PDF page number of each page: not 1, 2, 3 ... for a paper of a pack, or where
    # blank filler pages were left out
    page_numbers: list[int] = field(default_factory=list)
    rule_hits: dict[str, int] = field(default_factory=dict)
    furniture_lines_removed: int = 0
    ocr_suspected: bool = False

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def page_of(self, offset: int) -> int:
        """PDF page number (1-based) of a character offset in `text`."""
        index = max(0, bisect_right(self.page_starts, offset) - 1)
        return self.page_numbers[index] if index < len(self.page_numbers) else index + 1

    def page_bounds(self, number: int) -> tuple[int, int]:
        """Where PDF page `number` lies in `text`; the whole text for a page it lacks."""
        index = number - 1
        if self.page_numbers:  # in page order: a paper of a pack starts further in
            index = bisect_left(self.page_numbers, number)
            if index == len(self.page_numbers) or self.page_numbers[index] != number:
                return 0, len(self.text)
        if not 0 <= index < len(self.page_starts):
            return 0, len(self.text)
        end = self.page_starts[index + 1] if index + 1 < len(self.page_starts) else len(self.text)
        return self.page_starts[index], end

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1


def _strip_blank_edges(m: MappedText) -> MappedText:
    lead = len(m.text) - len(m.text.lstrip())
    trail = len(m.text.rstrip())
    spans = []
    if lead:
        spans.append((0, lead))
    if trail < len(m.text) and trail >= lead:
        spans.append((trail, len(m.text)))
    return m.delete(spans)


_DIGIT_RUN = re.compile(r"\d+")
_SPACE_RUN = re.compile(r"\s+")


def _signature(line: str) -> str:
    """A line with its digits masked, its spacing and case folded (the same for the line
    with or without the whitespace around it)."""
    return _SPACE_RUN.sub(" ", _DIGIT_RUN.sub("#", line)).strip().lower()


def _edge_spans(text: str, k: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The (start, end-including-newline) of the first and the last `k` non-blank lines
    (overlapping on a short page), read from the two ends of the page only: the lines
    between were most of the furniture search's reading, for nothing."""
    head: list[tuple[int, int]] = []
    pos = 0
    while len(head) < k and pos < len(text):
        end = text.find("\n", pos) + 1 or len(text)
        if text[pos:end].strip():
            head.append((pos, end))
        pos = end
    tail: list[tuple[int, int]] = []
    end = len(text)
    while len(tail) < k and end > 0:
        start = text.rfind("\n", 0, end - 1) + 1  # the line ending at `end`, its LF in it
        if text[start:end].strip():
            tail.append((start, end))
        end = start
    return head, tail[::-1]


def drop_page_furniture(
    pages: list[MappedText], settings: NormaliseSettings
) -> tuple[list[MappedText], int]:
    """Drop running headers, footers and page numbers from PDF pages.

    Candidates are the first and last `furniture_edge_lines` non-blank lines of a page.
    One is furniture when it is a bare page number, or when its signature (digits masked,
    case and spacing folded) recurs at the edges of enough pages, and every line between
    it and the page edge is furniture too (so a table header mid-page survives). The
    first occurrence of a repeated line is kept: a running header often carries the title.
    """
    k = settings.furniture_edge_lines
    page_lines = [_edge_spans(page.text, k) for page in pages]
    signatures = [
        {(s, e): _signature(page.text[s:e]) for s, e in head + tail}
        for page, (head, tail) in zip(pages, page_lines, strict=True)
    ]
    counts: Counter[str] = Counter()
    for signature in signatures:
        counts.update(set(signature.values()))
    threshold = max(settings.furniture_min_pages, settings.furniture_share * len(pages))
    repeated = {sig for sig, n in counts.items() if n >= threshold and sig}

    out, removed, seen = [], 0, set()
    for page, (head, tail), signature in zip(pages, page_lines, signatures, strict=True):
        drop: set[tuple[int, int]] = set()
        for edge in (head, tail[::-1]):
            for s, e in edge:
                line = page.text[s:e].strip()
                sig = signature[(s, e)]
                is_furniture = _PAGE_NUMBER.match(line) or sig in repeated
                if not is_furniture or _ITEM_MARKER.match(line):
                    break
                if _PAGE_NUMBER.match(line) or sig in seen:
                    drop.add((s, e))
                seen.add(sig)
        removed += len(drop)
        out.append(page.delete(sorted(drop)))
    return out, removed
