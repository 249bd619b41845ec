"""Events: a date and an event keyword (`rules/events.jsonl`) in one sentence, or a
title line with a date line under it (as activity lists lay them out)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.facts.dates import FoundDate
from extract.models import EventType
from extract.rules import load_jsonl
from extract.rules.literals import Gate, folded

_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+"
_ATTENDANCE = re.compile(
    rf"(?:over|more\s+than|around|about|approximately|nearly|almost|some|up\s+to)?\s*(?P<n>{_NUMBER})\s+"
    r"(?:\w+\s+){0,2}?(?:delegates|participants|attendees|people|professionals?|practitioners|"
    r"children|parents|young\s+people|members|staff|pupils|students|guests|visitors)\b",
    re.IGNORECASE,
)
_CAPACITY = re.compile(r"\bcapacity\s+of\s+(?P<n>\d+)", re.IGNORECASE)
_PACKS = re.compile(
    rf"(?P<packs>{_NUMBER})\s+(?:\w+\s+){{0,2}}packs?\s+(?:containing|with|of)\s+(?P<items>{_NUMBER})\s+items",
    re.IGNORECASE,
)
_LOCATION = re.compile(
    r"\b(?:at|in|to)\s+(?:the\s+)?(?P<place>(?:[A-Z][\w'’&-]+(?:\s+(?:of|and|on)\s+|\s+)?){1,5}"
    r"(?:,\s*(?:[A-Z][\w'’-]+\s?){1,3})?)"
)
_NOT_PLACES = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Years?|Thurrock$|Essex$|Year\b|The\b|LSCP|Partnership|Council)",
)


@dataclass(frozen=True)
class EventRule:
    id: str
    event_type: EventType | None
    pattern: re.Pattern[str]
    exclude: bool


@dataclass
class FoundEvent:
    name: str
    event_type: EventType
    date: FoundDate
    location: str
    attendance: int | None
    packs: int | None
    items: int | None
    start: int  # span of the sentence (or title and date lines) it was read from
    end: int
    rule: str


def _int(text: str | None) -> int | None:
    return int(text.replace(",", "")) if text else None


@dataclass(frozen=True)
class EventFinder:
    rules: tuple[EventRule, ...]
    # each rule's pattern with the literals its matches hold: a sentence without them is
    # not searched (a search per rule of every dated sentence was most of finding events)
    gates: tuple[Gate, ...] = ()

    @classmethod
    def load(cls) -> EventFinder:
        rules = tuple(
            EventRule(
                r["id"],
                EventType(r["event_type"]) if "event_type" in r else None,
                re.compile(r["pattern"], re.IGNORECASE if not r.get("exclude") else 0),
                bool(r.get("exclude")),
            )
            for r in load_jsonl("events.jsonl")
        )
        return cls(rules, tuple(Gate(r.pattern) for r in rules))

    def classify(self, text: str) -> tuple[EventRule, re.Match[str]] | None:
        lowered = folded(text)
        ruled = tuple(zip(self.rules, self.gates, strict=True))
        if any(
            r.exclude and g.possible_folded(text, lowered) and r.pattern.search(text)
            for r, g in ruled
        ):
            return None
        for rule, gate in ruled:
            if (
                not rule.exclude
                and gate.possible_folded(text, lowered)
                and (m := rule.pattern.search(text))
            ):
                return rule, m
        return None

    def classify_reference(self, text: str) -> tuple[EventRule, re.Match[str]] | None:
        """`classify` without the literals' check, as first written: for the tests."""
        if any(r.exclude and r.pattern.search(text) for r in self.rules):
            return None
        for rule in self.rules:
            if not rule.exclude and (m := rule.pattern.search(text)):
                return rule, m
        return None

    def from_sentence(self, text: str, start: int, date: FoundDate) -> FoundEvent | None:
        found = self.classify(text)
        if found is None:
            return None
        rule, m = found
        return self._event(text, start, start + len(text), date, rule, name_around(text, m))

    def from_title(
        self, title: str, body: str, start: int, end: int, date: FoundDate
    ) -> FoundEvent | None:
        """ "Purfleet Fun Day" / "14 August 2019" / "Outcome/Impact: … 40 packs …"."""
        found = self.classify(title + " " + body)
        rule = (
            found[0] if found else EventRule("event.titled", EventType.OTHER, re.compile(""), False)
        )
        return self._event(title + "\n" + body, start, end, date, rule, title.strip(" –-"))

    @staticmethod
    def _event(text, start, end, date, rule, name) -> FoundEvent:
        attendance = _ATTENDANCE.search(text)
        capacity = _CAPACITY.search(text)
        packs = _PACKS.search(text)
        location = ""
        for m in _LOCATION.finditer(text):
            place = m.group("place").strip(" ,")
            if not _NOT_PLACES.match(place) and len(place) > 3:
                location = place
                break
        return FoundEvent(
            name=name,
            event_type=rule.event_type or EventType.OTHER,
            date=date,
            location=location,
            attendance=_int(attendance.group("n"))
            if attendance
            else (_int(capacity.group("n")) if capacity else None),
            packs=_int(packs.group("packs")) if packs else None,
            items=_int(packs.group("items")) if packs else None,
            start=start,
            end=end,
            rule=rule.id,
        )


_VERB = re.compile(
    r"^(?:met|launch(?:ed|es|ing)?|publish(?:ed|es|ing)?|came|come|comes|coming|transition)", re.I
)
_SUBJECT = re.compile(
    r"^\s*(?:(?:a|an|the|our)\s+)?(?P<subject>.+?)\s+(?:(?:was|were|has\s+been|have\s+been|will\s+be|is|are)\s+)?$",
    re.I | re.S,
)


def name_around(sentence: str, keyword: re.Match[str]) -> str:
    """The keyword and the capitalised words just before it: "LSCP Annual conference",
    "Neglect Reflective Workshop", "Walk Online Roadshow". For a verb ("was launched",
    "met", "came into effect") the sentence's subject: "new termly Safeguarding newsletter"."""
    if _VERB.match(keyword.group(0)):
        head = sentence[: keyword.start()]
        head = head[head.rfind(",") + 1 :] if head.count(",") and len(head) > 80 else head
        m = _SUBJECT.match(head)
        if m and 0 < len(m.group("subject").split()) <= 8:
            return " ".join(m.group("subject").split())
    words = sentence[: keyword.start()].split()
    name: list[str] = []
    for w in reversed(words):
        if w[:1].isupper() or w[:1].isdigit() or w in ("of", "and", "&", "for", "on"):
            name.insert(0, w)
        else:
            break
    while name and name[0] in ("of", "and", "&", "for", "on"):
        name.pop(0)
    return " ".join([*name, keyword.group(0)]).strip(" ,.;:")
