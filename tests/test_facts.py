"""Narrative facts: dates, reviews, action-plan figures and events, as tables of patterns."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract.facts import FactExtractor, english
from extract.facts.dates import DateFinder
from extract.facts.reviews import ReviewFinder, canonical_name
from extract.ingest.normalise import Normaliser
from extract.models import Page
from extract.rules import DigitRuns
from tests.conftest import CORPUS, MARKDOWN, OCR_TEXT, PLAIN_TEXT, TABBED_TEXT

REF = dt.date(2022, 11, 15)


@pytest.fixture(scope="module")
def dates():
    return DateFinder.load()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on 6th December 2022.", [("6th December 2022", "2022-12-06", "", "day")]),
        (
            "Over three days 22nd, 23 and 24th November, the",
            [("22nd, 23 and 24th November", "2022-11-22", "2022-11-24", "day")],
        ),
        (
            "on 9th, 10 and 11th February",
            [("9th, 10 and 11th February", "2023-02-09", "2023-02-11", "day")],
        ),
        (
            "period May – August 2019 in",
            [("May – August 2019", "2019-05-01", "2019-08-01", "month")],
        ),
        ("In March 2023, an event", [("March 2023", "2023-03-01", "", "month")]),
        ("launched in October to provide", [("October", "2022-10-01", "", "month")]),
        (
            "not available until December/January at",
            [("December/January", "2022-12-01", "2023-01-01", "month")],
        ),
        ("End Date 03/04/25", [("03/04/25", "2025-04-03", "", "day")]),  # day first
        ("Tuesday, 4th March, 2025, at 10.00 am", [("4th March, 2025", "2025-03-04", "", "day")]),
        # not dates: section numbers, money, counts, bare years, the verb "may"
        ("2.13 Delivery Plan", []),
        ("cost £4,000 and 1.5% in 2019-2020", []),
        ("Over three days 22 children", []),
        ("Working Together 2018 says we may act", []),
    ],
)
def test_dates(dates, text, expected):
    found = [
        (d.text, d.date.isoformat(), d.date_end.isoformat() if d.date_end else "", d.precision)
        for d in dates.find(text, REF)
    ]
    assert found == expected


def test_a_year_left_out_comes_from_the_meeting_or_the_papers_other_dates(dates):
    assert dates.find("on 16th November", dt.date(2022, 11, 1))[0].date == dt.date(2022, 11, 16)
    assert dates.find("on 16th January", dt.date(2022, 11, 1))[0].date == dt.date(2023, 1, 16)
    # no meeting date: the middle of the dated ones
    found = dates.find("On 8th November 2022 and 6th December 2022, then on 16th November.", None)
    assert found[-1].date == dt.date(2022, 11, 16) and found[-1].year_inferred


@pytest.fixture(scope="module")
def reviews():
    return ReviewFinder.load()


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "The Shae and Ashley Local Health Review (LHR) Action Plan",
            {("Shae and Ashley", "local_health_review")},
        ),
        ("learning from Shae and Ashley LHR lists", {("Shae and Ashley", "local_health_review")}),
        (
            "children were called 'Sam' & 'Kyle' for the purposes of the SCR",
            {("Sam and Kyle", "serious_case_review")},
        ),
        (
            "Appendix 1 – Serious Case Review – Sam and Kyle",
            {("Sam and Kyle", "serious_case_review")},
        ),
        (
            "the Thematic Review into Serious Youth Violence and Gang Related Crime Review action "
            "plan",
            {("Serious Youth Violence and Gang Related Crime", "thematic_review")},
        ),
        (
            "National Panel reviews into Star Hobson (Bradford) and Arthur Labinjo-Hughes "
            "(Solihull), Child Q (City and Hackney) and ‘Ben’ (Croydon)",
            {
                ("Star Hobson", "national_panel_review"),
                ("Arthur Labinjo-Hughes", "national_panel_review"),
                ("Child Q", "national_panel_review"),
                ("Ben", "national_panel_review"),
            },
        ),
        ("Rapid Review into Child T was held", {("Child T", "rapid_review")}),
        # not case reviews
        ("the Independent Review of Children’s Social Care written by Josh MacAlister", set()),
        ("discussed at the Learning & Practice Review Group meeting", set()),
        ("Subject Access Requests (SARs) rose", set()),
        ("Serious Case Reviews (SCRs) were established under the Children Act", set()),
    ],
)
def test_review_names(reviews, text, names):
    assert {(m.name, m.review_type.value) for m in reviews.find(text)} == names


def test_canonical_names():
    assert canonical_name("‘Sam’ & ‘Kyle’") == "Sam and Kyle"
    assert (
        canonical_name("Arthur Labinjo- Hughes and Star Hobson")
        == "Arthur Labinjo-Hughes and Star Hobson"
    )


def test_one_review_under_several_names_in_a_paper(processed):
    facts = processed(OCR_TEXT).facts
    ids = {m.review_id for m in facts.review_mentions}
    assert "arthur-labinjo-hughes-and-star-hobson" in ids
    assert "star-hobson" not in ids  # named with its place in a list, still the same review
    assert "serious-youth-violence-and-gang-related-crime" in ids


@pytest.fixture(scope="module")
def facts():
    return FactExtractor.load()


def _counts(facts, text: str, meeting: str = "") -> list[dict]:
    doc = Normaliser.load().normalise([Page(1, text)], is_pdf=False)
    out = facts.extract("d", doc, meeting)
    fields = (
        "recommendations",
        "actions",
        "complete",
        "in_progress",
        "rag_green",
        "rag_amber",
        "overdue",
    )
    return [
        {f: getattr(r, f) for f in fields if getattr(r, f) is not None} for r in out.action_counts
    ]


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        (
            "The learning from Shae and Ashley LHR lists ten recommendations that are further "
            "divided into sub-sections totalling 14 actionable areas. Work has started on all "
            "actions, 6 actions are complete and the remaining 8 are on track to be completed "
            "within timescales.",
            [{"recommendations": 10, "actions": 14}, {"complete": 6, "in_progress": 8}],
        ),
        (
            "Six recommendations were made following the review that are further divided into "
            "sub-sections totalling 15 actionable areas. Currently six are rated green and "
            "complete and nine rated amber as work has started and is on-going.",
            [
                {"recommendations": 6, "actions": 15},
                {"complete": 6, "rag_green": 6, "rag_amber": 9, "in_progress": 9},
            ],
        ),
        ("Learning points are identified with five key recommendations.", [{"recommendations": 5}]),
        (
            "The Board heard that 2 of the 14 actions have been completed.",
            [{"complete": 2, "actions": 14}],
        ),
        ("Three actions are overdue.", [{"overdue": 3}]),
        # counts that are not action-plan figures
        ("Over 4,000 children in Years 5 and 6 attended.", []),
        ("The Partnership have agreed five strategic aims.", []),
        # regression (found by hypothesis): a superscript digit is a number to spaCy
        ("² recommendations", []),
    ],
)
def test_action_counts(facts, text, rows):
    assert _counts(facts, text) == rows


def test_figures_belong_to_the_review_named_in_the_heading_above(processed):
    rows = processed(OCR_TEXT).facts.action_counts
    assert [
        (r.review_id, r.recommendations, r.actions, r.complete, r.in_progress) for r in rows
    ] == [
        ("shae-and-ashley", 10, 14, None, None),
        ("shae-and-ashley", None, None, 6, 8),
    ]
    sam = processed(PLAIN_TEXT).facts.action_counts
    assert [(r.review_id, r.recommendations) for r in sam] == [("sam-and-kyle", 5)]


def test_events_with_places_attendance_and_packs(processed):
    events = {e.date_start: e for e in processed(TABBED_TEXT).facts.events}
    roadshow = events["2019-05-23"]
    assert roadshow.event_type == "roadshow" and roadshow.attendance == 28
    assert (roadshow.packs, roadshow.items) == (54, 1080)
    assert roadshow.location == "Thameside Theatre, Grays"
    assert events["2019-07-08"].name == "Risky Behaviours Awareness for Parents – Harris Academy"
    assert (events["2019-07-08"].packs, events["2019-07-08"].items) == (27, 918)
    ocr = {e.date_start: e for e in processed(OCR_TEXT).facts.events}
    assert ocr["2022-11-22"].date_end == "2022-11-24" and ocr["2022-11-22"].attendance == 4000
    assert ocr["2022-12-06"].name == "LSCP Annual conference"


def test_no_events_from_births_deaths_or_acts(processed):
    events = processed(PLAIN_TEXT).facts.events
    assert not any(e.date_start.startswith(("2016", "2018")) for e in events)  # born / died


@pytest.mark.parametrize(
    "path", sorted(p for p in CORPUS.rglob("*") if p.suffix in {".txt", ".md", ".pdf"})
)
def test_every_fact_quotes_the_document_exactly(processed, path):
    result = processed(path)
    papers = [p.result for p in result.parts] or [result]  # a pack's facts are its papers'
    for paper in papers:
        text, f = paper.text.text, paper.facts
        assert_quotes_exactly(text, f)
        for row in [*f.dates, *f.review_mentions, *f.action_counts, *f.events]:
            assert 1 <= row.page <= result.pages and row.rule


def test_markdown_paper_reviews_and_counts(processed):
    f = processed(MARKDOWN).facts
    assert {m.review_id for m in f.review_mentions} == {
        "serious-youth-violence-and-gang-related-crime"
    }
    assert sum(1 for r in f.action_counts) == 2


_facts_once = FactExtractor.load()
_normaliser_once = Normaliser.load()

_council_words = st.sampled_from(
    [
        "6th December 2022",
        "22nd, 23 and 24th November",
        "May – August 2019",
        "ten",
        "14",
        "recommendations",
        "actions are complete",
        "rated amber",
        "Serious Case Review",
        "Shae and Ashley LHR",
        "the Thematic Review",
        "conference",
        "launched",
        "over 400 delegates",
        "\n",
        "\n\n",
        ".",
        "‘Ben’ (Croydon)",
        "2 of the 14 actions have been completed",
        "Iscp",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_council_words, st.text(max_size=30)), max_size=40), st.booleans())
def test_facts_from_any_text_never_raise_and_quote_exactly(pieces, with_meeting):
    """Property: whatever the text (control characters, mixed scripts, council phrases in
    any order), extraction does not raise and every span quotes the document exactly."""
    doc = _normaliser_once.normalise([Page(1, " ".join(pieces))], is_pdf=False)
    facts = _facts_once.extract("d", doc, "2022-11-15" if with_meeting else "")
    assert_quotes_exactly(doc.text, facts)


def assert_quotes_exactly(text: str, facts) -> None:
    """Provenance: every row's span slices the document to exactly what the row quotes."""
    for row in facts.dates:
        assert text[row.char_start : row.char_end] == row.text
    for row in facts.review_mentions:
        assert text[row.char_start : row.char_end] == row.mention
    for row in [*facts.action_counts, *facts.events]:
        assert text[row.char_start : row.char_end] == row.sentence


@pytest.mark.parametrize("year", [2000, 2023, 2024, 2100])
def test_day_month_year_is_the_date_dateparser_reads(year):
    """Days the patterns read as numbers are dated without dateparser: the same dates, and
    the same refusals (31 April, 29 February outside leap years), as dateparser gives."""
    import dateparser

    from extract.facts.dates import _FULL_MONTHS, _SETTINGS, parse_day_month_year

    for month in range(1, 13):
        for day in (0, 1, 28, 29, 30, 31, 32):
            text = f"{day} {_FULL_MONTHS[month - 1]} {year}"
            parsed = dateparser.parse(text, languages=["en"], settings=_SETTINGS)
            assert parse_day_month_year(day, month, year) == (parsed.date() if parsed else None)


_DATE_TEXT = st.lists(
    st.sampled_from(
        [
            "1",
            "12",
            "31st",
            " ",
            "\n",
            "-",
            "x",
            "_",
            "é",
            "May",
            "June",
            "2024",
            "of",
            "/",
            ".",
            "٣",
            "3/4/24",
            "in",
            "IN",
            "end",
            "early",
            "mid",
            "March",
            "ſince",
            "\t",
            "xin",
            "beginning",
        ]
    ),
    max_size=14,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(_DATE_TEXT)
def test_scanned_date_rules_find_what_finditer_finds(text):
    """The date rules, scanned their faster ways (from the first character with the word
    boundary tested after, from runs of digits, from the words before a month), find the
    same matches as `re`'s finditer of the rules as written."""
    for rule in DateFinder.load().rules:
        fast = [(m.span(), m.groupdict()) for m in rule.pattern.finditer(text)]
        slow = [(m.span(), m.groupdict()) for m in rule.pattern.pattern.finditer(text)]
        assert fast == slow, rule.id


_MONTH_TEXT = st.lists(
    st.sampled_from(
        [
            "1",
            "12",
            "31st",
            "2024",
            "1999",
            "2024-03-01",
            "20",
            "-",
            "–",
            "/",
            " / ",
            ".",
            ",",
            " ",
            "\n",
            "x",
            "é",
            "to",
            "until",
            "in",
            "from",
            "of",
            "end of",
            "May",
            "MAY",
            "Mayor",
            "Sept",
            "SEPTEMBER",
            "September",
            "Dec",
            "Decision",
            "June",
            "Jun",
            "march",
            "March",
            "MARCH",
        ]
    ),
    max_size=14,
).map(" ".join)


@settings(max_examples=500, deadline=None)
@given(_MONTH_TEXT, st.booleans())
@example("Sept 2024 to December 2025", True)
@example("in SEPTEMBER / MARCH", True)
@example("2024-03-01", False)
def test_date_rules_scanned_from_shared_month_places_find_what_finditer_finds(text, spaced):
    """The month rules tried only where a month begins (its places found once a text and
    shared, as `DateFinder.find` shares them) find what `finditer` finds."""
    text = text if spaced else text.replace(" ", "")
    found: dict = {}
    digit_runs = DigitRuns(text)
    for rule in DateFinder.load().rules:
        fast = [(m.span(), m.groupdict()) for m in rule.pattern.finditer(text, digit_runs, found)]
        slow = [(m.span(), m.groupdict()) for m in rule.pattern.pattern.finditer(text)]
        assert fast == slow, rule.id


def test_places_are_every_match_start_overlapping_ones_too():
    from extract.rules import places

    assert places(re.compile("aa"), "aaaa") == [0, 1, 2]
    assert places(re.compile("x*"), "ab") == [0, 1, 2]
    assert places(re.compile("(?<=a)b"), "abab") == [1, 3]
    assert places(re.compile("^a"), "aa") == [0]


@pytest.mark.parametrize(
    "pattern, text, flags",
    [
        (r"\b(?:|ab)", "ab ab", 0),
        (r"\bx*", "axb x", 0),
        (r"\b\d+", "a1 22 _3 4", 0),
        (r"\bfoo|bar", "xbar foo", 0),  # `bar` needs no boundary
        (r"\ba", "éa a", 0),
        (r"\ba", "éa a", re.ASCII),  # é is not a letter here, so a \b before its a
        (r"(?<![\d./])\d+(?:/\d+)?", "1/2 3.4 /5 ١٢ 6", 0),  # any digit, any run start
        (r"\b\d\d?", "a1 22 333 _3 4", 0),
    ],
)
def test_scanned_patterns_on_empty_and_plain_matches(pattern, text, flags):
    from extract.rules import RulePattern

    expected = [m.span() for m in re.finditer(pattern, text, flags)]
    found = [m.span() for m in RulePattern(pattern, flags, word_start_scan=True).finditer(text)]
    assert found == expected
    if pattern.startswith((r"\b\d", "(?<!")):  # every match begins a run of digits
        found = [m.span() for m in RulePattern(pattern, flags, digit_start=True).finditer(text)]
        assert found == expected


def test_folding_keeps_every_character_re_reads_as_a_letter():
    """`folded` turns each character `re` matches to an ASCII letter, ignoring case, into
    that letter: a phrase the review-word pattern finds is never missed by the check
    made before it."""
    from extract.facts.reviews import folded

    letters = re.compile("[a-z]", re.IGNORECASE)
    for code in range(0x110000):
        c = chr(code)
        if letters.fullmatch(c):
            expected = next(x for x in "abcdefghijklmnopqrstuvwxyz" if re.fullmatch(x, c, re.I))
            assert folded(c) == expected, hex(code)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Serious",
                "case",
                "CASE",
                "review",
                "REVİEW",
                "reviews",
                "Thematic",
                "SCR",
                "scr",
                "LCSPRs",
                "Rapid",
                " ",
                "\n",
                "  ",
                "ſerious",
                "x",
                "-",
            ]
        ),
        max_size=12,
    ).map("".join)
)
def test_the_review_word_check_agrees_with_the_pattern(reviews, text):
    assert reviews._typed(text) == (reviews.any_type.search(text) is not None)


def test_numeric_dates_read_as_dateparser_parse_reads_them():
    """One parser made once reads numeric dates as `dateparser.parse` (a parser a call) did."""
    import dateparser

    from extract.facts.dates import _SETTINGS, parse_numeric

    texts = [
        f"{d}/{m}/{y}"
        for d in (0, 1, 9, 12, 13, 29, 31, 32)
        for m in (0, 2, 4, 12, 13)
        for y in ("24", "99", "2024", "1900")
    ]
    texts += ["3.4.2023", "03.04.23", "2024-02-29", "2023-02-29", "31.06.2024"]
    for text in texts:
        parsed = dateparser.parse(text, languages=["en"], settings=_SETTINGS)
        assert parse_numeric(text) == (parsed.date() if parsed else None), text


@settings(max_examples=300, deadline=None)
@given(
    day=st.integers(0, 99),
    month=st.integers(0, 99),
    year=st.sampled_from([0, 10, 24, 68, 69, 99, 1899, 1900, 1999, 2000, 2023, 2024, 2099, 2100]),
    seps=st.sampled_from(["//", "..", "/.", "./", "--"]),
    padded=st.booleans(),
    iso=st.booleans(),
)
@example(day=8, month=9, year=1921, seps="./", padded=True, iso=False)
@example(day=0, month=0, year=10, seps="..", padded=False, iso=False)
@example(day=29, month=2, year=24, seps="..", padded=True, iso=False)
@example(day=4, month=13, year=2022, seps="--", padded=True, iso=True)
@example(day=10, month=21, year=2024, seps="//", padded=False, iso=False)
@example(day=31, month=2, year=2024, seps="..", padded=True, iso=False)
@example(day=13, month=13, year=1999, seps="//", padded=False, iso=False)
@example(day=0, month=0, year=2024, seps="..", padded=True, iso=False)
def test_plain_numeric_dates_read_without_dateparser_as_it_reads_them(
    day, month, year, seps, padded, iso
):
    """The forms read without dateparser (same separator twice, or ISO) are read as it
    reads them; what is not such a form, or one it reads its own ways, still goes to it."""
    from extract.facts.dates import _numeric_parser, parse_numeric

    d, m = (f"{day:02d}", f"{month:02d}") if padded else (str(day), str(month))
    y = f"{year:02d}" if year < 100 else str(year)
    text = f"{y}-{m}-{d}" if iso else f"{d}{seps[0]}{m}{seps[1]}{y}"
    data = _numeric_parser().get_date_data(text)
    expected = data["date_obj"].date() if data and data["date_obj"] else None
    assert parse_numeric.__wrapped__(text) == expected, text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("10/21/2024", dt.date(2024, 10, 21)),  # no 21st month: month-first, as dateparser
        ("12.31.1999", dt.date(1999, 12, 31)),
        ("31/13/2024", None),  # neither way a day
        ("0/0/2024", None),
        ("03/04/2022", dt.date(2022, 4, 3)),  # both ways a day: day-first
        ("0.0.10", None),  # a version number
        ("00/00/99", None),
    ],
)
def test_forms_whose_reading_is_known_do_not_load_dateparser(monkeypatch, text, expected):
    """dateparser's first parse loads its data (0.13-0.2 s, in every worker that meets
    one); a numeric date with a four-digit year, or day and month 0, never needs it."""
    from extract.facts import dates

    def refuse():
        raise AssertionError(f"dateparser asked to read {text!r}")

    monkeypatch.setattr(dates, "_numeric_parser", refuse)
    assert dates.parse_numeric.__wrapped__(text) == expected


def test_word_characters_are_res():
    """Rules anchored on a month count the words before it as `re`'s \\w counts them."""
    from extract.rules import _is_word

    word = re.compile(r"\w")
    assert all(_is_word(chr(c)) == bool(word.match(chr(c))) for c in range(0x110000))


_COUNT_WORDS = [
    "3", "14", "two", "twelve", "of", "the", "actions", "action", "recommendations", "key",
    "are", "have", "been", "complete", "completed", "on", "track", "in", "progress", "rated",
    "green", "amber", "red", "overdue", "not", "yet", "started", "remaining", "out", ".", ",",
    "\n", "(", ")", "It",
]  # fmt: skip


def _read_counts_from_a_copy(facts, sent):
    """The Matcher on a copy of the sentence as a doc of its own (as `_read_counts` read
    it before it matched on the span of the window's doc), through the same reading."""
    sdoc = sent.as_doc()
    return facts._read_counts(sdoc[:])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_COUNT_WORDS), min_size=1, max_size=40).map(" ".join))
def test_counts_read_from_a_sentence_span_are_those_of_its_copy(facts, text):
    """The Matcher on a sentence's span of its window reads the figures a copy of the
    sentence as a doc of its own read (the copy cost more than the matching)."""
    for sent in facts.nlp(text).sents:
        assert facts._read_counts(sent) == _read_counts_from_a_copy(facts, sent)


def test_a_window_text_seen_before_gets_the_same_sentences_and_facts():
    """A paper read again (a pack's paper published on its own too) takes its windows'
    docs from the extractor's recent ones, with the facts of a first reading; the oldest
    docs go when there are more than `size`."""
    text = (CORPUS / "thurrock" / "2023-03-14-item10-lscp-annual-report-2021-22.txt").read_text(
        encoding="utf-8"
    )
    doc = Normaliser.load().normalise([Page(1, text)], is_pdf=False)
    first = FactExtractor.load()
    once = first.extract("a", doc, "2022-11-15")
    assert first.windows._docs  # it kept the windows' docs
    again = first.extract("a", doc, "2022-11-15")
    assert again == once == FactExtractor.load().extract("a", doc, "2022-11-15")
    first.windows.size = 2
    first.extract("a", doc, "2022-11-15")
    assert len(first.windows._docs) == 2


def test_the_window_docs_kept_stay_within_their_character_budget():
    """However long the windows, the docs kept hold no more characters than the budget,
    a window longer than `longest` is not kept, and every doc is still the text's."""
    from extract.facts import WindowDocs

    facts = FactExtractor.load()
    windows = WindowDocs(facts.nlp, size=100, longest=500, budget=1_000)
    texts = [f"Window {i}. " * (10 + 30 * (i % 3)) for i in range(12)]
    for batch in (texts[:5], texts[3:], texts):
        docs = windows.docs(batch)
        assert [d.text for d in docs] == batch
        kept = list(windows._docs)
        assert windows._chars == sum(map(len, kept)) <= 1_000
        assert all(len(t) <= 500 for t in kept)


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from([*"0123456789 a.\n٣٤߀１²⁴Ⅳ", "\U0001d7ce", "\ud800"]),
        max_size=80,
    )
)
def test_digit_runs_read_as_an_array_are_re_s(text):
    """The digit runs from code points (long texts) are `re`'s \\d+ runs: Arabic-Indic,
    N'Ko, full-width and mathematical digits count, ² and Ⅳ do not."""
    from extract.rules import _DIGITS, DigitRuns

    runs = [m.span() for m in _DIGITS.finditer(text)]
    for read in (DigitRuns(text, by_array_from=0), DigitRuns(text)):
        assert read.starts() == [a for a, _ in runs]
        for fewest, most in ((1, 2), (2, 3), (4, 4)):
            kept = [a for a, b in runs if fewest <= b - a <= most]
            assert read.starts((fewest, most)) == kept


_DIGIT_TEXT = st.lists(
    st.sampled_from(
        [
            *"0123456789٣１ -/.,&\n",
            *("and", "st", "th", "of", "March", "May", "Sept", "2024", "1999", "12", "3rd"),
        ]
    ),
    max_size=16,
).map("".join)


@settings(max_examples=800, deadline=None)
@given(_DIGIT_TEXT, st.booleans())
@example("12 March 2024", False)
@example("123 March 2024 and 1 May", False)
@example("2024-03-01 and 12024-03-01", False)
@example("01/02/2024 1/2/24 111/2/2024", False)
def test_date_rules_tried_at_digit_runs_of_their_length_find_what_finditer_finds(text, long):
    """The rules that begin a run of digits, tried only where a run of the length they
    say begins (a day: one or two digits; an ISO year: four), find what `finditer` finds,
    read by `re` (a short text) or as an array (`long`)."""
    from extract.rules import DigitRuns

    runs = DigitRuns(text, by_array_from=0 if long else 500)
    for rule in DateFinder.load().rules:
        fast = [(m.span(), m.groupdict()) for m in rule.pattern.finditer(text, runs, {})]
        slow = [(m.span(), m.groupdict()) for m in rule.pattern.pattern.finditer(text)]
        assert fast == slow, rule.id


def _full_pipeline(facts: FactExtractor):
    """The same blank pipeline and count patterns with every lexical attribute spaCy
    works out by default: the reference for the trimmed one."""
    import spacy
    from spacy.matcher import Matcher

    from extract.rules import load_jsonl

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    matcher = Matcher(nlp.vocab)
    for r in load_jsonl("action_counts.jsonl"):
        matcher.add(r["id"], [r["pattern"]], greedy="LONGEST")
    return nlp, matcher


def _readings(nlp, matcher, text: str):
    doc = nlp(text)
    sents = [(s.start_char, s.end_char) for s in doc.sents]
    found = [(nlp.vocab.strings[i], s, e) for i, s, e in matcher(doc)]
    numbers = [t.i for t in doc if t.like_num]
    return sents, sorted(found), numbers


_FACTS = FactExtractor.load()
_FULL = _full_pipeline(_FACTS)
_WORDS = st.sampled_from(
    ["six", "Six", "15", "1,200", "3.5", "½", "recommendations", "actions", "actionable",
     "areas", "are", "green", "amber", "red", "complete", "of", "the", "out", "key", ".",
     "!", "?", ",", "(", ")", "e.g.", "Mr.", "No.", "—", "•", "twenty", "2nd", "£4m", "\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40).map(" ".join))
def test_the_trimmed_vocabulary_reads_counts_and_sentences_as_the_full_one(text):
    """spaCy works out only the lexical attributes the facts read: sentences, Matcher
    matches and numbers are those of the full default vocabulary."""
    assert _readings(_FACTS.nlp, _FACTS.matcher, text) == _readings(*_FULL, text)


def test_the_trimmed_vocabulary_reads_the_corpus_as_the_full_one():
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CORPUS.rglob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.md"))]
    assert texts
    for text in texts:
        assert _readings(_FACTS.nlp, _FACTS.matcher, text) == _readings(*_FULL, text)


def test_a_pattern_keeps_the_attributes_it_names():
    from spacy.attrs import IDS

    from extract.facts import lexical_attributes

    kept = lexical_attributes([[{"IS_DIGIT": True}, {"LOWER": {"IN": ["a"]}, "OP": "?"}]])
    assert {IDS["IS_DIGIT"], IDS["LOWER"], IDS["IS_PUNCT"], IDS["LIKE_NUM"]} == kept


def _tokens(tokenizer, text: str) -> list[tuple]:
    return [(t.text, t.idx, t.whitespace_, t.orth, t.norm_, t.lower_) for t in tokenizer(text)]


_REFERENCE_TOKENIZER = _FULL[0].tokenizer  # spaCy's own blank English: every exception
_OUR_TOKENIZER = english().tokenizer  # (the facts' own has a trimmed vocabulary: see above)
_EXCEPTIONS = sorted(_REFERENCE_TOKENIZER.rules)
_PIECES = st.one_of(
    st.sampled_from(_EXCEPTIONS),  # all 1,347, those we drop and those we keep
    st.sampled_from(["a", "e", "g", "0", "1", "10", "D", "C", "o", "x", "v", "V", "_", ".", ",",
                     "-", "(", ")", "'", "’", "\"", ":", ";", "/", "!", "?", "s", "n't", "am",
                     "pm", "Mr", "agenda", "£", "%", "&", "+", "—", "–", "…"]),
    st.text(max_size=3),
)  # fmt: skip
_GAPS = st.sampled_from(["", "", "", " ", " ", "  ", "\n", "\n\n", "\t", "\xa0", " \n", "\r\n"])


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(_PIECES, _GAPS), max_size=30))
@example([("0.0", ""), (")", " "), ("\n", "")])
@example([("(", ""), ("0.0", ""), (".", "\n"), (" ", " "), ("’", "")])
@example([("can", ""), ("not", " "), ("\xa0", "\n"), ("e.g.", ""), ("\n", "\t")])
def test_our_english_tokenizes_as_spacys(pieces):
    """`english()` drops the tokenizer exceptions that change nothing (so that spaCy's
    tokenizer cache keeps working): every token, its offsets and norms are as spaCy's blank
    English makes them, for text built of every exception, affixes and whitespace. Both
    tokenizers are reused from example to example, so their caches are tried too."""
    text = "".join(piece + gap for piece, gap in pieces)
    assert _tokens(_OUR_TOKENIZER, text) == _tokens(_REFERENCE_TOKENIZER, text)


def test_our_english_tokenizes_the_corpus_as_spacys():
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CORPUS.rglob("*.txt"))]
    assert texts
    for text in texts:
        assert _tokens(_OUR_TOKENIZER, text) == _tokens(_REFERENCE_TOKENIZER, text)


def test_our_english_drops_only_exceptions_that_change_nothing():
    """What is dropped is one token of its own text; what spaCy has otherwise stays."""
    from spacy.attrs import ORTH

    ours = _FACTS.nlp.tokenizer.rules
    assert ours == _OUR_TOKENIZER.rules
    dropped = set(_REFERENCE_TOKENIZER.rules) - set(ours)
    assert {"\n", " ", "\t", "0.0"} <= dropped
    assert all(_REFERENCE_TOKENIZER.rules[text] == [{ORTH: text}] for text in dropped)
    assert "\xa0" in ours  # one token, but with a norm of its own
    assert "e.g." in ours and "cannot" in ours
