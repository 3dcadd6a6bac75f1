"""Hashed features: stable across processes, sparse, bounded, and the signals mean what they say."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.features import N_SIGNALS, SIGNAL_NAMES, FeatureExtractor, SparseBatch, signals


def _sig(text: str) -> dict[str, float]:
    return dict(zip(SIGNAL_NAMES, signals(text)))


def test_same_text_same_features_and_sorted_buckets_in_range() -> None:
    fx = FeatureExtractor(1 << 12)
    i1, v1 = fx.transform_one("Write a Python function that reverses a linked list.")
    i2, v2 = FeatureExtractor(1 << 12).transform_one(
        "Write a Python function that reverses a linked list."
    )
    assert np.array_equal(i1, i2) and np.allclose(v1, v2)
    assert i1.min() >= 0 and i1.max() < 1 << 12
    # the hashed part is L2-normalised
    hashed = v1[i1 >= N_SIGNALS]
    assert abs(float(hashed @ hashed) - 1.0) < 1e-9


def test_hash_is_stable_across_processes() -> None:
    """Python's salted hash() would differ between interpreters; crc32 must not."""
    code = (
        "from shared_core.features import FeatureExtractor;"
        "i,v=FeatureExtractor(4096).transform_one('stable hashing please');"
        "print(sorted(i.tolist()))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PATH": ""},
        ).stdout
        for seed in (1, 2)
    }
    assert len(outs) == 1


def test_signals_detect_code_math_choices_and_greetings() -> None:
    code = _sig("```python\ndef f(x):\n    return x == 1;\n```")
    assert code["code_fence"] == 1.0 and code["code_tokens"] > 0.5
    plain = _sig("Tell me about the history of Rome.")
    assert plain["code_tokens"] < code["code_tokens"]
    mc = _sig("Which is a mammal?\nA) shark\nB) whale\nC) trout\nD) eel\nAnswer:")
    assert mc["multiple_choice"] > 0.5 and mc["few_shot"] > 0
    assert _sig("hello there!")["greeting"] == 1.0
    assert _sig("hello " * 50)["greeting"] == 0.0
    assert _sig("Solve 3x + 5 = 20 for x")["math_symbols"] > _sig("Name a colour")["math_symbols"]
    assert _sig("x" * 5000)["long"] == 1.0 and _sig("hi")["short"] == 1.0


def test_long_text_costs_the_same_as_its_head_and_tail() -> None:
    fx = FeatureExtractor(1 << 12)
    big = "word " * 200_000
    idx, _val = fx.transform_one(big)
    assert len(idx) < 100  # bounded regardless of input size


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_finite_bounded_features(text: str) -> None:
    fx = FeatureExtractor(1 << 10)
    idx, val = fx.transform_one(text)
    assert len(idx) == len(val) >= len(SIGNAL_NAMES)
    assert np.all(np.isfinite(val)) and np.all(val >= 0) and np.all(val <= 1.0 + 1e-9)
    assert idx.min() >= 0 and idx.max() < 1 << 10


def test_sparse_batch_products_match_dense() -> None:
    fx = FeatureExtractor(512)
    X = fx.transform(["a b c", "what is the capital of france", "def f(): return 1", ""])
    D = np.zeros((X.n_rows, X.dim))
    for r in range(X.n_rows):
        s, e = X.indptr[r], X.indptr[r + 1]
        np.add.at(D[r], X.indices[s:e], X.data[s:e])
    w = np.random.default_rng(0).normal(size=(512, 3))
    assert np.allclose(X.dot(w), D @ w)
    r = np.random.default_rng(1).normal(size=(4, 2))
    assert np.allclose(X.tdot(r), D.T @ r)
    sub = X.take([2, 0])
    assert isinstance(sub, SparseBatch) and np.allclose(sub.dot(w), (D @ w)[[2, 0]])


def test_config_round_trip_and_bad_kind() -> None:
    fx = FeatureExtractor(2048, char_ngrams=(3,), bigrams=False)
    fx2 = FeatureExtractor.from_config(fx.config())
    assert fx2.config() == fx.config()
    try:
        FeatureExtractor.from_config({"kind": "nope"})
    except ValueError as exc:
        assert "nope" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("unknown kind accepted")


def test_sketch_is_unit_norm_deterministic_and_matches_the_batch() -> None:
    from shared_core.features import sketch, sketch_batch

    fx = FeatureExtractor(1 << 12)
    texts = ["sort a list in python", "sort a list in python please", "the french revolution", ""]
    X = fx.transform(texts)
    B = sketch_batch(X, 64)
    assert B.shape == (4, 64) and B.dtype == np.float32
    for i, t in enumerate(texts):
        idx, val = fx.transform_one(t)
        one = sketch(idx, val, 64, n_buckets=fx.dim)
        assert np.allclose(one, B[i], atol=1e-6)
    assert np.allclose(np.linalg.norm(B[:3], axis=1), 1.0, atol=1e-5)
    # the empty text has only signal buckets, which stay out of the sketch
    assert not B[3].any()
    # near-duplicates are closer than unrelated texts
    assert B[0] @ B[1] > B[0] @ B[2] + 0.3
    assert np.array_equal(sketch_batch(X, 64), B)
    assert not np.allclose(sketch_batch(X, 64, seed=2), B)


_TEXTS = st.text(
    alphabet=st.sampled_from(list("abcdefghij ABC XYZ 0123456789 .,:;()=+*/^<>≤π%?!\n-日本語ñé")),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.booleans())
def test_dot_one_equals_the_sparse_row_times_the_weights(text: str, bigrams: bool) -> None:
    """The per-request path (dict sums) gives what training's sparse row gives: repeated
    words, n-grams shared across words, no words at all, bigrams on or off."""
    fx = FeatureExtractor(1 << 10, bigrams=bigrams)
    W = np.random.default_rng(len(text)).normal(size=(1 << 10, 4))
    idx, val = fx.transform_one(text)
    assert np.allclose(fx.dot_one(text, W), val @ W[idx], rtol=0, atol=1e-9)


def test_dot_one_on_a_text_longer_than_the_feature_window() -> None:
    fx = FeatureExtractor(1 << 12)
    text = "alpha beta gamma " * 200 + "the real question at the end?"
    W = np.random.default_rng(0).normal(size=(1 << 12, 3))
    idx, val = fx.transform_one(text)
    assert np.allclose(fx.dot_one(text, W), val @ W[idx], rtol=0, atol=1e-9)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_digit_and_math_signals_count_every_character(text: str) -> None:
    sig = _sig(text)
    m = max(1, len(text))
    assert sig["digit_frac"] == sum(c.isdigit() and c.isascii() for c in text) / m
    math_chars = sum(c in "=+*/^<>≤≥∑∫√π%" for c in text)
    words = set(text.lower().translate(str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~"})).split())
    math_words = len(words & set("sqrt frac solve equation integral derivative probability sum product compute calculate x y n prime matrix".split()))
    total = math_chars + math_words
    assert sig["math_symbols"] == (total / (total + 5.0) if total > 0 else 0.0)


_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~"


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(  # any text: the regex path
            alphabet=st.sampled_from(
                list(_PUNCTUATION + "ab Z9_é日 \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u2028\u3000\ufeff")
            ),
            max_size=200,
        ),
        st.text(  # long ASCII text: the translate path
            alphabet=st.sampled_from(list(_PUNCTUATION + "ab Z9_ \t\n\r\x0b\x0c\x1c\x1f")),
            min_size=65,
            max_size=200,
        ),
    )
)
def test_words_are_what_punctuation_as_spaces_and_split_give(text: str) -> None:
    """The hashed features' words are defined as ``str.split()`` after every ASCII punctuation
    mark became a space; the tokenizer must give exactly that (Unicode spaces included), or
    the shipped weights would read different buckets."""
    from shared_core.features import _tokens

    assert _tokens(text) == text.translate(str.maketrans(dict.fromkeys(_PUNCTUATION, " "))).split()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcxyzQ日本ñé")), min_size=0, max_size=30))
def test_word_ngram_buckets_are_the_crc32_of_each_character_ngram(word: str) -> None:
    """The ASCII shortcut (slicing bytes) hashes the same n-grams as slicing characters."""
    import zlib

    fx = FeatureExtractor(1 << 12)
    h, grams = fx._word(word)
    assert h == zlib.crc32(word.encode())
    want = []
    if 2 < len(word) <= fx.max_word_len and word.isalpha():
        b = f"<{word}>"
        want = [
            zlib.crc32(b[i : i + n].encode(), 0x9E37) % fx._span
            for n in fx.char_ngrams for i in range(len(b) - n + 1)
        ]
    assert list(grams) == want


@settings(max_examples=500, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("aAbJjK ().:-*•\n\t 17٣x?")), max_size=80
    )
)
def test_line_start_signals_are_their_patterns_counts(text: str) -> None:
    """Multiple-choice options and list items are counted only where their marks appear: the
    counts are still the patterns' own (a digit of any script starts a list item)."""
    from shared_core.signals import _LIST_RE, _MC_RE

    sig = _sig(text)
    mc, items = len(_MC_RE.findall(text)), len(_LIST_RE.findall(text))
    assert sig["multiple_choice"] == (mc / (mc + 3.0) if mc > 0 else 0.0)
    assert sig["list_items"] == (items / (items + 3.0) if items > 0 else 0.0)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=st.sampled_from(list("aZQ 09=+*/^<>%≤π日é\n")), max_size=200),
        st.text(alphabet=st.sampled_from(list("aZQ 09=+*/^<>%\n.")), min_size=100, max_size=900),
    )
)
def test_character_count_signals_are_their_patterns_counts(text: str) -> None:
    """ASCII text counts digits, math symbols and capitals on its bytes: the same counts as
    the patterns (capitals in the first 600 characters)."""
    from shared_core.signals import _DIGITS_RE, _MATH_RE, _UPPER_RE

    sig = _sig(text)
    m = max(1, len(text))
    assert sig["digit_frac"] == sum(map(len, _DIGITS_RE.findall(text))) / m
    assert sig["upper_frac"] == len(_UPPER_RE.findall(text[:600])) / max(1, len(text[:600]))
    words = set(text.lower().translate(str.maketrans({c: " " for c in _PUNCTUATION})).split())
    math_words = len(words & set("sqrt frac solve equation integral derivative probability sum product compute calculate x y n prime matrix".split()))
    total = sum(map(len, _MATH_RE.findall(text))) + math_words
    assert sig["math_symbols"] == (total / (total + 5.0) if total > 0 else 0.0)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=st.sampled_from(list("ab def x{};=!->()[]  12²\n")), max_size=120),
        st.text(alphabet=st.sampled_from(list("ab def {};=!->()[] 7 ")), min_size=1990, max_size=2100),
    )
)
def test_code_and_number_signals_are_their_counts(text: str) -> None:
    """ASCII text counts its one-character code marks on its bytes and looks for the others
    only when a character they need is there; a text without a digit has no number words."""
    from shared_core.signals import _CODE_MARKS, _CODE_WORDS, _tokens

    sig = _sig(text)
    sample = text[:2000]
    toks = _tokens(sample.lower())
    code = len(_CODE_WORDS & set(toks)) + sum(map(sample.count, _CODE_MARKS))
    assert sig["code_tokens"] == (code / (code + 3.0) if code > 0 else 0.0)
    numbers = sum(map(str.isdigit, set(toks)))
    assert sig["numbers"] == (numbers / (numbers + 5.0) if numbers > 0 else 0.0)


_ANY_SCRIPT = st.one_of(
    st.characters(),  # any code point but a surrogate
    st.sampled_from([*"09٣²AZaz=+*/^<>%≤≥∑∫√π{};!-([])•.:\n \t日本語é", "\ud800"]),
)


@settings(max_examples=800, deadline=None)
@given(st.one_of(  # (lists, not st.text: see test_ladder_cjk's _CJK_TEXT)
    st.lists(_ANY_SCRIPT, max_size=150).map("".join),
    st.lists(_ANY_SCRIPT, min_size=500, max_size=900).map("".join),
    st.lists(st.sampled_from(["٣", "١٢", ".", ")", " ", "\n", "日", "a", "٣. ", "\n١) "]), max_size=12).map("".join),
))
def test_text_outside_ascii_is_counted_on_its_utf8_bytes_as_the_patterns_count_it(text: str) -> None:
    """Text with characters outside ASCII (lone surrogates included) counts its digits, maths
    symbols, capitals and code marks on its UTF-8 bytes: the counts of the patterns and scans
    they replace, and list items are looked for whenever a pattern could find one."""
    from shared_core.signals import (
        _CODE_MARKS,
        _CODE_WORDS,
        _DIGITS_RE,
        _LIST_RE,
        _MATH_RE,
        _UPPER_RE,
        _tokens,
    )

    sig = _sig(text)
    m = max(1, len(text))
    assert sig["digit_frac"] == sum(map(len, _DIGITS_RE.findall(text))) / m
    assert sig["upper_frac"] == len(_UPPER_RE.findall(text[:600])) / max(1, len(text[:600]))
    toks = _tokens(text.lower())
    math_ = sum(map(len, _MATH_RE.findall(text))) + len(set(toks) & set(
        "sqrt frac solve equation integral derivative probability sum product compute calculate x y n prime matrix".split()))
    assert sig["math_symbols"] == (math_ / (math_ + 5.0) if math_ > 0 else 0.0)
    code = len(_CODE_WORDS & set(toks)) + sum(map(text.count, _CODE_MARKS))
    assert sig["code_tokens"] == (code / (code + 3.0) if code > 0 else 0.0)
    items = len(_LIST_RE.findall(text))
    assert sig["list_items"] == (items / (items + 3.0) if items > 0 else 0.0)
