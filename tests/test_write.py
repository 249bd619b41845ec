"""The writer's spool and streamed formats: rows go to disk as results arrive and come back
in the order a sort of the whole table would give."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

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
    spool = RowSpool(tmp_path_factory.mktemp("spool") / "spool.sqlite")
    everything = []
    for doc_id, seqs in docs.items():  # arriving in any order
        rows = [_Row(doc_id, s) for s in seqs]
        spool.add("t", doc_id, rows)
        everything += rows
    table = spool.table("t", _key)
    assert list(table) == sorted(everything, key=_key)
    assert list(table) == list(table)  # one pass per format: CSV, Parquet, SQLite
    assert list(spool.table("other", _key)) == []
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
