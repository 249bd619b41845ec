"""Lines of the document text with their spans, and the small text helpers rules share."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import NamedTuple

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
DATE_PATTERN = re.compile(
    rf"\b{_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(?P<year>(?:19|20)\d\d)\b"
    rf"|\b(?P<nday>\d{{1,2}})[/.](?P<nmonth>\d{{1,2}})[/.](?P<nyear>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)


class Line(NamedTuple):
    """A line of a text: a tuple (a paper has tens of thousands, made at a time)."""

    start: int
    end: int  # exclusive, before the newline
    text: str

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def blank(self) -> bool:
        return not self.text.strip()

    @property
    def content_start(self) -> int:
        return self.start + len(self.text) - len(self.text.lstrip())

    @property
    def content_end(self) -> int:
        return self.start + len(self.text.rstrip())


@lru_cache(maxsize=8)
def lines_of(text: str) -> tuple[Line, ...]:
    """The text's lines. Kept for the last few texts: the header, sections, tables,
    minutes and facts each read the same paper's lines (a tuple: no reader can change
    another's)."""
    out, pos, new = [], 0, tuple.__new__  # (not Line's own __new__: a Python call a line)
    for raw in text.split("\n"):
        n = len(raw)
        out.append(new(Line, (pos, pos + n, raw)))
        pos += n + 1
    return tuple(out)


def collapse(text: str) -> str:
    """Whitespace folded to single spaces: how values are written to the tables. (`split`
    and `re`'s \\s agree on what whitespace is: a test checks every code point.)"""
    return " ".join(text.split())


def find_date(text: str) -> tuple[dt.date, int, int] | None:
    """The first UK-style date (day before month) in `text`, with its span."""
    for m in DATE_PATTERN.finditer(text):
        try:
            if m.group("day"):
                d = dt.date(
                    int(m.group("year")), _MONTHS[m.group("month").lower()], int(m.group("day"))
                )
            else:
                d = dt.date(int(m.group("nyear")), int(m.group("nmonth")), int(m.group("nday")))
        except ValueError:
            continue
        return d, m.start(), m.end()
    return None


# A phone number, an e-mail or web address, or a "Tel:" line: contact details, not a value.
CONTACT_LINE = re.compile(
    r"@|\b0\d{2,4} ?\d{3} ?\d{3,4}\b|^\s*(?:tel|telephone|email|e-mail|phone|mobile)\b|^\s*www\.",
    re.IGNORECASE,
)
_FIGURE = re.compile(r"[£$€]?[\d,.%()/-]+[km]?")


def is_figure(word: str) -> bool:
    """ "£4,000", "5.14%", "(3.2)", "14/10/24": a figure, as in a table row."""
    return bool(_FIGURE.fullmatch(word))


def snake_case(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
