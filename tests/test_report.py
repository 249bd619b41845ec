"""The researchers' outputs: SQL with DuckDB, and the HTML report in a real headless browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from extract.cli import main
from extract.report import build_report
from tests.conftest import OUTPUTS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_query_formats(capsys):
    sql = (
        "SELECT review_id, complete, actions FROM review_progress "
        "WHERE complete IS NOT NULL ORDER BY 1"
    )
    assert main(["query", sql, "--out", str(OUTPUTS), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"review_id": "thurrock/shae-and-ashley", "complete": 6, "actions": 14} in rows
    assert (
        main(
            [
                "query",
                "SELECT count(*) AS n FROM documents",
                "--out",
                str(OUTPUTS),
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = sum(1 for _ in (OUTPUTS / "documents.csv").open(encoding="utf-8")) - 1
    assert capsys.readouterr().out == f"n\n{rows}\n"
    assert main(["query", "SELECT doc_type FROM documents LIMIT 1", "--out", str(OUTPUTS)]) == 0
    assert "(1 row)" in capsys.readouterr().out


def test_query_errors_name_the_tables(capsys):
    assert main(["query", "SELECT nope FROM documents", "--out", str(OUTPUTS)]) == 2
    assert "tables: documents" in capsys.readouterr().err


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "outputs"
    shutil.copytree(OUTPUTS, out)
    return build_report(out)


def test_report_is_self_contained_with_a_chart_per_review(report):
    page = report.read_text()
    reviews = [
        line.split(",")[0] for line in (OUTPUTS / "reviews.csv").read_text().splitlines()[1:]
    ]
    assert page.count("<figure class='review-chart'") == len(reviews)
    assert "<figure class='events-chart'>" in page
    assert "<script" not in page and not re.search(r"(?:src|href)=['\"]https?:", page)
    pngs = sorted(p.name for p in (report.parent / "charts").glob("*.png"))
    assert len(pngs) == len(reviews) + 1 and all(
        (report.parent / "charts" / p).stat().st_size > 5000 for p in pngs
    )
    assert "6 actions are complete and the remaining 8 are on track" in page


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")
def test_report_renders_in_headless_chromium(report, tmp_path):
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    dom = subprocess.run(
        [*flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == report.read_text().count("<svg") > 0  # every chart rendered
    assert ":CONSOLE(" not in dom.stderr  # no console messages, errors least of all
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*flags, "--window-size=1200,1600", f"--screenshot={shot}", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)
    assert pixels.shape[0] >= 1000 and pixels.std() > 0.05  # not blank
