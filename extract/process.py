"""One document through the pipeline: read -> normalise -> classify (-> structure, facts).

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
from extract.ingest.pdf import read_pdf
from extract.ingest.text import read_text
from extract.models import DocType, ErrorType, Problem, SourceFormat, Status
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

    @classmethod
    def build(cls, settings: IngestSettings) -> Processor:
        return cls(
            settings,
            Normaliser.load(settings.normalise),
            DocTypeClassifier.load(),
            StructureExtractor.load(),
            FactExtractor.load(),
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
        raw: RawDocument
        if fmt is SourceFormat.PDF:
            try:
                raw = read_pdf(data, self.settings.pdf)
            except IngestError as exc:
                if exc.error_type is not ErrorType.NEEDS_OCR or not self.settings.ocr:
                    raise
                raw = read_pdf(ocr_pdf(data), self.settings.pdf)
                raw.ocr_applied = True
                raw.warnings.append("text from OCR (ocrmypdf): check figures against the scan")
        else:
            raw = read_text(data, suffix=path.suffix.lower())
        text = self.normaliser.normalise(raw.pages, is_pdf=fmt is SourceFormat.PDF)
        doc_type, _ = self.classifier.classify(text.text, path.name)
        structure = self.structure.analyse(
            doc_id,
            text,
            doc_type,
            raw.pages,
            self.settings.pdf.tables,
            is_pdf=fmt is SourceFormat.PDF,
        )
        facts = self.facts.extract(
            doc_id, text, structure.header.get("meeting_date", ""), structure.found_tables
        )
        return DocumentResult(
            source_format=raw.source_format,
            status=Status.PARTIAL if raw.problems else Status.OK,
            doc_type=doc_type,
            pages=len(raw.pages),
            encoding=raw.encoding,
            ocr_applied=raw.ocr_applied,
            text=text,
            structure=structure,
            facts=facts,
            problems=raw.problems,
            warnings=raw.warnings + structure.warnings,
        )


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
