"""Text inputs: encodings, Markdown-ish and OCR'd text, on the corpus papers."""

from __future__ import annotations

import codecs

import pytest

from extract.ingest.base import IngestError
from extract.ingest.text import decode, read_text
from extract.models import ErrorType, SourceFormat, Status
from tests.conftest import MARKDOWN, OCR_TEXT, PLAIN_TEXT, TABBED_TEXT


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        ("Children’s Services – £5".encode(), "Children’s Services – £5", "utf-8"),
        ("Children’s Services – £5".encode("cp1252"), "Children’s Services – £5", "cp1252"),
        (codecs.BOM_UTF8 + b"Item 7", "Item 7", "utf-8-sig"),
        ("Café £1".encode("utf-16"), "Café £1", "utf-16"),
        ("naïve “quotes”".encode("cp1252"), "naïve “quotes”", "cp1252"),
    ],
)
def test_decode_reads_utf8_and_legacy_windows_text(data, text, encoding):
    decoded, used, lossy = decode(data)
    assert (decoded, used, lossy) == (text, encoding, False)


@pytest.mark.parametrize(
    ("data", "error_type"),
    [
        (b"", ErrorType.EMPTY_FILE),
        (b"  \n\t \r\n", ErrorType.NO_TEXT),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ErrorType.NOT_TEXT),
    ],
)
def test_unusable_text_files_get_a_specific_error(data, error_type):
    with pytest.raises(IngestError) as info:
        read_text(data, suffix=".txt")
    assert info.value.error_type is error_type
    assert info.value.message  # says what happened


def test_form_feeds_split_text_into_pages():
    doc = read_text(b"page one\fpage two\fpage three", suffix=".txt")
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.pages[2].text == "page three"


def test_ocr_damage_is_repaired_and_flagged(processed):
    result = processed(OCR_TEXT)
    text = result.text.text
    assert result.status is Status.OK and result.text.ocr_suspected
    # damaged ordinals: 6" December, 22", 23 and 24t November, 15t December
    assert "place on 6th December 2022" in text
    assert "Over three days 22nd, 23 and 24th November" in text
    assert "roadshow on 15th December 2022" in text
    assert "On 20th October" in text
    # OCR read the l of lscp as I
    assert "thurrock-lscp-newsletters-1" in text and "Iscp" not in text
    # stray bullets («, *) become one bullet
    assert "• there is early identification" in text
    assert "« " not in text and "\n* " not in text


def test_markdown_markup_is_stripped(processed):
    result = processed(MARKDOWN)
    text = result.text.text
    assert result.source_format is SourceFormat.MARKDOWN
    assert "#" not in text and "**" not in text
    assert "\nExecutive Summary\n" in text
    assert "\n1. Recommendation(s)\n" in text  # was "- 1. Recommendation(s)"
    assert "\n7.2 Legal\n" in text  # was "## 7.2 Legal"
    assert "\nReport Author:\n" in text  # was "#### **Report Author:**"


def test_plain_text_keeps_its_layout(processed):
    result = processed(PLAIN_TEXT)
    text = result.text.text
    assert result.source_format is SourceFormat.TEXT
    assert text.startswith("6 October 2020\t\tITEM: 7\n")  # front-sheet tabs kept
    assert "Implications verified by: David May\n" in text  # **bold** dropped
    assert "1. “Thurrock Safeguarding Children Partnership should review" in text  # *italic*


def test_spaced_ordinals_are_joined(processed):
    text = processed(TABBED_TEXT).text.text
    assert "from the 26th September 2019 meeting" in text
    assert "26 th" not in text
