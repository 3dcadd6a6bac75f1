"""Encoders, the embedding cache, centroid and logistic-head classifiers."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import pickle
import subprocess
import sys
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.classifiers import (
    CachedEncoder,
    CentroidClassifier,
    Encoder,
    HashingEncoder,
    HeadClassifier,
)
from shared_core.errors import ConfigError, DataFormatError, UnsafeFormatError

TASK_EXAMPLES = {
    "coding": [
        "Write a Python function that reverses a linked list",
        "Fix the bug in this JavaScript loop that skips the last element",
        "How do I read a CSV file with pandas and filter rows?",
        "Implement a binary search in Rust",
    ],
    "creative": [
        "Write a short poem about the autumn sea",
        "Compose a bedtime story about a brave little fox",
        "Write song lyrics about leaving home",
        "Invent a fairy tale about a clockwork dragon",
    ],
    "factual": [
        "What is the capital of Canada?",
        "When did the Berlin Wall fall?",
        "Who painted the Mona Lisa?",
        "How tall is Mount Everest?",
    ],
}
TIERS = ["simple", "medium", "complex", "frontier"]
DIFFICULTY_EXAMPLES = {
    "simple": ["hi", "hello there", "thanks!", "what is 2 + 2"],
    "medium": [
        "summarise this paragraph about bees",
        "explain how rainbows form",
        "write a polite email declining a meeting",
    ],
    "frontier": [
        "prove the riemann hypothesis implies a bound on prime gaps",
        "design a globally distributed consensus protocol with byzantine fault tolerance",
    ],
}


class CountingEncoder:
    """Wraps HashingEncoder and records every batch it is asked to encode."""

    def __init__(self) -> None:
        self.inner = HashingEncoder(dim=64)
        self.batches: list[list[str]] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.batches.append(list(texts))
        return self.inner.encode(texts)


class AsyncOnlyEncoder(CountingEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.async_calls = 0

    async def aencode(self, texts: list[str]) -> np.ndarray:
        self.async_calls += 1
        return self.inner.encode(texts)


# -- HashingEncoder ------------------------------------------------------------------------
def test_hashing_encoder_shapes_norms_and_similarity() -> None:
    enc = HashingEncoder(dim=256)
    assert isinstance(enc, Encoder)
    v = enc.encode(
        ["the cat sat on the mat", "the cat sat on a mat", "quantum chromodynamics lecture", ""]
    )
    assert v.shape == (4, 256) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0, atol=1e-5)
    assert not v[3].any()  # empty text -> zero vector
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3


def test_hashing_encoder_is_stable_across_processes() -> None:
    code = (
        "import hashlib; from shared_core.classifiers import HashingEncoder;"
        "print(hashlib.sha256(HashingEncoder(dim=128).encode(['Héllo wörld ✓ 123']).tobytes()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    here = hashlib.sha256(
        HashingEncoder(dim=128).encode(["Héllo wörld ✓ 123"]).tobytes()
    ).hexdigest()
    assert out.stdout.strip() == here


def test_hashing_encoder_rejects_bad_settings() -> None:
    with pytest.raises(ConfigError):
        HashingEncoder(dim=2)
    with pytest.raises(ConfigError):
        HashingEncoder(ngram_range=(4, 2))


# -- CachedEncoder ----------------------------------------------------------------------------
def test_cache_sends_only_misses_to_the_encoder_once() -> None:
    inner = CountingEncoder()
    enc = CachedEncoder(inner, maxsize=10)
    a = enc.encode(["x", "y", "x"])
    assert inner.batches == [["x", "y"]]
    b = enc.encode(["y", "z"])
    assert inner.batches[-1] == ["z"]
    assert np.array_equal(a[1], b[0])
    assert enc.cache_info() == {"hits": 2, "misses": 3, "size": 3, "maxsize": 10}


def test_cache_evicts_least_recently_used() -> None:
    inner = CountingEncoder()
    enc = CachedEncoder(inner, maxsize=2)
    enc.encode(["a"])
    enc.encode(["b"])
    enc.encode(["a"])  # a is now most recent
    enc.encode(["c"])  # evicts b
    inner.batches.clear()
    enc.encode(["a", "b"])
    assert inner.batches == [["b"]]


def test_cached_vectors_cannot_be_mutated_by_callers() -> None:
    enc = CachedEncoder(HashingEncoder(dim=32))
    first = enc.encode(["same"])
    first[0, :] = 99.0
    assert enc.encode(["same"])[0, 0] != 99.0


def test_cache_is_thread_safe() -> None:
    inner = CountingEncoder()
    enc = CachedEncoder(inner, maxsize=50)
    texts = [f"text {i}" for i in range(100)]
    expected = inner.inner.encode(texts)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        rng = np.random.default_rng(seed)
        try:
            for _ in range(200):
                idx = rng.integers(0, 100, size=3)
                got = enc.encode([texts[i] for i in idx])
                assert np.allclose(got, expected[idx])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    info = enc.cache_info()
    assert info["hits"] + info["misses"] == 8 * 200 * 3
    assert info["size"] <= 50


async def test_cache_aencode_prefers_the_inner_async_encoder() -> None:
    inner = AsyncOnlyEncoder()
    enc = CachedEncoder(inner)
    v = await enc.aencode(["p", "q"])
    assert v.shape == (2, 64) and inner.async_calls == 1
    await enc.aencode(["p"])
    assert inner.async_calls == 1 and enc.hits == 1


# -- CentroidClassifier -------------------------------------------------------------------------
def test_centroid_task_labels() -> None:
    clf = CentroidClassifier(HashingEncoder(), TASK_EXAMPLES)
    assert clf.labels == ["coding", "creative", "factual"]
    assert clf.classify("Write a Python function that merges two sorted lists").best == "coding"
    assert clf.classify("Write a short poem about a quiet lake").best == "creative"
    c = clf.classify("What is the capital of Peru?")
    assert c.best == "factual"
    assert sum(c.scores.values()) == pytest.approx(1.0)
    assert 0.0 < c.confidence <= 1.0
    assert c.confidence == pytest.approx(
        sorted(c.scores.values())[-1] - sorted(c.scores.values())[-2], abs=1e-5
    )


def test_centroid_difficulty_scores_are_cumulative() -> None:
    clf = CentroidClassifier(HashingEncoder(), DIFFICULTY_EXAMPLES, labels=TIERS, ordinal=True)
    easy = clf.classify("hello!")
    hard = clf.classify("design a byzantine fault tolerant distributed consensus protocol")
    for c in (easy, hard):
        vals = [c.scores[t] for t in TIERS]
        assert all(a <= b + 1e-9 for a, b in itertools.pairwise(vals)) and vals[-1] == 1.0
    assert easy.scores["simple"] > 0.5 > hard.scores["complex"]
    # 'complex' has no examples: it adds no probability mass of its own
    assert hard.scores["complex"] == pytest.approx(hard.scores["medium"])


def test_centroid_rejects_bad_examples() -> None:
    with pytest.raises(ConfigError, match="examples"):
        CentroidClassifier(HashingEncoder(), {})
    with pytest.raises(ConfigError, match="no example texts"):
        CentroidClassifier(HashingEncoder(), {"a": ["  "]})
    with pytest.raises(ConfigError, match="not among"):
        CentroidClassifier(HashingEncoder(), TASK_EXAMPLES, labels=["coding"])
    with pytest.raises(ConfigError, match="temperature"):
        CentroidClassifier(HashingEncoder(), TASK_EXAMPLES, temperature=0)


async def test_async_classify_uses_aencode_or_a_thread() -> None:
    enc = AsyncOnlyEncoder()
    clf = CentroidClassifier(enc, TASK_EXAMPLES)
    c = await clf.aclassify("Who wrote Hamlet?")
    assert enc.async_calls == 1 and c == clf.classify("Who wrote Hamlet?")
    sync_only = CentroidClassifier(CountingEncoder(), TASK_EXAMPLES)
    assert (await sync_only.aclassify("Who wrote Hamlet?")).best == c.best


# -- HeadClassifier ---------------------------------------------------------------------------------
def _blobs(n: int = 300, d: int = 8, k: int = 3, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=3.0, size=(k, d))
    y = rng.integers(0, k, size=n)
    X = centers[y] + rng.normal(size=(n, d))
    return X, [f"c{v}" for v in y]


class IdentityEncoder:
    """Texts are JSON lists of floats (lets the head be tested on synthetic vectors)."""

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.array([json.loads(t) for t in texts], dtype=np.float32)


def test_head_learns_separable_data() -> None:
    X, y = _blobs()
    head = HeadClassifier(IdentityEncoder(), X=X[:200], y=y[:200], labels=["c0", "c1", "c2"])
    preds = [head.classify(json.dumps(x.tolist())).best for x in X[200:]]
    acc = np.mean([p == t for p, t in zip(preds, y[200:])])
    assert acc > 0.9


def test_head_on_text_examples_and_ordinal_scores() -> None:
    head = HeadClassifier(HashingEncoder(), TASK_EXAMPLES)
    assert head.classify("Write a poem about the winter moon").best == "creative"
    ordinal = HeadClassifier(HashingEncoder(), DIFFICULTY_EXAMPLES, labels=TIERS, ordinal=True)
    vals = list(ordinal.classify("hey, thanks").scores.values())
    assert all(a <= b + 1e-9 for a, b in itertools.pairwise(vals)) and vals[-1] == 1.0


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_head_round_trips_through_plain_data(tmp_path, suffix: str) -> None:
    head = HeadClassifier(HashingEncoder(), TASK_EXAMPLES)
    path = head.save(tmp_path / f"head{suffix}")
    again = HeadClassifier.load(path, HashingEncoder())
    assert again.labels == head.labels
    for text in ["Write a limerick", "Sort a list in Go", "Who discovered penicillin?"]:
        assert again.classify(text).scores == pytest.approx(head.classify(text).scores)


def test_head_refuses_pickles_and_unknown_formats(tmp_path) -> None:
    bad = tmp_path / "head.pkl"
    bad.write_bytes(pickle.dumps({"weights": [[1.0]]}))
    with pytest.raises(UnsafeFormatError):
        HeadClassifier.load(bad, HashingEncoder())
    disguised = tmp_path / "head.npz"
    with disguised.open("wb") as fh:
        np.savez(
            fh,
            weights=np.array([object()], dtype=object),
            bias=np.zeros(1),
            meta=np.zeros(1, np.uint8),
        )
    with pytest.raises(UnsafeFormatError):
        HeadClassifier.load(disguised, HashingEncoder())
    not_head = tmp_path / "other.json"
    not_head.write_text('{"format": "something-else"}')
    with pytest.raises(DataFormatError, match="not a head classifier"):
        HeadClassifier.load(not_head, HashingEncoder())


def test_head_with_the_wrong_encoder_says_so() -> None:
    head = HeadClassifier(HashingEncoder(dim=64), TASK_EXAMPLES)
    head.encoder = HashingEncoder(dim=32)
    with pytest.raises(DataFormatError, match="64"):
        head.classify("hello")


def test_head_bind_labels_reorders_and_adds_unseen_labels() -> None:
    head = HeadClassifier(HashingEncoder(), TASK_EXAMPLES)
    before = head.classify("Who painted Guernica?").scores
    head.bind_labels(["reasoning", "factual", "creative", "coding"])
    after = head.classify("Who painted Guernica?").scores
    assert list(after) == ["reasoning", "factual", "creative", "coding"]
    assert after["reasoning"] == pytest.approx(0.0)
    assert after["factual"] == pytest.approx(before["factual"])
    with pytest.raises(ConfigError):
        head.bind_labels(["factual"])


def test_head_needs_training_data() -> None:
    with pytest.raises(ConfigError, match="examples"):
        HeadClassifier(HashingEncoder())
    with pytest.raises(ConfigError, match="not in labels"):
        HeadClassifier(IdentityEncoder(), X=np.zeros((2, 3)), y=["a", "b"], labels=["a"])


_CENTROID = CentroidClassifier(HashingEncoder(dim=128), TASK_EXAMPLES)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_encodes_and_classifies_deterministically(text: str) -> None:
    v = HashingEncoder(dim=128).encode([text])
    assert v.shape == (1, 128) and np.all(np.isfinite(v))
    a, b = _CENTROID.classify(text), _CENTROID.classify(text)
    assert a == b
    assert all(0.0 <= x <= 1.0 for x in a.scores.values()) and 0.0 <= a.confidence <= 1.0


def test_lone_surrogates_and_null_bytes_encode() -> None:
    v = HashingEncoder(dim=64).encode(["bad \ud800 text\x00 here", "\udfff"])
    assert np.all(np.isfinite(v)) and v[0].any()
