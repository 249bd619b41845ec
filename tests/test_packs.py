"""Agenda reports packs: split into their papers, each read as the separate paper is."""

from __future__ import annotations

import csv
from dataclasses import asdict, replace
from pathlib import Path

import pytest
from pack_builder import build_pack

from extract.batch import run_batch
from extract.ingest.packs import PackSplitter
from extract.models import DocType, Page, PartKind
from extract.process import Processor
from extract.settings import IngestSettings, RunSettings
from extract.tables import FACT_TABLES, STRUCTURE_TABLES
from tests.conftest import pdf_from_objects

CORPUS = Path(__file__).parent.parent / "corpus" / "kent"


@pytest.fixture(scope="module")
def splitter() -> PackSplitter:
    return PackSplitter.load()


def pages(*texts: str) -> list[Page]:
    return [Page(n, t) for n, t in enumerate(texts, 1)]


@pytest.mark.parametrize(
    ("text", "blank"),
    [
        ("This page is intentionally left blank", True),
        ("  This page has been intentionally left blank.\n", True),
        ("This page is intentionally left blank\nPage 12", True),
        ("Intentionally blank", True),
        ("This page is intentionally left blank\nApologies were received.", False),
        ("", False),
        ("Page 12", False),
    ],
)
def test_blank_pages(splitter, text, blank):
    assert splitter.blank_pages(pages(text)) == ([1] if blank else [])


@pytest.mark.parametrize(
    ("stamp", "item"),
    [
        ("Page 1 Agenda Item 9", "9"),
        ("Agenda Item 5a", "5a"),
        ("AGENDA ITEM 10(b)", "10(b)"),
        ("Agenda Item 3 Page 7", "3"),
        ("Agenda Item B1", "B1"),
    ],
)
def test_item_markers_at_top_or_bottom(splitter, stamp, item):
    body = "\n".join(f"line {i} of the report" for i in range(10))
    for text in (f"{stamp}\n{body}", f"{body}\n{stamp}"):
        parts = splitter.split(pages("Dear Member\nAgenda Item No\n9 Report (Pages 1 - 2)", text))
        assert [(p.kind, p.item_number, p.pages) for p in parts] == [
            (PartKind.FRONT_SHEET, "", (1,)),
            (PartKind.ITEM, item, (2,)),
        ]


def test_not_a_pack(splitter):
    body = "\n".join(f"line {i}" for i in range(10))
    # a paper that kept the stamp of the pack it was cut from
    assert splitter.split(pages(f"{body}\nPage 23 Agenda Item 5", body)) == []
    # a column heading, and a marker in the middle of a page, are not stamps
    assert splitter.split(pages("Agenda Item No\n3 Questions", body)) == []
    assert splitter.split(pages(body, f"{body}\nAgenda Item 4\n{body}")) == []


def test_font_changes(splitter):
    texts = ["Agenda Item 3\nreport"] + ["text"] * 7
    p = pages("front sheet", *texts)  # pages 2-9 are item 3
    letter, table = frozenset({1}), frozenset({2})

    def kinds(fonts):
        with_fonts = [replace(page, fonts=fonts.get(page.number, frozenset())) for page in p]
        return [(x.kind, x.page_from, x.page_to) for x in splitter.split(with_fonts)][1:]

    report = {2: letter, 3: letter, 4: letter, 5: letter, 6: table, 7: table, 8: table, 9: table}
    assert kinds(report) == [(PartKind.ITEM, 2, 5), (PartKind.APPENDIX, 6, 9)]
    # a font the paper used before comes back later: one paper, whatever lies between
    back = {**report, 9: letter | table}
    assert kinds(back) == [(PartKind.ITEM, 2, 9)]
    # a generator that gives every page fonts of its own tells nothing
    own = {n: frozenset({n}) for n in range(2, 10)}
    assert kinds(own) == [(PartKind.ITEM, 2, 9)]


def test_unstamped_keeps_content(splitter):
    page = Page(3, "Agenda Item 9\nSee page 4 of the plan.\nbody\nbody\nbody\nbody\nPage 1")
    assert splitter.unstamped(page).text == "See page 4 of the plan.\nbody\nbody\nbody\nbody\n"


# -- a pack made from real papers ---------------------------------------------------------

ITEMS = [
    ("3", ["2025-01-09-county-council-minutes.pdf"]),
    (
        "5",
        [
            "2025-03-04-cabinet-late-changes-to-budget-report.pdf",
            "2025-01-30-cabinet-appendix-o-mrp-statement.pdf",
            "2025-01-30-cabinet-ics-priorities-measures-appendix-b.pdf",
        ],
    ),
    (
        "6",
        [
            "2025-01-30-cabinet-finance-monitoring-q3-appendix.pdf",
            "2025-03-13-county-council-treasury-half-year-appendix-1.pdf",
        ],
    ),
]


@pytest.fixture(scope="module")
def pack_pdf():
    front = CORPUS / "2025-03-04-cabinet-agenda-frontsheet.pdf"
    return build_pack(front, [(n, [CORPUS / f for f in files]) for n, files in ITEMS])


@pytest.fixture(scope="module")
def made_pack(pack_pdf):
    data, truth, blank = pack_pdf
    processor = Processor.build(IngestSettings())
    return processor, processor.process(Path("pack.pdf"), data, "pack"), truth, blank


def test_made_pack_splits_into_its_papers(made_pack):
    _, result, truth, blank = made_pack
    assert result.doc_type is DocType.PACK
    assert result.blank_pages == blank
    got = [
        (p.part.kind.value, p.part.item_number, p.part.page_from, p.part.page_to)
        for p in result.parts
    ]
    assert got == [(t.kind, t.item_number, t.page_from, t.page_to) for t in truth]
    assert [p.doc_id for p in result.parts] == [f"pack-p{n:02d}" for n in range(1, len(truth) + 1)]


def _rows(result, doc_id: str, offset: int) -> dict[str, list[dict]]:
    """Every row a paper gives, without its doc_id and with pages counted from its start."""
    out = {}
    for name in STRUCTURE_TABLES:
        out[name] = [_plain(asdict(r), doc_id, offset) for r in getattr(result.structure, name)]
    for name in FACT_TABLES:
        out[name] = [_plain(asdict(r), doc_id, offset) for r in getattr(result.facts, name)]
    return out


_DATED = {"date", "date_end", "date_start", "due_date", "overdue"}


def _plain(row: dict, doc_id: str, offset: int) -> dict:
    for key, value in row.items():
        if isinstance(value, str):
            row[key] = value.replace(doc_id, "")  # ids made from it (event ids)
    for key in ("page", "page_start", "page_end"):
        if isinstance(row.get(key), int):
            row[key] -= offset
    return row


def test_made_pack_gives_the_rows_of_the_separate_papers(made_pack):
    processor, result, truth, _ = made_pack
    for part, true in zip(result.parts, truth, strict=True):
        alone = processor.process(true.source, true.source.read_bytes(), "alone")
        assert part.result.text.text == alone.text.text, true.source.name
        mine = _rows(part.result, part.doc_id, true.page_from - 1)
        theirs = _rows(alone, "alone", 0)
        # what the pack told the paper (its item number, the meeting's date) is extra
        mine["header_fields"] = [
            r for r in mine["header_fields"] if r["field"] not in part.from_pack
        ]
        if "meeting_date" in part.from_pack:
            # the paper's dates were read against the meeting's: the same ones, but a year
            # left out ("in October") may resolve otherwise
            for rows in (mine, theirs):
                for name in FACT_TABLES:
                    rows[name] = [
                        {k: v for k, v in r.items() if k not in _DATED} for r in rows[name]
                    ]
        assert mine == theirs, true.source.name


def test_a_pack_in_a_batch_gives_a_row_per_paper(tmp_path):
    """The pack's row, then one per paper pointing at it; every table's rows name the
    paper they came from; the same archive gives the same bytes twice."""
    front = CORPUS / "2025-03-04-cabinet-agenda-frontsheet.pdf"
    data, truth, _ = build_pack(
        front, [("5", [CORPUS / "2025-03-04-cabinet-late-changes-to-budget-report.pdf"])]
    )
    root = tmp_path / "archive"
    root.mkdir()
    (root / "pack.pdf").write_bytes(data)
    (root / "minutes.pdf").write_bytes(
        (CORPUS / "2025-01-09-county-council-minutes.pdf").read_bytes()
    )
    summary = run_batch([root], tmp_path / "out", RunSettings(workers=1))
    assert (summary.documents, summary.ok, summary.papers_in_packs) == (2, 2, len(truth))
    assert not any("BUG" in note for note in summary.notes)
    docs = list(csv.DictReader((tmp_path / "out" / "documents.csv").open(encoding="utf-8")))
    pack = next(d for d in docs if d["doc_type"] == "pack")
    papers = [d for d in docs if d["parent_doc_id"] == pack["doc_id"]]
    assert [(d["part"], d["part_kind"], d["page_from"], d["page_to"]) for d in papers] == [
        (str(n), t.kind, str(t.page_from), str(t.page_to)) for n, t in enumerate(truth, 1)
    ]
    assert pack["chars"] == "0" and all(int(d["chars"]) > 0 for d in papers)
    report = papers[1]
    assert (report["item_number"], report["meeting_date_source"]) == ("5", "paper")
    sections = list(csv.DictReader((tmp_path / "out" / "sections.csv").open(encoding="utf-8")))
    assert {s["doc_id"] for s in sections} >= {report["doc_id"]}
    assert pack["doc_id"] not in {s["doc_id"] for s in sections}
    pages = {int(s["page"]) for s in sections if s["doc_id"] == report["doc_id"]}
    assert pages <= set(range(int(report["page_from"]), int(report["page_to"]) + 1))
    run_batch([root], tmp_path / "again", RunSettings(workers=1))
    for name in ("documents.csv", "sections.csv", "table_cells.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_a_real_supplement_pack():
    """Kent's Item 3 supplement: covering letter, filler page, the report and its two
    appendices (the letter without a label is told apart by its fonts alone)."""
    path = CORPUS / "2025-01-09-county-council-item-3-supplement-pack.pdf"
    result = Processor.build(IngestSettings()).process(path, path.read_bytes(), "kent")
    assert result.blank_pages == [2]
    assert [(p.part.kind, p.part.page_from, p.part.page_to) for p in result.parts] == [
        (PartKind.FRONT_SHEET, 1, 1),
        (PartKind.ITEM, 3, 10),
        (PartKind.APPENDIX, 11, 14),
        (PartKind.APPENDIX, 15, 20),
    ]
    front, report = result.parts[0].result, result.parts[1].result
    assert [(a.item_number, a.page_from, a.page_to) for a in front.structure.agenda_items] == [
        ("3", 1, 18)
    ]
    # the letter's "Date:" is when it was sent; the heading names the meeting
    assert front.structure.header["meeting_date"] == "2025-01-09"
    assert "venue" not in front.structure.header
    assert report.structure.header["item_number"] == "3"
    assert report.structure.header["title"] == "English Devolution White Paper"
    assert "Agenda Item" not in report.text.text
    assert result.parts[2].result.structure.header["meeting_date"] == "2025-01-09"
    assert "meeting_date" in result.parts[2].from_pack


@pytest.mark.parametrize("c_loops", [True, False])
def test_an_objects_letters_are_its_text_without_whitespace(splitter, pack_pdf, c_loops):
    """The reader rules out text objects that cannot be stamps from their characters
    before asking PDFium for their text: the characters (whitespace left out) are that
    text's, and every stamp's match the stamp pattern without its whitespace."""
    import pypdfium2 as pdfium

    from extract.ingest.pdf import _object_letters, _object_text
    from extract.ingest.pdfium_loops import page_object, text_objects

    stamps = splitter.stamps()
    pdf = pdfium.PdfDocument(pack_pdf[0])
    found = 0
    for i in range(len(pdf)):
        page = pdf[i]
        textpage = page.get_textpage()
        letters = _object_letters(textpage, c_loops)
        for at in text_objects(page.raw, 0, c_loops)[0]:
            text = _object_text(page_object(at), textpage)
            assert letters.get(at, "") == "".join(text.split())
            if stamps.is_stamp(text.strip()):
                found += 1
                assert stamps.letters.fullmatch(letters[at])
        textpage.close()
        page.close()
    pdf.close()
    assert found  # the made pack is stamped


@pytest.mark.parametrize(
    "pattern, text",
    [
        (r"page\s+\d{1,4}", "Page   12"),
        (r"agenda\s*item\s+?(?P<n>\d+)", "AGENDA ITEM 7"),
        (r"a\s{1,3}b", "a \t b"),
    ],
)
def test_a_pattern_without_whitespace_matches_the_text_without_it(pattern, text):
    import re

    from extract.ingest.packs import without_whitespace

    compiled = re.compile(pattern, re.IGNORECASE)
    assert compiled.fullmatch(text)
    assert without_whitespace(compiled).fullmatch("".join(text.split()))


@pytest.mark.parametrize(
    "pattern",
    [
        r"page.\d",
        r"page[^x]\d",
        r"page \d",
        r"page\W\d",
        r"page[\s:]+\d+",  # \s in a set: "page 5" would not match "page[:]+\d+"
        r"page[\s]\d",
        r"page\b\s*\d+",  # a boundary sees the space deleted before it
        r"page\s*(?!\s)\d+",
        r"(?<=\s)page",
    ],
)
def test_a_pattern_that_could_match_whitespace_otherwise_has_no_letters_form(pattern):
    import re

    from extract.ingest.packs import without_whitespace

    assert without_whitespace(re.compile(pattern)) is None


def _one_line_pdf(text_codes: bytes, to_unicode: dict[int, str]) -> bytes:
    """A one-page PDF showing `text_codes` in a font whose ToUnicode map gives
    `to_unicode` (code -> UTF-16BE hex), to put any characters on a page."""
    entries = " ".join(f"<{c:02X}> <{u}>" for c, u in to_unicode.items())
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo "
        "<< /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS "
        "def /CMapType 2 def 1 begincodespacerange <00> <FF> endcodespacerange "
        f"{len(to_unicode)} beginbfchar {entries} endbfchar endcmap CMapName currentdict "
        "/CMap defineresource pop end end"
    )
    content = f"BT /F1 12 Tf 20 100 Td ({text_codes.decode('latin-1')}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        f"<< /Length {len(cmap)} >>\nstream\n{cmap}\nendstream",
    ]
    return pdf_from_objects([o.encode("latin-1") for o in objects])


@pytest.mark.parametrize("c_loops", [True, False])
def test_a_stamp_with_characters_above_the_bmp_is_taken_off(splitter, c_loops):
    """Regression (review): PDFium keeps a character above U+FFFF as its two surrogate
    halves; an object's letters pair them as its UTF-16 text does, so "Page 𝟏𝟐" (bold
    digits, which \\d reads) is still a stamp the letters let through."""
    import pypdfium2 as pdfium

    from extract.ingest.pdf import _object_letters, _object_text, _unstamp
    from extract.ingest.pdfium_loops import page_object, text_objects

    to_unicode = {ord(c): f"{ord(c):04X}" for c in "Page "} | {0x31: "D835DFCF", 0x32: "D835DFD0"}
    pdf = pdfium.PdfDocument(_one_line_pdf(b"Page 12", to_unicode))
    page = pdf[0]
    textpage = page.get_textpage()
    letters = _object_letters(textpage, c_loops)
    (at,) = text_objects(page.raw, 0, c_loops)[0]
    assert _object_text(page_object(at), textpage) == "Page 𝟏𝟐"
    assert letters[at] == "Page𝟏𝟐"
    assert _unstamp(page, textpage, splitter.stamps(), c_loops) == ["Page 𝟏𝟐"]
    textpage.close()
    page.close()
    pdf.close()


def test_text_objects_walked_in_c_are_the_python_walks(pack_pdf):
    """The C walk finds the text objects (forms entered to each depth) and their fonts the
    Python walk finds, in its order."""
    import pypdfium2 as pdfium

    from extract.ingest import pdfium_loops

    if not pdfium_loops.has_compiled("text_objects"):
        pytest.skip("the C loops were not built (no compiler at install)")
    seen = 0
    for data in (
        pack_pdf[0],
        (CORPUS / "2025-01-09-county-council-minutes.pdf").read_bytes(),
    ):
        pdf = pdfium.PdfDocument(data)
        for i in range(len(pdf)):
            page = pdf[i]
            for depth in (0, 2):
                fast = pdfium_loops.text_objects(page.raw, depth)
                assert fast == pdfium_loops.text_objects(page.raw, depth, use_compiled=False)
                seen += len(fast[0])
                assert all(fast[1])  # every text object has a font
            page.close()
        pdf.close()
    assert seen
