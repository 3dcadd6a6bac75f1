"""The HTML report in a real headless Chromium: every chart laid out and drawn, nothing fetched.

Runs examples/cost_report.py (two simulated weeks through the call engine into a SQLite
ledger), writes the report with the command a user types, and reads back from the DOM, after
layout, the size of every chart and how many of its marks were drawn. Under ``CI=true`` a
missing Chromium fails the test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from shared_core.ledger import SQLiteLedger
from shared_core.report import build
from tests.browser import chromium_path, probe, screenshot

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ["spend", "tier-mix", "rates", "by-tag", "by-user"]


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = chromium_path()
    if binary is None:
        reason = "chromium is not installed (apt-get install chromium; .ci/run installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return binary


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    example = runpy.run_path(str(ROOT / "examples" / "cost_report.py"))
    example["simulate"](out / "costs.sqlite")
    proc = subprocess.run(
        [sys.executable, "-m", "shared_core", "report", str(out / "costs.sqlite"),
         "-o", str(out / "report.html")],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return out / "report.html"


def test_every_chart_is_laid_out_and_drawn(report: Path, chromium: str) -> None:
    with SQLiteLedger(report.with_name("costs.sqlite")) as led:
        data = build(led)
    result = probe(report, chromium)
    charts = {c["name"]: c for c in result["charts"]}
    assert sorted(charts) == sorted(CHARTS)
    for name, c in charts.items():
        assert c["width"] > 300, (name, c)
        assert c["height"] > 80, (name, c)
    # spend: two cumulative lines and the shaded savings between them
    assert sorted(charts["spend"]["kinds"]) == ["area", "line", "line"]
    # tier mix: one bar per (day, tier that answered that day)
    expected_mix = sum(1 for b in data.buckets for n in b.calls_by_tier.values() if n)
    assert len(data.buckets) == 14
    assert charts["tier-mix"]["drawn"] == expected_mix
    # rates: escalation and fallback bars for the tiers that had them
    nonzero = sum((r.rejected > 0) + (r.failed > 0) for r in data.rates)
    assert nonzero >= 3
    assert charts["rates"]["drawn"] == nonzero
    # cost per tag and per user: spend and baseline bar for each row shown (at most 10)
    assert charts["by-tag"]["drawn"] == 2 * min(10, len(data.by_tag))
    assert charts["by-user"]["drawn"] == 2 * min(10, len(data.by_user))
    tables = {t["name"]: t for t in result["tables"]}
    assert tables["top-calls"]["rows"] == 15
    assert tables["tiers"]["rows"] == len(data.tiers)
    assert result["resources"] == []  # nothing fetched: the page is self-contained
    assert result["overflow"] is False  # nothing wider than the window


def test_a_narrow_window_still_draws_every_chart(report: Path, chromium: str) -> None:
    result = probe(report, chromium, width=700)
    assert sorted(c["name"] for c in result["charts"]) == sorted(CHARTS)
    assert all(c["drawn"] > 0 and c["width"] > 200 for c in result["charts"])
    assert result["overflow"] is False


def test_screenshot_is_a_png(report: Path, chromium: str, tmp_path: Path) -> None:
    png = screenshot(report, tmp_path / "report.png", chromium)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert width == 1280
    assert height > 1200
