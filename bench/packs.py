"""How well packs split, on packs made from papers the splitter was not written against.

Builds a modern.gov-style agenda reports pack from the separate papers of a Kent meeting
(tests/pack_builder.py: stamps, "Agenda Item N", filler pages), then prints how many of
its papers the pipeline finds exactly, and how many read as the separate paper does (the
same text, the same structure rows).

    .venv/bin/python bench/packs.py [../shared/kent]
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from pack_builder import build_pack

from extract.process import Processor
from extract.settings import IngestSettings
from extract.tables import STRUCTURE_TABLES


def cabinet_2025_01_30(root: Path) -> tuple[Path, list[tuple[str, list[Path]]]]:
    """The Cabinet of 30 January 2025: the papers of each decision share its number; the
    budget report and its appendices A-P are one item; the minutes come first."""
    folder = root / "cabinet" / "2025-01-30"
    papers = sorted(p for p in folder.glob("*.pdf"))
    items: list[tuple[str, list[Path]]] = [
        ("3", [folder / "Minutes of the meeting held on 9th January 2025.pdf"])
    ]
    for n, decision in enumerate(("24-00096", "24-00108", "24-00109", "24-00115"), 4):
        group = [p for p in papers if p.name.startswith(decision)]
        reports = [p for p in group if "report" in p.name.lower()] or group[:1]
        items.append((str(n), reports[:1] + [p for p in group if p not in reports[:1]]))
    budget = [p for p in papers if p.name.startswith("Draft Revenue Budget 2025-26 and")]
    budget += [p for p in papers if p.name.startswith("Appendix")]
    items.append(("8", budget))
    return (
        root
        / "full_council"
        / "2025-03-13"
        / "Agenda frontsheet 13th-Mar-2025 10.00 County Council.pdf",
        items,
    )


def rows(result) -> dict:
    out = {}
    for name in STRUCTURE_TABLES:
        out[name] = [
            {
                k: v
                for k, v in asdict(r).items()
                if k not in ("doc_id", "page", "page_start", "page_end", "table_id")
            }
            for r in getattr(result.structure, name)
        ]
    return out


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else "../shared/kent")
    front, items = cabinet_2025_01_30(root)
    data, truth, blank = build_pack(front, items)
    processor = Processor.build(IngestSettings())
    started = time.perf_counter()
    result = processor.process(Path("pack.pdf"), data, "pack")
    elapsed = time.perf_counter() - started
    found = {
        (p.part.kind.value, p.part.item_number, p.part.page_from, p.part.page_to)
        for p in result.parts
    }
    want = {(t.kind, t.item_number, t.page_from, t.page_to) for t in truth}
    hit = len(found & want)
    pages = len(result.blank_pages) + sum(len(p.part.pages) for p in result.parts)
    print(f"pack: {len(items)} items, {len(truth)} papers, {pages} pages ({len(blank)} filler)")
    print(f"read in {elapsed:.1f} s")
    print(f"papers found exactly: {hit} of {len(want)} (precision {hit / max(1, len(found)):.3f})")
    print(f"filler pages left out: {len(set(result.blank_pages) & set(blank))} of {len(blank)}")
    for t in sorted(want - found, key=lambda t: t[2]):
        print(f"  missed: {t}")
    for f in sorted(found - want, key=lambda t: t[2]):
        print(f"  extra:  {f}")
    same_text = same_rows = compared = 0
    by_start = {p.part.page_from: p for p in result.parts}
    for t in truth:
        part = by_start.get(t.page_from)
        if part is None or part.part.page_to != t.page_to:
            continue
        alone = processor.process(t.source, t.source.read_bytes(), "alone")
        compared += 1
        same_text += part.result.text.text == alone.text.text
        same_rows += rows(part.result) == rows(alone)
    print(
        f"of the papers found: same text {same_text} of {compared}, "
        f"same structure rows {same_rows} of {compared}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
