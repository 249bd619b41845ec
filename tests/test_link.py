"""Linking across papers and the auditor's timeline, on the corpus and on built cases."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import Counter

import pandas as pd
import pytest

from extract.cli import main
from extract.link import MinuteKey, link, link_minutes
from extract.models import DocumentRow, ReviewMentionRow
from tests.conftest import OUTPUTS

_DOC_FIELDS = [f.name for f in dataclasses.fields(DocumentRow)]


def _doc(doc_id: str, council: str, date: str) -> DocumentRow:
    values = dict.fromkeys(_DOC_FIELDS, "")
    values.update(doc_id=doc_id, council=council, meeting_date=date, pages=1, chars=0)
    values.update(ocr_suspected=False, is_key_decision=None)
    return DocumentRow(**values)


def _mention(doc_id: str, name: str, review_type: str) -> ReviewMentionRow:
    return ReviewMentionRow(doc_id, 1, name, name, review_type, 1, 0, 1, "…", "review.test")


def test_a_pseudonym_names_one_review_only_within_one_council():
    docs = [
        _doc("a", "Thurrock Council", "2022-01-01"),
        _doc("b", "Gloucestershire County Council", "2022-02-01"),
    ]
    linked = link(
        docs,
        [_mention("a", "james", "lcspr"), _mention("b", "james", "lcspr")],
        [],
        {"james": Counter({"James": 2})},
        {},
    )
    assert sorted(r.review_id for r in linked.reviews) == [
        "gloucestershire/james",
        "thurrock/james",
    ]


def test_a_review_whose_type_changes_between_papers_keeps_one_id():
    docs = [
        _doc("a", "Thurrock Council", "2020-10-06"),
        _doc("b", "Thurrock Council", "2022-11-01"),
    ]
    mentions = [
        _mention("a", "shae-and-ashley", "serious_case_review"),
        _mention("b", "shae-and-ashley", "local_health_review"),
        _mention("b", "shae-and-ashley", "local_health_review"),
    ]
    linked = link(docs, mentions, [], {"shae-and-ashley": Counter({"Shae and Ashley": 2})}, {})
    assert [
        (r.review_id, r.review_type, r.n_documents, r.first_mentioned, r.last_mentioned)
        for r in linked.reviews
    ] == [("thurrock/shae-and-ashley", "local_health_review", 2, "2020-10-06", "2022-11-01")]


def test_national_panel_reviews_are_not_tied_to_a_council():
    docs = [
        _doc("a", "Thurrock Council", "2022-01-01"),
        _doc("b", "Kent County Council", "2022-02-01"),
    ]
    linked = link(
        docs,
        [
            _mention("a", "child-q", "national_panel_review"),
            _mention("b", "child-q", "national_panel_review"),
        ],
        [],
        {},
        {},
    )
    assert [(r.review_id, r.n_documents) for r in linked.reviews] == [("national/child-q", 2)]


@pytest.fixture(scope="module")
def progress():
    return pd.read_csv(OUTPUTS / "review_progress.csv", dtype=str, keep_default_na=False)


def test_corpus_timeline_thematic_review_from_ratification_to_six_of_fifteen(progress):
    rows = progress[progress.review_id == "thurrock/serious-youth-violence-and-gang-related-crime"]
    rows = rows.sort_values("meeting_date")
    first, last = rows.iloc[0], rows.iloc[-1]
    assert first.meeting_date.startswith("2022-") and first.date_source == "estimated"
    assert "governance process for ratification" in first.status_text and first.complete == ""
    assert (last.meeting_date, last.complete, last.actions, last.date_source) == (
        "2023-09-12",
        "6",
        "15",
        "paper",
    )


def test_corpus_timeline_shae_and_ashley_six_of_fourteen(progress):
    row = progress[progress.review_id == "thurrock/shae-and-ashley"].iloc[0]
    assert (row.recommendations, row.actions, row.complete, row.in_progress) == (
        "10",
        "14",
        "6",
        "8",
    )
    assert row.pct_complete == "42.9"
    assert "6 actions are complete" in row.sentence


def test_two_papers_for_one_meeting_that_disagree_are_both_kept_and_flagged():
    from extract.models import ActionCountRow

    docs = [
        _doc("a", "Thurrock Council", "2023-09-12"),
        _doc("b", "Thurrock Council", "2023-09-12"),
    ]
    counts = [
        ActionCountRow(
            d, 1, "plan", None, 15, c, None, None, None, None, None, None, "s", 1, 0, 1, "r"
        )
        for d, c in (("a", 6), ("b", 7))
    ]
    linked = link(
        docs,
        [_mention("a", "plan", "thematic_review"), _mention("b", "plan", "thematic_review")],
        counts,
        {},
        {},
    )
    assert sorted((p.doc_id, p.complete, p.conflict) for p in linked.progress) == [
        ("a", 6, "disagrees on complete"),
        ("b", 7, "disagrees on complete"),
    ]


def test_trace_prints_the_timeline_with_sentences(capsys):
    assert main(["trace", "Shae and Ashley", "--out", str(OUTPUTS)]) == 0
    out = capsys.readouterr().out
    assert "recommendations 10, actions 14, complete 6, in progress 8 (42.9% complete)" in out
    assert "lscp-update-autumn-2022-ocr.txt, page 1" in out
    assert "6 actions are complete and the remaining 8 are on track" in out


def test_trace_suggests_on_no_match(capsys):
    assert main(["trace", "Shay and Ashly", "--out", str(OUTPUTS)]) == 1
    assert "did you mean 'Shae and Ashley'" in capsys.readouterr().err


def test_sqlite_database_holds_every_table_with_its_keys():
    con = sqlite3.connect(OUTPUTS / "committee_papers.sqlite")
    from extract.tables import TABLES

    for t in TABLES:
        n = con.execute(f'SELECT count(*) FROM "{t.name}"').fetchone()[0]
        assert n == len(pd.read_csv(OUTPUTS / f"{t.name}.csv")), t.name
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    ddl = con.execute("SELECT sql FROM sqlite_master WHERE name = 'review_progress'").fetchone()[0]
    assert 'PRIMARY KEY ("review_id", "doc_id")' in ddl and 'REFERENCES "reviews"' in ddl


def test_a_paper_naming_only_the_type_links_to_the_councils_one_review_of_that_type():
    from extract.models import ActionCountRow

    docs = [
        _doc("a", "Thurrock Council", "2022-11-01"),
        _doc("b", "Thurrock Council", "2023-09-12"),
    ]
    mentions = [
        _mention("a", "serious-youth-violence", "thematic_review"),
        _mention("b", "", "thematic_review"),  # "the Thematic Review", no title in paper b
    ]
    counts = [
        ActionCountRow(
            "b", 1, "", 6, 15, None, None, None, None, None, None, None, "s", 1, 0, 1, "r"
        )
    ]
    linked = link(docs, mentions, counts, {}, {})
    assert {m.review_id for m in linked.mentions} == {"thurrock/serious-youth-violence"}
    assert [c.review_id for c in linked.action_counts] == ["thurrock/serious-youth-violence"]
    assert linked.reviews[0].n_documents == 2


def _paper(doc_id: str, doc_type: str, **values) -> DocumentRow:
    row = _doc(doc_id, "Kent County Council", "2025-01-30")
    return dataclasses.replace(row, doc_type=doc_type, committee="Cabinet", **values)


def test_a_report_links_to_the_minute_that_considered_it():
    minutes = _paper("m", "minutes")
    other_day = dataclasses.replace(_paper("m2", "minutes"), meeting_date="2025-03-04")
    items = [
        MinuteKey("m", 1, "84", "1", "Apologies"),
        MinuteKey("m", 5, "88", "5", "24/00108 - Revenue and Capital Budget Monitoring Report"),
        MinuteKey("m", 6, "89", "6", "Draft Revenue Budget 2025-26 and MTFP"),
        MinuteKey("m2", 6, "99", "6", "Draft Revenue Budget 2025-26 and MTFP"),
        MinuteKey("m", 7, "90", "7", "Budget"),
    ]
    reports = [
        _paper("by-item", "report", item_number="6", title="Something else"),
        _paper("by-decision", "report", decision_number="24/00108"),
        _paper("by-title", "report", title="Draft Revenue Budget 2025-26"),
        # "Budget" is in the title, but a title of one word is no evidence
        _paper("too-short", "report", title="Council Tax Base and Collection Fund Budget"),
        _paper("other-committee", "report", title="Draft Revenue Budget 2025-26"),
        _paper("undated", "report", item_number="6"),
    ]
    reports[4] = dataclasses.replace(reports[4], committee="County Council")
    reports[5] = dataclasses.replace(reports[5], meeting_date="")
    links = link_minutes([minutes, other_day, *reports], items)
    assert [(r.report_doc_id, r.minutes_doc_id, r.minute_number, r.rule) for r in links] == [
        ("by-decision", "m", "88", "same_decision"),
        ("by-item", "m", "89", "same_item"),
        ("by-title", "m", "89", "same_title"),
    ]
