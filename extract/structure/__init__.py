"""Report structure: front sheet -> header fields; headings -> sections; the blocks under
the standard headings -> recommendations, implications, appendices, background papers,
people. Everything carries its span in the document text."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from extract.ingest.normalise import DocumentText
from extract.models import (
    AgendaItemRow,
    AppendixRow,
    AttendanceRow,
    BackgroundPaperRow,
    Capacity,
    DocType,
    HeaderFieldRow,
    ImplicationRow,
    MinuteItemRow,
    Page,
    PersonRow,
    RecommendationRow,
    ResolutionRow,
    SectionRow,
    TableCellRow,
    TableRow,
)
from extract.settings import TableSettings
from extract.structure import blocks
from extract.structure.header import Header, HeaderExtractor, key_decision_flag
from extract.structure.lines import collapse, lines_of
from extract.structure.meetings import MeetingRules, read_agenda, read_minutes
from extract.structure.sections import HeadingLexicon, build_sections, find_headings
from extract.structure.tables import FoundTable, extract_tables

_DIRECTOR_ROLE = re.compile(r"\bdirector\b|chief\s+executive|general\s+counsel", re.I)
# Front-sheet fields every report should give; a missing one is a warning, never a guess.
EXPECTED_REPORT_FIELDS = ("meeting_date", "committee", "title", "report_of_name")
_PEOPLE_CAPACITY = {
    "report_of": Capacity.REPORT_OF,
    "accountable_director": Capacity.ACCOUNTABLE_DIRECTOR,
    "accountable_assistant_director": Capacity.ACCOUNTABLE_ASSISTANT_DIRECTOR,
    "report_author": Capacity.AUTHOR,
}


@dataclass
class Structure:
    header: dict[str, str] = field(default_factory=dict)
    header_fields: list[HeaderFieldRow] = field(default_factory=list)
    sections: list[SectionRow] = field(default_factory=list)
    recommendations: list[RecommendationRow] = field(default_factory=list)
    implications: list[ImplicationRow] = field(default_factory=list)
    appendices: list[AppendixRow] = field(default_factory=list)
    background_papers: list[BackgroundPaperRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    table_cells: list[TableCellRow] = field(default_factory=list)
    minute_items: list[MinuteItemRow] = field(default_factory=list)
    resolutions: list[ResolutionRow] = field(default_factory=list)
    attendance: list[AttendanceRow] = field(default_factory=list)
    agenda_items: list[AgendaItemRow] = field(default_factory=list)
    found_tables: list[FoundTable] = field(default_factory=list)  # for the action-plan reader
    warnings: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[TableRow]:
        return [t.row for t in self.found_tables]


@dataclass(frozen=True)
class StructureExtractor:
    header: HeaderExtractor
    heading_rules: HeadingLexicon
    meetings: MeetingRules

    @classmethod
    def load(cls) -> StructureExtractor:
        return cls(HeaderExtractor.load(), HeadingLexicon.load(), MeetingRules.load())

    def analyse(
        self,
        doc_id: str,
        doc: DocumentText,
        doc_type: DocType,
        pages: list[Page] | None = None,
        tables: TableSettings | None = None,
        is_pdf: bool = False,
    ) -> Structure:
        text = doc.text
        out = Structure()
        header = self.header.extract(text, doc_type)
        front = self.header.front_sheet(lines_of(text))
        body_start = front[-1].end + 1 if front else 0
        headings = (
            []
            if doc_type is DocType.AGENDA
            else find_headings(text, self.heading_rules, body_start)
        )
        sections = build_sections(headings, len(text))
        for s in sections:
            h = s.heading
            out.sections.append(
                SectionRow(
                    doc_id,
                    s.seq,
                    h.number,
                    h.level,
                    h.text,
                    s.parent,
                    h.kind,
                    doc.page_of(h.line_start),
                    h.line_start,
                    s.char_end,
                    collapse(text[h.body_start : s.char_end]),
                    h.rule,
                )
            )
        self._blocks(doc_id, doc, sections, header, out)
        self._meeting(doc_id, doc, doc_type, header, out)
        self._header_rows(doc_id, doc, header, doc_type, out)
        self._tables(doc_id, doc, sections, pages or [], tables or TableSettings(), is_pdf, out)
        return out

    def _meeting(
        self, doc_id: str, doc: DocumentText, doc_type: DocType, header: Header, out: Structure
    ) -> None:
        """Minutes: items, decisions, attendance; agendas: the items and their pages."""
        if doc_type is DocType.MINUTES:
            meeting = read_minutes(doc_id, doc, self.meetings)
        elif doc_type is DocType.AGENDA:
            meeting = read_agenda(doc_id, doc, self.meetings)
        else:
            return
        out.minute_items, out.resolutions = meeting.minute_items, meeting.resolutions
        out.attendance, out.agenda_items = meeting.attendance, meeting.agenda_items
        for name, value, start, end, rule in meeting.fields:
            header.set(name, value, start, end, rule)

    @staticmethod
    def _tables(doc_id, doc, sections, pages, settings: TableSettings, is_pdf, out) -> None:
        starts = [s.heading.line_start for s in sections]

        def section_at(offset: int) -> str:
            """The heading a table sits under: its title when it has no caption."""
            i = bisect_right(starts, offset) - 1
            return sections[i].heading.text if i >= 0 else ""

        found = extract_tables(doc_id, doc, pages, settings, section_at, is_pdf)
        out.found_tables, out.table_cells = found.found, found.cells

    def _blocks(
        self, doc_id: str, doc: DocumentText, sections, header: Header, out: Structure
    ) -> None:
        text = doc.text
        people: list[PersonRow] = []
        for s in sections:
            h = s.heading
            body = text[h.body_start : s.char_end]
            if h.kind == "recommendations" and not out.recommendations:
                for i, item in enumerate(blocks.recommendations(body, h.body_start), 1):
                    out.recommendations.append(
                        RecommendationRow(
                            doc_id,
                            i,
                            item.number,
                            item.text,
                            doc.page_of(item.start),
                            item.start,
                            item.end,
                        )
                    )
            elif h.kind == "implication":
                imp = blocks.implication(h.text, h.type, body, h.body_start)
                out.implications.append(
                    ImplicationRow(
                        doc_id,
                        len(out.implications) + 1,
                        imp.type,
                        h.text,
                        imp.verified_by,
                        imp.role,
                        imp.no_implications,
                        imp.text,
                        doc.page_of(h.line_start),
                        h.line_start,
                        s.char_end,
                    )
                )
                if imp.verified_by and imp.verifier_span:
                    a, b = imp.verifier_span
                    people.append(
                        PersonRow(
                            doc_id,
                            0,
                            imp.verified_by,
                            imp.role,
                            Capacity.VERIFIER.value,
                            doc.page_of(a),
                            a,
                            b,
                            "implications.verified_by",
                        )
                    )
            elif h.kind == "background_papers":
                for i, item in enumerate(blocks.list_entries(body, h.body_start), 1):
                    out.background_papers.append(
                        BackgroundPaperRow(
                            doc_id, i, item.text, doc.page_of(item.start), item.start, item.end
                        )
                    )
            elif h.kind == "appendices":
                for i, a in enumerate(blocks.appendices(body, h.body_start), 1):
                    out.appendices.append(
                        AppendixRow(
                            doc_id, i, a.label, a.title, doc.page_of(a.start), a.start, a.end
                        )
                    )
            elif h.kind == "author" and _needs_author(header):
                self._authors(blocks.authors(body, h.body_start), h.text, header)
        for fieldname, entries in sorted(header.people.items()):
            capacity = _PEOPLE_CAPACITY.get(fieldname)
            if capacity is None:
                continue
            for person, a, b, rule in entries:
                if person.name:
                    people.append(
                        PersonRow(
                            doc_id,
                            0,
                            person.name,
                            person.role,
                            capacity.value,
                            doc.page_of(a),
                            a,
                            b,
                            rule,
                        )
                    )
        people.sort(key=lambda p: (p.char_start, p.capacity))
        out.people = [
            PersonRow(
                p.doc_id, i, p.name, p.role, p.capacity, p.page, p.char_start, p.char_end, p.rule
            )
            for i, p in enumerate(people, 1)
        ]

    @staticmethod
    def _authors(found, heading: str, header: Header) -> None:
        """Authors from the block; under "Report Author and Relevant Director", the one
        with a director's role is the accountable director too."""
        if not found:
            return
        entries = [(p, a, b, "author.block") for p, a, b in found]
        header.people["report_author"] = entries
        for name in ("report_author_name", "report_author_role"):
            header.fields.pop(name, None)
        a, b = found[0][1], found[-1][2]
        header.set("report_author_name", "; ".join(p.name for p, *_ in found), a, b, "author.block")
        header.set(
            "report_author_role",
            "; ".join(p.role for p, *_ in found if p.role),
            a,
            b,
            "author.block",
        )
        if re.search(r"\bdirector", heading, re.I) and "accountable_director" not in header.people:
            directors = [e for e in entries if _DIRECTOR_ROLE.search(e[0].role)]
            if directors:
                person, a, b, _ = directors[0]
                header.people["accountable_director"] = [(person, a, b, "author.relevant_director")]
                header.set(
                    "accountable_director_name", person.name, a, b, "author.relevant_director"
                )
                header.set(
                    "accountable_director_role", person.role, a, b, "author.relevant_director"
                )

    def _header_rows(
        self, doc_id: str, doc: DocumentText, header: Header, doc_type: DocType, out: Structure
    ) -> None:
        values = {name: f.value for name, f in header.fields.items()}
        if "key_decision" in values:
            values["is_key_decision"] = key_decision_flag(values["key_decision"])
        out.header = values
        out.header_fields = [
            HeaderFieldRow(doc_id, name, f.value, doc.page_of(f.start), f.start, f.end, f.rule)
            for name, f in sorted(header.fields.items())
        ]
        if doc_type is DocType.REPORT:
            missing = [f for f in EXPECTED_REPORT_FIELDS if not values.get(f)]
            if missing:
                out.warnings.append(f"front sheet gives no {', '.join(missing)}")


def _needs_author(header: Header) -> bool:
    """No author yet, or only a name from a label: the block under the heading says more."""
    found = header.people.get("report_author")
    return not found or not any(person.role for person, *_ in found)
