"""Per-character and per-path PDFium reads for a whole page at once.

PDFium answers one character (or path segment) at a time; through ctypes each call costs
~0.7 us, and a page of tables has thousands of characters with three calls each. The loop runs in C
(`_pdfium_loops.c`, built at install when a compiler is there) or, failing that, here in
Python with the same calls in the same order, so both give the same arrays.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cache

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

try:
    from extract.ingest import _pdfium_loops as compiled
except ImportError:  # built without a C compiler
    compiled = None


def has_compiled(name: str) -> bool:
    """Whether the C extension was built and has `name` (one built from an older source
    lacks the newer loops: those run in Python until `pip install -e .` builds it anew)."""
    return compiled is not None and hasattr(compiled, name)


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
            address(textpage),
            count,
            function("FPDFText_GetLooseCharBox"),
            function("FPDFText_GetTextObject"),
            function("FPDFText_IsGenerated"),
        )
        return CharArrays(
            np.frombuffer(boxes, np.float32).reshape(count, 4),
            np.frombuffer(objects, np.uint64),
            np.frombuffer(generated, np.int8),
        )
    return _python_chars(textpage, count)


def object_chars(textpage, count: int, use_compiled: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The text object (address) and unicode of each of the first `count` characters."""
    if use_compiled and has_compiled("object_chars"):
        objects, unicodes = compiled.object_chars(
            address(textpage),
            count,
            function("FPDFText_GetTextObject"),
            function("FPDFText_GetUnicode"),
        )
        return np.frombuffer(objects, np.uint64), np.frombuffer(unicodes, np.uint32)
    text_object = _text_objectaddress()
    objects = np.array([text_object(textpage, i) or 0 for i in range(count)], np.uint64)
    unicodes = np.array(
        [pdfium_c.FPDFText_GetUnicode(textpage, i) for i in range(count)], np.uint32
    )
    for array in (objects, unicodes):
        array.flags.writeable = False  # as the C path's, made over bytes
    return objects, unicodes


def text_chars(textpage) -> bytes | None:
    """Each character's box, origin and unicode, as `texts_in_boxes` reads them (C's
    `text_char` array), or None where the extension lacks it."""
    if not has_compiled("text_chars"):
        return None
    return compiled.text_chars(
        address(textpage),
        max(pdfium_c.FPDFText_CountChars(textpage), 0),
        function("FPDFText_GetUnicode"),
        function("FPDFText_GetCharBox"),
        function("FPDFText_GetCharOrigin"),
    )


@dataclass(frozen=True)
class FaceArrays:
    """What the characters of a text object share, read at one character of each."""

    sizes: np.ndarray  # float64: the font size (before the text matrix scales it)
    matrices: np.ndarray  # float32 [n, 4]: the text matrix's a, b, c, d
    fonts: np.ndarray  # uint64: the address of the object's font


def char_faces(textpage, indices: np.ndarray, use_compiled: bool = True) -> FaceArrays:
    """Font size, matrix and font at the given characters of a raw PDFium text page."""
    indices = np.ascontiguousarray(indices, np.int32)
    if compiled is not None and use_compiled:
        sizes, matrices, fonts = compiled.faces(
            address(textpage),
            indices.tobytes(),
            function("FPDFText_GetFontSize"),
            function("FPDFText_GetMatrix"),
            function("FPDFText_GetTextObject"),
            function("FPDFTextObj_GetFont"),
        )
        return FaceArrays(
            np.frombuffer(sizes, np.float64),
            np.frombuffer(matrices, np.float32).reshape(-1, 4),
            np.frombuffer(fonts, np.uint64),
        )
    out = FaceArrays(
        np.zeros(len(indices)),
        np.zeros((len(indices), 4), np.float32),
        np.zeros(len(indices), np.uint64),
    )
    for k, i in enumerate(indices.tolist()):
        m = pdfium_c.FS_MATRIX()
        pdfium_c.FPDFText_GetMatrix(textpage, i, m)
        out.matrices[k] = (m.a, m.b, m.c, m.d)
        out.sizes[k] = pdfium_c.FPDFText_GetFontSize(textpage, i)
        obj = pdfium_c.FPDFText_GetTextObject(textpage, i)
        out.fonts[k] = address(pdfium_c.FPDFTextObj_GetFont(obj)) if obj else 0
    for array in (out.sizes, out.matrices, out.fonts):
        array.flags.writeable = False  # as the C path's, made over bytes
    return out


# pypdfium2's words for it (PdfTextPage.get_rect), so a page error reads the same
_NO_RECT = (
    "Failed to get rectangle. (Make sure count_rects() was called with default params "
    "once before subsequent get_rect() calls.)"
)


def text_rects(textpage, use_compiled: bool = True) -> np.ndarray:
    """The text page's runs of text, a row of left, bottom, right, top each, as pypdfium2's
    `count_rects()` and `get_rect(i)` give them (and the same error where one is refused)."""
    count = pdfium_c.FPDFText_CountRects(textpage, 0, -1)
    if count == -1:
        raise pdfium.PdfiumError("Failed to count rectangles.")
    if compiled is None or not use_compiled:
        out = []
        left, top, right, bottom = (ctypes.c_double() for _ in range(4))
        for i in range(count):
            if not pdfium_c.FPDFText_GetRect(textpage, i, left, top, right, bottom):
                raise pdfium.PdfiumError(_NO_RECT)
            out.append((left.value, bottom.value, right.value, top.value))
        return np.array(out, np.float64).reshape(-1, 4)
    boxes, read = compiled.rects(address(textpage), count, function("FPDFText_GetRect"))
    if b"\x00" in read:
        raise pdfium.PdfiumError(_NO_RECT)
    return np.frombuffer(boxes, np.float64).reshape(-1, 4)[:, [0, 3, 2, 1]]  # from l, t, r, b


def _python_chars(textpage, count: int) -> CharArrays:
    boxes = np.zeros((count, 4), np.float32)
    objects = np.zeros(count, np.uint64)
    generated = np.zeros(count, np.int8)
    rect = pdfium_c.FS_RECTF()
    text_object = _text_objectaddress()
    for i in range(count):
        pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect)
        boxes[i] = (rect.left, rect.top, rect.right, rect.bottom)
        objects[i] = text_object(textpage, i) or 0
        generated[i] = pdfium_c.FPDFText_IsGenerated(textpage, i)
    for array in (boxes, objects, generated):
        array.flags.writeable = False  # as the C path's, made over bytes
    return CharArrays(boxes, objects, generated)


@dataclass(frozen=True)
class PathRecords:
    """A page's path objects and the forms holding them, in the order PDFium lists them.

    Container 0 is the page; form k (from 0) is container k + 1. Matrices and bounds are
    PDFium's floats, and a flag says whether each could be read.
    """

    forms: list[tuple[int, int, tuple[float, ...]]]  # (container, matrix read, matrix)
    # (container, bounds read, (left, bottom, right, top), matrix read, matrix, segments)
    paths: list[tuple[int, int, tuple[float, ...], int, tuple[float, ...], list[tuple]]]


_PATH_FUNCTIONS = (
    "FPDFPage_CountObjects",
    "FPDFFormObj_CountObjects",
    "FPDFPath_CountSegments",
    "FPDFPage_GetObject",
    "FPDFFormObj_GetObject",
    "FPDFPageObj_GetType",
    "FPDFPathSegment_GetType",
    "FPDFPathSegment_GetClose",
    "FPDFPageObj_GetMatrix",
    "FPDFPageObj_GetBounds",
    "FPDFPath_GetPathSegment",
    "FPDFPathSegment_GetPoint",
)


def page_paths(page, use_compiled: bool = True) -> PathRecords:
    """Every path object of a raw PDFium page (FPDF_PAGE), forms entered 8 levels deep."""
    if compiled is None or not use_compiled:
        return _python_paths(page)
    raw = compiled.paths(address(page), *map(function, _PATH_FUNCTIONS))
    form_ints, form_floats, path_ints, path_floats, seg_ints, seg_floats = (
        np.frombuffer(b, np.int32 if k % 2 == 0 else np.float32).tolist() for k, b in enumerate(raw)
    )
    forms = [
        (form_ints[2 * k], form_ints[2 * k + 1], tuple(form_floats[6 * k : 6 * k + 6]))
        for k in range(len(form_ints) // 2)
    ]
    paths = []
    for k in range(len(path_ints) // 5):
        container, bounds_ok, matrix_ok, first, count = path_ints[5 * k : 5 * k + 5]
        floats = path_floats[10 * k : 10 * k + 10]
        segments = [
            (seg_ints[2 * j], seg_ints[2 * j + 1], seg_floats[2 * j], seg_floats[2 * j + 1])
            for j in range(first, first + count)
        ]
        paths.append(
            (container, bounds_ok, tuple(floats[:4]), matrix_ok, tuple(floats[4:]), segments)
        )
    return PathRecords(forms, paths)


@dataclass(frozen=True)
class EdgeArrays:
    """A page's paths as pdfplumber's edges, read in C (`compiled` must be there)."""

    values: np.ndarray  # float64 [n, 7]: x0, x1, top, bottom, doctop, width, height
    codes: np.ndarray  # int8 [n, 2]: kind (line, rect_edge, curve_edge), orientation (-, h, v)
    bounds: np.ndarray  # float64 [m, 4]: each path's left, bottom, right, top, where read


def page_edges(page, height: float) -> EdgeArrays:
    """`ruled.page_paths`'s edges and bounds of a raw PDFium page, from the C walk's
    records by the same steps in C."""
    raw = compiled.paths(address(page), *map(function, _PATH_FUNCTIONS))
    values, codes, bounds = compiled.edges(
        *raw, float(height), pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_BEZIERTO
    )
    return EdgeArrays(
        np.frombuffer(values, np.float64).reshape(-1, 7),
        np.frombuffer(codes, np.int8).reshape(-1, 2),
        np.frombuffer(bounds, np.float64).reshape(-1, 4),
    )


def _python_paths(page) -> PathRecords:
    out = PathRecords([], [])
    _walk(page, 0, 0, out)
    return out


def _walk(parent, depth: int, container: int, out: PathRecords) -> None:
    if depth == 0:
        count, get = pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject
    else:
        count, get = pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject
    for i in range(count(parent)):
        obj = get(parent, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            box = [ctypes.c_float() for _ in range(4)]
            bounds_ok = pdfium_c.FPDFPageObj_GetBounds(obj, *map(ctypes.byref, box))
            matrix_ok, matrix = _matrix(obj)
            x, y = ctypes.c_float(), ctypes.c_float()  # a point not read keeps the one before
            segments = []
            for k in range(max(0, pdfium_c.FPDFPath_CountSegments(obj))):
                seg = pdfium_c.FPDFPath_GetPathSegment(obj, k)
                kind_of = pdfium_c.FPDFPathSegment_GetType(seg)
                pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
                closes = 1 if pdfium_c.FPDFPathSegment_GetClose(seg) else 0
                segments.append((kind_of, closes, x.value, y.value))
            bounds = tuple(v.value for v in box)
            out.paths.append((container, int(bool(bounds_ok)), bounds, matrix_ok, matrix, segments))
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
            matrix_ok, matrix = _matrix(obj)
            out.forms.append((container, matrix_ok, matrix))
            _walk(obj, depth + 1, len(out.forms), out)


def _matrix(obj) -> tuple[int, tuple[float, ...]]:
    m = pdfium_c.FS_MATRIX()
    ok = pdfium_c.FPDFPageObj_GetMatrix(obj, m)
    return (1, (m.a, m.b, m.c, m.d, m.e, m.f)) if ok else (0, (0.0,) * 6)


_TEXT_OBJECT_FUNCTIONS = (
    "FPDFPage_CountObjects",
    "FPDFFormObj_CountObjects",
    "FPDFPage_GetObject",
    "FPDFFormObj_GetObject",
    "FPDFPageObj_GetType",
    "FPDFTextObj_GetFont",
)


def text_objects(page, depth: int = 2, use_compiled: bool = True) -> tuple[list[int], list[int]]:
    """The addresses of a raw page's text objects and of each one's font (0: none), forms
    entered down to `depth` levels, in the page's order (a form's objects where it is)."""
    if use_compiled and has_compiled("text_objects"):
        objects, fonts = compiled.text_objects(
            address(page), depth, *map(function, _TEXT_OBJECT_FUNCTIONS)
        )
        return np.frombuffer(objects, np.uint64).tolist(), np.frombuffer(fonts, np.uint64).tolist()
    found = _python_text_objects(page, False, depth)
    return [address(obj) for obj in found], [
        address(pdfium_c.FPDFTextObj_GetFont(obj)) for obj in found
    ]


def _python_text_objects(parent, in_form: bool, depth: int) -> list:
    if in_form:
        count, get = pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject
    else:
        count, get = pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject
    out = []
    for i in range(count(parent)):
        obj = get(parent, i)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            out.append(obj)
        elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth > 0:
            out += _python_text_objects(obj, True, depth - 1)
    return out


def page_object(at: int):
    """A page object's handle from its address (as `text_objects` gives it)."""
    return ctypes.cast(ctypes.c_void_p(at), pdfium_c.FPDF_PAGEOBJECT)


def _text_objectaddress():
    """FPDFText_GetTextObject returning the object's address as an int."""
    address = ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(address)


@cache
def function(name: str) -> int:
    """The address of the PDFium function of that name (the same while the library is
    loaded: asked for once, not at every call into C)."""
    return address(getattr(pdfium_c, name))


def address(pointer) -> int:
    """A PDFium handle or function as an int (0 for NULL)."""
    return ctypes.cast(pointer, ctypes.c_void_p).value or 0
