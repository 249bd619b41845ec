"""Robustness: the cache (re-runs, resumes), time limits, and a batch killed mid-run."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from extract import batch as batch_module
from extract.batch import run_batch
from extract.settings import RunSettings
from tests.conftest import CORPUS, KENT, ROOT


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "run.json" and p.suffix not in (".sqlite", ".parquet")
    }


N = sum(1 for p in CORPUS.rglob("*") if p.suffix in {".pdf", ".txt", ".md"})


def test_a_warm_run_reuses_everything_and_writes_the_same_dataset(tmp_path):
    cache = tmp_path / "cache"
    cold = run_batch([CORPUS], tmp_path / "cold", RunSettings(cache_dir=cache))
    warm = run_batch([CORPUS], tmp_path / "warm", RunSettings(cache_dir=cache))
    assert f"cache: 0 of {N} documents reused" in cold.notes
    assert f"cache: {N} of {N} documents reused" in warm.notes
    assert _outputs(tmp_path / "cold") == _outputs(tmp_path / "warm")
    forced = run_batch([CORPUS], tmp_path / "forced", RunSettings(cache_dir=cache, force=True))
    assert f"cache: 0 of {N} documents reused" in forced.notes


def test_only_new_or_changed_files_are_processed(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    cache = tmp_path / "cache"
    run_batch([corpus], tmp_path / "one", RunSettings(cache_dir=cache))
    changed = corpus / "thurrock" / "2023-03-14-item10-lscp-annual-report-2021-22.txt"
    changed.write_text(changed.read_text() + "\nA note added later.\n")
    again = run_batch([corpus], tmp_path / "two", RunSettings(cache_dir=cache))
    assert f"cache: {N - 1} of {N} documents reused" in again.notes


def test_a_document_over_its_time_limit_fails_alone(tmp_path, monkeypatch):
    slow = tmp_path / "in" / "slow.txt"
    slow.parent.mkdir()
    slow.write_text("14 March 2023 ITEM: 1\nA slow paper.\n")
    shutil.copy(
        CORPUS / "kent" / "2025-03-04-cabinet-agenda-frontsheet.pdf", slow.parent / "agenda.pdf"
    )
    original = batch_module.Processor._process

    def crawl(self, path, data, fmt, doc_id):
        if path.name == "slow.txt":
            time.sleep(5)
        return original(self, path, data, fmt, doc_id)

    monkeypatch.setattr(batch_module.Processor, "_process", crawl)
    started = time.perf_counter()
    summary = run_batch([slow.parent], tmp_path / "out", RunSettings(timeout_per_doc=0.5))
    assert time.perf_counter() - started < 4
    errors = (tmp_path / "out" / "errors.csv").read_text()
    assert "slow.txt" in errors and ",timeout," in errors and "--timeout-per-doc" in errors
    assert (summary.ok, summary.failed) == (1, 1)


def test_a_killed_run_leaves_a_whole_dataset_and_the_next_run_resumes(tmp_path):
    """SIGKILL a real batch mid-run: the output folder is the previous dataset, untouched;
    the next run reuses what the killed one finished."""
    archive = tmp_path / "archive"
    shutil.copytree(CORPUS, archive / "corpus")
    if KENT.is_dir():  # more work, so the kill lands mid-run
        for pdf in sorted(KENT.glob("full_council/2025-03-13/*.pdf"))[:12]:
            shutil.copy(pdf, archive / pdf.name)
    out, cache = tmp_path / "out", tmp_path / "cache"
    run_batch([archive / "corpus"], out, RunSettings())  # the previous, complete dataset
    before = _outputs(out)

    cmd = [
        sys.executable,
        str(ROOT / "pipeline.py"),
        "run",
        str(archive),
        "--out",
        str(out),
        "--cache",
        str(cache),
        "--workers",
        "1",
        "--quiet",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not any(cache.rglob("*.pickle")):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _outputs(out) == before  # never a mix of old and new

    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    reused = int(done.stderr.split("cache: ")[1].split(" of ")[0])
    assert reused >= 1  # the killed run's finished documents were kept
    assert not list(tmp_path.glob("out.partial-*"))  # the stale half-written folder is gone
    files = [p for p in archive.rglob("*") if p.suffix in {".pdf", ".txt", ".md"}]
    rows = list(csv.DictReader((out / "documents.csv").open(encoding="utf-8")))
    assert len([r for r in rows if not r["parent_doc_id"]]) == len(files)


def _scanned_pdf(tmp_path: Path) -> Path:
    """A real page rendered to an image and saved as an image-only PDF: a scan."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(CORPUS / "kent" / "2025-03-04-cabinet-agenda-frontsheet.pdf"))
    image = pdf[0].render(scale=2.5).to_pil().convert("L")
    out = tmp_path / "scan" / "scanned-agenda.pdf"
    out.parent.mkdir()
    image.save(out, "PDF", resolution=180)
    return out


def test_a_scan_without_ocr_is_a_needs_ocr_row_saying_how(tmp_path):
    scan = _scanned_pdf(tmp_path)
    run_batch([scan.parent], tmp_path / "out", RunSettings())
    errors = (tmp_path / "out" / "errors.csv").read_text()
    assert ",needs_ocr," in errors and "--ocr" in errors and "apt-get install ocrmypdf" in errors


def test_ocr_requested_but_not_installed_says_how_to_install(tmp_path, monkeypatch):
    import extract.ingest.ocr as ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    scan = _scanned_pdf(tmp_path)
    from extract.settings import IngestSettings

    run_batch([scan.parent], tmp_path / "out", RunSettings(ingest=IngestSettings(ocr=True)))
    errors = (tmp_path / "out" / "errors.csv").read_text()
    assert "ocrmypdf is not installed" in errors and "apt-get install ocrmypdf" in errors


@pytest.mark.skipif(shutil.which("ocrmypdf") is None, reason="ocrmypdf is not installed")
def test_ocr_reads_a_scan_and_marks_it(tmp_path):
    from extract.settings import IngestSettings

    scan = _scanned_pdf(tmp_path)
    # no per-document limit: OCR on a loaded machine can pass the default 120 s (a CI run
    # did), and timing is the benchmark's business, not this test's
    settings = RunSettings(ingest=IngestSettings(ocr=True), timeout_per_doc=0)
    summary = run_batch([scan.parent], tmp_path / "out", settings)
    assert summary.ok == 1, (tmp_path / "out" / "errors.csv").read_text()
    docs = (tmp_path / "out" / "documents.csv").read_text()
    assert ",agenda," in docs  # classified from the OCR'd text
    header = docs.splitlines()[0].split(",")
    row = docs.splitlines()[1].split(",")
    assert row[header.index("ocr_applied")] == "true"
    text = next((tmp_path / "out" / "text").glob("*.txt")).read_text()
    assert "CABINET" in text and "Apologies" in text


def test_a_500_page_pack_is_read_whole(tmp_path):
    import pikepdf

    src = pikepdf.open(CORPUS / "kent" / "2025-01-09-county-council-minutes.pdf")
    big = pikepdf.new()
    while len(big.pages) < 500:
        big.pages.extend(src.pages)
    path = tmp_path / "pack" / "pack.pdf"
    path.parent.mkdir()
    big.save(path)
    summary = run_batch([path.parent], tmp_path / "out", RunSettings())
    assert (summary.ok, summary.pages) == (1, 500)


def test_a_file_the_os_refuses_to_read_is_an_unreadable_row(tmp_path, monkeypatch):
    """As root, chmod 000 does not stop a read; the refusal is simulated at the read."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "locked.txt").write_text("ITEM: 1")
    shutil.copy(CORPUS / "kent" / "2025-03-04-cabinet-agenda-frontsheet.pdf", folder / "agenda.pdf")
    real = Path.read_bytes

    def refuse(self):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    summary = run_batch([folder], tmp_path / "out", RunSettings())
    errors = (tmp_path / "out" / "errors.csv").read_text()
    assert "locked.txt" in errors and ",unreadable," in errors and "Permission denied" in errors
    assert (summary.ok, summary.failed) == (1, 1)


def test_a_dask_cluster_gives_exactly_the_outputs_of_a_local_run(tmp_path):
    """--scheduler: the same documents as tasks on a distributed.LocalCluster."""
    from distributed import LocalCluster

    run_batch([CORPUS], tmp_path / "local", RunSettings(workers=1))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        run_batch([CORPUS], tmp_path / "dask", RunSettings(scheduler=cluster.scheduler_address))
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")


def test_a_dask_worker_with_threads_reads_one_paper_at_a_time(tmp_path):
    """A Processor is not shared between threads: the same outputs, and a note that the
    threads do not help."""
    from distributed import LocalCluster

    run_batch([CORPUS], tmp_path / "local", RunSettings(workers=1))
    with LocalCluster(
        n_workers=1, threads_per_worker=3, processes=True, dashboard_address=None
    ) as cluster:
        summary = run_batch(
            [CORPUS], tmp_path / "dask", RunSettings(scheduler=cluster.scheduler_address)
        )
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "local")
    assert any("--nthreads 1" in note for note in summary.notes)


def test_a_dask_worker_process_reads_one_paper_at_a_time_whatever_its_threads(monkeypatch):
    inside, most = [0], [0]

    class Counting:
        def process(self, path, data, doc_id, timeout):
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            time.sleep(0.05)
            inside[0] -= 1
            return doc_id

    monkeypatch.setattr(batch_module, "_worker", Counting())
    monkeypatch.setattr(batch_module, "_kept", lambda result: result)
    settings = RunSettings()
    threads = [
        threading.Thread(target=batch_module._on_dask_worker, args=(settings, "p", b"", str(i)))
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == 1


_ON_DASK_WORKER = batch_module._on_dask_worker


def _fatal_to_minutes(settings, path, data, doc_id):
    """What Dask raises when a task has ended every worker it was tried on."""
    from distributed.scheduler import KilledWorker

    if "minutes" in path:
        raise KilledWorker("task", SimpleNamespace(address="tcp://127.0.0.1:1"), 2)
    return _ON_DASK_WORKER(settings, path, data, doc_id)


def test_a_paper_that_kills_its_dask_workers_gets_an_error_row(tmp_path, monkeypatch):
    """(KilledWorker raised by the task itself, on a cluster in this process.)"""
    from distributed import LocalCluster

    monkeypatch.setattr(batch_module, "_on_dask_worker", _fatal_to_minutes)
    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        summary = run_batch(
            [CORPUS], tmp_path / "dask", RunSettings(scheduler=cluster.scheduler_address)
        )
    errors = pd.read_csv(tmp_path / "dask" / "errors.csv", dtype=str, keep_default_na=False)
    died = errors[errors.error_type == "worker_died"]
    assert len(died) == summary.failed >= 1
    assert all("minutes" in p for p in died.source_path)
    assert all("each of the 3 Dask workers" in m for m in died.message)
    assert summary.ok == summary.documents - summary.failed


def test_a_rerun_over_an_unchanged_archive_leaves_the_current_dataset(tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = run_batch([CORPUS], out, RunSettings(cache_dir=cache))
    before = _outputs(out)
    again = run_batch([CORPUS], out, RunSettings(cache_dir=cache))
    assert "nothing changed since the last run: outputs are current" in again.notes
    assert (again.documents, again.ok, again.pages) == (first.documents, first.ok, first.pages)
    assert _outputs(out) == before
    forced = run_batch([CORPUS], out, RunSettings(cache_dir=cache, force=True))
    assert "nothing changed since the last run: outputs are current" not in forced.notes
