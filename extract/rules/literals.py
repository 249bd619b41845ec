"""What literal text a rule's every match must hold, read from its regex: a check for it
(`str.find`, `in`) before the regex, which rules out most texts far faster.

Python's `re` scans fast only for a pattern that begins with a literal, and not under
IGNORECASE: a leading `\\b` or a group of alternatives makes it try every position of the
text, at tens of nanoseconds each. A literal `in` a lower-cased copy costs a fraction of
a nanosecond a character. Everything here is read with `re`'s own parser; where it cannot
say (an unknown construct, a flag changed inside), the answer is "no literal" and the
regex runs as written.

Under IGNORECASE only ASCII literals count, checked in `str.lower()` of the text: for
ASCII both agree. `re` also takes four other characters for ASCII letters (`FOLD_SPECIALS`,
a test re-derives them from every code point); a text holding any of them is not folded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Non-ASCII characters `re.IGNORECASE` matches to an ASCII character: dotted İ, dotless ı,
# long ſ, the Kelvin sign (İ also lowers to two characters, shifting offsets).
FOLD_SPECIALS = ("\u0130", "\u0131", "\u017f", "\u212a")
# More alternatives than this: the check would cost more than it saves.
_MOST_LITERALS = 32
# A character set of more characters than this (`[«»]`, not `[-*«»•▪‣⁃]`) is not read.
_MOST_SET = 4


def folded(text: str, lower: str | None = None) -> str | None:
    """`text.lower()` (or `lower`, where the caller made it), where each ASCII literal `re`
    matches ignoring case is found at the same offset as lower case; None where the text
    holds a character that breaks that."""
    if not text.isascii() and any(c in text for c in FOLD_SPECIALS):
        return None
    return text.lower() if lower is None else lower


def _parse(pattern: str, flags: int):
    """`re`'s parse of the pattern and whether it ignores case, or None where the parser
    is not the one this module reads."""
    try:
        from re import _parser

        parsed = _parser.parse(pattern, flags)
        return parsed, bool(parsed.state.flags & re.IGNORECASE)
    except Exception:
        return None


# A literal: its text, and whether it is matched ignoring case (then in lower case, and
# looked for in `folded` text). A pattern can mix the two: `(?i:thematic)\s+Review`.
Literal = tuple[str, bool]


def required_literals(pattern: str, flags: int = 0) -> frozenset[Literal] | None:
    """Literals one of which every match of `pattern` holds; None where no such set is
    known."""
    parsed = _parse(pattern, flags)
    if parsed is None:
        return None
    try:
        return _required(list(parsed[0]), parsed[1])
    except Exception:  # a parse tree of a shape not read here
        return None


def prefix_literals(pattern: str, flags: int = 0) -> frozenset[Literal] | None:
    """Literals one of which every match of `pattern` begins with; None where no such set
    is known."""
    parsed = _parse(pattern, flags)
    if parsed is None:
        return None
    try:
        return _prefix(list(parsed[0]), parsed[1])
    except Exception:
        return None


def _literal(value: int, icase: bool) -> str | None:
    c = chr(value)
    if not icase:
        return c
    return c.lower() if c.isascii() else None


def _useful(found, prefixes: bool = False) -> frozenset[Literal] | None:
    """The set as worth checking: None for an empty literal (every text holds one) or too
    many; a literal that holds another of the set in the same case mode (begins with one,
    for `prefixes`) left out, as the other is there wherever it is."""
    if not found or any(not s for s, _ in found):
        return None
    kept = frozenset(
        (s, ic)
        for s, ic in found
        if not any(
            (t, jc) != (s, ic) and jc == ic and (s.startswith(t) if prefixes else t in s)
            for t, jc in found
        )
    )
    return kept if len(kept) <= _MOST_LITERALS else None


def _better(a: frozenset[Literal] | None, b: frozenset[Literal] | None):
    """The rarer-looking of two sets: its shortest literal longer, then fewer of them, then
    none needing the text lower-cased."""
    if a is None:
        return b
    if b is None:
        return a
    key_a = (min(len(s) for s, _ in a), -len(a), not any(ic for _, ic in a))
    key_b = (min(len(s) for s, _ in b), -len(b), not any(ic for _, ic in b))
    return b if key_b > key_a else a


def _required(items: list, icase: bool) -> frozenset[Literal] | None:
    from re import _constants as c

    best: frozenset[Literal] | None = None
    run: list[str] = []
    for op, value in items:
        if op is c.LITERAL and (ch := _literal(value, icase)) is not None:
            run.append(ch)
            continue
        if op is c.AT:  # zero-width (\b, ^, $): the characters either side stay adjacent
            continue
        if run:
            best = _better(best, _useful({("".join(run), icase)}))
            run = []
        best = _better(best, _useful(_element(op, value, icase, _required)))
    if run:
        best = _better(best, _useful({("".join(run), icase)}))
    return best


def _element(op, value, icase: bool, read) -> frozenset[Literal] | None:
    """What a group, an alternation or a repeat of at least one holds (by `read`)."""
    from re import _constants as c

    if op is c.SUBPATTERN:
        _, add, remove, sub = value
        if add & re.IGNORECASE:  # (?i:...)
            icase = True
        elif remove & re.IGNORECASE:  # (?-i:...)
            icase = False
        return read(list(sub), icase)
    if op is c.ATOMIC_GROUP:
        return read(list(value), icase)
    if op is c.BRANCH:
        union: set[Literal] = set()
        for alternative in value[1]:
            found = read(list(alternative), icase)
            if found is None:
                return None
            union |= found
        return frozenset(union)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _, item = value
        return read(list(item), icase) if low >= 1 else None
    if op is c.IN and len(value) <= _MOST_SET and all(o is c.LITERAL for o, _ in value):
        chars = [_literal(v, icase) for _, v in value]  # a set of a few characters
        return None if None in chars else frozenset((ch, icase) for ch in chars)
    return None


def _prefix(items: list, icase: bool) -> frozenset[Literal] | None:
    from re import _constants as c

    run: list[str] = []
    for op, value in items:
        if op is c.LITERAL and (ch := _literal(value, icase)) is not None:
            run.append(ch)
            continue
        if run:
            break
        if op is c.AT:  # a leading \b or ^: the match still begins at the next character
            continue
        return _useful(_element(op, value, icase, _prefix), prefixes=True)
    return _useful({("".join(run), icase)}, prefixes=True) if run else None


def _holds(literals: frozenset[Literal], text: str, lowered: str | None) -> bool:
    """Whether the text holds one of the literals (`lowered`: `folded(text)`; where it is
    None a literal matched ignoring case is taken to be there)."""
    for s, icase in literals:
        if not icase:
            if s in text:
                return True
        elif lowered is None or s in lowered:
            return True
    return False


def split_alternatives(pattern: str, flags: int = 0) -> list[str]:
    """The top-level alternatives of `pattern` (`a|b(c|d)` -> `a`, `b(c|d)`), each a
    pattern of its own that matches where it did inside: a text has a match of the whole
    if and only if it has one of some alternative. `[pattern]` where splitting could change
    a meaning: an inline flag (it would hold for the first piece only) or a reference to a
    group, by backreference or conditional (numbers change)."""
    pieces, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            # a `]` first in a set (after an optional `^`) is a literal, not its end
            j = i + 1 + (pattern[i + 1 : i + 2] == "^")
            if pattern[j : j + 1] == "]":
                i = j
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            pieces.append(pattern[start:i])
            start = i + 1
        i += 1
    pieces.append(pattern[start:])
    if depth or in_class:
        return [pattern]  # the scan lost its way (a comment holding a bracket)
    references = "(?P=" in pattern or "(?(" in pattern  # (a conditional names a group)
    if len(pieces) == 1 or references or re.search(r"\\(?:[1-9]|g<)", pattern):
        return [pattern]
    whole = _parse(pattern, flags)
    parts = [_parse(p, flags) for p in pieces]
    if whole is None or any(p is None for p in parts):
        return [pattern]
    if any(p[0].state.flags != whole[0].state.flags for p in parts):
        return [pattern]
    return pieces


class Gate:
    """A regex with the literals its every match holds: `search` finds what the regex's
    `search` finds, without running it on a text that lacks them."""

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern
        self.literals = required_literals(pattern.pattern, pattern.flags)
        self.folds = self.literals is not None and any(ic for _, ic in self.literals)

    def possible(self, text: str) -> bool:
        """False only where the pattern cannot match `text`."""
        if self.literals is None:
            return True
        return _holds(self.literals, text, folded(text) if self.folds else None)

    def possible_folded(self, text: str, lowered: str | None) -> bool:
        """`possible`, given `folded(text)` (None where it is None: then only literals
        that heed case can rule the text out)."""
        return self.literals is None or _holds(self.literals, text, lowered)

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text) if self.possible(text) else None


class PrefixScan:
    """`finditer` of a regex whose every match begins with one of a few literals: the
    pattern is tried only where one of them is (found by `str.find`), in order, from the
    end of the last match on; the same matches as `finditer` (a property test compares)."""

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern
        self.prefixes = prefix_literals(pattern.pattern, pattern.flags)
        self.folds = self.prefixes is not None and any(ic for _, ic in self.prefixes)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        lowered = folded(text) if self.folds else text
        if self.prefixes is None or lowered is None or len(lowered) != len(text):
            yield from self.pattern.finditer(text)
            return
        starts: set[int] = set()
        for prefix, icase in self.prefixes:
            haystack = lowered if icase else text
            at = haystack.find(prefix)
            while at != -1:
                starts.add(at)
                at = haystack.find(prefix, at + 1)
        end = 0
        match = self.pattern.match
        for start in sorted(starts):
            if start >= end and (m := match(text, start)) is not None:
                yield m
                end = m.end()  # > start: a match begins with a prefix, never empty
