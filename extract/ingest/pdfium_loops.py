"""Per-character PDFium reads for a whole page at once, as arrays.

PDFium answers one character at a time; through ctypes each call costs ~0.7 us, and a
page of tables has thousands of characters with three calls each. The loop runs in C
(`_pdfium_loops.c`, built at install when a compiler is there) or, failing that, here in
Python with the same calls in the same order, so both give the same arrays.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import numpy as np
import pypdfium2.raw as pdfium_c

try:
    from extract.ingest import _pdfium_loops as compiled
except ImportError:  # built without a C compiler
    compiled = None


@dataclass(frozen=True)
class CharArrays:
    """Every character of a text page, by index."""

    boxes: np.ndarray  # float32 [n, 4]: PDFium's loose box, left, top, right, bottom
    objects: np.ndarray  # uint64 [n]: the address of the text object drawing it
    generated: np.ndarray  # int8 [n]: 1 where PDFium made the character up (a space)


def page_chars(textpage, count: int, use_compiled: bool = True) -> CharArrays:
    """The first `count` characters of a raw PDFium text page (FPDF_TEXTPAGE)."""
    if compiled is not None and use_compiled:
        boxes, objects, generated = compiled.chars(
            _address(textpage),
            count,
            _address(pdfium_c.FPDFText_GetLooseCharBox),
            _address(pdfium_c.FPDFText_GetTextObject),
            _address(pdfium_c.FPDFText_IsGenerated),
        )
        return CharArrays(
            np.frombuffer(boxes, np.float32).reshape(count, 4),
            np.frombuffer(objects, np.uint64),
            np.frombuffer(generated, np.int8),
        )
    return _python_chars(textpage, count)


def _python_chars(textpage, count: int) -> CharArrays:
    boxes = np.zeros((count, 4), np.float32)
    objects = np.zeros(count, np.uint64)
    generated = np.zeros(count, np.int8)
    rect = pdfium_c.FS_RECTF()
    text_object = _text_object_address()
    for i in range(count):
        pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect)
        boxes[i] = (rect.left, rect.top, rect.right, rect.bottom)
        objects[i] = text_object(textpage, i) or 0
        generated[i] = pdfium_c.FPDFText_IsGenerated(textpage, i)
    return CharArrays(boxes, objects, generated)


def _text_object_address():
    """FPDFText_GetTextObject returning the object's address as an int."""
    address = ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(address)


def _address(pointer) -> int:
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0
