"""Writing the dataset: all or nothing, byte-for-byte reproducible, in flat memory.

Everything is written into a sibling folder `<out>.partial-<pid>` and swapped into place
at the end, so an interrupted run leaves the previous dataset whole. Rows are sorted by
each table's key and nothing run-specific goes into a table (timings live in run.json).
The big tables are spooled to disk document by document as results arrive (`RowSpool`)
and streamed out in key order, so a batch's memory does not grow with its size.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import gc
import json
import multiprocessing
import os
import pickle
import shutil
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from extract import __version__
from extract.schema import TableSchema, cell

# pyarrow imports pandas, where installed, at its first conversion of Python values (0.2 s
# in the middle of writing the first table): here, with the other imports; a runtime
# install without pandas writes the same, pyarrow does without it
with contextlib.suppress(ImportError):
    import pandas  # noqa: F401

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

    def write_tables(
        self,
        tables: Sequence[TableSchema],
        rows: Mapping[str, Iterable[Any]],
        batch_rows: int = 8_192,
        processes: int = 1,
    ) -> None:
        """Every table as CSV, as Parquet (typed from its schema: integers stay integers,
        empty is null; a row group of `batch_rows` at a time) and as a table of one SQLite
        database with primary and foreign keys (for Datasette or any SQLite client), all
        from one read of its rows. With `processes` > 1 (where processes fork: Linux), a
        child process writes the database while this one writes the files: it was most
        of what ran on one core after the workers finished."""
        every = frozenset(t.name for t in tables)
        if processes <= 1 or not _forks():
            self._write(tables, rows, batch_rows, files=every, database=True)
            return
        self.spool.commit()
        theirs = _child_files(self.spool.sizes())
        child = multiprocessing.get_context("fork").Process(
            target=self._write_database, args=(tables, rows, batch_rows, theirs), daemon=True
        )
        # the child's collections leave the parent's objects (and pages) alone; frozen
        # objects stay frozen (a batch freezes its start-up objects for its whole run)
        frozen_before = gc.get_freeze_count() > 0
        gc.freeze()
        try:
            child.start()
        except OSError:  # no fork here and now (memory, process limits): one after the other
            child = None
        finally:
            if not frozen_before:
                gc.unfreeze()
        try:
            ours = every - theirs if child is not None else every
            self._write(tables, rows, batch_rows, files=ours, database=child is None)
        finally:
            if child is not None:
                child.join()
        if child is not None and child.exitcode != 0:
            raise RuntimeError(
                f"writing {SQLITE_NAME} failed in its own process (exit code "
                f"{child.exitcode}: below 0, the signal that ended it; else its error is "
                "above). Run with --workers 1 to write it in this process"
            )

    def _write_database(self, tables, rows, batch_rows: int, files: frozenset[str]) -> None:
        """In the child: the database, and the files of the tables named in `files`; the
        spool read over a connection of its own (a connection must not cross a fork)."""
        spool = RowSpool.reader(self.spool.path)
        try:
            own = {
                name: dataclasses.replace(table, spool=spool)
                if isinstance(table, _SpooledTable)
                else table
                for name, table in rows.items()
            }
            self._write(tables, own, batch_rows, files=files, database=True)
        finally:
            spool.close()

    def _write(
        self, tables, rows, batch_rows: int, *, files: frozenset[str], database: bool
    ) -> None:
        """The database (if `database`) and the CSV and Parquet files of the tables named
        in `files`, from one read of each table's rows."""
        con = sqlite3.connect(self.tmp / SQLITE_NAME) if database else None
        if con is not None:  # no journal, no syncs: the folder is swapped in only when
            # whole, so a crashed run leaves the old dataset (an OS crash just after the swap
            # may leave the database unsynced: the dataset is rebuilt by running again)
            con.execute("PRAGMA journal_mode = OFF")
            con.execute("PRAGMA synchronous = OFF")
        try:
            for schema in tables:
                if con is None and schema.name not in files:
                    continue
                if con is not None:
                    con.execute(create_table_sql(schema))
                with _TableOut(self.tmp, schema, con, schema.name in files) as out:
                    batch: list[tuple] = []
                    for row in rows.get(schema.name, []):  # records, or their values
                        batch.append(row if type(row) is tuple else schema.values(row))
                        if len(batch) == batch_rows:
                            out.write(batch)
                            batch = []
                    out.write(batch)
            if con is not None:
                con.commit()  # no VACUUM: rows only ever go in, so no page is free (it cost
                # a seventh of writing, for a file 2% smaller)
        finally:
            if con is not None:
                con.close()

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


class _TableOut:
    """One table's files (CSV and Parquet) and its database table (where there is a
    connection), fed batches of rows' values in order."""

    def __init__(
        self, folder: Path, schema: TableSchema, con: sqlite3.Connection | None, files: bool
    ):
        self.schema, self.con, self.files = schema, con, files
        if files:
            self.arrow = _arrow_schema(schema)
            self._csv = (folder / f"{schema.name}.csv").open("w", encoding="utf-8", newline="")
            self._rows = csv.writer(self._csv, lineterminator="\n")
            self._rows.writerow(schema.header)
            path = folder / "parquet" / f"{schema.name}.parquet"
            self._parquet = pq.ParquetWriter(path, self.arrow, compression="zstd")
            self._written = False
        marks = ", ".join("?" for _ in schema.columns)
        self._insert = f'INSERT INTO "{schema.name}" VALUES ({marks})'

    def __enter__(self) -> _TableOut:
        return self

    def write(self, batch: list[tuple]) -> None:
        """A batch of rows; an empty one only gives Parquet its typed columns if it has none.

        Converted a column at a time: a column whose values are all of plain types is
        handed over as it is (the writers spell those as `cell`, `_sql_value` and `_text`
        do); a call per value was most of the time spent writing."""
        columns = list(zip(*batch, strict=True)) if batch else [()] * len(self.schema.columns)
        kinds = [set(map(type, column)) for column in columns]
        if self.files:
            if batch or not self._written:
                self._parquet.write_table(_arrow_table(self.arrow, columns, kinds))
                self._written = True
            csv_columns = [
                column if kind <= _AS_WRITTEN else [cell(v) for v in column]
                for column, kind in zip(columns, kinds, strict=True)
            ]
            self._rows.writerows(zip(*csv_columns, strict=True))
        if self.con is not None:
            sql_columns = [
                column
                if kind <= _NUMBERS
                else [v or None for v in column]  # text: "" is NULL
                if kind <= _TEXT
                else [_sql_value(v) for v in column]
                for column, kind in zip(columns, kinds, strict=True)
            ]
            self.con.executemany(self._insert, zip(*sql_columns, strict=True))

    def __exit__(self, *exc) -> None:
        if not self.files:
            return
        self._csv.close()
        self._parquet.close()
        pa.default_memory_pool().release_unused()  # hand freed buffers back to the system


# Writing a table to the database took about 0.6 of the time its CSV and Parquet files
# took (Kent, 2025): the process that writes the database also writes the files of the
# tables that hold about a fifth of the spooled bytes, and the two finish about together.
_CHILD_FILES_SHARE = 0.2


def _child_files(sizes: Mapping[str, int]) -> frozenset[str]:
    """The tables, biggest first, whose files the database's process writes as well: as
    many as fit in its share of the bytes."""
    room = _CHILD_FILES_SHARE * sum(sizes.values())
    chosen = []
    for name, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        if size <= room:
            chosen.append(name)
            room -= size
    return frozenset(chosen)


def _forks() -> bool:
    """Whether a child process can be forked safely here (Linux: macOS's fork is not)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class RowSpool:
    """Rows held on disk until the dataset is written: one pickled list per table and
    document, read back in document order (rows are sorted by doc_id first). A document's
    rows come as their values (tuples, in column order: they pickle and load several
    times faster than records), already in the table's key order. Memory holds one
    document's rows at a time.
    """

    def __init__(self, path: Path, con: sqlite3.Connection | None = None):
        self.path = path
        if con is not None:
            self._con = con
            return
        self._con = sqlite3.connect(path)
        self._con.execute("PRAGMA journal_mode = OFF")
        self._con.execute("PRAGMA synchronous = OFF")
        self._con.execute(
            "CREATE TABLE spool (tbl TEXT, doc_id TEXT, rows BLOB, PRIMARY KEY (tbl, doc_id))"
        )

    def commit(self) -> None:
        """End the writing: what was added can be read over another connection."""
        self._con.commit()

    @classmethod
    def reader(cls, path: Path) -> RowSpool:
        """Another connection to a committed spool, to read it."""
        return cls(path, sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True))

    def add(self, table: str, doc_id: str, values: Sequence[tuple]) -> None:
        self.add_packed(table, doc_id, self.pack(values))

    @staticmethod
    def pack(values: Sequence[tuple]) -> bytes:
        """A document's rows of one table as the spool keeps them (b"": none). Made where
        the document is read: a worker packs its rows, and the one process that writes
        stores them as they come (it used to unpickle and pickle them again)."""
        return pickle.dumps(list(values), protocol=pickle.HIGHEST_PROTOCOL) if values else b""

    def add_packed(self, table: str, doc_id: str, blob: bytes) -> None:
        if blob:
            self._con.execute("INSERT INTO spool VALUES (?, ?, ?)", (table, doc_id, blob))

    def sizes(self) -> dict[str, int]:
        """Each spooled table's bytes (as pickled): what writing it costs, roughly."""
        query = "SELECT tbl, SUM(LENGTH(rows)) FROM spool GROUP BY tbl ORDER BY tbl"
        return dict(self._con.execute(query).fetchall())

    def table(self, table: str) -> Iterable[tuple]:
        """The table's rows' values in order; iterable more than once (one pass per
        format)."""
        return _SpooledTable(self, table)

    def rows(self, table: str) -> Iterator[tuple]:
        cursor = self._con.execute("SELECT rows FROM spool WHERE tbl = ? ORDER BY doc_id", (table,))
        for (blob,) in cursor:
            yield from pickle.loads(blob)

    def close(self) -> None:
        self._con.close()


@dataclasses.dataclass(frozen=True)
class _SpooledTable:
    spool: RowSpool
    name: str

    def __iter__(self) -> Iterator[tuple]:
        return self.spool.rows(self.name)


def _arrow_schema(schema: TableSchema):
    types = {
        "integer": pa.int64(),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
    }
    return pa.schema([(c.name, types.get(c.type, pa.string())) for c in schema.columns])


def _arrow_table(arrow, columns: list[Sequence], kinds: list[set[type]]):
    """A batch of columns (with the types of their values) as an Arrow table."""
    arrays = []
    for i, (column, kind) in enumerate(zip(columns, kinds, strict=True)):
        field = arrow.field(i).type
        if field == pa.string():
            values = column if kind <= {str} else [_text(v) for v in column]
        elif field == pa.date32():
            values = [None if v is None else dt.date.fromisoformat(v) for v in map(_plain, column)]
        else:
            values = column if kind <= _NUMBERS else [_plain(v) for v in column]
        arrays.append(pa.array(values, type=field))
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


# Types of the values of a column written as it is: csv spells None as empty and numbers
# by str(), as `cell` does; sqlite and Arrow take numbers and None as `_sql_value` and
# `_plain` give them; text only needs "" made NULL.
_AS_WRITTEN = {str, int, float, type(None)}
_NUMBERS = {int, float, type(None)}
_TEXT = {str, type(None)}


def _text(v: Any) -> str:
    """A value of a text column as Parquet holds it: empty for null."""
    v = _plain(v)
    return "" if v is None else str(v)


def _sql_value(v: Any) -> Any:
    v = _plain(v)
    return int(v) if isinstance(v, bool) else v
