"""Grouped k-fold cross-validation: groups stay whole, folds are balanced, figures hold."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shared_core.errors import DataFormatError
from shared_core.training import cv as CV
from shared_core.training.data import build_dataset, load_models, load_rows
from shared_core.training.evaluate import evaluate
from shared_core.training.recipe import train_best

from ._training_fakes import MODELS, make_rows


def test_near_duplicates_share_a_group_and_templates_do_not():
    template = "Answer with one letter only, and explain nothing at all please."
    texts = [f"Question {i}: what is {i} plus {i}?\n{template}" for i in range(200)]
    reused = "Which planet is known as the red planet in our solar system?"
    texts[3] += "\n" + reused
    texts[150] = reused + "\nA) Mars B) Venus"  # the same question reused as another prompt
    texts[7] = texts[8]  # an exact duplicate
    g = CV.near_duplicate_groups(texts)
    assert g[3] == g[150] and g[7] == g[8]
    # the template line is in every prompt: it joins nothing
    assert len(set(g.tolist())) == 200 - 2


def test_folds_keep_groups_whole_and_balance_tasks():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(120), rng.integers(1, 4, 120))
    tasks = [["a", "b", "c"][g % 3] for g in groups]
    fold = CV.assign_folds(groups, tasks, 5, seed=1)
    for g in set(groups.tolist()):
        assert len(set(fold[groups == g].tolist())) == 1
    for t in "abc":
        per = np.bincount(fold[np.array(tasks) == t], minlength=5)
        assert per.max() - per.min() <= 3  # every task spread over every fold
    assert np.array_equal(fold, CV.assign_folds(groups, tasks, 5, seed=1))


def test_task_groups_leave_whole_tasks_out():
    tasks = ["a"] * 30 + ["b"] * 30 + ["c"] * 30
    fold = CV.assign_folds(CV.task_groups(tasks), tasks, 3)
    assert sorted(len(set(fold[i : i + 30].tolist())) for i in (0, 30, 60)) == [1, 1, 1]


def test_recipe_is_chosen_by_folds_and_reproducible():
    rows = make_rows(150, MODELS, seed=2)
    a, res = train_best(rows, MODELS, folds=3, knn_weights=(0.0, 0.3), cost_weights=(0.0,))
    b, again = train_best(rows, MODELS, folds=3, knn_weights=(0.0, 0.3), cost_weights=(0.0,))
    assert res.to_dict() == again.to_dict()
    assert np.array_equal(a.W, b.W) and (a.rule, a.knob) == (b.rule, b.knob)
    assert len(res.spread.folds) == 3 and res.spread.low <= res.spread.mean <= res.spread.high
    assert (a.knn is not None) == (res.recipe.knn_weight > 0)
    # the knob meets the target on the held-out folds with a margin
    assert res.knob_quality.mean - res.knob_quality.std >= 0.95 - 1e-9
    with pytest.raises(DataFormatError, match="too few"):
        train_best(rows[:20], MODELS)


@pytest.mark.needs_data
@pytest.mark.slow
def test_the_figure_on_unseen_rows_lands_within_the_printed_spread(shared_data_dir, tmp_path):
    """Train on a random half (a subsample, to stay fast); the other half's figure is within
    the cross-validated mean +/- two standard deviations that ``train`` printed."""
    models = load_models(shared_data_dir / "routellm_models.json")
    rows = load_rows(shared_data_dir / "routellm_train.jsonl", models)
    rng = np.random.default_rng(7)
    pick = rng.permutation(len(rows))[:1600]
    half, other = [rows[i] for i in pick[:800]], [rows[i] for i in pick[800:]]
    router, res = train_best(
        half, models, lams=(1e-4,), knn_weights=(0.35,), cost_weights=(0.0,)
    )
    ds = build_dataset(other, models)
    unseen = evaluate(router, ds).metrics["apgr"]
    lo, hi = res.spread.mean - 2 * res.spread.std, res.spread.mean + 2 * res.spread.std
    assert lo <= unseen <= hi, (unseen, json.dumps(res.to_dict()["figure"]))
    assert 0.0 < res.spread.std < 0.1  # a spread that says something


def test_the_number_of_neighbours_is_cross_validated_and_kept_in_the_head():
    rows = make_rows(150, MODELS, seed=2)
    router, res = train_best(
        rows, MODELS, folds=3, lams=(1e-3,), knn_weights=(0.5,), cost_weights=(0.0,), ks=(3, 12)
    )
    assert {r.k for r, _, _ in res.ranking} == {3, 12}  # both were scored on the folds
    assert res.recipe.k in (3, 12) and f"k={res.recipe.k}" in res.summary()
    assert router.knn is not None and router.knn.k == res.recipe.k
    assert res.to_dict()["recipe"]["k"] == res.recipe.k



def test_an_undefined_cross_validated_figure_says_why_instead_of_nan() -> None:
    """Rows where the strongest model is no better than the cheapest: ``train`` printed
    "cross-validated APGR nan ± nan (folds nan-nan)"."""
    from shared_core.training.cv import Spread

    nan = float("nan")
    for metric in ("apgr", "cost_to_95"):
        text = Spread(metric, nan, nan, nan, nan, (nan, nan)).text()
        assert "nan" not in text and "not defined" in text
