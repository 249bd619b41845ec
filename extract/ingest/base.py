"""What a reader hands on: the raw pages of one file, or a specific reason it could not."""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.models import ErrorType, Page, Problem, SourceFormat


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
