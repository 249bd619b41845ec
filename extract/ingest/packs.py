"""Agenda reports packs: one PDF holding every paper of a meeting, split into its papers.

A pack is a front sheet (the agenda, or a covering letter listing the items) followed by
the items, each stamped "Agenda Item N" on its first page, with filler pages ("This page is
intentionally left blank") between them. An item may hold several papers (a report and its
appendices). They were separate PDFs before the pack was made, and each kept its own font
resources: a page that shares no font with the paper before it starts a new paper.

`PackSplitter.split` works on raw pages, before normalisation, so each part is normalised
and read exactly as the separate paper would be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from extract.models import Page, PartKind
from extract.rules import load_jsonl


@dataclass(frozen=True)
class PackRule:
    id: str
    kind: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Stamps:
    """What the PDF reader needs to take a pack's stamps off its pages."""

    marker: re.Pattern[str]  # an item's stamp, on the first page of each item
    stamp: re.Pattern[str]  # any stamp: an item's, or the pack's page number
    edge_lines: int
    # `stamp` with its whitespace taken out: what a stamp's characters other than spaces
    # match, in order. The reader asks PDFium for a text object's text only where its
    # characters can make a stamp (asking is slow). None: the pattern does not allow it.
    letters: re.Pattern[str] | None = None

    def marks_item(self, text: str) -> bool:
        return any(self.marker.fullmatch(ln) for ln in _edge_lines(text, self.edge_lines))

    def is_stamp(self, line: str) -> bool:
        return bool(self.stamp.fullmatch(line))


@dataclass(frozen=True)
class Part:
    """One paper of a pack: its pages (blank ones left out) and the rule that started it."""

    number: int  # 1-based, in page order
    kind: PartKind
    item_number: str  # the agenda item it belongs to; empty for the front sheet
    pages: tuple[int, ...]  # page numbers in the pack
    rule: str

    @property
    def page_from(self) -> int:
        return self.pages[0]

    @property
    def page_to(self) -> int:
        return self.pages[-1]


@dataclass(frozen=True)
class PackSplitter:
    rules: tuple[PackRule, ...]
    edge_lines: int = 3  # stamps sit among the first or last lines of a page
    # more font changes than this share of an item's pages: the fonts are no guide
    max_font_change_share: float = 0.25

    @classmethod
    def load(cls) -> PackSplitter:
        return cls(
            tuple(
                PackRule(r["id"], r["kind"], re.compile(r["pattern"], re.IGNORECASE))
                for r in load_jsonl("packs.jsonl")
            )
        )

    def blank_pages(self, pages: list[Page]) -> list[int]:
        """Filler pages: every line says the page is blank, or is its page number."""
        blank = self._of("blank_page")
        printed = self._of("printed_page")
        out = []
        for page in pages:
            lines = [ln.strip() for ln in page.text.splitlines() if ln.strip()]
            if any(r.pattern.fullmatch(ln) for ln in lines for r in blank) and all(
                any(r.pattern.fullmatch(ln) for r in (*blank, *printed)) for ln in lines
            ):
                out.append(page.number)
        return out

    def split(self, pages: list[Page]) -> list[Part]:
        """The papers of a pack in page order (blank pages left out first), or none when
        `pages` are one paper. The pages' fonts, where the reader kept them, split an item
        into its papers; without them an item is one part."""
        markers: dict[int, tuple[str, str]] = {}  # page -> (item number, rule id)
        for page in pages:
            edge = [*page.stamps, *_edge_lines(page.text, self.edge_lines)]
            for rule in self._of("item_marker"):
                hit = next((m for ln in edge if (m := rule.pattern.fullmatch(ln))), None)
                if hit:
                    markers[page.number] = (re.sub(r"\s+", "", hit.group("item")), rule.id)
                    break
        if not markers or (len(markers) == 1 and pages[0].number in markers):
            return []  # not a pack; or one paper that kept its stamp
        starts: list[tuple[int, PartKind, str, str]] = []  # (page, kind, item, rule)
        if pages[0].number not in markers:
            starts.append((pages[0].number, PartKind.FRONT_SHEET, "", "pack.front_sheet"))
        marked = sorted(markers)
        for i, first in enumerate(marked):
            item, rule = markers[first]
            starts.append((first, PartKind.ITEM, item, rule))
            end = marked[i + 1] if i + 1 < len(marked) else pages[-1].number + 1
            for page in self._font_changes([p for p in pages if first <= p.number < end]):
                starts.append((page, PartKind.APPENDIX, item, "pack.font_change"))
        parts = []
        for i, (first, kind, item_no, rule) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else pages[-1].number + 1
            numbers = tuple(p.number for p in pages if first <= p.number < end)
            parts.append(Part(i + 1, kind, item_no, numbers, rule))
        return parts

    def _font_changes(self, pages: list[Page]) -> list[int]:
        """Pages of an item where a new paper starts: no font of the paper so far is used
        again anywhere after it. An item whose pages keep changing fonts (some generators
        give every page fonts of its own) tells nothing, and stays one paper."""
        used = [(p.number, p.fonts) for p in pages if p.fonts]
        later: list[frozenset[int]] = [frozenset()] * (len(used) + 1)
        for k in range(len(used) - 1, -1, -1):
            later[k] = later[k + 1] | used[k][1]
        out, current = [], frozenset[int]()
        for k, (page, own) in enumerate(used):
            if current and not current & later[k]:
                out.append(page)
                current = frozenset()
            current |= own
        return [] if len(out) > self.max_font_change_share * len(pages) else out

    def unstamped(self, page: Page) -> Page:
        """The page's text without the pack's stamps (its item marker and page number), so
        that a paper reads as it did before it went into the pack. (The PDF reader takes a
        pack's stamps off before reading: see `Stamps`; this is for packs saved as text.)"""
        is_stamp = self.stamps().is_stamp
        lines = page.text.splitlines(keepends=True)
        filled = [i for i, ln in enumerate(lines) if ln.strip()]
        edge = set(filled[: self.edge_lines] + filled[-self.edge_lines :])
        found = {i for i in edge if is_stamp(lines[i].strip())}
        text = "".join(ln for i, ln in enumerate(lines) if i not in found)
        return replace(page, text=text) if found else page

    def stamps(self) -> Stamps:
        def one(rules: list[PackRule]) -> re.Pattern[str]:
            return re.compile("|".join(f"(?:{r.pattern.pattern})" for r in rules), re.IGNORECASE)

        markers = self._of("item_marker")
        stamp = one([*markers, *self._of("printed_page")])
        return Stamps(one(markers), stamp, self.edge_lines, without_whitespace(stamp))

    def _of(self, kind: str) -> list[PackRule]:
        return [r for r in self.rules if r.kind == kind]


# \s however repeated (lazily too); what could still match whitespace once it is gone, or
# reads what is next to it (a word boundary, a look-around: deleting whitespace changes
# what they see); and a set holding \s (taking the item out of it would change the set)
_WHITESPACE_ITEM = re.compile(r"\\s(?:[*+?]|\{\d*,?\d*\})?\??")
_SET_WITH_SPACE = re.compile(r"\[[^\]]*\\s")
_MATCHES_SPACE = (
    "\\b",
    "\\B",
    "(?=",
    "(?!",
    "(?<=",
    "(?<!",
    ".",
    "\\s",
    "\\W",
    "\\D",
    "[^",
    " ",
    "\\t",
    "\\n",
    "\\r",
    "\\f",
    "\\v",
    "\\x",
    "\\u",
    "\\U",
    "\\N",
    "\\0",
    "(?x",
    "(?#",
    "\\\\",
)


def without_whitespace(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The pattern with each `\\s` item taken out: whatever the pattern matches, with its
    whitespace deleted, this matches. None when anything else in it could match
    whitespace (a dot, a negated set, an escape), reads its neighbours (\\b, a
    look-around) or puts \\s in a set, where the claim might not hold."""
    if _SET_WITH_SPACE.search(pattern.pattern):
        return None
    bare = _WHITESPACE_ITEM.sub("", pattern.pattern)
    if any(item in bare.replace("\\.", "") for item in _MATCHES_SPACE):
        return None
    return re.compile(bare, pattern.flags)


def _edge_lines(text: str, n: int) -> list[str]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines if len(lines) <= 2 * n else lines[:n] + lines[-n:]
