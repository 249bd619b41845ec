"""The literals a regex's matches must hold (extract/rules/literals.py), and the rules that
check them before the regex: each must find exactly what the regex alone finds."""

from __future__ import annotations

import dataclasses
import re
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract.classify import DocTypeClassifier
from extract.facts import _COUNT_TRIGGER, _COUNT_TRIGGERS
from extract.facts.events import EventFinder
from extract.facts.reviews import ReviewFinder, holds_phrase
from extract.rules.literals import (
    FOLD_SPECIALS,
    Gate,
    PrefixScan,
    folded,
    prefix_literals,
    required_literals,
    split_alternatives,
)
from extract.structure.lines import collapse
from tests.conftest import CORPUS


def test_fold_specials_are_every_character_re_takes_for_ascii():
    """Every non-ASCII character `re` matches to an ASCII one ignoring case, and every one
    whose `lower()` is ASCII or of another length, is in FOLD_SPECIALS (and no other)."""
    ascii_ignoring_case = re.compile("[\x00-\x7f]", re.IGNORECASE)
    found = set()
    for code in range(128, sys.maxunicode + 1):
        c = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        low = c.lower()
        if len(low) != 1 or low.isascii() or ascii_ignoring_case.fullmatch(c):
            found.add(c)
    assert found == set(FOLD_SPECIALS)


IC, C = True, False  # a literal matched ignoring case, or as written


@pytest.mark.parametrize(
    "pattern, flags, required, prefixes",
    [
        (r"\bfoo\b", 0, {("foo", C)}, {("foo", C)}),
        (r"a?bc", 0, {("bc", C)}, None),
        (r"(?:ab)+c", 0, {("ab", C)}, {("ab", C)}),
        (r"x*", 0, None, None),
        (r"ab|c", 0, {("ab", C), ("c", C)}, {("ab", C), ("c", C)}),
        (r"[ab]cd", 0, {("cd", C)}, {("a", C), ("b", C)}),
        (r"[«»](?=[ \t])", 0, {("«", C), ("»", C)}, {("«", C), ("»", C)}),
        (r"[«»]", re.I, None, None),  # not ASCII: not read ignoring case
        (r"[abcde]x", 0, {("x", C)}, None),  # a set of many: not read
        (r"[^ab]x", 0, {("x", C)}, None),
        (r"[a-b]x", 0, {("x", C)}, None),
        (r"(?i:ab)cd", 0, {("cd", C)}, {("ab", IC)}),
        (r"(?i:abc)d", 0, {("abc", IC)}, {("abc", IC)}),
        (r"AB(?-i:cd)", re.I, {("cd", C)}, {("ab", IC)}),
        (r"(?i:ab)|(?i:b)|ab", 0, {("b", IC), ("ab", C)}, {("ab", IC), ("b", IC), ("ab", C)}),
        (r"(?i:ab)|AB", 0, {("ab", IC), ("AB", C)}, {("ab", IC), ("AB", C)}),
        (r"(?i)Straße", 0, {("stra", IC)}, {("stra", IC)}),
        (r"Straße", 0, {("Straße", C)}, {("Straße", C)}),
        (r"\bactions?\b|\bactionable\b", re.I, {("action", IC)}, {("action", IC)}),
        (
            r"(?:fin|legal) implications",
            re.I,
            {(" implications", IC)},
            {("fin", IC), ("legal", IC)},
        ),
        (r"(a|)b", 0, {("b", C)}, None),
        (r"^\s*minutes", re.I | re.M, {("minutes", IC)}, None),
        (r"(?=ab)abc", 0, {("abc", C)}, None),
        (r"(a)\1", 0, {("a", C)}, {("a", C)}),
    ],
)
def test_literals_read_from_the_parse(pattern, flags, required, prefixes):
    assert required_literals(pattern, flags) == (frozenset(required) if required else None)
    assert prefix_literals(pattern, flags) == (frozenset(prefixes) if prefixes else None)


@pytest.mark.parametrize(
    "pattern, pieces",
    [
        (r"a|b", ["a", "b"]),
        (r"(a|b)c|d", ["(a|b)c", "d"]),
        (r"[|]|\||x", ["[|]", r"\|", "x"]),
        (r"[]|]a|b", ["[]|]a", "b"]),
        (r"[^]|]a|b", ["[^]|]a", "b"]),
        (r"(?i)a|b", [r"(?i)a|b"]),  # the flag would hold for the first piece only
        (r"(a)|\1", [r"(a)|\1"]),  # a reference to a group of another piece
        (r"(?P<x>a)|(?P=x)", [r"(?P<x>a)|(?P=x)"]),
        (r"(a)|(b)(c)(?(2)d)", [r"(a)|(b)(c)(?(2)d)"]),  # a conditional names a group too
        (r"(?#(|)x", [r"(?#(|)x"]),
        (r"abc", ["abc"]),
    ],
)
def test_split_alternatives(pattern, pieces):
    assert split_alternatives(pattern) == pieces


# Small regexes and texts over a few letters (and the characters `re` folds to them), to
# try the parse-reading on shapes the rules files do not have yet.
_ATOMS = st.sampled_from(
    [
        "a",
        "b",
        "A",
        "B",
        "ab",
        "ba",
        "k",
        "s",
        "i",
        r"\b",
        "^",
        "$",
        ".",
        "[ab]",
        "[sK]",
        "[ıb]",
        r"\s",
        " ",
    ]
)


def _compound(inner):
    return st.one_of(
        st.tuples(inner, inner).map("".join),
        st.tuples(inner, inner).map(lambda t: f"(?:{t[0]}|{t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}|{t[1]}"),
        inner.map(lambda x: f"({x})"),
        st.tuples(inner, st.sampled_from(["?", "*", "+", "{1,2}", "{0,1}", "+?", "??"])).map(
            lambda t: f"(?:{t[0]}){t[1]}"
        ),
        inner.map(lambda x: f"(?={x})"),
        inner.map(lambda x: f"(?!{x})"),
        inner.map(lambda x: f"(?i:{x})"),
        inner.map(lambda x: f"(?-i:{x})"),
    )


_PATTERNS = st.recursive(_ATOMS, _compound, max_leaves=6)
_TEXTS = st.lists(
    st.sampled_from(["a", "b", "A", "B", "k", "K", "s", "S", "i", "I", " ", "\n", *FOLD_SPECIALS]),
    max_size=16,
).map("".join)
_FLAGS = st.sampled_from([0, re.I, re.M, re.I | re.M])


@settings(max_examples=3000, deadline=None)
@given(_PATTERNS, _TEXTS, _FLAGS)
@example("(?:ab)+", "ABAB", re.I)
@example(r"\bk", "\u212a", re.I)
@example(r"\bactions?\b|\bactionable\b", "actionable", re.I)
def test_literals_hold_for_any_pattern_and_text(pattern, text, flags):
    """Every match holds a required literal and begins with a prefix; a gate never rules
    out a text the pattern matches; the prefix scan finds finditer's matches; the pieces
    of a split match where the whole does."""
    try:
        compiled = re.compile(pattern, flags)
    except re.error:
        return
    required = required_literals(pattern, flags)
    prefixes = prefix_literals(pattern, flags)
    for m in compiled.finditer(text):
        seen, low = m.group(0), folded(m.group(0))
        if required is not None:
            assert any(
                s in seen if not icase else low is None or s in low for s, icase in required
            ), (m, required)
        if prefixes is not None:
            assert any(
                seen.startswith(s) if not icase else low is None or low.startswith(s)
                for s, icase in prefixes
            ), (m, prefixes)
    found, gated = compiled.search(text), Gate(compiled).search(text)
    assert (gated and gated.span()) == (found and found.span())
    fast = [(m.span(), m.groups()) for m in PrefixScan(compiled).finditer(text)]
    assert fast == [(m.span(), m.groups()) for m in compiled.finditer(text)]
    pieces = split_alternatives(pattern, flags)
    assert any(re.search(p, text, flags) for p in pieces) == bool(compiled.search(text))


_COUNT_WORDS = st.lists(
    st.sampled_from(
        [
            "action",
            "Actions",
            "ACTIONABLE",
            "actionable",
            "recommendations",
            "Recommendation",
            "rated",
            "AMBER",
            "green",
            "completed",
            "complete",
            "overdue",
            "_",
            "x",
            "3",
            " ",
            "\n",
            "-",
            "é",
            *FOLD_SPECIALS,
        ]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(_COUNT_WORDS)
@example("actionable")
@example("\u017fgreen amber")
def test_count_triggers_are_what_finditer_finds(text):
    expected = [m.span() for m in _COUNT_TRIGGER.finditer(text)]
    assert [m.span() for m in _COUNT_TRIGGERS.finditer(text)] == expected


def _words_of(patterns: list[str]) -> list[str]:
    """Words and word pieces of the rules' own patterns, to build texts that match them."""
    words = set()
    for p in patterns:
        words.update(w for w in re.findall(r"[A-Za-z]{2,}", p) if w not in {"s", "d", "b", "w"})
    return sorted(words)


_CLASSIFIER = DocTypeClassifier.load()
_TYPE_WORDS = _words_of([r.pattern.pattern for r in _CLASSIFIER.rules])
_TYPE_TEXTS = st.lists(
    st.one_of(
        st.sampled_from(_TYPE_WORDS),
        st.sampled_from(_TYPE_WORDS).map(str.upper),
        st.sampled_from(_TYPE_WORDS).map(str.title),
        st.sampled_from([" ", "\n", ":", "1.", " of ", "(Pages 3 - 4)", "ITEM: 7", *FOLD_SPECIALS]),
    ),
    max_size=30,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(_TYPE_TEXTS, st.sampled_from(["", "x-appendix-b.pdf", "Minutes.pdf", "agenda.txt"]))
@example("Financial implications verified by", "")
@example("\u0130mplications verified by \n Legal implications", "")
def test_classify_is_its_reference(text, name):
    assert _CLASSIFIER.classify(text, name) == _CLASSIFIER.classify_reference(text, name)
    # the same with the rules' windows cut into the text
    padded = "x " * 150 + text
    assert _CLASSIFIER.classify(padded, name) == _CLASSIFIER.classify_reference(padded, name)


def test_classify_is_its_reference_on_the_corpus():
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in {".txt", ".md"}:
            text = path.read_text(encoding="utf-8")
            assert _CLASSIFIER.classify(text, path.name) == _CLASSIFIER.classify_reference(
                text, path.name
            ), path


_EVENTS = EventFinder.load()
_EVENT_TEXTS = st.lists(
    st.one_of(
        st.sampled_from(_words_of([r.pattern.pattern for r in _EVENTS.rules])),
        st.sampled_from(_words_of([r.pattern.pattern for r in _EVENTS.rules])).map(str.upper),
        st.sampled_from([" ", "into", "2019", "(", "\n", *FOLD_SPECIALS]),
    ),
    max_size=14,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(_EVENT_TEXTS)
@example("The conference on 3 May")
@example("The ACT 2004 conference")
@example("the \u017feminar")
def test_event_classify_is_its_reference(text):
    fast, slow = _EVENTS.classify(text), _EVENTS.classify_reference(text)
    assert (fast and (fast[0], fast[1].span())) == (slow and (slow[0], slow[1].span()))


_REVIEWS = ReviewFinder.load()
_SPACES = [" ", "  ", "\n", "\t", "\n\n ", "\xa0", "\u2028", "\x1c", "\u3000"]
_REVIEW_TEXTS = st.lists(
    st.one_of(
        st.sampled_from(sorted({w for p in _REVIEWS.phrases for w in p.split()})),
        st.sampled_from(
            [
                "x",
                "re",
                "view",
                "ca",
                "SCR",
                "Thematic",
                "Thematıc",
                "REVİEW",
                "ſerious",
                " into Neglect",
            ]
        ),
        st.sampled_from(_SPACES),
    ),
    max_size=16,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(
    _REVIEW_TEXTS, st.sampled_from([_REVIEWS.phrases, ("case review",), ("review",), ("a b c",)])
)
@example("xserious  case\n\treview", ("serious case review",))
@example("serious case\u2028review", ("serious case review",))
@example("rapid case review", ("serious case review",))
def test_holds_phrase_is_a_phrase_in_the_collapsed_text(text, phrases):
    lowered = text.lower()
    assert holds_phrase(lowered, phrases) == any(p in collapse(lowered) for p in phrases)


@settings(max_examples=300, deadline=None)
@given(_REVIEW_TEXTS)
@example("Thematic Review into Neglect and Harm")
@example("thematıc review of the Neglect Cases")  # dotless ı: `re` reads it as i, lower() not
@example("Serious Case Review of Child B was called for the purposes of")
def test_reviews_found_as_without_the_checks_before_the_patterns(text):
    assert _REVIEWS._typed(text) == _REVIEWS._typed_reference(text)
    unchecked = dataclasses.replace(
        _REVIEWS, gates=tuple(Gate(re.compile("")) for _ in _REVIEWS.rules)
    )
    assert _REVIEWS.find(text) == unchecked.find(text)
