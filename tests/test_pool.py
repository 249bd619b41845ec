"""The supervised worker pool: results in order, and a job that kills or hangs its worker
costs that job only."""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from extract import batch as batch_module
from extract.batch import run_batch
from extract.pool import Lost, PoolSettings, _serve, supervised
from extract.settings import RunSettings
from tests.conftest import OCR_TEXT, PDF_AGENDA, PDF_REPORT
from tests.test_batch import _docs, _errors

_START_LOG: Path | None = None  # where `_logged` notes when each job started


def _nothing() -> None:
    pass


def _square(job: int) -> int:
    time.sleep(0.002 * (job % 5))  # later jobs often finish first
    return job * job


def _fatal(job: tuple[int, str]) -> int:
    number, how = job
    if how == "segv":
        faulthandler.disable()  # (pytest's, inherited: it would print every stack)
        os.kill(os.getpid(), signal.SIGSEGV)
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "exit":
        os._exit(3)
    if how == "hang":
        time.sleep(60)
    return number


def _set_log(path: str) -> None:
    global _START_LOG
    _START_LOG = Path(path)


def _logged(job: int) -> bytes:
    assert _START_LOG is not None
    with _START_LOG.open("a") as fh:
        fh.write(f"{job} {time.monotonic()}\n")
    if job == 0:
        time.sleep(1.0)
        with _START_LOG.open("a") as fh:
            fh.write(f"end {time.monotonic()}\n")
    return b"x" * 300_000


def _no_workers_left() -> bool:
    return not multiprocessing.active_children()


def test_results_come_in_the_jobs_order_from_several_workers():
    jobs = list(range(60))
    got = list(supervised(jobs, _square, _nothing, (), PoolSettings(workers=3)))
    assert got == [j * j for j in jobs]
    assert _no_workers_left()


@pytest.mark.parametrize(
    ("how", "exitcode", "name"),
    [("segv", -signal.SIGSEGV, "SIGSEGV"), ("kill", -signal.SIGKILL, "SIGKILL"), ("exit", 3, "")],
)
def test_a_job_that_kills_its_worker_is_lost_alone(how, exitcode, name):
    jobs = [(i, how if i == 4 else "") for i in range(12)]
    got = list(supervised(jobs, _fatal, _nothing, (), PoolSettings(workers=2)))
    assert got[4] == Lost(exitcode=exitcode)
    assert got[4].signal_name() == name
    assert got[:4] + got[5:] == [i for i in range(12) if i != 4]
    assert _no_workers_left()


def test_every_job_dying_still_ends_the_batch():
    jobs = [(i, "exit") for i in range(5)]
    got = list(supervised(jobs, _fatal, _nothing, (), PoolSettings(workers=2)))
    assert got == [Lost(exitcode=3)] * 5


def test_a_job_that_hangs_is_stopped_at_the_hard_limit_and_the_rest_go_on():
    jobs = [(i, "hang" if i == 1 else "") for i in range(6)]
    started = time.monotonic()
    got = list(supervised(jobs, _fatal, _nothing, (), PoolSettings(workers=2, hard_limit=1.0)))
    assert time.monotonic() - started < 30  # not the minute the job would have taken
    assert isinstance(got[1], Lost) and got[1].stopped and got[1].seconds >= 1.0
    assert [g for i, g in enumerate(got) if i != 1] == [0, 2, 3, 4, 5]
    assert _no_workers_left()


def test_results_held_for_order_are_bounded_behind_a_long_job(tmp_path):
    """Job 0 takes a second (job 2 waits behind it: each worker holds two). The other
    worker runs ahead only until the results it has made fill the buffer (300 kB each,
    1 MB allowed: once 1, 3, 4 and 5 are done no job is handed out; it had 6 already)."""
    log = tmp_path / "started"
    jobs = list(range(12))
    settings = PoolSettings(workers=2, buffered_bytes=1_000_000)
    got = list(supervised(jobs, _logged, _set_log, (str(log),), settings))
    assert got == [b"x" * 300_000] * 12
    at = {key: float(t) for key, t in (line.split() for line in log.read_text().splitlines())}
    assert at["1"] < at["end"]  # it did run ahead
    assert all(at[str(j)] > at["end"] for j in range(7, 12))


def test_workers_are_stopped_when_the_batch_is_cut_short():
    outcomes = supervised(list(range(50)), _square, _nothing, (), PoolSettings(workers=2))
    assert next(outcomes) == 0
    outcomes.close()
    assert _no_workers_left()


def test_a_worker_whose_parent_is_gone_leaves():
    _ours, theirs = multiprocessing.Pipe()  # open: it must leave on seeing its parent gone
    process = multiprocessing.Process(target=_serve, args=(theirs, _square, _nothing, (), -1))
    process.start()
    process.join(timeout=10)
    assert not process.is_alive() and process.exitcode == 0


# -- in a batch -------------------------------------------------------------------------

needs_fork = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the patched Processor reaches the workers only where they fork",
)


@pytest.fixture
def three_papers(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    (root / "agenda.pdf").write_bytes(PDF_AGENDA.read_bytes())
    (root / "report.pdf").write_bytes(PDF_REPORT.read_bytes())
    (root / "update.txt").write_bytes(OCR_TEXT.read_bytes())
    return root


@needs_fork
def test_a_paper_that_crashes_its_worker_gets_an_error_row(three_papers, tmp_path, monkeypatch):
    original = batch_module.Processor._process

    def crash_on_agenda(self, path, data, fmt, doc_id):
        if path.name == "agenda.pdf":
            faulthandler.disable()
            os.kill(os.getpid(), signal.SIGSEGV)
        return original(self, path, data, fmt, doc_id)

    monkeypatch.setattr(batch_module.Processor, "_process", crash_on_agenda)
    out = tmp_path / "out"
    summary = run_batch([three_papers], out, RunSettings(workers=2))
    docs = _docs(out).set_index("source_path")
    assert docs.loc["agenda.pdf", "status"] == "failed"
    assert set(docs.loc[["report.pdf", "update.txt"], "status"]) == {"ok"}
    err = _errors(out).set_index("source_path").loc["agenda.pdf"]
    assert err["error_type"] == "worker_died" and "SIGSEGV" in err["message"]
    assert (summary.ok, summary.failed) == (2, 1)


@needs_fork
def test_a_paper_stuck_beyond_the_time_limit_gets_a_timeout_row(
    three_papers, tmp_path, monkeypatch
):
    """Stuck where the limit inside the worker cannot interrupt it (here: its alarm
    blocked, as it is in effect while PDFium's C code runs)."""
    original = batch_module.Processor._process

    def stuck_on_report(self, path, data, fmt, doc_id):
        if path.name == "report.pdf":
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(60)
        return original(self, path, data, fmt, doc_id)

    monkeypatch.setattr(batch_module.Processor, "_process", stuck_on_report)
    monkeypatch.setattr(batch_module, "_HARD_LIMIT_GRACE", 1.0)
    out = tmp_path / "out"
    run_batch([three_papers], out, RunSettings(workers=2, timeout_per_doc=1.0))
    docs = _docs(out).set_index("source_path")
    assert docs.loc["report.pdf", "status"] == "failed"
    assert set(docs.loc[["agenda.pdf", "update.txt"], "status"]) == {"ok"}
    err = _errors(out).set_index("source_path").loc["report.pdf"]
    assert err["error_type"] == "timeout" and "worker was stopped" in err["message"]
