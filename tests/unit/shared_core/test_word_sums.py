"""Word-sum features (the ladder's ``hashed-ngrams-v2``): the per-request dot product gives
what training's sparse row gives, and a word's part does not depend on the rest of the text."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.features import N_SIGNALS, FeatureExtractor
from shared_core.word_sums import WORD_SUMS_KIND, WordSumDot, WordSumExtractor

_TEXTS = st.text(
    alphabet=st.sampled_from(list("abcdefghij ABC XYZ 0123456789 .,:;()=+*/^<>≤π%?!\n-日本語ñé")),
    max_size=600,
)


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.booleans(), st.integers(1, 5))
def test_the_memoised_dot_equals_the_sparse_row_times_the_weights(
    text: str, bigrams: bool, cols: int
) -> None:
    """Repeated words and bigrams, n-grams shared across words, no words at all, an odd
    number of columns, bigrams on or off."""
    fx = WordSumExtractor(1 << 10, bigrams=bigrams)
    W = np.random.default_rng(len(text)).normal(size=(1 << 10, cols))
    dot = WordSumDot(fx, W)
    idx, val = fx.transform_one(text)
    assert np.allclose(dot(text), val @ W[idx], rtol=0, atol=1e-9)
    assert np.allclose(dot(text), val @ W[idx], rtol=0, atol=1e-9)  # from the memo now


@pytest.mark.parametrize("n_words", [1, 2, 20, 26, 27, 60, 400])
def test_many_distinct_words_and_bigrams(n_words: int) -> None:
    """Past a couple of dozen bigrams their rows are gathered by numpy: the same sum."""
    fx = WordSumExtractor(1 << 12)
    W = np.random.default_rng(n_words).normal(size=(1 << 12, 4))
    text = " ".join(f"word{i} alpha" for i in range(n_words))
    idx, val = fx.transform_one(text)
    assert np.allclose(WordSumDot(fx, W)(text), val @ W[idx], rtol=0, atol=1e-9)


def test_a_text_longer_than_the_feature_window_is_read_as_v1_reads_it() -> None:
    fx = WordSumExtractor(1 << 12)
    text = "alpha beta gamma " * 200 + "the real question at the end?"
    W = np.random.default_rng(0).normal(size=(1 << 12, 4))
    idx, val = fx.transform_one(text)
    assert np.allclose(WordSumDot(fx, W)(text), val @ W[idx], rtol=0, atol=1e-9)
    assert set(idx.tolist()) == set(FeatureExtractor(1 << 12).transform_one(text)[0].tolist())


def test_each_distinct_word_counts_once_and_the_hashed_part_has_unit_norm() -> None:
    words = WordSumExtractor(1 << 14, bigrams=False)
    once, thrice = words.transform_one("cat"), words.transform_one("cat cat cat")
    assert np.array_equal(once[0], thrice[0]) and np.allclose(once[1][N_SIGNALS:], thrice[1][N_SIGNALS:])
    fx = WordSumExtractor(1 << 14)
    idx, val = fx.transform_one("sort a list in python")
    hashed = val[idx >= N_SIGNALS]
    assert abs(float(hashed @ hashed) - 1.0) < 1e-9  # no shared bucket in these five words


def test_the_kind_round_trips_and_the_dot_checks_its_weights() -> None:
    fx = WordSumExtractor(1 << 10, char_ngrams=(3,))
    back = FeatureExtractor.from_config(fx.config())
    assert type(back) is WordSumExtractor and back.config() == fx.config()
    assert fx.config()["kind"] == WORD_SUMS_KIND
    assert type(FeatureExtractor.from_config(FeatureExtractor(1 << 10).config())) is FeatureExtractor
    with pytest.raises(ValueError, match="rows"):
        WordSumDot(fx, np.zeros((1 << 9, 4)))


_WORDS = st.lists(
    st.sampled_from("the cat sat on a mat 日本語 ñé x=1 {json} prove why ok summarise code".split()),
    max_size=400,
).map(" ".join) | st.integers(0, 400).map(lambda n: " ".join(f"w{i % 97} x{i % 13}" for i in range(n)))


@settings(max_examples=150, deadline=None)
@given(_WORDS, st.sampled_from([FeatureExtractor, WordSumExtractor]))
def test_the_ladder_reads_a_request_as_training_featurised_it(text: str, kind: type) -> None:
    """Short texts (the memoised dot on the folded halves), long ones (the whole text and its
    edges on their halves) and the ``v1`` files' own paths: ``softmax(featurize @ W + b)``."""
    from shared_core.classifiers.ladder_model import LadderModel

    dim = 1 << 10
    fx = kind(dim)
    rng = np.random.default_rng(len(text))
    m = LadderModel(rng.normal(size=(2 * dim, 4)), rng.normal(size=4), fx.config())
    idx, val = m.featurize(text)
    z = val @ m.W.astype(np.float64)[idx] + m.b
    want = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert np.allclose(m.proba_list(text), want, rtol=0, atol=1e-5)


def test_the_memos_stay_bounded_and_a_cleared_memo_gives_the_same_sums(monkeypatch) -> None:
    import shared_core.word_sums as ws

    monkeypatch.setattr(ws, "_MEMO_LIMIT", 50)
    monkeypatch.setattr(ws, "_ITEM_LIMIT", 20)
    fx = WordSumExtractor(1 << 10)
    W = np.random.default_rng(3).normal(size=(1 << 10, 4))
    dot = WordSumDot(fx, W)
    for i in range(40):
        text = " ".join(f"w{i}x{j}" for j in range(30))
        idx, val = fx.transform_one(text)
        assert np.allclose(dot(text), val @ W[idx], rtol=0, atol=1e-9)
        assert len(dot._words) <= 50 and len(fx._items) <= 20
    assert not fx._memo  # the word sums keep their own memo only


def test_another_thread_learning_the_same_words_mid_request_changes_nothing() -> None:
    """Thread A misses its words; thread B learns them before A does: A still answers, the
    same sums (a second look at the shared memo used to raise IndexError or KeyError, and the
    router then treated the classifier as failed)."""
    import threading

    fx = WordSumExtractor(1 << 10)
    W = np.random.default_rng(5).normal(size=(1 << 10, 4))
    dot = WordSumDot(fx, W)

    class Memo(dict):  # type: ignore[type-arg]
        hook: object = None

        def get(self, key, default=None):  # type: ignore[no-untyped-def, override]
            found = dict.get(self, key, default)
            if Memo.hook is not None:
                run, Memo.hook = Memo.hook, None
                t = threading.Thread(target=run)
                t.start()
                t.join()
            return found

    for text, other in (("zorblax quintessor", "zorblax quintessor"), ("flimbo grattle", "flimbo")):
        dot._words = Memo(dot._words)
        Memo.hook = lambda other=other: dot(other)
        idx, val = fx.transform_one(text)
        assert np.allclose(dot(text), val @ W[idx], rtol=0, atol=1e-9)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(_TEXTS, st.lists(st.sampled_from(["ab", "cd", "ef", "x1", "日本"]), max_size=80).map(" ".join)),
    st.integers(3, 4), st.booleans(), st.integers(0, 2**32 - 1),
)
def test_the_two_column_loops_sum_as_the_per_column_sums_do(
    text: str, cols: int, bigrams: bool, seed: int
) -> None:
    """With two complex columns (three or four levels, the ladder's) the signals, the words
    and the bigrams are summed in plain loops: bit for bit what the per-column ``sum`` calls
    give (same terms, same order, from 0): zero weights, zero signals, no words, repeated
    words, and past the numpy gather's bigram count."""
    fx = WordSumExtractor(1 << 10, bigrams=bigrams)
    W = np.random.default_rng(seed).normal(size=(1 << 10, cols))
    W[np.random.default_rng(seed + 1).random(W.shape) < 0.2] = 0.0
    dot = WordSumDot(fx, W)
    assert dot._sig_pair is not None
    looped = dot(text)
    dot._sig_pair = None  # the per-column sums
    assert repr(dot(text)) == repr(looped)


def _read_pair_before(dot: WordSumDot, sig: list[float], toks: list[str]) -> list[float]:
    """``WordSumDot._read_pair`` as it was before the flat bigram rows (ee4c559): the test oracle."""
    import math

    from shared_core.word_sums import _GATHER_FROM, _HASH, _LN2

    c0s, c1s = dot._sig_pair  # type: ignore[misc]
    a0: complex = 0
    a1: complex = 0
    for s, c0, c1 in zip(sig, c0s, c1s):
        if s:
            a0 += s * c0
            a1 += s * c1
    if toks:
        entries = dot._entries(toks)
        d0: complex = 0
        d1: complex = 0
        nsq: float = 0
        for _, (p0, p1), n in dict(zip(toks, entries)).values():
            d0 += p0
            d1 += p1
            nsq += n
        buckets: list[int] = []
        if dot.fx.bigrams and len(toks) > 1:
            buckets = dot.fx.pair_buckets(list(map(_HASH, entries)))
            nsq += _LN2 * _LN2 * len(buckets)
        k = 1.0 / math.sqrt(nsq)
        if len(buckets) > _GATHER_FROM:
            z = [*dot._W[buckets].sum(axis=0).tolist(), 0.0]
            a0 += (d0 + complex(z[0], z[1]) * _LN2) * k
            a1 += (d1 + complex(z[2], z[3]) * _LN2) * k
        elif buckets:
            w0, w1 = dot._columns
            b0: complex = 0
            b1: complex = 0
            for b in buckets:
                b0 += w0[b]
                b1 += w1[b]
            a0 += (d0 + b0 * _LN2) * k
            a1 += (d1 + b1 * _LN2) * k
        else:
            a0 += d0 * k
            a1 += d1 * k
    return [a0.real, a0.imag, a1.real, a1.imag][: dot.cols]


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        _TEXTS,
        st.lists(st.sampled_from(["ab", "cd", "ef", "x1", "日本", "ab", "the"]), max_size=80).map(" ".join),
    ),
    st.integers(3, 4), st.booleans(), st.booleans(), st.integers(0, 2**32 - 1),
)
def test_the_flat_bigram_rows_give_the_floats_of_the_complex_columns(
    text: str, cols: int, bigrams: bool, single: bool, seed: int
) -> None:
    """The bigrams summed from the flat rows (floats for a float32 ``W``, as the shipped
    ladder's, else doubles): bit for bit the sums of the complex columns they replace, with
    zero and negative-zero weights, repeated bigrams and past the numpy gather's count."""
    from shared_core.features import _tokens, feature_window, signals

    fx = WordSumExtractor(1 << 10, bigrams=bigrams)
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(1 << 10, cols))
    if single:
        W = W.astype(np.float32).astype(np.float64)
    W[rng.random(W.shape) < 0.15] = 0.0
    W[rng.random(W.shape) < 0.05] = -0.0
    dot = WordSumDot(fx, W)
    assert dot._pair_rows is not None and dot._pair_rows.typecode == ("f" if single else "d")
    window = feature_window(text)
    lower = window.lower()
    toks = _tokens(lower)
    sig = signals(window, lower, toks)
    assert repr(dot._read_pair(sig, toks)) == repr(_read_pair_before(dot, sig, toks))


def test_the_shipped_ladder_sums_its_bigrams_from_float_rows() -> None:
    """The shipped ladder's short-text weights are float32: its flat rows are C floats
    (half the memory of doubles), equal to the weights."""
    from shared_core.classifiers.embedded import load_ladder

    dot = load_ladder()._dot
    assert dot is not None and dot._pair_rows is not None
    assert dot._pair_rows.typecode == "f"
    rows = np.frombuffer(dot._pair_rows, dtype=np.float32).reshape(-1, 4)
    assert np.array_equal(rows.astype(np.float64), dot._W[32:, :4])
