"""The output tables: name, description and record type of each, in writing order."""

from __future__ import annotations

from extract.models import (
    ActionCountRow,
    ActionItemRow,
    AgendaItemRow,
    AppendixRow,
    AttendanceRow,
    BackgroundPaperRow,
    DateRow,
    DocumentRow,
    ErrorRow,
    EventRow,
    HeaderFieldRow,
    ImplicationRow,
    MinuteItemRow,
    MinuteLinkRow,
    PersonRow,
    RecommendationRow,
    ResolutionRow,
    ReviewMentionRow,
    ReviewProgressRow,
    ReviewRow,
    SectionRow,
    TableCellRow,
    TableRow,
)
from extract.schema import TableSchema, table_schema

DOCUMENTS = table_schema(
    "documents",
    "One row per input file: what it is, how it was read, where it came from, and its "
    "front-sheet metadata. Every file found under the input paths appears exactly once; an "
    "agenda reports pack also gives one row per paper in it (parent_doc_id names the pack).",
    DocumentRow,
)
ERRORS = table_schema(
    "errors",
    "One row per problem that kept a file from being read fully (status failed or "
    "partial in documents.csv), with what to do about it.",
    ErrorRow,
)
HEADER_FIELDS = table_schema(
    "header_fields",
    "Provenance of the front-sheet columns of documents.csv: where each value was read "
    "and by which rule.",
    HeaderFieldRow,
)
SECTIONS = table_schema("sections", "Headed sections of each paper, in order.", SectionRow)
RECOMMENDATIONS = table_schema(
    "recommendations", "What each paper asks the meeting to agree, one row each.", RecommendationRow
)
IMPLICATIONS = table_schema(
    "implications",
    "Implications blocks (financial, legal, diversity and equality, …) and who verified them.",
    ImplicationRow,
)
APPENDICES = table_schema("appendices", "Appendices each paper lists.", AppendixRow)
BACKGROUND_PAPERS = table_schema(
    "background_papers", "Background papers each paper lists.", BackgroundPaperRow
)
PEOPLE = table_schema("people", "Officers each paper names, and in what capacity.", PersonRow)
MINUTE_ITEMS = table_schema(
    "minute_items",
    "Items of each set of minutes: minute and agenda numbers, title, who presented it, "
    "and the minute's text.",
    MinuteItemRow,
)
RESOLUTIONS = table_schema(
    "resolutions",
    "What each meeting resolved, item by item, one row per decision or numbered part of one.",
    ResolutionRow,
)
ATTENDANCE = table_schema(
    "attendance",
    "Who the minutes list as present, in attendance, or sending apologies.",
    AttendanceRow,
)
AGENDA_ITEMS = table_schema(
    "agenda_items",
    "Items each agenda lists, with the pages of their papers in the agenda pack.",
    AgendaItemRow,
)
PAPER_TABLES = table_schema(
    "tables",
    "Tables in each paper (ruled PDF tables; tab, space-aligned and Markdown tables in "
    "text), one row each; a table continued over a page break is one table.",
    TableRow,
)
TABLE_CELLS = table_schema(
    "table_cells",
    "Every non-empty body cell of every table, in long form (table, row, column, heading, "
    "value), with the value read as a number where it is one.",
    TableCellRow,
)

DATES = table_schema(
    "dates", "Every date printed in each paper, normalised to ISO, with its sentence.", DateRow
)
REVIEWS = table_schema(
    "reviews",
    "Case reviews (SCRs, LCSPRs, local health, thematic, rapid and national panel reviews) "
    "named in the papers, one row per review across the dataset.",
    ReviewRow,
)
REVIEW_MENTIONS = table_schema(
    "review_mentions", "Where each paper names a review.", ReviewMentionRow
)
ACTION_COUNTS = table_schema(
    "action_counts",
    "Action-plan figures (recommendations, actions, complete, RAG…) and the sentence giving them.",
    ActionCountRow,
)
EVENTS = table_schema(
    "events",
    "Dated happenings each paper reports: conferences, workshops, launches, meetings…",
    EventRow,
)

ACTION_ITEMS = table_schema(
    "action_items",
    "Rows of action-plan tables (and exception reports): action, lead, due date, RAG "
    "rating and progress, one row per action.",
    ActionItemRow,
)

MINUTE_LINKS = table_schema(
    "minute_links",
    "Each report linked to the minute item of the meeting that considered it, and how.",
    MinuteLinkRow,
)

REVIEW_PROGRESS = table_schema(
    "review_progress",
    "The auditor's timeline: one row per review per paper (meeting), with the figures the "
    "paper gives or what it says of the plan, and the sentences behind them.",
    ReviewProgressRow,
)

TABLES: tuple[TableSchema, ...] = (
    DOCUMENTS,
    ERRORS,
    HEADER_FIELDS,
    SECTIONS,
    RECOMMENDATIONS,
    IMPLICATIONS,
    APPENDICES,
    BACKGROUND_PAPERS,
    PEOPLE,
    MINUTE_ITEMS,
    RESOLUTIONS,
    ATTENDANCE,
    AGENDA_ITEMS,
    PAPER_TABLES,
    TABLE_CELLS,
    DATES,
    REVIEWS,
    REVIEW_MENTIONS,
    ACTION_COUNTS,
    EVENTS,
    ACTION_ITEMS,
    REVIEW_PROGRESS,
    MINUTE_LINKS,
)

# Tables filled from each document's structure: Structure attribute -> table.
STRUCTURE_TABLES: dict[str, TableSchema] = {
    "header_fields": HEADER_FIELDS,
    "sections": SECTIONS,
    "recommendations": RECOMMENDATIONS,
    "implications": IMPLICATIONS,
    "appendices": APPENDICES,
    "background_papers": BACKGROUND_PAPERS,
    "people": PEOPLE,
    "minute_items": MINUTE_ITEMS,
    "resolutions": RESOLUTIONS,
    "attendance": ATTENDANCE,
    "agenda_items": AGENDA_ITEMS,
    "tables": PAPER_TABLES,
    "table_cells": TABLE_CELLS,
}

# Tables filled from each document's facts: Facts attribute -> table.
FACT_TABLES: dict[str, TableSchema] = {
    "dates": DATES,
    "review_mentions": REVIEW_MENTIONS,
    "action_counts": ACTION_COUNTS,
    "events": EVENTS,
    "action_items": ACTION_ITEMS,
}
