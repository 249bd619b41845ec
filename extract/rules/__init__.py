"""Rules kept as data (JSONL, one rule per line, each with an id that travels into provenance)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

import numpy as np


def load_jsonl(name: str) -> list[dict[str, Any]]:
    """Load a rules file shipped in this package; a broken line names its file and line."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    rules = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            rule = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name}:{lineno}: not valid JSON ({exc})") from exc
        if "id" not in rule:
            raise ValueError(f"{name}:{lineno}: a rule needs an 'id'")
        rules.append(rule)
    ids = [r["id"] for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{name}: rule ids must be unique; repeated: {', '.join(dupes)}")
    return rules


def load_words(name: str) -> list[str]:
    """A word list shipped in this package: whitespace-separated, '#' starts a comment."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return [w for line in text.splitlines() for w in line.split("#", 1)[0].split()]


class RulePattern:
    """A rule's regex, scanned faster than `finditer` where the rule says how, with the same
    matches (property tests compare them).

    Python's `re` skips ahead to where a pattern's first character can match (a month's
    capital) only when the pattern begins with that character or a set of them; a leading
    `\\b` or a group of alternatives turns that off, and every position is tried. Two
    opt-in ways round it:

    - `word_start_scan`: the pattern begins with `\\b` and then something rare (a
      capitalised month): the pattern without the `\\b` finds each candidate and the
      boundary is tested where it starts.
    - `digit_start`: every match begins a run of digits (`\\b` or a look-behind and then
      a day or a number): the pattern is tried only where a run of digits begins, and
      with `digits` (fewest, most) only where the run is that long. The runs are found
      once per text (`DigitRuns`) and shared by every such rule.
    - `anchor` and `words_before`: every match holds a match of `anchor` (a month name)
      and begins at one of the `words_before` words (runs of \\w) before it: the anchor is
      scanned for and the pattern tried only at the starts of those words.
    - `starts`: every match begins where `starts` matches (after a leading `\\b`): the
      pattern is tried only there.

    The places an `anchor` or `starts` pattern matches are found once per text (every
    place, overlapping or not) and shared by the rules that name the same pattern, through
    the `found` dict a caller passes to `finditer` for one text.
    """

    def __init__(
        self,
        pattern: str,
        flags: int = 0,
        word_start_scan: bool = False,
        digit_start: bool = False,
        anchor: str = "",
        words_before: int = 0,
        starts: str = "",
        digits: tuple[int, int] | None = None,
    ):
        self.pattern = re.compile(pattern, flags)  # the rule as written
        fast = word_start_scan and _starts_at_word_boundary(pattern, flags)
        self._body = re.compile(pattern[2:], flags) if fast else None
        self._boundary = re.compile(r"\b", flags)  # \b as the rule's flags read it
        self.digit_start = digit_start
        self.digits = digits
        self._anchor = re.compile(anchor, flags) if anchor and words_before > 0 else None
        self.words_before = words_before
        self._starts = re.compile(starts, flags) if starts else None

    def finditer(
        self,
        text: str,
        digit_runs: DigitRuns | None = None,
        found: dict[tuple[str, int], list[int]] | None = None,
    ) -> Iterator[re.Match[str]]:
        """`pattern.finditer(text)`; `digit_runs`: the text's, where the caller has them;
        `found`: the places of `anchor` and `starts` patterns found so far in this text
        (filled as they are found)."""
        if self.digit_start:
            runs = DigitRuns(text) if digit_runs is None else digit_runs
            yield from self._at(text, runs.starts(self.digits))
        elif self._anchor is not None:
            yield from self._at(text, self._words_before_anchors(text, found))
        elif self._starts is not None:
            yield from self._at(text, _places(self._starts, text, found))
        elif self._body is not None:
            yield from self._word_starts(text)
        else:
            yield from self.pattern.finditer(text)

    def _at(self, text: str, starts: list[int]) -> Iterator[re.Match[str]]:
        end, match = 0, self.pattern.match  # (tens of thousands of places a paper)
        for start in starts:
            if start < end or (m := match(text, start)) is None:
                continue
            if m.end() == start:  # an empty match: `re`'s own rules for what follows one
                yield from (
                    later for later in self.pattern.finditer(text) if later.start() >= start
                )
                return
            yield m
            end = m.end()

    def _words_before_anchors(
        self, text: str, found: dict[tuple[str, int], list[int]] | None = None
    ) -> list[int]:
        """The starts of the `words_before` words before each place the anchor matches."""
        starts: set[int] = set()
        for i in _places(self._anchor, text, found):
            for _ in range(self.words_before):
                while i > 0 and not _is_word(text[i - 1]):
                    i -= 1
                if i == 0:
                    break
                while i > 0 and _is_word(text[i - 1]):
                    i -= 1
                starts.add(i)
        return sorted(starts)

    def _word_starts(self, text: str) -> Iterator[re.Match[str]]:
        pos = 0
        while (m := self._body.search(text, pos)) is not None:
            start, end = m.span()
            if end == start:  # an empty match: `re`'s own rules for what follows one
                yield from (
                    later for later in self.pattern.finditer(text) if later.start() >= start
                )
                return
            if self._boundary.match(text, start):
                yield m
                pos = end
            else:
                pos = start + 1


def places(pattern: re.Pattern[str], text: str) -> list[int]:
    """Every offset where `pattern` matches (`pattern.match(text, i)`), overlapping matches
    too: a superset of where `finditer`'s begin."""
    out = []
    search = pattern.search
    m = search(text)
    while m is not None:
        out.append(m.start())
        if m.start() >= len(text):
            break  # a search from past the end starts at the end again
        m = search(text, m.start() + 1)
    return out


def _places(
    pattern: re.Pattern[str], text: str, found: dict[tuple[str, int], list[int]] | None
) -> list[int]:
    """`places`, kept in `found` (one text's) for the next rule with the same pattern."""
    if found is None:
        return places(pattern, text)
    key = (pattern.pattern, pattern.flags)
    if key not in found:
        found[key] = places(pattern, text)
    return found[key]


def _is_word(c: str) -> bool:
    """`re`'s \\w (for str patterns without re.ASCII)."""
    return c.isalnum() or c == "_"


_DIGITS = re.compile(r"\d+")


class DigitRuns:
    """Where each run of (Unicode) digits begins in one text, and how long it is: found
    once a text and shared by every rule tried where a run begins
    (`RulePattern(digit_start=True)`). A text of `by_array_from` characters or more is
    read as an array of code points (a paper has tens of thousands of runs, and one `re`
    match object each cost more than the rules tried at them); a line, by `re`."""

    def __init__(self, text: str, by_array_from: int = 500):
        if len(text) < by_array_from:
            spans = [m.span() for m in _DIGITS.finditer(text)]
            self._starts = np.array([a for a, _ in spans], np.int64)
            self._lengths = np.array([b - a for a, b in spans], np.int64)
        else:
            codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
            digit = (codes >= 0x30) & (codes <= 0x39)
            wide = codes > 0x7F
            if wide.any():  # `re`'s \d is any decimal digit (category Nd): str.isdecimal
                for code in np.unique(codes[wide]).tolist():
                    if chr(code).isdecimal():
                        digit |= codes == code
            edges = np.flatnonzero(np.diff(digit, prepend=False, append=False))
            self._starts, self._lengths = edges[0::2], edges[1::2] - edges[0::2]
        self._kept: dict[tuple[int, int] | None, list[int]] = {}

    def starts(self, digits: tuple[int, int] | None = None) -> list[int]:
        """The runs' starts; with `digits` (fewest, most), of the runs that long only."""
        if digits not in self._kept:
            starts = self._starts
            if digits is not None:
                fewest, most = digits
                starts = starts[(self._lengths >= fewest) & (self._lengths <= most)]
            self._kept[digits] = starts.tolist()
        return self._kept[digits]


def literal_suffix(pattern: str, flags: int = 0) -> str:
    """The literal characters every full match of `pattern` ends with: its trailing
    literals, read with `re`'s own parser ("" where it ends otherwise, or the parser
    cannot say). Each matches one character of the text, under the pattern's flags too."""
    try:
        from re import _constants, _parser

        items = list(_parser.parse(pattern, flags))
    except Exception:  # a Python whose parser differs: no suffix
        return ""
    tail = []
    for op, value in reversed(items):
        if op is not _constants.LITERAL:
            break
        tail.append(chr(value))
    return "".join(reversed(tail))


def _starts_at_word_boundary(pattern: str, flags: int) -> bool:
    """Whether every match must begin at the leading `\\b` (not `\\bfoo|bar`, whose `bar`
    needs none). Read with `re`'s own parser; where that cannot say, no."""
    if not pattern.startswith(r"\b"):
        return False
    try:
        from re import _constants, _parser

        first = _parser.parse(pattern, flags)[0]
        return first == (_constants.AT, _constants.AT_BOUNDARY)
    except Exception:  # a Python whose parser differs: scan as written
        return False


def one_character(pattern: str, flags: int = 0) -> bool:
    """Whether every match of `pattern` is one character of a fixed set (a literal, or a
    set that is not negated), case as written, with no inline flags: read with `re`'s own
    parser (no where it cannot say)."""
    try:
        from re import _constants, _parser

        parsed = _parser.parse(pattern, flags)
        items = list(parsed)
        if parsed.state.flags & ~re.UNICODE != flags & ~re.UNICODE:
            return False  # an inline flag: it could not stand in a run joined by "|"
        if flags & re.IGNORECASE:
            return False
    except Exception:  # a Python whose parser differs: no
        return False
    if len(items) != 1:
        return False
    op, value = items[0]
    if op is _constants.LITERAL:
        return True
    return op is _constants.IN and all(o is not _constants.NEGATE for o, _ in value)
