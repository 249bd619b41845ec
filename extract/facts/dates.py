"""Dates in the narrative: pattern-found candidates, parsed day-first, years worked out.

Candidates come from `rules/dates.jsonl`; dateparser parses only those (DMY order,
English), through a cache. A date printed without a year takes the year that puts it
nearest the paper's meeting date, or, for a paper with no front sheet, nearest the
middle of the dates that do carry years.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from dateparser.date import DateDataParser

from extract.rules import DigitRuns, RulePattern, load_jsonl

_FULL_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_ABBREVIATIONS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
]
_MONTH_NUMBER = {m.lower(): i for i, m in enumerate(_FULL_MONTHS, 1)}
_MONTH_NUMBER.update(
    {
        a.lower(): _MONTH_NUMBER[m.lower()]
        for a, m in zip(
            _ABBREVIATIONS,
            [
                "January",
                "February",
                "March",
                "April",
                "June",
                "July",
                "August",
                "September",
                "September",
                "October",
                "November",
                "December",
            ],
            strict=True,
        )
    }
)


def _alternation(words: list[str]) -> str:
    forms = sorted({f for w in words for f in (w, w.upper())}, key=len, reverse=True)
    return "(?:" + "|".join(forms) + ")"


_PLACEHOLDERS = {
    "{MONTH}": _alternation(_FULL_MONTHS + _ABBREVIATIONS),
    "{FULLMONTH}": _alternation(_FULL_MONTHS),
    "{YEAR}": r"(?:19|20)\d\d",
    "{DAY}": r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?",
}
_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "first",
    "PREFER_DATES_FROM": "current_period",
    "REQUIRE_PARTS": ["month"],
}


@dataclass(frozen=True)
class DateRule:
    id: str
    pattern: RulePattern


@dataclass
class FoundDate:
    start: int
    end: int
    text: str
    date: dt.date
    date_end: dt.date | None
    precision: str  # day / month
    year_inferred: bool
    rule: str


def parse_day_month_year(day: int, month: int, year: int) -> dt.date | None:
    """The date of a day, month and year the patterns have already read as numbers, or None
    where there is no such day (31 April). dateparser on "6 December 2022" said the same
    for every day 0-32 of every month in five years (tests/test_facts.py) at ~4 ms a call;
    it parses the candidates whose order is in question (03/04/2022)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def parse_numeric(text: str) -> dt.date | None:
    """dateparser's reading (`dateparser.parse` with these languages and settings) by one
    parser made once: `parse` made a new one at every call, most of its cost. A form whose
    reading by dateparser is known (`_plain_date`) is read without it: dateparser's first
    call took a fifth of a second, each after it over a millisecond."""
    known, plain = _plain_date(text)
    if known:
        return plain
    data = _numeric_parser().get_date_data(text)
    return data["date_obj"].date() if data and data["date_obj"] else None


# Day-first with the same separator twice, and ISO: dateparser read every such date that
# is a day (all of them, for a sample of years, tests/test_facts.py some) as that day; a
# two-digit year as Python's %y does (00-68: the 2000s). With a four-digit year it read
# one that is no day first as month-first ("10/21/2024"), and one that is neither as
# nothing (all days and months 0-99, seven years 1900-2099: 150,000 forms); day and
# month both 0 as nothing whatever the year. Not "8.9/1921" (mixed separators: dateparser
# finds nothing, or sometimes a date) nor a two-digit year's that is no day ("13/25/24",
# "1/00/05": it reads those its own ways).
_DAY_FIRST = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{4}|\d{2})", re.ASCII)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


def _plain_date(text: str) -> tuple[bool, dt.date | None]:
    """(whether dateparser's reading of `text` is known without it, that reading)."""
    if m := _DAY_FIRST.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), int(m[4])
        if len(m[4]) == 2:
            year += 2000 if year < 69 else 1900
    elif m := _ISO.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        return False, None
    if not 1900 <= year <= 2099:
        return False, None
    if day == month == 0:  # no day, no month (a version number, "0.0.10"): nothing
        return True, None
    found = parse_day_month_year(day, month, year)
    if found is not None:
        return True, found
    if m.re is _ISO or len(m[4]) == 2:
        return False, None  # no day: dateparser reads these its own ways
    return True, parse_day_month_year(month, day, year)  # month-first, or nothing


@lru_cache(maxsize=1)
def _numeric_parser() -> DateDataParser:
    return DateDataParser(languages=["en"], settings=_SETTINGS)


def _placeholders(pattern: str) -> str:
    for key, value in _PLACEHOLDERS.items():
        pattern = pattern.replace(key, value)
    return pattern


@dataclass(frozen=True)
class DateFinder:
    rules: tuple[DateRule, ...] = field(default_factory=tuple)

    @classmethod
    def load(cls) -> DateFinder:
        rules = []
        for r in load_jsonl("dates.jsonl"):
            pattern, anchor = _placeholders(r["pattern"]), _placeholders(r.get("anchor", ""))
            scan = RulePattern(
                pattern,
                word_start_scan=bool(r.get("word_start_scan")),
                digit_start=bool(r.get("digit_start")),
                anchor=anchor,
                words_before=int(r.get("words_before", 0)),
                starts=_placeholders(r.get("starts", "")),
                digits=tuple(r["digits"]) if "digits" in r else None,
            )
            rules.append(DateRule(r["id"], scan))
        # dateparser loads its English data at its first parse (0.13-0.2 s a process), so
        # not here: only a date whose reading `_plain_date` does not know needs it (none of
        # Kent's 134 papers nor the corpus), and a worker that never meets one never pays
        return cls(tuple(rules))

    def find(self, text: str, reference: dt.date | None) -> list[FoundDate]:
        matches = []
        digit_runs = DigitRuns(text)
        found: dict[tuple[str, int], list[int]] = {}  # the months' places, for every rule
        for rule in self.rules:
            for m in rule.pattern.finditer(text, digit_runs, found):
                s, e = _span(m)
                matches.append((s, -(e - s), rule.id, m))
        matches.sort(key=lambda x: (x[0], x[1], x[2]))
        chosen, end = [], -1
        for start, _, rule_id, m in matches:
            if start >= end:
                chosen.append((rule_id, m))
                end = _span(m)[1]
        parsed = [(rule_id, m, self._parts(m)) for rule_id, m in chosen]
        parsed = [(r, m, p) for r, m, p in parsed if p is not None]
        if reference is None:
            reference = _middle([p for _, _, p in parsed if p["year"]])
        out = []
        for rule_id, m, parts in parsed:
            found = self._resolve(rule_id, m, parts, reference)
            if found:
                out.append(found)
        return out

    @staticmethod
    def _parts(m: re.Match[str]) -> dict | None:
        g = m.groupdict()
        if g.get("numeric") or g.get("iso"):
            d = parse_numeric(g.get("numeric") or g["iso"])
            return {"date": d, "year": d.year if d else None} if d else None
        month = _MONTH_NUMBER[g["month"].lower()]
        month2 = _MONTH_NUMBER[g["month2"].lower()] if g.get("month2") else None
        days = [
            int(re.match(r"\d+", d).group())
            for d in re.findall(r"\d{1,2}(?:st|nd|rd|th)?", g.get("days") or "")
        ]
        year = int(g["year"]) if g.get("year") else (2000 + int(g["yy"]) if g.get("yy") else None)
        year1 = int(g["year1"]) if g.get("year1") else None
        if g.get("days2"):  # "1st April – 31st March": a range of two days
            days = [days[0], int(re.match(r"\d+", g["days2"]).group())]
        return {"month": month, "month2": month2, "days": days, "year": year, "year1": year1}

    @staticmethod
    def _resolve(
        rule_id: str, m: re.Match[str], p: dict, reference: dt.date | None
    ) -> FoundDate | None:
        s, e = _span(m)
        if "date" in p:
            return FoundDate(s, e, m.string[s:e], p["date"], None, "day", False, rule_id)
        inferred = p["year"] is None
        year = p["year"] or _nearest_year(p["month"], p["days"][0] if p["days"] else 1, reference)
        if year is None:
            return None
        if p["days"]:
            first = parse_day_month_year(p["days"][0], p["month"], year)
            last = None
            if len(p["days"]) > 1:
                month2 = p["month2"] or p["month"]
                end_year = year + 1 if month2 < p["month"] else year  # "1 April – 31 March"
                last = parse_day_month_year(p["days"][-1], month2, end_year)
            if first is None:
                return None
            return FoundDate(s, e, m.string[s:e], first, last, "day", inferred, rule_id)
        start_year = p["year1"] or year
        if p["month2"] and p["month2"] < p["month"] and not p["year1"]:
            start_year = year - 1 if not inferred else year  # "December/January": across New Year
        first = parse_day_month_year(1, p["month"], start_year)
        last = None
        if p["month2"]:
            end_year = year if not inferred or p["month2"] >= p["month"] else year + 1
            last = parse_day_month_year(1, p["month2"], end_year)
        if first is None:
            return None
        return FoundDate(s, e, m.string[s:e], first, last, "month", inferred, rule_id)


def _span(m: re.Match[str]) -> tuple[int, int]:
    return m.span("date") if "date" in m.groupdict() and m.group("date") else m.span()


def _middle(parts: list[dict]) -> dt.date | None:
    dates = sorted(p["date"] if "date" in p else dt.date(p["year"], p["month"], 1) for p in parts)
    return dates[len(dates) // 2] if dates else None


def _nearest_year(month: int, day: int, reference: dt.date | None) -> int | None:
    if reference is None:
        return None
    best = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = dt.date(year, month, min(day, 28))
        except ValueError:
            continue
        distance = abs((candidate - reference).days)
        if best is None or distance < best[0]:
            best = (distance, year)
    return best[1] if best else None
