"""Rules kept as data (JSONL, one rule per line, each with an id that travels into provenance)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def load_jsonl(name: str) -> list[dict[str, Any]]:
    """Load a rules file shipped in this package; a broken line names its file and line."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    rules = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            rule = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name}:{lineno}: not valid JSON ({exc})") from exc
        if "id" not in rule:
            raise ValueError(f"{name}:{lineno}: a rule needs an 'id'")
        rules.append(rule)
    ids = [r["id"] for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{name}: rule ids must be unique; repeated: {', '.join(dupes)}")
    return rules


def load_words(name: str) -> list[str]:
    """A word list shipped in this package: whitespace-separated, '#' starts a comment."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return [w for line in text.splitlines() for w in line.split("#", 1)[0].split()]
