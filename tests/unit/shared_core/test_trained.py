"""Trained routers: training learns, files round-trip byte-stably, pickle is refused."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from shared_core.classifiers.trained import TrainedRouter, TrainedRouterClassifier
from shared_core.errors import ConfigError, DataFormatError, UnknownModelError, UnsafeFormatError
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
    with pytest.raises(UnknownModelError, match="nope"):
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
    assert r.models == ["cheap", "mid", "big"] and r.rule in ("threshold", "margin", "utility")
    assert r.info["source"] == "toy" and r.info["splits"] == ["train", "dev"]
    assert r.info["cv"]["rows"] == 60 and r.info["cv"]["recipe"]["rule"] == r.rule
    # the same procedure twice gives byte-identical files (make train-default is deterministic)
    a = r.save(tmp_path / "a.json", precision="float16")
    b = td.train_source(tmp_path, "toy", dim=1 << 12).save(tmp_path / "b.json", precision="float16")
    assert a.with_suffix(".npz").read_bytes() == b.with_suffix(".npz").read_bytes()
    assert a.read_text().replace("a.npz", "b.npz") == b.read_text()
    assert td.main(["--data-dir", str(tmp_path / "nowhere")]) == 2


KNN = {"k": 5, "power": 3.0, "weight": 0.4, "dim": 64}


@pytest.fixture(scope="module")
def knn_router() -> TrainedRouter:
    return train_router(_rows(), META, dim=1 << 12, lams=(1.0,), seed=0, knn=KNN)


def test_knn_part_round_trips_byte_stably_and_one_equals_batch(
    tmp_path: Path, knn_router: TrainedRouter
) -> None:
    assert knn_router.knn is not None and knn_router.knn.weight == 0.4
    p1 = knn_router.save(tmp_path / "k.json")
    meta = json.loads(p1.read_text())
    assert meta["knn"]["k"] == 5 and meta["knn"]["rows"] == 90
    loaded = TrainedRouter.load(p1)
    texts = ["say hello please", "prove the riemann hypothesis rigorously step by step", ""]
    assert np.allclose(loaded.predict(texts), knn_router.predict(texts), atol=1e-6)
    for i, t in enumerate(texts):
        assert np.allclose(loaded.predict_one(t), loaded.predict(texts)[i], atol=1e-9)
    again = train_router(_rows(), META, dim=1 << 12, lams=(1.0,), seed=0, knn=KNN)
    p2 = again.save(tmp_path / "k2.json")
    assert p1.with_suffix(".npz").read_bytes() == p2.with_suffix(".npz").read_bytes()


def test_knn_part_blends_into_the_linear_head(knn_router: TrainedRouter) -> None:
    texts = ["say hello please", "derive the navier stokes existence proof step by step 1"]
    assert knn_router.knn is not None
    linear = knn_router._finish(knn_router._raw_batch(texts))
    near = knn_router.knn.predict_batch(knn_router._fx.transform(texts))  # type: ignore[union-attr]
    assert np.allclose(knn_router.predict(texts), 0.6 * linear + 0.4 * near, atol=1e-9)
    # the neighbours of a training prompt carry its scores: the hard one needs "big"
    assert near[1, 2] > 0.9 and near[1, 0] < 0.1 and near[0, 0] > 0.9
    knn_router.knn.weight = 0.0
    try:
        assert np.allclose(knn_router.predict(texts), linear, atol=1e-9)
    finally:
        knn_router.knn.weight = 0.4


def test_knn_part_follows_a_model_reordering(knn_router: TrainedRouter) -> None:
    text = ["prove that P differs from NP formally step by step 3"]
    sub = knn_router.with_models(["big", "cheap"])
    assert np.allclose(sub.predict(text)[0], knn_router.predict(text)[0][[2, 0]], atol=1e-9)


def test_bad_knn_settings_and_files_are_errors(tmp_path: Path, knn_router: TrainedRouter) -> None:
    with pytest.raises(ConfigError, match="knn weight must be in"):
        train_router(_rows(), META, dim=1 << 12, lams=(1.0,), knn={**KNN, "weight": 1.5})
    with pytest.raises(ConfigError, match="knn"):
        train_router(_rows(), META, encoder=lambda ts: np.ones((len(ts), 2)), knn=KNN)
    p = knn_router.save(tmp_path / "k.json")
    meta = json.loads(p.read_text())
    meta["knn"] = {"k": 5}
    p.write_text(json.dumps(meta))
    with pytest.raises(DataFormatError, match="knn"):
        TrainedRouter.load(p)


def test_knn_with_more_neighbours_than_rows_uses_them_all() -> None:
    rows = _rows(8)
    r = train_router(rows, META, dim=1 << 10, lams=(1.0,), knn={**KNN, "k": 50, "weight": 1.0})
    assert r.knn is not None and r.knn.k == 8
    p = r.predict(["anything at all", "prove the riemann hypothesis rigorously"])
    assert p.shape == (2, 3) and np.all((p >= 0) & (p <= 1))
    assert np.allclose(r.predict_one("anything at all"), p[0], atol=1e-9)


def test_cost_aware_scores_mark_down_a_model_where_it_costs_more(tmp_path: Path) -> None:
    rows = _rows()
    for r in rows:  # "navier" prompts make the big model write (and bill) ten times more
        r["costs"] = {"cheap": 0.001, "mid": 0.01, "big": 1.0 if "navier" in r["prompt"] else 0.1}
    plain = train_router(rows, META, dim=1 << 12, lams=(1.0,), knn={**KNN, "with_costs": True})
    aware = train_router(rows, META, dim=1 << 12, lams=(1.0,), knn={**KNN, "cost_weight": 0.3})
    assert aware.knn is not None and aware.knn.costs is not None
    texts = [
        "derive the navier stokes existence proof step by step 1",
        "derive a closed form for the integral of exotic kernels step by step 1",
    ]
    drop = plain.predict(texts) - aware.predict(texts)
    assert drop[0, 2] > 0.1  # big costs more than its average here: lower score
    assert drop[1, 2] <= 1e-9  # and less than its average here: never lower
    assert np.allclose(drop[:, 0], 0.0, atol=1e-3)  # cheap's cost never varies
    loaded = TrainedRouter.load(aware.save(tmp_path / "c.json"))
    assert loaded.knn is not None and loaded.knn.cost_weight == 0.3
    assert np.allclose(loaded.predict(texts), aware.predict(texts), atol=1e-6)
    assert np.allclose(loaded.predict_one(texts[0]), aware.predict(texts)[0], atol=1e-6)
    sub = loaded.with_models(["big", "cheap"])
    assert np.allclose(sub.predict(texts), aware.predict(texts)[:, [2, 0]], atol=1e-6)


def test_cost_weight_without_costs_is_a_config_error() -> None:
    from shared_core.classifiers.knn import KnnHead

    with pytest.raises(ConfigError, match="cost_weight"):
        KnnHead(
            np.zeros((2, 4), np.int8),
            np.ones(2),
            np.zeros((2, 3)),
            dim=4,
            n_buckets=1 << 10,
            cost_weight=0.2,
        )


def test_tiers_that_share_one_model_s_prediction_are_named(router: TrainedRouter, caplog) -> None:
    """A router trained on 3 models over a 4-tier config (or 2 over 3): two tiers read the same
    model's predicted quality, so the dearer of them is never chosen, silently."""
    caplog.set_level("WARNING", logger="tier_router")
    TrainedRouterClassifier(router).bind_labels(["a", "b", "c", "d"])
    (msg,) = [r.getMessage() for r in caplog.records if "same model" in r.getMessage()]
    assert "tier_models" in msg
    caplog.clear()
    TrainedRouterClassifier(router).bind_labels(["x", "y", "z"])  # one tier per model: fine
    assert not [r for r in caplog.records if "same model" in r.getMessage()]
