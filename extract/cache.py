"""A cache of per-document results, keyed by the file's content and the pipeline's version.

Re-running over an unchanged archive reads every result from here; a run that was killed
resumes where it stopped. The version is a digest of the package's code and rules, so any
change to extraction invalidates the cache without anyone remembering to bump a number.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from pathlib import Path

from extract.process import DocumentResult

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """Digest of every .py, .c and rules file of the package (and the Python version)."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in {".py", ".c", ".jsonl", ".txt"} and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(_PACKAGE)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


class ResultCache:
    def __init__(self, folder: Path, settings_key: str):
        self.folder = folder / pipeline_version() / settings_key
        self.folder.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.misses = 0

    def _path(self, sha256: str, doc_id: str) -> Path:
        return self.folder / sha256[:2] / f"{sha256}-{doc_id}.pickle"

    def get(self, sha256: str, doc_id: str) -> DocumentResult | None:
        path = self._path(sha256, doc_id)
        try:
            with path.open("rb") as fh:
                result = pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, sha256: str, doc_id: str, result: DocumentResult) -> None:
        path = self._path(sha256, doc_id)
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
        with tmp.open("wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # a killed run never leaves half an entry
