"""Minutes and agendas: the items a meeting took, what it resolved and who attended; the
items an agenda lists with their pages in the pack; where and when the meeting was held.

Rules are data (rules/meetings.jsonl). Minute items are found by their agenda markers
("(Item 3)" under the heading) where the minutes print them, else by numbered headings
whose numbers rise through the document (discussion paragraphs restart at 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from extract.ingest.normalise import DocumentText
from extract.models import (
    AgendaItemRow,
    Attendance,
    AttendanceRow,
    MinuteItemRow,
    ResolutionRow,
)
from extract.rules import load_jsonl
from extract.structure.lines import CONTACT_LINE, Line, collapse, find_date, lines_of

# Post-nominals printed after a name and a comma ("Mr R C Love, OBE"): part of the name.
_HONOURS = frozenset(
    ["OBE", "CBE", "MBE", "KBE", "DBE", "BEM", "QPM", "DL", "JP", "KC", "QC", "MP", "MEP"]
)
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Dame|Cllr|Councillor|Prof|Professor|Rev|Revd|Lord|Lady)"
_CAP = "[A-ZÀ-ÖØ-Þ]"  # a capital, accented ones too (Ó Súilleabháin)
_NAME = re.compile(rf"(?:{_TITLE}\.?\s+)?{_CAP}[\w'’.-]*(?:\s+{_CAP}[\w'’.-]*){{0,4}}")
_FULL_NAME = re.compile(rf"{_TITLE}\.?\s+{_CAP}[\w'’.-]*.*|{_CAP}\S*\s+{_CAP}.*")
_AND = re.compile(r"\s+and\s+")
# a full stop that ends a sentence, not an initial's ("Mr C. Green") or a title's ("Dr.")
_SENTENCE_END = re.compile(
    r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSt)\.(?=\s+[A-Z][a-z]|\s*$)"
)
_CONNECTORS = frozenset(
    ["of", "and", "for", "the", "to", "on", "in", "at", "with", "a", "an", "&", "-", "–", "—"]
)
_HEAD_CHARS = 6000  # attendance lists and the venue are in the minutes' opening
_HEADING_LINES = 5  # a minute title wraps over at most this many lines


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    pattern: re.Pattern[str]
    capacity: str = ""


@dataclass(frozen=True)
class MeetingRules:
    rules: tuple[Rule, ...]

    @classmethod
    def load(cls) -> MeetingRules:
        rules = []
        for r in load_jsonl("meetings.jsonl"):
            flags = 0 if r.get("case") else re.IGNORECASE
            rules.append(
                Rule(r["id"], r["kind"], re.compile(r["pattern"], flags), r.get("capacity", ""))
            )
        return cls(tuple(rules))

    def of(self, kind: str) -> list[Rule]:
        return [r for r in self.rules if r.kind == kind]

    def one(self, kind: str) -> Rule:
        return self.of(kind)[0]


@dataclass
class Meeting:
    minute_items: list[MinuteItemRow] = field(default_factory=list)
    resolutions: list[ResolutionRow] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    agenda_items: list[AgendaItemRow] = field(default_factory=list)
    # header fields: (name, value, start, end, rule)
    fields: list[tuple[str, str, int, int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Item:
    start: int  # the heading's first line
    body_start: int  # after the heading (and its marker)
    minute_number: str
    item_number: str
    title: str
    rule: str


# --- minutes ------------------------------------------------------------------------------


def read_minutes(doc_id: str, doc: DocumentText, rules: MeetingRules) -> Meeting:
    text, out = doc.text, Meeting()
    lines = lines_of(text)
    items = _marked_items(lines, rules) or _numbered_items(lines, rules)
    ends = [i.start for i in items[1:]] + [len(text)] if items else []
    head_end = items[0].start if items else min(len(text), _HEAD_CHARS)
    people = _attendance_lists(text, lines, head_end, rules)
    for seq, (item, end) in enumerate(zip(items, ends, strict=True), 1):
        body = text[item.body_start : end]
        out.minute_items.append(
            MinuteItemRow(
                doc_id,
                seq,
                item.minute_number,
                item.item_number,
                item.title,
                _presenter(body, rules),
                collapse(body),
                doc.page_of(item.start),
                item.start,
                end,
                item.rule,
            )
        )
        for number, words, a, b, rule in _resolutions(body, item.body_start, rules):
            out.resolutions.append(
                ResolutionRow(
                    doc_id,
                    len(out.resolutions) + 1,
                    seq,
                    item.minute_number,
                    item.item_number,
                    number,
                    words,
                    doc.page_of(a),
                    a,
                    b,
                    rule,
                )
            )
        if re.search(r"\bapolog", item.title, re.I):
            people += _apologies(body, item.body_start, rules)
    if not any(p[2] == Attendance.APOLOGIES for p in people):
        people += _apologies(text[:head_end], 0, rules)
    people.sort(key=lambda p: p[3])
    out.attendance = [
        AttendanceRow(doc_id, i, name, role, capacity.value, doc.page_of(a), a, b, rule)
        for i, (name, role, capacity, a, b, rule) in enumerate(people, 1)
    ]
    out.fields = _venue(text, rules) + _time(text, rules)
    return out


def _marked_items(lines: list[Line], rules: MeetingRules) -> list[_Item]:
    """Items under a heading with an agenda marker line: "285. English Devolution White
    Paper" then "(Item 3)"; the title is the lines above the marker back to the number, or
    to the line that ends the text before."""
    marker, numbered = rules.one("item_marker"), rules.one("numbered_heading")
    stops = rules.of("agenda_stop")
    items = []
    for i, line in enumerate(lines):
        m = marker.pattern.fullmatch(line.stripped)
        if not m or line.blank:
            continue
        heading: list[Line] = []
        for above in reversed(lines[max(0, i - 8) : i]):
            if above.blank:
                continue
            s = above.stripped
            ends_text = s[-1] in ".:;" or (s.endswith(")") and "(" not in s)
            if (heading and ends_text) or (
                s[-1] in ":;"  # a sentence leading into a list, even right above the marker
                or marker.pattern.fullmatch(s)
                or s[0] in "•·-–*"
                or any(r.pattern.fullmatch(s) for r in stops)
            ):
                break
            heading.insert(0, above)
            if numbered.pattern.fullmatch(s) or len(heading) == _HEADING_LINES:
                break
        if not heading:
            continue
        title = collapse(" ".join(h.text for h in heading))
        n = numbered.pattern.fullmatch(title)
        number, title = (n.group("number"), n.group("title")) if n else ("", title)
        items.append(
            _Item(
                heading[0].content_start,
                line.end,
                number,
                re.sub(r"\s+", "", m.group("item")),
                title.strip(),
                marker.id,
            )
        )
    return items


def _numbered_items(lines: list[Line], rules: MeetingRules) -> list[_Item]:
    """Numbered headings whose numbers rise: "12. Minutes", "13. Urgent Items". A
    numbered paragraph is a sentence (it ends in a stop or a colon, or runs on to a
    lower-case line) or restarts the count."""
    numbered, resolved = rules.one("numbered_heading"), rules.one("resolved")
    items: list[_Item] = []
    for i, line in enumerate(lines):
        m = numbered.pattern.fullmatch(line.stripped)
        if not m or line.blank or CONTACT_LINE.search(line.text) or _starts_with_date(line):
            continue
        title = m.group("title").strip()
        following = next((ln.stripped for ln in lines[i + 1 :] if not ln.blank), "")
        if (
            title[-1] in ".:;,"
            or len(title.split()) > 16
            or resolved.pattern.match(title)
            or (following[:1].islower())
        ):
            continue
        items.append(_Item(line.content_start, line.end, m.group("number"), "", title, numbered.id))
    return _longest_rising(items, lambda i: (int(i.minute_number),))


def _longest_rising(items: list, key: Callable) -> list:
    """The longest subsequence whose keys rise: minute and item numbers rise through a
    paper, a stray number does not. Of equal choices the later wins, since a numbered list
    inside an item comes before the items whose numbers it repeats."""
    if not items:
        return []
    keys = [key(i) for i in items]
    best = [1] * len(items)
    before = [-1] * len(items)
    for j in range(len(items)):
        for i in range(j):
            if keys[i] < keys[j] and best[i] + 1 >= best[j]:
                best[j], before[j] = best[i] + 1, i
    j = max(range(len(items)), key=lambda k: (best[k], k))
    chain = []
    while j >= 0:
        chain.append(items[j])
        j = before[j]
    return chain[::-1]


def _starts_with_date(line: Line) -> bool:
    date = find_date(line.stripped)
    return date is not None and date[1] == 0


def _presenter(body: str, rules: MeetingRules) -> str:
    """Who introduced the item: the first person a sentence says introduced, presented,
    moved or proposed it, by name where one is given ("Mr Gough" over "The Leader")."""
    rule = rules.one("presenter")
    found = [m.group("who").strip() for m in rule.pattern.finditer(collapse(body))]
    named = [who for who in found if not who.startswith("The ")]  # a name over "The Leader"
    return (named or found or [""])[0]


def _resolutions(body: str, offset: int, rules: MeetingRules):
    """(number, text, start, end, rule) for each decision in an item: the words after
    RESOLVED up to the next paragraph of the discussion (or the next decision), split into
    its numbered or lettered parts when it has them."""
    resolved = rules.one("resolved")
    paragraph, part = rules.one("paragraph"), rules.one("resolution_part")
    found = list(resolved.pattern.finditer(body))
    for k, m in enumerate(found):
        end = found[k + 1].start() if k + 1 < len(found) else len(body)
        line_start = body.rfind("\n", 0, m.start()) + 1
        own = re.match(r"[ \t]*\(?(\d{1,2})[.)]", body[line_start : m.start()])
        if own is not None:  # "3. RESOLVED …" is paragraph 3: paragraph 4 ends it
            for p in re.finditer(paragraph.pattern.pattern, body[m.end() : end], re.M):
                if int(re.search(r"\d+", p.group()).group()) == int(own.group(1)) + 1:
                    end = m.end() + p.start()
                    break
        start = m.end() + len(re.match(r"[\s:–—,-]*", body[m.end() : end]).group())
        # "RESOLVED:" on its own numbers its parts 1., 2. (a numbered paragraph does not)
        parts_rule = re.compile(
            part.pattern.pattern if own is not None else _either(part, paragraph),
            re.M | part.pattern.flags,
        )
        span = _paragraph(body[start:end], parts_rule).rstrip()
        parts = list(parts_rule.finditer(span))
        lead = collapse(span[: parts[0].start()]) if parts else ""
        if parts and lead.endswith("."):  # a whole decision, then numbered discussion
            span, parts = span[: parts[0].start()].rstrip(), []
        if not parts:
            yield "", collapse(span), offset + start, offset + start + len(span), resolved.id
            continue
        bounds = [p.start() for p in parts[1:]] + [len(span)]
        for p, stop in zip(parts, bounds, strict=True):
            words = span[p.end() : stop].rstrip()
            yield (
                re.search(r"\w+", p.group()).group(),
                collapse(words),
                offset + start + p.start(),
                offset + start + p.end() + len(words),
                part.id,
            )


def _paragraph(text: str, parts: re.Pattern[str]) -> str:
    """The decision's text: up to a blank line that is not followed by another part."""
    for gap in re.finditer(r"\n[ \t\f]*\n\s*", text):
        if not parts.match(text, gap.end()):
            return text[: gap.start()]
    return text


def _either(first: Rule, second: Rule) -> str:
    return f"(?:{first.pattern.pattern})|(?:{second.pattern.pattern})".replace("?P<number>", "")


# --- attendance ---------------------------------------------------------------------------


def _attendance_lists(text: str, lines: list[Line], head_end: int, rules: MeetingRules):
    """(name, role, capacity, start, end, rule) for each person in the lists at the head:
    "PRESENT: Mr R W Gough (Chairman), Mr N Baker, …"."""
    labels = rules.of("attendance")
    found = []
    heads = [ln for ln in lines if ln.end <= head_end and not ln.blank]
    for k, line in enumerate(heads):
        rule, m = next(
            ((r, r.pattern.match(line.stripped)) for r in labels if r.pattern.match(line.stripped)),
            (None, None),
        )
        if rule is None:
            continue
        start = line.content_start + m.end()
        end = line.end
        for nxt in heads[k + 1 :]:
            s = nxt.stripped
            if (
                any(r.pattern.match(s) for r in labels)
                or (s.isupper() and len(s) > 3)  # UNRESTRICTED ITEMS
                or nxt.start > end + 1  # a blank line between
            ):
                break
            end = nxt.end
        capacity = Attendance(rule.capacity)
        for name, role, a, b in split_people(text[start:end], start):
            found.append((name, role, capacity, a, b, rule.id))
    return found


def _apologies(text: str, offset: int, rules: MeetingRules):
    """People a sentence says sent apologies: "Apologies were received from Mrs C Bell
    and Mr A Booth." Names only (a sentence may go on about something else)."""
    out = []
    for rule in rules.of("apologies_sentence"):
        for m in rule.pattern.finditer(text):
            if re.search(r"\bno\s+apologies\b", text[max(0, m.start() - 3) : m.end()], re.I):
                continue
            rest = text[m.end() :]
            stop = _SENTENCE_END.search(rest)
            blank = re.search(r"\n\s*\n", rest)
            cut = min(x.start() for x in (stop, blank) if x) if stop or blank else len(rest)
            for name, role, a, b in split_people(rest[:cut], offset + m.end()):
                if _FULL_NAME.fullmatch(name):  # "Mrs C Bell", "Sue Chandler"; not "Members"
                    out.append((name, role, Attendance.APOLOGIES, a, b, rule.id))
    return out


def split_people(text: str, offset: int) -> list[tuple[str, str, int, int]]:
    """A printed list of people as (name, role, start, end): split at commas and "and"
    outside brackets; "(Chairman)" is a role, ", OBE" stays with the name, and a piece
    that is not a name ("Cabinet Member for …") is the role of the name before it."""
    pieces, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        depth += (ch == "(") - (ch == ")" and depth > 0)
        if depth == 0 and ch in ",;":
            pieces.append((start, i))
            start = i + 1
        elif depth == 0 and ch.isspace() and text[i - 1 : i] != ",":
            joined = _AND.match(text, i)
            if joined:
                pieces.append((start, i))
                start = i = joined.end()
                continue
        i += 1
    pieces.append((start, len(text)))
    people: list[list] = []  # [name, role, start, end]
    for a, b in pieces:
        raw = text[a:b]
        lead = re.match(r"\s*(?:and\s+)?", raw).end()
        piece = collapse(raw[lead:]).rstrip(".").strip()
        if not piece:
            continue
        a, b = a + lead, a + len(raw.rstrip())
        if people and piece.replace(".", "") in _HONOURS:
            people[-1][0] += ", " + piece
            people[-1][3] = offset + b
            continue
        role = ""
        m = re.fullmatch(r"(.*?)\s*\((.*)\)", piece)
        if m:
            piece, role = m.group(1).strip(), collapse(m.group(2))
        if _NAME.fullmatch(piece):
            people.append([piece, role, offset + a, offset + b])
        elif people and not people[-1][1]:
            people[-1][1] = piece  # "Sue Chandler, Cabinet Member for …"
            people[-1][3] = offset + b
    return [tuple(p) for p in people]


# --- where and when -----------------------------------------------------------------------


def _venue(text: str, rules: MeetingRules) -> list[tuple[str, str, int, int, str]]:
    for rule in rules.of("venue"):
        m = rule.pattern.search(text[:1500])
        if m:
            return [("venue", collapse(m.group("venue")).rstrip(","), *m.span("venue"), rule.id)]
    return []


def _time(text: str, rules: MeetingRules) -> list[tuple[str, str, int, int, str]]:
    rule = rules.one("time")
    m = rule.pattern.search(text[:1500])
    if not m:
        return []
    hour = int(m.group("hour")) % 12 + (12 if m.group("half").lower().startswith("p") else 0)
    minute = m.group("minute") or "00"
    return [("meeting_time", f"{hour:02d}:{minute}", m.start(), m.end(), rule.id)]


# --- agendas ------------------------------------------------------------------------------


def read_agenda(doc_id: str, doc: DocumentText, rules: MeetingRules) -> Meeting:
    text, out = doc.text, Meeting()
    lines = lines_of(text)
    item_rule, pages = rules.one("agenda_item"), rules.one("pages")
    starts = [k for k, line in enumerate(lines) if _is_agenda_item(line, item_rule)]
    for n, k in enumerate(starts):
        line = lines[k]
        m = item_rule.pattern.fullmatch(line.stripped)
        title, end = m.group("title").strip(), line.content_end
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        for nxt in lines[k + 1 : stop]:
            s = nxt.stripped
            if pages.pattern.search(title) or not _continues(title, s, last=stop == len(lines)):
                break
            title, end = f"{title} {s}", nxt.content_end
        p = pages.pattern.search(title)
        first = int(p.group("first")) if p else None
        last = int(p.group("last") or p.group("first")) if p else None
        if p:
            title = (title[: p.start()] + title[p.end() :]).strip()
        out.agenda_items.append(
            AgendaItemRow(
                doc_id,
                n + 1,
                m.group("number").replace(" ", ""),
                collapse(title),
                first,
                last,
                doc.page_of(line.content_start),
                line.content_start,
                end,
                item_rule.id,
            )
        )
    out.agenda_items = _agenda_list(out.agenda_items)
    out.fields = (_venue(text, rules) or _agenda_venue(lines)) + _time(text, rules)
    return out


def _is_agenda_item(line: Line, rule: Rule) -> bool:
    """An item line, not a contact line or a date ("24 February 2025")."""
    if line.blank or not rule.pattern.fullmatch(line.stripped) or CONTACT_LINE.search(line.text):
        return False
    date = find_date(line.stripped)
    return date is None or date[1] > 0


def _continues(title: str, line: str, last: bool) -> bool:
    """Whether the line goes on with the item's title. Between two items every line does
    but a blank or a heading in capitals (EXEMPT ITEMS); after the last item, only a
    line that plainly continues: lower case, in brackets (its page range), or after "of",
    "and", "-"."""
    if not line or (line.isupper() and len(line) > 3):
        return False
    if not last:
        return True
    return line[0].islower() or line[0] == "(" or title.split()[-1].lower() in _CONNECTORS


def _agenda_list(items: list[AgendaItemRow]) -> list[AgendaItemRow]:
    """The items whose numbers rise through the agenda (A1, A2, B1; 3, 3(a), 4): a stray
    numbered line (an address, a figure in a letter) is not an item."""
    listed = _longest_rising(items, _item_key)
    if len(listed) < 2 and not (listed and listed[0].page_from is not None):
        return []  # one item is a list only with its page range (a pack's covering letter)
    return [replace(item, seq=n) for n, item in enumerate(listed, 1)]


def _item_key(item: AgendaItemRow) -> tuple[str, int, str]:
    m = re.fullmatch(r"([A-Z]?)(\d+)(.*)", item.item_number)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else ("", 0, item.item_number)


_LABELLED = re.compile(r"[\w ]{1,25}:")
# Not a place: a salutation, the list's column heading, a sentence ("Please find ...").
_NOT_A_PLACE = re.compile(r"^(?:dear|agenda|items?)\b|\.$|^(?:\S+\s+){12}", re.IGNORECASE)


def _agenda_venue(lines: list[Line]) -> list[tuple[str, str, int, int, str]]:
    """The lines under the agenda's date line, up to the contact details: "Council
    Chamber, Sessions House," / "County Hall, Maidstone"."""
    top = [ln for ln in lines[:25] if not ln.blank]
    for i, line in enumerate(top):
        if not find_date(line.text) or _LABELLED.match(line.stripped):
            continue  # "Date: 7 January 2025" dates a letter, not the meeting
        venue: list[Line] = []
        for nxt in top[i + 1 : i + 4]:
            s = nxt.stripped
            if CONTACT_LINE.search(s) or _LABELLED.match(s) or s.isupper():
                break
            if _NOT_A_PLACE.search(s):
                break
            venue.append(nxt)
        if venue:
            value = collapse(" ".join(v.text for v in venue)).rstrip(",")
            return [("venue", value, venue[0].content_start, venue[-1].content_end, "agenda.venue")]
        return []
    return []
