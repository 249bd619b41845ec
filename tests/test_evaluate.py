"""Accuracy against the hand-checked gold: no field may drop below its recorded floor."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from extract.cli import main
from extract.evaluate import Score, evaluate, load_gold
from tests.conftest import CORPUS, KENT, ROOT

GOLD = ROOT / "tests" / "gold"
GOLD_KENT = ROOT / "tests" / "gold-kent"


def test_every_corpus_paper_has_gold():
    annotated = {g["source_path"] for g in load_gold(GOLD)}
    on_disk = {
        str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.suffix in {".pdf", ".txt", ".md"}
    }
    assert annotated == on_disk


def test_score_counts_a_wrong_value_as_both_errors():
    s = Score()
    s.add(Counter(["a", "b"]), Counter(["a", "c"]))
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)
    assert s.precision == s.recall == s.f1 == 0.5


@pytest.fixture(scope="module")
def corpus_scores():
    return evaluate(GOLD, CORPUS).f1_by_field()


def test_no_field_drops_below_its_recorded_floor(corpus_scores):
    floor = json.loads((GOLD / "scores.json").read_text())
    assert set(floor) == set(corpus_scores), "fields changed: re-record with evaluate --save-scores"
    dropped = {f: (corpus_scores[f], floor[f]) for f in floor if corpus_scores[f] < floor[f] - 1e-9}
    assert not dropped, f"F1 fell below the recorded floor (now, floor): {dropped}"


@pytest.mark.skipif(not KENT.is_dir() or not GOLD_KENT.is_dir(), reason="Kent held-out set absent")
def test_held_out_kent_papers_stay_above_their_floor():
    """Papers the rules were not written on: a floor, so a change cannot quietly overfit."""
    scores = evaluate(GOLD_KENT, KENT).f1_by_field()
    floor = json.loads((GOLD_KENT / "scores.json").read_text())
    dropped = {f: (scores.get(f), floor[f]) for f in floor if scores.get(f, 0) < floor[f] - 1e-9}
    assert not dropped, f"held-out F1 fell below the recorded floor (now, floor): {dropped}"


def test_evaluate_command_prints_a_table(capsys):
    assert main(["evaluate", "--gold", str(GOLD), "--corpus", str(CORPUS)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["field", "tp", "fp", "fn", "P", "R", "F1"]
    assert "header.meeting_date" in out and "micro-average" in out


def test_evaluate_usage_error(tmp_path, capsys):
    assert main(["evaluate", "--gold", str(tmp_path)]) == 2
    assert "no gold annotations" in capsys.readouterr().err
