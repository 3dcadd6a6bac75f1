"""``tier-router calibrate`` without ``--router`` measures the config's own classifier.

The knob it writes must be the knob of the classifier the written config routes with: the
figures it prints are checked here against what a :class:`Router` on the written config
actually does with the same rows.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from shared_core import Router
from shared_core.cli import calibrate as cli_calibrate
from shared_core.cli import train as cli_train
from shared_core.config import RouterConfig

from ._training_fakes import MODELS, make_rows

REPO = Path(__file__).resolve().parents[3]
FOUR_TIER = REPO / "examples" / "configs" / "difficulty-4tier.yaml"
FOUR_MODELS = {
    "m0": {"input_per_mtok": 0.15, "output_per_mtok": 0.6, "tier_rank": 0, "assumed_output_tokens": 100},
    "m1": {"input_per_mtok": 0.4, "output_per_mtok": 1.6, "tier_rank": 1, "assumed_output_tokens": 100},
    "m2": {"input_per_mtok": 2.5, "output_per_mtok": 10.0, "tier_rank": 2, "assumed_output_tokens": 100},
    "m3": {"input_per_mtok": 15.0, "output_per_mtok": 60.0, "tier_rank": 3, "assumed_output_tokens": 100},
}
THREE_TIERS = [
    {"name": "s", "model": "small", "input_price": 0.1, "output_price": 0.2},
    {"name": "m", "model": "medium", "input_price": 1.0, "output_price": 2.0},
    {"name": "l", "model": "large", "input_price": 10.0, "output_price": 30.0},
]


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tier-router")
    sub = parser.add_subparsers()
    for mod in (cli_train, cli_calibrate):
        mod.register(sub)
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def write_data(tmp: Path, models: dict, n: int, seed: int = 0) -> tuple[Path, Path, list[dict]]:
    rows = make_rows(n, models, seed)
    data = tmp / "dev.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    mpath = tmp / "models.json"
    mpath.write_text(json.dumps(models), encoding="utf-8")
    return data, mpath, rows


def routed(config: Path, rows: list[dict], models: dict) -> tuple[float, float]:
    """(share of rows on the strongest tier, mean quality) when a Router on ``config``
    routes the rows (tier i answers with the models file's i-th model)."""
    router = Router(config)
    names = list(models)
    tiers = router.config.tier_names
    picks = [tiers.index(router.decide(r["prompt"]).tier) for r in rows]
    quality = float(np.mean([r["scores"][names[i]] for r, i in zip(rows, picks)]))
    strong = float(np.mean([i == len(tiers) - 1 for i in picks]))
    return strong, quality


def cfg_rule(path: Path) -> str:
    return str(RouterConfig.from_file(path).policy.rule)


def calibrate_json(capsys, *argv: str) -> tuple[int, dict]:
    code = cli("calibrate", *argv, "--json")
    return code, json.loads(capsys.readouterr().out)


def test_without_router_the_embedded_config_is_measured_with_its_own_classifier(
    tmp_path, capsys
):
    """The reported case: the 4-tier example config on the embedded classifier. What
    calibrate reports at the knob it writes is what the written config then routes."""
    data, models, rows = write_data(tmp_path, FOUR_MODELS, n=120)
    out = tmp_path / "calibrated.yaml"
    code, res = calibrate_json(
        capsys,
        "--data", str(data), "--models", str(models),
        "--max-strong-share", "0.3",
        "--config", str(FOUR_TIER), "--output", str(out),
    )  # fmt: skip
    assert code in (0, 1)  # met or not, the config is written
    cfg = RouterConfig.from_file(out)
    assert cfg.classifier.type == "embedded"
    assert cfg.policy.threshold == pytest.approx(res["knob"])
    strong, quality = routed(out, rows, FOUR_MODELS)
    assert res["strong_share"] == pytest.approx(strong)
    assert res["quality"] == pytest.approx(quality)
    assert res["classifier"] == {"type": "embedded", "path": None, "source": "config"}


def test_the_text_output_names_the_measured_classifier(tmp_path, capsys):
    data, models, _ = write_data(tmp_path, FOUR_MODELS, n=60)
    code = cli(
        "calibrate",
        "--data", str(data), "--models", str(models),
        "--max-strong-share", "0.2", "--no-margin",
        "--config", str(FOUR_TIER), "--output", str(tmp_path / "o.yaml"),
    )  # fmt: skip
    assert code in (0, 1)
    text = capsys.readouterr().out
    assert f"classifier measured: embedded (the config's classifier, {FOUR_TIER})" in text


@pytest.fixture(scope="module")
def trained_files(tmp_path_factory):
    pytest.importorskip("shared_core.training.train")
    d = tmp_path_factory.mktemp("cal-trained")
    data, models, rows = write_data(d, MODELS, n=160)
    router = d / "router.json"
    argv = ["--data", str(data), "--models", str(models), "--output", str(router), "--seed", "3"]
    assert cli("train", *argv) == 0
    return d, data, models, rows, router


def test_a_config_with_a_trained_head_is_measured_with_that_head(trained_files, capsys):
    d, data, models, rows, router = trained_files
    cfg_in, out = d / "with-head.yaml", d / "with-head-out.yaml"
    RouterConfig.build(
        {"tiers": THREE_TIERS, "classifier": {"type": "trained", "path": str(router)}}
    ).to_file(cfg_in)
    code, res = calibrate_json(
        capsys,
        "--data", str(data), "--models", str(models), "--max-strong-share", "0.25",
        "--config", str(cfg_in), "--output", str(out),
    )  # fmt: skip
    assert code == 0
    assert res["classifier"] == {"type": "trained", "path": str(router), "source": "config"}
    strong, quality = routed(out, rows, MODELS)
    assert res["strong_share"] == pytest.approx(strong)
    assert res["quality"] == pytest.approx(quality)
    # the config's rule is measured (not the file's own, which --router would write)
    assert res["rule"] == "threshold" and cfg_rule(out) == "threshold"
    code, via_flag = calibrate_json(
        capsys,
        "--data", str(data), "--models", str(models), "--max-strong-share", "0.25",
        "--router", str(router), "--config", str(cfg_in), "--output", str(d / "flag.yaml"),
    )  # fmt: skip
    assert code == 0
    assert via_flag["classifier"] == {"type": "trained", "path": str(router), "source": "--router"}


def test_router_flag_still_writes_its_file_into_the_config(trained_files, capsys):
    d, data, models, _, router = trained_files
    cfg_in, out = d / "rules.yaml", d / "rules-out.yaml"
    RouterConfig.build({"tiers": THREE_TIERS, "classifier": {"type": "rules"}}).to_file(cfg_in)
    code = cli(
        "calibrate",
        "--data", str(data), "--models", str(models), "--budget-per-1k", "5",
        "--router", str(router), "--config", str(cfg_in), "--output", str(out),
    )  # fmt: skip
    assert code == 0
    assert f"classifier measured: trained router {router} (--router)" in capsys.readouterr().out
    cfg = RouterConfig.from_file(out)
    assert cfg.classifier.type == "trained"
    assert cfg.resolve_path(cfg.classifier.path) == router.resolve()


@pytest.mark.parametrize(
    ("section", "needle"),
    [
        (
            {"type": "judge"},
            "classifier type 'judge' asks an LLM for every prompt",
        ),
        (
            {
                "type": "cascade",
                "stages": [{"type": "rules", "accept_confidence": 0.9}, {"type": "judge"}],
            },
            "classifier type 'cascade' asks an LLM for some prompts",
        ),
    ],
)
def test_a_classifier_that_calls_an_llm_is_refused_before_anything_is_written(
    tmp_path, capsys, section, needle
):
    data, models, _ = write_data(tmp_path, MODELS, n=40)
    cfg_in, out = tmp_path / "judge.yaml", tmp_path / "out.yaml"
    RouterConfig.build({"tiers": THREE_TIERS, "classifier": section}).to_file(cfg_in)
    code = cli(
        "calibrate",
        "--data", str(data), "--models", str(models), "--target-quality", "0.9",
        "--config", str(cfg_in), "--output", str(out),
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err and "--router" in err
    assert not out.exists()


def test_a_task_config_is_refused_the_knob_does_not_route_it(tmp_path, capsys):
    data, models, _ = write_data(tmp_path, MODELS, n=40)
    cfg_in, out = tmp_path / "task.yaml", tmp_path / "out.yaml"
    RouterConfig.build(
        {
            "mode": "task",
            "tiers": [
                {**THREE_TIERS[0], "routes": ["chat"]},
                {**THREE_TIERS[1], "routes": ["summary"]},
                {**THREE_TIERS[2], "routes": ["coding"]},
            ],
            "classifier": {"type": "rules"},
        }
    ).to_file(cfg_in)
    code = cli(
        "calibrate",
        "--data", str(data), "--models", str(models), "--target-quality", "0.9",
        "--config", str(cfg_in), "--output", str(out),
    )  # fmt: skip
    assert code == 2
    assert "mode 'task'" in capsys.readouterr().err
    assert not out.exists()


def test_a_tier_count_mismatch_is_refused_before_scoring(tmp_path, capsys):
    data, models, _ = write_data(tmp_path, MODELS, n=40)  # 3 models, the example has 4 tiers
    out = tmp_path / "out.yaml"
    code = cli(
        "calibrate",
        "--data", str(data), "--models", str(models), "--target-quality", "0.9",
        "--config", str(FOUR_TIER), "--output", str(out),
    )  # fmt: skip
    assert code == 2
    assert "the config has 4 tiers" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    "policy",
    [
        {"min_confidence": 0.7, "unsure_go_up": True},
        {"min_confidence": 0.7, "unsure_go_up": False, "fallback_tier": "medium"},
    ],
)
def test_the_unsure_step_is_measured_as_the_router_takes_it(tmp_path, capsys, policy):
    """Requests below min_confidence go one tier up (or to the fallback tier) in the
    router: the figures calibrate reports include that step."""
    data, models, rows = write_data(tmp_path, FOUR_MODELS, n=80, seed=2)
    base = RouterConfig.from_file(FOUR_TIER).to_dict()
    base["policy"].update(policy)
    cfg_in, out = tmp_path / "unsure.yaml", tmp_path / "out.yaml"
    RouterConfig.build(base).to_file(cfg_in)
    router = Router(cfg_in)
    unsure = [r for r in rows if router.decide(r["prompt"]).confidence < 0.7]
    assert len(unsure) >= 5  # the step is exercised
    code, res = calibrate_json(
        capsys,
        "--data", str(data), "--models", str(models), "--max-strong-share", "0.2", "--no-margin",
        "--config", str(cfg_in), "--output", str(out),
    )  # fmt: skip
    assert code in (0, 1)
    strong, quality = routed(out, rows, FOUR_MODELS)
    assert res["strong_share"] == pytest.approx(strong)
    assert res["quality"] == pytest.approx(quality)


def test_min_confidence_with_another_rule_is_refused(tmp_path, capsys):
    data, models, _ = write_data(tmp_path, FOUR_MODELS, n=40)
    base = RouterConfig.from_file(FOUR_TIER).to_dict()
    base["policy"].update({"min_confidence": 0.5, "rule": "utility"})
    cfg_in, out = tmp_path / "u.yaml", tmp_path / "out.yaml"
    RouterConfig.build(base).to_file(cfg_in)
    code = cli(
        "calibrate",
        "--data", str(data), "--models", str(models), "--target-quality", "0.9",
        "--config", str(cfg_in), "--output", str(out),
    )  # fmt: skip
    assert code == 2
    assert "policy.min_confidence 0.5 with rule 'utility'" in capsys.readouterr().err
    assert not out.exists()
