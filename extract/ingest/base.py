"""What a reader hands on: the raw pages of one file, or a specific reason it could not."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from extract.models import ErrorType, Page, Problem, SourceFormat

# Every whitespace code point (str.isspace, as `re`'s \s): none lies above U+3000 (a test
# checks), so text can be told from space over arrays of code points.
WHITESPACE = np.array([c for c in range(0x3001) if chr(c).isspace()], np.uint32)


_SPACE_TABLE = np.zeros(0x3001, bool)
_SPACE_TABLE[WHITESPACE] = True


def is_space(codes: np.ndarray) -> np.ndarray:
    """Which code points are whitespace: `np.isin(codes, WHITESPACE)` by table look-up
    (isin sorts both arrays at every call)."""
    return _SPACE_TABLE[np.minimum(codes, 0x3000)] & (codes <= 0x3000)


def is_one_of(codes: np.ndarray, members: tuple[int, ...]) -> np.ndarray:
    """`np.isin` for a few code points."""
    out = np.zeros(codes.shape, bool)
    for member in members:
        out |= codes == member
    return out


def code_points(text: str) -> np.ndarray:
    """The text as an array of code points (lone surrogates kept)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)


class IngestError(Exception):
    """The file cannot be read at all; `error_type` says why, the message what to do."""

    def __init__(self, error_type: ErrorType, message: str, *, pages: int = 0):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.pages = pages


@dataclass
class RawDocument:
    source_format: SourceFormat
    pages: list[Page]
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)  # partial failures
    warnings: list[str] = field(default_factory=list)  # worth knowing, nothing lost
    ocr_applied: bool = False  # the text comes from our OCR run
