"""The committed outputs/: regenerated from corpus/, described by datapackage.json."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from extract.batch import run_batch
from extract.settings import RunSettings
from extract.tables import TABLES
from tests.conftest import CORPUS, OUTPUTS

REGENERATE = "make run"  # how to bring outputs/ up to date


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("fresh") / "outputs"
    run_batch([CORPUS], out, RunSettings(workers=1))
    return out


def _files(folder: Path) -> dict[str, bytes]:
    """Every output file's bytes; the SQLite database and Parquet files by content (their
    bytes also carry the library versions). report.html and charts/ are not outputs of
    `run`."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if not p.is_file() or p.name == "run.json" or rel.parts[0] in ("charts", "report.html"):
            continue  # run.json holds timings
        if p.suffix == ".sqlite":
            con = sqlite3.connect(p)
            out[str(p.relative_to(folder))] = "\n".join(con.iterdump()).encode()
            con.close()
        elif p.suffix == ".parquet":  # likewise: compared by content
            out[str(p.relative_to(folder))] = repr(pq.read_table(p).to_pylist()).encode()
        else:
            out[str(p.relative_to(folder))] = p.read_bytes()
    return out


def test_committed_outputs_match_a_fresh_run(fresh):
    committed, regenerated = _files(OUTPUTS), _files(fresh)
    assert sorted(committed) == sorted(regenerated), f"files differ; run `{REGENERATE}`"
    stale = [name for name in committed if committed[name] != regenerated[name]]
    assert not stale, f"outputs/ is stale in {stale}; run `{REGENERATE}` and commit outputs/"


def test_runs_are_byte_identical(fresh, tmp_path):
    again = tmp_path / "again"
    run_batch([CORPUS], again, RunSettings(workers=2))
    assert _files(again) == _files(fresh)


def test_every_corpus_file_is_a_document(fresh):
    docs = pd.read_csv(fresh / "documents.csv", dtype=str, keep_default_na=False)
    on_disk = sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.suffix.lower() in {".pdf", ".txt", ".md"}
    )
    files = docs[docs["parent_doc_id"] == ""]
    assert sorted(files["source_path"]) == on_disk
    papers = docs[docs["parent_doc_id"] != ""]  # a pack's papers: a row each, same file
    assert set(papers["parent_doc_id"]) == set(files[files["doc_type"] == "pack"]["doc_id"])
    assert set(docs["status"]) == {"ok"}
    assert set(docs["source_format"]) == {"pdf", "text", "markdown"}


def _check_value(value: str, ftype: str) -> bool:
    if value == "":
        return True  # missingValues: [""]
    if ftype == "integer":
        return value.lstrip("-").isdigit()
    if ftype == "number":
        float(value)
        return True
    if ftype == "boolean":
        return value in ("true", "false")
    if ftype == "date":
        dt.date.fromisoformat(value)
        return True
    return True


def test_datapackage_describes_every_table_truly(fresh):
    package = json.loads((fresh / "datapackage.json").read_text())
    for r in package["resources"]:
        assert (fresh / r["path"]).is_file(), r["path"]  # every resource is there
    others = [r for r in package["resources"] if r.get("format") != "csv"]
    assert {r["path"] for r in others} == {
        *(f"parquet/{t.name}.parquet" for t in TABLES),
        "committee_papers.sqlite",
    }
    resources = {r["name"]: r for r in package["resources"] if r.get("format") == "csv"}
    csvs = {p.stem for p in fresh.glob("*.csv")}
    assert set(resources) == csvs == {t.name for t in TABLES}

    frames = {
        name: pd.read_csv(fresh / r["path"], dtype=str, keep_default_na=False)
        for name, r in resources.items()
    }
    for name, r in resources.items():
        frame, schema = frames[name], r["schema"]
        assert list(frame.columns) == [f["name"] for f in schema["fields"]], name
        for f in schema["fields"]:
            assert f["description"], f"{name}.{f['name']} has no description"
            values = frame[f["name"]]
            assert all(_check_value(v, f["type"]) for v in values), f"{name}.{f['name']}"
            allowed = f.get("constraints", {}).get("enum")
            if allowed:
                assert set(values) - {""} <= set(allowed), f"{name}.{f['name']}"
        if "primaryKey" in schema:
            assert not frame.duplicated(schema["primaryKey"]).any(), name
        for fk in schema.get("foreignKeys", []):
            target = fk["reference"]["resource"] or name
            keys = set(frames[target][fk["reference"]["fields"][0]])
            values = set(frame[fk["fields"][0]]) - {""}
            assert values <= keys, f"{name}.{fk['fields'][0]} points at missing rows"


def test_data_dictionary_lists_every_column(fresh):
    dictionary = (fresh / "DATA_DICTIONARY.md").read_text()
    for table in TABLES:
        assert f"## {table.name}.csv" in dictionary
        for column in table.columns:
            assert f"| `{column.name}` |" in dictionary


def test_text_files_are_the_documents_texts(fresh):
    docs = pd.read_csv(fresh / "documents.csv", dtype=str, keep_default_na=False)
    for _, row in docs.iterrows():
        if row["doc_type"] == "pack":  # its text is in its papers' files
            assert row["chars"] == "0" and not (fresh / "text" / f"{row['doc_id']}.txt").exists()
            continue
        text = (fresh / "text" / f"{row['doc_id']}.txt").read_text(encoding="utf-8")
        assert len(text) == int(row["chars"])
