"""The whole Kent development set (134 real PDFs): every file accounted for.

Skipped where ../shared/kent is absent; CI has it beside the checkout.
"""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from extract.batch import run_batch
from extract.settings import RunSettings
from tests.conftest import KENT

pytestmark = pytest.mark.skipif(not KENT.is_dir(), reason="../shared/kent is not here")


def test_kent_batch_accounts_for_every_pdf_and_finds_the_exact_duplicates(tmp_path):
    summary = run_batch([KENT], tmp_path / "kent-out", RunSettings(workers=2))
    rows = pd.read_csv(tmp_path / "kent-out" / "documents.csv", dtype=str, keep_default_na=False)
    docs, papers = rows[rows["parent_doc_id"] == ""], rows[rows["parent_doc_id"] != ""]

    with (KENT / "SOURCES.tsv").open(newline="") as fh:
        sources = list(csv.DictReader(fh, delimiter="\t"))
    assert sorted(docs["source_path"]) == sorted(s["file"] for s in sources)
    assert dict(zip(docs["source_path"], docs["sha256"], strict=True)) == {
        s["file"]: s["sha256"] for s in sources
    }

    # exact duplicates, by the published checksums: all but one copy of each is a duplicate
    by_sha: dict[str, int] = {}
    for s in sources:
        by_sha[s["sha256"]] = by_sha.get(s["sha256"], 0) + 1
    expected_duplicates = sum(n - 1 for n in by_sha.values())
    assert (docs["status"] == "duplicate").sum() == expected_duplicates == summary.duplicates
    assert summary.failed == 0 and summary.documents == len(sources)
    assert set(docs["doc_type"]) == {"report", "minutes", "agenda", "appendix", "other", "pack"}
    # the packs' papers: each names a pack that was processed (not a duplicate)
    packs = docs[docs["doc_type"] == "pack"]
    assert set(papers["parent_doc_id"]) == set(packs[packs["status"] == "ok"]["doc_id"])
    assert summary.papers_in_packs == len(papers) > 0
