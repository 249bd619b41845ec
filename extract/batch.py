"""A batch: discover -> hash and deduplicate -> process each paper -> write the dataset."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import json
import platform
import re
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from extract import __version__
from extract.cache import ResultCache, pipeline_version
from extract.discover import Discovery, InputFile, discover
from extract.link import MinuteKey, link, link_minutes
from extract.manifest import ManifestError, merge, read_manifest
from extract.models import DateSource, DocumentRow, ErrorRow, ErrorType, Problem, Status
from extract.pool import Lost, PoolSettings, supervised
from extract.process import DocumentResult, PackPart, Processor, source_format_of
from extract.schema import TableSchema
from extract.settings import RunSettings
from extract.tables import (
    DOCUMENTS,
    ERRORS,
    FACT_TABLES,
    MINUTE_LINKS,
    REVIEW_PROGRESS,
    REVIEWS,
    STRUCTURE_TABLES,
    TABLES,
)
from extract.write import DatasetWriter, RowSpool, data_dictionary, datapackage

# Names that mark a file as a copy of another: "x_1.pdf", "x (2).pdf", "x - Copy.pdf",
# and URL-encoded names saved by browsers.
_COPY_MARK = re.compile(r"(?:[_ ]\(?\d{1,2}\)?| - Copy(?: \(\d+\))?)$|%20", re.IGNORECASE)


class Progress(Protocol):
    """Told how many files there are, then of each document as it is done."""

    def start(self, total: int) -> None: ...

    def update(self, source_path: str, status: Status) -> None: ...


@dataclass
class Summary:
    documents: int = 0
    ok: int = 0
    partial: int = 0
    failed: int = 0
    duplicates: int = 0
    pages: int = 0
    papers_in_packs: int = 0  # rows of their own besides the packs' rows
    elapsed: float = 0.0
    skipped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"documents: {self.documents}, ok: {self.ok}, partial: {self.partial}, "
            f"failed: {self.failed}, duplicates: {self.duplicates}, pages: {self.pages}, "
            + (f"papers in packs: {self.papers_in_packs}, " if self.papers_in_packs else "")
            + f"elapsed: {self.elapsed:.1f}s"
        )


@dataclass
class _Item:
    file: InputFile
    sha256: str = ""
    read_error: str = ""
    doc_id: str = ""
    duplicate_of: _Item | None = None


def doc_id_for(sha256: str) -> str:
    return sha256[:16]


def _copy_penalty(item: _Item) -> tuple[int, int, str]:
    stem = Path(item.file.source_path).stem
    return (1 if _COPY_MARK.search(stem) else 0, len(stem), item.file.source_path)


def _hash(items: list[_Item]) -> None:
    for item in items:
        try:
            item.sha256 = hashlib.sha256(item.file.path.read_bytes()).hexdigest()
        except OSError as exc:
            item.read_error = exc.strerror or str(exc)
            key = f"unreadable:{item.file.source_path}".encode()
            item.sha256 = ""
            item.doc_id = "x" + hashlib.sha256(key).hexdigest()[:15]


def _assign_ids(items: list[_Item]) -> None:
    """The canonical copy of each content gets the bare content id; copies a suffix."""
    groups: dict[str, list[_Item]] = {}
    for item in items:
        if item.sha256:
            groups.setdefault(item.sha256, []).append(item)
    for sha, group in groups.items():
        group.sort(key=_copy_penalty)
        first = group[0]
        first.doc_id = doc_id_for(sha)
        for copy in group[1:]:
            path_hash = hashlib.sha256(copy.file.source_path.encode()).hexdigest()[:6]
            copy.doc_id = f"{first.doc_id}-{path_hash}"
            copy.duplicate_of = first


# One Processor per worker process, built by the pool's initializer: the rules (and later
# the spaCy pipeline) are compiled once per worker, not once per document.
_worker: Processor | None = None
_timeout: float = 0.0


def _init_worker(settings: RunSettings) -> None:
    global _worker, _timeout
    _worker = Processor.build(settings.ingest)
    _timeout = settings.timeout_per_doc
    gc.freeze()  # the worker's start-up objects live as long as it: see _quiet_collector
    gc.set_threshold(_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def _work(job: tuple[Path, str]) -> DocumentResult:
    assert _worker is not None
    path, doc_id = job
    return _kept(_worker.process(path, path.read_bytes(), doc_id, _timeout))


def _kept(result: DocumentResult) -> DocumentResult:
    """What a batch keeps of a result: the normalised text, not the raw text and the map
    back to it (the rows carry their raw spans already); each table's row, not its grid
    of cells (the cells are table_cells rows already). Most of a result's bytes, and most
    of the time the one process that writes the dataset took to read them."""
    text, structure, facts = result.text, result.structure, result.facts
    if text is not None:
        text = replace(text, raw="", offsets=None)
    spooled: dict[str, bytes] = {}
    if structure is not None:
        hollow = [
            replace(t, grid=replace(t.grid, rows=[], boxes={}, bold=[]))
            for t in structure.found_tables
        ]
        for name, table in STRUCTURE_TABLES.items():
            spooled[name] = RowSpool.pack(_spool_values(table, getattr(structure, name)))
        # the spooled rows go as values; the minute items' records stay (linking reads
        # them), and each table's row with its found table (`tables` reads them there)
        kept = {"minute_items", "tables"}
        emptied = {name: [] for name in STRUCTURE_TABLES if name not in kept}
        structure = replace(structure, found_tables=hollow, **emptied)
    if facts is not None:
        for name, table in FACT_TABLES.items():
            if name not in _LINKED:
                spooled[name] = RowSpool.pack(_spool_values(table, getattr(facts, name)))
        facts = replace(facts, **{name: [] for name in FACT_TABLES if name not in _LINKED})
    parts = [replace(p, result=_kept(p.result)) for p in result.parts]
    return replace(
        result,
        text=text,
        structure=structure,
        facts=facts,
        parts=parts,
        spooled=spooled if structure is not None or facts is not None else None,
    )


# A Dask worker process may run tasks on several threads; a Processor is not to be shared
# between threads (its caches, spaCy's), and the pipeline is Python, holding the GIL: the
# process reads one paper at a time, whatever its threads.
_one_at_a_time = threading.Lock()


def _on_dask_worker(settings: RunSettings, path: str, data: bytes, doc_id: str) -> DocumentResult:
    """One document on a Dask worker; the Processor is built once per worker process."""
    with _one_at_a_time:
        if _worker is None:
            _init_worker(settings)
        assert _worker is not None
        return _kept(_worker.process(Path(path), data, doc_id, _timeout))


def _processed_on_dask(
    jobs: list[tuple[Path, str]], settings: RunSettings, notes: list[str]
) -> Iterator[DocumentResult]:
    """The same documents as tasks on a Dask cluster. The bytes travel with the task (the
    workers need not see our disk). A few tasks per worker are in flight, topped up as
    each result is taken in order, so the workers are kept busy and memory stays flat
    however large the batch."""
    from distributed import Client

    with Client(settings.scheduler) as client:
        threaded = sum(1 for w in client.scheduler_info()["workers"].values() if w["nthreads"] > 1)
        if threaded:
            notes.append(
                f"{threaded} Dask worker(s) have more than one thread; each reads one paper at "
                "a time. Start workers with --nthreads 1 --nworkers N to use every core"
            )
        pending: deque[tuple[Path, Any]] = deque()
        for path, doc_id in jobs:
            # (the workers are counted again each time: a cluster may grow or shrink)
            while len(pending) >= max(4, 4 * len(client.scheduler_info()["workers"])):
                yield _from_dask(*pending.popleft())
            data = path.read_bytes()
            future = client.submit(_on_dask_worker, settings, str(path), data, doc_id, pure=False)
            pending.append((path, future))
        while pending:
            yield _from_dask(*pending.popleft())


def _from_dask(path: Path, future: Any) -> DocumentResult:
    """A task's result; an error row if the paper killed every worker it was given to
    (Dask tries it on a few before it gives up)."""
    from distributed.scheduler import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        return _failed(
            path,
            ErrorType.WORKER_DIED,
            f"each of the {exc.allowed_failures + 1} Dask workers that read it died (Dask's "
            f"KilledWorker){_WENT_ON}",
        )


def _processed(
    jobs: list[tuple[Path, str]], settings: RunSettings, notes: list[str]
) -> Iterator[DocumentResult]:
    if not jobs:
        return
    if settings.scheduler:
        yield from _processed_on_dask(jobs, settings, notes)
        return
    if settings.workers <= 1 or len(jobs) <= 1:
        processor = Processor.build(settings.ingest)
        gc.freeze()  # as a worker's (_init_worker): it outlives every document
        timeout = settings.timeout_per_doc
        for path, doc_id in jobs:
            yield _kept(processor.process(path, path.read_bytes(), doc_id, timeout))
        return
    pool = PoolSettings(settings.workers, hard_limit=_hard_limit(settings.timeout_per_doc))
    outcomes = supervised(jobs, _work, _init_worker, (settings,), pool)
    for (path, _), outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, Lost):
            outcome = _lost(path, outcome, settings.timeout_per_doc)
        yield outcome


# A worker is stopped this long after --timeout-per-doc: time for the limit inside it
# (which interrupts Python code and gives a timeout row of its own) to act first
_HARD_LIMIT_GRACE = 10.0


def _hard_limit(timeout: float) -> float:
    return timeout + _HARD_LIMIT_GRACE if timeout > 0 else 0.0


_WENT_ON = (
    "; the batch went on without it. If the file opens elsewhere, please report it with the file"
)


def _lost(path: Path, lost: Lost, timeout: float) -> DocumentResult:
    """The error row of a paper whose worker died or was stopped."""
    if lost.stopped:
        return _failed(
            path,
            ErrorType.TIMEOUT,
            f"its worker was stopped after {lost.seconds:.0f} s, stuck where the "
            f"{timeout:g} s limit could not interrupt it (in C code, such as PDFium's); "
            "if the file is sound, raise --timeout-per-doc",
        )
    name = lost.signal_name()
    why = {
        "SIGKILL": " (SIGKILL: most often the system running out of memory)",
        "SIGSEGV": " (SIGSEGV: a crash in C code, such as PDFium's)",
    }.get(name, f" ({name})" if name else f" (exit code {lost.exitcode})")
    return _failed(path, ErrorType.WORKER_DIED, f"the process reading it died{why}{_WENT_ON}")


def _failed(path: Path, error_type: ErrorType, message: str) -> DocumentResult:
    """A paper that gave nothing but its error row."""
    return DocumentResult(
        source_format_of(path), Status.FAILED, problems=[Problem(error_type, message)]
    )


# Python's collector looks at the young objects every 700 net new containers, and a paper
# makes hundreds of thousands of short-lived tuples and lists. Every 7,000, collections
# took 0.20 s of a one-worker Kent run in all, not 0.39 (fewer passes, and fewer objects
# that outlive one and reach the full passes).
_YOUNG_THRESHOLD = 7_000


@contextlib.contextmanager
def _quiet_collector() -> Iterator[None]:
    """The garbage collector while a batch runs (`run_batch`, from its first step to its
    last): the start-up objects (imports, rules, spaCy's vocabulary) outlive every
    document, so they are frozen out of its full passes, which went over all of them for
    nothing (0.3-0.5 s of a Kent run; one that fell just after the imports, before the
    workers started, cost 0.06 s on its own); and its young passes come ten times less
    often. As it was when the batch is done, so a process that runs batch after batch
    still frees what it made."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(_YOUNG_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


# failures that may not happen again: their results are not cached
_TRANSIENT = frozenset(
    {ErrorType.TIMEOUT, ErrorType.INTERNAL_ERROR, ErrorType.UNREADABLE, ErrorType.WORKER_DIED}
)


def _results(
    items: list[_Item], settings: RunSettings, cache: ResultCache | None, notes: list[str]
) -> Iterator[DocumentResult]:
    """Results in the order of `items`: from the cache where it has them, else processed
    (and then cached, unless they failed for a reason that may not last)."""
    cached = {}
    if cache is not None and not settings.force:
        for item in items:
            hit = cache.get(item.sha256, item.doc_id)
            if hit is not None:
                cached[item.doc_id] = hit
    jobs = [(i.file.path, i.doc_id) for i in items if i.doc_id not in cached]
    fresh = _processed(jobs, settings, notes)
    for item in items:
        if item.doc_id in cached:
            yield cached[item.doc_id]
            continue
        result = next(fresh)
        if cache is not None and not any(p.error_type in _TRANSIENT for p in result.problems):
            cache.put(item.sha256, item.doc_id, result)
        yield result


def _load_manifests(found: Discovery, root: Path, notes: list[str]) -> dict[str, dict[str, str]]:
    known: dict[str, dict[str, str]] = {}
    for path in found.manifests:
        try:
            known.update(read_manifest(path, root))
        except (ManifestError, OSError, UnicodeDecodeError) as exc:
            notes.append(f"manifest ignored: {exc}")
    paths = {f.source_path for f in found.files}
    missing = sorted(k for k in known if k not in paths)
    if missing:
        notes.append(f"manifest names {len(missing)} file(s) not found, e.g. {missing[0]}")
    return known


def run_batch(
    paths: list[Path],
    out: Path,
    settings: RunSettings,
    progress: Progress | None = None,
) -> Summary:
    with _quiet_collector():
        return _run_batch(paths, out, settings, progress)


def _run_batch(
    paths: list[Path], out: Path, settings: RunSettings, progress: Progress | None
) -> Summary:
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    found = discover(paths)
    root = found.files[0].root if found.files else paths[0]
    summary = Summary(skipped=dict(sorted(found.skipped.items())))
    summary.notes += [f"could not list {e}" for e in found.walk_errors]
    known = _load_manifests(found, root, summary.notes)

    items = [_Item(f) for f in found.files]
    _hash(items)
    _assign_ids(items)
    todo = [i for i in items if i.sha256 and i.duplicate_of is None]
    fingerprint = _fingerprint(items, found, settings)
    if settings.cache_dir is not None and not settings.force and _current(out, fingerprint):
        # nothing changed since the dataset in `out` was written: it is already the answer
        previous = json.loads((out / "run.json").read_text(encoding="utf-8"))
        summary = Summary(**previous["counts"], skipped=summary.skipped, notes=summary.notes)
        summary.notes.append("nothing changed since the last run: outputs are current")
        summary.elapsed = time.perf_counter() - started
        return summary
    if progress:
        progress.start(len(items))

    doc_rows: dict[str, DocumentRow] = {}
    error_rows: list[ErrorRow] = []
    # the facts the linker reads stay in memory (a few rows a paper); every other table
    # goes to the writer's spool as each result arrives
    fact_rows: dict[str, list] = {name: [] for name in _LINKED}
    review_names: dict[str, Counter] = {}
    review_status: dict[tuple[str, str], str] = {}
    minute_keys: list[MinuteKey] = []  # what link_minutes reads of the minute items
    cache = None
    if settings.cache_dir is not None:
        cache = ResultCache(settings.cache_dir, _settings_key(settings))
    with DatasetWriter(out) as writer:
        for item, result in zip(todo, _results(todo, settings, cache, summary.notes), strict=True):
            for doc_id, paper, part in _papers(item.doc_id, result):
                if paper.text is not None and settings.write_text:
                    writer.write_text(doc_id, paper.text.text)
                if paper.structure is not None:
                    for name, table in STRUCTURE_TABLES.items():
                        _spool(writer, table, doc_id, paper, getattr(paper.structure, name))
                    minute_keys += [
                        MinuteKey(m.doc_id, m.seq, m.minute_number, m.item_number, m.title)
                        for m in paper.structure.minute_items
                    ]
                if paper.facts is not None:
                    for name, table in FACT_TABLES.items():
                        if name in _LINKED:
                            fact_rows[name].extend(getattr(paper.facts, name))
                        else:
                            _spool(writer, table, doc_id, paper, getattr(paper.facts, name))
                    for rid, (name, _) in paper.facts.reviews.items():
                        review_names.setdefault(rid, Counter())[name] += 1
                    for rid, said in paper.facts.status.items():
                        review_status[(doc_id, rid)] = said
                doc_rows[doc_id] = _document_row(item, paper, known, part, item.doc_id)
            error_rows += _error_rows(item, result.problems)
            if progress:
                progress.update(item.file.source_path, result.status)
        for item in items:
            if item.read_error:
                result = _failed(
                    item.file.path,
                    ErrorType.UNREADABLE,
                    f"cannot read the file ({item.read_error}); check its permissions",
                )
                doc_rows[item.doc_id] = _document_row(item, result, known)
                error_rows += _error_rows(item, result.problems)
            elif item.duplicate_of is not None:
                doc_rows[item.doc_id] = _duplicate_row(
                    item, doc_rows[item.duplicate_of.doc_id], known
                )
            else:
                continue
            if progress:
                progress.update(item.file.source_path, Status(doc_rows[item.doc_id].status))

        documents = sorted(doc_rows.values(), key=lambda r: (r.source_path, r.part or 0))
        errors = sorted(
            error_rows, key=lambda r: (r.source_path, r.page or 0, r.error_type, r.message)
        )
        files = [r for r in documents if not r.parent_doc_id]
        if len(files) != len(found.files):
            summary.notes.append(
                f"BUG: {len(found.files)} input files but {len(files)} document rows"
            )
        tables: dict[str, Iterable] = {DOCUMENTS.name: documents, ERRORS.name: errors}
        for table in STRUCTURE_TABLES.values():
            tables[table.name] = writer.spool.table(table.name)
        linked = link(
            documents,
            fact_rows["review_mentions"],
            fact_rows["action_counts"],
            review_names,
            review_status,
            fact_rows["action_items"],
        )
        fact_rows["review_mentions"] = linked.mentions
        fact_rows["action_counts"] = linked.action_counts
        fact_rows["action_items"] = linked.action_items
        for name, table in FACT_TABLES.items():
            if name in _LINKED:
                tables[table.name] = sorted(fact_rows[name], key=_row_key)
            else:
                tables[table.name] = writer.spool.table(table.name)
        tables[REVIEWS.name] = linked.reviews
        tables[REVIEW_PROGRESS.name] = linked.progress
        tables[MINUTE_LINKS.name] = link_minutes(documents, minute_keys)
        writer.write_tables(TABLES, tables, processes=1 if settings.scheduler else settings.workers)
        writer.write_json("datapackage.json", datapackage(TABLES))
        writer.write_file("DATA_DICTIONARY.md", data_dictionary(TABLES))

        statuses = Counter(row.status for row in files)
        summary.documents = len(files)
        summary.papers_in_packs = len(documents) - len(files)
        summary.ok = statuses[Status.OK.value]
        summary.partial = statuses[Status.PARTIAL.value]
        summary.failed = statuses[Status.FAILED.value]
        summary.duplicates = statuses[Status.DUPLICATE.value]
        summary.pages = sum(r.pages for r in files if r.status != Status.DUPLICATE.value)
        if cache is not None:
            summary.notes.append(f"cache: {cache.hits} of {len(todo)} documents reused")
        summary.elapsed = time.perf_counter() - started
        info = _run_info(paths, settings, summary, started_at)
        info["fingerprint"] = fingerprint
        writer.write_json("run.json", info)
    return summary


def _fingerprint(items: list[_Item], found: Discovery, settings: RunSettings) -> str:
    """What a run's outputs depend on: the pipeline, its settings, every file's path and
    content, the manifests."""
    h = hashlib.sha256()
    h.update(f"{pipeline_version()}|{_settings_key(settings)}".encode())
    for item in items:
        h.update(f"|{item.file.source_path}:{item.sha256}:{item.read_error}".encode())
    for manifest in found.manifests:
        h.update(manifest.read_bytes() if manifest.is_file() else b"")
    return h.hexdigest()


def _current(out: Path, fingerprint: str) -> bool:
    """The dataset in `out` was made from exactly these inputs, and is all there."""
    try:
        info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if info.get("fingerprint") != fingerprint:
        return False
    return all((out / f"{t.name}.csv").is_file() for t in TABLES)


def _settings_key(settings: RunSettings) -> str:
    """What in the settings changes a document's result (not workers, not the cache)."""
    return hashlib.sha256(repr(settings.ingest).encode()).hexdigest()[:12]


_LINKED = ("review_mentions", "action_counts", "action_items")  # what link() reads and rewrites


def _row_key(row) -> tuple:
    return (
        row.doc_id,
        getattr(row, "seq", 0),
        getattr(row, "field", ""),
        getattr(row, "event_id", ""),
    )


def _spool(
    writer: DatasetWriter, table: TableSchema, doc_id: str, paper: DocumentResult, rows: list
) -> None:
    """A paper's rows of one table into the spool: as `_kept` packed them where the paper
    was read, or (a result cached before it did) made here of its records."""
    spooled = getattr(paper, "spooled", None)  # (a result pickled before the field)
    if spooled is not None:
        writer.spool.add_packed(table.name, doc_id, spooled[table.name])
    else:
        writer.spool.add(table.name, doc_id, _spool_values(table, rows))


def _spool_values(table: TableSchema, rows: list) -> list[tuple]:
    """Rows of one table as the spool takes them: their values, in the table's order."""
    return [table.values(r) for r in sorted(rows, key=_row_key)]


def _papers(
    doc_id: str, result: DocumentResult
) -> Iterator[tuple[str, DocumentResult, PackPart | None]]:
    """A document, then each paper of it when it is a pack."""
    yield doc_id, result, None
    for part in result.parts:
        yield part.doc_id, part.result, part


def _document_row(
    item: _Item,
    result: DocumentResult,
    known: dict[str, dict[str, str]],
    part: PackPart | None = None,
    parent_id: str = "",
) -> DocumentRow:
    header = result.structure.header if result.structure is not None else {}
    estimate = result.facts.date_estimate if result.facts is not None else ""
    meta, manifest_warnings = merge(header, known.get(item.file.source_path, {}))
    text = result.text
    return DocumentRow(
        doc_id=part.doc_id if part else item.doc_id,
        source_path=item.file.source_path,
        sha256=item.sha256,
        source_format=result.source_format.value,
        doc_type=result.doc_type.value,
        status=result.status.value,
        duplicate_of="",
        parent_doc_id=parent_id if part else "",
        part=part.part.number if part else None,
        part_kind=part.part.kind.value if part else "",
        page_from=part.part.page_from if part else None,
        page_to=part.part.page_to if part else None,
        part_rule=part.part.rule if part else "",
        pages=result.pages,
        chars=len(text.text) if text is not None else 0,
        encoding=result.encoding,
        ocr_suspected=bool(text is not None and text.ocr_suspected),
        ocr_applied=result.ocr_applied,
        council=meta["council"],
        committee=meta["committee"],
        meeting_date=meta["meeting_date"],
        meeting_time=header.get("meeting_time", ""),
        venue=header.get("venue", ""),
        item_number=header.get("item_number", ""),
        title=header.get("title", ""),
        wards_affected=header.get("wards_affected", ""),
        key_decision=header.get("key_decision", ""),
        is_key_decision={"true": True, "false": False}.get(header.get("is_key_decision", "")),
        report_of_name=header.get("report_of_name", ""),
        report_of_role=header.get("report_of_role", ""),
        accountable_assistant_director_name=header.get("accountable_assistant_director_name", ""),
        accountable_assistant_director_role=header.get("accountable_assistant_director_role", ""),
        accountable_director_name=header.get("accountable_director_name", ""),
        accountable_director_role=header.get("accountable_director_role", ""),
        classification=header.get("classification", ""),
        report_author_name=header.get("report_author_name", ""),
        report_author_role=header.get("report_author_role", ""),
        decision_number=header.get("decision_number", ""),
        meeting_date_source=(
            DateSource.PACK
            if part and "meeting_date" in part.from_pack
            else DateSource.PAPER
            if header.get("meeting_date")
            else DateSource.MANIFEST
            if meta["meeting_date"]
            else DateSource.ESTIMATED
            if estimate
            else ""
        ),
        date_estimated="" if meta["meeting_date"] else estimate,
        source_url=meta["source_url"],
        warnings="; ".join(
            [*result.warnings, *manifest_warnings, *(p.message for p in result.problems)]
        ),
    )


def _duplicate_row(
    item: _Item, original: DocumentRow, known: dict[str, dict[str, str]]
) -> DocumentRow:
    """A copy shares what was read from the original; its own path, id and manifest entry."""
    meta, _ = merge({}, known.get(item.file.source_path, {}))
    meta = {k: v or getattr(original, k) for k, v in meta.items()}
    return replace(
        original,
        doc_id=item.doc_id,
        source_path=item.file.source_path,
        status=Status.DUPLICATE.value,
        duplicate_of=original.doc_id,
        warnings=f"same bytes as {original.source_path}",
        **meta,
    )


def _error_rows(item: _Item, problems: list[Problem]) -> list[ErrorRow]:
    return [
        ErrorRow(item.file.source_path, item.doc_id, p.error_type.value, p.page, p.message)
        for p in problems
    ]


def _run_info(paths: list[Path], settings: RunSettings, summary: Summary, started_at: str) -> dict:
    versions = {}
    for pkg in ("pdfplumber", "pypdfium2", "charset-normalizer"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {
        "pipeline_version": __version__,
        "started_at": started_at,
        "elapsed_seconds": round(summary.elapsed, 3),
        "inputs": [str(p) for p in paths],
        "summary": summary.line(),
        "counts": {
            "documents": summary.documents,
            "ok": summary.ok,
            "partial": summary.partial,
            "failed": summary.failed,
            "duplicates": summary.duplicates,
            "pages": summary.pages,
            "papers_in_packs": summary.papers_in_packs,
        },
        "skipped_files_by_suffix": summary.skipped,
        "notes": summary.notes,
        "settings": {
            "workers": settings.workers,
            "pdf_text_engine": settings.ingest.pdf.text_engine.value,
            "layout_pages": settings.ingest.pdf.layout_pages,
        },
        "python": platform.python_version(),
        "platform": sys.platform,
        "packages": versions,
    }
