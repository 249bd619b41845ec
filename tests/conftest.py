"""Shared fixtures: the bundled corpus, the Kent development set, and one processor."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.process import Processor
from extract.settings import IngestSettings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
OUTPUTS = ROOT / "outputs"
KENT = ROOT.parent / "shared" / "kent"

# Real papers from the corpus, by what they exercise.
OCR_TEXT = CORPUS / "thurrock" / "lscp-update-autumn-2022-ocr.txt"
MARKDOWN = CORPUS / "thurrock" / "2023-09-12-item09-thematic-review-action-plan-update.md"
PLAIN_TEXT = CORPUS / "thurrock" / "2020-10-06-item07-serious-case-review-sam-and-kyle.txt"
TABBED_TEXT = CORPUS / "thurrock" / "2019-10-08-item07-lscp-performance-report-may-aug-2019.txt"
PDF_REPORT = CORPUS / "kent" / "2025-03-04-cabinet-late-changes-to-budget-report.pdf"
PDF_MINUTES = CORPUS / "kent" / "2025-01-09-county-council-minutes.pdf"
PDF_AGENDA = CORPUS / "kent" / "2025-03-04-cabinet-agenda-frontsheet.pdf"
PDF_RUNNING_HEADER = CORPUS / "kent" / "2025-03-13-county-council-treasury-half-year-appendix-1.pdf"


@pytest.fixture(scope="session")
def processor() -> Processor:
    return Processor.build(IngestSettings())


@pytest.fixture(scope="session")
def processed(processor):
    """Process a corpus file once per session: processed(path) -> DocumentResult."""
    cache = {}

    def get(path: Path):
        if path not in cache:
            cache[path] = processor.process(path, path.read_bytes())
        return cache[path]

    return get


def pdf_from_objects(objects: list[bytes]) -> bytes:
    """A PDF file from its numbered objects (1 is the catalog), with a correct xref."""
    out, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
