"""What sits under the standard headings: recommendations, implications and who verified
them, background papers, appendices, and the report author."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.structure.lines import collapse, lines_of, snake_case
from extract.structure.people import Person, is_name, join_wrapped, split_person

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


@dataclass
class Item:
    number: str
    text: str
    start: int
    end: int


def split_items(body: str, offset: int) -> list[Item]:
    """Numbered, lettered or bulleted items of a block; unnumbered paragraphs when none.

    Lead-in lines ("Cabinet is asked to:") are not items. Wrapped lines join their item.
    """
    lines = lines_of(body)
    items: list[Item] = []
    for line in lines:
        if line.blank or "\f" in line.text:
            if items and items[-1].number == "" and items[-1].text:
                items.append(Item("", "", 0, 0))  # a blank line ends an unnumbered paragraph
            continue
        m = _ITEM.match(line.text)
        if m:
            number = m.group("num") or m.group("pnum") or m.group("letter") or ""
            items.append(
                Item(
                    number,
                    line.text[m.end() :].strip(),
                    offset + line.start + m.end(),
                    offset + line.content_end,
                )
            )
        elif items and items[-1].text:
            items[-1].text += "\n" + line.stripped
            items[-1].end = offset + line.content_end
        else:
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


def appendices(body: str, offset: int) -> list[Appendix]:
    out = []
    for line in lines_of(body):
        m = _APPENDIX.match(line.text)
        if m:
            label = collapse(m.group("label"))
            label = label[0].upper() + label[1:]
            out.append(
                Appendix(
                    label,
                    collapse(m.group("title")).rstrip(". "),
                    offset + line.content_start,
                    offset + line.content_end,
                )
            )
    return out


def author(body: str, offset: int) -> tuple[Person, int, int] | None:
    """The person in a Report Author / Contact details block: a name line, then role lines
    (or "Name (Role)"); phone numbers and e-mail addresses end it."""
    lines = [ln for ln in lines_of(body) if not ln.blank and "\f" not in ln.text]
    for i, line in enumerate(lines):
        s = re.sub(
            r"^(?:report\s+author|author|contact\s+officer)\s*:?\s*", "", line.stripped, flags=re.I
        )
        if not s:
            continue
        first = re.split(r"[,(]", s, maxsplit=1)[0].strip()
        if not is_name(first):
            continue
        role_lines, end = [], line.content_end
        for nxt in lines[i + 1 : i + 5]:
            t = nxt.stripped
            if re.search(r"\d{4,}|@|^tel|^email|^phone|:$", t, re.I) or len(t.split()) > 10:
                break
            role_lines.append(t)
            end = nxt.content_end
        person = split_person(s)
        role = join_wrapped([person.role, *role_lines]) if person.role else join_wrapped(role_lines)
        return Person(person.name, role), offset + line.content_start, offset + end
    return None
