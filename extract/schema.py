"""Column metadata on dataclass fields, and the table schemas derived from it.

A record class declares its columns once, with `col(...)`; the CSV header, the
Frictionless `datapackage.json` and `DATA_DICTIONARY.md` are all generated from that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from operator import attrgetter
from typing import Any

_PY_TO_FRICTIONLESS = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


def col(
    description: str,
    *,
    primary_key: bool = False,
    foreign_key: tuple[str, str] | None = None,
    enum: type[Enum] | None = None,
    type: str | None = None,
) -> Any:
    """Declare a column: a dataclass field carrying its description and constraints."""
    return dataclasses.field(
        metadata={
            "description": description,
            "primary_key": primary_key,
            "foreign_key": foreign_key,
            "enum": enum,
            "type": type,
        }
    )


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    primary_key: bool
    foreign_key: tuple[str, str] | None
    enum_values: tuple[str, ...] | None


@dataclass(frozen=True)
class TableSchema:
    name: str  # the table's file is <name>.csv
    description: str
    record: type
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def values(self, row: Any) -> tuple:
        """The row's values in column order (`dataclasses.astuple` without its deep copy,
        which cost more than writing the value: rows hold plain values only)."""
        values = self._getter(row)
        return values if len(self.columns) > 1 else (values,)

    @cached_property
    def _getter(self) -> Callable[[Any], Any]:
        return attrgetter(*(c.name for c in self.columns))

    @property
    def primary_key(self) -> list[str]:
        return [c.name for c in self.columns if c.primary_key]


def table_schema(name: str, description: str, record: type) -> TableSchema:
    columns = []
    for f in dataclasses.fields(record):
        meta = f.metadata
        py_type = str(f.type).replace(" | None", "")
        ftype = meta.get("type") or _PY_TO_FRICTIONLESS.get(py_type, "string")
        enum = meta.get("enum")
        columns.append(
            Column(
                name=f.name,
                type=ftype,
                description=meta.get("description", ""),
                primary_key=bool(meta.get("primary_key")),
                foreign_key=meta.get("foreign_key"),
                enum_values=tuple(e.value for e in enum) if enum else None,
            )
        )
    return TableSchema(name, description, record, tuple(columns))


def cell(value: Any) -> str:
    """How one value is spelt in a CSV cell: empty for None, lower-case booleans, enum values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)
