"""One document through the pipeline: read -> (split a pack into its papers) -> normalise
-> classify -> structure -> facts.

`Processor` holds what is costly to build (compiled rules; later the spaCy pipeline) and
is built once per worker. `process` never raises: whatever happens becomes the document's
status and its problems, so a batch always goes on.
"""

from __future__ import annotations

import signal
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from extract.classify import DocTypeClassifier
from extract.facts import FactExtractor, Facts
from extract.ingest.base import IngestError, RawDocument
from extract.ingest.normalise import DocumentText, Normaliser
from extract.ingest.ocr import ocr_pdf
from extract.ingest.packs import PackSplitter, Part
from extract.ingest.pdf import read_pdf
from extract.ingest.text import read_text
from extract.models import DocType, ErrorType, Page, PartKind, Problem, SourceFormat, Status
from extract.settings import IngestSettings
from extract.structure import Structure, StructureExtractor


@dataclass
class DocumentResult:
    source_format: SourceFormat
    status: Status
    doc_type: DocType = DocType.OTHER
    pages: int = 0
    encoding: str = ""
    ocr_applied: bool = False
    text: DocumentText | None = None
    structure: Structure | None = None
    facts: Facts | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    blank_pages: list[int] = field(default_factory=list)  # filler pages, left out of the text
    parts: list[PackPart] = field(default_factory=list)  # the papers of a pack
    # the rows a batch spools, packed as the spool keeps them (`batch._kept`: made where
    # the paper was read, so a worker, not the one process that writes, does it), by table
    spooled: dict[str, bytes] | None = None


@dataclass
class PackPart:
    """One paper of an agenda reports pack, read as a document of its own."""

    doc_id: str
    part: Part
    result: DocumentResult
    from_pack: tuple[str, ...] = ()  # header fields taken from the pack, not the paper


# What a paper of a pack takes from the pack's front sheet when it does not say itself.
_FROM_FRONT_SHEET = ("council", "committee", "meeting_date", "meeting_time", "venue")


def part_doc_id(parent: str, part: int) -> str:
    return f"{parent}-p{part:02d}"


def source_format_of(path: Path) -> SourceFormat:
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return SourceFormat.PDF
    return SourceFormat.MARKDOWN if suffix == ".md" else SourceFormat.TEXT


@dataclass(frozen=True)
class Processor:
    settings: IngestSettings
    normaliser: Normaliser
    classifier: DocTypeClassifier
    structure: StructureExtractor
    facts: FactExtractor
    packs: PackSplitter

    @classmethod
    def build(cls, settings: IngestSettings) -> Processor:
        return cls(
            settings,
            Normaliser.load(settings.normalise),
            DocTypeClassifier.load(),
            StructureExtractor.load(),
            FactExtractor.load(),
            PackSplitter.load(),
        )

    def process(
        self, path: Path, data: bytes, doc_id: str = "", timeout: float = 0.0
    ) -> DocumentResult:
        fmt = source_format_of(path)
        try:
            with _time_limit(timeout):
                return self._process(path, data, fmt, doc_id)
        except _Timeout:
            message = f"gave up after {timeout:g} s; if the file is sound, raise --timeout-per-doc"
            return DocumentResult(
                fmt, Status.FAILED, problems=[Problem(ErrorType.TIMEOUT, message)]
            )
        except IngestError as exc:
            return DocumentResult(
                fmt, Status.FAILED, pages=exc.pages, problems=[Problem(exc.error_type, exc.message)]
            )
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            message = (
                f"{type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno}); "
                "this is a bug in committee-papers: please report it with the file"
            )
            return DocumentResult(
                fmt, Status.FAILED, problems=[Problem(ErrorType.INTERNAL_ERROR, message)]
            )

    def _process(self, path: Path, data: bytes, fmt: SourceFormat, doc_id: str) -> DocumentResult:
        raw = self._read(path, data, fmt)
        is_pdf = fmt is SourceFormat.PDF
        blank = self.packs.blank_pages(raw.pages)
        pages = [p for p in raw.pages if p.number not in blank] or raw.pages
        parts = self.packs.split(pages)
        out = DocumentResult(
            source_format=raw.source_format,
            status=Status.PARTIAL if raw.problems else Status.OK,
            pages=len(raw.pages),
            encoding=raw.encoding,
            ocr_applied=raw.ocr_applied,
            problems=raw.problems,
            warnings=list(raw.warnings),
            blank_pages=blank,
        )
        if parts:
            return self._pack(out, pages, parts, doc_id, is_pdf)
        self._read_paper(out, pages, is_pdf, doc_id, path.name)
        return out

    def _read(self, path: Path, data: bytes, fmt: SourceFormat) -> RawDocument:
        if fmt is not SourceFormat.PDF:
            return read_text(data, suffix=path.suffix.lower())
        stamps = self.packs.stamps()
        try:
            return read_pdf(data, self.settings.pdf, stamps)
        except IngestError as exc:
            if exc.error_type is not ErrorType.NEEDS_OCR or not self.settings.ocr:
                raise
            raw = read_pdf(ocr_pdf(data), self.settings.pdf, stamps)
            raw.ocr_applied = True
            raw.warnings.append("text from OCR (ocrmypdf): check figures against the scan")
            return raw

    def _read_paper(
        self,
        out: DocumentResult,
        pages: list[Page],
        is_pdf: bool,
        doc_id: str,
        name: str,
        from_pack: dict[str, str] | None = None,
    ) -> tuple[str, ...]:
        """normalise -> classify -> structure -> facts, into `out`. `from_pack` fills the
        header fields the paper leaves empty (before the facts read its meeting date);
        the names of those it filled are returned."""
        out.text = text = self.normaliser.normalise(pages, is_pdf=is_pdf)
        out.doc_type, _ = self.classifier.classify(text.text, name)
        out.structure = structure = self.structure.analyse(
            doc_id, text, out.doc_type, pages, self.settings.pdf.tables, is_pdf=is_pdf
        )
        filled = tuple(k for k, v in (from_pack or {}).items() if v and not structure.header.get(k))
        for key in filled:
            structure.header[key] = (from_pack or {})[key]
        out.facts = self.facts.extract(
            doc_id, text, structure.header.get("meeting_date", ""), structure.found_tables
        )
        out.warnings += structure.warnings
        return filled

    def _pack(
        self, out: DocumentResult, pages: list[Page], parts: list[Part], doc_id: str, is_pdf: bool
    ) -> DocumentResult:
        """Each paper of the pack as a document of its own, the front sheet first: what it
        says of the meeting (and its agenda's titles) fills what the papers leave empty."""
        out.doc_type = DocType.PACK
        out.structure = Structure()
        titles: dict[str, str] = {}
        bad_pages = {p.page for p in out.problems}
        for part in parts:
            pid = part_doc_id(doc_id, part.number)
            paper = DocumentResult(
                out.source_format,
                Status.PARTIAL if bad_pages & set(part.pages) else Status.OK,
                pages=len(part.pages),
                encoding=out.encoding,
                ocr_applied=out.ocr_applied,
            )
            from_pack = {k: out.structure.header.get(k, "") for k in _FROM_FRONT_SHEET}
            from_pack["item_number"] = part.item_number
            if part.kind is PartKind.ITEM:  # the agenda's title is the item's, not an appendix's
                from_pack["title"] = titles.get(part.item_number, "")
            own = [self.packs.unstamped(p) for p in pages if p.number in part.pages]
            filled = self._read_paper(paper, own, is_pdf, pid, "", from_pack)
            assert paper.structure is not None
            if part.kind is PartKind.FRONT_SHEET:
                out.structure.header = dict(paper.structure.header)
                titles = {a.item_number: a.title for a in paper.structure.agenda_items}
            elif part.kind is PartKind.APPENDIX:
                paper.doc_type = DocType.APPENDIX
            out.parts.append(PackPart(pid, part, paper, filled))
        out.warnings.append(
            f"agenda reports pack: read as {len(parts)} papers (rows with parent_doc_id {doc_id})"
        )
        return out


class _Timeout(Exception):
    pass


@contextmanager
def _time_limit(seconds: float):
    """SIGALRM-based limit; only where signals can be used (the main thread, on Unix)."""
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(signum, frame):
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
