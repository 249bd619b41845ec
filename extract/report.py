"""`report`: one self-contained HTML page (no scripts, no CDN: opens offline) with a
progress chart per review, a timeline of events and the documents' status; the charts
also as PNG files in charts/."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import re
from pathlib import Path

REPORT_NAME = "report.html"
CHARTS_DIR = "charts"


class ReportError(Exception):
    pass


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "committee-papers", "font.size": 9})
    return plt


def _save(fig, out: Path, stem: str) -> str:
    """PNG beside the report; SVG text for inlining. Both without timestamps."""
    charts = out / CHARTS_DIR
    charts.mkdir(exist_ok=True)
    tmp = charts / f".{stem}.png.partial"
    fig.savefig(tmp, format="png", dpi=110, metadata={"Software": None})
    os.replace(tmp, charts / f"{stem}.png")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def review_chart(plt, review: dict[str, str], rows: list[dict[str, str]], out: Path) -> str:
    fig, ax = plt.subplots(figsize=(6.4, 2.6))
    dated = [(r, _date(r["meeting_date"])) for r in rows]
    dated = sorted((x for x in dated if x[1]), key=lambda x: x[1])
    labels = [
        d.isoformat() + (" (est.)" if r["date_source"] == "estimated" else "") for r, d in dated
    ]
    xs = list(range(len(dated)))
    actions = [int(r["actions"]) if r["actions"] else 0 for r, _ in dated]
    complete = [int(r["complete"]) if r["complete"] else 0 for r, _ in dated]
    ax.bar(xs, actions, color="#c8d6e5", label="actions in plan")
    ax.bar(xs, complete, color="#1f6f8b", label="complete", width=0.5)
    for x, (r, _) in zip(xs, dated, strict=True):
        if not r["actions"] and not r["complete"]:
            label = "no action figures" if r["recommendations"] else "status only"
            ax.text(x, 0.2, label, ha="center", va="bottom", fontsize=8, rotation=90)
        elif r["pct_complete"]:
            ax.text(
                x,
                max(actions[x], complete[x]) + 0.2,
                f"{r['pct_complete']}%",
                ha="center",
                fontsize=8,
            )
    ax.set_xticks(xs, labels)
    ax.set_ylim(0, max([*actions, *complete, 1]) * 1.25)
    ax.set_ylabel("actions")
    ax.set_title(review["name"], fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    svg = _save(fig, out, "review-" + re.sub(r"[^a-z0-9]+", "-", review["review_id"]))
    plt.close(fig)
    return svg


def events_chart(plt, events: list[dict[str, str]], out: Path) -> str:
    fig, ax = plt.subplots(figsize=(7.5, 3.0))
    types = sorted({e["event_type"] for e in events})
    for e in events:
        start, end = _date(e["date_start"]), _date(e["date_end"])
        if not start:
            continue
        y = types.index(e["event_type"])
        ax.plot([start, end or start], [y, y], color="#1f6f8b", linewidth=4, solid_capstyle="round")
    ax.set_yticks(range(len(types)), types)
    ax.set_title("Events reported in the papers", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.autofmt_xdate()
    fig.tight_layout()
    svg = _save(fig, out, "events-timeline")
    plt.close(fig)
    return svg


def build_report(out: Path) -> Path:
    for name in ("documents.csv", "reviews.csv", "review_progress.csv", "events.csv"):
        if not (out / name).is_file():
            raise ReportError(
                f"no {name} in {out}: run `committee-papers run` first, or pass --out"
            )
    plt = _figure()
    docs = _read(out / "documents.csv")
    reviews = _read(out / "reviews.csv")
    progress = _read(out / "review_progress.csv")
    events = _read(out / "events.csv")
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>committee-papers report</title><style>",
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}",
        "table{border-collapse:collapse;font-size:.85rem}",
        "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}",
        "th{background:#eef}figure{margin:1rem 0}",
        "svg{max-width:100%;height:auto}.failed{color:#a00}.partial{color:#a60}</style></head><body>",
        "<h1>committee-papers report</h1>",
        f"<p>{len(docs)} documents, {len(reviews)} reviews, {len(progress)} timeline rows, "
        f"{len(events)} events.</p>",
        "<h2>Review progress</h2>",
    ]
    for review in reviews:
        rows = [p for p in progress if p["review_id"] == review["review_id"]]
        if not rows:
            continue
        parts.append(f"<figure class='review-chart' id='{e(review['review_id'])}'>")
        parts.append(review_chart(plt, review, rows, out))
        parts.append(
            f"<figcaption>{e(review['name'])} ({e(review['review_type'])})</figcaption></figure>"
        )
        parts.append(
            "<table><tr><th>meeting</th><th>figures</th><th>sentence</th><th>paper, page</th></tr>"
        )
        for r in sorted(rows, key=lambda r: r["meeting_date"]):
            figures = ", ".join(
                f"{k.replace('_', ' ')} {r[k]}"
                for k in ("recommendations", "actions", "complete", "in_progress")
                if r[k]
            )
            when = r["meeting_date"] + (" (est.)" if r["date_source"] == "estimated" else "")
            flag = " — " + r["conflict"] if r["conflict"] else ""
            quote = r["sentence"] or r["status_text"]
            parts.append(
                f"<tr><td>{e(when)}</td><td>{e((figures or 'status only') + flag)}</td>"
                f"<td>{e(quote)}</td><td>{e(r['doc_id'])}, p. {e(r['page'])}</td></tr>"
            )
        parts.append("</table>")
    parts.append("<h2>Events</h2><figure class='events-chart'>")
    parts.append(events_chart(plt, events, out))
    parts.append("</figure>")
    parts.append(
        "<h2>Documents</h2><table><tr><th>paper</th><th>type</th><th>status</th><th>pages</th>"
        "<th>meeting</th><th>warnings</th></tr>"
    )
    for d in docs:
        parts.append(
            f"<tr><td>{e(d['source_path'])}</td><td>{e(d['doc_type'])}</td>"
            f"<td class='{e(d['status'])}'>{e(d['status'])}</td><td>{e(d['pages'])}</td>"
            f"<td>{e(d['meeting_date'] or d['date_estimated'])}</td>"
            f"<td>{e(d['warnings'])}</td></tr>"
        )
    parts.append("</table></body></html>\n")
    target = out / REPORT_NAME
    tmp = out / f".{REPORT_NAME}.partial"
    tmp.write_text("\n".join(parts), encoding="utf-8")
    os.replace(tmp, target)
    return target
