"""`trace`: one review's timeline, as an auditor pastes it into a working paper."""

from __future__ import annotations

import csv
import difflib
from pathlib import Path


class NoSuchReview(LookupError):
    def __init__(self, query: str, suggestions: list[str]):
        hint = f"; did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"no review matches {query!r}{hint}")
        self.suggestions = suggestions


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def find_review(reviews: list[dict[str, str]], query: str) -> dict[str, str]:
    """By id, name or alias; case and punctuation aside; else the close matches."""

    def key(s: str) -> str:
        return " ".join("".join(c if c.isalnum() else " " for c in s.lower()).split())

    q = key(query)
    names: dict[str, dict[str, str]] = {}
    for r in reviews:
        for label in [r["review_id"], r["name"], *filter(None, r["aliases"].split("; "))]:
            names.setdefault(key(label), r)
    exact = [
        r
        for label, r in names.items()
        if label == q or label.endswith(" " + q) or q == key(r["name"])
    ]
    if exact:
        return exact[0]
    contains = {r["review_id"]: r for label, r in names.items() if q and q in label}
    if len(contains) == 1:
        return next(iter(contains.values()))
    close = difflib.get_close_matches(q, [key(r["name"]) for r in reviews], n=3, cutoff=0.5)
    suggestions = [r["name"] for c in close for r in reviews if key(r["name"]) == c]
    if len(contains) > 1:
        suggestions = sorted({r["name"] for r in contains.values()})
    raise NoSuchReview(query, suggestions)


def trace(out: Path, query: str) -> str:
    reviews = _read(out / "reviews.csv")
    review = find_review(reviews, query)
    docs = {d["doc_id"]: d for d in _read(out / "documents.csv")}
    rows = [p for p in _read(out / "review_progress.csv") if p["review_id"] == review["review_id"]]
    lines = [
        f"{review['name']} — {review['review_type'].replace('_', ' ')}"
        + (f", {review['council']}" if review["council"] else "")
        + f" ({review['review_id']})",
        f"named in {review['n_documents']} paper(s), {review['first_mentioned']} to "
        f"{review['last_mentioned']}",
        "",
    ]
    for p in rows:
        doc = docs.get(p["doc_id"], {})
        figures = ", ".join(
            f"{label} {p[f]}"
            for f, label in (
                ("recommendations", "recommendations"),
                ("actions", "actions"),
                ("complete", "complete"),
                ("in_progress", "in progress"),
                ("overdue", "overdue"),
            )
            if p[f]
        )
        if p["pct_complete"]:
            figures += f" ({p['pct_complete']}% complete)"
        when = p["meeting_date"] + (" (estimated)" if p["date_source"] == "estimated" else "")
        lines.append(f"{when or 'date unknown'}  {doc.get('title') or doc.get('source_path', '')}")
        lines.append(
            f"  {figures or 'no figures'}{'  [' + p['conflict'] + ']' if p['conflict'] else ''}"
        )
        lines.append(f'  "{p["sentence"] or p["status_text"]}"')
        lines.append(
            f"  — {doc.get('source_path', p['doc_id'])}, page {p['page']} (doc {p['doc_id']})"
        )
        lines.append("")
    if not rows:
        lines.append("No paper gives figures or a status for it yet.")
    return "\n".join(lines).rstrip() + "\n"
