"""Narrative facts: dates, named reviews, action-plan figures and events, each with its span.

spaCy (a blank English pipeline: sentencizer and a Matcher) runs only on windows around
the places cheap patterns point at — dates, review names, count words — not on every
token of every page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import ClassVar

from spacy.attrs import IDS, ORTH
from spacy.lang.en import English
from spacy.matcher import Matcher

from extract.facts.actions import ActionPlanReader
from extract.facts.dates import DateFinder, FoundDate
from extract.facts.events import EventFinder, FoundEvent
from extract.facts.reviews import Mention, ReviewFinder, slug
from extract.ingest.normalise import DocumentText
from extract.models import ActionCountRow, ActionItemRow, DateRow, EventRow, ReviewMentionRow
from extract.rules import load_jsonl
from extract.rules.literals import PrefixScan
from extract.structure.lines import collapse, is_figure, lines_of

COUNT_FIELDS = (
    "recommendations",
    "actions",
    "complete",
    "in_progress",
    "overdue",
    "not_started",
    "rag_green",
    "rag_amber",
    "rag_red",
)
STATUS_FIELDS = frozenset(COUNT_FIELDS) - {"recommendations", "actions"}
RAG_FIELDS = frozenset({"rag_green", "rag_amber", "rag_red"})
_COUNT_TRIGGER = re.compile(
    r"\b(?:recommendations?|actions?|actionable|rated|amber|green|completed?|overdue)\b", re.I
)
# found from its words by `str.find` in the lower-cased text: `finditer` tried the
# case-blind alternation at every character of every paper
_COUNT_TRIGGERS = PrefixScan(_COUNT_TRIGGER)
_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_WORD_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50})
WINDOW_LINES = 4
_LEADING_URL = re.compile(r"[ \t]*(?:https?://|www\.)\S+[ \t]*\n\s*")
_CARRY_ON = re.compile(r"(?:It|This|The\s+(?:action\s+)?plan|The\s+review|These|They)\b")
# What a paper says of a plan's state when it gives no figures.
_STATUS = re.compile(
    r"\b(?:ratif\w*|approved|agreed|signed\s+off|devised|being\s+(?:developed|drafted)|"
    r"monitor\w*|on\s+track|complete[d]?|closed|governance\s+process|published|underway|"
    r"work\s+has\s+started|considering)\b",
    re.IGNORECASE,
)
# How far back (characters) a review named earlier still owns the figures in a sentence.
REVIEW_REACH = 4000


@dataclass
class Facts:
    dates: list[DateRow] = field(default_factory=list)
    review_mentions: list[ReviewMentionRow] = field(default_factory=list)
    action_counts: list[ActionCountRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    action_items: list[ActionItemRow] = field(default_factory=list)
    # review_id -> (name, review_type) as this paper names it
    reviews: dict[str, tuple[str, str]] = field(default_factory=dict)
    date_estimate: str = ""  # the middle of the paper's dates, for papers with no meeting date
    # review_id -> what the paper says of its plan: the naming sentence and those after it
    # that carry on about it ("It is going through the governance process …")
    status: dict[str, str] = field(default_factory=dict)


def _review_before(mentions: list[Mention], start: int | None, title: str) -> str:
    """The review a plan table belongs to: one its title names, else the last one named
    shortly before it. A slug; the council-scoped id comes at linking."""
    for m in mentions:
        if m.name and slug(m.name) and m.name.lower() in title.lower():
            return slug(m.name)
    if start is None:
        return ""
    before = [m for m in mentions if slug(m.name) and start - REVIEW_REACH <= m.start < start]
    return slug(before[-1].name) if before else ""


def to_int(word: str) -> int | None:
    word = word.lower().replace(",", "")
    if word.isascii() and word.isdigit():  # not "²", which isdigit() also accepts
        return int(word)
    return _WORD_NUMBERS.get(word)


@dataclass(frozen=True)
class CountRule:
    id: str
    field: str
    total: str
    number_at: int


# What of each word this module reads besides the count patterns: the sentencizer asks
# whether a token is punctuation, `_read_counts` whether it is a number.
_READ_HERE = ("IS_PUNCT", "LIKE_NUM")


def lexical_attributes(patterns: list[list[dict]]) -> set[int]:
    """The spaCy lexical attributes (ids) the facts read: those the Matcher patterns name
    and `_READ_HERE`. spaCy works out 23 for every word it meets for the first time, a
    Python call each; only these are worked out (the rest would be read by nothing), so
    building the vocabulary costs a fraction of what it did, in each worker."""
    names = {key for pattern in patterns for token in pattern for key in token} | set(_READ_HERE)
    return {IDS[name] for name in names if name in IDS}


class _BareEnglish(English):
    """English with no tokenizer exceptions: `english` adds those that do something."""

    class Defaults(English.Defaults):
        tokenizer_exceptions: ClassVar[dict] = {}


def english() -> English:
    """`spacy.blank("en")`, tokenizing as it does, less the tokenizer exceptions that
    change nothing: one token, its own text, that the affix rules leave whole anyway ("\\n",
    " ", "0.0": 43 of 1,347). spaCy's tokenizer stops caching for the rest of a text once
    it has met any exception (spaCy issue #13950), and "\\n" is in every window of more
    than one line: without them a Kent run's tokenizing took 0.21 s, not 0.48."""
    nlp = _BareEnglish()
    tokenizer = nlp.tokenizer
    rules = English.Defaults.tokenizer_exceptions
    inert = {
        text
        for text, tokens in rules.items()
        if tokens == [{ORTH: text}] and [t.text for t in tokenizer(text)] == [text]
    }
    tokenizer.rules = {text: tokens for text, tokens in rules.items() if text not in inert}
    return nlp


@dataclass(frozen=True)
class FactExtractor:
    nlp: object
    matcher: Matcher
    count_rules: dict[str, CountRule]
    dates: DateFinder
    reviews: ReviewFinder
    events: EventFinder
    actions: ActionPlanReader
    windows: WindowDocs  # built on `nlp`

    @classmethod
    def load(cls) -> FactExtractor:
        nlp = english()
        nlp.add_pipe("sentencizer")
        matcher = Matcher(nlp.vocab)
        rules = {}
        patterns = []
        for r in load_jsonl("action_counts.jsonl"):
            matcher.add(r["id"], [r["pattern"]], greedy="LONGEST")
            patterns.append(r["pattern"])
            rules[r["id"]] = CountRule(
                r["id"], r["field"], r.get("total", ""), int(r.get("number_at", 0))
            )
        keep = lexical_attributes(patterns)
        getters = nlp.vocab.lex_attr_getters
        nlp.vocab.lex_attr_getters = {a: f for a, f in getters.items() if a in keep}
        return cls(
            nlp,
            matcher,
            rules,
            DateFinder.load(),
            ReviewFinder.load(),
            EventFinder.load(),
            ActionPlanReader.load(),
            WindowDocs(nlp),
        )

    def extract(self, doc_id: str, doc: DocumentText, meeting_date: str = "", tables=()) -> Facts:
        """`tables`: the paper's tables (structure.FoundTable), read for action plans."""
        text = doc.text
        reference = dt.date.fromisoformat(meeting_date) if meeting_date else None
        dates = self.dates.find(text, reference)
        mentions = self.reviews.find(text)
        triggers = [d.start for d in dates] + [m.start for m in mentions]
        triggers += [m.start() for m in _COUNT_TRIGGERS.finditer(text)]
        sentences, spacy_sents = self._sentences(text, triggers)
        facts = Facts()
        self._dates(doc_id, doc, dates, sentences, facts)
        self._mentions(doc_id, doc, mentions, sentences, facts)
        self._counts(doc_id, doc, spacy_sents, mentions, facts)
        self._events(doc_id, doc, dates, sentences, meeting_date, facts)
        for table in tables:
            items = self.actions.read(table, self.dates, reference)
            rid = _review_before(mentions, table.row.char_start, table.row.title) if items else ""
            facts.action_items += [dataclasses.replace(i, review_id=rid) for i in items]
        if dates and not meeting_date:
            ordered = sorted(d.date for d in dates)
            facts.date_estimate = ordered[len(ordered) // 2].isoformat()
        return facts

    # -- sentences -----------------------------------------------------------------------

    def _sentences(self, text: str, triggers: list[int]):
        """Sentence spans around the trigger offsets, from spaCy's sentencizer run on
        windows of a few lines (bounded by blank lines) around each trigger."""
        lines = lines_of(text)
        starts = [ln.start for ln in lines]
        windows: list[list[int]] = []
        for t in sorted(set(triggers)):
            i = max(0, bisect_right(starts, t) - 1)
            a = i
            while a > 0 and i - a < WINDOW_LINES and not lines[a - 1].blank:
                a -= 1
            b = i
            while b + 1 < len(lines) and b - i < WINDOW_LINES and not lines[b + 1].blank:
                b += 1
            s, e = lines[a].start, lines[b].end
            if windows and s <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], e)
            else:
                windows.append([s, e])
        spans: list[tuple[int, int]] = []
        spacy_sents = []
        texts = [text[s:e] for s, e in windows]
        for (offset, _), sdoc in zip(windows, self.windows.docs(texts), strict=True):
            for sent in sdoc.sents:
                a = offset + sent.start_char
                b = offset + sent.end_char
                raw = text[a:b]  # the sentence's text (`sent.text`, without its token walk)
                if raw.strip():
                    # keep the sentence on its own text: trim surrounding whitespace
                    a += len(raw) - len(raw.lstrip())
                    b -= len(raw) - len(raw.rstrip())
                    # a bare web address on the line above is not part of the sentence
                    if lead := _LEADING_URL.match(text, a, b):
                        a = lead.end()
                    spans.append((a, b))
                    spacy_sents.append((a, raw, sent))
        return _SentenceIndex(text, spans), spacy_sents

    # -- families ------------------------------------------------------------------------

    def _dates(self, doc_id, doc, dates: list[FoundDate], sentences, facts: Facts) -> None:
        for i, d in enumerate(dates, 1):
            s, e = sentences.around(d.start, d.end)
            facts.dates.append(
                DateRow(
                    doc_id,
                    i,
                    d.text,
                    d.date.isoformat(),
                    d.date_end.isoformat() if d.date_end else "",
                    d.precision,
                    d.year_inferred,
                    doc.page_of(d.start),
                    d.start,
                    d.end,
                    doc.text[s:e],
                    d.rule,
                )
            )

    def _mentions(self, doc_id, doc, mentions: list[Mention], sentences, facts: Facts) -> None:
        for i, m in enumerate(mentions, 1):
            rid = slug(m.name)  # "" for a type named alone, resolved when linking
            if rid:
                facts.reviews.setdefault(rid, (m.name, m.review_type.value))
            s, e = sentences.around(m.start, m.end)
            if rid and rid not in facts.status and _STATUS.search(doc.text[s:e]):
                facts.status[rid] = collapse(doc.text[s : sentences.carry_on(e)])
            facts.review_mentions.append(
                ReviewMentionRow(
                    doc_id,
                    i,
                    rid,
                    m.text,
                    m.review_type.value,
                    doc.page_of(m.start),
                    m.start,
                    m.end,
                    collapse(doc.text[s:e]),
                    m.rule,
                )
            )

    def _counts(self, doc_id, doc, spacy_sents, mentions: list[Mention], facts: Facts) -> None:
        seen: set[int] = set()
        for start, sent_text, sent in spacy_sents:
            if start in seen or next(_COUNT_TRIGGERS.finditer(sent_text), None) is None:
                continue  # the Matcher only where a count word is
            seen.add(start)
            values, rules = self._read_counts(sent)
            if not values:
                continue
            end = start + len(sent_text.rstrip())
            review = _owning_review(mentions, start, end, facts)
            if not review and not values.keys() - RAG_FIELDS:
                continue  # RAG ratings alone, of no review: KPIs, not an action plan
            if _mostly_figures(sent_text):
                continue  # a table row of figures
            facts.action_counts.append(
                ActionCountRow(
                    doc_id,
                    len(facts.action_counts) + 1,
                    review,
                    *(values.get(f) for f in COUNT_FIELDS),
                    doc.text[start:end],
                    doc.page_of(start),
                    start,
                    end,
                    "; ".join(sorted(rules)),
                )
            )

    def _read_counts(self, sent) -> tuple[dict[str, int], set[str]]:
        """Fields from the Matcher's matches in one sentence; a number read as a status is
        not also a bare count of actions. The Matcher runs on the sentence's span of its
        window (a copy of it as a doc of its own matched the same, at a copy's cost)."""
        by_token: dict[int, dict[str, int]] = {}
        rules: set[str] = set()
        matches = [
            (self.count_rules[self.nlp.vocab.strings[i]], sent[s:e])
            for i, s, e in self.matcher(sent)
        ]
        # "2 of the 14 actions": 14 is the total, whatever else a pattern reads it as
        totals = {[t for t in span if t.like_num][1].i for rule, span in matches if rule.total}
        for rule, span in matches:
            numbers = [t for t in span if t.like_num]
            if not numbers:
                continue
            first = numbers[0] if rule.number_at == 0 else span[rule.number_at]
            if first.i in totals and not rule.total:
                continue
            value = to_int(first.text)
            if value is None:
                continue
            by_token.setdefault(first.i, {})[rule.field] = value
            rules.add(rule.id)
            if rule.total and len(numbers) > 1 and (total := to_int(numbers[1].text)) is not None:
                by_token.setdefault(numbers[1].i, {})[rule.total] = total
        values: dict[str, int] = {}
        for fields in by_token.values():
            if STATUS_FIELDS & fields.keys():
                fields.pop("actions", None)
            for f, v in fields.items():
                values.setdefault(f, v)
        return values, rules

    def _events(self, doc_id, doc, dates: list[FoundDate], sentences, meeting_date, facts) -> None:
        text = doc.text
        lines = lines_of(text)
        starts = [ln.start for ln in lines]
        used_sentences: set[tuple[int, int]] = set()
        found: list[FoundEvent] = []
        for d in dates:
            line_index = max(0, bisect_right(starts, d.start) - 1)
            line = lines[line_index]
            event = None
            if _date_line(line, d):
                event = self._titled(lines, line_index, d)
            if event is None:
                s, e = sentences.around(d.start, d.end)
                if (s, e) in used_sentences:
                    continue
                event = self.events.from_sentence(text[s:e], s, d)
                if event:
                    used_sentences.add((s, e))
                    event.name = _fuller_name(event.name, text[max(0, s - 500) : s])
            if event and not (event.event_type == "meeting" and d.date.isoformat() == meeting_date):
                found.append(event)
        for i, ev in enumerate(found, 1):
            d = ev.date
            facts.events.append(
                EventRow(
                    doc_id,
                    f"{doc_id}-e{i}",
                    ev.name,
                    ev.event_type.value,
                    d.date.isoformat(),
                    _last_day(d).isoformat(),
                    ev.location,
                    ev.attendance,
                    ev.packs,
                    ev.items,
                    text[ev.start : ev.end],
                    doc.page_of(ev.start),
                    ev.start,
                    ev.end,
                    ev.rule,
                )
            )

    def _titled(self, lines, i: int, d: FoundDate) -> FoundEvent | None:
        """A date on a line of its own under a title line, or at the start of a line with
        the title after it ("14 May 2019 Partners Workshop"); the text down to the next
        title or date is the event's body."""
        line = lines[i]
        rest = line.text[d.end - line.start :].strip(" –-")
        if ":" in rest or ":" in line.text[: d.start - line.start]:
            return None  # a labelled value ("14 March 2023  ITEM: 10"), not an event title
        if rest:
            title, start = rest, line.start
        else:
            j = i - 1
            while j >= 0 and lines[j].blank:
                j -= 1
            if j < 0 or len(lines[j].stripped.split()) > 14 or lines[j].stripped.endswith("."):
                return None
            title, start = lines[j].stripped, lines[j].start
        body_lines, k = [], i + 1
        while k < len(lines) and len(body_lines) < 12:
            nxt = lines[k]
            if nxt.blank:
                k += 1
                continue
            if len(nxt.stripped.split()) <= 8 and self.dates.find(nxt.text, d.date):
                break  # the next event's date (a short line: looked for dates only there)
            if re.match(r"^\s*\d+(?:\.\d+)+\s", nxt.text):
                break  # the next numbered section
            body_lines.append(nxt)
            k += 1
        body = " ".join(ln.stripped for ln in body_lines)
        end = body_lines[-1].end if body_lines else line.end
        # a title directly above the date's paragraph, not a sentence
        return self.events.from_title(title, body, start, end, d)


@dataclass
class WindowDocs:
    """spaCy's docs (tokens and sentences) of recent window texts: a pack's papers are
    mostly published on their own as well, and a quarter of Kent's window text came round
    again. Kept: the last `size` windows of at most `longest` characters, and no more than
    `budget` characters in all (a doc costs ~45 bytes a character), so a worker's memory
    stays bounded whatever the papers."""

    nlp: object
    size: int = 1024
    longest: int = 20_000
    budget: int = 2_000_000
    _docs: OrderedDict[str, object] = field(default_factory=OrderedDict)
    _chars: int = 0

    def docs(self, texts: list[str]) -> list[object]:
        """The docs of the texts, in order. Callers only read them: a doc changed would be
        changed for every later paper with the same window."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._docs]
        made = dict(zip(missing, self.nlp.pipe(missing), strict=True))
        out = [self._docs[t] if t in self._docs else made[t] for t in texts]
        for t in dict.fromkeys(texts):
            if t in self._docs:
                self._docs.move_to_end(t)
            elif len(t) <= self.longest:
                self._docs[t] = made[t]
                self._chars += len(t)
        while self._docs and (len(self._docs) > self.size or self._chars > self.budget):
            old, _ = self._docs.popitem(last=False)
            self._chars -= len(old)
        return out


@dataclass
class _SentenceIndex:
    text: str
    spans: list[tuple[int, int]]

    def __post_init__(self) -> None:
        self.spans.sort()
        self._starts = [s for s, _ in self.spans]

    def carry_on(self, end: int) -> int:
        """End of the sentences after the one ending at `end` that carry on about the same
        thing ("It is …", "This plan …"), in the same paragraph."""
        i = bisect_right(self._starts, end)
        while i < len(self.spans):
            s, e = self.spans[i]
            gap = self.text[end:s]
            if "\n\n" in gap or not _CARRY_ON.match(self.text[s:e]):
                break
            end = e
            i += 1
        return end

    def around(self, start: int, end: int) -> tuple[int, int]:
        i = bisect_right(self._starts, start) - 1
        if i >= 0:
            s, e = self.spans[i]
            if s <= start and end <= e:
                return s, e
            # a date or name across a sentence boundary: join the sentences it touches
            j = i
            while j + 1 < len(self.spans) and self.spans[j][1] < end:
                j += 1
            if s <= start:
                return s, max(e, self.spans[j][1])
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", end)
        return line_start, len(self.text) if line_end < 0 else line_end


def _owning_review(mentions: list[Mention], start: int, end: int, facts: Facts) -> str:
    """The review named in the sentence, else the one named last before it (a heading
    counts), else the paper's only review; "" when only a type was named (linking
    resolves it)."""
    inside = [m for m in mentions if start <= m.start < end]
    if inside:
        return slug(inside[0].name)
    before = [m for m in mentions if m.end <= start and start - m.end <= REVIEW_REACH]
    if before:
        return slug(before[-1].name)
    if len(facts.reviews) == 1:
        return next(iter(facts.reviews))
    return ""


def _fuller_name(name: str, before: str) -> str:
    """ "The conference" after "… will lead the LSCP Annual conference …": the fuller name
    the paper used just before."""
    words = name.split()
    if len(words) != 2 or words[0].lower() not in ("the", "this", "a"):
        return name
    found = re.findall(rf"((?:[A-Z][\w'’&-]*\s+){{1,4}}(?i:{re.escape(words[1])}))", before)
    fuller = [
        f
        for f in found
        if f.split()[0][:1].isupper() and f.split()[0].lower() not in ("the", "a", "this")
    ]
    return " ".join(fuller[-1].split()) if fuller else name


def _mostly_figures(text: str) -> bool:
    words = text.split()
    figures = sum(1 for w in words if is_figure(w))
    years = sum(1 for w in words if w in ("Year", "£000s"))
    return len(words) > 8 and (figures + years) / len(words) > 0.5


def _date_line(line, d: FoundDate) -> bool:
    """The date stands alone on its line, or opens a short one ("14 May 2019 Partners Workshop")."""
    before = line.text[: d.start - line.start].strip()
    return not before and len(line.stripped.split()) <= 10 and not line.stripped.endswith(".")


def _last_day(d: FoundDate) -> dt.date:
    """Last day an event runs: the end of a range, or of the month for a month."""
    end = d.date_end or d.date
    if d.precision == "day":
        return end
    nxt = dt.date(end.year + end.month // 12, end.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)
