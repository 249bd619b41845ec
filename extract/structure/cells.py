"""What one table cell holds: a number with its unit, read the way council tables print them."""

from __future__ import annotations

import re
from functools import lru_cache

# £1,234.5m  (1,234)  -12%  12.5 %  £(3.2)bn  – 4  1 234
_NUMBER = re.compile(
    r"""^\s*
    (?P<sign>[-−–+])?\s*
    (?P<cur>[£$€])?\s*
    (?P<sign2>[-−–])?\s*
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    \s*(?P<scale>bn|m|k)?\s*
    (?P<pct>%)?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_BRACKETED = re.compile(r"^([^()]*)\(([^()]*)\)([^()]*)$")


@lru_cache(maxsize=16384)
def parse_number(text: str) -> tuple[float | None, str]:
    """(value, unit) of a cell that is a number, else (None, "").

    Kept for the cells seen lately: a quarter of Kent's cell texts came round again (a
    pack's papers are published on their own too; "Yes", "N/A", "£m"), and a result is an
    immutable pair.

    Brackets and any dash mean negative; thousands separators go; the currency, the
    scale word (m, k, bn) and % are kept as the unit, not applied, so the number is the
    one printed.
    """
    bracketed = _BRACKETED.match(text)  # (5), £(3.2)bn: negative
    if bracketed:
        text = "".join(bracketed.groups())
    elif "(" in text or ")" in text:
        return None, ""
    m = _NUMBER.match(text)
    if m is None:
        return None, ""
    value = float(m["num"].replace(",", ""))
    if bracketed or m["sign"] in ("-", "−", "–") or m["sign2"]:
        value = -value
    unit = (m["cur"] or "") + (m["scale"] or "").lower() + (m["pct"] or "")
    return value, unit


def is_data_number(text: str) -> bool:
    """A number as data (2,859; £4m; 12.5%; (3)) rather than a small label (1, 2, 3)."""
    value, unit = parse_number(text)
    if value is None:
        return False
    return bool(unit) or "," in text or "." in text.strip("()") or abs(value) >= 100
