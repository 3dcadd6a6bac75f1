"""The task prior: rows with task labels teach the router which models suit which task.

Synthetic rows only (our own words): each task has its own vocabulary and its own chance that
the cheap model is right, so the task, recognisable from the words, carries what a per-prompt
head learns only slowly from noisy 0/1 outcomes.
"""

from __future__ import annotations

import json
import random
from unittest.mock import ANY

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.classifiers.task_prior import TaskPrior
from shared_core.classifiers.trained_router import TrainedRouter
from shared_core.errors import DataFormatError
from shared_core.training import task_stack as TS
from shared_core.training.recipe import fit_recipe, train_best

from ._training_fakes import MODELS, make_rows

TWO = {
    "cheap": {"input_per_mtok": 0.1, "output_per_mtok": 0.1, "tier_rank": 0, "assumed_output_tokens": 100},
    "dear": {"input_per_mtok": 10.0, "output_per_mtok": 10.0, "tier_rank": 1, "assumed_output_tokens": 100},
}


def task_rows(n: int = 1500, n_tasks: int = 12, seed: int = 1, with_tasks: bool = True) -> list[dict]:
    rng = random.Random(seed)
    vocab = {t: [f"w{t}x{j}" for j in range(30)] for t in range(n_tasks)}
    filler = [f"f{j}" for j in range(300)]
    p_cheap = {t: rng.random() for t in range(n_tasks)}
    rows = []
    for i in range(n):
        t = rng.randrange(n_tasks)
        words = [rng.choice(vocab[t]) for _ in range(2)] + [rng.choice(filler) for _ in range(8)]
        rng.shuffle(words)
        rows.append(
            {
                "id": str(i),
                "prompt": " ".join(words),
                "task": f"t{t}" if with_tasks else "",
                "scores": {
                    "cheap": float(rng.random() < p_cheap[t]),
                    "dear": float(rng.random() < 0.9),
                },
            }
        )
    return rows


FAST = {"iters": 80, "lams": (1e-3,), "knn_weights": (0.0,), "cost_weights": (0.0,)}


@pytest.fixture(scope="module")
def trained():
    return train_best(task_rows(), TWO, **FAST)


def test_a_task_prior_that_pays_on_the_folds_is_kept_and_says_so(trained):
    router, res = trained
    tp = res.task_prior
    assert tp is not None and tp["kept"] and tp["tasks"] == 12
    assert tp["with"]["mean"] > tp["without"]["mean"]  # APGR: higher is better
    assert res.recipe.task_prior and res.spread.mean == pytest.approx(tp["with"]["mean"])
    assert router.task_prior is not None and router.task_prior.labels[0] == "t0"
    assert "task prior (12 tasks" in res.summary() and ": kept" in res.summary()
    assert res.to_dict()["task_prior"] == tp and json.dumps(res.to_dict())


def test_the_stacked_router_routes_by_task_on_new_prompts(trained):
    router, _ = trained
    # rows 1500+ of the same generator: new prompts, the same tasks and chances
    fresh = task_rows(1900)[1500:]
    other = task_rows(1900, with_tasks=False)[1500:]
    assert [r["prompt"] for r in fresh] == [r["prompt"] for r in other]  # labels never read
    P = router.predict([r["prompt"] for r in other])
    by_task: dict[str, list[float]] = {}
    for r, p in zip(fresh, P, strict=True):
        by_task.setdefault(r["task"], []).append(float(p[0]))
    truth = {t: np.mean([r["scores"]["cheap"] for r in fresh if r["task"] == t]) for t in by_task}
    predicted = [np.mean(by_task[t]) for t in sorted(by_task)]
    assert np.corrcoef(predicted, [truth[t] for t in sorted(by_task)])[0, 1] > 0.8


def test_save_load_one_and_many_and_narrowing_agree(trained, tmp_path):
    router, _ = trained
    texts = [r["prompt"] for r in task_rows(60, seed=9)]
    for precision in ("float32", "float16"):
        loaded = TrainedRouter.load(router.save(tmp_path / f"r_{precision}.json", precision=precision))
        many = loaded.predict(texts)
        one = np.stack([loaded.predict_one(t) for t in texts])
        assert np.abs(many - one).max() < 1e-9
        assert np.abs(many - router.predict(texts)).max() < (1e-6 if precision == "float32" else 2e-2)
        assert loaded.task_prior is not None and "task_prior(12 tasks)" in repr(loaded)
    swapped = router.with_models(["dear", "cheap"])
    assert np.allclose(swapped.predict(texts), router.predict(texts)[:, [1, 0]])
    only = swapped.with_models(["cheap"])
    assert np.allclose(only.predict(texts), router.predict(texts)[:, [0]])
    again = TrainedRouter.load(only.save(tmp_path / "only.json"))
    assert again.models == ["cheap"] and np.allclose(again.predict(texts), only.predict(texts), atol=1e-6)


def test_the_same_rows_give_byte_identical_files(trained, tmp_path):
    router, _ = trained
    again, _ = train_best(task_rows(), TWO, **FAST)
    a, b = router.save(tmp_path / "a.json"), again.save(tmp_path / "b.json")
    assert a.with_suffix(".npz").read_bytes() == b.with_suffix(".npz").read_bytes()


def test_rows_without_tasks_or_with_it_turned_off_get_no_task_prior_and_are_told_why():
    router, res = train_best(task_rows(600, with_tasks=False), TWO, **FAST)
    assert router.task_prior is None and res.task_prior == {"kept": False, "skipped": ANY}
    assert "task prior: not tried (it needs 'task' labels" in res.summary()
    assert "no row has one" in res.summary()
    one = [{**r, "task": "t0" if r["task"] == "t0" else ""} for r in task_rows(600)]
    _, res = train_best(one, TWO, **FAST)
    assert "1 task(s) have that many" in res.summary()
    router, res = train_best(task_rows(600), TWO, task_prior=False, **FAST)
    assert router.task_prior is None and "task prior: not tried (turned off)" in res.summary()
    router, res = train_best(task_rows(600), TWO, group_by="task", **FAST)
    assert router.task_prior is None and "hold out whole tasks" in res.summary()


def test_a_prior_that_does_not_pay_is_reported_and_not_kept():
    # the fakes' tasks are the difficulty levels the words already show: nothing to add
    rows = make_rows(300, MODELS, seed=3)
    router, res = train_best(rows, MODELS, folds=3, knn_weights=(0.0,), cost_weights=(0.0,))
    tp = res.task_prior
    assert tp is not None and tp["tasks"] == 3
    if not tp["kept"]:
        assert router.task_prior is None and not res.recipe.task_prior
        assert ": not kept" in res.summary()
    else:  # kept only if it scored better by the selection score
        assert tp["with"]["mean"] <= tp["without"]["mean"]  # cost to 95%: lower is better


def test_broken_task_prior_files_are_refused(trained, tmp_path):
    router, _ = trained
    path = router.save(tmp_path / "r.json")
    meta = json.loads(path.read_text())
    meta["task_prior"]["out"] = [5]
    path.write_text(json.dumps(meta))
    with pytest.raises(DataFormatError, match="outside"):
        TrainedRouter.load(path)
    meta["task_prior"] = "yes"
    path.write_text(json.dumps(meta))
    with pytest.raises(DataFormatError, match="task_prior"):
        TrainedRouter.load(path)
    with pytest.raises(DataFormatError, match="inconsistent"):
        TaskPrior(["a"], np.zeros((4, 1)), np.zeros(1), np.zeros((1, 2)), np.zeros((4, 2)), np.zeros(2))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["", "a", "b", "c", "d", "rare", "x" * 3]), min_size=0, max_size=200))
def test_task_labels_keep_frequent_tasks_and_pool_the_rest(tasks):
    got = TS.task_labels(tasks)
    counts = {t: tasks.count(t) for t in set(tasks) if t}
    frequent = sorted(t for t, n in counts.items() if n >= TS.MIN_TASK_ROWS)
    if len(frequent) < 2:
        assert got is None
        return
    assert got is not None
    labels, y = got
    assert labels[: len(frequent)] == frequent and len(labels) <= TS.MAX_TASKS + 1
    for t, i in zip(tasks, y.tolist(), strict=True):
        if t in frequent:
            assert labels[i] == t
        else:  # pooled under (other) when enough, else no label at all
            assert (i == -1) or labels[i] == TS.OTHER


def test_the_stacking_layer_recovers_a_known_logistic_rule():
    rng = np.random.default_rng(0)
    P, prior = rng.uniform(0.05, 0.95, (4000, 2)), rng.uniform(0.05, 0.95, (4000, 2))
    z = 1.5 * np.log(P[:, 0] / (1 - P[:, 0])) + 0.8 * np.log(prior[:, 0] / (1 - prior[:, 0])) - 0.3
    y = (rng.random(4000) < 1 / (1 + np.exp(-z))).astype(float)
    S = np.stack([y, 1 - y], 1)
    W, b = TS.fit_stacker(P, prior, S, c=100.0)
    assert W[:, 0] == pytest.approx([1.5, 0.0, 0.8, 0.0], abs=0.15)
    assert b[0] == pytest.approx(-0.3, abs=0.15)


def test_a_fixed_recipe_with_a_task_prior_fits_its_stack_out_of_fold(trained):
    _, res = trained
    router = fit_recipe(task_rows(), TWO, res.recipe, knob=0.5)
    assert router.task_prior is not None and len(router.task_prior.labels) == 12
    assert router.predict(["w3x1 f1 f2"]).shape == (1, 2)
    with pytest.raises(DataFormatError, match="task prior"):
        fit_recipe(task_rows(300, with_tasks=False), TWO, res.recipe)


def test_a_release_that_cannot_apply_the_prior_refuses_the_file(trained, tmp_path, monkeypatch):
    """Files with a task prior are format version 2: a version-1 reader must not load the head
    and silently drop the stack."""
    from shared_core.classifiers import files
    from shared_core.errors import UnsafeFormatError

    router, _ = trained
    path = router.save(tmp_path / "r.json")
    assert json.loads(path.read_text())["version"] == 2
    plain, _ = train_best(task_rows(600), TWO, task_prior=False, **FAST)
    assert json.loads(plain.save(tmp_path / "p.json").read_text())["version"] == 1
    monkeypatch.setattr(files, "MAX_VERSION", 1)
    with pytest.raises(UnsafeFormatError, match="newer than supported"):
        TrainedRouter.load(path)
    assert TrainedRouter.load(tmp_path / "p.json").task_prior is None


def test_a_task_prior_only_sits_on_a_matching_linear_head(trained):
    from shared_core.errors import ConfigError

    router, _ = trained
    tp = router.task_prior
    with pytest.raises(ConfigError, match="linear head"):
        TrainedRouter(["cheap", "dear"], router.W[:, :1], [0.0], features=router.features,
                      head="ladder", task_prior=tp)
    with pytest.raises(DataFormatError, match="reports 2 models"):
        TrainedRouter(["cheap"], router.W, router.b, features=router.features, task_prior=tp)
    with pytest.raises(DataFormatError, match="feature dim"):
        TrainedRouter(["cheap", "dear"], np.zeros((1 << 10, 2)), router.b,
                      features={**router.features, "dim": 1 << 10}, task_prior=tp)
