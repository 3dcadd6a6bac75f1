"""How the ladder's features read Chinese and Japanese: character pairs and characters, not whole
runs (``features.cjk``), while a file trained before keeps the reading it was trained with."""

from __future__ import annotations

import numpy as np

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
