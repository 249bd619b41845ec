"""Names and roles: "Priscilla Bruce-Annan, Local Safeguarding Children Partnership Business
Manager", "Interim Corporate Director Finance, John Betts", "Dave Shipton (Head of Finance)"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.rules import load_words
from extract.structure.lines import collapse

_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Cllr|Councillor|Sir|Dame|Prof|Professor|Rev)\.?\s+)?"
_TOKEN = r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:[-'’][A-Z]?[a-z]+)*|[A-Z]\.?|O['’][A-Z][a-z]+)"
NAME = re.compile(rf"{_TITLE}{_TOKEN}(?:\s+{_TOKEN}){{1,3}}")

# Words that make a capitalised phrase a role, a body or a place rather than a person.
_NOT_NAME_WORDS = frozenset(load_words("not_name_words.txt"))


@dataclass(frozen=True)
class Person:
    name: str
    role: str


_NAME_THEN_ROLE = re.compile(r"(?P<name>[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){1,2}) \((?P<role>[^()]+)\)")


def is_name_with_role(text: str) -> bool:
    """ "Cath Head (Head of Finance Operations)": a name, even one spelt like a role, when
    a role in brackets follows it."""
    m = _NAME_THEN_ROLE.fullmatch(text.strip())
    return bool(m) and any(w.lower() in _NOT_NAME_WORDS for w in m.group("role").split())


def is_name(text: str) -> bool:
    text = text.strip()
    if not NAME.fullmatch(text):
        return False
    return not any(w.lower().strip(".") in _NOT_NAME_WORDS for w in re.split(r"[\s]+", text))


def split_person(text: str) -> Person:
    """One person's name and role, in either order, comma- or bracket-separated."""
    text = collapse(text)
    m = re.fullmatch(r"(?P<name>[^()]+?)\s*\((?P<role>.+)\)", text)
    if m and (is_name(m.group("name")) or is_name_with_role(text)):
        return Person(m.group("name"), m.group("role").strip())
    parts = [p.strip() for p in re.split(r",\s*", text) if p.strip()]
    for i, part in enumerate(parts):
        if is_name(part):
            role = ", ".join(parts[:i] + parts[i + 1 :])
            return Person(part, role)
    # "Name Surname Business Manager": a name then a role, no comma
    m = NAME.match(text)
    if m and is_name(m.group(0)) and len(m.group(0)) < len(text):
        return Person(m.group(0), text[m.end() :].strip(" ,-–"))
    return Person("", text)


def starts_with_name(line: str) -> bool:
    head = re.split(r"[,(]", line.strip(), maxsplit=1)[0].strip()
    return is_name(head)


def people_from_lines(lines: list[str]) -> list[Person]:
    """Several people under one label: a line that starts with a name starts a person;
    other lines continue the previous person's role."""
    groups: list[list[str]] = []
    for line in (re.sub(r"^[•*-]\s*", "", ln.strip()) for ln in lines):
        if not line:
            continue
        # a further person is "Name, Role" or "Name (Role)": a bare capitalised line under
        # a name is more likely a role or a team ("Family Hub Transformation")
        if not groups or (starts_with_name(line) and re.search(r"[,(]", line)):
            groups.append([line])
        else:
            groups[-1].append(line)
    people = [split_person(join_wrapped(g)) for g in groups]
    return [p for p in people if p.name or p.role]


def join_wrapped(lines: list[str]) -> str:
    """Join the lines of one value: a space after a line that runs on (ends with a comma,
    'and', 'of', '&', '-'; or the next starts in lower case), otherwise ', '."""
    out = ""
    for line in (ln.strip() for ln in lines if ln.strip()):
        if not out:
            out = line
        elif re.search(r"(?:[,&(/-]|\b(?:and|of|for|the|to|in))$", out) or line[:1].islower():
            out += " " + line
        else:
            out += ", " + line
    return out
