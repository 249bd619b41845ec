"""The output tables: name, description and record type of each, in writing order."""

from __future__ import annotations

from extract.models import DocumentRow, ErrorRow
from extract.schema import TableSchema, table_schema

DOCUMENTS = table_schema(
    "documents",
    "One row per input file: what it is, how it was read, and where it came from. "
    "Every file found under the input paths appears exactly once.",
    DocumentRow,
)
ERRORS = table_schema(
    "errors",
    "One row per problem that kept a file from being read fully (status failed or "
    "partial in documents.csv), with what to do about it.",
    ErrorRow,
)

TABLES: tuple[TableSchema, ...] = (DOCUMENTS, ERRORS)
