"""Build an agenda reports pack from separate papers, as modern.gov does: the front sheet,
then each item's papers with the pack's page number on every page, "Agenda Item N" on the
first page of each item, and a filler page after an item with an odd number of pages.

The pack's true parts are known, so the splitter can be scored on papers it never saw, and
each part's rows compared with the separate paper's.
"""

from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

BLANK = "This page is intentionally left blank"


@dataclass(frozen=True)
class TruePart:
    kind: str  # front_sheet, item, appendix
    item_number: str
    page_from: int
    page_to: int
    source: Path


def build_pack(front: Path | None, items: list[tuple[str, list[Path]]]) -> tuple[bytes, list, list]:
    """(the pack's bytes, its true parts, its filler pages)."""
    pack = pdfium.PdfDocument.new()
    font = pdfium_c.FPDFText_LoadStandardFont(pack.raw, b"Helvetica")
    parts: list[TruePart] = []
    blank: list[int] = []
    printed = 0

    def add(path: Path) -> tuple[int, int]:
        src = pdfium.PdfDocument(path)
        first = len(pack) + 1
        pack.import_pages(src)
        src.close()
        return first, len(pack)

    def filler() -> None:
        nonlocal printed
        w, h = pack[len(pack) - 1].get_size()
        page = pack.new_page(w, h)
        _stamp(pack, page, font, BLANK, w / 2 - 90, h / 2)
        pdfium_c.FPDFPage_GenerateContent(page.raw)
        blank.append(len(pack))
        printed += 1

    if front is not None:
        a, b = add(front)
        parts.append(TruePart("front_sheet", "", a, b, front))
        if (b - a + 1) % 2:
            filler()
            printed -= 1  # the front sheet's pages are not numbered
    for item, paths in items:
        item_first = len(pack) + 1
        for j, path in enumerate(paths):
            a, b = add(path)
            parts.append(TruePart("item" if j == 0 else "appendix", item, a, b, path))
            for n in range(a, b + 1):
                page = pack[n - 1]
                w, h = page.get_size()
                printed += 1
                _stamp(pack, page, font, f"Page {printed}", w / 2 - 15, 36)
                if n == item_first:
                    _stamp(pack, page, font, f"Agenda Item {item}", w - 128, h - 36)
                pdfium_c.FPDFPage_GenerateContent(page.raw)
        if (len(pack) - item_first + 1) % 2:
            filler()
    out = io.BytesIO()
    pack.save(out)
    pack.close()
    return out.getvalue(), parts, blank


def _stamp(pack, page, font, text: str, x: float, y: float) -> None:
    obj = pdfium_c.FPDFPageObj_CreateTextObj(pack.raw, font, 10.0)
    wide = (text + "\0").encode("utf-16-le")
    buffer = ctypes.create_string_buffer(wide, len(wide))
    pdfium_c.FPDFText_SetText(obj, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
    pdfium_c.FPDFPage_InsertObject(page.raw, obj)
