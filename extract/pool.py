"""Worker processes for a local batch, supervised: a paper that kills its worker (a crash in
C code, the system's out-of-memory killer) or hangs where the per-document time limit
cannot reach it (inside PDFium) costs that paper, not the batch. Its job comes back as
`Lost`, a new worker takes the old one's place, and the other jobs go on.

`concurrent.futures.ProcessPoolExecutor`, used before, could do neither: when a worker dies
it fails every job not yet done (it cannot tell which one killed it), and it cannot stop a
worker that hangs.

Each worker has a pipe of its own, so the parent knows which jobs each one holds (the one
it is on, and the next). Results come back in the jobs' order. Those that arrive early
wait in the parent, as pickled bytes; once they reach `PoolSettings.buffered_bytes` no new
job is handed out until the oldest one is done (those already held still run), so memory
stays bounded behind a long paper.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any


@dataclass(frozen=True)
class PoolSettings:
    workers: int
    # seconds a job may hold its worker before the worker is stopped (0: no limit)
    hard_limit: float = 0.0
    # results held for in-order delivery, at most (pickled bytes)
    buffered_bytes: int = 64 * 2**20


@dataclass(frozen=True)
class Lost:
    """A job whose worker gave no result: it died (`exitcode`: below 0, the signal that
    ended it), or it was stopped at the hard limit after `seconds` (`stopped`)."""

    exitcode: int | None = None
    stopped: bool = False
    seconds: float = 0.0

    def signal_name(self) -> str:
        if self.exitcode is None or self.exitcode >= 0:
            return ""
        try:
            return signal.Signals(-self.exitcode).name
        except ValueError:
            return f"signal {-self.exitcode}"


# Jobs a worker holds at once: the one it is on and the next, waiting in its pipe, so that
# it goes straight on while this process takes its result and hands out more (holding one,
# it waited for that, and a Kent run took 3-5% longer)
_DEPTH = 2


@dataclass
class _Worker:
    process: Any  # multiprocessing.Process (BaseProcess for the context's kind)
    conn: Connection
    jobs: deque[int] = field(default_factory=deque)  # indices: the first is the one it is on
    since: float = 0.0  # when it started on jobs[0] (time.monotonic)


def supervised(
    jobs: Sequence[Any],
    work: Callable[[Any], Any],
    initializer: Callable[..., None],
    initargs: tuple,
    settings: PoolSettings,
) -> Iterator[Any]:
    """`work(job)` for each job in worker processes (each calls `initializer(*initargs)`
    once first); yields each job's result, or `Lost`, in the jobs' order."""
    if not jobs:
        return
    context = multiprocessing.get_context()

    def start() -> _Worker:
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(theirs, work, initializer, initargs, os.getpid()),
            daemon=True,
        )
        process.start()
        theirs.close()  # else a worker's death would not end the pipe (nor later forks')
        return _Worker(process, ours)

    pool = [start() for _ in range(max(1, min(settings.workers, len(jobs))))]
    todo = deque(range(len(jobs)))  # not yet handed out (or handed to a worker that died)
    done: dict[int, bytes | Lost] = {}
    buffered = next_out = 0
    try:
        while True:
            _top_up(pool, todo, jobs, start, buffered, settings, next_out)
            while next_out in done:
                outcome = done.pop(next_out)
                next_out += 1
                if isinstance(outcome, bytes):
                    buffered -= len(outcome)
                    outcome = pickle.loads(outcome)
                yield outcome
            if next_out == len(jobs):
                return
            if not any(w.jobs for w in pool):  # what was just taken made room
                _top_up(pool, todo, jobs, start, buffered, settings, next_out)
            busy = [w for w in pool if w.jobs]
            assert busy, "the oldest job not yet done is always out with a worker"
            ready = set(
                wait(
                    [w.conn for w in busy] + [w.process.sentinel for w in busy],
                    _time_left(busy, settings.hard_limit),
                )
            )
            for i, worker in enumerate(pool):
                if not worker.jobs:
                    continue
                outcome = _outcome(worker, ready, settings.hard_limit)
                if outcome is None:
                    continue
                done[worker.jobs.popleft()] = outcome
                if isinstance(outcome, Lost):
                    todo.extendleft(reversed(worker.jobs))  # not started: for another worker
                    worker.conn.close()
                    pool[i] = start()
                else:
                    buffered += len(outcome)
                    worker.since = time.monotonic()  # on to its next job, if it holds one
    finally:
        _stop(pool)


def _top_up(
    pool: list[_Worker],
    todo: deque[int],
    jobs: Sequence[Any],
    start: Callable[[], _Worker],
    buffered: int,
    settings: PoolSettings,
    oldest: int,
) -> None:
    """Hand out jobs: each worker one, then each a second; none while the results held
    for order fill the buffer, except the oldest job, which the rest wait for."""
    for depth in range(1, _DEPTH + 1):
        for i, worker in enumerate(pool):
            room = buffered < settings.buffered_bytes or (todo and todo[0] == oldest)
            if todo and len(worker.jobs) < depth and room:
                pool[i], sent = _hand(worker, todo[0], jobs[todo[0]], start)
                if sent:
                    todo.popleft()


def _hand(
    worker: _Worker, index: int, job: Any, start: Callable[[], _Worker]
) -> tuple[_Worker, bool]:
    """Give a job to a worker, and whether it went: one that died while it held none is
    replaced first; one that died holding jobs is not sent this one (waiting finds it
    dead, and its jobs are dealt with there)."""
    try:
        worker.conn.send(job)
    except OSError:
        if worker.jobs:
            return worker, False
        worker.conn.close()
        worker.process.join()
        worker = start()
        worker.conn.send(job)
    if not worker.jobs:
        worker.since = time.monotonic()
    worker.jobs.append(index)
    return worker, True


def _time_left(busy: list[_Worker], hard_limit: float) -> float | None:
    if not hard_limit or not busy:
        return None
    oldest = min(w.since for w in busy)
    return max(0.0, oldest + hard_limit - time.monotonic())


def _outcome(worker: _Worker, ready: set, hard_limit: float) -> bytes | Lost | None:
    """The worker's result (pickled) if it sent one, `Lost` if it died or ran out of
    time, None while it is still at work."""
    if worker.conn in ready or worker.process.sentinel in ready:
        try:
            if worker.conn.poll():
                return worker.conn.recv_bytes()
        except (EOFError, OSError):
            pass  # it died while sending
        worker.process.join(timeout=5)
        if worker.process.is_alive():  # its pipe broke, yet it lives on: stop it
            worker.process.kill()
            worker.process.join()
        return Lost(exitcode=worker.process.exitcode)
    elapsed = time.monotonic() - worker.since
    if hard_limit and elapsed >= hard_limit:
        worker.process.kill()
        worker.process.join()
        return Lost(stopped=True, seconds=elapsed)
    return None


def _stop(pool: list[_Worker]) -> None:
    """Idle workers are asked to leave; any still at work (the batch was cut short) are
    killed."""
    for worker in pool:
        if not worker.jobs:
            try:
                worker.conn.send(None)
                continue
            except OSError:
                pass
        worker.process.kill()
    for worker in pool:
        worker.process.join()
        worker.conn.close()


def _serve(
    conn: Connection,
    work: Callable[[Any], Any],
    initializer: Callable[..., None],
    initargs: tuple,
    parent: int,
) -> None:
    """A worker's life: build once, then a job at a time until told to stop (None), or
    until the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    initializer(*initargs)
    while True:
        while not conn.poll(1.0):
            if os.getppid() != parent:
                return
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        conn.send_bytes(pickle.dumps(work(job), protocol=pickle.HIGHEST_PROTOCOL))
