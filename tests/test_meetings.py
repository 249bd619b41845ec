"""Minutes and agendas (structure/meetings.py): items, decisions, attendance, agenda items.

Whole papers are scored against the gold in test_evaluate.py; these pin the rules on the
shapes other councils' papers take too, and the regressions found on Kent's."""

from __future__ import annotations

import pytest

from extract.ingest.normalise import DocumentText
from extract.structure.lines import collapse
from extract.structure.meetings import (
    MeetingRules,
    read_agenda,
    read_minutes,
    split_people,
)
from tests.conftest import KENT

RULES = MeetingRules.load()


def _doc(text: str) -> DocumentText:
    return DocumentText(text=text, raw=text, offsets=None, page_starts=[0])


@pytest.mark.parametrize(
    "printed, people",
    [
        (
            "Mr R W Gough (Chairman), Mr N Baker, Mrs S Chandler and Mr R J Thomas",
            [
                ("Mr R W Gough", "Chairman"),
                ("Mr N Baker", ""),
                ("Mrs S Chandler", ""),
                ("Mr R J Thomas", ""),
            ],
        ),
        # post-nominals after a comma stay with the name
        (
            "Sir Paul Carter, CBE, Mr R C Love, OBE",
            [("Sir Paul Carter, CBE", ""), ("Mr R C Love, OBE", "")],
        ),
        # a role in brackets may hold commas
        (
            "Mrs S Hammond (Corporate Director Children, Young People and Education) "
            "and Mr B Watts",
            [
                ("Mrs S Hammond", "Corporate Director Children, Young People and Education"),
                ("Mr B Watts", ""),
            ],
        ),
        # first names without a title; a role after a comma
        (
            "Sue Chandler, Cabinet Member for Integrated Children's Services.",
            [("Sue Chandler", "Cabinet Member for Integrated Children's Services")],
        ),
        (
            "Mr R Love OBE, Ms K Leonard, and Ms A Farmer.",
            [("Mr R Love OBE", ""), ("Ms K Leonard", ""), ("Ms A Farmer", "")],
        ),
        ("and McKay (Acting Chief Accountant)", [("McKay", "Acting Chief Accountant")]),
    ],
)
def test_split_people(printed, people):
    found = split_people(printed, 100)
    assert [(name, role) for name, role, _, _ in found] == people
    for name, _, a, b in found:  # spans point into the printed text
        assert printed[a - 100 : b - 100].startswith(name.split(",")[0])


MINUTES = """KENT COUNTY COUNCIL
CABINET
MINUTES of a meeting of the Cabinet held in the Council Chamber, Sessions House,
County Hall, Maidstone on Thursday, 30 January 2025.
PRESENT: Mr R W Gough (Chairman), Mr N Baker and Mrs S Chandler
IN ATTENDANCE: Dr A Ghosh (Director of Public Health), Mrs S Hammond
(Corporate Director Children, Young People and Education) and Mr B Watts
(General Counsel)
UNRESTRICTED ITEMS
84. Apologies
(Item 1)
Apologies were received from Mrs C Bell.
85. 24/00109 - Transfer the 18-25 section of the Strengthening Independence
Service from the Children Young People and Education Directorate to the Adult
Social Care and Health Directorate
(Item 7)
1. Mrs Chandler, Cabinet Member for Integrated Children's Services introduced
the report.
2. Steve Grimshaw, who managed the scheme, recently presented at a forum.
3. RESOLVED that Cabinet agree to:
(a) Adopt the Strategy; and
(b) Delegate authority to the Director.
4. The Leader thanked officers.
"""


def test_minutes_items_decisions_and_attendance():
    m = read_minutes("d", _doc(MINUTES), RULES)
    assert [(i.minute_number, i.item_number) for i in m.minute_items] == [("84", "1"), ("85", "7")]
    assert m.minute_items[1].title.startswith("24/00109 - Transfer the 18-25 section")
    assert m.minute_items[1].title.endswith("Adult Social Care and Health Directorate")
    assert m.minute_items[1].presenter == "Mrs Chandler"  # a role before the verb, no comma
    assert [(r.number, r.text) for r in m.resolutions] == [
        ("a", "Adopt the Strategy; and"),
        ("b", "Delegate authority to the Director."),  # paragraph 4 ends the decision
    ]
    assert all(r.item_seq == 2 and r.minute_number == "85" for r in m.resolutions)
    by_capacity = {}
    for a in m.attendance:
        by_capacity.setdefault(a.capacity, []).append(a.name)
    assert by_capacity == {
        "present": ["Mr R W Gough", "Mr N Baker", "Mrs S Chandler"],
        "in_attendance": ["Dr A Ghosh", "Mrs S Hammond", "Mr B Watts"],  # roles wrap lines
        "apologies": ["Mrs C Bell"],
    }
    fields = {name: value for name, value, *_ in m.fields}
    assert fields["venue"] == "Council Chamber, Sessions House, County Hall, Maidstone"
    for r in m.resolutions:  # provenance: the span holds the words
        assert collapse(MINUTES[r.char_start : r.char_end]).endswith(r.text)
    for a in m.attendance:
        assert MINUTES[a.char_start : a.char_end].startswith(a.name)


def test_minutes_without_markers_take_numbered_headings_that_rise():
    """Other councils number minutes without "(Item N)": discussion paragraphs restart at 1,
    end in a full stop, or run on to a lower-case line, and are not items."""
    text = """Minutes of the Children's Services Overview and Scrutiny Committee
held on 8 October 2019
Present: Councillors A Smith (Chair) and B Jones
12. Minutes
The minutes were approved as a correct record.
13. Items of Urgent Business
There were none.
14. Thurrock LSCP Performance Report
1. The Strategic Lead introduced the report which
set out the partnership's performance.
RESOLVED:
1. That the Committee noted the report.
"""
    m = read_minutes("d", _doc(text), RULES)
    assert [(i.minute_number, i.title) for i in m.minute_items] == [
        ("12", "Minutes"),
        ("13", "Items of Urgent Business"),
        ("14", "Thurrock LSCP Performance Report"),
    ]
    assert [(r.item_seq, r.number, r.text) for r in m.resolutions] == [
        (3, "1", "That the Committee noted the report.")
    ]


AGENDA = """AGENDA
CABINET
Tuesday, 4th March, 2025, at 10.00 am Ask for: Georgina Little
Council Chamber, Sessions House,
County Hall, Maidstone
Telephone: Tel: 03000 414043
UNRESTRICTED ITEMS
1. Apologies
2. Declarations of Disclosable Pecuniary Interests or Other
Significant Interests in items on the agenda
3. Minutes of the Meeting held on 30 January 2025 (Pages 1 - 18)
4. Capital Programme 2025-35 and Revenue Budget 2025-26
(including Council Tax Setting 2025/26)
(Pages 37 - 250)
EXEMPT ITEMS
(At the time of preparing the agenda there were no exempt items.)
Benjamin Watts
General Counsel
Monday, 24 February 2025
"""


def test_agenda_items_with_page_ranges_and_wrapped_titles():
    a = read_agenda("d", _doc(AGENDA), RULES)
    assert [(i.item_number, i.title, i.page_from, i.page_to) for i in a.agenda_items] == [
        ("1", "Apologies", None, None),
        (
            "2",
            "Declarations of Disclosable Pecuniary Interests or Other Significant Interests "
            "in items on the agenda",
            None,
            None,
        ),
        ("3", "Minutes of the Meeting held on 30 January 2025", 1, 18),  # a date in a title
        (
            "4",
            "Capital Programme 2025-35 and Revenue Budget 2025-26 (including Council Tax "
            "Setting 2025/26)",
            37,
            250,
        ),
    ]
    fields = {name: value for name, value, *_ in a.fields}
    assert fields == {
        "venue": "Council Chamber, Sessions House, County Hall, Maidstone",
        "meeting_time": "10:00",
    }


def test_a_stray_numbered_line_is_not_an_agenda():
    """One numbered line ("57 Sheppey residents …") in a letter is not a list of items."""
    text = "Dear Member\n57 Sheppey residents have moved into a home.\nYours sincerely\n"
    assert read_agenda("d", _doc(text), RULES).agenda_items == []


CPP = KENT / "full_council" / "2025-03-13" / "CPP Minutes 29.10.24.pdf"


@pytest.mark.skipif(not CPP.is_file(), reason="Kent set absent")
def test_item_markers_at_the_top_of_pages_are_not_page_furniture():
    """Regression: "(Item 9)" heads a page in these minutes and recurs at page tops, so the
    running-header rule dropped it and item 9 merged into item 8."""
    from extract.process import Processor
    from extract.settings import IngestSettings

    result = Processor.build(IngestSettings()).process(CPP, CPP.read_bytes(), "cpp")
    numbers = [i.item_number for i in result.structure.minute_items]
    assert numbers == [str(n) for n in range(1, 13)]
    assert result.structure.minute_items[8].title == "The Joint Housing Protocol for Care Leavers"


# --- regressions found in review ---------------------------------------------------------


@pytest.mark.parametrize("text", ["", "RESOLVED", "PRESENT: Mr A", "(Item 3)", "Item 5\n"])
def test_minutes_without_items_do_not_fail(text):
    assert read_minutes("d", _doc(text), RULES).minute_items == []


def test_presenter_rule_does_not_backtrack_on_a_long_capitalised_word():
    """'The' then one long capitalised token took minutes (optional spaces between words)."""
    from extract.structure.meetings import _presenter

    assert _presenter(". The " + "Ab" * 400 + " said so.", RULES) == ""


def test_numbered_minutes_ignore_dates_phone_numbers_and_lists_inside_items():
    text = """Minutes of the Cabinet
14 March 2025
0300 041 4141
1. Apologies
None.
2. Budget
Members discussed:
3. Highways
4. Schools
3. Minutes of the last meeting
Agreed.
4. Urgent Business
There was none.
"""
    m = read_minutes("d", _doc(text), RULES)
    assert [(i.minute_number, i.title) for i in m.minute_items][::3] == [
        ("1", "Apologies"),
        ("4", "Urgent Business"),
    ]
    assert [i.minute_number for i in m.minute_items] == ["1", "2", "3", "4"]


@pytest.mark.parametrize(
    "body, decisions",
    [
        # a whole decision, then numbered discussion: the numbers are not its parts
        (
            "RESOLVED that the budget be agreed.\n\n2) Mr Y asked about reserves.\n"
            "3) Members noted the risks.\n",
            [("", "that the budget be agreed.")],
        ),
        # parts end at a blank line that no further part follows
        (
            "RESOLVED that Cabinet:\n1. agree the plan;\n2. note the risks.\n\n"
            "The Chairman thanked officers.\n",
            [("1", "agree the plan;"), ("2", "note the risks.")],
        ),
        # regression: a sub-heading between the lead-in and the parts (Kent's budget)
        (
            "RESOLVED that:\nCouncil is asked to agree the following:\nCapital Programme\n"
            "(a) The programme.\n(b) The budget.\n",
            [("a", "The programme."), ("b", "The budget.")],
        ),
    ],
)
def test_where_a_decision_ends(body, decisions):
    text = f"12. Budget\n{body}"
    m = read_minutes("d", _doc(text), RULES)
    assert [(r.number, r.text) for r in m.resolutions] == decisions


@pytest.mark.parametrize(
    "numbers",
    [["A1", "A2", "B1", "B2", "B3", "C1"], ["1", "2", "3", "3(a)", "3(b)", "4", "5"]],
)
def test_agenda_sections_and_sub_items_are_kept(numbers):
    text = "AGENDA\n" + "".join(f"{n} Item called {n}\n" for n in numbers)
    assert [i.item_number for i in read_agenda("d", _doc(text), RULES).agenda_items] == numbers


def test_an_attendance_list_ends_at_a_blank_line():
    text = "PRESENT: Mr A Smith, Mrs B Jones\n\nWebcast Notice, County Hall and Online\n"
    m = read_minutes("d", _doc(text), RULES)
    assert [a.name for a in m.attendance] == ["Mr A Smith", "Mrs B Jones"]


@pytest.mark.parametrize(
    "sentence, names",
    [
        (
            "Apologies were received from Mr C. Green and Mrs D Black.",
            ["Mr C. Green", "Mrs D Black"],
        ),
        ("No apologies were received from Members.", []),
        ("Apologies were received from Members of the public.", []),
    ],
)
def test_apologies_sentences(sentence, names):
    text = f"1. Apologies\n(Item 1)\n{sentence}\n"
    m = read_minutes("d", _doc(text), RULES)
    assert [a.name for a in m.attendance if a.capacity == "apologies"] == names
