"""PDF inputs: real Kent papers from the corpus, and broken PDFs built by the tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _boxes_of_each_page(path: Path):
    """(text page, height, boxes) of each page: every run of text, the page's quarters
    and halves, the whole page, boxes off it, and 40 boxes at random (seeded)."""
    import random

    import pypdfium2 as pdfium

    from extract.ingest.pdf import _PageText
    from extract.ingest.unruled import Run

    rng = random.Random(path.name)
    pdf = pdfium.PdfDocument(path.read_bytes())
    for i in range(len(pdf)):
        page = pdf[i]
        width, height = page.get_size()
        textpage = page.get_textpage()
        boxes = [Run(*b) for b in _PageText(textpage, height).boxes.tolist()] + [
            Run(x * width / 2, y * height / 2, (x + 1) * width / 2, (y + 1) * height / 2)
            for x in (0, 1)
            for y in (0, 1)
        ]
        boxes += [Run(0, 0, width, height), Run(-50, -50, -10, -10), Run(0, 0, 0.1, 0.1)]
        for _ in range(40):
            x0, x1 = sorted(rng.uniform(-5, width + 5) for _ in range(2))
            top, bottom = sorted(rng.uniform(-5, height + 5) for _ in range(2))
            boxes.append(Run(x0, top, x1, bottom))
        yield textpage, height, boxes
        textpage.close()
        page.close()
    pdf.close()


@pytest.mark.parametrize(
    "path",
    sorted(PDF_AGENDA.parent.glob("*.pdf")),  # the corpus's PDFs
    ids=lambda p: p.stem,
)
def test_text_in_a_box_is_pypdfium2s(path):
    """A box's text, read from the page's characters (PDFium's predicate replicated in C,
    by their index and character by character), in one PDFium call, and in Python, is
    what pypdfium2's get_text_bounded reads: on every run of every page of the corpus's
    PDFs, the page's quarters and halves, boxes off the page and boxes at random."""
    from extract.ingest import pdfium_loops
    from extract.ingest.pdf import _flipped, _PageText

    compared = 0
    for textpage, height, boxes in _boxes_of_each_page(path):
        expected = [
            textpage.get_text_bounded(run.x0, height - run.bottom, run.x1, height - run.top)
            for run in boxes
        ]
        text = _PageText(textpage, height)
        assert text.texts_of(boxes) == expected
        assert [text._pdfium_text_of(run) for run in boxes] == expected
        assert [text.text_of(run) for run in boxes] == expected
        assert _PageText(textpage, height, c_loops=False).texts_of(boxes) == expected
        if pdfium_loops.has_compiled("texts_in_boxes"):
            assert text._replica, "the replica was refused on a page PDFium reads the same"
            chars = pdfium_loops.text_chars(textpage.raw)
            flipped = _flipped(np.array(boxes, np.float64), height)
            literal = pdfium_loops.compiled.texts_in_boxes(chars, flipped, True)
            assert literal == expected
        compared += sum(map(bool, expected))
    assert compared > 20


def test_a_page_whose_pdfium_reads_a_box_otherwise_is_read_by_pdfium(monkeypatch):
    """The run-time check: where PDFium's own reading of a page's longest text differs
    from the replica's, the page is read by PDFium, every box of it."""
    from extract.ingest import pdfium_loops
    from extract.ingest.pdf import _PageText

    if not pdfium_loops.has_compiled("texts_in_boxes"):
        pytest.skip("the C extension was not built")
    textpage, height, boxes = next(_boxes_of_each_page(PDF_REPORT))
    expected = _PageText(textpage, height).texts_of(boxes)
    monkeypatch.setattr(_PageText, "_pdfium_text_of", lambda self, run: "something else")
    text = _PageText(textpage, height)
    # what PDFium reads (its C loop: _pdfium_text_of is asked only where that fails)
    assert text.texts_of(boxes) == expected
    assert not text._replica


_TEXT_CHAR = np.dtype(
    [(k, "<f4") for k in ("left", "bottom", "right", "top", "origin_y")] + [("unicode", "<u4")]
)
# few values, so that boxes touch, share edges and coincide; and those that are not finite
_COORDINATES = st.sampled_from([-1.0, 0.0, 1.0, 2.5, 4.0, 7.99, 8.0, 12.0, 300.0, np.inf, np.nan])
# spaces (twice as likely), letters, no character, line breaks, a byte order mark, a lone
# surrogate, one beyond the BMP and one beyond Unicode
_UNICODES = st.sampled_from(
    [0x20, 0x20, 0x41, 0x62, 0x0, 0x0D, 0x0A, 0xFEFF, 0xD800, 0x1F600, 0x110041]
)


@st.composite
def _text_chars(draw):
    chars = []
    for _ in range(draw(st.integers(0, 40))):
        x0, x1, y0, y1 = (draw(_COORDINATES) for _ in range(4))
        # normalised, as text_chars leaves them (NaN stays where it was)
        left, right = (x1, x0) if x0 > x1 else (x0, x1)
        bottom, top = (y1, y0) if y0 > y1 else (y0, y1)
        chars.append((left, bottom, right, top, draw(_COORDINATES), draw(_UNICODES)))
    return np.array(chars, _TEXT_CHAR).tobytes()


@given(_text_chars(), st.lists(st.tuples(*[_COORDINATES] * 4), max_size=8))
@settings(max_examples=400, deadline=None)
def test_a_box_read_by_the_characters_index_is_read_as_pdfium_walks_them(chars, boxes):
    """texts_in_boxes walks only the characters a box may meet and works out what those
    passed over would have done; the literal walk goes character by character, as
    PDFium's GetTextByPredicate (which the test above compares with PDFium itself)."""
    from extract.ingest import pdfium_loops

    if not pdfium_loops.has_compiled("texts_in_boxes"):
        pytest.skip("the C extension was not built")
    boxes = np.array(boxes, np.float64).reshape(-1, 4)  # left, bottom, right, top
    texts = pdfium_loops.compiled.texts_in_boxes
    assert texts(chars, boxes) == texts(chars, boxes, True)
