"""Writing the dataset: all or nothing, byte-for-byte reproducible, in flat memory.

Everything is written into a sibling folder `<out>.partial-<pid>` and swapped into place
at the end, so an interrupted run leaves the previous dataset whole. Rows are sorted by
each table's key and nothing run-specific goes into a table (timings live in run.json).
The big tables are spooled to disk document by document as results arrive (`RowSpool`)
and streamed out in key order, so a batch's memory does not grow with its size.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import os
import pickle
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from extract import __version__
from extract.schema import TableSchema, cell

PACKAGE_NAME = "committee-papers"
SQLITE_NAME = "committee_papers.sqlite"
SPOOL_NAME = ".spool.sqlite"  # rows on their way out; removed before the swap
_SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}
DATAPACKAGE = "datapackage.json"
TEXT_DIR = "text"


class OutputFolderError(Exception):
    """The output folder cannot be used; the message says what to do."""


def check_output_folder(out: Path) -> None:
    """Refuse to replace a folder this tool did not write: it might be the user's."""
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputFolderError(f"--out {out} is a file; give a folder for the dataset")
    if not any(out.iterdir()):
        return
    marker = out / DATAPACKAGE
    try:
        ours = json.loads(marker.read_text(encoding="utf-8")).get("name") == PACKAGE_NAME
    except (OSError, ValueError):
        ours = False
    if not ours:
        raise OutputFolderError(
            f"--out {out} holds files that committee-papers did not write, and a run "
            "replaces the whole folder; give a new or empty folder instead"
        )


class DatasetWriter:
    """Use as a context manager: the dataset replaces `out` only if the block finishes."""

    def __init__(self, out: Path):
        check_output_folder(out)
        self.out = out
        self.tmp = out.with_name(f"{out.name}.partial-{os.getpid()}")
        for stale in out.parent.glob(f"{out.name}.partial-*") if out.parent.exists() else ():
            shutil.rmtree(stale, ignore_errors=True)
        (self.tmp / TEXT_DIR).mkdir(parents=True)
        (self.tmp / "parquet").mkdir()
        self.spool = RowSpool(self.tmp / SPOOL_NAME)

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.spool.close()
        if exc_type is None:
            self._swap()
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def write_text(self, doc_id: str, text: str) -> None:
        (self.tmp / TEXT_DIR / f"{doc_id}.txt").write_text(text, encoding="utf-8", newline="")

    def write_table(self, schema: TableSchema, rows: Iterable[Any]) -> int:
        path = self.tmp / f"{schema.name}.csv"
        n = 0
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(schema.header)
            for row in rows:
                writer.writerow([cell(v) for v in schema.values(row)])
                n += 1
        return n

    def write_sqlite(
        self, tables: Sequence[TableSchema], rows: Mapping[str, Iterable[Any]]
    ) -> None:
        """All tables in one SQLite database, with primary and foreign keys, for Datasette
        or any SQLite client."""
        path = self.tmp / SQLITE_NAME
        con = sqlite3.connect(path)
        try:
            for t in tables:
                con.execute(create_table_sql(t))
                placeholders = ", ".join("?" for _ in t.columns)
                con.executemany(
                    f'INSERT INTO "{t.name}" VALUES ({placeholders})',
                    ([_sql_value(v) for v in t.values(r)] for r in rows.get(t.name, [])),
                )
            con.commit()
            con.execute("VACUUM")
        finally:
            con.close()

    def write_parquet(
        self, schema: TableSchema, rows: Iterable[Any], batch_rows: int = 8_192
    ) -> None:
        """The table as Parquet, typed from its schema (integers stay integers, empty is
        null), written a row group of `batch_rows` at a time."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrow = _arrow_schema(schema)
        path = self.tmp / "parquet" / f"{schema.name}.parquet"
        with pq.ParquetWriter(path, arrow, compression="zstd") as out:
            batch: list[Any] = []
            written = False
            for row in rows:
                batch.append(row)
                if len(batch) == batch_rows:
                    out.write_table(_arrow_table(schema, arrow, batch))
                    batch, written = [], True
            if batch or not written:  # an empty table still gets its typed columns
                out.write_table(_arrow_table(schema, arrow, batch))
        pa.default_memory_pool().release_unused()  # hand freed buffers back to the system

    def write_json(self, name: str, obj: Any) -> None:
        text = json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
        (self.tmp / name).write_text(text, encoding="utf-8")

    def write_file(self, name: str, text: str) -> None:
        (self.tmp / name).write_text(text, encoding="utf-8")

    def _swap(self) -> None:
        (self.tmp / SPOOL_NAME).unlink(missing_ok=True)
        old = self.out.with_name(f"{self.out.name}.previous-{os.getpid()}")
        if self.out.exists():
            os.replace(self.out, old)
        os.replace(self.tmp, self.out)
        shutil.rmtree(old, ignore_errors=True)


class RowSpool:
    """Rows held on disk until the dataset is written: one pickled list per table and
    document, read back in document order (rows are sorted by doc_id first), each
    document's rows sorted by the table's key. Memory holds one document's rows at a time.
    """

    def __init__(self, path: Path):
        self._con = sqlite3.connect(path)
        self._con.execute("PRAGMA journal_mode = OFF")
        self._con.execute("PRAGMA synchronous = OFF")
        self._con.execute(
            "CREATE TABLE spool (tbl TEXT, doc_id TEXT, rows BLOB, PRIMARY KEY (tbl, doc_id))"
        )

    def add(self, table: str, doc_id: str, rows: Sequence[Any]) -> None:
        if rows:
            blob = pickle.dumps(list(rows), protocol=pickle.HIGHEST_PROTOCOL)
            self._con.execute("INSERT INTO spool VALUES (?, ?, ?)", (table, doc_id, blob))

    def table(self, table: str, key: Callable[[Any], Any]) -> Iterable[Any]:
        """The table's rows in key order; iterable more than once (one pass per format)."""
        return _SpooledTable(self, table, key)

    def rows(self, table: str, key: Callable[[Any], Any]) -> Iterator[Any]:
        cursor = self._con.execute("SELECT rows FROM spool WHERE tbl = ? ORDER BY doc_id", (table,))
        for (blob,) in cursor:
            yield from sorted(pickle.loads(blob), key=key)

    def close(self) -> None:
        self._con.close()


@dataclasses.dataclass(frozen=True)
class _SpooledTable:
    spool: RowSpool
    name: str
    key: Callable[[Any], Any]

    def __iter__(self) -> Iterator[Any]:
        return self.spool.rows(self.name, self.key)


def _arrow_schema(schema: TableSchema):
    import pyarrow as pa

    types = {
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
    }
    return pa.schema([(c.name, types.get(c.type, pa.string())) for c in schema.columns])


def _arrow_table(schema: TableSchema, arrow, rows: Sequence[Any]):
    import pyarrow as pa

    columns = list(zip(*(schema.values(r) for r in rows), strict=True)) if rows else []
    arrays = []
    for i, c in enumerate(schema.columns):
        values = [_plain(v) for v in columns[i]] if columns else []
        if c.type == "date":
            values = [None if v is None else dt.date.fromisoformat(v) for v in values]
        elif arrow.field(i).type == pa.string():
            values = ["" if v is None else str(v) for v in values]
        arrays.append(pa.array(values, type=arrow.field(i).type))
    return pa.Table.from_arrays(arrays, schema=arrow)


def datapackage(tables: Sequence[TableSchema]) -> dict[str, Any]:
    """A Frictionless Tabular Data Package descriptor for the tables."""
    resources = []
    for t in tables:
        fields = []
        for c in t.columns:
            f: dict[str, Any] = {"name": c.name, "type": c.type, "description": c.description}
            if c.enum_values:
                f["constraints"] = {"enum": list(c.enum_values)}
            fields.append(f)
        schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
        if t.primary_key:
            schema["primaryKey"] = t.primary_key
        fks = [
            {
                "fields": [c.name],
                "reference": {
                    "resource": "" if c.foreign_key[0] == t.name else c.foreign_key[0],
                    "fields": [c.foreign_key[1]],
                },
            }
            for c in t.columns
            if c.foreign_key
        ]
        if fks:
            schema["foreignKeys"] = fks
        resources.append(
            {
                "name": t.name,
                "path": f"{t.name}.csv",
                "profile": "tabular-data-resource",
                "description": t.description,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "lineTerminator": "\n", "header": True},
                "schema": schema,
            }
        )
    # The same tables in two more formats: typed Parquet (same schema) and one SQLite file.
    resources += [
        {
            "name": f"{t.name}-parquet",
            "path": f"parquet/{t.name}.parquet",
            "format": "parquet",
            "mediatype": "application/vnd.apache.parquet",
            "description": f"{t.name}.csv as typed Parquet.",
            "schema": {"fields": [{"name": c.name, "type": c.type} for c in t.columns]},
        }
        for t in tables
    ]
    resources.append(
        {
            "name": "sqlite",
            "path": SQLITE_NAME,
            "format": "sqlite",
            "mediatype": "application/vnd.sqlite3",
            "description": "Every table in one SQLite database, with primary and foreign keys.",
        }
    )
    return {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": "Facts extracted from local-council committee papers",
        "description": (
            "Generated by committee-papers. Every span (char_start, char_end) points into "
            f"the normalised document text in {TEXT_DIR}/<doc_id>.txt. The same tables are "
            f"in parquet/<table>.parquet (typed) and in {SQLITE_NAME} (with primary and "
            "foreign keys). See DATA_DICTIONARY.md for the columns."
        ),
        "version": __version__,
        "licenses": [
            {
                "name": "OGL-UK-3.0",
                "title": "Open Government Licence v3.0 (the source papers)",
                "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            }
        ],
        "resources": resources,
    }


def data_dictionary(tables: Sequence[TableSchema]) -> str:
    lines = [
        "# Data dictionary",
        "",
        "Generated from the record types in `extract/models.py`; do not edit by hand.",
        f"Spans (`char_start`, `char_end`) index the text in `{TEXT_DIR}/<doc_id>.txt`.",
        "",
    ]
    for t in tables:
        lines += [f"## {t.name}.csv", "", t.description, ""]
        if t.primary_key:
            lines += [f"Primary key: `{', '.join(t.primary_key)}`.", ""]
        lines += ["| column | type | description |", "| --- | --- | --- |"]
        for c in t.columns:
            desc = c.description
            if c.enum_values:
                desc += " One of: " + ", ".join(f"`{v}`" for v in c.enum_values) + "."
            if c.foreign_key:
                desc += f" References `{c.foreign_key[0]}.{c.foreign_key[1]}`."
            lines.append(f"| `{c.name}` | {c.type} | {desc.replace('|', '/')} |")
        lines.append("")
    return "\n".join(lines)


def create_table_sql(t: TableSchema) -> str:
    cols = [f'"{c.name}" {_SQL_TYPES.get(c.type, "TEXT")}' for c in t.columns]
    if t.primary_key:
        cols.append("PRIMARY KEY (" + ", ".join(f'"{k}"' for k in t.primary_key) + ")")
    for c in t.columns:
        if c.foreign_key:
            cols.append(
                f'FOREIGN KEY ("{c.name}") REFERENCES "{c.foreign_key[0]}" ("{c.foreign_key[1]}")'
            )
    return f'CREATE TABLE "{t.name}" (\n  ' + ",\n  ".join(cols) + "\n)"


def _plain(v: Any) -> Any:
    """A value as a database holds it: empty is null, enums are their values."""
    if v == "" or v is None:
        return None
    return v.value if hasattr(v, "value") else v


def _sql_value(v: Any) -> Any:
    v = _plain(v)
    return int(v) if isinstance(v, bool) else v
