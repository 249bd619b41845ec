"""Benchmark: the whole pipeline over the Kent set and the corpus, against bare extraction.

    .venv/bin/python bench/bench.py [--kent ../shared/kent] [--plumber-pages 150]
                                    [--repeat 3] [--plumber-tables] [--python-loops]

Prints, from one run: docs/s and pages/s with 1 and 2 workers, cold and warm cache, peak
RSS (the main process, and the largest worker); and, on the same PDFs, bare pypdfium2
text extraction (before the runs and after them: the machine's speed drifts) and bare
pdfplumber extract_text (on the first N pages only: it runs at a few pages a second) as
the floor, with the ratios; and bare pypdfium2 in two processes, for what two cores of
the machine give at best. The Kent cold runs of 1 and 2 workers are run `--repeat`
times, side by side, and the ratios taken from their medians (the machine's speed
drifts). Start-up (imports, rule loading, dateparser's data) is reported apart; the
runs' figures include their own (each worker builds its rules and spaCy), and the
one-worker ratio is printed again without it, as #6 sets its target.
`--plumber-tables` adds a cold one-worker run with ruled tables found by pdfplumber end
to end (the reader before ingest/ruled.py), for the before/after ratio;
`--python-loops` one with PDFium's per-character and per-path loops in Python, as on a
machine that could not build the C extension. `--dask` ends with the Kent cold runs on a
Dask LocalCluster of two one-thread worker processes on this machine (`--scheduler`).
Figures, not assertions: nothing here fails.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _bare_pages(path: Path) -> int:
    """The pages of one PDF read as bare pypdfium2 reads them: each page's whole text."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(path.read_bytes())
    except pdfium.PdfiumError:
        return 0
    for i in range(len(doc)):
        doc[i].get_textpage().get_text_range()
    pages = len(doc)
    doc.close()
    return pages


def bare_pdfium(pdfs: list[Path]) -> tuple[int, float]:
    started = time.perf_counter()
    pages = sum(map(_bare_pages, pdfs))
    return pages, time.perf_counter() - started


def bare_pdfium_two(pdfs: list[Path]) -> float:
    """Seconds for bare pypdfium2 over the PDFs in two processes, a file each at a time,
    the processes started (and their first pages read) before the clock: how much two
    cores of this machine give work that shares nothing."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_bare_pages, pdfs[:4]))
        started = time.perf_counter()
        sum(pool.map(_bare_pages, pdfs, chunksize=1))
        return time.perf_counter() - started


def bare_pdfplumber(pdfs: list[Path], limit: int) -> tuple[int, float]:
    import pdfplumber

    pages, started = 0, time.perf_counter()
    for path in pdfs:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
                if pages >= limit:
                    return pages, time.perf_counter() - started
    return pages, time.perf_counter() - started


@contextlib.contextmanager
def build_seconds() -> Iterator[list[float]]:
    """The seconds spent building processors in this process (a one-worker run's
    start-up: its rules and spaCy), counted while the block runs."""
    from extract.process import Processor

    spent = [0.0]
    original = Processor.__dict__["build"]

    def build(cls, settings):
        started = time.perf_counter()
        try:
            return original.__func__(cls, settings)
        finally:
            spent[0] += time.perf_counter() - started

    Processor.build = classmethod(build)
    try:
        yield spent
    finally:
        Processor.build = original


def _spread(values: list[float], unit: str) -> str:
    """The median and, with more than one value, the range: "7.31 s [7.20-7.52]"."""
    mid = statistics.median(values)
    if len(values) == 1:
        return f"{mid:.2f}{'' if unit == 'x' else ' '}{unit}"
    low, high = min(values), max(values)
    return f"{mid:.2f}{'' if unit == 'x' else ' '}{unit} [{low:.2f}-{high:.2f}]"


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kent", type=Path, default=ROOT.parent / "shared" / "kent")
    parser.add_argument("--plumber-pages", type=int, default=150)
    parser.add_argument(
        "--repeat", type=int, default=3, help="Kent cold runs of 1 and 2 workers (pairs)"
    )
    parser.add_argument("--plumber-tables", action="store_true")
    parser.add_argument(
        "--python-loops", action="store_true", help="add a cold run without the C loops"
    )
    parser.add_argument("--dask", action="store_true", help="add runs on a Dask LocalCluster")
    args = parser.parse_args()
    if not args.kent.is_dir():
        sys.exit(f"bench: no Kent set at {args.kent}; pass --kent DIR")

    t = time.perf_counter()
    from extract.batch import run_batch
    from extract.process import Processor
    from extract.settings import (
        IngestSettings,
        PdfSettings,
        RunSettings,
        TableFinder,
        TableSettings,
    )

    imports = time.perf_counter() - t
    t = time.perf_counter()
    Processor.build(IngestSettings())
    startup = time.perf_counter() - t
    # dateparser loads its English data at its first parse, once a process: only for a
    # date whose reading we do not know without it (none of Kent's since run L; it had two
    # papers with one). Paid here as the start-up it is, so that a run meeting one would
    # not pay it and another not (workers fork from this process)
    from extract.facts.dates import _numeric_parser

    t = time.perf_counter()
    _numeric_parser().get_date_data("31/12/1999")
    dateparser_load = time.perf_counter() - t

    print(
        f"machine: {platform.machine()}, {platform.python_version()}, cpus={shutil.os.cpu_count()}"
    )
    print(
        f"start-up: imports {imports:.2f} s, rules and spaCy {startup:.2f} s (once per worker), "
        f"dateparser's data {dateparser_load:.2f} s (at its first parse)"
    )
    from extract.ingest import pdfium_loops, ruled

    built = "built" if pdfium_loops.compiled else "NOT built: PDFium loops run in Python"
    print(f"C loops (extract/ingest/_pdfium_loops.c): {built}")
    built = "built" if ruled._geometry else "NOT built: table geometry runs in Python"
    print(f"C geometry (extract/ingest/_geometry.c): {built}")
    pdfs = sorted(args.kent.rglob("*.pdf"))
    # the pages the pipeline reads: one copy of each file (it reads an exact duplicate's
    # pages once). Kent's duplicates read slower than the rest (467 pages/s against 612):
    # counting them made the floor look slower than it is on the pipeline's pages
    read = list({hashlib.sha256(p.read_bytes()).digest(): p for p in reversed(pdfs)}.values())
    read.sort()
    # the floor, before the runs and again after them: the machine's speed drifts, and the
    # ratio is taken against the two together. A first pass, not measured, pays what only
    # the first reading in a process pays (the files from disk, PDFium's first fonts):
    # start-up, as the pipeline's own is
    bare_pdfium(read)
    before = bare_pdfium(read)

    rows = []
    # each Kent pair: (1 worker s, 2 workers s, the 1-worker run's build s, bare pypdfium2
    # s on the same pages just before the pair)
    pairs = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, paths in (("kent", [args.kent]), ("corpus", [ROOT / "corpus"])):
            cache = Path(tmp) / f"cache-{label}"
            for workers in (1, 2):
                for temp in ("cold", "warm"):
                    if temp == "cold":
                        shutil.rmtree(cache, ignore_errors=True)
                    settings = RunSettings(workers=workers, cache_dir=cache)
                    # warm: the same --out again, as a re-run over an unchanged archive
                    out = Path(tmp) / f"out-{label}-{workers}"
                    with build_seconds() as built:
                        s = run_batch(paths, out, settings)
                    if (label, workers, temp) == ("kent", 1, "cold"):
                        startup_one = built[0]
                    rows.append((label, workers, temp, s.documents, s.pages, s.elapsed))
        pairs.append((rows[0][5], rows[2][5], startup_one, before[1]))
        # the Kent cold runs again, one worker then two: the machine's speed drifts (and
        # now and then stalls), so the ratios are taken from the medians of pairs run
        # side by side, not from one run of each
        for rep in range(1, args.repeat):
            floor = bare_pdfium(read)
            elapsed = []
            for workers in (1, 2):
                cache = Path(tmp) / f"cache-rep{rep}-{workers}"
                settings = RunSettings(workers=workers, cache_dir=cache)
                with build_seconds() as built:
                    s = run_batch([args.kent], Path(tmp) / f"out-rep{rep}-{workers}", settings)
                elapsed.append(s.elapsed)
                if workers == 1:
                    startup = built[0]
            pairs.append((*elapsed, startup, floor[1]))
        # the cost of PDF tables: the same cold run with pdfplumber's table search off
        no_tables = IngestSettings(pdf=PdfSettings(tables=TableSettings(pdf=False)))
        settings = RunSettings(ingest=no_tables, workers=1, cache_dir=None)
        s = run_batch([args.kent], Path(tmp) / "out-notables", settings)
        rows.append(("kent-nt", 1, "cold", s.documents, s.pages, s.elapsed))
        if args.python_loops:
            python = IngestSettings(pdf=PdfSettings(tables=TableSettings(c_loops=False)))
            settings = RunSettings(ingest=python, workers=1, cache_dir=None)
            s = run_batch([args.kent], Path(tmp) / "out-python", settings)
            rows.append(("kent-py", 1, "cold", s.documents, s.pages, s.elapsed))
        if args.plumber_tables:
            plumber = TableSettings(finder=TableFinder.PDFPLUMBER)
            ingest = IngestSettings(pdf=PdfSettings(tables=plumber))
            settings = RunSettings(ingest=ingest, workers=1, cache_dir=None)
            s = run_batch([args.kent], Path(tmp) / "out-plumber", settings)
            rows.append(("kent-pt", 1, "cold", s.documents, s.pages, s.elapsed))
    pipeline = {(r[0], r[1], r[2]): r for r in rows}

    print("\nwhole pipeline (elapsed as the run reports it; start-up of workers included)")
    head = ("set", "workers", "cache", "docs", "pages", "s", "docs/s", "pages/s")
    print("{:<7} {:>7} {:>5} {:>5} {:>6} {:>7} {:>7} {:>8}".format(*head))
    for label, workers, temp, docs, pages, elapsed in rows:
        print(
            f"{label:<7} {workers:>7} {temp:>5} {docs:>5} {pages:>6} {elapsed:>7.2f} "
            f"{docs / elapsed:>7.1f} {pages / elapsed:>8.1f}"
        )
    one, two = pipeline[("kent", 1, "cold")], pipeline[("kent", 2, "cold")]
    ones, twos = [p[0] for p in pairs], [p[1] for p in pairs]
    scalings = [a / b for a, b, _, _ in pairs]
    print(
        f"kent, cold, {len(pairs)} runs of each, alternated: 1 worker {_spread(ones, 's')}, "
        f"2 workers {_spread(twos, 's')}"
    )
    scaling = statistics.median(scalings)
    print(f"2 workers vs 1 (kent, cold, pair by pair): {_spread(scalings, 'x')}")
    # the one-worker figures below: the median run (its own build with it)
    median_one = sorted(pairs)[len(pairs) // 2]
    one = (*one[:5], median_one[0])
    startup_one = median_one[2]
    warm = pipeline[("kent", 2, "warm")]
    print(f"warm vs cold (kent, 2 workers): {100 * warm[5] / two[5]:.1f}% of the time")
    print(
        f"peak RSS: main {peak_rss_mb(resource.RUSAGE_SELF):.0f} MB, "
        f"largest worker {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB"
    )

    after = bare_pdfium(read)
    two_cores = bare_pdfium_two(read)
    pdfium_pages, pdfium_s = before[0] + after[0], before[1] + after[1]
    plumber_pages, plumber_s = bare_pdfplumber(pdfs, args.plumber_pages)
    print(
        f"\nfloor, the same pages ({len(read)} of the {len(pdfs)} PDFs: a copy of each), one core"
    )
    pdfium_rate = pdfium_pages / pdfium_s
    print(
        f"bare pypdfium2: {after[0]} pages in {before[1]:.2f} s before the runs and "
        f"{after[1]:.2f} s after = {pdfium_rate:.0f} pages/s "
        f"({before[0] / before[1]:.0f} and {after[0] / after[1]:.0f})"
    )
    print(
        f"bare pypdfium2 in 2 processes: {two_cores:.2f} s = {after[1] / two_cores:.2f}x one "
        f"(the machine's own ceiling for 2 workers; the pipeline's: {scaling:.2f}x)"
    )
    print(
        f"bare pdfplumber extract_text: {plumber_pages} pages in {plumber_s:.2f} s = "
        f"{plumber_pages / plumber_s:.1f} pages/s"
    )
    pipeline_rate = one[4] / one[5]
    nt = pipeline[("kent-nt", 1, "cold")]
    print(
        f"PDF tables cost (kent, 1 worker, cold): {one[5]:.1f} s with, {nt[5]:.1f} s without "
        f"(--no-tables): {one[5] / nt[5]:.1f}x; without them {nt[4] / nt[5]:.0f} pages/s = "
        f"1/{pdfium_rate / (nt[4] / nt[5]):.2f} of bare pypdfium2"
    )
    if ("kent-py", 1, "cold") in pipeline:
        py = pipeline[("kent-py", 1, "cold")]
        print(
            f"PDFium loops in Python, not C (kent, 1 worker, cold): {py[5]:.1f} s; "
            f"with the C loops {one[5]:.1f} s ({py[5] / one[5]:.2f}x faster)"
        )
    if ("kent-pt", 1, "cold") in pipeline:
        pt = pipeline[("kent-pt", 1, "cold")]
        print(
            f"ruled tables by pdfplumber end to end (kent, 1 worker, cold): {pt[5]:.1f} s; "
            f"PDFium's paths and characters: {one[5]:.1f} s ({pt[5] / one[5]:.1f}x faster)"
        )
    print(
        f"pipeline, 1 worker: {pipeline_rate:.0f} pages/s = 1/{pdfium_rate / pipeline_rate:.2f} "
        f"of bare pypdfium2, {pipeline_rate / (plumber_pages / plumber_s):.0f}x bare pdfplumber"
    )
    # the target #6 sets is "start-up excluded": the run less its own building of the
    # rules and spaCy (the imports are outside the run already)
    net_rate = one[4] / (one[5] - startup_one)
    print(
        f"pipeline, 1 worker, start-up excluded (the run built its rules and spaCy in "
        f"{startup_one:.2f} s): {net_rate:.0f} pages/s = 1/{pdfium_rate / net_rate:.2f} "
        "of bare pypdfium2"
    )
    # the same, each one-worker run against the bare pypdfium2 run just before it: the
    # machine's speed drifts by as much as the margin (the floor before and after the runs
    # differed by up to 16%), and a ratio of two runs side by side drifts less
    pages = after[0] / one[4]  # (the same pages, 1.0: both read one copy of each file)
    side = [pages * a / f for a, _, _, f in pairs]
    net = [pages * (a - b) / f for a, _, b, f in pairs]
    print(
        f"pipeline, 1 worker, against bare pypdfium2 run just before it, pair by pair: "
        f"{_spread(side, 'x')}; start-up excluded {_spread(net, 'x')}"
    )
    if args.dask:
        times = dask_runs(args.kent, args.repeat)
        print(
            f"\nDask LocalCluster, 2 one-thread workers on this machine (kent, cold, no cache, "
            f"{len(times)} runs; the first includes the workers' build): {_spread(times, 's')}; "
            f"the local pool of 2 workers: {_spread(twos, 's')}"
        )


def dask_runs(kent: Path, repeat: int) -> list[float]:
    """Kent cold through `--scheduler`: every file's bytes go to the cluster and back."""
    from distributed import LocalCluster

    from extract.batch import run_batch
    from extract.settings import RunSettings

    times = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
    ):
        for rep in range(repeat):
            settings = RunSettings(scheduler=cluster.scheduler_address)
            times.append(run_batch([kent], Path(tmp) / f"dask-{rep}", settings).elapsed)
    return times


if __name__ == "__main__":
    main()
