"""The map from normalised text back to the raw text: exact on real papers, total on any text."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract.ingest.normalise import Normaliser
from extract.mapped import MappedText
from extract.models import Page
from tests.conftest import MARKDOWN, OCR_TEXT, PDF_MINUTES


@pytest.mark.parametrize(
    ("raw", "pattern", "repl", "text", "spans"),
    [
        # deletion: kept characters keep their own offsets
        ("**David May**", r"\*\*", "", "David May", {"David": (2, 7), "May": (8, 11)}),
        # replacement: the common prefix keeps its offset, the new suffix maps to the quote
        (
            'on 6" December',
            r'(\d)"',
            r"\1th",
            "on 6th December",
            {"6th": (3, 5), "December": (6, 14)},
        ),
        # expansion inside a word
        ("ﬁnance", "ﬁ", "fi", "finance", {"finance": (0, 6), "nance": (1, 6)}),
        # nothing matches: the same object comes back
        ("plain", r"\d", "", "plain", {"plain": (0, 5)}),
    ],
)
def test_sub_keeps_the_offset_map(raw, pattern, repl, text, spans):
    m = MappedText.identity(raw).sub(re.compile(pattern), repl)
    assert m.text == text
    for word, raw_span in spans.items():
        start = m.text.index(word)
        assert m.raw_span(start, start + len(word)) == raw_span


def _span_of(result, needle: str) -> str:
    """The raw text behind the first occurrence of `needle` in the normalised text."""
    start = result.text.text.index(needle)
    raw_start, raw_end = result.text.raw_span(start, start + len(needle))
    return result.text.raw[raw_start:raw_end]


def test_repaired_ocr_points_back_to_the_damaged_original(processed):
    result = processed(OCR_TEXT)
    assert _span_of(result, "6th December 2022") == '6" December 2022'
    assert _span_of(result, "24th November") == "24t November"


def test_markdown_text_points_back_into_the_markup(processed):
    result = processed(MARKDOWN)
    assert _span_of(result, "Senior Management Accountant") == "Senior Management Accountant"
    assert _span_of(result, "1. Recommendation(s)") == "1. Recommendation(s)"


def test_pdf_text_maps_to_pages(processed):
    result = processed(PDF_MINUTES)
    doc = result.text
    assert doc.pages == 10
    for page in range(1, doc.pages + 1):
        start = doc.page_starts[page - 1]
        assert doc.page_of(start) == page
        # the raw offset of a page's first character lies in that raw page
        raw_page = doc.raw[: doc.offsets[start]].count("\f") + 1
        assert raw_page == page


_normaliser = Normaliser.load()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(blacklist_categories=["Cs"]),
            max_size=400,
        ),
        min_size=1,
        max_size=4,
    ),
    st.booleans(),
)
def test_normalising_any_text_never_raises_and_keeps_a_total_map(pages, is_pdf):
    doc = _normaliser.normalise([Page(i + 1, t) for i, t in enumerate(pages)], is_pdf=is_pdf)
    assert len(doc.offsets) == len(doc.text) + 1
    assert all(0 <= o <= len(doc.raw) for o in doc.offsets)
    assert list(doc.offsets) == sorted(doc.offsets)  # order is kept
    assert len(doc.page_starts) == len(pages)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab*#- \n\t", max_size=200))
def test_deleting_rules_map_every_kept_character_exactly(raw):
    m = MappedText.identity(raw)
    for pattern in (r"\*\*", r"^#{1,6} ", r"[ \t]+$"):
        m = m.sub(re.compile(pattern, re.MULTILINE), "")
    for i, ch in enumerate(m.text):
        assert raw[m.offsets[i]] == ch


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="ab-\n\\", max_size=20),
    repl=st.lists(
        st.sampled_from(
            ["a", "-", "\\1", "\\2", "\\3", "\\g<x>", "\\g<y>", "\\g<0>", "\\n", "\\\\", "\\"]
        ),
        max_size=6,
    ).map("".join),
)
def test_template_is_match_expand(text, repl):
    """A replacement template, parsed once, expands every match as `Match.expand` does
    (an unmatched group is empty; a template `expand` refuses is refused the same way)."""
    import re

    from extract.mapped import template

    pattern = re.compile(r"(?P<x>a+)(-)?")
    for m in pattern.finditer(text):
        try:
            expected = m.expand(repl)
        except (re.error, IndexError) as refused:
            with pytest.raises(type(refused)):
                template(repl, pattern)(m)
            continue
        assert template(repl, pattern)(m) == expected


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet="ab\r\n \t", max_size=40),
    pattern=st.sampled_from([r"\r\n?", r"[ \t]+$", r"a", r"ab?", r"b+a|\n", r"a*"]),
    char=st.sampled_from(["", "\n", "a", "b", " "]),
)
def test_one_character_replacements_keep_the_map_of_the_general_loop(text, pattern, char):
    """`subn`'s array path (a replacement of one character or none) gives the text, the
    offsets, the count and the unchanged object of the per-match loop it stands in for."""
    compiled = re.compile(pattern, re.MULTILINE)
    start = MappedText.identity(text, 7)
    fast, fast_count = start.subn(compiled, char)
    loop, loop_count = start.subn(compiled, lambda m: char)  # a function: the loop
    assert _seen(fast, fast_count) == _seen(loop, loop_count)
    assert (fast is start) == (loop is start)


def _seen(text: MappedText, count) -> tuple:
    """What a replacement is judged by: the text, its map back, and the count (or hits)."""
    return text.text, list(text.offsets), count


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(['6"', "24t", "26 th", " ", "December", "Dec", "\n", "x", "1", "and"]),
        max_size=10,
    ).map("".join)
)
def test_rules_scanned_from_digits_are_skipped_only_where_they_match_nothing(text):
    for rule in _normaliser.rules:
        if rule.scan is not None:
            skipped = next(rule.scan.finditer(text), None) is None
            assert skipped == (rule.pattern.search(text) is None), rule.id


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet="ab\r\n \t\\", max_size=40),
    pattern=st.sampled_from([r"\r\n?", r"[ \t]+$", r"(a)", r"ab?", r"b+a|\n", r"a*", r"\\"]),
    repl=st.lists(
        st.sampled_from(["", "a", "\\n", "\\t", "\\\\", "\\1", "\\g<0>", "x", "\n"]), max_size=3
    ).map("".join),
)
def test_templates_of_one_character_keep_the_map_of_the_general_loop(text, pattern, repl):
    """A template naming no group ("\\n", as the CR LF rule writes it) takes the path for
    one character with the text, offsets, count and unchanged object of `Match.expand`'s
    loop; any other template is expanded as before."""
    compiled = re.compile(pattern, re.MULTILINE)
    start = MappedText.identity(text, 3)
    try:
        expected, expected_count = start.subn(compiled, lambda m: m.expand(repl))
    except (re.error, IndexError) as refused:
        with pytest.raises(type(refused)):
            start.subn(compiled, repl)
        return
    got, count = start.subn(compiled, repl)
    assert _seen(got, count) == _seen(expected, expected_count)
    assert (got is start) == (expected is start)


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(alphabet="ab\r\n \t\x0b\x0c\u2028\u00a0", max_size=60),
    start=st.integers(0, 5),
)
def test_rules_done_by_string_methods_are_the_regex_rules(text, start):
    """CR LF line ends and trailing spaces by `str` methods: the text, offsets, count and
    unchanged object of `subn` with the rule's own pattern and replacement."""
    from extract.ingest.normalise import BY_STRING_METHODS

    mapped = MappedText.identity(text, start)
    for (pattern, flags, repl), by_strings in BY_STRING_METHODS.items():
        compiled = re.compile(pattern, flags)
        expected, expected_count = mapped.subn(compiled, lambda m, r=repl: m.expand(r))
        got, count = by_strings(mapped)
        assert (got.text, list(got.offsets), count) == (
            expected.text,
            list(expected.offsets),
            expected_count,
        )
        assert (got is mapped) == (expected is mapped)


def test_the_line_end_rules_are_done_by_string_methods():
    """The rules that fire on every line of a PDF take the string-method path (a rule
    edited away from its form falls back to `re`, correct but slow)."""
    fast = {r.id for r in _normaliser.rules if r.by_strings is not None}
    assert fast == {"chars.crlf", "chars.trailing_space"}


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "7", " ", "\t", "\n", "\u00a0", "\u2028", "b\n"])).map("".join),
    st.integers(1, 4),
)
def test_a_pages_edge_lines_are_its_first_and_last_non_blank_lines(text, k):
    """The furniture search reads only the page's edge lines: the first and last `k`
    non-blank lines of the whole page's lines, overlapping where the page is short."""
    from extract.ingest.normalise import _edge_spans

    spans = [m.span() for m in re.finditer(r"[^\n]*(?:\n|$)", text) if m.group(0).strip()]
    assert _edge_spans(text, k) == (spans[:k], spans[-k:])


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(["a", "A", "7", "٣", " ", "\t", "\n", "\u00a0", "\u2028", "\x1c"])))
@example("\x1c7 a\u00a0\n")  # a separator \s and strip() both take, beside a digit
def test_a_lines_signature_is_that_of_the_line_stripped(line):
    """The furniture search takes a line's signature once, on the line as found (its
    newline with it), for both its passes: the second read it off the stripped line."""
    from extract.ingest.normalise import _signature

    assert _signature(line) == _signature(line.strip())


def _rules_with(field: str):
    rules = [r for r in Normaliser.load().rules if getattr(r, field) is not None]
    assert rules, f"no rule has {field}"
    return rules


# the pieces the OCR ordinal rules are made of
_ORDINAL_PIECES = (
    "6 24 1 st nd rd th t h \" \u201d \u201c ' '' , and & - \u2013 Dec December Sept May x"
)
_ORDINAL_NOISE = st.lists(st.sampled_from([*_ORDINAL_PIECES.split(), " ", "\t"]), max_size=6)
_ORDINAL_TEXT = st.tuples(  # noise, then a day with a suffix before a month, often
    _ORDINAL_NOISE.map("".join),
    st.sampled_from(["6", "24", "x"]),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["st", "nd", "th", "t", "h", '"', "\u201d", "\u201c", "''", "'", ""]),
    st.sampled_from(["", " ", " and 7th ", ", 8\u201d "]),
    st.sampled_from([" ", "", "\t "]),
    st.sampled_from(["December", "Dec", "Sept", "May", "Mayor", "x"]),
    _ORDINAL_NOISE.map("".join),
).map("".join)


@pytest.mark.parametrize("rule", _rules_with("requires"), ids=lambda r: r.id)
@settings(max_examples=1500, deadline=None)
@given(text=_ORDINAL_TEXT)
def test_what_a_rule_requires_is_in_every_text_it_matches(rule, text):
    """A rule is skipped where what it `requires` is not in the text: so that must be in
    every text the rule matches."""
    if rule.pattern.search(text):
        assert rule.requires.search(text)


_ONE_CHARACTER_TEXT = st.lists(
    st.sampled_from(["a", " ", "\n", "\ufffe", "\uf0b7", "\u00a0", "\u200b", "\ufb01", "\u2022"])
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_ONE_CHARACTER_TEXT)
def test_a_run_of_one_character_rules_is_skipped_only_where_none_can_match(text):
    """Where none of a run's characters is in the text, its rules are skipped: the text,
    its map and the rules' hits are what running every rule gives."""
    import dataclasses
    from collections import Counter

    normaliser = Normaliser.load()
    plain = dataclasses.replace(
        normaliser, rules=tuple(dataclasses.replace(r, run=None) for r in normaliser.rules)
    )
    assert _rules_with("run")
    ours, theirs = Counter(), Counter()
    a = normaliser.apply(MappedText.identity(text), "chars", ours)
    b = plain.apply(MappedText.identity(text), "chars", theirs)
    assert _seen(a, ours) == _seen(b, theirs)


@pytest.mark.parametrize(
    "pattern, flags, single",
    [
        ("\\ufffe", 0, True),
        ("[\\u00a0\\u2007]", 0, True),
        ("[\\u0000-\\u0008\\u000b]", re.MULTILINE, True),
        ("x", re.IGNORECASE, False),  # x or X
        ("(?i)x", 0, False),  # an inline flag
        ("(?s)x", 0, False),
        ("[^a]", 0, False),  # negated: anything else
        ("ab", 0, False),
        ("a|b", 0, True),  # re reads single characters in alternation as one set
        ("\\r\\n?", 0, False),
        ("[ \\t]+$", re.MULTILINE, False),
    ],
)
def test_one_character_rules_are_told_by_res_parser(pattern, flags, single):
    from extract.rules import one_character

    assert one_character(pattern, flags) is single


_ANY_RULE_TEXT = st.lists(
    st.sampled_from(
        [
            "a",
            " ",
            "\t",
            "\n",
            "\r\n",
            "\r",
            "\ufffe",
            "\u00a0",
            "\ufb01",
            "«",
            "» ",
            "\n« x",
            "Iscp",
            "xIscp",
            "lscp",
            "- ",
            "* ",
            "2.1 ",
            "#",
            "## ",
            "**",
            "__",
            "<https://x.y>",
            "\\*",
            "3 rd",
            "26 th September",
            '6" Dec',
            "t ",
            "A",
        ]
    ),
    max_size=20,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(_ANY_RULE_TEXT, st.sampled_from(["chars", "markdown", "ocr", "layout"]))
def test_a_rule_is_skipped_only_where_its_literals_rule_it_out(text, stage):
    """Where none of the literals a rule's every match holds is in the text, the rule is
    skipped: the text, its map and the rules' hits are what running every rule gives."""
    import dataclasses
    from collections import Counter

    normaliser = Normaliser.load()
    plain = dataclasses.replace(
        normaliser, rules=tuple(dataclasses.replace(r, gate=None) for r in normaliser.rules)
    )
    assert sum(r.gate is not None and r.gate.literals is not None for r in normaliser.rules) > 5
    ours, theirs = Counter(), Counter()
    a = normaliser.apply(MappedText.identity(text), stage, ours)
    b = plain.apply(MappedText.identity(text), stage, theirs)
    assert _seen(a, ours) == _seen(b, theirs)
