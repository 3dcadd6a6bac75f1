"""How the ladder's features read Chinese and Japanese: character pairs and characters, not whole
runs (``features.cjk``), while a file trained before keeps the reading it was trained with."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.classifiers import embedded as emb
from shared_core.classifiers.ladder_model import CJK_GRAMS, LadderModel, ladder_text
from shared_core.signals import _tokens

ZH = "高铁上能带充电宝吗？就问一下"


def test_the_grams_reading_drops_the_runs_and_keeps_pairs_and_characters() -> None:
    toks = _tokens(ladder_text(ZH, CJK_GRAMS).lower())
    assert "高铁上能带充电宝吗？就问一下" not in toks and "高铁上能带充电宝吗" not in toks
    assert {"高铁", "充电", "电宝", "问一", "吗", "证"} - set(toks) == {"证"}
    assert len(toks) == len(set(toks))  # each pair and each character once
    assert ladder_text("plain English text", CJK_GRAMS) == "plain English text"


def test_older_files_keep_the_runs_as_words() -> None:
    toks = _tokens(ladder_text(ZH).lower())
    assert ZH in toks and "高铁" in toks and "吗" not in toks


def test_a_model_reads_cjk_as_its_file_says() -> None:
    shipped = LadderModel.load(emb.MODELS_DIR / "ladder.json")
    old = LadderModel(shipped.W, shipped.b, {k: v for k, v in shipped.features.items() if k != "cjk"})
    new = LadderModel(shipped.W, shipped.b, {**shipped.features, "cjk": CJK_GRAMS})
    assert old.read_text(ZH) == ladder_text(ZH) and new.read_text(ZH) == ladder_text(ZH, CJK_GRAMS)
    for m in (old, new):  # the per-request paths agree with the batch features
        i, v = m.featurize(ZH)
        z = v @ m.W[i] + m.b
        p = np.exp(z - z.max())
        assert np.allclose(m.proba_text(ZH), p / p.sum(), atol=1e-5)


def test_a_second_calibration_curve_maps_requests_with_letters_outside_ascii(tmp_path) -> None:
    from shared_core.classifiers.ladder_model import is_intl

    shipped = LadderModel.load(emb.MODELS_DIR / "ladder.json")
    two = LadderModel(shipped.W, shipped.b, shipped.features, calibration=((0.0, 1.0), (0.0, 0.8)),
                      calibration_intl=((0.0, 1.0), (0.1, 1.0)), seen=shipped.seen)
    loaded = LadderModel.load(two.save(tmp_path / "ladder.json"))
    for m in (two, loaded):
        assert m.calibrator("What is 2+2?")(0.5) == 0.4
        assert m.calibrator("¿Cuánto es 2+2?")(0.5) == m.calibrator("二加二等于几")(0.5) == 0.55
        assert m.calibrator("thanks 👍")(0.5) == 0.4  # an emoji is no letter
    one = LadderModel(shipped.W, shipped.b, shipped.features, calibration=((0.0, 1.0), (0.0, 0.8)))
    assert one.cal_intl is None and one.calibrator("¿Cuánto es 2+2?")(0.5) == 0.4  # older files: one curve
    assert is_intl("naïve") and not is_intl("plain words, 42 and € signs")


def test_training_fits_one_curve_per_group_and_counts_the_held_out_rows() -> None:
    from shared_core.training.ladder_data import heldout_rows, train_rows
    from shared_core.training.train_ladder import train_ladder

    own, held = train_rows()[::6], heldout_rows()[::2]
    m = train_ladder(None, dim=1 << 12, l2=3e-6, iters=20, own=own, cal_rows=held)
    rows = m.info["calibration_rows"]
    assert rows["cv_own"] == len(own) and rows["heldout"] == len(held)
    assert rows["intl"] + rows["other"] == len(own) + len(held) and min(rows["intl"], rows["other"]) >= 200
    assert m.cal_intl is not None and not np.array_equal(m.cal_intl[1], m.cal_y)
    assert set(m.info["cv_own_fold_sd"]) >= {"exact", "tier1_cheapest", "ece"} and "cv_own_other_langs" in m.info


_CJK_TEXT = st.lists(  # (st.text(alphabet=st.one_of(st.characters(), ...)) draws from
    st.one_of(  # characters() alone: hardly ever two CJK characters side by side)
        st.characters(),
        st.sampled_from([*"日本語の文章中文한국어カタカナ、。！？・゛ー䷀ab 1\n", "Α", "Σ", "İ", "\ud800"]),
    ),
    max_size=600,
).map("".join)


@settings(max_examples=800, deadline=None)
@given(_CJK_TEXT, st.sampled_from(["", CJK_GRAMS]))
def test_ladder_read_is_the_text_read_lowered_and_split(text: str, cjk: str) -> None:
    """``ladder_read`` takes the appended bigrams as tokens of their own instead of lowering and
    splitting the text it reads again: the same string, lower case and tokens (Greek final
    sigma before the bigrams, characters whose lower case is longer, surrogates, CJK
    punctuation), and the text's own tokens beside them."""
    from shared_core.classifiers.ladder_words import ladder_read

    read = ladder_text(text, cjk)
    got = ladder_read(text, cjk)
    if got is None:
        assert read is text
        return
    lower = read.lower()
    assert got[:3] == (read, lower, _tokens(lower))
    assert got[3] == (None if cjk == CJK_GRAMS else _tokens(text.lower()))


def _ladder_text_before(text: str, cjk: str = "") -> str:
    """``ladder_text`` as it was before the runs were found in one pass (the test oracle)."""
    import re

    if text.isascii() or not re.search("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", text[:400]):
        return text
    head = text[:1500]
    runs = re.split("[^\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+", head)
    grams = [run[i : i + 2] for run in runs for i in range(len(run) - 1)]
    if cjk != CJK_GRAMS:
        return text + "\n" + " ".join(grams)
    chars = dict.fromkeys(c for run in runs for c in run)
    sub = re.sub("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+", " ", head)
    return sub + text[1500:] + "\n" + " ".join(grams) + "\n" + " ".join(chars)


@settings(max_examples=800, deadline=None)
@given(st.one_of(_CJK_TEXT, st.text(alphabet=st.sampled_from([*"日本語ab 中文"]), min_size=1400, max_size=1700)),
       st.sampled_from(["", CJK_GRAMS]))
def test_ladder_text_finds_the_runs_it_found(text: str, cjk: str) -> None:
    """The runs found in one pass and paired in C: the text the per-character loop gave."""
    assert ladder_text(text, cjk) == _ladder_text_before(text, cjk)


@settings(max_examples=500, deadline=None)
@given(_CJK_TEXT)
def test_is_intl_is_a_letter_outside_ascii(text: str) -> None:
    """``is_intl``: a letter outside ASCII in the first 2,000 characters (iterated in C)."""
    from shared_core.classifiers.ladder_model import is_intl

    head = text[:2000]
    assert is_intl(text) == any(c.isalpha() and not c.isascii() for c in head)


def _pairs(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if not {*text[i : i + 2]} & {*"？，。 "}}


def test_a_grams_model_measures_coverage_the_same_way_for_short_and_long_requests() -> None:
    """A model reading CJK as pairs and characters counted the coverage of a short request from
    the words it read (pairs, no runs) but that of a long one from the runs and pairs of the
    older reading: the same words were seen or not depending on the request's length."""
    from shared_core.classifiers.ladder_model import word_ids

    shipped = LadderModel.load(emb.MODELS_DIR / "ladder.json")
    seen = np.zeros(1 << 20, dtype=bool)
    seen[word_ids(_pairs("高铁上能带充电宝吗"))] = True
    m = LadderModel(shipped.W, shipped.b, {**shipped.features, "cjk": CJK_GRAMS}, seen=seen)
    short = "高铁上能带充电宝吗？我想问问"
    assert m.coverage(short) == m.coverage(short, m.proba_words(short)[2])
    assert m.coverage(short) == m.coverage((short + " ") * 40)  # over 480 characters: the long path
    assert m.coverage("高铁上能带充电宝吗，高铁上能带充电宝吗") == 1.0  # every pair was seen


def test_training_marks_the_words_a_grams_model_reads() -> None:
    """The seen-word bitmap of a grams model holds the pairs (the runs are never read)."""
    from shared_core.classifiers.ladder_model import word_ids, words_of
    from shared_core.training.train_ladder import seen_words

    assert words_of(ZH, CJK_GRAMS) == {w for w in _tokens(ladder_text(ZH, CJK_GRAMS).lower()) if len(w) > 1}
    seen = seen_words([ZH], CJK_GRAMS)
    assert seen[word_ids(_pairs(ZH))].all() and int(seen.sum()) == len(_pairs(ZH))
    assert seen_words([ZH]).sum() == len(_pairs(ZH)) + 2  # the older reading: the two runs too


_CJK_MIXED = st.lists(  # CJK runs beside everything the signals count: digits, maths, marks,
    st.one_of(  # line starts of lists and choices, case, code, URLs, JSON
        st.characters(),
        st.sampled_from([*"日本語の文章中文한국어カタカナ、。！？・゛ー䷀ab 1\n", "Α", "Σ", "İ", "\ud800"]),
        st.sampled_from(["a) ", "\n- ", "-", "\n3. ", "Q: ", "    ", "```", "=>", "->", "()", "[]", "{\"",
                         "[{", "$x$", "\\frac", "≤", "π", "²", "１２", "٣", "http://x.y", "Step by step",
                         "PROVE", "def ", "return ", "must ", "42", "?", ":", ";", "\n", " ", "\t"]),
    ),
    max_size=300,
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(_CJK_MIXED, st.sampled_from(["", CJK_GRAMS]))
def test_the_signals_skip_the_appended_bigrams_and_give_the_same_values(text: str, cjk: str) -> None:
    """``signals`` told that ``ladder_read``'s appended tail is inert (CJK letters, spaces,
    newlines) counts only the text before it: the same 24 floats as reading it all, also
    for a list item or a choice whose line reaches into the tail, and past 2,000 characters."""
    from shared_core.classifiers.ladder_words import ladder_read
    from shared_core.signals import signals

    for t in (text, text * 8):  # (the second often past 2,000 characters)
        got = ladder_read(t, cjk)
        if got is None:
            continue
        read, lower, toks, _, inert = got
        assert signals(read, lower, toks, inert) == signals(read, lower, toks)
        assert signals(read, lower, toks, inert) == signals(read)
