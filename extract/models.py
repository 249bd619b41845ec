"""Typed records: one dataclass per output table, and the fixed vocabularies as enums.

The dataclass fields *are* the table schema: `extract.schema` turns them into CSV headers,
`datapackage.json` and the data dictionary, so a column is described in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from extract.schema import col


class DocType(StrEnum):
    REPORT = "report"
    MINUTES = "minutes"
    AGENDA = "agenda"
    APPENDIX = "appendix"
    PACK = "pack"  # an agenda reports pack: its papers are rows of their own (parts)
    OTHER = "other"


class PartKind(StrEnum):
    """Where a paper sits in an agenda reports pack."""

    FRONT_SHEET = "front_sheet"  # the agenda or covering letter before the first item
    ITEM = "item"  # the first paper of an agenda item
    APPENDIX = "appendix"  # a later paper of the same item (its own fonts)


class Status(StrEnum):
    OK = "ok"
    PARTIAL = "partial"  # read, but some pages or bytes could not be
    FAILED = "failed"  # nothing usable could be read
    DUPLICATE = "duplicate"  # byte-identical to another input; see duplicate_of


class SourceFormat(StrEnum):
    PDF = "pdf"
    TEXT = "text"
    MARKDOWN = "markdown"


class Access(StrEnum):
    PUBLIC = "public"  # This report is Public / Unrestricted
    EXEMPT = "exempt"  # exempt, confidential, restricted, not for publication


class DateSource(StrEnum):
    PAPER = "paper"  # the front sheet
    MANIFEST = "manifest"
    ESTIMATED = "estimated"  # the middle of the dates the paper mentions
    PACK = "pack"  # the front sheet of the pack the paper is part of


class Capacity(StrEnum):
    REPORT_OF = "report_of"
    ACCOUNTABLE_DIRECTOR = "accountable_director"
    ACCOUNTABLE_ASSISTANT_DIRECTOR = "accountable_assistant_director"
    VERIFIER = "verifier"  # verified an implications block
    AUTHOR = "author"
    PRESENTER = "presenter"
    MENTIONED = "mentioned"


class ErrorType(StrEnum):
    EMPTY_FILE = "empty_file"  # zero bytes
    NOT_A_PDF = "not_a_pdf"  # .pdf name, other content (HTML page, image, ZIP…)
    CORRUPT_PDF = "corrupt_pdf"  # PDF header but the file cannot be parsed
    ENCRYPTED = "encrypted"  # needs a password we do not have
    NEEDS_OCR = "needs_ocr"  # pages but no text layer: a scan
    NO_TEXT = "no_text"  # a text file with nothing but whitespace
    NOT_TEXT = "not_text"  # a .txt/.md name, binary content
    PAGE_ERROR = "page_error"  # one page failed; the rest were read
    PAGES_WITHOUT_TEXT = "pages_without_text"  # some pages have no text layer
    ENCODING_FALLBACK = "encoding_fallback"  # undecodable bytes were replaced
    UNREADABLE = "unreadable"  # the OS refused to read it (permissions, I/O error)
    TIMEOUT = "timeout"  # took longer than --timeout-per-doc
    WORKER_DIED = "worker_died"  # the process reading it died (a crash in C code, out of memory)
    INTERNAL_ERROR = "internal_error"  # a bug in committee-papers: please report it


@dataclass(frozen=True)
class DocumentRow:
    doc_id: str = col(
        "Stable id from the file's content (first 16 hex digits of its SHA-256); a "
        "duplicate gets the same prefix plus a suffix from its path, a paper of a pack the "
        "pack's id plus -pNN.",
        primary_key=True,
    )
    source_path: str = col("Path of the input file, relative to the input root, '/'-separated.")
    sha256: str = col("SHA-256 of the file's bytes.")
    source_format: str = col("How the file was read.", enum=SourceFormat)
    doc_type: str = col(
        "What kind of committee paper this is, judged from its content.", enum=DocType
    )
    status: str = col("Outcome of reading the file.", enum=Status)
    duplicate_of: str = col(
        "For a duplicate: the doc_id of the copy that was processed.",
        foreign_key=("documents", "doc_id"),
    )
    parent_doc_id: str = col(
        "For a paper of an agenda reports pack: the doc_id of the pack (doc_type 'pack').",
        foreign_key=("documents", "doc_id"),
    )
    part: int = col("For a paper of a pack: its place in the pack, 1 for the front sheet.")
    part_kind: str = col("For a paper of a pack: where it sits in it.", enum=PartKind)
    page_from: int = col("For a paper of a pack: its first page in the pack's PDF.")
    page_to: int = col("For a paper of a pack: its last page (filler pages left out).")
    part_rule: str = col("For a paper of a pack: the rule that found where it starts.")
    pages: int = col(
        "Pages in the PDF (for a paper of a pack, its own pages); 1 for a text file (or the "
        "count of form feeds + 1)."
    )
    chars: int = col(
        "Characters in the normalised document text (text/<doc_id>.txt); 0 for a pack, whose "
        "text is in its papers' files."
    )
    encoding: str = col("Character encoding a text file was decoded with; empty for PDFs.")
    ocr_suspected: bool = col(
        "True when the text shows OCR damage (stray bullets, broken ordinals)."
    )
    ocr_applied: bool = col("True when the text comes from our OCR run (--ocr) of a scanned PDF.")
    council: str = col("Council whose paper this is: from the paper, else manifest.csv.")
    committee: str = col("Committee or body the paper is for: from the paper, else manifest.csv.")
    meeting_date: str = col(
        "Date of the meeting (ISO 8601): from the paper, else manifest.csv.", type="date"
    )
    meeting_time: str = col("Start time of the meeting (24-hour HH:MM), from minutes or agendas.")
    venue: str = col("Where the meeting was held, from minutes or agendas.")
    item_number: str = col("Agenda item number printed on the paper.")
    title: str = col("Title or subject of the paper.")
    wards_affected: str = col("Wards / electoral divisions affected, as printed.")
    key_decision: str = col("Key decision, as printed (Non-key, N/A, Yes - …).")
    is_key_decision: bool = col("key_decision read as yes/no; empty when it says neither.")
    report_of_name: str = col("Who the report is from (Report of / From / By); '; '-separated.")
    report_of_role: str = col("Their roles, in the same order.")
    accountable_assistant_director_name: str = col("Accountable Assistant Director.")
    accountable_assistant_director_role: str = col("Their role.")
    accountable_director_name: str = col("Accountable Director.")
    accountable_director_role: str = col("Their role.")
    classification: str = col("Whether the paper is public or exempt.", enum=Access)
    report_author_name: str = col("Report author / contact officer.")
    report_author_role: str = col("Their role.")
    decision_number: str = col("Decision reference, such as 24/00108.")
    meeting_date_source: str = col("Where meeting_date came from.", enum=DateSource)
    date_estimated: str = col(
        "For a paper with no meeting date: the middle of the dates it mentions, an estimate.",
        type="date",
    )
    source_url: str = col("Where the paper was published, from manifest.csv where given.")
    warnings: str = col("Problems worth knowing about, '; '-separated; details in errors.csv.")


@dataclass(frozen=True)
class ErrorRow:
    source_path: str = col("Path of the input file, relative to the input root.")
    doc_id: str = col("The document the error belongs to.", foreign_key=("documents", "doc_id"))
    error_type: str = col("What went wrong, from a fixed list.", enum=ErrorType)
    page: int = col("Page the error concerns; empty when it concerns the whole file.")
    message: str = col("What happened and what to do about it.")


@dataclass
class Problem:
    """A problem found while reading one document, before it becomes an ErrorRow."""

    error_type: ErrorType
    message: str
    page: int | None = None


class TableSource(StrEnum):
    PDF_RULED = "pdf_ruled"  # pdfplumber, from the lines and boxes drawn on the page
    PDF_UNRULED = "pdf_unruled"  # text lined up in columns, no lines drawn
    TEXT_TABS = "text_tabs"  # tab-separated lines of a text file
    TEXT_SPACES = "text_spaces"  # columns aligned with runs of spaces
    MARKDOWN = "markdown"  # | pipe | table |


@dataclass
class RawTable:
    """A table as found on one page, before headers and continuations."""

    page: int
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom in points
    rows: list[list[str | None]]  # None: the cell is merged into its neighbour
    boxes: list[list[tuple[float, float, float, float] | None]]  # each cell's bbox
    above: str = ""  # the line just above the table: its caption or heading
    bold: list[float] = field(default_factory=list)  # share of bold letters in each row
    source: TableSource = TableSource.PDF_RULED
    rule: str = "pdfplumber.lines"


@dataclass
class Page:
    """One page of raw extracted text plus the layout the structure rules may need."""

    number: int  # 1-based
    text: str
    width: float = 0.0
    height: float = 0.0
    words: list[dict] = field(default_factory=list)  # pdfplumber words on layout pages
    tables: list[RawTable] = field(default_factory=list)  # pdfplumber tables (ruled)
    # a pack's stamps taken off the page ("Agenda Item 6", "Page 12"), and the fonts of
    # what is left, as ids equal across pages exactly when the PDF font object is
    stamps: tuple[str, ...] = ()
    fonts: frozenset[int] = frozenset()


# --- structure tables (one row per block item, each with its span) ----------------------

_SPAN = "Span in text/<doc_id>.txt: text[char_start:char_end]."


def _doc() -> object:
    return col("The document.", primary_key=True, foreign_key=("documents", "doc_id"))


def _seq() -> object:
    return col("Order within the document, from 1.", primary_key=True)


@dataclass(frozen=True)
class HeaderFieldRow:
    doc_id: str = _doc()
    field: str = col("Front-sheet column of documents.csv this value fills.", primary_key=True)
    value: str = col("The value, as written to documents.csv.")
    page: int = col("Page it was read from.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)
    rule: str = col("Id of the rule that read it (rules/header_labels.jsonl or extract/structure).")


@dataclass(frozen=True)
class SectionRow:
    doc_id: str = _doc()
    seq: int = _seq()
    number: str = col("Section number as printed (2.13), empty when unnumbered.")
    level: int = col("Depth in the hierarchy: 1 for 2, 2 for 2.13.")
    heading: str = col("Heading text.")
    parent_number: str = col("Number of the enclosing section, when known.")
    kind: str = col("Standard heading it matched (recommendations, implications, …), if any.")
    page: int = col("Page the heading is on.")
    char_start: int = col("Start of the heading line. " + _SPAN)
    char_end: int = col("Start of the next heading, or the end of the text.")
    text: str = col("Text under the heading, whitespace folded.")
    rule: str = col("Id of the rule that found the heading.")


@dataclass(frozen=True)
class RecommendationRow:
    doc_id: str = _doc()
    seq: int = _seq()
    number: str = col("Recommendation number or letter as printed, empty when none.")
    text: str = col("The recommendation, wraps joined.")
    page: int = col("Page it starts on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)


@dataclass(frozen=True)
class ImplicationRow:
    doc_id: str = _doc()
    seq: int = _seq()
    type: str = col(
        "financial, legal, diversity_equality, other, or the council's own heading in snake_case."
    )
    heading: str = col("Heading as printed.")
    verified_by: str = col("Officer named after 'Implications verified by'.")
    role: str = col("Their role.")
    no_implications: bool = col("True when the block says there are none.")
    text: str = col("Text of the block after the sign-off, whitespace folded.")
    page: int = col("Page the block starts on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)


@dataclass(frozen=True)
class AppendixRow:
    doc_id: str = _doc()
    seq: int = _seq()
    label: str = col("Appendix label (Appendix A, Appendix 1).")
    title: str = col("Its title.")
    page: int = col("Page it is listed on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)


@dataclass(frozen=True)
class BackgroundPaperRow:
    doc_id: str = _doc()
    seq: int = _seq()
    text: str = col("The background paper as listed.")
    page: int = col("Page it is listed on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)


@dataclass(frozen=True)
class PersonRow:
    doc_id: str = _doc()
    seq: int = _seq()
    name: str = col("Name as printed.")
    role: str = col("Role as printed.")
    capacity: str = col("In what capacity the paper names them.", enum=Capacity)
    page: int = col("Page they are named on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)
    rule: str = col("Id of the rule that found them.")


# --- minutes and agendas --------------------------------------------------------------------


class Attendance(StrEnum):
    PRESENT = "present"  # PRESENT / Members present / Also present
    IN_ATTENDANCE = "in_attendance"  # officers and others in attendance (virtually too)
    APOLOGIES = "apologies"  # sent apologies


@dataclass(frozen=True)
class MinuteItemRow:
    doc_id: str = _doc()
    seq: int = _seq()
    minute_number: str = col("Minute number as printed (283), empty when none.")
    item_number: str = col("Agenda item it records, from its marker ('(Item 3)' gives 3).")
    title: str = col("Item title, wraps joined.")
    presenter: str = col("Who introduced or presented the item, as the minutes name them.")
    text: str = col("The minute's text under its heading, whitespace folded.")
    page: int = col("Page the heading is on.")
    char_start: int = col("Start of the heading. " + _SPAN)
    char_end: int = col("Start of the next item, or the end of the text.")
    rule: str = col("Id of the rule that found the item (rules/meetings.jsonl).")


@dataclass(frozen=True)
class ResolutionRow:
    doc_id: str = _doc()
    seq: int = _seq()
    item_seq: int = col("The minute item (minute_items.seq) the decision belongs to.")
    minute_number: str = col("Its minute number.")
    item_number: str = col("Its agenda item number.")
    number: str = col("Number or letter of a part of the decision ((1), (a)), else empty.")
    text: str = col("What was resolved: the words after RESOLVED, or the part's own words.")
    page: int = col("Page it starts on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)
    rule: str = col("Id of the rule that found it.")


@dataclass(frozen=True)
class AttendanceRow:
    doc_id: str = _doc()
    seq: int = _seq()
    name: str = col("Name as printed (Mr R W Gough).")
    role: str = col("Role or note printed with the name (Chairman, General Counsel).")
    capacity: str = col("Which list names them.", enum=Attendance)
    page: int = col("Page they are named on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)
    rule: str = col("Id of the rule that read the list.")


@dataclass(frozen=True)
class AgendaItemRow:
    doc_id: str = _doc()
    seq: int = _seq()
    item_number: str = col("Item number as printed, without its full stop.")
    title: str = col("Item title, wraps joined, without its page range.")
    page_from: int = col("First page of the item's papers in the agenda pack, when given.")
    page_to: int = col("Last page of the item's papers in the agenda pack, when given.")
    page: int = col("Page of the agenda the item is listed on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)
    rule: str = col("Id of the rule that read it.")


class LinkRule(StrEnum):
    ITEM = "same_item"  # same council, committee, meeting date and agenda item number
    DECISION = "same_decision"  # the minute's title carries the report's decision number
    TITLE = "same_title"  # same council, committee and date, and the same title


@dataclass(frozen=True)
class MinuteLinkRow:
    report_doc_id: str = col("The report.", primary_key=True, foreign_key=("documents", "doc_id"))
    minutes_doc_id: str = col(
        "The minutes of the meeting that considered it.",
        primary_key=True,
        foreign_key=("documents", "doc_id"),
    )
    item_seq: int = col("The minute item (minute_items.seq in the minutes).", primary_key=True)
    minute_number: str = col("Its minute number.")
    item_number: str = col("Its agenda item number.")
    meeting_date: str = col("Date of the meeting.", type="date")
    rule: str = col("What the two have in common.", enum=LinkRule)


# --- narrative facts ------------------------------------------------------------------------


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"


class ReviewType(StrEnum):
    SERIOUS_CASE_REVIEW = "serious_case_review"
    LCSPR = "lcspr"  # Local Child Safeguarding Practice Review
    LOCAL_HEALTH_REVIEW = "local_health_review"
    THEMATIC_REVIEW = "thematic_review"
    RAPID_REVIEW = "rapid_review"
    NATIONAL_PANEL_REVIEW = "national_panel_review"
    OTHER = "other"


class EventType(StrEnum):
    CONFERENCE = "conference"
    WORKSHOP = "workshop"
    ROADSHOW = "roadshow"
    TRAINING = "training"
    LAUNCH = "launch"
    PUBLICATION = "publication"
    MEETING = "meeting"
    OTHER = "other"


_SENTENCE = "The sentence it was read from: text[sentence_start:sentence_end]."


@dataclass(frozen=True)
class DateRow:
    doc_id: str = _doc()
    seq: int = _seq()
    text: str = col("The date as printed: text[char_start:char_end].")
    date: str = col("ISO date; the 1st of the month for a month.", type="date")
    date_end: str = col("Last day of a range or list (22nd, 23 and 24th November).", type="date")
    precision: str = col("day or month.", enum=Precision)
    year_inferred: bool = col("True when the paper gave no year and it was worked out.")
    page: int = col("Page it is on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)
    sentence: str = col(_SENTENCE)
    rule: str = col("Id of the rule that found it (rules/dates.jsonl).")


@dataclass(frozen=True)
class ReviewRow:
    review_id: str = col(
        "Canonical id, stable across documents: <council>/<name> (national/<name> for the "
        "national panel's reviews): a pseudonym names one review only within one council.",
        primary_key=True,
    )
    name: str = col("Child pseudonym(s) or theme the review is known by.")
    review_type: str = col("Kind of review, as most mentions call it.", enum=ReviewType)
    council: str = col("Council whose papers name it; empty for national reviews.")
    aliases: str = col("Other ways papers name it, '; '-separated.")
    first_mentioned: str = col("Earliest meeting date of a paper naming it.", type="date")
    last_mentioned: str = col("Latest meeting date of a paper naming it.", type="date")
    n_documents: int = col("Papers naming it.")
    n_mentions: int = col("Mentions across the dataset.")


@dataclass(frozen=True)
class ReviewProgressRow:
    review_id: str = col("The review.", primary_key=True, foreign_key=("reviews", "review_id"))
    meeting_date: str = col("Meeting the paper went to (or its estimated date).", type="date")
    date_source: str = col("Where meeting_date came from.", enum=DateSource)
    doc_id: str = col("The paper.", primary_key=True, foreign_key=("documents", "doc_id"))
    recommendations: int = col("Recommendations of the review, as this paper gives them.")
    actions: int = col("Actions in the plan.")
    complete: int = col("Actions complete.")
    in_progress: int = col("Actions in progress / on track.")
    overdue: int = col("Actions overdue.")
    pct_complete: float = col("complete / actions, in per cent.")
    status_text: str = col("What the paper says of the plan when it gives no figures.")
    conflict: str = col("Set when another paper for the same meeting gives other figures.")
    table_actions: int = col("Actions the paper's action-plan table lists for the review.")
    table_complete: int = col("Of those, rated complete: blue, or green where none is blue.")
    table_check: str = col(
        "The paper's figures checked against its own action-plan table: 'agrees', or "
        "'disagrees: actions 15 in the text, 14 in the table'; empty when there is no table."
    )
    sentence: str = col("The sentence(s) behind the figures, ' | '-separated.")
    page: int = col("Page of the first of them.")


@dataclass(frozen=True)
class ReviewMentionRow:
    doc_id: str = _doc()
    seq: int = _seq()
    review_id: str = col("The review.", foreign_key=("reviews", "review_id"))
    mention: str = col("The words naming it: text[char_start:char_end].")
    review_type: str = col("Kind of review as this mention calls it.", enum=ReviewType)
    page: int = col("Page it is on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)
    sentence: str = col("The sentence (or heading) it is in, whitespace folded.")
    rule: str = col("Id of the rule that found it (rules/reviews.jsonl).")


@dataclass(frozen=True)
class ActionCountRow:
    doc_id: str = _doc()
    seq: int = _seq()
    review_id: str = col("Review the figures are for.", foreign_key=("reviews", "review_id"))
    recommendations: int = col("Recommendations the review made.")
    actions: int = col("Actions / actionable areas in the plan.")
    complete: int = col("Actions complete.")
    in_progress: int = col("Actions started, on track or ongoing.")
    overdue: int = col("Actions overdue.")
    not_started: int = col("Actions not started.")
    rag_green: int = col("Actions rated green.")
    rag_amber: int = col("Actions rated amber.")
    rag_red: int = col("Actions rated red.")
    sentence: str = col("The sentence stating the figures: text[char_start:char_end].")
    page: int = col("Page it is on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)
    rule: str = col("Ids of the rules that read each figure (rules/action_counts.jsonl).")


@dataclass(frozen=True)
class EventRow:
    doc_id: str = _doc()
    event_id: str = col("Id of the event: <doc_id>-e<n>.", primary_key=True)
    name: str = col("Short name of the event, from the sentence.")
    event_type: str = col("Kind of event.", enum=EventType)
    date_start: str = col("First day (ISO).", type="date")
    date_end: str = col("Last day (ISO).", type="date")
    location: str = col("Where, if the paper says.")
    attendance: int = col("Head count, if given (over 400 delegates: 400).")
    packs: int = col("Packs given out, if given.")
    items: int = col("Items given out, if given.")
    sentence: str = col("The sentence reporting it: text[char_start:char_end].")
    page: int = col("Page it is on.")
    char_start: int = col(_SPAN)
    char_end: int = col(_SPAN)
    rule: str = col("Id of the rule that found it (rules/events.jsonl).")


# --- tables -------------------------------------------------------------------------------

_col = col  # TableCellRow has a column named `col`, which shadows the function in its body


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BLUE = "blue"  # complete / closed (blue in BRAG schemes)


@dataclass(frozen=True)
class TableRow:
    doc_id: str = col("The document.", foreign_key=("documents", "doc_id"))
    table_id: str = col("Id of the table: <doc_id>-t<n>, in reading order.", primary_key=True)
    page_start: int = col("Page the table starts on.")
    page_end: int = col("Page it ends on (later than page_start when it continues).")
    title: str = col("Its caption, or the nearest heading or line above it.")
    n_rows: int = col("Body rows (header rows not counted).")
    n_cols: int = col("Columns.")
    header: str = col("Column headings, ' | '-separated (stacked header rows joined by ' ').")
    source: str = col("How the table was found.", enum=TableSource)
    nested_in: str = col("For a table drawn inside a cell of another: that table's id.")
    char_start: int = col("Start of the table in the text, where found. " + _SPAN)
    char_end: int = col(_SPAN)
    rule: str = col("Id of the rule that found it.")


# Not frozen, unlike the other rows: a frozen dataclass sets each field through
# object.__setattr__, seven times a plain one's cost, and Kent's papers make 38,000 cells.
@dataclass
class TableCellRow:
    doc_id: str = _doc()
    table_id: str = _col("The table.", primary_key=True, foreign_key=("tables", "table_id"))
    row: int = _col("Body row, from 1 (header cells are in tables.header).", primary_key=True)
    col: int = _col("Column, from 1.", primary_key=True)
    header: str = _col("Its column heading.")
    value: str = _col("The cell as printed, lines joined with a space; empty cells omitted.")
    number: float = _col("The value read as a number (1,234 → 1234; (5) → -5; 12% → 12).")
    unit: str = _col("What the number counts, as printed: £, %, £m, £k, £bn; empty for none.")
    page: int = _col("Page the cell is on.")
    x0: float = _col("PDF only: the cell's box in points from the page's top-left.")
    top: float = _col("PDF only: the cell's box.")
    x1: float = _col("PDF only: the cell's box.")
    bottom: float = _col("PDF only: the cell's box.")
    char_start: int = _col("Where the cell's text was found. " + _SPAN)
    char_end: int = _col(_SPAN)


@dataclass(frozen=True)
class ActionItemRow:
    doc_id: str = _doc()
    table_id: str = col(
        "Table the item is a row of.", primary_key=True, foreign_key=("tables", "table_id")
    )
    row: int = col("Its body row in the table.", primary_key=True)
    plan: str = col("The plan the table belongs to: its title, else the nearest heading.")
    review_id: str = col(
        "The case review whose plan it is, where linked.", foreign_key=("reviews", "review_id")
    )
    action_id: str = col("Action number or reference as printed (1.4, R2.3).")
    recommendation: str = col("The recommendation the action answers.")
    action: str = col("What is to be done.")
    lead: str = col("Who leads it.")
    due_date: str = col("When it is due (ISO; the 1st for a month).", type="date")
    due_text: str = col("The due date as printed.")
    rag: str = col("RAG rating, normalised.", enum=Rag)
    rag_text: str = col("RAG rating as printed (Green, G, Complete…).")
    status_text: str = col("Progress / status / comment as printed.")
    overdue: bool = col("True when the paper lists it as overdue (an exception report row).")
    page: int = col("Page the row is on.")
    char_start: int = col("From the row's first found cell to its last. " + _SPAN)
    char_end: int = col(_SPAN)
    rule: str = col("Ids of the column rules that read it (rules/table_columns.jsonl).")
