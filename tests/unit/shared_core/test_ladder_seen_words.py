"""The ladder model's seen-word bitmap: each file is read with its own size, and a new bitmap
forgets what the old one said (the training's fold-by-fold coverage depends on it)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.classifiers import embedded as emb
from shared_core.classifiers.ladder_model import WORD_BITS, LadderModel, word_ids, words_of
from shared_core.classifiers.ladder_words import CJK_GRAMS
from shared_core.errors import DataFormatError
from shared_core.training.train_ladder import seen_words

KNOWN = "please summarise the meeting notes for tomorrow morning"
OTHER = "translate these shopping list items into german today"


def _model(seen: np.ndarray) -> LadderModel:
    shipped = LadderModel.load(emb.MODELS_DIR / "ladder.json")
    return LadderModel(shipped.W, shipped.b, shipped.features, seen=seen, reads_ask=shipped.reads_ask)


@pytest.mark.parametrize("bits", [1 << 12, 1 << 18, WORD_BITS])
def test_a_file_is_read_with_its_own_bitmap_size(tmp_path, bits: int) -> None:
    seen = np.zeros(bits, dtype=bool)
    seen[word_ids(words_of(KNOWN), bits)] = True
    path = _model(seen).save(tmp_path / "ladder.json")
    loaded = LadderModel.load(path)
    assert len(loaded.seen) == bits
    assert loaded.coverage(KNOWN) == 1.0
    other = words_of(OTHER)
    hits = int(seen[word_ids(other, bits)].sum())  # collisions at a small size count as seen
    assert loaded.coverage(OTHER) == pytest.approx(hits / len(other))
    assert hits < len(other)


def test_a_new_bitmap_drops_the_memoised_hits_of_the_old_one() -> None:
    m = _model(seen_words([KNOWN]))
    assert m.coverage(KNOWN) == 1.0  # memoised as seen
    m.seen = seen_words([OTHER])
    assert m.coverage(KNOWN) < 0.5
    m.seen = seen_words([KNOWN, OTHER])
    assert m.coverage(KNOWN) == m.coverage(OTHER) == 1.0


@pytest.mark.parametrize("n", [0, 5, 1000, (1 << 18) + 8])
def test_a_bitmap_whose_size_is_not_a_power_of_two_is_refused(n: int) -> None:
    with pytest.raises(DataFormatError, match="power-of-two"):
        _model(np.zeros(n, dtype=bool))


def test_new_bitmaps_have_the_current_size_and_the_shipped_one_is_sparse() -> None:
    assert len(seen_words([KNOWN])) == WORD_BITS
    shipped = LadderModel.load(emb.MODELS_DIR / "ladder.json")
    assert shipped.seen.mean() < 0.05  # a made-up word rarely passes for a seen one


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abZ xy_9\t\n.,'-!?\x1c\x00é日 \u2003")), max_size=120))
def test_words_from_the_tokens_are_the_words_of_the_text(text: str) -> None:
    """The classifier reads a short request's words once: the coverage words and the greeting
    check taken from the dot product's tokens are what their own scans of the text give."""
    from shared_core.classifiers.embedded import _greeting_words, _is_greeting
    from shared_core.classifiers.ladder_model import words_of, words_of_tokens
    from shared_core.features import _tokens

    toks = _tokens(text.lower())
    if text.isascii():
        assert words_of_tokens(toks) == words_of(text)
    assert _greeting_words(toks) == _is_greeting(text.strip())
    for greeting in ("hi there", "Hello!", "  Thanks, bye", "hey" + " x" * 12):
        assert _greeting_words(_tokens(greeting.lower())) == _is_greeting(greeting.strip())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab x?*+=9٣.\u0301 \t")), max_size=70))
def test_a_text_of_letter_words_is_never_a_bare_calculation(text: str) -> None:
    """The classifier skips the calculation check when every word is letters only."""
    from shared_core.classifiers.embedded import _is_bare_arithmetic
    from shared_core.features import _tokens

    if all(map(str.isalpha, _tokens(text.lower()))):
        assert not _is_bare_arithmetic(text.strip())


_OTHER_SCRIPTS = st.one_of(
    st.characters(),  # any code point but a surrogate
    st.sampled_from([*"ΣσςΟΔΟΣ İıŉǅ²½Ⅻ٣ि\u0301\u200b\u3000\xa0_-'.,!? \t\nßﬁ𝔘𝟘ⓐ", "\ud800"]),
    st.sampled_from([*"日本語の文章中文한국어カタカナ、。！？ab 1"]),  # CJK runs and what breaks them
)
_OTHER_TEXT = st.lists(_OTHER_SCRIPTS, max_size=480).map("".join)
"""(Not ``st.text(alphabet=_OTHER_SCRIPTS)``: that draws from ``characters()`` alone, so hardly
ever two CJK characters side by side.)"""


@settings(max_examples=1500, deadline=None)
@given(_OTHER_TEXT)
def test_words_from_the_tokens_of_any_script_are_the_words_of_the_text(text: str) -> None:
    """The coverage words of a text in any script from the dot product's tokens of what the
    ladder read (CJK bigrams included), by the Unicode letter class: what ``words_of`` finds
    in the whole text (Greek final sigma, combining marks, superscript digits, ``_``, Unicode
    spaces, letters outside the BMP, lone surrogates, CJK)."""
    from shared_core.classifiers.ladder_model import (
        _WORD_RE,
        ladder_text,
        words_of,
        words_of_tokens,
    )
    from shared_core.features import _tokens

    assert words_of_tokens(_tokens(ladder_text(text).lower()), _WORD_RE) == words_of(text)


@settings(max_examples=300, deadline=None)
@given(_OTHER_TEXT)
def test_the_ladder_reads_a_short_text_once_and_gives_what_it_gave(text: str) -> None:
    """``proba_words``: the probabilities of the path it replaces (``self._dot(self.read_text(text))``
    for a text with CJK, the text's own tokens otherwise), and the tokens it hands to the
    coverage are those of what it read."""
    import math
    from operator import add

    from shared_core.classifiers.embedded import load_ladder
    from shared_core.features import _tokens

    m = load_ladder()
    p, toks, read_toks = m.proba_words(text)
    read = m.read_text(text)  # in the model's CJK reading (``features.cjk``)
    z = list(map(add, m._dot(read), m._b))  # type: ignore[misc]
    e = [math.exp(v - max(z)) for v in z]
    assert repr(p) == repr([v / sum(e) for v in e])
    assert read_toks == _tokens(read.lower())
    # the text's own words, the greeting check's (a CJK-grams model reads no runs: ``None``,
    # and the check splits the text itself)
    assert toks == (_tokens(text.lower()) if read is text or m.cjk != CJK_GRAMS else None)
    assert (toks is read_toks) == (read is text)  # (one list when no bigrams were added)
    assert m.proba_tokens(text) == (p, toks if read is text else None)
