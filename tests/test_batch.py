"""Batches: every file accounted for once, duplicates found, failures recorded, runs atomic."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from extract import batch as batch_module
from extract.batch import run_batch
from extract.cli import main
from extract.settings import RunSettings
from tests.conftest import OCR_TEXT, PDF_AGENDA, PDF_REPORT


def _docs(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "documents.csv", dtype=str, keep_default_na=False)


def _errors(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "errors.csv", dtype=str, keep_default_na=False)


@pytest.fixture
def messy_archive(tmp_path: Path) -> Path:
    """Real papers, copies of them, and the kinds of junk a real archive holds."""
    root = tmp_path / "archive"
    (root / "2025" / "copies").mkdir(parents=True)
    shutil.copy(PDF_REPORT, root / "2025" / "report.pdf")
    shutil.copy(PDF_REPORT, root / "2025" / "copies" / "report_1.pdf")  # exact duplicate
    shutil.copy(PDF_AGENDA, root / "2025" / "agenda.pdf")
    shutil.copy(OCR_TEXT, root / "update.txt")
    (root / "empty.pdf").write_bytes(b"")
    (root / "error-page.pdf").write_text("<html><body>Session expired</body></html>")
    (root / "half.pdf").write_bytes(PDF_REPORT.read_bytes()[:30_000])
    (root / "legacy.txt").write_bytes("Children’s Services £5 – ITEM: 7".encode("cp1252"))
    (root / "notes.docx").write_bytes(b"PK\x03\x04")  # not a supported type: skipped
    os.symlink(root / "missing.pdf", root / "dangling.pdf")  # cannot be read
    os.symlink(root, root / "2025" / "loop")  # a symlink loop must not hang the walk
    return root


def test_every_file_is_accounted_for_once(messy_archive, tmp_path):
    out = tmp_path / "out"
    summary = run_batch([messy_archive], out, RunSettings())
    docs = _docs(out).set_index("source_path")
    assert sorted(docs.index) == [
        "2025/agenda.pdf",
        "2025/copies/report_1.pdf",
        "2025/report.pdf",
        "dangling.pdf",
        "empty.pdf",
        "error-page.pdf",
        "half.pdf",
        "legacy.txt",
        "update.txt",
    ]
    assert docs["doc_id"].is_unique
    status = docs["status"].to_dict()
    assert status["2025/report.pdf"] == "ok" and status["legacy.txt"] == "ok"
    assert status["2025/copies/report_1.pdf"] == "duplicate"
    assert (
        docs.loc["2025/copies/report_1.pdf", "duplicate_of"]
        == docs.loc["2025/report.pdf", "doc_id"]
    )
    assert {status[p] for p in ["dangling.pdf", "empty.pdf", "error-page.pdf", "half.pdf"]} == {
        "failed"
    }
    assert docs.loc["legacy.txt", "encoding"] == "cp1252"
    assert (
        "Children’s Services £5"
        in (out / "text" / f"{docs.loc['legacy.txt', 'doc_id']}.txt").read_text()
    )

    errors = _errors(out).set_index("source_path")["error_type"].to_dict()
    assert errors == {
        "dangling.pdf": "unreadable",
        "empty.pdf": "empty_file",
        "error-page.pdf": "not_a_pdf",
        "half.pdf": "corrupt_pdf",
    }
    assert (summary.documents, summary.ok, summary.failed, summary.duplicates) == (9, 4, 4, 1)
    assert summary.skipped == {".docx": 1}


def test_the_original_not_the_copy_is_processed(tmp_path):
    """Of identical files, the one without a copy mark ("_1", "%20", " (2)") is canonical."""
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(PDF_AGENDA, root / "a-agenda_1.pdf")
    shutil.copy(PDF_AGENDA, root / "b-agenda.pdf")
    shutil.copy(PDF_AGENDA, root / "c%20agenda.pdf")
    run_batch([root], tmp_path / "out", RunSettings())
    docs = _docs(tmp_path / "out").set_index("source_path")
    assert docs.loc["b-agenda.pdf", "status"] == "ok"
    assert docs.loc["b-agenda.pdf", "doc_id"] == docs.loc["b-agenda.pdf", "sha256"][:16]
    assert set(docs.loc[["a-agenda_1.pdf", "c%20agenda.pdf"], "status"]) == {"duplicate"}
    assert len(list((tmp_path / "out" / "text").iterdir())) == 1  # processed once


def test_one_crashing_document_does_not_stop_the_batch(messy_archive, tmp_path, monkeypatch):
    original = batch_module.Processor._process

    def crash_on_agenda(self, path, data, fmt, doc_id):
        if path.name == "agenda.pdf":
            raise ZeroDivisionError("boom")
        return original(self, path, data, fmt, doc_id)

    monkeypatch.setattr(batch_module.Processor, "_process", crash_on_agenda)
    out = tmp_path / "out"
    run_batch([messy_archive], out, RunSettings())
    docs = _docs(out).set_index("source_path")
    assert docs.loc["2025/agenda.pdf", "status"] == "failed"
    assert docs.loc["2025/report.pdf", "status"] == "ok"
    err = _errors(out).set_index("source_path").loc["2025/agenda.pdf"]
    assert err["error_type"] == "internal_error" and "ZeroDivisionError" in err["message"]


def test_an_interrupted_run_leaves_the_previous_dataset_whole(tmp_path, monkeypatch):
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(PDF_AGENDA, root / "agenda.pdf")
    out = tmp_path / "out"
    run_batch([root], out, RunSettings())
    before = {
        p.name: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "run.json"
    }

    shutil.copy(OCR_TEXT, root / "update.txt")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_module, "data_dictionary", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_batch([root], out, RunSettings())
    after = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "run.json"}
    assert after == before
    assert not list(tmp_path.glob("out.partial-*"))  # the half-written copy is cleaned up


def test_workers_give_the_same_dataset_as_one_process(messy_archive, tmp_path):
    run_batch([messy_archive], tmp_path / "one", RunSettings(workers=1))
    run_batch([messy_archive], tmp_path / "two", RunSettings(workers=2))
    for f in sorted((tmp_path / "one").rglob("*")):
        if f.is_file() and f.name != "run.json":
            assert (
                f.read_bytes() == (tmp_path / "two" / f.relative_to(tmp_path / "one")).read_bytes()
            ), f


def test_manifest_fills_in_what_the_archive_knows(tmp_path):
    root = tmp_path / "in"
    (root / "kent").mkdir(parents=True)
    shutil.copy(PDF_AGENDA, root / "kent" / "agenda.pdf")
    shutil.copy(OCR_TEXT, root / "update.txt")
    (root / "manifest.csv").write_text(
        "source_path,council,committee,meeting_date,source_url,origin\n"
        "kent/agenda.pdf,Kent County Council,Cabinet,2025-03-04,https://example.org/a.pdf,x\n"
        "gone.pdf,Kent County Council,Cabinet,2025-03-04,,\n"
        "update.txt,Essex County Council,,,,\n"
    )
    summary = run_batch([root], tmp_path / "out", RunSettings())
    docs = _docs(tmp_path / "out").set_index("source_path")
    row = docs.loc["kent/agenda.pdf"]
    assert (row["council"], row["committee"], row["meeting_date"]) == (
        "Kent County Council",
        "Cabinet",
        "2025-03-04",
    )
    assert row["source_url"] == "https://example.org/a.pdf"
    # what the paper says wins; the disagreement is a warning
    assert docs.loc["update.txt", "council"] == "Thurrock Council"
    assert (
        "council: paper says 'Thurrock Council', manifest says 'Essex County Council'"
        in (docs.loc["update.txt", "warnings"])
    )
    assert any("gone.pdf" in n for n in summary.notes)  # a manifest row with no file is reported


def test_cli_usage_errors_say_what_to_do(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nowhere")]) == 2
    assert "does not exist" in capsys.readouterr().err

    mine = tmp_path / "my-documents"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious")
    assert main(["run", str(PDF_AGENDA), "--out", str(mine)]) == 2
    assert "give a new or empty folder" in capsys.readouterr().err
    assert (mine / "thesis.docx").read_text() == "precious"

    with pytest.raises(SystemExit) as info:
        main(["run", "--workers", "many"])
    assert info.value.code == 2


def test_cli_summary_and_strict_exit_code(messy_archive, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(messy_archive), "--out", str(out), "--quiet", "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert (
        "documents: 9, ok: 4, partial: 0, failed: 4, duplicates: 1, pages: 7, elapsed:"
        in captured.out
    )
    assert "errors.csv" in captured.err
    assert main(["run", str(messy_archive), "--out", str(out), "--quiet", "--strict"]) == 1
    # a clean batch is 0 even with --strict
    assert main(["run", str(PDF_AGENDA), "--out", str(out), "--quiet", "--strict"]) == 0


def test_cli_ctrl_c_mid_batch_stops_the_workers_and_leaves_out_as_it_was(
    messy_archive, tmp_path, capsys, monkeypatch
):
    out = tmp_path / "out"
    assert main(["run", str(PDF_AGENDA), "--out", str(out), "--quiet"]) == 0
    before = _docs(out)
    from extract import cli

    seen = []

    def pressed_on_the_second(self, source_path, status):
        seen.append(source_path)
        if len(seen) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli._Progress, "update", pressed_on_the_second)
    args = ["run", str(messy_archive), "--out", str(out), "--workers", "2", "--no-cache"]
    assert main(args) == 130
    err = capsys.readouterr().err
    assert f"interrupted: {out} is as it was before the run" in err and "cached" not in err
    assert _docs(out).equals(before)
    assert not multiprocessing.active_children()
    assert [p.name for p in tmp_path.iterdir() if ".partial-" in p.name] == []


def test_cli_verbose_prints_a_status_per_document(tmp_path, capsys):
    main(["run", str(PDF_AGENDA), str(OCR_TEXT), "--out", str(tmp_path / "o"), "--verbose"])
    err = capsys.readouterr().err
    assert "ok        kent/2025-03-04-cabinet-agenda-frontsheet.pdf" in err
    assert "ok        thurrock/lscp-update-autumn-2022-ocr.txt" in err


def test_a_symlinked_input_folder_gives_the_same_source_paths(tmp_path):
    """Regression: CI reaches shared/ through a link; paths came out as ../../tmp/…"""
    real = tmp_path / "real" / "archive"
    (real / "kent").mkdir(parents=True)
    shutil.copy(PDF_AGENDA, real / "kent" / "agenda.pdf")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    run_batch([tmp_path / "link" / "archive"], tmp_path / "out", RunSettings())
    assert list(_docs(tmp_path / "out")["source_path"]) == ["kent/agenda.pdf"]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batch_leaves_no_object_frozen_out_of_the_collector(tmp_path, workers):
    """A batch freezes its start-up objects out of the collector's full passes (and makes
    its young passes rarer) while it runs, and puts both back when done: a process that
    runs batch after batch still frees what an old batch left in cycles."""
    import gc

    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(OCR_TEXT, root / OCR_TEXT.name)
    shutil.copy(PDF_AGENDA, root / PDF_AGENDA.name)
    assert gc.get_freeze_count() == 0
    threshold = gc.get_threshold()
    summary = run_batch([root], tmp_path / "out", RunSettings(workers=workers, cache_dir=None))
    assert summary.documents == 2
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold  # and its passes as often as before


def test_a_one_process_batch_freezes_its_processor_before_the_papers(tmp_path, monkeypatch):
    """The processor (rules, spaCy's vocabulary) outlives every paper, as a worker's does:
    it is built with the collector's full passes frozen out (one pass over every object
    of the imports cost a twentieth of a second) and frozen itself before the papers."""
    import gc

    from extract.process import Processor

    seen: dict[str, int] = {}
    build, process = Processor.build.__func__, Processor.process

    def counted_build(cls, settings):
        seen["frozen before build"] = gc.get_freeze_count()
        built = build(cls, settings)
        seen["frozen after build"] = gc.get_freeze_count()
        return built

    def counted_process(self, *args, **kwargs):
        seen.setdefault("frozen at the first paper", gc.get_freeze_count())
        return process(self, *args, **kwargs)

    monkeypatch.setattr(Processor, "build", classmethod(counted_build))
    monkeypatch.setattr(Processor, "process", counted_process)
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(OCR_TEXT, root / OCR_TEXT.name)
    shutil.copy(PDF_AGENDA, root / PDF_AGENDA.name)
    run_batch([root], tmp_path / "out", RunSettings(workers=1, cache_dir=None))
    assert seen["frozen before build"] > 0  # the imports' objects, out of the full passes
    assert seen["frozen at the first paper"] > seen["frozen after build"]  # and the processor


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batch_keeps_its_start_up_objects_frozen_from_first_step_to_last(
    tmp_path, monkeypatch, workers
):
    """From finding the files to writing `run.json`, the imports' objects stay out of the
    collector's full passes (one such pass after the imports, before the workers started,
    cost 0.06 s), and its young passes stay rare: writing the database in a child process
    (two workers) leaves them frozen too."""
    import gc

    import extract.batch as batch
    from extract.batch import _YOUNG_THRESHOLD
    from extract.write import DatasetWriter

    seen: dict[str, tuple[int, int]] = {}

    def state() -> tuple[int, int]:
        return gc.get_freeze_count(), gc.get_threshold()[0]

    discover, write_json = batch.discover, DatasetWriter.write_json

    def seen_discover(paths):
        seen["finding the files"] = state()
        return discover(paths)

    def seen_write_json(self, name, data):
        seen[f"writing {name}"] = state()
        return write_json(self, name, data)

    monkeypatch.setattr(batch, "discover", seen_discover)
    monkeypatch.setattr(DatasetWriter, "write_json", seen_write_json)
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(OCR_TEXT, root / OCR_TEXT.name)
    shutil.copy(PDF_AGENDA, root / PDF_AGENDA.name)
    run_batch([root], tmp_path / "out", RunSettings(workers=workers, cache_dir=None))
    assert set(seen) == {"finding the files", "writing datapackage.json", "writing run.json"}
    for step, (frozen, young) in seen.items():
        assert frozen > 0, step
        assert young == _YOUNG_THRESHOLD, step


def test_a_result_hands_over_its_spooled_rows_as_the_spool_takes_them():
    """What a worker keeps of a paper carries each spooled table's rows as the values the
    main process used to make of the records, in the same order; the records it drops are
    not sent twice, and a result without them (cached before) spools the same."""
    import pickle

    from extract.batch import _kept, _spool_values
    from extract.process import Processor
    from extract.settings import IngestSettings
    from extract.tables import FACT_TABLES, STRUCTURE_TABLES

    result = Processor.build(IngestSettings()).process(PDF_REPORT, PDF_REPORT.read_bytes(), "r")
    kept = _kept(result)
    assert kept.spooled is not None
    unpacked = {k: pickle.loads(v) if v else [] for k, v in kept.spooled.items()}
    for name, table in STRUCTURE_TABLES.items():
        assert unpacked[name] == _spool_values(table, getattr(result.structure, name))
    for name, table in FACT_TABLES.items():
        if name in batch_module._LINKED:
            assert getattr(kept.facts, name) == getattr(result.facts, name)
        else:
            assert unpacked[name] == _spool_values(table, getattr(result.facts, name))
            assert getattr(kept.facts, name) == []
    assert kept.structure.sections == [] and result.structure.sections
    assert kept.structure.minute_items == result.structure.minute_items
    assert sum(map(len, unpacked.values())) > 50


def test_a_cached_result_without_spooled_rows_writes_the_same_dataset(tmp_path, monkeypatch):
    """A result cached before results carried their spooled rows is spooled from its
    records: the same dataset as a cold run."""
    import dataclasses

    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(PDF_REPORT, root / PDF_REPORT.name)
    cold = tmp_path / "cold"
    run_batch([root], cold, RunSettings(workers=1, cache_dir=None))
    kept = batch_module._kept

    def as_before(result):  # the records kept, no values made of them
        old = kept(result)
        return dataclasses.replace(
            old, spooled=None, structure=result.structure, facts=result.facts
        )

    monkeypatch.setattr(batch_module, "_kept", as_before)
    run_batch([root], tmp_path / "old", RunSettings(workers=1, cache_dir=None))
    for path in sorted(cold.glob("*.csv")):
        assert path.read_bytes() == (tmp_path / "old" / path.name).read_bytes(), path.name


_HEAVY = ("spacy", "pandas", "pyarrow", "pdfplumber", "pypdfium2", "dateparser")


def _fresh_interpreter(code: str) -> str:
    """The last line `code` prints, run in a new Python: what a first import does."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_cli_imports_the_pipeline_for_a_run_only(tmp_path):
    """`query`, `trace` and `report` do not wait for spaCy, pandas and PDFium to import
    (1.3 s): in a fresh interpreter, the CLI and a query import none of them."""
    code = (
        "import sys\n"
        "from extract.cli import main\n"
        f"main(['query', 'select 1', '--out', {str(tmp_path)!r}])\n"
        f"print(sorted(m for m in {_HEAVY!r} if m in sys.modules))\n"
    )
    assert _fresh_interpreter(code) == "[]"


def test_a_cli_run_leaves_no_object_frozen_out_of_the_collector(tmp_path):
    """A run's first import of the pipeline is frozen out of the collector for the run;
    a process that goes on after it, or after a run refused for a usage error, has every
    object back in the collector's view."""
    out = tmp_path / "out"
    code = (
        "import gc\n"
        "from extract.cli import main\n"
        f"assert main(['run', {str(tmp_path / 'nowhere')!r}]) == 2\n"
        "refused = gc.get_freeze_count()\n"
        f"run = ['run', {str(OCR_TEXT)!r}, '--out', {str(out)!r}, '--quiet', '--no-cache']\n"
        "assert main(run) == 0\n"
        "print(refused, gc.get_freeze_count(), gc.isenabled())\n"
    )
    assert _fresh_interpreter(code) == "0 0 True"
