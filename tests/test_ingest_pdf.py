"""PDF inputs: real Kent papers from the corpus, and broken PDFs built by the tests."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from extract.ingest.base import IngestError
from extract.ingest.pdf import read_pdf
from extract.models import ErrorType, Status
from extract.settings import PdfSettings, PdfTextEngine
from tests.conftest import PDF_AGENDA, PDF_MINUTES, PDF_REPORT, PDF_RUNNING_HEADER


def test_pdf_pages_keep_numbers_sizes_and_layout_words():
    doc = read_pdf(PDF_REPORT.read_bytes(), PdfSettings(layout_pages=1))
    assert [p.number for p in doc.pages] == [1, 2, 3, 4]
    first = doc.pages[0]
    assert first.width == pytest.approx(595, abs=2) and first.height == pytest.approx(842, abs=2)
    # word boxes on the layout pages, for front-sheet rules: "From:" is a label at the left
    label = next(w for w in first.words if w["text"] == "From:")
    assert label["x0"] < 100 and label["top"] < 150 and "fontname" in label
    assert doc.pages[2].words == []  # beyond layout_pages: text only


@pytest.mark.parametrize("engine", list(PdfTextEngine))
def test_overlapping_space_glyphs_do_not_split_words(engine):
    """Kent minutes draw spaces over the first letter of headings ("A pologies")."""
    doc = read_pdf(PDF_MINUTES.read_bytes(), PdfSettings(text_engine=engine, layout_pages=1))
    text = doc.pages[0].text
    assert "283. Apologies for Absence" in text
    assert "A pologies" not in text
    assert any(w["text"] == "Apologies" for w in doc.pages[0].words)


def test_running_headers_and_page_numbers_do_not_leak(processed):
    result = processed(PDF_RUNNING_HEADER)
    text = result.text.text
    # "Appendix 1", the page number and the report's running title head each of 3 pages
    assert text.count("TM half-year report 2024-25 to County Council") == 1
    assert text.count("Appendix 1") == 1
    assert "\n2\n" not in text and "\n3\n" not in text
    assert result.text.furniture_lines_removed >= 6
    assert "Bond Portfolio" in text  # content right under the header survives


def test_one_page_agenda_keeps_everything(processed):
    result = processed(PDF_AGENDA)
    assert result.status is Status.OK and result.pages == 1
    assert result.text.text.startswith("AGENDA\nCABINET\n")
    assert "(Pages 25 - 100)" in result.text.text


# --- broken PDFs, built here from the corpus so nothing is downloaded ---------------------


def _encrypted(tmp_path: Path, user_password: str) -> bytes:
    out = tmp_path / f"enc-{bool(user_password)}.pdf"
    with pikepdf.open(PDF_REPORT) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="owner-secret", user=user_password))
    return out.read_bytes()


def _blank_pages(tmp_path: Path, n: int) -> bytes:
    out = tmp_path / "scan.pdf"
    pdf = pikepdf.new()
    for _ in range(n):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(out)
    return out.read_bytes()


@pytest.mark.parametrize(
    ("make", "error_type", "says"),
    [
        (lambda tmp: b"", ErrorType.EMPTY_FILE, "empty"),
        (lambda tmp: PDF_REPORT.read_bytes()[:40_000], ErrorType.CORRUPT_PDF, "truncated"),
        (
            lambda tmp: b"%PDF-1.7\n" + b"\x00garbage" * 500 + b"\n%%EOF\n",
            ErrorType.CORRUPT_PDF,
            "damaged",
        ),
        (
            lambda tmp: b"<!DOCTYPE html><html><body>404 Not Found</body></html>",
            ErrorType.NOT_A_PDF,
            "HTML",
        ),
        (lambda tmp: b"PK\x03\x04" + b"\x00" * 100, ErrorType.NOT_A_PDF, "ZIP"),
        (lambda tmp: b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, ErrorType.NOT_A_PDF, "PNG"),
        (lambda tmp: _encrypted(tmp, "reader-secret"), ErrorType.ENCRYPTED, "password"),
        (lambda tmp: _blank_pages(tmp, 2), ErrorType.NEEDS_OCR, "text layer"),
    ],
    ids=["empty", "truncated", "garbage", "html", "zip", "png", "encrypted", "no-text-layer"],
)
def test_broken_pdfs_get_a_specific_error(tmp_path, make, error_type, says):
    with pytest.raises(IngestError) as info:
        read_pdf(make(tmp_path), PdfSettings())
    assert info.value.error_type is error_type
    assert says in info.value.message


def test_pdf_encrypted_with_an_empty_password_is_read(tmp_path):
    doc = read_pdf(_encrypted(tmp_path, ""), PdfSettings())
    assert len(doc.pages) == 4
    assert "Late changes" in doc.pages[0].text or "late changes" in doc.pages[0].text


@pytest.mark.parametrize(
    "path", [PDF_MINUTES, PDF_REPORT, PDF_RUNNING_HEADER], ids=lambda p: p.stem
)
def test_text_in_a_box_is_pypdfium2s(path):
    """A run's text is read in one PDFium call, as pypdfium2's get_text_bounded reads it
    in two (and many runs' in one call into C, the same): on every run of every page, on
    boxes of the page's quarters and halves, and on boxes off the page."""
    import pypdfium2 as pdfium

    from extract.ingest.pdf import _PageText
    from extract.ingest.unruled import Run

    pdf = pdfium.PdfDocument(path.read_bytes())
    compared = 0
    for i in range(len(pdf)):
        page = pdf[i]
        width, height = page.get_size()
        textpage = page.get_textpage()
        text = _PageText(textpage, height)
        boxes = [Run(*b) for b in text.boxes.tolist()] + [
            Run(x * width / 2, y * height / 2, (x + 1) * width / 2, (y + 1) * height / 2)
            for x in (0, 1)
            for y in (0, 1)
        ]
        boxes += [Run(0, 0, width, height), Run(-50, -50, -10, -10), Run(0, 0, 0.1, 0.1)]
        for run in boxes:
            expected = textpage.get_text_bounded(
                run.x0, height - run.bottom, run.x1, height - run.top
            )
            assert text.text_of(run) == expected
            compared += bool(expected)
        # and all of the page's boxes in one call into C (in Python where it was not built)
        assert text.texts_of(boxes) == [text.text_of(run) for run in boxes]
        textpage.close()
        page.close()
    pdf.close()
    assert compared > 20
