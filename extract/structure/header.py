"""Front-sheet metadata, label-driven (`rules/header_labels.jsonl`), for any template.

Layouts handled by the same rules because they all reach here as lines of text: Thurrock's
tab-separated rows (several labels on a line), Kent's label/value lines with values
wrapped over several lines and several people under one label, labels whose value is on
the next line, Markdown, and unlabelled header lines (a date line, the committee, the
title) above the labelled rows.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from extract.models import DocType
from extract.rules import load_jsonl, load_words
from extract.structure.lines import CONTACT_LINE, Line, collapse, find_date, lines_of
from extract.structure.people import Person, people_from_lines, starts_with_name

_BODY_START = re.compile(
    r"^\s*(?:\d{1,2}\.?\s+)?(?:executive\s+summary|summary(?:\s+of\s+report)?|purpose\s+of\s+report"
    r"|introduction|recommendations?(?:\(s\))?)\s*(?::.*)?$",
    re.IGNORECASE,
)
_NUMBERED_LINE = re.compile(r"^\s*\d{1,3}(?:\.\d{1,2})*\.?\s+[A-Z]")
_COMMITTEE_WORDS = re.compile(
    r"\b(?:committee|cabinet|council|board|panel|forum|sub-committee|executive|commission|"
    r"partnership|assembly)\b",
    re.IGNORECASE,
)
_CLASSIFICATION_SENTENCE = re.compile(
    r"^\s*this\s+report\s+is\s+(?:a\s+)?(?P<value>public|exempt|confidential|restricted|"
    r"part\s+exempt|not\s+for\s+publication)\b",
    re.IGNORECASE | re.MULTILINE,
)
_MINUTES_LINE = re.compile(
    r"minutes\s+of\s+(?:a|the)\s+(?:\w+\s+)?meeting\s+of\s+(?:the\s+)?"
    r"(?P<committee>[A-Z][\w'’&,\- ]+?)\s+held\b(?P<rest>.{0,250})",
    re.IGNORECASE | re.DOTALL,
)
_SUMMONS = re.compile(
    r"\bmeeting\s+of\s+(?:the\s+)?(?P<committee>[A-Z][\w'’&\- ]+?)\s+will\s+be\s+held",
    re.DOTALL,
)
# The meeting's heading line in a pack's covering letter or an agenda: "COUNTY COUNCIL -
# THURSDAY, 9 JANUARY 2025". It names the meeting; a letter's "Date:" is when it was sent.
_MEETING_HEADING = re.compile(
    r"(?P<committee>[A-Z][\w'’&,() ]{2,80}?)\s+[-–—]\s+(?P<date>(?:mon|tues|wednes|thurs|fri|"
    r"satur|sun)day,?\s+.{6,30})",
    re.IGNORECASE,
)
_COUNCIL_HEADER = re.compile(
    r"^[ \t]*(?P<council>(?:[A-Z][A-Za-z'’-]+[ \t]+){1,3}(?:COUNTY[ \t]+|BOROUGH[ \t]+|CITY[ \t]+|"
    r"DISTRICT[ \t]+)?COUNCIL)[ \t]*$",
    re.MULTILINE,
)
_COUNCIL_MENTION = re.compile(
    r"\b(?P<council>(?:[A-Z][a-z'’-]+[ \t]+){1,3}(?:County[ \t]+|Borough[ \t]+|City[ \t]+|"
    r"District[ \t]+|Metropolitan[ \t]+Borough[ \t]+)?Council)\b"
)
# Any "Label: value" line (labels we do not know, such as "Previous Pathway:") ends the
# value above it.
_ANY_LABEL = re.compile(r"^\s*[A-Z][A-Za-z()/&' -]{2,40}\s?:(?:\s|$)")
# Values that never wrap: a first line that has a value is the whole value.
_ONE_LINE = frozenset({"key_decision", "decision_number"})
# A council named only once may be a typo or another council in passing.
MIN_COUNCIL_MENTIONS = 2
# What a council mention is made of: the characters of `_COUNCIL_MENTION`'s words and gaps.
_MENTION_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'’- \t")
_MENTION_RUN = re.compile(r"[A-Za-z'’ \t-]*")
_NOT_COUNCIL_NAMES = frozenset(load_words("not_council_names.txt"))
_EXEMPT_WORDS = re.compile(r"exempt|confidential|restricted|not\s+for\s+publication|private", re.I)
_PUBLIC_WORDS = re.compile(r"public|unrestricted|open|for\s+publication", re.I)
_KEY_YES = re.compile(r"^\s*(?:yes|key)\b", re.I)
_KEY_NO = re.compile(r"^\s*(?:no|non[- ]?key|n/?a|not\s+a\s+key)\b", re.I)


_COLON = re.compile(":")


@dataclass(frozen=True)
class Label:
    rule: str
    field: str
    kind: str
    where: str
    label: str
    inline: bool


@dataclass
class FieldValue:
    value: str
    start: int
    end: int
    rule: str


@dataclass
class Header:
    fields: dict[str, FieldValue] = field(default_factory=dict)
    people: dict[str, list[tuple[Person, int, int, str]]] = field(default_factory=dict)

    def set(self, name: str, value: str, start: int, end: int, rule: str) -> None:
        if name in _NAMES_OF_BODIES and value.isupper():
            value = title_case(value)  # "CABINET" groups with "Cabinet"
        if value and name not in self.fields:
            self.fields[name] = FieldValue(value, start, end, rule)

    def value(self, name: str) -> str:
        f = self.fields.get(name)
        return f.value if f else ""


@dataclass(frozen=True)
class HeaderExtractor:
    labels: tuple[Label, ...]
    pattern: re.Pattern[str]  # any label at a line start or after a tab / two spaces

    @classmethod
    def load(cls) -> HeaderExtractor:
        labels = []
        for r in load_jsonl("header_labels.jsonl"):
            for lab in r["labels"]:
                labels.append(
                    Label(r["id"], r["field"], r["kind"], r["where"], lab, bool(r.get("inline")))
                )

        def alternation(labs: list[Label]) -> str:
            return "|".join(
                re.escape(lab.label) for lab in sorted(labs, key=lambda x: -len(x.label))
            )

        # Any label at a line start or after a tab / two spaces; the few that share a line
        # with another value in PDFs ("To: County Council Date: 13 March 2025") after any space.
        inline = [lab for lab in labels if lab.inline]
        pattern = re.compile(
            rf"(?:(?:^|\t|  )[ \t]*(?P<label>{alternation(labels)})"
            rf"|(?<=\S )(?P<inline>{alternation(inline)}))[ \t]*:",
            re.MULTILINE | re.IGNORECASE,
        )
        return cls(tuple(labels), pattern)

    def _label(self, m: re.Match[str]) -> Label:
        text = (m.group("label") or m.group("inline")).lower()
        return next(lab for lab in self.labels if lab.label.lower() == text)

    def extract(self, text: str, doc_type: DocType) -> Header:
        header = Header()
        lines = lines_of(text)
        front = self.front_sheet(lines)
        if doc_type is DocType.AGENDA:
            self._meeting_heading(lines, header)
        self._labelled(text, lines, front, header)
        self._unlabelled_top(lines, front, header)
        self._classification(text[: front[-1].end if front else 0], header)
        if doc_type is DocType.MINUTES:
            self._minutes(text, header)
        if doc_type is DocType.AGENDA:
            self._agenda(text, lines, header)
        self._council(text, header)
        return header

    # -- regions -------------------------------------------------------------------------

    def front_sheet(self, lines: list[Line]) -> list[Line]:
        """Lines before the body starts (Executive Summary, Summary:, a numbered section)."""
        out = []
        for line in lines[:60]:
            if "\f" in line.text or _BODY_START.match(line.text):
                break
            if _NUMBERED_LINE.match(line.text) and not find_date(line.text):
                break
            out.append(line)
        return out

    # -- labels --------------------------------------------------------------------------

    def _labelled(self, text: str, lines: list[Line], front: list[Line], header: Header) -> None:
        front_end = front[-1].end if front else 0
        anywhere: dict[str, tuple[Label, int, int, list[Line]]] = {}
        # A label ends in a colon on its own line: only lines with a colon are tried.
        starts = [ln.start for ln in lines]
        with_colon = sorted({bisect_right(starts, m.start()) - 1 for m in _COLON.finditer(text)})
        for idx in with_colon:
            line = lines[idx]
            matches = list(self.pattern.finditer(line.text))
            for j, m in enumerate(matches):
                label = self._label(m)
                in_front = line.end <= front_end
                if label.where == "front" and not in_front:
                    continue
                value_end = matches[j + 1].start() if j + 1 < len(matches) else len(line.text)
                first = line.text[m.end() : value_end].strip()
                more = (
                    []
                    if j + 1 < len(matches)
                    else self._continuation(lines, idx, label, bool(first))
                )
                start = (
                    line.start
                    + m.end()
                    + (len(line.text[m.end() :]) - len(line.text[m.end() :].lstrip()))
                )
                value_lines = ([first] if first else []) + [ln.stripped for ln in more]
                end = more[-1].content_end if more else line.start + value_end
                if label.where == "anywhere" and not in_front:
                    anywhere[label.field] = (label, start, end, value_lines)
                else:
                    self._assign(label, value_lines, start, end, header)
        for label, start, end, value_lines in anywhere.values():
            self._assign(label, value_lines, start, end, header)

    def _continuation(
        self, lines: list[Line], idx: int, label: Label, has_first: bool
    ) -> list[Line]:
        """Lines that carry on a label's value: not blank (unless the value has not begun),
        no label of their own, not the start of the body."""
        limit = 5 if label.kind == "people" else 3
        out: list[Line] = []
        for line in lines[idx + 1 : idx + 1 + limit + 2]:
            if line.blank:
                if out or has_first:
                    break
                continue
            if (
                self.pattern.search(line.text)
                or _BODY_START.match(line.text)
                or _CLASSIFICATION_SENTENCE.match(line.text)
                or "\f" in line.text
                or CONTACT_LINE.search(line.text)
                or _ANY_LABEL.match(line.text)
                or re.match(r"^\s*\d{1,2}(?:\.\d+)*\.?\s+[A-Z]", line.text)
            ):
                break
            if label.kind != "people" and len(out) >= limit:
                break
            if (label.kind in ("item", "date", "classification") or label.field in _ONE_LINE) and (
                out or has_first
            ):
                break
            out.append(line)
            if len(out) >= limit:
                break
        return out

    def _assign(
        self, label: Label, value_lines: list[str], start: int, end: int, header: Header
    ) -> None:
        if not value_lines:
            return
        joined = collapse(" ".join(value_lines))
        if label.kind == "people":
            people = people_from_lines(value_lines)
            if label.field in header.people or not people:
                return
            header.people[label.field] = [(p, start, end, label.rule) for p in people]
            header.set(
                f"{label.field}_name",
                "; ".join(p.name for p in people if p.name),
                start,
                end,
                label.rule,
            )
            header.set(
                f"{label.field}_role",
                "; ".join(p.role for p in people if p.role),
                start,
                end,
                label.rule,
            )
        elif label.kind == "meeting":
            found = find_date(joined)
            committee = joined[: found[1]] if found else joined
            committee = committee.strip(" -–—,:")
            if committee and len(committee.split()) <= 12 and not starts_with_name(committee):
                header.set("committee", committee, start, end, label.rule)
            if found:
                header.set("meeting_date", found[0].isoformat(), start, end, label.rule)
        elif label.kind == "date":
            found = find_date(joined)
            if found:
                header.set("meeting_date", found[0].isoformat(), start, end, label.rule)
        elif label.kind == "item":
            m = re.match(r"(\d{1,3}(?:\.\d+)?[A-Za-z]?)\b", joined)
            if m:
                header.set("item_number", m.group(1), start, end, label.rule)
        elif label.kind == "classification":
            header.set("classification", access_level(joined), start, end, label.rule)
        else:
            header.set(label.field, joined, start, end, label.rule)

    # -- unlabelled lines ----------------------------------------------------------------

    def _unlabelled_top(self, lines: list[Line], front: list[Line], header: Header) -> None:
        """Thurrock-style header: a line with the meeting date (and ITEM), then the
        committee, then the title, above the labelled rows."""
        top: list[Line] = []
        for line in front:
            labelled = self.pattern.search(line.text) or _CLASSIFICATION_SENTENCE.match(line.text)
            # "14 March 2023  ITEM: 10" is labelled, yet opens the header
            opens = not top and find_date(line.text) and re.search(r"\bITEM\b", line.text, re.I)
            if labelled and not opens:
                break
            if not line.blank:
                top.append(line)
        if not top:
            return
        first = top[0]
        found = find_date(first.text)
        if not found:
            return
        d, s, e = found
        header.set(
            "meeting_date", d.isoformat(), first.start + s, first.start + e, "header.date_line"
        )
        rest = top[1:]
        if rest and _COMMITTEE_WORDS.search(rest[0].text) and len(rest[0].stripped.split()) <= 12:
            c = rest[0]
            header.set(
                "committee",
                collapse(c.text),
                c.content_start,
                c.content_end,
                "header.committee_line",
            )
            rest = rest[1:]
        if rest:
            t = rest[0]
            header.set(
                "title", collapse(t.text), t.content_start, t.content_end, "header.title_line"
            )

    def _classification(self, front_text: str, header: Header) -> None:
        m = _CLASSIFICATION_SENTENCE.search(front_text)
        if m:
            header.set(
                "classification",
                access_level(m.group("value")),
                m.start("value"),
                m.end("value"),
                "header.this_report_is",
            )

    def _minutes(self, text: str, header: Header) -> None:
        m = _MINUTES_LINE.search(text[:2000])
        if not m:
            return
        committee = collapse(m.group("committee"))
        header.set(
            "committee", committee, m.start("committee"), m.end("committee"), "minutes.meeting_of"
        )
        found = find_date(m.group("rest"))
        if found:
            s = m.start("rest") + found[1]
            header.set(
                "meeting_date",
                found[0].isoformat(),
                s,
                m.start("rest") + found[2],
                "minutes.held_on",
            )

    def _meeting_heading(self, lines: list[Line], header: Header) -> None:
        for line in lines[:15]:
            m = _MEETING_HEADING.fullmatch(line.stripped)
            found = find_date(m.group("date")) if m else None
            if m and found:
                start = line.content_start
                header.set(
                    "committee",
                    collapse(m.group("committee")),
                    start + m.start("committee"),
                    start + m.end("committee"),
                    "agenda.meeting_heading",
                )
                header.set(
                    "meeting_date",
                    found[0].isoformat(),
                    start + m.start("date"),
                    start + m.end("date"),
                    "agenda.meeting_heading",
                )
                return

    def _agenda(self, text: str, lines: list[Line], header: Header) -> None:
        top = [ln for ln in lines[:12] if not ln.blank]
        for i, line in enumerate(top[:-1]):
            if re.fullmatch(r"\s*(?:AGENDA|A G E N D A)\s*", line.text, re.I):
                nxt = top[i + 1]
                if not find_date(nxt.text) and len(nxt.stripped.split()) <= 8:
                    header.set(
                        "committee",
                        collapse(nxt.text),
                        nxt.content_start,
                        nxt.content_end,
                        "agenda.heading",
                    )
                break
        m = _SUMMONS.search(text[:3000])
        if m:
            header.set(
                "committee",
                collapse(m.group("committee")),
                m.start("committee"),
                m.end("committee"),
                "agenda.summons",
            )
        head = text[:600]
        found = find_date(head)
        if found:
            header.set(
                "meeting_date", found[0].isoformat(), found[1], found[2], "agenda.first_date"
            )

    def _council(self, text: str, header: Header) -> None:
        m = _COUNCIL_HEADER.search(text[:400])
        if m:
            header.set(
                "council",
                collapse(m.group("council")).title(),
                m.start("council"),
                m.end("council"),
                "council.header_line",
            )
            return
        counts: dict[str, list[re.Match[str]]] = {}
        for m in council_mentions(text):
            if re.search(
                r"(?:\band|\bwith|&|\bbetween|,)\s+$", text[max(0, m.start() - 12) : m.start()]
            ):
                continue  # a partner in a list ("Kent County Council and Medway Council")
            if re.match(
                r"\s+(?:leaders?|members?|officers?|areas?|chief)\b",
                text[m.end() : m.end() + 10],
                re.I,
            ):
                continue  # "Kent Council Leaders": a group, not a council
            name = collapse(m.group("council"))
            words = name.split()
            while words and words[0] in _NOT_COUNCIL_NAMES:
                words = words[1:]
            if len(words) < 2 or words[0] in ("County", "Borough", "City", "District"):
                continue
            counts.setdefault(" ".join(words), []).append(m)
        ranked = sorted(counts, key=lambda k: (-len(counts[k]), k))
        if (
            ranked
            and len(counts[ranked[0]]) >= MIN_COUNCIL_MENTIONS
            and (len(ranked) == 1 or len(counts[ranked[0]]) >= 2 * len(counts[ranked[1]]))
        ):
            best = ranked[0]  # named often, and twice as often as any other council
            m = counts[best][0]
            header.set(
                "council",
                best,
                m.end("council") - len(best),
                m.end("council"),
                "council.most_named",
            )


def council_mentions(text: str) -> Iterator[re.Match[str]]:
    """`_COUNCIL_MENTION.finditer(text)`, tried only about each "Council": a mention is
    made of `_MENTION_CHARS` and ends in "Council", so it lies in the run of those
    characters around one (where `re` tried every capital of the paper, a tenth of
    reading its structure). The regex is cut off one character past the run: nothing in
    the run reads further."""
    pos = 0
    while (council := text.find("Council", pos)) >= 0:
        start = council
        while start > pos and text[start - 1] in _MENTION_CHARS:
            start -= 1
        end = _MENTION_RUN.match(text, council).end()
        m = _COUNCIL_MENTION.search(text, start, end + 1)
        if m:
            yield m
            pos = m.end()
        else:
            pos = end + 1


_NAMES_OF_BODIES = frozenset({"committee", "council"})
_SMALL_WORDS = frozenset({"and", "of", "the", "for", "on", "in", "to", "a"})


def title_case(value: str) -> str:
    words = value.lower().split()
    return " ".join(
        w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words)
    )


def access_level(value: str) -> str:
    """public / exempt, from the many ways papers say it."""
    if _EXEMPT_WORDS.search(value) and not re.search(r"unrestricted", value, re.I):
        return "exempt"
    if _PUBLIC_WORDS.search(value):
        return "public"
    return ""


def key_decision_flag(value: str) -> str:
    if _KEY_NO.match(value):
        return "false"
    if _KEY_YES.match(value):
        return "true"
    return ""
