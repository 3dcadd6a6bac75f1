"""The `tier-router` command on a bare install and in awkward places (issue 15, item 7)."""

from __future__ import annotations

import json
import sys
import time

import pytest

from shared_core import Router
from shared_core.cli.main import main
from shared_core.testing import FakeClassifier

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_demo_without_matplotlib_writes_its_files_and_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as on `pip install tier-router`
    out_dir = tmp_path / "demo"
    assert main(["demo", "--output", str(out_dir), "--rows", "4"]) == 0
    out = capsys.readouterr().out
    assert "pip install 'tier-router[plot]'" in out
    assert "Projected cost vs baseline" in out
    assert sorted(p.name for p in out_dir.iterdir()) == ["cost_by_tier.csv", "decisions.jsonl", "projection.json"]
    rows = (out_dir / "cost_by_tier.csv").read_text().splitlines()
    assert rows[0] == "tier,model,prompts,share,cost_usd"
    assert [r.split(",")[0] for r in rows[1:]] == ["simple", "medium", "complex", "frontier", "(routed)", "(baseline)"]
    proj = json.loads((out_dir / "projection.json").read_text())
    assert float(rows[-1].split(",")[-1]) == pytest.approx(proj["baseline_cost_usd"], abs=1e-6)


def test_demo_with_matplotlib_also_draws_the_chart(tmp_path, capsys):
    out_dir = tmp_path / "demo"
    assert main(["demo", "--output", str(out_dir), "--rows", "4"]) == 0
    assert (out_dir / "cost_by_tier.png").read_bytes()[:8] == PNG_MAGIC
    assert (out_dir / "cost_by_tier.csv").is_file()


@pytest.mark.parametrize("where", ["under_a_file", "demo_output_is_a_file"])
def test_an_unwritable_chart_path_is_a_clear_error(tmp_path, capsys, where):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    prompts = tmp_path / "p.txt"
    prompts.write_text("hello\nprove that sqrt 2 is irrational\n")
    if where == "under_a_file":
        code = main(["simulate", str(prompts), "--plot", str(blocker / "chart.png")])
    else:
        code = main(["demo", "--output", str(blocker), "--rows", "1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().startswith("tier-router: error: cannot ")
    assert str(blocker) in err
    assert "Traceback" not in err


def test_the_chart_shows_routed_cost_per_tier_on_its_own_scale():
    from shared_core.cli._common import Projection
    from shared_core.cli.chart import chart_figure

    proj = Projection(
        baseline_model="o1", output_tokens=300, tiers=["simple", "complex"],
        models={"simple": "gpt-4o-mini", "complex": "gpt-4o"},
        count={"simple": 90, "complex": 10}, cost={"simple": 0.002, "complex": 0.03},
        routed_cost=0.032, baseline_cost=0.9,
    )
    import matplotlib.pyplot as plt

    fig = chart_figure(proj)
    try:
        per_tier = fig.axes[2]
        assert [round(b.get_height(), 6) for b in per_tier.patches] == [0.002, 0.03]
        top = per_tier.get_ylim()[1]
        assert 0.03 < top < 0.05  # its own scale: the baseline (0.9) would flatten it
        assert fig.axes[1].get_ylim()[1] > 0.9
    finally:
        plt.close(fig)


class _SlowFirstClassifier(FakeClassifier):
    """Takes 0.3 s on its first request, as the embedded model does when it loads."""

    def __init__(self) -> None:
        super().__init__(default="simple")
        self.loaded = False

    def _classify(self, request):
        if not self.loaded:
            time.sleep(0.3)
            self.loaded = True
        return super()._classify(request)


def test_the_us_column_does_not_include_loading_the_model(monkeypatch, capsys):
    router = Router(classifier=_SlowFirstClassifier())
    monkeypatch.setattr("shared_core.cli.route.make_router", lambda config: router)
    assert main(["route", "--json", "hi", "hello"]) == 0
    got = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert all(d["latency_us"] < 100_000 for d in got), [d["latency_us"] for d in got]
