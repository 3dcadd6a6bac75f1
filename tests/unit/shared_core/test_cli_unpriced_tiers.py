"""The decide-only commands and a tier whose model has no known price.

A :class:`Router` built on such a config logs a WARNING: its calls there are recorded at an
unknown cost and budgets cannot count them. ``route``, ``simulate``, ``demo`` (no
``--calls``) and ``calibrate`` call nothing and record nothing, yet logged it all the same
(``route``: about calls it never makes). What matters there is a cost figure: ``simulate`` and
``demo`` project the workload's cost, and the prompts routed to an unpriced tier are left out
of it (a row of the totals table said so, no more). Now the decide-only router logs no price
WARNING, and the projection logs one when, and only when, it leaves prompts out: naming the
tier(s), their model and how many prompts its figure omits.
"""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path

import pytest
import yaml

from shared_core import Router
from shared_core.cli.main import main

from ._training_fakes import MODELS, make_rows

FAKE = {"type": "fake", "options": {"rules": {"hello": "simple"}, "default": "strong"}}
_names = itertools.count()


def _unpriced() -> str:
    """A model no price table knows, new each time (the per-model WARNING is once a process)."""
    return f"acme-chat-{next(_names)}"


def _config(tmp_path: Path, model: str, classifier: dict = FAKE) -> Path:
    cfg = tmp_path / "unpriced.yaml"
    tiers = [{"name": "simple", "model": "gpt-4o-mini"}, {"name": "strong", "model": model}]
    cfg.write_text(yaml.safe_dump({"tiers": tiers, "classifier": classifier, "baseline_model": "gpt-4o"}))
    return cfg


def _price_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno >= logging.WARNING and "price" in r.getMessage()]


@pytest.fixture
def workload(tmp_path: Path) -> Path:
    path = tmp_path / "w.jsonl"
    path.write_text("".join(
        json.dumps({"id": str(i), "kind": "k", "prompt": p}) + "\n"
        for i, p in enumerate(["hello there", "prove it", "hello again", "explain it all"])
    ))
    return path


def test_route_decides_without_a_price_warning(tmp_path, capsys, caplog) -> None:
    caplog.set_level(logging.WARNING)
    assert main(["route", "--json", "-c", str(_config(tmp_path, _unpriced())), "hello", "prove it"]) == 0
    assert [json.loads(x)["tier"] for x in capsys.readouterr().out.splitlines()] == ["simple", "strong"]
    assert _price_warnings(caplog) == []


def test_simulate_warns_that_its_cost_leaves_out_an_unpriced_tier(tmp_path, workload, capsys, caplog) -> None:
    model = _unpriced()
    caplog.set_level(logging.WARNING)
    assert main(["simulate", str(workload), "-c", str(_config(tmp_path, model)), "--json"]) == 0
    proj = json.loads(capsys.readouterr().out)
    assert proj["unpriced_prompts"] == 2 and proj["unpriced_tiers"] == {"strong": 2}
    [warned] = _price_warnings(caplog)
    assert f"tier 'strong' ({model})" in warned and "2 of 4 prompts" in warned
    assert "projected cost" in warned and "input_price" in warned
    assert "recorded" not in warned  # nothing is recorded here


def test_simulate_s_table_shows_an_unpriced_tier_s_cost_as_unknown(tmp_path, workload, capsys) -> None:
    """Its prompts were left out: its cost is not $0.00000 but n/a."""
    assert main(["simulate", str(workload), "-c", str(_config(tmp_path, _unpriced()))]) == 0
    row = next(x for x in capsys.readouterr().out.splitlines() if "acme-chat" in x)
    assert "n/a" in row and "$0.00000" not in row


def test_simulate_says_nothing_when_no_prompt_reaches_the_unpriced_tier(tmp_path, capsys, caplog) -> None:
    """The figure omits nothing: no WARNING (the tier is still named in the JSON: none)."""
    path = tmp_path / "hello.jsonl"
    path.write_text(json.dumps({"prompt": "hello there"}) + "\n")
    caplog.set_level(logging.WARNING)
    assert main(["simulate", str(path), "-c", str(_config(tmp_path, _unpriced())), "--json"]) == 0
    proj = json.loads(capsys.readouterr().out)
    assert proj["unpriced_prompts"] == 0 and proj["unpriced_tiers"] == {}
    assert _price_warnings(caplog) == []


def test_demo_warns_that_its_cost_leaves_out_an_unpriced_tier(tmp_path, workload, capsys, caplog) -> None:
    model = _unpriced()
    caplog.set_level(logging.WARNING)
    argv = ["demo", "-c", str(_config(tmp_path, model)), "--workload", str(workload),
            "--output", str(tmp_path / "out")]
    assert main(argv) == 0
    capsys.readouterr()
    [warned] = _price_warnings(caplog)  # once (the decide-only router's build WARNING: gone)
    assert f"tier 'strong' ({model})" in warned and "2 of 4 prompts" in warned


def test_calibrate_scores_without_a_price_warning(tmp_path, capsys, caplog) -> None:
    rows = make_rows(40, MODELS, 0)
    data, models = tmp_path / "dev.jsonl", tmp_path / "models.json"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    models.write_text(json.dumps(MODELS))
    tiers = [{"name": "s", "model": "small", "input_price": 1.0, "output_price": 2.0},
             {"name": "m", "model": "medium", "input_price": 2.0, "output_price": 4.0},
             {"name": "l", "model": _unpriced()}]
    cfg = tmp_path / "rules.yaml"
    cfg.write_text(yaml.safe_dump({"tiers": tiers, "classifier": {"type": "rules"}}))
    caplog.set_level(logging.WARNING)
    code = main(["calibrate", "--data", str(data), "--models", str(models), "--max-strong-share",
                 "0.3", "--no-margin", "--config", str(cfg), "--output", str(tmp_path / "o.yaml")])
    assert code in (0, 1), capsys.readouterr().err
    assert _price_warnings(caplog) == []


def test_a_router_that_calls_still_warns_when_built(tmp_path, caplog) -> None:
    """Its calls there are recorded at an unknown cost: the WARNING stays where it is true."""
    model = _unpriced()
    caplog.set_level(logging.WARNING)
    Router(_config(tmp_path, model))
    [warned] = _price_warnings(caplog)
    assert f"'strong' ({model})" in warned and "recorded with cost unknown" in warned
