"""doc_type from content, against labels given by reading each paper."""

from __future__ import annotations

import pytest

from extract.classify import DocTypeClassifier
from extract.models import DocType
from tests.conftest import CORPUS

# Hand labels: what each corpus paper is, from reading it.
LABELS = {
    "thurrock/lscp-update-autumn-2022-ocr.txt": DocType.REPORT,  # no front sheet survives
    "thurrock/2023-03-14-item10-lscp-annual-report-2021-22.txt": DocType.REPORT,
    "thurrock/2023-09-12-item09-thematic-review-action-plan-update.md": DocType.REPORT,
    "thurrock/2020-10-06-item07-serious-case-review-sam-and-kyle.txt": DocType.REPORT,
    "thurrock/2019-10-08-item07-lscp-performance-report-may-aug-2019.txt": DocType.REPORT,
    "kent/2025-03-04-cabinet-late-changes-to-budget-report.pdf": DocType.REPORT,
    "kent/2025-03-04-cabinet-agenda-frontsheet.pdf": DocType.AGENDA,
    "kent/2025-01-09-county-council-minutes.pdf": DocType.MINUTES,
    "kent/2025-03-13-county-council-treasury-half-year-appendix-1.pdf": DocType.APPENDIX,
    "kent/2025-01-30-cabinet-appendix-o-mrp-statement.pdf": DocType.APPENDIX,
    # "Appendix B" to decision 24/00115: a stand-alone plan with its own contents page
    "kent/2025-01-30-cabinet-ics-priorities-measures-appendix-b.pdf": DocType.APPENDIX,
    "kent/2025-01-30-cabinet-finance-monitoring-q3-appendix.pdf": DocType.APPENDIX,
    "kent/2025-01-09-county-council-item-3-supplement-pack.pdf": DocType.PACK,
}


def test_every_corpus_paper_is_labelled():
    on_disk = {
        str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.suffix in {".pdf", ".txt", ".md"}
    }
    assert on_disk == set(LABELS)


@pytest.mark.parametrize(("source_path", "expected"), sorted(LABELS.items()))
def test_corpus_doc_types(processed, source_path, expected):
    assert processed(CORPUS / source_path).doc_type is expected


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        # content decides even when the file name says nothing
        (
            "MINUTES of a meeting of the Cabinet held on 4 March\nPRESENT: Mr A",
            "x.pdf",
            DocType.MINUTES,
        ),
        (
            "Summons to and\nAgenda for an\nExtraordinary Meeting\n1. Apologies (Pages 1 - 4)",
            "x.pdf",
            DocType.AGENDA,
        ),
        (
            "From: Roger Gough, Leader\nTo: County Council – 13 March 2025\nSubject: Pay Policy",
            "x.pdf",
            DocType.REPORT,
        ),
        (
            "Governance Update Appendix 1 – County Council 13 March 2025\nText",
            "x.pdf",
            DocType.APPENDIX,
        ),
        # the file name is a hint when the content is silent
        ("Table of figures", "Appendix B - Capital.pdf", DocType.APPENDIX),
        ("Table of figures", "figures.pdf", DocType.OTHER),
    ],
)
def test_doc_type_rules(text, name, expected):
    doc_type, fired = DocTypeClassifier.load().classify(text, name)
    assert doc_type is expected
    assert bool(fired) == (expected is not DocType.OTHER)  # rule ids explain the verdict
