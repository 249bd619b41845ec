"""Named case reviews: found by the patterns in `rules/reviews.jsonl`, named canonically.

A review's id is its canonical name as a slug ("shae-and-ashley"), so the same review
named in different papers gets one id. Within a paper, "the Thematic Review" or "the
SCR" refers to the one review of that type the paper names, and "Star Hobson" to the
review "Arthur Labinjo-Hughes and Star Hobson" when the paper names that one too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.models import ReviewType
from extract.rules import load_jsonl
from extract.rules.literals import Gate
from extract.rules.literals import folded as folded_for_literals
from extract.structure.lines import collapse

# Words that start a capitalised phrase but are not a child's name.
_NOT_NAMES = frozenset(
    [
        "The",
        "This",
        "That",
        "These",
        "Those",
        "A",
        "An",
        "Each",
        "Any",
        "Our",
        "Their",
        "Its",
        "Recent",
        "Recently",
        "National",
        "Local",
        "Independent",
        "New",
        "Previous",
        "Published",
        "Thematic",
        "Serious",
        "Case",
        "Review",
        "Reviews",
        "Rapid",
        "All",
        "Following",
        "Both",
        "First",
        "Second",
        "Further",
        "Learning",
        "Practice",
        "Children",
        "Safeguarding",
        "Thurrock",
        "Partnership",
        "Essex",
        "Police",
        "Health",
        "Council",
        "Partners",
        "Statutory",
        "Committee",
        "Services",
        "Overview",
        "Scrutiny",
        "Board",
        "Group",
        "Panel",
        "Appendix",
        "Annex",
        "Report",
        "Plan",
        "Action",
    ]
)
_Q_OPEN = "[‘'\"“]?"
_Q_CLOSE = "[’'\"”]?"
_STOP = "|".join(sorted(_NOT_NAMES, key=len, reverse=True))
_TOKEN = rf"(?!(?:{_STOP})\b)[A-Z][a-z]+(?:-[ \t]?[A-Z][a-z]+)?"
_PERSON = rf"(?:Child[ \t]+[A-Z]{{1,2}}\b|Baby[ \t]+[A-Z][a-z]+|{_TOKEN}(?:[ \t]+{_TOKEN})?)"
_WHERE = r"\s*\([A-Z][\w ]+\)"
_ONE = rf"{_Q_OPEN}{_PERSON}{_Q_CLOSE}"
# Children each with a place ("Star Hobson (Bradford), Child Q (City and Hackney) and
# 'Ben' (Croydon)"): a list of reviews; otherwise one or two names ("Shae and Ashley").
_NAMES = (
    rf"(?:{_ONE}{_WHERE}(?:\s*(?:,|and|&)\s*{_ONE}{_WHERE})+"
    rf"|{_ONE}(?:[ \t]+(?:and|&)[ \t]+{_ONE})?)"
)
_ITEM = re.compile(rf"(?P<person>{_ONE})(?P<where>{_WHERE})?")
_THEME = r"[A-Z][a-z]+(?:\s+(?:and\s+|&\s+|of\s+|in\s+)?[A-Z][a-z]+){0,10}"
_PLACE = re.compile(r"\s*\([A-Z][\w ]+\)")


@dataclass(frozen=True)
class ReviewRule:
    id: str
    pattern: re.Pattern[str]
    alias: bool
    needs_type: bool = False  # the pattern holds {TYPE}: no review word, no match


@dataclass
class Mention:
    start: int
    end: int
    text: str
    name: str  # canonical name; "" for an alias until resolved
    review_type: ReviewType
    rule: str


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def canonical_name(raw: str) -> str:
    """ "'Sam' & 'Kyle'" -> "Sam and Kyle"; "Labinjo- Hughes" -> "Labinjo-Hughes"."""
    name = _PLACE.sub("", raw)
    name = re.sub(r"[‘’'\"“”]", "", name)
    name = re.sub(r"\s*&\s*", " and ", name)
    name = re.sub(r"-\s+", "-", name)
    name = re.sub(r"\s*,\s*", ", ", name)
    name = re.sub(r"\s+", " ", name).strip(" ,")
    return re.sub(r"\s+Review$", "", name)


def folded(text: str) -> str:
    """Lower case, whitespace runs one space: where a case-insensitive pattern of words
    joined by \\s+ matches, the words joined by spaces are in here. Three characters `re`
    takes for an ASCII letter lower to something else: dotless ı and long ſ, and İ, which
    lowers to i and a combining dot (dropped; a test tries every code point)."""
    return collapse(_lowered(text))


def _lowered(text: str, lower: str | None = None) -> str:
    """`folded` before its whitespace is collapsed (`lower`: `text.lower()`, if made)."""
    lower = text.lower() if lower is None else lower
    return lower.replace("\u0307", "").replace("\u0131", "i").replace("\u017f", "s")


def holds_phrase(lowered: str, phrases: tuple[str, ...]) -> bool:
    """Whether `collapse(lowered)` holds one of `phrases` (words joined by single spaces),
    read from `lowered` itself at each place a phrase's last word begins a word (each last
    word looked for once): collapsing a whole paper (a string a word) cost more than the
    rest of finding its reviews."""
    by_last: dict[str, list[list[str]]] = {}
    for phrase in phrases:
        words = phrase.split(" ")
        if len(words) == 1:
            if phrase in lowered:  # no space in it: within one word of the text
                return True
            continue
        by_last.setdefault(words[-1], []).append(words[-2::-1])
    for last, befores in by_last.items():
        at = lowered.find(last)
        while at != -1:
            if (
                at > 0
                and lowered[at - 1].isspace()
                and any(_words_end_at(lowered, at, before) for before in befores)
            ):
                return True
            at = lowered.find(last, at + 1)
    return False


def _words_end_at(text: str, end: int, words: list[str]) -> bool:
    """Whether the words before `end` (whitespace between, as `str.split` sees it) are
    `words` (last first), the earliest one only ending as given."""
    i = end
    for k, word in enumerate(words):
        while i > 0 and text[i - 1].isspace():
            i -= 1
        start = i
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        token = text[start:i]
        if not (token.endswith(word) if k == len(words) - 1 else token == word):
            return False
        i = start
    return True


@dataclass(frozen=True)
class ReviewFinder:
    rules: tuple[ReviewRule, ...]
    types: dict[str, ReviewType]
    # Any review word. Most council papers have none, and the rules that need one are
    # slow to scan a long text with (names come before the word): they are skipped.
    any_type: re.Pattern[str]
    # What a match of `any_type` must contain: a phrase, in the text folded by `folded`,
    # or an acronym as written. Checked first: scanning for the pattern took longer.
    phrases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    # each rule with the literals its matches hold: a paper without them is not scanned
    # ("thematic review into …" read every character of every paper)
    gates: tuple[Gate, ...] = ()

    @classmethod
    def load(cls) -> ReviewFinder:
        raw = load_jsonl("reviews.jsonl")
        types = {k: ReviewType(v) for r in raw if "types" in r for k, v in r["types"].items()}
        words = sorted((k for k in types if not k.isupper()), key=len, reverse=True)
        acronyms = sorted((k for k in types if k.isupper()), key=len, reverse=True)
        phrase = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in words)
        type_pattern = rf"(?:(?i:{phrase})|{'|'.join(acronyms)})(?=s?\b)"
        rules = []
        for r in raw:
            if "pattern" not in r:
                continue
            pattern = (
                r["pattern"]
                .replace("{TYPE}", type_pattern)
                .replace("{NAMES}", _NAMES)
                .replace("{THEME}", _THEME)
            )
            needs_type = "{TYPE}" in r["pattern"]
            rules.append(ReviewRule(r["id"], re.compile(pattern), bool(r.get("alias")), needs_type))
        # a phrase of other than letters and spaces could match what `folded` does not keep
        plain = all(re.fullmatch(r"[a-z]+(?: [a-z]+)*", w) for w in words)
        return cls(
            tuple(rules),
            types,
            re.compile(type_pattern),
            tuple(words) if plain else (),
            tuple(acronyms) if plain else (),
            tuple(Gate(r.pattern) for r in rules),
        )

    def _typed(self, text: str, lower: str | None = None) -> bool:
        """Whether `any_type` matches (`lower`: `text.lower()`, if made)."""
        if (
            self.phrases
            and not any(a in text for a in self.acronyms)
            and not holds_phrase(_lowered(text, lower), self.phrases)
        ):
            return False
        return self.any_type.search(text) is not None

    def _typed_reference(self, text: str) -> bool:
        """`_typed` with the phrases looked for in the collapsed text: for the tests."""
        if self.phrases and not any(a in text for a in self.acronyms):
            lowered = folded(text)
            if not any(p in lowered for p in self.phrases):
                return False
        return self.any_type.search(text) is not None

    def review_type(self, words: str) -> ReviewType:
        key = re.sub(r"\s+", " ", words.strip())
        return self.types.get(key) or self.types.get(key.lower(), ReviewType.OTHER)

    def find(self, text: str) -> list[Mention]:
        named: list[Mention] = []
        aliases: list[Mention] = []
        lower = text.lower()
        typed = self._typed(text, lower)
        lowered = folded_for_literals(text, lower)
        for rule, gate in zip(self.rules, self.gates, strict=True):
            if (rule.needs_type and not typed) or not gate.possible_folded(text, lowered):
                continue
            for m in rule.pattern.finditer(text):
                rtype = self.review_type(m.group("type"))
                if rule.alias:
                    aliases.append(Mention(m.start(), m.end(), m.group(0), "", rtype, rule.id))
                    continue
                theme = m.groupdict().get("theme")
                for name in self._names(theme or m.group("name"), theme=bool(theme)):
                    named.append(Mention(m.start(), m.end(), m.group(0), name, rtype, rule.id))
        named = _longest(named)
        return sorted(
            named + self._resolve_aliases(aliases, named), key=lambda x: (x.start, x.name)
        )

    @staticmethod
    def _names(raw: str, theme: bool = False) -> list[str]:
        """One review per child when the list gives each a place ("Star Hobson (Bradford)
        and Arthur Labinjo-Hughes (Solihull)"); otherwise the names are one review."""
        if theme:
            return [canonical_name(raw)]
        items = list(_ITEM.finditer(raw))
        if len(items) > 1 and all(i.group("where") for i in items):
            names = [canonical_name(i.group("person")) for i in items]
        else:
            names = [canonical_name(" and ".join(i.group("person") for i in items))]
        return [
            n
            for n in names
            if n and not any(w in _NOT_NAMES for w in n.replace(" and ", " ").split())
        ]

    @staticmethod
    def _resolve_aliases(aliases: list[Mention], named: list[Mention]) -> list[Mention]:
        by_type: dict[ReviewType, set[str]] = {}
        for n in named:
            by_type.setdefault(n.review_type, set()).add(n.name)
        spans = [(n.start, n.end) for n in named]
        out = []
        for a in aliases:
            if any(s <= a.start < e for s, e in spans):
                continue  # part of a named mention
            names = by_type.get(a.review_type, set())
            if len(names) == 1:
                out.append(
                    Mention(a.start, a.end, a.text, next(iter(names)), a.review_type, a.rule)
                )
        return out


def _longest(mentions: list[Mention]) -> list[Mention]:
    """Overlapping matches of one review: keep the longest; and a review named by part of
    another's name ("Star Hobson" beside "Arthur Labinjo-Hughes and Star Hobson") is that one."""
    mentions.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for m in mentions:
        if any(k.start <= m.start and m.end <= k.end and k.name == m.name for k in kept):
            continue
        kept.append(m)
    names = {m.name for m in kept}
    for m in kept:
        wider = [n for n in names if n != m.name and " and " in n and m.name in n.split(" and ")]
        if wider:
            m.name = sorted(wider)[0]
    return kept
