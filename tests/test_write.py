"""The writer's spool and streamed formats: rows go to disk as results arrive and come back
in the order a sort of the whole table would give."""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass

import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.models import DocType
from extract.schema import TableSchema
from extract.tables import TABLES
from extract.write import SQLITE_NAME, DatasetWriter, RowSpool


@dataclass
class _Row:
    doc_id: str
    seq: int


def _key(row: _Row) -> tuple:
    return (row.doc_id, row.seq)


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.text("0123456789abcdef", min_size=1, max_size=4),
        st.lists(st.integers(-5, 5), max_size=6),
        max_size=8,
    )
)
def test_spool_gives_rows_in_the_order_a_whole_sort_gives(tmp_path_factory, docs):
    """Each document's rows go in sorted (as their values); they come back in document
    order: the order one sort of all of them gives."""
    spool = RowSpool(tmp_path_factory.mktemp("spool") / "spool.sqlite")
    everything = []
    for doc_id, seqs in docs.items():  # arriving in any order
        rows = [_Row(doc_id, s) for s in seqs]
        spool.add("t", doc_id, [(r.doc_id, r.seq) for r in sorted(rows, key=_key)])
        everything += rows
    table = spool.table("t")
    assert list(table) == [(r.doc_id, r.seq) for r in sorted(everything, key=_key)]
    assert list(table) == list(table)  # one pass per format: CSV, Parquet, SQLite
    assert list(spool.table("other")) == []
    spool.close()


def test_parquet_in_row_groups_holds_the_same_rows(tmp_path):
    schema: TableSchema = next(t for t in TABLES if t.name == "sections")
    rows = [schema.record(**{c.name: _value(c.type, i) for c in schema.columns}) for i in range(7)]
    writer = DatasetWriter(tmp_path / "out")
    path = writer.tmp / "parquet" / "sections.parquet"
    writer.write_tables([schema], {"sections": rows}, batch_rows=3)
    assert pq.ParquetFile(path).metadata.num_row_groups == 3  # 3 + 3 + 1
    small = pq.read_table(path)
    csv_small = (writer.tmp / "sections.csv").read_bytes()
    (writer.tmp / SQLITE_NAME).unlink()
    writer.write_tables([schema], {"sections": rows})
    whole = pq.read_table(path)
    assert small.num_rows == 7
    assert small.to_pylist() == whole.to_pylist()
    assert (writer.tmp / "sections.csv").read_bytes() == csv_small  # the batches do not show
    with sqlite3.connect(writer.tmp / SQLITE_NAME) as con:
        assert con.execute("SELECT count(*) FROM sections").fetchone() == (7,)
    (writer.tmp / SQLITE_NAME).unlink()
    writer.write_tables([schema], {}, batch_rows=3)  # an empty table keeps its typed columns
    assert pq.read_table(path).schema == whole.schema
    assert pq.read_table(path).num_rows == 0
    writer.spool.close()


def _value(kind: str, i: int):
    return {
        "integer": i,
        "number": i / 2,
        "boolean": i % 2 == 0,
        "date": f"2024-01-0{i + 1}",
    }.get(kind, f"text {i}")


@dataclass
class _Mixed:
    text: object
    count: object
    share: object
    flag: object
    day: object


def _column(name: str, kind: str):
    from extract.schema import Column

    return Column(name, kind, "", False, None, None)


_MIXED = TableSchema(
    "mixed",
    "",
    _Mixed,
    (
        _column("text", "string"),
        _column("count", "integer"),
        _column("share", "number"),
        _column("flag", "boolean"),
        _column("day", "date"),
    ),
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", None, "a", "b,c", DocType.REPORT]),
            st.sampled_from([None, 0, 7, -3, ""]),
            st.sampled_from([None, 0.5, 2, ""]),
            st.sampled_from([None, True, False]),
            st.sampled_from([None, "2024-02-29", ""]),
        ),
        max_size=6,
    )
)
def test_columns_written_whole_read_as_value_by_value(tmp_path_factory, values):
    """A column of plain values goes to CSV, SQLite and Parquet as it is, the rest value
    by value: either way, each format holds what `cell`, `_sql_value` and `_plain` make
    of each value (empty is null, enums are their values, booleans true/false or 1/0)."""
    import csv
    import datetime as dt

    from extract.schema import cell
    from extract.write import _plain, _sql_value

    rows = [_Mixed(*v) for v in values]
    writer = DatasetWriter(tmp_path_factory.mktemp("mixed") / "out")
    writer.write_tables([_MIXED], {"mixed": rows})
    with (writer.tmp / "mixed.csv").open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f))[1:] == [[cell(x) for x in v] for v in values]
    with sqlite3.connect(writer.tmp / SQLITE_NAME) as con:
        stored = con.execute("SELECT * FROM mixed").fetchall()
    assert stored == [tuple(_sql_value(x) for x in v) for v in values]

    def parquet(x, kind):
        x = _plain(x)
        if kind == "string":
            return "" if x is None else str(x)
        if kind == "date" and x is not None:
            return dt.date.fromisoformat(x)
        return float(x) if kind == "number" and x is not None else x

    kinds = [c.type for c in _MIXED.columns]
    expected = [tuple(parquet(x, k) for x, k in zip(v, kinds, strict=True)) for v in values]
    read = pq.read_table(writer.tmp / "parquet" / "mixed.parquet").to_pylist()
    assert [tuple(r.values()) for r in read] == expected
    writer.spool.close()


def test_a_database_process_that_fails_fails_the_write(tmp_path, monkeypatch):
    """With more than one process the database is written by a forked child; if it fails,
    the write fails (and the dataset is not swapped in), it is not left out quietly."""
    import pytest

    from extract.write import _forks

    if not _forks():
        pytest.skip("the database is written in this process where processes do not fork")

    def broken(self, *args):
        raise OSError("disk full")

    monkeypatch.setattr(DatasetWriter, "_write_database", broken)
    schema: TableSchema = next(t for t in TABLES if t.name == "sections")
    failed = pytest.raises(RuntimeError, match=r"committee_papers\.sqlite failed")
    with failed, DatasetWriter(tmp_path / "out") as writer:
        writer.write_tables([schema], {"sections": []}, processes=2)
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.glob("out.partial-*"))


def test_without_a_fork_the_database_is_written_here(tmp_path, monkeypatch):
    """Where a child cannot be forked (memory, process limits) the database is written in
    this process after the files: the same dataset, not a failed run."""
    import multiprocessing.process

    def refused(self):
        raise OSError("fork: Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "start", refused)
    schema: TableSchema = next(t for t in TABLES if t.name == "sections")
    rows = [schema.record(**{c.name: _value(c.type, i) for c in schema.columns}) for i in range(3)]
    with DatasetWriter(tmp_path / "out") as writer:
        writer.write_tables([schema], {"sections": rows}, processes=2)
    with sqlite3.connect(tmp_path / "out" / SQLITE_NAME) as con:
        assert con.execute("SELECT count(*) FROM sections").fetchone() == (3,)
    assert (tmp_path / "out" / "sections.csv").read_text().count("\n") == 4


def test_the_database_is_whole_and_has_no_free_pages(tmp_path):
    """Written without VACUUM (rows only ever go in): SQLite finds it sound, with no page
    left free for a VACUUM to reclaim."""
    schema: TableSchema = next(t for t in TABLES if t.name == "sections")
    rows = [
        schema.record(**{c.name: _value(c.type, i) for c in schema.columns}) for i in range(500)
    ]
    with DatasetWriter(tmp_path / "out") as writer:
        writer.write_tables([schema], {"sections": rows}, batch_rows=64)
    with sqlite3.connect(tmp_path / "out" / SQLITE_NAME) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("PRAGMA freelist_count").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM sections").fetchone() == (500,)


def test_the_cli_imports_without_pandas():
    """pandas is a development dependency: a runtime install without it still runs (the
    writer imports it early only where it is there)."""
    import subprocess

    blocker = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'pandas' or name.startswith('pandas.'):\n"
        "            raise ImportError('no pandas here')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import extract.cli, extract.write\n"
        "print('imported')\n"
    )
    done = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"


@given(st.dictionaries(st.sampled_from([t.name for t in TABLES]), st.integers(0, 10**7)))
def test_the_database_process_takes_the_files_of_a_fifth_of_the_bytes(sizes):
    """The tables whose files the database's process writes too: biggest first, as many as
    fit in a fifth of the spooled bytes, and no table left out that would still fit."""
    from extract.write import _CHILD_FILES_SHARE, _child_files

    theirs = _child_files(sizes)
    room = _CHILD_FILES_SHARE * sum(sizes.values()) - sum(sizes[t] for t in theirs)
    assert theirs <= sizes.keys() and room >= 0
    assert all(sizes[t] > room for t in sizes.keys() - theirs)
