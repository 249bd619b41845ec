"""Structure rules, as tables of the patterns they must handle (several templates each)."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract.models import DocType
from extract.structure import blocks
from extract.structure.header import HeaderExtractor, access_level, key_decision_flag
from extract.structure.lines import find_date
from extract.structure.people import Person, people_from_lines, split_person
from extract.structure.sections import HeadingLexicon, find_headings, plausible_next
from tests.conftest import CORPUS, OCR_TEXT, PDF_REPORT, TABBED_TEXT


@pytest.mark.parametrize(
    ("text", "person"),
    [
        (
            "Priscilla Bruce-Annan, Local Safeguarding Children Partnership Business Manager",
            Person(
                "Priscilla Bruce-Annan", "Local Safeguarding Children Partnership Business Manager"
            ),
        ),
        (
            "Sheila Murphy, Corporate Director, Children's Services",
            Person("Sheila Murphy", "Corporate Director, Children's Services"),
        ),
        (
            "Interim Corporate Director Finance, John Betts",
            Person("John Betts", "Interim Corporate Director Finance"),
        ),
        (
            "Dave Shipton (Head of Finance Policy, Planning and Strategy)",
            Person("Dave Shipton", "Head of Finance Policy, Planning and Strategy"),
        ),
        (
            "Dr Anjan Ghosh, Director of Public Health",
            Person("Dr Anjan Ghosh", "Director of Public Health"),
        ),
        ("Josh MacAlister", Person("Josh MacAlister", "")),
        ("Business Manager", Person("", "Business Manager")),
    ],
)
def test_split_person(text, person):
    assert split_person(text) == person


def test_several_people_under_one_label_with_wrapped_roles():
    lines = [
        "Peter Oakford, Deputy Leader and Cabinet Member for Finance,",
        "Corporate and Traded Services",
        "John Betts, Interim Corporate Director of Finance",
    ]
    assert people_from_lines(lines) == [
        Person(
            "Peter Oakford",
            "Deputy Leader and Cabinet Member for Finance, Corporate and Traded Services",
        ),
        Person("John Betts", "Interim Corporate Director of Finance"),
    ]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("14 March 2023\t\tITEM: 10", "2023-03-14"),
        ("To: Cabinet – 4th March 2025", "2025-03-04"),
        ("Tuesday, 4th March, 2025, at 10.00 am", "2025-03-04"),
        ("held on Thursday, 9 January 2025.", "2025-01-09"),
        ("Date: 03/04/2025", "2025-04-03"),  # day first, as in the UK
        ("Sept 2019 and 31 September 2019", None),  # no day / no such day
    ],
)
def test_find_date(text, iso):
    found = find_date(text)
    assert (found[0].isoformat() if found else None) == iso


@pytest.fixture(scope="module")
def header():
    return HeaderExtractor.load()


def test_header_tabbed_rows_with_two_labels_on_a_line(header):
    text = (
        "6 October 2020\t\tITEM: 7\n"
        "Children's Services Overview and Scrutiny Committee\t\t\n"
        "Items Raised by the Partnership – Serious Case Review\t\t\n"
        "Wards and communities affected: All\tKey Decision: N/A\t\n"
        "Report of: Jane Foster-Taylor, CCG – Statutory Partner\t\t\n"
        "This report is Public\t\t\n\nExecutive Summary\n\nBody."
    )
    h = header.extract(text, DocType.REPORT)
    assert {k: h.value(k) for k in ("meeting_date", "item_number", "committee", "title")} == {
        "meeting_date": "2020-10-06",
        "item_number": "7",
        "committee": "Children's Services Overview and Scrutiny Committee",
        "title": "Items Raised by the Partnership – Serious Case Review",
    }
    assert h.value("wards_affected") == "All" and h.value("key_decision") == "N/A"
    assert h.value("report_of_name") == "Jane Foster-Taylor"
    assert h.value("classification") == "public"


def test_header_label_lines_wrapped_and_values_on_the_next_line(header):
    text = (
        "From: Roger Gough, Leader of the Council\n"
        "To: County Council Date: 13 March 2025\n"
        "Subject: Devolution and Local Government Reorganisation\n"
        "update for Members\n"
        "DECISION NUMBER:\n"
        "24/00108\n"
        "Classification: Unrestricted\n"
        "Summary:\nThe body starts."
    )
    h = header.extract(text, DocType.REPORT)
    assert h.value("committee") == "County Council"
    assert h.value("meeting_date") == "2025-03-13"
    assert h.value("title") == "Devolution and Local Government Reorganisation update for Members"
    assert h.value("decision_number") == "24/00108"
    assert h.value("classification") == "public"
    assert (h.value("report_of_name"), h.value("report_of_role")) == (
        "Roger Gough",
        "Leader of the Council",
    )


def test_a_value_the_paper_does_not_give_is_empty_with_a_warning(processed):
    result = processed(OCR_TEXT)  # no front sheet survived the OCR
    assert result.structure.header.get("meeting_date", "") == ""
    assert result.structure.header.get("title", "") == ""
    assert any("front sheet gives no meeting_date" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("This report is Public", "public"),
        ("Unrestricted", "public"),
        ("Exempt", "exempt"),
        ("NOT FOR PUBLICATION", "exempt"),
        ("", ""),
    ],
)
def test_access_level(value, level):
    assert access_level(value) == level


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        ("Non-key", "false"),
        ("N/A", "false"),
        ("NO", "false"),
        ("Yes - It affects more than 2 Electoral Divisions", "true"),
        ("", ""),
    ],
)
def test_key_decision_flag(value, flag):
    assert key_decision_flag(value) == flag


@pytest.mark.parametrize(
    ("prev", "cand", "ok"),
    [
        (None, (283,), True),
        ((2,), (2, 6), True),  # 2.1-2.5 were numbered paragraphs
        ((2, 13), (2, 14), True),
        ((2, 13), (3,), True),
        ((2, 2), (1,), False),  # a numbered list inside section 2.2
        ((2, 13), (2, 2), False),  # an action number in a table
        ((2, 13), (13, 2), False),
        ((7,), (7, 1), True),
    ],
)
def test_section_numbers_move_forward(prev, cand, ok):
    assert plausible_next(prev, cand) is ok


def test_numbered_paragraphs_and_lists_are_not_sections():
    text = (
        "1. Recommendation(s)\n\n1.1 That the Committee note the report.\n\n"
        "2. Introduction and Background\n\n"
        "2.1 The Serious Case Review report is written by an author.\n\n"
        "2.2 The report had key lines of enquiry that relate to;\n\n"
        "1. How well agencies co-ordinated; including universal services\n"
        "2. Dealing with neglect; use of tools and training.\n\n"
        "2.3 Delivery Plan Exception report\n\n3.1 None\n\n"
        "3. Issues, Options and Analysis of Options\n"
    )
    found = [(h.number, h.text) for h in find_headings(text, HeadingLexicon.load())]
    assert found == [
        ("1", "Recommendation(s)"),
        ("2", "Introduction and Background"),
        ("2.3", "Delivery Plan Exception report"),
        ("3", "Issues, Options and Analysis of Options"),
    ]


def test_ocr_paper_without_numbers_finds_standalone_headings(processed):
    headings = [s.heading for s in processed(OCR_TEXT).structure.sections]
    assert "Update on LSCP Work" in headings
    assert "Impact on corporate policies, priorities, performance and community impact" in headings
    assert "Strategic Lead - Finance" not in headings  # a sign-off, not a heading


def test_implication_sign_off_with_role_over_a_blank_line():
    body = (
        "Implications verified by: Natalie Smith\n\n"
        "Strategic Lead: Community Development and\n\n"
        "Equalities Officer\n\n"
        "Supporting our children and young people who are disadvantaged is a key priority.\n"
    )
    imp = blocks.implication("Diversity and Equality", "diversity_equality", body, 0)
    assert imp.verified_by == "Natalie Smith"
    assert imp.role == "Strategic Lead: Community Development and Equalities Officer"
    assert imp.no_implications is False


@pytest.mark.parametrize(
    ("body", "none"),
    [
        ("None.", True),
        ("• None relevant", True),
        ("No implications identified.", True),
        ("There are no financial implications.", True),
        ("The new arrangements apply to all. There are no known negative implications.", True),
        ("The review was conducted. There are no other specific legal implications.", False),
        ("The Council must consult partners before it decides.", False),
    ],
)
def test_no_implications(body, none):
    assert blocks.implication("Legal", "legal", body, 0).no_implications is none


def test_recommendations_numbered_bracketed_and_lettered():
    kent = (
        "Cabinet is asked to:\n1) NOTE the budget updates and ENDORSE\nthem.\n"
        "2) APPROVE the transfer.\n"
    )
    assert [(i.number, i.text) for i in blocks.recommendations(kent, 0)] == [
        ("1", "NOTE the budget updates and ENDORSE them."),
        ("2", "APPROVE the transfer."),
    ]
    lettered = "A. That Cabinet agrees the plan.\nB. That Cabinet delegates authority.\n"
    assert [i.number for i in blocks.recommendations(lettered, 0)] == ["A", "B"]
    plain = "That the Committee note the update on the work of the LSCP and the\nprogress made.\n"
    assert [(i.number, i.text) for i in blocks.recommendations(plain, 0)] == [
        ("", "That the Committee note the update on the work of the LSCP and the progress made.")
    ]


def test_appendices_and_background_papers():
    body = "Appendix 1 – Serious Case Review – Sam and Kyle\nAppendix 2 – Action Plan\n"
    assert [(a.label, a.title) for a in blocks.appendices(body, 0)] == [
        ("Appendix 1", "Serious Case Review – Sam and Kyle"),
        ("Appendix 2", "Action Plan"),
    ]
    assert blocks.list_entries("None.\n", 0) == []
    papers = blocks.list_entries(
        "• Working Together 2018 (Government Document)\n• The Act (Legislation)\n", 0
    )
    assert [p.text for p in papers] == [
        "Working Together 2018 (Government Document)",
        "The Act (Legislation)",
    ]


@pytest.mark.parametrize(
    "path", [TABBED_TEXT, PDF_REPORT, OCR_TEXT, *sorted((CORPUS / "thurrock").glob("*"))]
)
def test_every_span_lies_in_the_text(processed, path):
    result = processed(path)
    n = len(result.text.text)
    s = result.structure
    for rows in (
        s.header_fields,
        s.sections,
        s.recommendations,
        s.implications,
        s.appendices,
        s.background_papers,
        s.people,
    ):
        for row in rows:
            assert 0 <= row.char_start <= row.char_end <= n, row
            assert 1 <= row.page <= result.pages


@pytest.mark.parametrize("path", sorted((CORPUS / "thurrock").glob("*.*")), ids=lambda p: p.name)
def test_the_lexicon_regex_picks_the_rule_a_loop_over_the_rules_picks(processed, path):
    """One regex of every standard heading, tried whole: on every line (and every line
    after a section number) of the corpus, the first rule that matches, as a loop finds."""
    from extract.structure.lines import collapse

    lexicon = HeadingLexicon.load()
    lines = processed(path).text.text.splitlines()
    candidates = lines + [re.sub(r"^\s*[\d.]+\s*", "", ln) for ln in lines]
    found = 0
    for line in candidates:
        clean = collapse(line).rstrip(":").strip()
        expected = next((r for r in lexicon.rules if r.pattern.fullmatch(clean)), None)
        assert lexicon.match(line) is expected, line
        found += expected is not None
    assert found  # the corpus papers have standard headings


_HEADING_PIECES = [
    "Financial",
    "Legal",
    "Staffing",
    "Procurement, Property",
    "implications",
    "IMPLICATIONS",
    "Implications",
    "ımplications",  # dotless i: re's IGNORECASE matches it to i
    "implicationſ",  # long s: likewise to s
    "implication",
    "there",
    "no",
    "the",
    "and",
    "Other",
    "Background Papers",
    "Summary",
    "Equality",
    " ",
    "  ",
    "\t",
    ":",
    "-",
    "&",
    "x" * 30,
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_HEADING_PIECES), max_size=8))
@example(["Staffing", " ", "ımplications"])
@example(["Staffing", " ", "implicationſ", ":"])
def test_the_lexicon_skips_a_rule_only_where_its_ending_rules_it_out(pieces):
    """A rule left out for a line that lacks its literal ending: the rule picked is the
    one a loop over every rule picks, implication endings in any case (and with the
    characters re folds onto i and s) included."""
    from extract.structure.lines import collapse

    lexicon = HeadingLexicon.load()
    assert lexicon.endings  # the named-implication rule ends with "implications"
    line = "".join(pieces)
    clean = collapse(line).rstrip(":").strip()
    expected = next((r for r in lexicon.rules if r.pattern.fullmatch(clean)), None)
    assert lexicon.match(line) is expected
    assert lexicon.match(line) is expected  # and again, from the cache


@pytest.mark.parametrize("rule", HeadingLexicon.load().rules, ids=lambda r: r.id)
@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_a_rules_literal_ending_ends_every_full_match(rule, data):
    """`literal_suffix`: whatever a rule matches in full ends with its literal ending
    (as the ending's own regex reads it)."""
    from extract.rules import literal_suffix

    tail = literal_suffix(rule.pattern.pattern, re.IGNORECASE)
    text = data.draw(st.from_regex(rule.pattern, fullmatch=True))
    end = re.compile(re.escape(tail), re.IGNORECASE)
    assert end.fullmatch(text, max(0, len(text) - len(tail)))


def test_literal_suffix_reads_only_trailing_literals():
    from extract.rules import literal_suffix

    assert literal_suffix(r"[a-z]+\s+implications") == "implications"
    assert literal_suffix(r"legal(?:\s+implications)?") == ""
    assert literal_suffix(r"a|b") == ""
    assert literal_suffix(r"other\s+implications.*") == ""
    assert literal_suffix(r"x\(s\)") == "x(s)"
    assert literal_suffix(r"x\b") == ""


def test_collapse_folds_the_whitespace_re_folds():
    """`collapse` splits on str whitespace; values were written with re's \\s+: the two
    agree on every code point, so the fold is the same."""
    from extract.structure.lines import collapse

    for code in range(0x110000):
        c = chr(code)
        text = f"a{c}{c}b "
        assert collapse(text) == re.sub(r"\s+", " ", text).strip(), hex(code)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Report of", "Date", "Wards", "From", " ", "  ", "\t", ":", "\n", "x", "S"]
        ),
        max_size=30,
    ).map("".join)
)
def test_a_label_is_only_ever_on_a_line_with_a_colon(text):
    """`_labelled` tries only the lines with a colon: a label never matches without one."""
    from extract.structure.lines import lines_of

    pattern = HeaderExtractor.load().pattern
    for line in lines_of(text):
        if pattern.search(line.text):
            assert ":" in line.text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["and", "or", "either", "with", "brand", "Of", ",", "-", "–", " ", "\n", "x"]
        ),
        max_size=12,
    ).map("".join)
)
def test_runs_on_is_the_search_of_the_whole_text(text):
    """An item runs on when its text ends mid-phrase: searching the last few characters
    says what searching all of it says (and no word of the rule is longer than the reach)."""
    assert blocks._runs_on(text) == bool(blocks._RUNS_ON.search(text))
    longest = max(len(w) for w in re.findall(r"[a-z]+", blocks._RUNS_ON.pattern))
    assert longest <= blocks._RUNS_ON_REACH


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Kent", "County", "Council", "Councillor", "Councils", "the", "Medway", "O'Brien",
             "Metropolitan", "Borough", "City", "District", "St", "-", "’", " ", "  ", "\t",
             "\n", ",", ".", "é", "ÉCouncil", "2", "xCouncil", "KCC"]
        ),
        max_size=30,
    ).map("".join)
)  # fmt: skip
def test_council_mentions_are_the_patterns_matches(text):
    """Council mentions tried only about each "Council" are `finditer`'s matches."""
    from extract.structure.header import _COUNCIL_MENTION, council_mentions

    expected = [(m.span(), m.group("council")) for m in _COUNCIL_MENTION.finditer(text)]
    assert [(m.span(), m.group("council")) for m in council_mentions(text)] == expected


def test_the_heading_lexicon_travels_and_keeps_only_short_lines():
    """The lexicon pickles (as anything sent to a Dask worker must) and reads the same
    after; only lines short enough to be headings are kept for their next time."""
    import pickle

    from extract.structure.sections import _CACHED_LONGEST, HeadingLexicon

    lexicon = HeadingLexicon.load()
    travelled = pickle.loads(pickle.dumps(lexicon))
    for line in ("Financial implications", "Background Papers", "The committee noted it."):
        assert travelled.match(line) == lexicon.match(line)
    before = lexicon._cached.cache_info().currsize
    lexicon.match("word " * (_CACHED_LONGEST // 5 + 1))
    assert lexicon._cached.cache_info().currsize == before


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\r", "é", "\f"]), max_size=40))
def test_a_texts_lines_are_its_own(text):
    """Each line is the text between newlines, at its offsets, and as a Line (its
    properties read it): joined again they are the text."""
    from extract.structure.lines import Line, lines_of

    lines = lines_of(text)
    assert "\n".join(ln.text for ln in lines) == text
    for ln in lines:
        assert type(ln) is Line and text[ln.start : ln.end] == ln.text
        assert ln.blank == (not ln.text.strip()) and ln.stripped == ln.text.strip()
