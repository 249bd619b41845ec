"""`query`: SQL over the dataset with DuckDB — every table a view over its Parquet file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from extract.tables import TABLES


class QueryError(Exception):
    pass


def run_query(out: Path, sql: str, fmt: str = "table") -> str:
    import duckdb

    folder = out / "parquet"
    if not folder.is_dir():
        raise QueryError(f"no dataset in {out}: run `committee-papers run` first, or pass --out")
    con = duckdb.connect()
    try:
        for t in TABLES:
            path = folder / f"{t.name}.parquet"
            if path.is_file():
                con.execute(
                    f"CREATE VIEW \"{t.name}\" AS SELECT * FROM read_parquet('{path.as_posix()}')"
                )
        try:
            result = con.execute(sql)
        except duckdb.Error as exc:
            tables = ", ".join(t.name for t in TABLES)
            raise QueryError(f"{exc}\n(tables: {tables}; columns in DATA_DICTIONARY.md)") from exc
        columns = [d[0] for d in result.description or []]
        rows = result.fetchall()
    finally:
        con.close()
    if fmt == "json":
        return (
            json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str, indent=2)
            + "\n"
        )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return buf.getvalue()
    return _table(columns, rows)


def _table(columns: list[str], rows: list[tuple]) -> str:
    cells = [[("" if v is None else str(v)).replace("\n", " ") for v in r] for r in rows]
    widths = [min(60, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v[:w].ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
