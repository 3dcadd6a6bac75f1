"""``tier-router train`` / ``eval`` / ``calibrate`` end to end on small files."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from shared_core.cli import calibrate as cli_calibrate
from shared_core.cli import eval as cli_eval
from shared_core.cli import train as cli_train
from shared_core.config import RouterConfig

from ._training_fakes import MODELS, TWO_MODELS, write_files

CONFIG = {
    "tiers": [
        {"name": "s", "model": "small", "input_price": 0.1, "output_price": 0.2},
        {"name": "m", "model": "medium", "input_price": 1.0, "output_price": 2.0},
        {"name": "l", "model": "large", "input_price": 10.0, "output_price": 30.0},
    ],
}


def cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tier-router")
    sub = parser.add_subparsers()
    for mod in (cli_train, cli_eval, cli_calibrate):
        mod.register(sub)
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    pytest.importorskip("shared_core.training.train")
    d = tmp_path_factory.mktemp("cli")
    data, models = write_files(d, n=160)
    out = d / "router.json"
    assert (
        cli(
            "train",
            "--data",
            str(data),
            "--models",
            str(models),
            "--output",
            str(out),
            "--seed",
            "3",
        )
        == 0
    )
    return d, data, models, out


def test_train_writes_plain_data_reproducibly(trained, tmp_path):
    _, data, models, out = trained
    again = tmp_path / "again.json"
    assert (
        cli(
            "train",
            "--data",
            str(data),
            "--models",
            str(models),
            "--output",
            str(again),
            "--seed",
            "3",
        )
        == 0
    )
    # plain data only (JSON + NPZ, no pickle), and the same seed gives the same weights
    files = sorted(p.suffix for p in tmp_path.iterdir())
    assert set(files) <= {".json", ".npz"}
    from shared_core.classifiers.trained import TrainedRouter

    a, b = TrainedRouter.load(out), TrainedRouter.load(again)
    texts = ["say hello to a cat", "prove rigorously that graphs are fun"]
    assert np.array_equal(a.predict(texts), b.predict(texts))
    assert (a.rule, a.knob) == (b.rule, b.knob)


def test_eval_json_decisions_and_plot(trained, capsys):
    d, data, models, router = trained
    dec, png = d / "dec.jsonl", d / "curve.png"
    code = cli(
        "eval",
        "--data",
        str(data),
        "--models",
        str(models),
        "--router",
        str(router),
        "--json",
        "--decisions",
        str(dec),
        "--plot",
        str(png),
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["primary_metric"] == "cost_to_95" and out["rows"] == 160
    assert set(out["baselines"]) == {"random", "always_cheapest", "always_best", "oracle"}
    # the trained router beats random on data whose difficulty shows in the words
    assert out["router"]["cost_to_95"] < out["baselines"]["random"]["cost_to_95"]
    first = json.loads(dec.read_text().splitlines()[0])
    assert set(first) == {"id", "knob", "model"} and first["model"] in MODELS
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_eval_points_are_bounded(trained, capsys):
    """``--points 100000000`` allocated arrays of that many knob points per model."""
    _, data, models, router = trained
    args = ("eval", "--data", str(data), "--models", str(models), "--router", str(router))
    assert cli(*args, "--points", "100000000") == 2
    assert "--points" in capsys.readouterr().err


def test_eval_prints_a_table(trained, capsys):
    _, data, models, router = trained
    assert cli("eval", "--data", str(data), "--models", str(models), "--router", str(router)) == 0
    text = capsys.readouterr().out
    for word in ("cost to 95%", "oracle", "always_cheapest", "random"):
        assert word in text


def test_calibrate_writes_the_knob_into_the_config(trained, capsys):
    d, data, models, router = trained
    cfg_in, cfg_out = d / "in.yaml", d / "out.yaml"
    RouterConfig.build(CONFIG).to_file(cfg_in)
    code = cli(
        "calibrate",
        "--data",
        str(data),
        "--models",
        str(models),
        "--router",
        str(router),
        "--target-quality",
        "0.95",
        "--config",
        str(cfg_in),
        "--output",
        str(cfg_out),
        "--json",
    )
    res = json.loads(capsys.readouterr().out)
    assert code == (0 if res["met"] else 1)
    cfg = RouterConfig.from_file(cfg_out)
    assert cfg.policy.threshold == pytest.approx(res["knob"])
    assert (
        cfg.classifier.type == "trained"
        and cfg.resolve_path(cfg.classifier.path) == router.resolve()
    )
    for flag, val in (("--max-strong-share", "0.2"), ("--budget-per-1k", "5")):
        assert (
            cli(
                "calibrate",
                "--data",
                str(data),
                "--models",
                str(models),
                "--router",
                str(router),
                flag,
                val,
                "--config",
                str(cfg_in),
                "--output",
                str(cfg_out),
            )
            == 0
        )


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ('{"id": 1, "prompt": "x", "scores": {"small": 2, "large": 1}}', "outside [0, 1]"),
        ('{"id": 1, "prompt": "x", "scores": {"small": 1}}', "missing models"),
        ('{"id": 1, "prompt": "x", "scores": {"small": 1, "large": 1, "gpt-x": 1}}', "'gpt-x'"),
        ('{"id": 1, "prompt": "x", "scores": ', "broken JSON on line 2"),
    ],
)
def test_bad_files_exit_non_zero_naming_file_and_line(tmp_path, capsys, line, needle):
    models = tmp_path / "m.json"
    models.write_text(json.dumps(TWO_MODELS))
    data = tmp_path / "bad.jsonl"
    good = '{"id": 0, "prompt": "fine", "scores": {"small": 1, "large": 1}}'
    data.write_text(good + "\n" + line + "\n")
    for argv in (
        ["eval", "--data", str(data), "--models", str(models)],
        [
            "train",
            "--data",
            str(data),
            "--models",
            str(models),
            "--output",
            str(tmp_path / "r.json"),
        ],
    ):
        assert cli(*argv) == 2
        err = capsys.readouterr().err
        assert f"{data}:2" in err and needle in err


def test_empty_file_and_missing_target(tmp_path, capsys):
    models = tmp_path / "m.json"
    models.write_text(json.dumps(TWO_MODELS))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert cli("eval", "--data", str(empty), "--models", str(models)) == 2
    assert "empty file" in capsys.readouterr().err
    cfg = tmp_path / "c.yaml"
    RouterConfig.build(CONFIG).to_file(cfg)
    assert (
        cli(
            "calibrate",
            "--data",
            str(empty),
            "--models",
            str(models),
            "--config",
            str(cfg),
            "--output",
            str(tmp_path / "o.yaml"),
        )
        == 2
    )
    assert "give one target" in capsys.readouterr().err


def test_eval_with_the_shipped_default(tmp_path, capsys):
    pytest.importorskip("shared_core.classifiers.embedded")
    data, models = write_files(tmp_path, n=40, models=TWO_MODELS)
    assert cli("eval", "--data", str(data), "--models", str(models), "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["router_file"] == "(shipped default)" and out["router"]["apgr"] is not None


@pytest.mark.needs_data
def test_train_eval_calibrate_on_public_files(shared_data_dir, tmp_path, capsys):
    pytest.importorskip("shared_core.training.train")
    rng = np.random.default_rng(0)
    for source in ("routellm", "mmlupro"):
        models = shared_data_dir / f"{source}_models.json"
        sub = {}
        for split, n in (("train", 150), ("dev", 80)):
            lines = (
                (shared_data_dir / f"{source}_{split}.jsonl")
                .read_text(encoding="utf-8")
                .split("\n")
            )
            lines = [x for x in lines if x.strip()]
            pick = sorted(rng.choice(len(lines), size=min(n, len(lines)), replace=False))
            sub[split] = tmp_path / f"{source}_{split}.jsonl"  # a subsample, in tmp only
            sub[split].write_text("\n".join(lines[i] for i in pick) + "\n", encoding="utf-8")
        router = tmp_path / f"{source}.json"
        assert (
            cli(
                "train",
                "--data",
                str(sub["train"]),
                "--models",
                str(models),
                "--output",
                str(router),
            )
            == 0
        )
        assert (
            cli(
                "eval",
                "--data",
                str(sub["dev"]),
                "--models",
                str(models),
                "--router",
                str(router),
                "--json",
            )
            == 0
        )
        out = json.loads(capsys.readouterr().out)
        primary = out["primary_metric"]
        assert out["router"][primary] is not None
        tiers = [{"name": f"t{i}", "model": m} for i, m in enumerate(out["models"])]
        cfg = tmp_path / f"{source}.yaml"
        RouterConfig.build({"tiers": tiers}).to_file(cfg)
        code = cli(
            "calibrate",
            "--data",
            str(sub["dev"]),
            "--models",
            str(models),
            "--router",
            str(router),
            "--max-strong-share",
            "0.3",
            "--config",
            str(cfg),
            "--output",
            str(tmp_path / "o.yaml"),
        )
        assert code == 0
        capsys.readouterr()


def test_train_eval_loop_example_runs_offline(repo_root, tmp_path):
    pytest.importorskip("shared_core.training.train")
    import subprocess
    import sys

    out = tmp_path / "loop"
    proc = subprocess.run(
        [sys.executable, str(repo_root / "examples" / "train_eval_loop.py"), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "3. calibrated policy.threshold=" in proc.stdout
    assert (out / "curve.png").read_bytes()[:4] == b"\x89PNG"
    cfg = RouterConfig.from_file(out / "calibrated.yaml")
    assert cfg.classifier.type == "trained"
    assert "-> mini" in proc.stdout and "-> frontier" in proc.stdout


def test_calibrate_from_ledger(tmp_path, capsys):
    from shared_core.ledger import CallRecord, SQLiteLedger

    db = tmp_path / "ledger.sqlite"
    led = SQLiteLedger(db)
    for i in range(60):
        p = (i + 0.5) / 60
        led.record(CallRecord(call_id=f"c{i}", tier="s", model="small", metadata={"router_scores": {"s": p}}))
        led.record_feedback(f"c{i}", 1.0 if p >= 0.75 else 0.0)
    led.close()
    cfg_in, cfg_out = tmp_path / "in.yaml", tmp_path / "out.yaml"
    RouterConfig.build({**CONFIG, "policy": {"threshold": 0.5}}).to_file(cfg_in)
    argv = ["calibrate", "--from-ledger", str(db), "--target-success", "0.9"]
    assert cli(*argv, "--config", str(cfg_in), "--output", str(cfg_out), "--json") == 0
    res = json.loads(capsys.readouterr().out)
    assert res["calls"] == 60 and res["old_knob"] == 0.5
    assert RouterConfig.from_file(cfg_out).policy.threshold == pytest.approx(0.758, abs=0.01)
    assert (
        cli(
            "calibrate",
            "--from-ledger",
            str(tmp_path / "nope.sqlite"),
            "--config",
            str(cfg_in),
            "--output",
            str(cfg_out),
        )
        == 2
    )
    assert "nope.sqlite': file not found" in capsys.readouterr().err


def test_eval_refuses_a_router_trained_for_other_models(trained, tmp_path, capsys):
    _, _, _, router = trained
    other = {"a": TWO_MODELS["small"], "b": TWO_MODELS["large"]}
    data, models = write_files(tmp_path, n=20, models=other)
    assert cli("eval", "--data", str(data), "--models", str(models), "--router", str(router)) == 2
    err = capsys.readouterr().err
    assert "trained for models" in err and "'a'" in err


def test_train_with_a_nearest_neighbour_part(trained, tmp_path, capsys):
    _, data, models, _ = trained
    knn_out, out = tmp_path / "knn.json", tmp_path / "plain.json"
    argv = ["train", "--data", str(data), "--models", str(models), "--seed", "3", "--fast"]
    assert cli(*argv, "--output", str(knn_out), "--knn-weight", "0.4", "--cost-weight", "0.2") == 0
    assert cli(*argv, "--output", str(out)) == 0
    from shared_core.classifiers.trained import TrainedRouter

    plain, knn = TrainedRouter.load(out), TrainedRouter.load(knn_out)
    assert plain.knn is None and knn.knn is not None
    texts = ["say hello to a cat", "prove rigorously that graphs are fun"]
    assert knn.predict(texts).shape == plain.predict(texts).shape
    assert cli("train", "--data", str(data), "--models", str(models), "--output",
               str(tmp_path / "bad.json"), "--knn-weight", "2") == 2
    assert "--knn-weight" in capsys.readouterr().err


def test_train_prints_the_cross_validated_choice_and_spread(trained, tmp_path, capsys):
    _, data, models, out = trained
    from shared_core.classifiers.trained import TrainedRouter

    router = TrainedRouter.load(out)
    cv = router.info["cv"]
    assert router.info["recipe"] == "cross-validated" and cv["folds"] == 5
    assert cv["recipe"]["rule"] == router.rule and cv["knob"] == router.knob
    assert len(cv["figure"]["folds"]) == 5
    assert cv["figure"]["low"] <= cv["figure"]["mean"] <= cv["figure"]["high"]
    again = tmp_path / "again.json"
    argv = ["train", "--data", str(data), "--models", str(models), "--output", str(again)]
    assert cli(*argv, "--seed", "3", "--json", "--folds", "3") == 0
    cap = capsys.readouterr()
    shown = json.loads(cap.out)
    assert shown["folds"] == 3 and len(shown["figure"]["folds"]) == 3
    assert "by 3-fold grouped CV" in cap.err and "cross-validated cost to 95%" in cap.err
    assert f"rule={shown['recipe']['rule']}" in cap.err
    assert cli(*argv, "--folds", "1") == 2
    assert "--folds must be at least 2" in capsys.readouterr().err


def test_train_reports_the_task_prior_it_tried_and_can_skip_it(trained, tmp_path, capsys):
    _, data, models, out = trained
    from shared_core.classifiers.trained import TrainedRouter

    tp = TrainedRouter.load(out).info["cv"]["task_prior"]  # the fakes' rows carry 3 tasks
    assert tp["tasks"] == 3 and isinstance(tp["kept"], bool)
    assert tp["with"]["metric"] == tp["without"]["metric"] == "cost_to_95"
    argv = ["train", "--data", str(data), "--models", str(models), "--seed", "3"]
    assert cli(*argv, "--output", str(tmp_path / "a.json"), "--folds", "3") == 0
    assert "task prior (3 tasks, " in capsys.readouterr().err
    assert cli(*argv, "--output", str(tmp_path / "b.json"), "--folds", "3", "--no-task-prior") == 0
    assert "task prior: not tried (turned off)" in capsys.readouterr().err
    off = TrainedRouter.load(tmp_path / "b.json")
    assert off.task_prior is None and off.info["cv"]["task_prior"]["skipped"] == "turned off"


def test_train_refuses_too_few_rows_for_cross_validation(tmp_path, capsys):
    data, models = write_files(tmp_path, n=30)
    argv = ["train", "--data", str(data), "--models", str(models)]
    assert cli(*argv, "--output", str(tmp_path / "r.json")) == 2
    assert "too few for 5-fold cross-validation" in capsys.readouterr().err
    assert cli(*argv, "--output", str(tmp_path / "r.json"), "--fast") == 0


def test_train_default_and_train_cross_validate_the_same_grids(tmp_path, monkeypatch):
    """``make train-default`` and ``tier-router train`` (default options) run one procedure:
    for every shipped source, the grids cross-validation searches (L2, blend and cost
    weights, rules, k), the folds, the seed, the grouping and the features are the same."""
    import inspect
    import shutil

    from shared_core.training import recipe
    from shared_core.training import train_default as td

    real = recipe.train_best
    calls: list[dict] = []

    class _Stub:  # what train_best returns, as far as both callers use it
        def save(self, path, **_):
            return path

        def summary(self) -> str:
            return "stub"

    def spy(*args, **kwargs):
        bound = inspect.signature(real).bind(*args, **kwargs)
        bound.apply_defaults()
        skip = ("rows", "models_meta", "info", "progress")
        calls.append(
            {
                k: tuple(v) if isinstance(v, (list, tuple)) else v
                for k, v in bound.arguments.items()
                if k not in skip
            }
        )
        return _Stub(), _Stub()

    monkeypatch.setattr(recipe, "train_best", spy)
    data, models = write_files(tmp_path, n=60)
    for source in td.SOURCES:
        shutil.copy(data, tmp_path / f"{source}_train.jsonl")
        shutil.copy(models, tmp_path / f"{source}_models.json")
        td.train_source(tmp_path, source)
    argv = ["train", "--data", str(data), "--models", str(models)]
    assert cli(*argv, "--output", str(tmp_path / "r.json")) == 0
    assert len(calls) == len(td.SOURCES) + 1
    user = calls[-1]
    assert user["lams"] == recipe.LAMS == (1e-4, 1e-3)
    assert user["knn_weights"] == recipe.KNN_WEIGHTS and user["ks"] == recipe.KNN_KS
    for source, shipped in zip(td.SOURCES, calls[:-1], strict=True):
        assert shipped == user, source


def test_calibrate_says_the_feedback_loop_keeps_its_knob(tmp_path, capsys):
    """A config running the feedback loop: the knob written here applies after reset()."""
    from shared_core.ledger import CallRecord, SQLiteLedger

    db = tmp_path / "ledger.sqlite"
    led = SQLiteLedger(db)
    for i in range(60):
        p = (i + 0.5) / 60
        led.record(CallRecord(call_id=f"c{i}", tier="s", model="small", metadata={"router_scores": {"s": p}}))
        led.record_feedback(f"c{i}", 1.0 if p >= 0.75 else 0.0)
    led.close()
    cfg_in, cfg_out = tmp_path / "in.yaml", tmp_path / "out.yaml"
    RouterConfig.build({**CONFIG, "policy": {"threshold": 0.5},
                        "feedback": {"auto_adjust": True, "bounds": [0.2, 0.9]}}).to_file(cfg_in)
    argv = ["calibrate", "--from-ledger", str(db), "--target-success", "0.9"]
    assert cli(*argv, "--config", str(cfg_in), "--output", str(cfg_out)) == 0
    out = capsys.readouterr()
    assert "router.feedback_loop.reset()" in out.out + out.err


def test_train_refuses_an_output_that_would_overwrite_its_input(trained, capsys):
    """`--output models.json` replaced the models file it read (a probe found it)."""
    _, data, models, _ = trained
    before = models.read_bytes()
    assert cli("train", "--fast", "--data", str(data), "--models", str(models), "--output", str(models)) == 2
    assert "would overwrite the input" in capsys.readouterr().err
    assert models.read_bytes() == before


def test_calibrate_from_a_ledger_the_router_wrote_never_raises_the_knob_on_all_good_feedback(tmp_path, capsys):
    """Written by the documented flow (Router, execute, record_feedback), the ledger carried no
    router scores, so the refit read ``confidence`` (how sure the router was of its choice) as
    the cheap tier's predicted success: with every call rated 1.0 it moved the knob from 0.5 up
    to 0.94, sending more traffic to the dear tier."""
    from shared_core import Router
    from shared_core.dispatch import execute
    from shared_core.testing import ScriptedModel

    cfg = {"tiers": [{"name": "mini", "model": "gpt-4o-mini"}, {"name": "big", "model": "gpt-4o"}]}
    db = tmp_path / "led.sqlite"
    router = Router(cfg, ledger=str(db))
    texts = ["hi, thanks!", "what is the capital of Peru?", "convert 5 km to miles",
             "prove rigorously that the scheduler never deadlocks", "design a fault-tolerant ledger"]
    for i in range(60):
        req = router.request(f"{texts[i % len(texts)]} (#{i})")
        d = router.decide_request(req)
        execute(router.plan(d, req), ScriptedModel())
        router.record_feedback(d.call_id, 1.0)
    router.ledger.close()
    cfg_in, cfg_out = tmp_path / "in.yaml", tmp_path / "out.yaml"
    RouterConfig.build(cfg).to_file(cfg_in)
    assert cli("calibrate", "--from-ledger", str(db), "--config", str(cfg_in), "--output", str(cfg_out), "--json") == 0
    res = json.loads(capsys.readouterr().out)
    assert res["score_source"] == "scores"
    assert res["knob"] <= 0.5


def test_bad_numeric_options_are_typed_errors(trained, tmp_path, capsys):
    """From the training probe: ``--seed -1`` ended in numpy's traceback (exit 1), ``--cost-weight
    nan`` passed the check (NaN compares false), ``calibrate --folds 1`` was taken as "no
    margin" silently, and ``train --output nodir/x.json`` named a temporary file."""
    _, data, models, router = trained
    base = ("--data", str(data), "--models", str(models))
    assert cli("train", *base, "--output", str(tmp_path / "r.json"), "--fast", "--seed", "-1") == 2
    assert "--seed" in capsys.readouterr().err
    assert cli("eval", *base, "--router", str(router), "--seed", "-1") == 2
    assert "--seed" in capsys.readouterr().err
    assert cli("train", *base, "--output", str(tmp_path / "r.json"), "--cost-weight", "nan") == 2
    assert "--cost-weight" in capsys.readouterr().err
    cfg = tmp_path / "c.yaml"
    RouterConfig.build(CONFIG).to_file(cfg)
    for folds in ("1", "-4"):
        assert cli("calibrate", *base, "--router", str(router), "--target-quality", "0.9", "--config", str(cfg),
                   "--output", str(tmp_path / "o.yaml"), "--folds", folds) == 2
        assert "--folds" in capsys.readouterr().err
    assert cli("train", *base, "--output", str(tmp_path / "nodir" / "x.json"), "--fast") == 2
    err = capsys.readouterr().err
    assert "nodir" in err and ".tmp" not in err


def test_calibrate_says_when_the_dev_file_is_too_small_for_its_margin(trained, tmp_path, capsys):
    """45 rows cannot make 5 folds of 10: the margin was dropped with no word ("met", folds 0)."""
    _, data, models, router = trained
    small = tmp_path / "small.jsonl"
    small.write_text("\n".join(Path(data).read_text().splitlines()[:30]) + "\n")
    cfg = tmp_path / "c.yaml"
    RouterConfig.build(CONFIG).to_file(cfg)
    code = cli("calibrate", "--data", str(small), "--models", str(models), "--router", str(router),
               "--target-quality", "0.9", "--config", str(cfg), "--output", str(tmp_path / "o.yaml"))
    assert code in (0, 1)
    assert "no margin" in capsys.readouterr().out


def test_calibrate_measures_the_utility_rule_with_the_costs_the_written_config_routes_with(trained, tmp_path, capsys):
    """``calibrate --router`` (rule ``utility``) weighed cost with the router file's relative
    costs (from the training data's prices) while the written config routes with its tiers'
    prices: it printed 10% to the strongest model for a config that sent 34% there."""
    from shared_core import Router
    from shared_core.training.data import load_dataset

    _, data, models, router = trained
    meta = json.loads(Path(router).read_text())
    meta["rule"] = "utility"
    util = tmp_path / "util.json"
    util.write_text(json.dumps(meta))
    npz = Path(router).with_suffix(".npz")
    util.with_suffix(".npz").write_bytes(npz.read_bytes())
    meta["weights_file"] = util.with_suffix(".npz").name
    util.write_text(json.dumps(meta))
    flat = {"tiers": [  # the tiers priced nearly alike: utility takes the strong one far more often
        {"name": "s", "model": "small", "input_price": 1.0, "output_price": 1.0},
        {"name": "m", "model": "medium", "input_price": 1.1, "output_price": 1.1},
        {"name": "l", "model": "large", "input_price": 1.2, "output_price": 1.2},
    ]}
    cfg_in, cfg_out = tmp_path / "in.yaml", tmp_path / "out.yaml"
    RouterConfig.build({**flat, "allow_unordered": True}).to_file(cfg_in)
    code = cli("calibrate", "--data", str(data), "--models", str(models), "--router", str(util),
               "--max-strong-share", "0.5", "--no-margin", "--config", str(cfg_in), "--output", str(cfg_out), "--json")
    assert code in (0, 1)
    printed = json.loads(capsys.readouterr().out)["strong_share"]
    live = Router(str(cfg_out))
    texts = load_dataset(data, models).texts
    share = sum(live.decide(t).tier == "l" for t in texts) / len(texts)
    assert share == pytest.approx(printed, abs=0.02)
