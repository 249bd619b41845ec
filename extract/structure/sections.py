"""Section headings and the hierarchy they make (1 -> 1.1 -> 2.13).

A heading is a numbered line whose text reads as a title (short, no closing full stop, not
prose), or a line matching the standard-heading lexicon (`rules/headings.jsonl`). Numbers
must move forward (2.2 may be followed by 2.3, 3 or 2.2.1, not by 1), so a numbered list
inside a section is not mistaken for sections. A paper whose numbers were split from its
headings (OCR of a two-column layout) has no numbered headings; then stand-alone title
lines between blank lines are headings too, unnumbered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extract.rules import literal_suffix, load_jsonl
from extract.structure.lines import Line, collapse, find_date, is_figure, lines_of

# "2.13 Heading", "1. Heading", and "4.2.Heading" (no space after the number's dot)
_NUMBERED = re.compile(
    r"^[ \t]*(?P<num>\d{1,3}(?:\.\d{1,2}){0,3})(?:\.(?!\d))?"
    r"(?:[ \t]+|(?<=\.)(?=[A-Z]))(?P<rest>\S.*)$"
)
# "a. It is best practice …": a lettered paragraph under a heading, not a wrapped line
_LETTERED = re.compile(r"^[ \t]*(?:[a-z]{1,3}[.)]|\([a-z]{1,4}\))[ \t]")
# "Summary: This report sets out …": a standard heading run into its text
_RUN_IN = re.compile(r"^[ \t]*(?P<head>[A-Za-z][A-Za-z ()]{2,40}?)[ \t]*:[ \t]+(?P<rest>\S.*)$")
_PROSE_START = re.compile(
    r"^(?:the|this|that|these|those|a|an|all|it|its|we|our|in|as|to|there|following|if|on|at|"
    r"by|for|from|with|members|officers|he|she|they|mr|mrs|ms|cllr|councillor)\b",
    re.IGNORECASE,
)
MAX_HEADING_WORDS = 16
_CACHED_LONGEST = 200  # characters of a line whose heading rule is kept for its next time
# Standard headings that may run into their text on the same line ("Summary: This …").
RUN_IN_KINDS = frozenset({"summary", "recommendations", "background_papers", "appendices"})
# Numbered lines that are answers, not headings ("3.1 None").
_NOT_HEADINGS = re.compile(
    r"^(?:none|nil|n/?a|not\s+applicable|tbc|to\s+follow)\.?$", re.IGNORECASE
)
_TWO_LETTERS = re.compile(r"[A-Za-z]{2}")  # a word, not a figure


@dataclass(frozen=True)
class HeadingRule:
    id: str
    kind: str
    type: str
    level: int
    pattern: re.Pattern[str]


@dataclass
class Heading:
    number: str
    level: int
    text: str
    line_start: int  # where the heading line starts
    body_start: int  # where the text under it starts
    kind: str  # from the lexicon, or "" for other headings
    type: str  # implication type, when kind == "implication"
    rule: str


@dataclass
class Section:
    seq: int
    heading: Heading
    parent: str  # number of the enclosing section, when known
    char_end: int


@dataclass(frozen=True)
class HeadingLexicon:
    """The standard headings, tried in file order; one regex of them all, so a line costs
    one match, not one a rule (every line of every paper is tried).

    A rule whose every match ends with the same literal text ("… implications") is left
    out of that regex for a line that does not end with it: it cannot match there, so the
    first rule that does is the same. The named-implication rule's lazy scan of each line
    cost more than the other sixteen rules together."""

    rules: tuple[HeadingRule, ...]
    pattern: re.Pattern[str]  # rule i's pattern as group "r<i>", in file order
    # (rule index, the literal its matches end with as a pattern, its length)
    endings: tuple[tuple[int, re.Pattern[str], int], ...] = ()
    # the regex without the rules a line's ending rules out, by their indices
    _without: dict[tuple[int, ...], re.Pattern[str]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def load(cls) -> HeadingLexicon:
        rules = tuple(
            HeadingRule(
                r["id"],
                r["kind"],
                r.get("type", ""),
                int(r["level"]),
                re.compile(r["pattern"], re.IGNORECASE),
            )
            for r in load_jsonl("headings.jsonl")
        )
        endings = tuple(
            (i, re.compile(re.escape(tail), re.IGNORECASE), len(tail))
            for i, rule in enumerate(rules)
            if (tail := literal_suffix(rule.pattern.pattern, re.IGNORECASE))
        )
        return cls(rules, _either(rules, ()), endings)

    def __post_init__(self) -> None:
        # a line's rule, kept for the short lines seen lately: half the lines of a batch
        # come round again (a pack's papers are published on their own too)
        object.__setattr__(self, "_cached", lru_cache(maxsize=65536)(self._match))

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_cached"}  # (a cache)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    def match(self, text: str) -> HeadingRule | None:
        if len(text) > _CACHED_LONGEST:  # a paragraph: seldom seen twice, and big to keep
            return self._match(text)
        return self._cached(text)

    def _match(self, text: str) -> HeadingRule | None:
        line = collapse(text).rstrip(":").strip()
        pattern = self.pattern
        if self.endings:
            out = tuple(
                i for i, end, n in self.endings if not end.fullmatch(line, max(0, len(line) - n))
            )
            if out:
                pattern = self._without.get(out)
                if pattern is None:
                    pattern = self._without[out] = _either(self.rules, out)
        m = pattern.fullmatch(line)
        return self.rules[int(m.lastgroup[1:])] if m else None


def _either(rules: tuple[HeadingRule, ...], left_out: tuple[int, ...]) -> re.Pattern[str]:
    """One regex of the rules (less those left out), rule i's pattern as group "r<i>":
    alternatives are tried in order, each to the end of the text before the next, so the
    first rule whose pattern matches the whole text wins, as a loop over them finds."""
    either = "|".join(
        f"(?P<r{i}>{rule.pattern.pattern})" for i, rule in enumerate(rules) if i not in left_out
    )
    return re.compile(either, re.IGNORECASE)


def _number_tuple(number: str) -> tuple[int, ...]:
    return tuple(int(x) for x in number.split("."))


def plausible_next(prev: tuple[int, ...] | None, cand: tuple[int, ...]) -> bool:
    """Section numbers move forward by small steps: a sibling at some level, or a child."""
    if prev is None:
        return True
    if cand <= prev:
        return False
    for depth in range(len(cand)):
        head, step = cand[:depth], cand[depth]
        if head != prev[:depth]:
            return False
        base = prev[depth] if depth < len(prev) else 0
        if step != base:
            # The first differing component moves forward: by at most 3 at the top level;
            # further below, numbered paragraphs between headings make gaps (2.1-2.5 prose,
            # 2.6 a heading), so any step forward will do.
            limit = 3 if depth == 0 else 50
            return 0 < step - base <= limit and all(x <= 2 for x in cand[depth + 1 :])
    return len(cand) > len(prev)


def _title_like(text: str) -> bool:
    words = text.split()
    if not words or len(words) > MAX_HEADING_WORDS or len(text) > 130 or _NOT_HEADINGS.match(text):
        return False
    if text.rstrip().endswith((".", ";", ",")) and not text.rstrip().endswith("etc."):
        return False
    if text.rstrip().endswith(":") and len(words) > 6:
        return False
    first = words[0]
    if not (first[:1].isupper() or first[:1].isdigit() or first[:1] in "'‘\"“("):
        return False
    alpha = sum(1 for w in words if _TWO_LETTERS.search(w))
    figures = sum(1 for w in words if is_figure(w))
    if alpha == 0 or (figures >= len(words) / 2 and alpha < 2):
        return False  # mostly figures: a table row
    return not (_PROSE_START.match(text) and len(words) > 6)


def _continued(lines: list[Line], i: int) -> tuple[str, int]:
    """A heading line and the lines it runs on to: an unclosed bracket (across blank lines,
    as OCR leaves them), a trailing comma or joining word, or a next line in lower case."""
    text, end = lines[i].stripped, lines[i].end + 1
    j = i + 1
    while j < len(lines) and j <= i + 4:
        nxt = lines[j]
        open_paren = text.count("(") > text.count(")")
        if nxt.blank:
            if open_paren:
                j += 1
                continue
            break
        runs_on = open_paren or re.search(r"(?:[,–—-]|\b(?:and|or|of|the|to|for|in|on))$", text)
        if not (runs_on or nxt.stripped[:1].islower()) or len(nxt.stripped.split()) > 14:
            break
        text, end = f"{text} {nxt.stripped}", nxt.end + 1
        j += 1
    return text, end


def _capitalised(text: str) -> bool:
    """Title-like capitalisation: at least half the words start upper-case (or with a digit)."""
    words = [w for w in text.split() if w[:1].isalnum()]
    return bool(words) and sum(1 for w in words if not w[:1].islower()) >= len(words) / 2


def _heading_tail(line: Line) -> bool:
    words = line.stripped.split()
    return (
        0 < len(words) <= 7 and not line.stripped.endswith(".") and not _NUMBERED.match(line.text)
    )


def _full_width(lines: list[Line]) -> int:
    """Length of a full line in hard-wrapped text (PDFs, OCR): a numbered line that long
    with text under it is a wrapped paragraph, not a heading. Unwrapped text: no limit."""
    stripped = (ln.text.strip() for ln in lines)  # each line stripped once, not twice
    lengths = sorted(len(t) for t in stripped if t)
    if len(lengths) < 20:
        return 10_000
    p90 = lengths[int(len(lengths) * 0.9)]
    return int(p90 * 0.85) if p90 <= 140 else 10_000


def _standalone(lines: list[Line], i: int) -> bool:
    """Blank (or page break) above and below."""
    above = i == 0 or lines[i - 1].blank or "\f" in lines[i - 1].text
    below = i + 1 >= len(lines) or lines[i + 1].blank or "\f" in lines[i + 1].text
    return above and below


def find_headings(text: str, rules: HeadingLexicon, body_start: int = 0) -> list[Heading]:
    lines = [ln for ln in lines_of(text) if ln.start >= body_start]
    scan = _Scan(rules, _full_width(lines))
    for i, line in enumerate(lines):
        if line.blank or "\f" in line.text:
            continue
        m = _NUMBERED.match(line.text)
        if m and not _starts_with_date(line.text, m):
            scan.numbered(lines, i, m)
        else:
            scan.unnumbered(lines, i)
    if any(h.number for h in scan.headings):
        return scan.headings
    return _unnumbered_layout(lines, scan.headings, rules)


def _starts_with_date(text: str, m: re.Match[str]) -> bool:
    """ "14 March 2023 ITEM: 10" is a date, not section 14."""
    found = find_date(text[: m.end("num") + 20])
    return bool(found) and found[1] <= m.start("num")


@dataclass
class _Scan:
    """State of one pass over the lines: the headings so far, the last number accepted,
    and whether we are inside Implications (where "Financial" alone is a heading)."""

    rules: HeadingLexicon
    full_width: int
    headings: list[Heading] = field(default_factory=list)
    last: tuple[int, ...] | None = None
    under_implications: bool = False

    def numbered(self, lines: list[Line], i: int, m: re.Match[str]) -> None:
        line = lines[i]
        rest, num = m.group("rest").strip(), m.group("num")
        lex = self.rules.match(rest)
        below = lines[i + 1] if i + 1 < len(lines) else None
        runs_on = below is not None and not below.blank
        full = runs_on and len(line.stripped) >= self.full_width
        wrapped = runs_on and (
            (below.stripped[:1].islower() and not _LETTERED.match(below.text))
            or (full and not _capitalised(rest))
        )
        if full and not wrapped and _title_like(rest) and _heading_tail(below):
            rest = f"{rest} {below.stripped}"  # a heading wrapped onto a second line
        if not (lex or (_title_like(rest) and not wrapped)):
            return
        if not plausible_next(self.last, _number_tuple(num)):
            return
        self.last = _number_tuple(num)
        lex = self._track_implications(lex, rest, top_level=len(self.last) == 1)
        self._add(num, len(self.last), rest, line.start, line.end + 1, lex, "heading.numbered")

    def unnumbered(self, lines: list[Line], i: int) -> None:
        line = lines[i]
        lex = self.rules.match(line.text)
        if lex is not None:
            if len(line.stripped.split()) > MAX_HEADING_WORDS:
                return
            heading, body = _continued(lines, i)
        elif run_in := _RUN_IN.match(line.text):
            lex = self.rules.match(run_in.group("head"))
            if lex is None or lex.kind not in RUN_IN_KINDS:
                return
            heading, body = run_in.group("head"), line.start + run_in.start("rest")
        else:
            return
        if lex.kind == "implication" and not (
            self.under_implications or "implication" in line.text.lower()
        ):
            return
        lex = self._track_implications(lex, heading, top_level=lex.level == 1)
        level = (
            lex.level if not (self.last and lex.kind == "implication") else max(len(self.last), 2)
        )
        self._add("", level, heading, line.start, body, lex, lex.id)

    def _track_implications(self, lex, text: str, top_level: bool):
        kind = lex.kind if lex else ""
        if kind == "implications":
            self.under_implications = True
        elif top_level and kind != "implication":
            self.under_implications = False
        if kind == "implication" and not (self.under_implications or "implication" in text.lower()):
            return None  # "Financial" alone is only an implication under Implications
        return lex

    def _add(self, number, level, text, start, body, lex, rule) -> None:
        self.headings.append(
            Heading(
                number,
                level,
                text.rstrip(":").strip(),
                start,
                body,
                lex.kind if lex else "",
                lex.type if lex else "",
                lex.id if lex else rule,
            )
        )


def _unnumbered_layout(lines: list[Line], found: list[Heading], rules) -> list[Heading]:
    """No numbered headings at all: stand-alone title lines are headings too."""
    known = {h.line_start for h in found}
    out = list(found)
    kinds = sorted((h.line_start, h.kind) for h in found)
    for i, line in enumerate(lines):
        if line.blank or line.start in known or "\f" in line.text:
            continue
        before = [kind for start, kind in kinds if start < line.start]
        if before and before[-1] == "implication":
            continue  # sign-off names and roles under an implications heading
        text = line.stripped
        if ":" in text:
            continue
        if not _standalone(lines, i) or not _title_like(text) or text.endswith(":"):
            continue
        if find_date(text) or text.startswith(("•", "-", "http", "www.")) or len(text.split()) < 2:
            continue
        capitalised = sum(1 for w in text.split() if w[:1].isupper() or not w[:1].isalpha())
        if capitalised / len(text.split()) < 0.5:
            continue
        out.append(
            Heading("", 1, text, line.start, line.end + 1, "", "", "heading.standalone_title")
        )
    out.sort(key=lambda h: h.line_start)
    return out


def build_sections(headings: list[Heading], text_end: int) -> list[Section]:
    sections = []
    stack: list[Heading] = []
    for i, h in enumerate(headings):
        end = headings[i + 1].line_start if i + 1 < len(headings) else text_end
        while stack and stack[-1].level >= h.level:
            stack.pop()
        parent = stack[-1].number if stack else ""
        if h.number and "." in h.number and not parent:
            parent = h.number.rsplit(".", 1)[0]
        sections.append(Section(i + 1, h, parent, end))
        stack.append(h)
    return sections
