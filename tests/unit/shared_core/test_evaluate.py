"""Knob sweeps: dense grid, prompt-only decisions, decisions file, plot."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from shared_core.errors import DataFormatError
from shared_core.training import metrics as M
from shared_core.training.data import build_dataset, load_dataset
from shared_core.training.evaluate import evaluate, knob_grid, write_decisions

from ._training_fakes import TWO_MODELS, StandInRouter, write_files


@pytest.fixture
def ds3(tmp_path):
    return load_dataset(*write_files(tmp_path, n=150))


@pytest.mark.parametrize("rule", ["threshold", "margin", "utility"])
def test_grid_is_dense_and_spans_the_knob(ds3, rule):
    res = evaluate(StandInRouter(3, rule=rule), ds3)
    knobs = res.curve.knobs
    assert len(knobs) >= 50 and knobs[0] == 0.0 and knobs[-1] == 1.0
    assert (np.diff(knobs) > 0).all()
    # a higher knob never picks a cheaper model, for every prompt
    assert (np.diff(res.choices, axis=0) >= 0).all()
    # knob 0 is the cheapest model for every prompt
    assert (res.choices[0] == 0).all()


def test_change_points_are_in_the_grid(ds3):
    pred = StandInRouter(3).predict(ds3.texts)
    grid = knob_grid(pred, "threshold", None, points=51, change_points=21)
    inner = pred[(pred > 0) & (pred < 1)]
    assert np.isin(np.quantile(inner, [0.0, 0.5, 1.0]), grid).all()


def test_router_beats_random_on_learnable_data(tmp_path):
    ds = load_dataset(*write_files(tmp_path, n=300, models=TWO_MODELS))
    res = evaluate(StandInRouter(2), ds)
    assert res.metrics["apgr"] > 0.6 > res.baselines["random"]["apgr"]
    assert res.metrics["apgr"] <= res.baselines["oracle"]["apgr"] + 1e-9
    assert res.primary == "apgr"


def test_decisions_depend_on_the_prompt_only(ds3):
    res = evaluate(StandInRouter(3), ds3)
    blank_rows = [dataclasses.replace(r, id="", task="", source="") for r in ds3.rows]
    blank = build_dataset(blank_rows, ds3.models, ds3.name)
    router = StandInRouter(3)
    res_blank = evaluate(router, blank)
    assert (res.choices == res_blank.choices).all()
    assert res.metrics == res_blank.metrics
    # and the router saw nothing but the prompt texts
    assert set(router.seen) == set(ds3.texts)


def test_decisions_file_recomputes_the_metrics(ds3, tmp_path):
    res = evaluate(StandInRouter(3), ds3)
    out = tmp_path / "dec.jsonl"
    n = write_decisions(out, res, ds3.ids)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert n == len(lines) == len(res.curve) * len(ds3)
    assert set(lines[0]) == {"id", "knob", "model"}
    # recompute independently: group by knob, map model names back to columns
    col = {m: j for j, m in enumerate(ds3.models.names)}
    row = {rid: i for i, rid in enumerate(ds3.ids)}
    by_knob: dict[float, np.ndarray] = {}
    for d in lines:
        by_knob.setdefault(d["knob"], np.zeros(len(ds3), dtype=int))[row[d["id"]]] = col[d["model"]]
    knobs = sorted(by_knob)
    cv = M.curve_from_choices(
        np.stack([by_knob[k] for k in knobs]), ds3.scores, ds3.costs, np.array(knobs)
    )
    again = M.summarise_curve(cv, ds3.scores, ds3.costs)
    assert again["cost_to_95"] == pytest.approx(res.metrics["cost_to_95"])
    assert again["quality_at_cstar"] == pytest.approx(res.metrics["quality_at_cstar"])


def test_wrong_number_of_models_is_refused(ds3):
    with pytest.raises(
        DataFormatError, match="predicts 2 scores per prompt but the models file has 3"
    ):
        evaluate(StandInRouter(2), ds3)


def test_to_dict_is_plain_json(ds3):
    d = evaluate(StandInRouter(3), ds3).to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text)["primary_metric"] == "cost_to_95"
    assert set(d["baselines"]) == {"random", "always_cheapest", "always_best", "oracle"}


def test_plot_writes_png(tmp_path):
    pytest.importorskip("matplotlib")
    from shared_core.training.evaluate import plot

    for models, name in ((None, "three"), (TWO_MODELS, "two")):
        d = tmp_path / name
        d.mkdir()
        ds = load_dataset(*write_files(d, n=60, models=models))
        res = evaluate(StandInRouter(len(ds.models)), ds)
        out = plot(res, ds, d / "curve.png")
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_shipped_default_decides_from_the_prompt_only(ds3):
    embedded = pytest.importorskip("shared_core.classifiers.embedded")
    router = embedded.default_router_for(ds3.models.names, None)
    res = evaluate(router, ds3)
    blank = build_dataset(
        [dataclasses.replace(r, id="", task="", source="") for r in ds3.rows], ds3.models, ds3.name
    )
    assert (evaluate(router, blank).choices == res.choices).all()
