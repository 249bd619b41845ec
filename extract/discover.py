"""Find the input files under the paths a user gives, each once, in a stable order."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED_SUFFIXES = (".pdf", ".txt", ".md")
MANIFEST_NAME = "manifest.csv"


@dataclass(frozen=True)
class InputFile:
    path: Path  # as found on disk
    source_path: str  # relative to the input root, '/'-separated
    root: Path


@dataclass
class Discovery:
    files: list[InputFile] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # file suffix -> count not read
    walk_errors: list[str] = field(default_factory=list)
    manifests: list[Path] = field(default_factory=list)


def common_root(paths: list[Path]) -> Path:
    """The folder source paths are relative to. Symlinks in the given paths are kept as
    given (not resolved), so a linked archive folder gives the same source paths."""
    dirs = [p.absolute() if p.is_dir() else p.absolute().parent for p in paths]
    return Path(os.path.commonpath([str(d) for d in dirs]))


def discover(paths: list[Path]) -> Discovery:
    """Walk the paths for papers. Symlinked folders are not followed (no loops); a file
    reached twice (overlapping paths, symlinks) is read once."""
    root = common_root(paths)
    found = Discovery()
    seen: set[str] = set()

    def add(path: Path) -> None:
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            if path.name != MANIFEST_NAME and not path.name.startswith("."):
                key = path.suffix.lower() or "(no suffix)"
                found.skipped[key] = found.skipped.get(key, 0) + 1
            return
        real = os.path.realpath(path)
        if real in seen:
            return
        seen.add(real)
        rel = os.path.relpath(path.absolute(), root).replace(os.sep, "/")
        found.files.append(InputFile(path, rel, root))

    for p in paths:
        if p.is_file():
            add(p)
            continue
        if (p / MANIFEST_NAME).is_file():
            found.manifests.append(p / MANIFEST_NAME)

        def onerror(exc: OSError) -> None:
            found.walk_errors.append(f"{exc.filename}: {exc.strerror}")

        for dirpath, dirnames, filenames in os.walk(p, onerror=onerror):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith("."):
                    add(Path(dirpath) / name)
    found.files.sort(key=lambda f: f.source_path)
    return found
