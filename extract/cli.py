"""The command line: a thin layer over `extract.batch`; `main(argv)` returns the exit code.

Exit codes: 0 the batch completed (failed files are recorded, not fatal); 1 with --strict
when any file failed; 2 a usage error, with a message that says what to do; 130 the run
was interrupted (Ctrl-C), its output folder left as it was.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from extract import __version__
from extract.settings import (
    IngestSettings,
    PdfSettings,
    PdfTextEngine,
    RunSettings,
    TableFinder,
    TableSettings,
)

if TYPE_CHECKING:
    from extract.models import Status

DEFAULT_INPUT = Path("corpus")
DEFAULT_OUTPUT = Path("outputs")
DEFAULT_GOLD = Path("tests/gold")
DEFAULT_CACHE = Path(".cache/committee-papers")


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="committee-papers",
        description="Turn archived council committee papers (PDF, text, Markdown) into a dataset.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    run = sub.add_parser(
        "run",
        help="read papers and write the dataset",
        description="Read every PDF, .txt and .md file under PATH (recursively) and write the "
        "dataset to --out. Failed files get an error row; the batch goes on.",
    )
    run.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help=f"files or folders of papers (default: {DEFAULT_INPUT}/)",
    )
    _add_out(run)
    run.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes to read papers with (default: all cores)",
    )
    run.add_argument(
        "--pdf-text",
        choices=[e.value for e in PdfTextEngine],
        default=PdfTextEngine.PDFIUM.value,
        help="engine for PDF body text (default: pdfium, ~70x faster; pdfplumber for comparison)",
    )
    run.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help=f"per-document results kept for re-runs and resumes (default: {DEFAULT_CACHE})",
    )
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    run.add_argument(
        "--force", action="store_true", help="reprocess every file (refreshes the cache)"
    )
    run.add_argument(
        "--timeout-per-doc",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="give up on one paper after this long, with an error row (default: 120)",
    )
    run.add_argument(
        "--scheduler",
        default="",
        metavar="tcp://HOST:PORT",
        help="run on a Dask distributed cluster, a document per task (same outputs)",
    )
    run.add_argument(
        "--layout-pages",
        type=int,
        default=0,
        metavar="N",
        help="keep pdfplumber word boxes for the first N pages of each PDF (default 0)",
    )
    run.add_argument(
        "--ocr",
        action="store_true",
        help="OCR scanned PDFs with ocrmypdf (apt-get install ocrmypdf tesseract-ocr-eng)",
    )
    run.add_argument(
        "--no-tables",
        action="store_true",
        help="skip PDF table extraction: about 4x faster on table-heavy archives; "
        "tables.csv, table_cells.csv and action_items.csv then hold text tables only",
    )
    run.add_argument(
        "--table-finder",
        choices=[f.value for f in TableFinder],
        default=TableFinder.PDFIUM.value,
        help="who reads ruled tables: pdfplumber's algorithm on PDFium's paths and characters "
        "(pdfium, default), or pdfplumber end to end (pdfplumber: ~3x slower, for comparison)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument("--verbose", action="store_true", help="one status line per document")
    run.add_argument("--strict", action="store_true", help="exit 1 if any file failed")

    ev = sub.add_parser(
        "evaluate",
        help="score extraction against the gold annotations",
        description="Process the gold-annotated papers and print precision, recall and F1 "
        "per field, then a micro-average.",
    )
    ev.add_argument(
        "--gold", type=Path, default=DEFAULT_GOLD, help=f"gold folder (default: {DEFAULT_GOLD}/)"
    )
    ev.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_INPUT,
        help=f"papers folder (default: {DEFAULT_INPUT}/)",
    )
    ev.add_argument("--misses", action="store_true", help="also list every missed and extra item")
    ev.add_argument(
        "--save-scores", type=Path, metavar="FILE", help="write the F1 per field as JSON"
    )

    tr = sub.add_parser(
        "trace",
        help="print one review's timeline with the sentences behind every figure",
        description="The timeline of one review: each meeting, the figures, the quoted "
        "sentence, the paper and page. Names are matched loosely.",
    )
    tr.add_argument("review", help='name, alias or id, e.g. "Shae and Ashley"')
    _add_out(tr)

    q = sub.add_parser(
        "query",
        help="run SQL over the dataset (DuckDB)",
        description="SQL over the output tables, each a view of the same name "
        "(documents, review_progress, action_counts, …).",
    )
    q.add_argument(
        "sql", help='e.g. "SELECT review_id, meeting_date, complete FROM review_progress"'
    )
    _add_out(q)
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")

    rp = sub.add_parser(
        "report",
        help="write report.html (offline) and charts/*.png into the dataset folder",
        description="A self-contained HTML report: a progress chart per review, a timeline "
        "of events, the documents with their status and warnings; charts also as PNG.",
    )
    _add_out(rp)
    return parser


def _add_out(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"dataset folder (default: {DEFAULT_OUTPUT}/)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command == "trace":
            return _trace(args)
        if args.command == "query":
            return _query(args)
        if args.command == "report":
            return _report(args)
    except UsageError as exc:
        print(f"committee-papers: error: {exc}", file=sys.stderr)
        return 2
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse guards
    return 2


@contextlib.contextmanager
def _pipeline_imported() -> Iterator[None]:
    """The pipeline (spaCy, pandas, pdfplumber, pyarrow) is imported for a run only, so
    that `query`, `trace` and `report` start at once. Its imports make some 300,000
    objects that live as long as the process and almost no garbage: they are made with
    the collector paused and then frozen out of its passes for the run (its passes over
    them cost 0.1 s of the 1.25 s the imports take), and unfrozen when it is done."""
    if "extract.batch" in sys.modules:  # (a process that has run before)
        yield
        return
    gc.disable()
    try:
        importlib.import_module("extract.batch")  # (which imports the rest)
    finally:
        gc.freeze()
        gc.enable()
    try:
        yield
    finally:
        gc.unfreeze()


def _run(args: argparse.Namespace) -> int:
    with _pipeline_imported():
        return _run_batch(args)


def _run_batch(args: argparse.Namespace) -> int:
    from extract.batch import run_batch
    from extract.ingest.ocr import INSTALL_HINT, ocr_available
    from extract.write import OutputFolderError, check_output_folder

    paths = args.paths or [DEFAULT_INPUT]
    for p in paths:
        if not p.exists():
            hint = (
                "run from the project folder, or give the folder of papers to read"
                if not args.paths
                else "check the path"
            )
            raise UsageError(f"input path '{p}' does not exist; {hint}")
    if args.workers < 1:
        raise UsageError("--workers must be 1 or more")
    if args.timeout_per_doc < 0:
        raise UsageError("--timeout-per-doc must be 0 (no limit) or more seconds")
    try:
        check_output_folder(args.out)
    except OutputFolderError as exc:
        raise UsageError(str(exc)) from exc
    if args.ocr and not ocr_available():
        print(
            f"note: --ocr: ocrmypdf is not installed; scans stay unread ({INSTALL_HINT})",
            file=sys.stderr,
        )
    settings = RunSettings(
        ingest=IngestSettings(
            pdf=PdfSettings(
                text_engine=PdfTextEngine(args.pdf_text),
                layout_pages=args.layout_pages,
                tables=TableSettings(pdf=not args.no_tables, finder=TableFinder(args.table_finder)),
            ),
            ocr=args.ocr,
        ),
        workers=args.workers,
        cache_dir=None if args.no_cache else args.cache,
        force=args.force,
        timeout_per_doc=args.timeout_per_doc,
        scheduler=args.scheduler,
    )
    progress = _Progress(quiet=args.quiet, verbose=args.verbose)
    try:
        summary = run_batch(paths, args.out, settings, progress=progress)
    except KeyboardInterrupt:
        summary = None
    finally:
        progress.close()
    if summary is None:
        resume = (
            "; the papers read so far are cached: run again to go on" if settings.cache_dir else ""
        )
        print(f"interrupted: {args.out} is as it was before the run{resume}", file=sys.stderr)
        return 130
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    if summary.skipped:
        skipped = ", ".join(f"{n} {suffix}" for suffix, n in summary.skipped.items())
        print(f"skipped files of other types: {skipped}", file=sys.stderr)
    print(summary.line())
    if summary.failed:
        print(f"{summary.failed} file(s) failed: see {args.out / 'errors.csv'}", file=sys.stderr)
    return 1 if args.strict and summary.failed else 0


def _evaluate(args: argparse.Namespace) -> int:
    from extract.evaluate import evaluate, load_gold

    for p, what in ((args.gold, "gold"), (args.corpus, "corpus")):
        if not p.is_dir():
            raise UsageError(
                f"--{what} {p} is not a folder; run from the project folder or pass --{what}"
            )
    if not load_gold(args.gold):
        raise UsageError(f"no gold annotations (*.json) under {args.gold}")
    result = evaluate(args.gold, args.corpus)
    if args.misses:
        print("\n".join(result.misses))
        print()
    print(result.table())
    if args.save_scores:
        args.save_scores.write_text(
            json.dumps(result.f1_by_field(), indent=2) + "\n", encoding="utf-8"
        )
    return 0


def _trace(args: argparse.Namespace) -> int:
    from extract.trace import NoSuchReview, trace

    if not (args.out / "reviews.csv").is_file():
        raise UsageError(
            f"no dataset in {args.out}: run `committee-papers run` first, or pass --out"
        )
    try:
        print(trace(args.out, args.review), end="")
    except NoSuchReview as exc:
        print(f"committee-papers: {exc}", file=sys.stderr)
        return 1
    return 0


def _query(args: argparse.Namespace) -> int:
    from extract.query import QueryError, run_query

    try:
        print(run_query(args.out, args.sql, args.format), end="")
    except QueryError as exc:
        raise UsageError(str(exc)) from exc
    return 0


def _report(args: argparse.Namespace) -> int:
    from extract.report import ReportError, build_report

    try:
        path = build_report(args.out)
    except ReportError as exc:
        raise UsageError(str(exc)) from exc
    print(f"wrote {path}")
    return 0


class _Progress:
    """A tqdm bar on a terminal; per-document lines with --verbose; nothing with --quiet."""

    def __init__(self, *, quiet: bool, verbose: bool):
        self.verbose = verbose
        self.show_bar = not quiet and not verbose and sys.stderr.isatty()
        self.bar = None

    def start(self, total: int) -> None:
        if self.show_bar:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", desc="papers", file=sys.stderr)

    def update(self, source_path: str, status: Status) -> None:
        if self.verbose:
            print(f"{status.value:<9} {source_path}", file=sys.stderr)
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
