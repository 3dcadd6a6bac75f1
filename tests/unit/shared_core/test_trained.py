"""Trained routers: training learns, files round-trip byte-stably, pickle is refused."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from shared_core.classifiers.trained import TrainedRouter, TrainedRouterClassifier
from shared_core.errors import ConfigError, DataFormatError, UnsafeFormatError
from shared_core.policy import select
from shared_core.training.train import train_router

META = {
    "cheap": {
        "tier_rank": 0,
        "input_per_mtok": 0.1,
        "output_per_mtok": 0.1,
        "assumed_output_tokens": 100,
    },
    "mid": {
        "tier_rank": 1,
        "input_per_mtok": 1.0,
        "output_per_mtok": 1.0,
        "assumed_output_tokens": 100,
    },
    "big": {
        "tier_rank": 2,
        "input_per_mtok": 10.0,
        "output_per_mtok": 10.0,
        "assumed_output_tokens": 100,
    },
}
EASY = ["what colour is the sky", "say hello", "name a fruit", "spell cat", "what is two plus two"]
HARD = [
    "prove the riemann hypothesis rigorously",
    "derive the navier stokes existence proof",
    "prove that P differs from NP formally",
    "derive a closed form for the integral of exotic kernels",
]


def _rows(n: int = 90) -> list[dict]:
    rows = []
    for i in range(n):
        if i % 2 == 0:
            p = f"{EASY[i % len(EASY)]} please {i % 7}"
            sc = {"cheap": 1.0, "mid": 1.0, "big": 1.0}
        else:
            p = f"{HARD[i % len(HARD)]} step by step {i % 5}"
            sc = {"cheap": 0.0, "mid": 0.0 if i % 3 else 1.0, "big": 1.0}
        rows.append({"id": f"r{i}", "prompt": p, "scores": sc})
    return rows


@pytest.fixture(scope="module")
def router() -> TrainedRouter:
    return train_router(_rows(), META, dim=1 << 12, lams=(0.3, 1.0), seed=0)


def test_learns_that_hard_prompts_need_the_big_model(router: TrainedRouter) -> None:
    assert router.models == ["cheap", "mid", "big"]
    p = router.predict(["say hello please", "prove the riemann hypothesis rigorously step by step"])
    assert p.shape == (2, 3) and np.all((p >= 0) & (p <= 1))
    assert p[0, 0] > 0.7 and p[1, 0] < p[0, 0] - 0.3
    assert p[1, 2] > p[1, 0]
    # with the router's own rule and knob: the easy prompt goes cheap, the hard one not
    easy = select(p[0], router.knob, rule=router.rule, relative_costs=router.relative_costs)
    hard = select(p[1], router.knob, rule=router.rule, relative_costs=router.relative_costs)
    assert easy == 0 and hard > 0
    assert router.relative_costs[-1] == 1.0 and router.relative_costs[0] < 0.05


def test_save_load_round_trip_and_same_seed_same_bytes(
    tmp_path: Path, router: TrainedRouter
) -> None:
    p1 = router.save(tmp_path / "a.json")
    loaded = TrainedRouter.load(p1)
    texts = ["say hello please", "derive the navier stokes existence proof"]
    assert np.allclose(loaded.predict(texts), router.predict(texts), atol=1e-6)
    assert (loaded.rule, loaded.knob, loaded.models) == (router.rule, router.knob, router.models)
    again = train_router(_rows(), META, dim=1 << 12, lams=(0.3, 1.0), seed=0)
    p2 = again.save(tmp_path / "b.json")
    assert p1.with_suffix(".npz").read_bytes() == p2.with_suffix(".npz").read_bytes()
    a = p1.read_text().replace("a.npz", "X")
    b = p2.read_text().replace("b.npz", "X")
    assert a == b


def test_predictions_are_deterministic_one_by_one_and_in_batch(router: TrainedRouter) -> None:
    texts = ["name a fruit", "prove that P differs from NP formally", ""]
    batch = router.predict(texts)
    for i, t in enumerate(texts):
        assert np.allclose(router.predict_one(t), batch[i], atol=1e-9)


def test_refuses_pickle_and_unknown_formats(tmp_path: Path) -> None:
    pk = tmp_path / "router.pkl"
    pk.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(UnsafeFormatError, match="pickle"):
        TrainedRouter.load(pk)
    disguised = tmp_path / "router.json"
    disguised.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(UnsafeFormatError):
        TrainedRouter.load(disguised)
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else"}')
    with pytest.raises(UnsafeFormatError, match="something-else"):
        TrainedRouter.load(other)
    with pytest.raises(DataFormatError, match="not found"):
        TrainedRouter.load(tmp_path / "missing.json")


def test_npz_with_object_arrays_is_refused(tmp_path: Path, router: TrainedRouter) -> None:
    p = router.save(tmp_path / "r.json")
    np.savez(p.with_suffix(".npz"), b=np.array([object()], dtype=object))
    with pytest.raises((UnsafeFormatError, DataFormatError)):
        TrainedRouter.load(p)


def test_training_on_an_encoder() -> None:
    class Enc:
        def encode(self, texts):
            return np.array(
                [[1.0, float("prove" in t or "derive" in t), len(t) / 50] for t in texts]
            )

    r = train_router(_rows(), META, encoder=Enc(), seed=1)
    assert r.features["kind"] == "encoder"
    p = r.predict(["say hello", "prove it"])
    assert p[0, 0] > p[1, 0]


def test_missing_scores_and_empty_rows_are_errors() -> None:
    with pytest.raises(DataFormatError, match="no score for model 'big'"):
        train_router([{"prompt": "x", "scores": {"cheap": 1, "mid": 1}}], META, dim=1 << 10)
    with pytest.raises(DataFormatError):
        train_router([], META)


@pytest.mark.parametrize("n_models", [2, 5, 11])
def test_any_number_of_models(n_models: int) -> None:
    meta = {
        f"m{i}": {"tier_rank": i, "input_per_mtok": i + 1, "output_per_mtok": i + 1}
        for i in range(n_models)
    }
    rows = [
        {
            "prompt": f"question {i} " + ("hard proof" if i % 2 else "easy"),
            "scores": {f"m{j}": float(j >= n_models - 1 or i % 2 == 0) for j in range(n_models)},
        }
        for i in range(40)
    ]
    r = train_router(rows, meta, dim=1 << 10, lams=(1.0,))
    assert r.predict(["easy"]).shape == (1, n_models)


def test_classifier_maps_tiers_by_order_and_by_name(router: TrainedRouter) -> None:
    clf = TrainedRouterClassifier(router).bind_labels(["s", "m", "l"])
    c = clf.classify("prove the riemann hypothesis rigorously step by step")
    vals = list(c.scores.values())
    assert vals == sorted(vals) and c.classifier == "trained"
    two = TrainedRouterClassifier(
        router, tier_models={"small": "cheap", "large": "big"}
    ).bind_labels(["small", "large"])
    c2 = two.classify("say hello please")
    assert set(c2.scores) == {"small", "large"} and c2.scores["small"] > 0.7
    with pytest.raises(Exception, match="nope"):
        TrainedRouterClassifier(router, tier_models={"a": "nope"}).bind_labels(["a"])


def test_bad_constructor_values_name_the_field() -> None:
    with pytest.raises(ConfigError, match="rule"):
        TrainedRouter(
            ["a"],
            np.zeros((2048, 1)),
            np.zeros(1),
            features={"kind": "encoder", "dim": 2048},
            rule="best",
        )


def test_logistic_loss_gives_a_sigmoid_head_that_round_trips(tmp_path: Path) -> None:
    r = train_router(_rows(), META, dim=1 << 12, lams=(1e-3,), loss="logistic", iters=120)
    assert r.link == "sigmoid"
    p = r.predict(["say hello please", "prove the riemann hypothesis rigorously step by step"])
    assert np.all((p > 0) & (p < 1)) and p[0, 0] > p[1, 0]
    loaded = TrainedRouter.load(r.save(tmp_path / "l.json"))
    assert loaded.link == "sigmoid"
    assert np.allclose(loaded.predict(["name a fruit"]), r.predict(["name a fruit"]), atol=1e-5)
    with pytest.raises(ConfigError, match="loss"):
        train_router(_rows(), META, loss="hinge")


def test_train_default_source_head_and_missing_data(tmp_path: Path) -> None:
    import json

    from shared_core.training import train_default as td

    (tmp_path / "toy_models.json").write_text(json.dumps(META))
    rows = _rows(60)
    for split, part in (("train", rows[:40]), ("dev", rows[40:])):
        (tmp_path / f"toy_{split}.jsonl").write_text("\n".join(json.dumps(r) for r in part) + "\n")
    r = td.train_source(tmp_path, "toy", dim=1 << 12)
    assert r.models == ["cheap", "mid", "big"] and r.rule in td.RULES
    assert r.info["source"] == "toy"
    assert td.main(["--data-dir", str(tmp_path / "nowhere")]) == 2
