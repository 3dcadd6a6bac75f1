"""Bootstrap intervals on ``tier-router eval`` and the knife-edge warning."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from shared_core.cli import eval as cli_eval
from shared_core.training.bootstrap import bootstrap, knife_edge
from shared_core.training.data import load_dataset
from shared_core.training.evaluate import evaluate

from ._training_fakes import StandInRouter, write_files


def _cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tier-router")
    cli_eval.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_intervals_hold_the_figure_and_narrow_with_more_rows(tmp_path):
    widths = []
    for n in (80, 800):
        ds = load_dataset(*write_files(tmp_path, n=n))
        res = evaluate(StandInRouter(3), ds, resamples=200)
        iv = res.intervals["cost_to_95"]
        assert iv.low <= res.metrics["cost_to_95"] <= iv.high
        widths.append(iv.high - iv.low)
        assert set(res.to_dict()["intervals"]) >= {"cost_to_95", "max_quality"}
    assert widths[1] < widths[0] / 2  # ~1/sqrt(10) of the width with ten times the rows


def test_two_model_intervals_cover_apgr(tmp_path):
    ds = load_dataset(*write_files(tmp_path, n=200, models=_two()))
    res = evaluate(StandInRouter(2), ds, resamples=100, seed=3)
    iv = res.intervals["apgr"]
    assert iv.low <= res.metrics["apgr"] <= iv.high and iv.missed == 0.0
    again = evaluate(StandInRouter(2), ds, resamples=100, seed=3)
    assert again.intervals["apgr"] == iv  # seeded: the same interval twice


def _two():
    from ._training_fakes import TWO_MODELS

    return TWO_MODELS


def _edge_case(best_share: float, n: int = 400):
    """Two models; the router can at most reach ``best_share`` of the strong one's quality."""
    S = np.zeros((n, 2))
    S[:, 1] = 1.0
    S[: round(best_share * n), 0] = 1.0
    C = np.tile([1.0, 10.0], (n, 1))
    choices = np.zeros((3, n), dtype=int)  # this router never calls the strong model
    return choices, S, C


def test_knife_edge_is_flagged_when_best_quality_barely_reaches_the_line():
    choices, S, C = _edge_case(0.955)
    iv = bootstrap(choices, S, C, np.linspace(0, 1, 3), resamples=200)
    assert 0.2 < iv["cost_to_95"].missed < 0.8  # half the resamples fall below the line
    edge = knife_edge(S[np.arange(len(S)), choices[0]].mean(), S, C, iv["cost_to_95"])
    assert edge.on_edge and edge.best_share == pytest.approx(0.955)
    assert "knife edge" in edge.message and "95.5%" in edge.message


def test_a_comfortable_margin_is_not_a_knife_edge():
    choices, S, C = _edge_case(0.99)
    iv = bootstrap(choices, S, C, np.linspace(0, 1, 3), resamples=200)
    assert iv["cost_to_95"].missed == 0.0
    edge = knife_edge(0.99, S, C, iv["cost_to_95"])
    assert not edge.on_edge and edge.message == ""


def test_never_reaching_the_line_says_so():
    _, S, C = _edge_case(0.5)
    edge = knife_edge(0.5, S, C, None)
    assert edge.on_edge and "never reaches the 95% line" in edge.message


def test_cli_eval_prints_intervals_and_json(tmp_path, capsys):
    data, models = write_files(tmp_path, n=120)
    assert _cli("eval", "--data", str(data), "--models", str(models), "--resamples", "50") == 0
    out = capsys.readouterr().out
    assert "95% bootstrap interval" in out
    assert _cli("eval", "--data", str(data), "--models", str(models), "--json") == 0
    res = json.loads(capsys.readouterr().out)
    iv = res["intervals"]["quality_at_cstar"]
    assert iv["low"] <= res["router"]["quality_at_cstar"] <= iv["high"]
    assert set(res["knife_edge"]) == {"on_edge", "best_quality_share", "missed", "message"}
    assert _cli("eval", "--data", str(data), "--models", str(models), "--resamples", "-1") == 2
