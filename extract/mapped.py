"""Text that remembers where each character came from.

Normalisation (dropping running headers, Markdown markers, repairing OCR damage) changes
the text every extractor reads; provenance must still point at the original. A
`MappedText` carries, for every character, its offset in the raw extracted text, and
every edit keeps that map true.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass
class MappedText:
    text: str
    offsets: array  # offsets[i] = raw offset of text[i]; one extra entry for the end

    @classmethod
    def identity(cls, text: str, start: int = 0) -> MappedText:
        return cls(text, _array(np.arange(start, start + len(text) + 1, dtype=np.int64)))

    def __len__(self) -> int:
        return len(self.text)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw-text span of the normalised span [start, end)."""
        if end <= start:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def sub(
        self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]
    ) -> MappedText:
        """`re.sub` that keeps the offset map.

        A replacement's common prefix and suffix with the matched text keep their own
        offsets; the characters in between map to the first changed raw character.
        """
        return self.subn(pattern, repl)[0]

    def subn(
        self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]
    ) -> tuple[MappedText, int]:
        """`sub`, and how many matches there were (as `re.subn`); the same object back
        when nothing changed."""
        char = literal(repl, pattern) if isinstance(repl, str) else None
        if char is not None and len(char) <= 1:
            spans = [m.span() for m in pattern.finditer(self.text)]
            if not spans:
                return self, 0
            if all(s < e for s, e in spans):
                return self._replace_spans(pattern, spans, char), len(spans)
        pieces: list[str] = []
        offs = array("q")
        pos = 0
        changed = False
        count = 0
        expand = repl if callable(repl) else template(repl, pattern)
        for m in pattern.finditer(self.text):
            count += 1
            new = expand(m)
            old = m.group(0)
            if new == old:
                continue
            changed = True
            s, e = m.span()
            pieces.append(self.text[pos:s])
            offs.extend(self.offsets[pos:s])
            p = _common_prefix(old, new)
            q = _common_suffix(old[p:], new[p:])
            offs.extend(self.offsets[s : s + p])
            anchor = self.offsets[s + p] if s + p < e else self.offsets[e]
            offs.extend([anchor] * (len(new) - p - q))
            offs.extend(self.offsets[e - q : e])
            pieces.append(new)
            pos = e
        if not changed:
            return self, count
        pieces.append(self.text[pos:])
        offs.extend(self.offsets[pos:])
        return MappedText("".join(pieces), offs), count

    def _replace_spans(
        self, pattern: re.Pattern[str], spans: list[tuple[int, int]], char: str
    ) -> MappedText:
        """`subn`'s rules for a replacement of one character or none, without the general
        loop's prefix and suffix bookkeeping: rules that fire on every line (CR LF line
        ends, trailing spaces) made that loop the cost of normalising. A match keeps at
        most one offset: the first character's when it is `char` or the last is not, else
        the last one's."""
        text, source = self.text, self.offsets
        if char and all(e - s == 1 and text[s] == char for s, e in spans):
            return self  # every match is already `char`
        offsets = array("q")
        pos = 0
        for s, e in spans:
            offsets.extend(source[pos:s])
            if char:
                kept = e - 1 if text[s] != char and text[e - 1] == char else s
                offsets.append(source[kept])
            pos = e
        offsets.extend(source[pos:])
        return MappedText(pattern.sub(char.replace("\\", "\\\\"), text), offsets)

    def delete(self, spans: list[tuple[int, int]]) -> MappedText:
        """Remove the given (sorted, non-overlapping) spans."""
        if not spans:
            return self
        pieces: list[str] = []
        offs = array("q")
        pos = 0
        for s, e in spans:
            pieces.append(self.text[pos:s])
            offs.extend(self.offsets[pos:s])
            pos = e
        pieces.append(self.text[pos:])
        offs.extend(self.offsets[pos:])
        return MappedText("".join(pieces), offs)


def _array(values: np.ndarray) -> array:
    out = array("q")
    out.frombytes(values.astype(np.int64, copy=False).tobytes())
    return out


def template(repl: str, pattern: re.Pattern[str]) -> Callable[[re.Match[str]], str]:
    """`Match.expand(repl)` as a function, the template parsed once (`expand` parses it at
    every match). Literal text, `\\1`-`\\9`, `\\g<name>`, `\\n`, `\\t` and `\\\\`; any other
    template is left to `expand`."""
    parts = _template_parts(repl, pattern)
    if parts is None:
        return lambda m: m.expand(repl)  # which says what is wrong with it, if anything
    if not any(g for g, _ in parts):
        text = "".join(v for _, v in parts)
        return lambda m: text
    return lambda m: "".join((m.group(v) or "") if g else v for g, v in parts)


def literal(repl: str, pattern: re.Pattern[str]) -> str | None:
    """The text a template that names no group expands to ("\\n" for CR LF line ends), so
    that `subn` can take its path for a replacement of one character; else None."""
    if "\\" not in repl:
        return repl
    parts = _template_parts(repl, pattern)
    if parts is None or any(g for g, _ in parts):
        return None
    return "".join(str(v) for _, v in parts)


def _template_parts(repl: str, pattern: re.Pattern[str]) -> list[tuple[bool, str | int]] | None:
    """A template as (is a group, literal text or group) parts; None for one left to
    `expand`."""
    parts: list[tuple[bool, str | int]] = []
    pos = 0
    for m in _TEMPLATE_PART.finditer(repl):
        if "\\" in repl[pos : m.start()]:
            return None
        parts.append((False, repl[pos : m.start()]))
        group, name, escape = m.groups()
        if escape:
            parts.append((False, _ESCAPES[escape]))
        else:
            ref = group or name
            known = ref in pattern.groupindex or (ref.isdigit() and int(ref) <= pattern.groups)
            if not known:
                return None
            parts.append((True, int(ref) if ref.isdigit() else ref))
        pos = m.end()
    if "\\" in repl[pos:]:
        return None
    parts.append((False, repl[pos:]))
    return parts


# a group number is one digit not followed by another (\\10 is left to `expand`)
_TEMPLATE_PART = re.compile(r"\\(?:([1-9])(?!\d)|g<(\w+)>|([nt\\]))")
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\"}


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return i


def join(parts: list[MappedText], sep: str) -> MappedText:
    """Concatenate with a separator; the separator maps to the raw offset after each part."""
    if not parts:
        return MappedText.identity("")
    text_parts: list[str] = []
    offs = array("q")
    for i, part in enumerate(parts):
        text_parts.append(part.text)
        offs.extend(part.offsets[:-1])
        if i < len(parts) - 1:
            text_parts.append(sep)
            offs.extend([part.offsets[-1]] * len(sep))
    offs.append(parts[-1].offsets[-1])
    return MappedText("".join(text_parts), offs)
