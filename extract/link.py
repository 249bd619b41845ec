"""Linking across documents: one review id per real review, and each review's timeline.

A child's pseudonym means one review only within one council ("James" in Thurrock is not
"James" in Gloucestershire): a review's id is `<council>/<name>`, where the council is the
paper's (from its front sheet or the manifest). National panel reviews are national:
`national/<name>`. A review called a serious case review in one paper and a local health
review in another keeps one id, since the id does not hold the type.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass

from extract.models import (
    ActionCountRow,
    ActionItemRow,
    DocType,
    DocumentRow,
    LinkRule,
    MinuteLinkRow,
    Rag,
    ReviewMentionRow,
    ReviewProgressRow,
    ReviewRow,
    ReviewType,
)

NATIONAL = "national"
UNKNOWN_COUNCIL = "unknown-council"


def council_slug(council: str) -> str:
    name = re.sub(
        r"\b(?:county|borough|city|district|metropolitan)?\s*council\b", "", council, flags=re.I
    )
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or UNKNOWN_COUNCIL


def review_key(council: str, name_slug: str, review_type: str) -> str:
    scope = NATIONAL if review_type == ReviewType.NATIONAL_PANEL_REVIEW else council_slug(council)
    return f"{scope}/{name_slug}"


@dataclass
class Linked:
    reviews: list[ReviewRow]
    mentions: list[ReviewMentionRow]
    action_counts: list[ActionCountRow]
    action_items: list[ActionItemRow]
    progress: list[ReviewProgressRow]


def link(
    documents: list[DocumentRow],
    mentions: list[ReviewMentionRow],
    counts: list[ActionCountRow],
    names: dict[str, Counter],
    status: dict[tuple[str, str], str],
    items: list[ActionItemRow] = (),
) -> Linked:
    """Give every mention and figure its council-scoped review id; build reviews.csv and
    the per-meeting timeline."""
    docs = {d.doc_id: d for d in documents}
    # a review's scope follows the type most of its mentions in a council give it
    types: dict[tuple[str, str], Counter] = {}
    for m in mentions:
        council = docs[m.doc_id].council if m.doc_id in docs else ""
        types.setdefault((council_slug(council), m.review_id), Counter())[m.review_type] += 1

    def key(doc_id: str, name_slug: str) -> str:
        council = docs[doc_id].council if doc_id in docs else ""
        t = types.get((council_slug(council), name_slug), Counter()).most_common(1)
        return review_key(council, name_slug, t[0][0] if t else "")

    resolved = _resolve_type_only(mentions, docs)
    mentions = [
        dataclasses.replace(
            m, review_id=key(m.doc_id, m.review_id or resolved[(m.doc_id, m.review_type)])
        )
        for m in mentions
        if m.review_id or (m.doc_id, m.review_type) in resolved
    ]
    by_doc = {doc_id: rid for (doc_id, _), rid in resolved.items()}
    counts = [
        dataclasses.replace(c, review_id=key(c.doc_id, c.review_id or by_doc[c.doc_id]))
        if c.review_id or c.doc_id in by_doc
        else c
        for c in counts
    ]
    known = {m.review_id for m in mentions}
    items = [
        dataclasses.replace(i, review_id=key(i.doc_id, i.review_id) if i.review_id else "")
        for i in items
    ]
    items = [i if i.review_id in known else dataclasses.replace(i, review_id="") for i in items]
    reviews = _review_rows(mentions, names, docs)
    progress = _progress(mentions, counts, docs, status, items)
    return Linked(reviews, mentions, counts, items, progress)


def _resolve_type_only(mentions, docs) -> dict[tuple[str, str], str]:
    """A paper that names only a type ("Thematic Review Action Plan - Update") means its
    council's one review of that type, named in full in another paper."""
    named: dict[tuple[str, str], set[str]] = {}
    for m in mentions:
        if m.review_id:
            council = council_slug(docs[m.doc_id].council) if m.doc_id in docs else ""
            named.setdefault((council, m.review_type), set()).add(m.review_id)
    out = {}
    for m in mentions:
        if m.review_id:
            continue
        council = council_slug(docs[m.doc_id].council) if m.doc_id in docs else ""
        candidates = named.get((council, m.review_type), set())
        if len(candidates) == 1:
            out[(m.doc_id, m.review_type)] = next(iter(candidates))
    return out


def _review_rows(mentions, names: dict[str, Counter], docs) -> list[ReviewRow]:
    by_id: dict[str, list[ReviewMentionRow]] = {}
    for m in mentions:
        by_id.setdefault(m.review_id, []).append(m)
    rows = []
    for rid, ms in sorted(by_id.items()):
        name_slug = rid.split("/", 1)[1]
        counted = names.get(name_slug) or Counter({name_slug: 1})
        name = sorted(counted, key=lambda n: (-counted[n], n))[0]
        types = Counter(m.review_type for m in ms)
        dates = sorted(d for d in (meeting_date(docs.get(m.doc_id)) for m in ms) if d)
        councils = Counter(
            docs[m.doc_id].council for m in ms if m.doc_id in docs and docs[m.doc_id].council
        )
        aliases = sorted({" ".join(m.mention.split()) for m in ms} - {name})
        rows.append(
            ReviewRow(
                review_id=rid,
                name=name,
                review_type=sorted(types, key=lambda t: (-types[t], t))[0],
                council=""
                if rid.startswith(NATIONAL + "/")
                else (councils.most_common(1)[0][0] if councils else ""),
                aliases="; ".join(aliases),
                first_mentioned=dates[0] if dates else "",
                last_mentioned=dates[-1] if dates else "",
                n_documents=len({m.doc_id for m in ms}),
                n_mentions=len(ms),
            )
        )
    return rows


def meeting_date(doc: DocumentRow | None) -> str:
    """The meeting date, or for a paper without one, the date estimated from its content."""
    if doc is None:
        return ""
    return doc.meeting_date or doc.date_estimated


def _progress(
    mentions, counts: list[ActionCountRow], docs, status, items: list[ActionItemRow]
) -> list[ReviewProgressRow]:
    """One row per review per paper: its figures (several sentences of one paper merged),
    or, where it gives none, what the paper says of the plan's state; checked against the
    paper's own action-plan table where it has one."""
    rows: dict[tuple[str, str], dict] = {}
    for c in counts:
        if not c.review_id:
            continue
        row = rows.setdefault((c.review_id, c.doc_id), {"sentences": [], "page": c.page})
        for f in ("recommendations", "actions", "complete", "in_progress", "overdue", *_RAG):
            value = getattr(c, f)
            if value is not None and row.get(f) is None:
                row[f] = value
        row["sentences"].append(" ".join(c.sentence.split()))
    tables: dict[tuple[str, str], list[ActionItemRow]] = {}
    for i in items:
        if i.review_id:
            tables.setdefault((i.review_id, i.doc_id), []).append(i)
    for key, listed in tables.items():
        rows.setdefault(key, {"sentences": [], "page": listed[0].page})["table"] = listed
    for m in mentions:
        key = (m.review_id, m.doc_id)
        said = status.get((m.doc_id, m.review_id.split("/", 1)[1]))
        if key in rows or not said:
            continue
        rows[key] = {"sentences": [], "page": m.page, "status_text": said}
    out = []
    for (rid, doc_id), r in rows.items():
        doc = docs.get(doc_id)
        actions, complete = r.get("actions"), r.get("complete")
        pct = round(100 * complete / actions, 1) if actions and complete is not None else None
        out.append(
            ReviewProgressRow(
                review_id=rid,
                meeting_date=meeting_date(doc),
                date_source=_date_source(doc),
                doc_id=doc_id,
                recommendations=r.get("recommendations"),
                actions=actions,
                complete=complete,
                in_progress=r.get("in_progress"),
                overdue=r.get("overdue"),
                pct_complete=pct,
                status_text=r.get("status_text", ""),
                conflict="",
                table_actions=len(r["table"]) if "table" in r else None,
                table_complete=_complete(r["table"]) if "table" in r else None,
                table_check=_table_check(r, r["table"]) if "table" in r else "",
                sentence=" | ".join(r["sentences"]) or r.get("status_text", ""),
                page=r["page"],
            )
        )
    return _flag_conflicts(sorted(out, key=lambda p: (p.review_id, p.meeting_date, p.doc_id)))


_RAG = ("rag_green", "rag_amber", "rag_red")


def _complete(listed: list[ActionItemRow]) -> int:
    """Rows rated complete: blue where the scheme has blue, else green."""
    blue = sum(i.rag == Rag.BLUE for i in listed)
    return blue if blue else sum(i.rag == Rag.GREEN for i in listed)


def _table_check(said: dict, listed: list[ActionItemRow]) -> str:
    """What the text says against what the table lists, figure by figure."""
    rated = [i for i in listed if i.rag]
    table = {"actions": len(listed), "overdue": sum(i.overdue for i in listed)}
    if rated:
        table["complete"] = _complete(rated)
        for f in _RAG:
            table[f] = sum(i.rag == f.removeprefix("rag_") for i in rated)
    compared = [f for f in table if said.get(f) is not None]
    if not compared:
        return ""
    wrong = [
        f"{f} {said[f]} in the text, {table[f]} in the table"
        for f in compared
        if said[f] != table[f]
    ]
    return "disagrees: " + "; ".join(wrong) if wrong else "agrees"


def _date_source(doc: DocumentRow | None) -> str:
    if doc is None:
        return ""
    if doc.meeting_date:
        return "paper" if "meeting_date" not in doc.warnings else "manifest"
    return "estimated" if doc.date_estimated else ""


def _flag_conflicts(rows: list[ReviewProgressRow]) -> list[ReviewProgressRow]:
    """Two papers of one meeting that disagree: both kept, both flagged, never averaged."""
    figures = ("recommendations", "actions", "complete", "in_progress", "overdue")
    by_meeting: dict[tuple[str, str], list[ReviewProgressRow]] = {}
    for r in rows:
        if r.meeting_date:
            by_meeting.setdefault((r.review_id, r.meeting_date), []).append(r)
    flagged = {}
    for group in by_meeting.values():
        for f in figures:
            values = {getattr(r, f) for r in group if getattr(r, f) is not None}
            if len(values) > 1:
                for r in group:
                    flagged.setdefault(id(r), []).append(f)
    return [
        dataclasses.replace(r, conflict="disagrees on " + ", ".join(flagged[id(r)]))
        if id(r) in flagged
        else r
        for r in rows
    ]


@dataclass(frozen=True)
class MinuteKey:
    """What the linker keeps of a minute item (the items themselves go to the spool)."""

    doc_id: str
    seq: int
    minute_number: str
    item_number: str
    title: str


def link_minutes(documents: list[DocumentRow], items: list[MinuteKey]) -> list[MinuteLinkRow]:
    """Each report to the minute item of the meeting that considered it: same committee
    and date (and council, where both papers name it), and the same agenda item number;
    else the report's decision number in the minute's title ("88. 24/00108 - Revenue and
    Capital …"); else the one title holding the other. No meeting date, no link."""
    by_doc = {d.doc_id: d for d in documents}
    meetings: dict[tuple[str, str], list[MinuteKey]] = {}
    for item in items:
        doc = by_doc.get(item.doc_id)
        if doc is not None and doc.meeting_date:
            meetings.setdefault(_meeting_key(doc), []).append(item)
    rows = []
    for doc in documents:
        if doc.doc_type == DocType.MINUTES or not doc.meeting_date or doc.duplicate_of:
            continue
        council = council_slug(doc.council)
        candidates = [
            i
            for i in meetings.get(_meeting_key(doc), [])
            if UNKNOWN_COUNCIL in (council, c := council_slug(by_doc[i.doc_id].council))
            or council == c
        ]
        rule, found = _considered(doc, candidates)
        rows += [
            MinuteLinkRow(
                doc.doc_id,
                i.doc_id,
                i.seq,
                i.minute_number,
                i.item_number,
                doc.meeting_date,
                rule.value,
            )
            for i in found
        ]
    return sorted(rows, key=lambda r: (r.report_doc_id, r.minutes_doc_id, r.item_seq))


def _considered(doc: DocumentRow, items: list[MinuteKey]) -> tuple[LinkRule, list[MinuteKey]]:
    by_item = [i for i in items if doc.item_number and i.item_number == doc.item_number]
    if by_item:
        return LinkRule.ITEM, by_item
    number = doc.decision_number
    by_decision = [
        i for i in items if number and re.search(rf"(?<!\d){re.escape(number)}(?!\d)", i.title)
    ]
    if by_decision:
        return LinkRule.DECISION, by_decision
    # one title holds the other, word for word; the closest in length wins ("Budget" is
    # in every budget report's title, so titles of under three words do not count)
    scored = [(_overlap(doc.title, i.title), i) for i in items]
    best = max((score for score, _ in scored), default=0.0)
    return LinkRule.TITLE, [i for score, i in scored if score and score == best]


def _overlap(a: str, b: str) -> float:
    """How much of the longer title the shorter is, when it lies inside it word for word."""
    short, long = sorted((_words(a), _words(b)), key=len)
    if len(short.split()) < 3 or f" {short} " not in f" {long} ":
        return 0.0
    return len(short.split()) / len(long.split())


def _meeting_key(doc: DocumentRow) -> tuple[str, str]:
    return (_words(doc.committee), doc.meeting_date)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))
