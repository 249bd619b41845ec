"""An archive's own knowledge about its files (corpus/manifest.csv), merged under ours.

Columns: `source_path` (relative to the folder holding the manifest), and any of
`council`, `committee`, `meeting_date` (ISO), `source_url`; other columns are kept for
people (e.g. `origin`, `licence`) and ignored here. Values extracted from a paper win; a
disagreement becomes a warning on the document.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

MANIFEST_FIELDS = ("council", "committee", "meeting_date", "source_url")


class ManifestError(ValueError):
    pass


def read_manifest(path: Path, root: Path) -> dict[str, dict[str, str]]:
    """{source_path relative to `root`: {field: value}}; raises ManifestError with the line."""
    base = os.path.relpath(path.parent.absolute(), root.absolute()).replace(os.sep, "/")
    prefix = "" if base == "." else base + "/"
    out: dict[str, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or "source_path" not in reader.fieldnames:
            raise ManifestError(f"{path}: needs a 'source_path' column")
        for lineno, row in enumerate(reader, 2):
            sp = (row.get("source_path") or "").strip()
            if not sp:
                raise ManifestError(f"{path}:{lineno}: empty source_path")
            values = {k: (row.get(k) or "").strip() for k in MANIFEST_FIELDS}
            if values["meeting_date"]:
                try:
                    dt.date.fromisoformat(values["meeting_date"])
                except ValueError as exc:
                    raise ManifestError(
                        f"{path}:{lineno}: meeting_date {values['meeting_date']!r} is not "
                        "an ISO date (YYYY-MM-DD)"
                    ) from exc
            out[prefix + sp] = values
    return out


def merge(extracted: dict[str, str], known: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Extracted values win over the manifest's; each disagreement is reported."""
    merged, warnings = {}, []
    for key in MANIFEST_FIELDS:
        ours, theirs = extracted.get(key, ""), known.get(key, "")
        merged[key] = ours or theirs
        if ours and theirs and ours.casefold() != theirs.casefold():
            warnings.append(f"{key}: paper says {ours!r}, manifest says {theirs!r}")
    return merged, warnings
