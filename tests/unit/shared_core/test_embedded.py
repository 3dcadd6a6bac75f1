"""The shipped embedded models: load fast, deterministic, monotone, any ladder, task routes."""

from __future__ import annotations

import itertools
import json
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.classifiers import embedded as emb
from shared_core.classifiers.embedded import (
    EmbeddedClassifier,
    TaskModel,
    default_router_for,
    load_difficulty,
)
from shared_core.classifiers.task import EmbeddedTaskClassifier
from shared_core.classifiers.trained import TrainedRouter, ladder_exponents
from shared_core.errors import ConfigError, UnknownModelError, UnsafeFormatError
from shared_core.policy import select

EASY = ["hi", "thanks!", "What is the capital of France?", "Translate 'cat' into German."]
HARD = [
    "Prove that there are infinitely many primes p such that p + 2 is also prime, or explain "
    "precisely why this is open, and derive the best known bound on prime gaps step by step.",
    "Let f be a continuous function on [0,1] with f(0)=0. Prove that the integral of f(x)^2 "
    "from 0 to 1 is at most ... Show every step and justify each inequality.",
]
LADDERS = [["only"], ["a", "b"], ["s", "m", "c", "f"], [f"t{i}" for i in range(11)]]


def test_shipped_files_exist_and_are_small() -> None:
    files = list(emb.MODELS_DIR.glob("*"))
    names = {f.name for f in files}
    assert {"difficulty.json", "difficulty.npz", "task.json", "task.npz"} <= names
    # 13 MB since the mmlupro and llmrouter heads carry a task prior (+1.8 MB each)
    assert sum(f.stat().st_size for f in files) < 16_000_000
    for f in emb.MODELS_DIR.glob("*.json"):
        meta = json.loads(f.read_text())
        assert meta["format"].startswith("tier-router.")


def test_loads_well_under_a_second() -> None:
    t = time.perf_counter()
    TrainedRouter.load(emb.MODELS_DIR / "difficulty.json")
    TaskModel.load(emb.MODELS_DIR / "task.json")
    assert time.perf_counter() - t < 1.0


@pytest.mark.parametrize("labels", LADDERS, ids=lambda x: f"{len(x)}-tiers")
def test_binds_any_ladder_with_monotone_scores_in_unit_range(labels: list[str]) -> None:
    clf = EmbeddedClassifier().bind_labels(labels)
    for text in EASY + HARD + ["", "x" * 50_000]:
        c = clf.classify(text)
        vals = [c.scores[lab] for lab in labels]
        assert list(c.scores) == labels
        assert all(0.0 <= v <= 1.0 for v in vals)
        assert all(b >= a for a, b in itertools.pairwise(vals))
        assert c.classifier == "embedded" and 0.0 <= c.confidence <= 1.0


def test_easy_prompts_go_cheaper_than_hard_ones() -> None:
    clf = EmbeddedClassifier().bind_labels(["simple", "medium", "complex", "frontier"])
    easy = [select(list(clf.classify(t).scores.values()), 0.5) for t in EASY]
    hard = [select(list(clf.classify(t).scores.values()), 0.5) for t in HARD]
    assert max(easy) <= min(hard)
    assert np.mean(easy) < np.mean(hard)
    assert clf.ease("hi") > clf.ease(HARD[0])


def test_deterministic_and_batch_equals_one_by_one() -> None:
    clf = EmbeddedClassifier().bind_labels(["s", "m", "c", "f"])
    texts = EASY + HARD
    one = np.array([list(clf.classify(t).scores.values()) for t in texts])
    again = np.array(
        [
            list(EmbeddedClassifier().bind_labels(["s", "m", "c", "f"]).classify(t).scores.values())
            for t in texts
        ]
    )
    assert np.array_equal(one, again)
    assert np.allclose(clf.predict_batch(texts), one, atol=1e-6)


def test_no_tiers_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="at least one tier"):
        EmbeddedClassifier().bind_labels([])


def test_default_router_for_known_and_unknown_ladders() -> None:
    heads = emb.shipped_heads()
    assert heads, "per-source heads are shipped"
    head = TrainedRouter.load(heads[0])
    reordered = list(reversed(head.models))
    r = default_router_for(reordered)
    assert r.models == reordered and r.head == "linear"
    p = r.predict(["What is 2 + 2?"])
    assert np.allclose(p[0], head.predict(["What is 2 + 2?"])[0][::-1], atol=1e-6)
    generic = default_router_for(["tiny", "small", "large"], [0.01, 0.1, 1.0])
    assert generic.head == "ladder" and generic.relative_costs == [0.01, 0.1, 1.0]
    g = generic.predict(EASY + HARD)
    assert g.shape == (len(EASY) + len(HARD), 3) and np.all(np.diff(g, axis=1) >= 0)
    with pytest.raises(ConfigError):
        default_router_for([])


def test_shipped_source_heads_load_fast_and_predict_one_like_the_batch() -> None:
    texts = EASY + HARD + ["", "x" * 20_000]
    for path in emb.shipped_heads():
        t = time.perf_counter()
        head = TrainedRouter.load(path)
        assert time.perf_counter() - t < 1.0, path.name
        batch = head.predict(texts)
        assert batch.shape == (len(texts), len(head.models))
        assert np.all((batch >= 0) & (batch <= 1))
        for i, text in enumerate(texts):
            assert np.allclose(head.predict_one(text), batch[i], atol=1e-6), (path.name, i)
        if head.knn is not None:  # the kNN part covers every model and is used
            assert head.knn.targets.shape[1] == len(head.models)
            assert 0.0 <= head.knn.weight < 1.0
            assert head.knn.weight > 0 or head.knn.cost_weight > 0
            assert (head.knn.costs is not None) == (head.knn.cost_weight > 0)


def test_load_difficulty_is_cached() -> None:
    assert load_difficulty() is load_difficulty()


# -- task routes -------------------------------------------------------------------------
ROUTES = ["coding", "creative", "factual", "reasoning"]


def test_task_routes_out_of_the_box() -> None:
    clf = EmbeddedTaskClassifier(ROUTES)
    cases = {
        "Write a Python function that parses ISO dates and add unit tests for it.": "coding",
        "Fix this bug: TypeError: 'NoneType' object is not subscriptable in my Flask view": "coding",
        "Write a short poem about the sea at night.": "creative",
        "Who wrote the novel Pride and Prejudice?": "factual",
        "If all bloops are razzies and all razzies are lazzies, are all bloops lazzies? Explain.": "reasoning",
    }
    got = {t: clf.classify(t).best for t in cases}
    correct = sum(got[t] == lab for t, lab in cases.items())
    assert correct >= 4, got
    c = clf.classify("Write a haiku about spring")
    assert abs(sum(c.scores.values()) - 1.0) < 1e-6 and c.classifier == "embedded-task"


def test_label_map_and_unknown_labels() -> None:
    clf = EmbeddedTaskClassifier(["dev", "other"], label_map={"coding": "dev"})
    assert clf.classify("Implement quicksort in Rust with generics").best == "dev"
    with pytest.raises(UnknownModelError, match="nope"):
        EmbeddedTaskClassifier(["a"], label_map={"coding": "nope"})
    with pytest.raises(UnknownModelError):
        EmbeddedTaskClassifier(["a"], examples={"b": ["x"]})


def test_examples_improve_a_label_the_prior_does_not_know() -> None:
    labels = ["billing", "general"]
    texts = ["My invoice shows a double charge this month", "Why was my card charged twice?"]
    base = EmbeddedTaskClassifier(labels)
    tuned = EmbeddedTaskClassifier(
        labels,
        examples={
            "billing": [
                "I was charged twice on my invoice",
                "refund the extra charge on my card",
                "my bill is wrong this month",
                "payment failed but money left my account",
            ],
            "general": ["what are your opening hours", "how do I reset my password"],
        },
    )
    for t in texts:
        assert tuned.classify(t).scores["billing"] > base.classify(t).scores["billing"]
        assert tuned.classify(t).best == "billing"
    batch = tuned.predict_batch(texts)
    assert np.allclose(batch[0], list(tuned.classify(texts[0]).scores.values()), atol=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(1, 12))
def test_ladder_scores_never_decrease_and_cheapest_takes_easy_half(ease: float, n: int) -> None:
    vals = np.power(ease, ladder_exponents(n))
    assert np.all(np.diff(vals) >= -1e-12) and np.all((vals >= 0) & (vals <= 1))
    if n > 1:
        assert (select(list(vals), 0.5) == 0) == (ease >= 0.5 - 1e-9)


def test_weights_file_outside_the_folder_is_refused(tmp_path) -> None:
    meta = json.loads((emb.MODELS_DIR / "difficulty.json").read_text())
    meta["weights_file"] = "../elsewhere.npz"
    p = tmp_path / "r.json"
    p.write_text(json.dumps(meta))
    with pytest.raises(UnsafeFormatError, match="weights_file"):
        TrainedRouter.load(p)


def test_threads_sharing_a_fresh_classifier_all_get_its_decision(monkeypatch):
    """Lazy loading is published whole: no thread sees a half-loaded model (and fails over)."""
    import threading
    import time

    class SlowPriors(dict):  # widens the window in which a half-loaded model could be seen
        def get(self, key, default=None):
            time.sleep(0.001)
            return super().get(key, default)

    monkeypatch.setattr(emb, "TYPE_EASE", SlowPriors(emb.TYPE_EASE))
    for _ in range(3):
        emb._cache.clear()  # force a real load in each trial
        clf = EmbeddedClassifier(["simple", "medium", "complex", "frontier"])
        barrier = threading.Barrier(8)
        results, errors = [], []

        def work(clf=clf, barrier=barrier, results=results, errors=errors):
            barrier.wait()
            try:
                results.append(clf.classify("What is the capital of France?").best)
            except Exception as exc:  # pragma: no cover - the regression
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors and len(set(results)) == 1


@pytest.mark.parametrize("prompt", ["What is 2+2?", "What is 10 divided by 2?", "Calculate 17*23"])
def test_bare_arithmetic_goes_to_the_cheapest_tier(prompt):
    clf = EmbeddedClassifier(["simple", "medium", "complex", "frontier"])
    assert select([clf.classify(prompt).scores[t] for t in clf.labels], 0.5) == 0


def test_real_math_is_not_mistaken_for_arithmetic():
    from shared_core.classifiers.embedded import _is_bare_arithmetic

    assert not _is_bare_arithmetic("Solve for x: 3x + 7 = 22")
    assert not _is_bare_arithmetic("Prove that 2+2=4 in Peano arithmetic")
    assert not _is_bare_arithmetic("What is " + "12345 + " * 20 + "1?")  # long: not "small"
