"""What sits under the standard headings: recommendations, implications and who verified
them, background papers, appendices, and the report author."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

from extract.structure.lines import CONTACT_LINE, collapse, lines_of, snake_case
from extract.structure.people import (
    Person,
    is_name,
    is_name_with_role,
    join_wrapped,
    split_person,
)

# An item marker at a line start: 1.1 / 1. / 1) / (1) / A. / a) / (a) / (iv) / •
_ITEM = re.compile(
    r"^[ \t]*(?:(?P<num>\d{1,2}(?:\.\d{1,2}){0,2})(?:[.)](?!\d)|(?=[ \t]))"
    r"|\((?P<pnum>\d{1,2}|[a-z]|[ivx]{1,4})\)"
    r"|(?P<letter>[A-Za-z])[.)]|(?P<bullet>•))[ \t]+(?=\S)"
)
# A list or block that says there is nothing: the whole of it.
_NONE = re.compile(
    r"^\s*(?:•\s*)?(?:none(?:\s+relevant|\s+identified)?|nil|n/?a|not\s+applicable)\b\.?",
    re.IGNORECASE,
)
# An implications block that says there are none, anywhere in it ("no other …" does not:
# it follows points that were made).
_NO_IMPLICATIONS = re.compile(
    r"(?:^|[.:]\s+|\n)\s*(?:•\s*)?(?:none(?:\s+relevant|\s+identified)?\b|nil\b|not\s+applicable\b)"
    r"|\bno\s+(?!other\b)(?:[\w-]+\s+){0,3}implications\b"
    r"|\bthere\s+(?:are|is|will\s+be)\s+no\s+(?!other\b)(?:[\w-]+\s+){0,3}implications?\b",
    re.IGNORECASE,
)
_VERIFIED = re.compile(r"implications?\s+verified\s+by\s*:?[ \t]*(?P<name>[^\n]*)", re.IGNORECASE)
_APPENDIX = re.compile(
    r"^\s*(?:•\s*)?(?P<label>(?:appendix|annex|annexe|schedule)\s+[A-Z0-9]{1,3}\b)\s*[-–—:.,]?\s*(?P<title>.*)$",
    re.IGNORECASE,
)
_LEAD_IN = re.compile(r":\s*$")
# A line that ends mid-phrase: the next line continues it, whatever it looks like.
_RUNS_ON = re.compile(r"(?:[,–-]|\b(?:and|or|of|the|to|by|in|for|with|either|on|a|an))\s*$", re.I)
_RUNS_ON_REACH = 8  # the longest of _RUNS_ON's words and then some
_LISTED = re.compile(r"^\s*(?:•\s*)?(?:\(?(?P<n>\d{1,2}|[A-Za-z])[.)])\s+(?P<title>\S.*)$")
_ANY_STOP = re.compile(r"^\s*(?:•|\d{1,2}[.)]\s|[A-Z][A-Za-z ]{2,40}:)")


@dataclass
class Item:
    number: str
    text: str
    start: int
    end: int


def split_items(body: str, offset: int) -> list[Item]:
    """Numbered, lettered or bulleted items of a block; unnumbered paragraphs when none.

    Lead-in lines ("Cabinet is asked to:") are not items; wrapped lines join their item. In
    a numbered list, a short title line just before an item is a group label, and a new
    sentence after an item that has ended closes the list (a note after it is not part of
    the last item).
    """
    lines = [ln for ln in lines_of(body) if "\f" not in ln.text]
    items: list[Item] = []
    closed = False
    for k, line in enumerate(lines):
        if line.blank:
            if items and items[-1].number == "" and items[-1].text:
                items.append(Item("", "", 0, 0))  # a blank line ends an unnumbered paragraph
            continue
        m = _ITEM.match(line.text)
        if m:
            closed = False
            number = m.group("num") or m.group("pnum") or m.group("letter") or ""
            start = offset + line.start + m.end()
            items.append(
                Item(number, line.text[m.end() :].strip(), start, offset + line.content_end)
            )
            continue
        numbered = bool(items) and items[-1].number != ""
        lead_in = bool(items) and items[-1].text.rstrip().endswith(":")
        runs_on = bool(items) and _runs_on(items[-1].text)
        if (numbered and closed) or (
            (numbered or lead_in) and not runs_on and _group_label(line, islice(lines, k + 1, None))
        ):
            continue
        if (
            numbered
            and items[-1].text.rstrip().endswith((".", ";"))
            and line.stripped[:1].isupper()
        ):
            closed = True
            continue
        if items and items[-1].text:
            items[-1].text += "\n" + line.stripped
            items[-1].end = offset + line.content_end
            continue
        if items and not items[-1].text:
            items.pop()
        if _LEAD_IN.search(line.text) and not items:
            continue
        items.append(
            Item("", line.stripped, offset + line.content_start, offset + line.content_end)
        )
    out = [
        i
        for i in items
        if i.text and not (_LEAD_IN.search(i.text) and i.number == "" and len(items) > 1)
    ]
    for i in out:
        i.text = collapse(i.text)
    return out


def _runs_on(text: str) -> bool:
    """`_RUNS_ON` at the end of the text, the only place it can match: searched from a few
    characters before it (an item's text grows line by line; searching it all was slow)."""
    return bool(_RUNS_ON.search(text, max(0, len(text.rstrip()) - _RUNS_ON_REACH)))


def _group_label(line, rest) -> bool:
    """ "Key Policies and Strategies" between two lettered recommendations."""
    nxt = next((ln for ln in rest if not ln.blank), None)
    words = line.stripped.split()
    capitalised = sum(1 for w in words if not w[:1].islower())
    return (
        nxt is not None
        and bool(_ITEM.match(nxt.text))
        and (line.stripped[:1].isupper() or line.stripped[:1].isdigit())
        and len(words) <= 8
        and capitalised >= len(words) / 2
        and not line.stripped.endswith((".", ",", ";"))
    )


def recommendations(body: str, offset: int) -> list[Item]:
    return split_items(body, offset)


@dataclass
class Implication:
    type: str
    heading: str
    verified_by: str
    role: str
    no_implications: bool
    text: str
    verifier_span: tuple[int, int] | None


def implication(heading: str, known_type: str, body: str, offset: int) -> Implication:
    """One implications block: its type, who verified it (name, then role lines), the
    text, and whether it says there are none."""
    kind = known_type or snake_case(re.sub(r"implications?", "", heading, flags=re.I)) or "other"
    verified_by, role, span = "", "", None
    text = body
    m = _VERIFIED.search(body)
    if m:
        name_line = m.group("name").strip()
        rest = body[m.end() :]
        role_lines: list[str] = []
        consumed = 0
        for line in lines_of(rest)[1:]:
            s = line.stripped
            if not s:
                if role_lines or not name_line:
                    # a blank line ends the role, unless the role line ran on ("… and")
                    if role_lines and re.search(r"\b(?:and|of|&)$", role_lines[-1]):
                        continue
                    if role_lines:
                        break
                continue
            if len(s.split()) > 9 or s.endswith(".") or len(role_lines) >= 4:
                break
            if not name_line and is_name(s.split(",")[0]):
                name_line = s
                consumed = line.end
                continue
            role_lines.append(s)
            consumed = line.end
        person = split_person(name_line) if name_line else Person("", "")
        verified_by = person.name or name_line
        role = join_wrapped([person.role, *role_lines]) if person.role else join_wrapped(role_lines)
        span = (offset + m.start("name"), offset + m.end() + consumed)
        text = body[m.end() + consumed :]
    first = collapse(text)
    return Implication(
        kind, heading, verified_by, role, bool(_NO_IMPLICATIONS.search(first)), first, span
    )


def list_entries(body: str, offset: int) -> list[Item]:
    """Background papers: one per item or line; nothing when the block says None."""
    items = [i for i in split_items(body, offset) if not _NONE.match(i.text)]
    return items


@dataclass
class Appendix:
    label: str
    title: str
    start: int
    end: int
    closed: bool = False  # a blank line or another entry ended its title


def appendices(body: str, offset: int) -> list[Appendix]:
    """ "Appendix A – Title" lines, titles wrapped onto following lines; under an
    Appendices heading, a numbered or lettered list ("1. Title") counts too."""
    out: list[Appendix] = []
    for line in lines_of(body):
        if line.blank or "\f" in line.text:
            if out:
                out[-1].closed = True
            continue
        m = _APPENDIX.match(line.text)
        item = None if m else _LISTED.match(line.text)
        if m:
            label = collapse(m.group("label"))
            title = m.group("title")
        elif item:
            label, title = f"Appendix {item.group('n').upper()}", item.group("title")
        elif out and not out[-1].closed and not _ANY_STOP.match(line.text):
            out[-1].title = collapse(f"{out[-1].title} {line.stripped}").rstrip(". ")
            out[-1].end = offset + line.content_end
            continue
        else:
            if out:
                out[-1].closed = True
            continue
        out.append(
            Appendix(
                label[0].upper() + label[1:],
                collapse(title).rstrip(". "),
                offset + line.content_start,
                offset + line.content_end,
            )
        )
    return out


_AUTHOR_PREFIX = re.compile(
    r"^(?:report\s+authors?(?:\(s\))?|authors?|contact\s+officers?)\s*:?\s*", re.I
)


def authors(body: str, offset: int) -> list[tuple[Person, int, int]]:
    """The people in a Report Author / Contact details block: each a name line ("Name,
    Role", "Name (Role)", or a name with role lines under it); phone numbers and e-mail
    addresses are skipped; a further label ("Relevant Corporate Director:") ends it."""
    found: list[tuple[list[str], int, int]] = []
    for line in lines_of(body):
        if line.blank or "\f" in line.text:
            continue
        s = _AUTHOR_PREFIX.sub("", re.sub(r"^[•*-]\s*", "", line.stripped))
        if not s or CONTACT_LINE.search(s):
            continue
        if s.endswith(":"):
            break
        first = re.split(r"[,(–]", s, maxsplit=1)[0].strip()
        if is_name(first) or is_name_with_role(s):
            found.append(([s], offset + line.content_start, offset + line.content_end))
        elif found and len(found[-1][0]) < 4 and len(s.split()) <= 10:
            lines_, start, _ = found[-1]
            found[-1] = ([*lines_, s], start, offset + line.content_end)
        elif found:
            break
    out = []
    for lines_, start, end in found:
        person = split_person(lines_[0].replace(" – ", ", "))
        role = join_wrapped([person.role, *lines_[1:]]) if person.role else join_wrapped(lines_[1:])
        out.append((Person(person.name, role), start, end))
    return out
