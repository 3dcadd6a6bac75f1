"""The generic difficulty head (``difficulty.json``): what it learns from, its target, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shared_core.classifiers import embedded as emb
from shared_core.classifiers.trained import TrainedRouter
from shared_core.training import train_default as td

from ._training_fakes import MODELS, TWO_MODELS, make_rows


def test_shipped_head_learned_from_every_source_including_arenahard() -> None:
    info = json.loads((emb.MODELS_DIR / "difficulty.json").read_text())["info"]
    assert info["sources"] == ["routellm", "routerbench", "llmrouter", "mmlupro", "arenahard"]
    assert info["splits"] == ["train", "dev"]
    assert info["target"] == td.TARGETS["blend"]
    assert info["lam"] == td.DIFFICULTY_LAMBDA


def test_arenahard_trains_the_generic_head_but_gets_no_head_of_its_own() -> None:
    assert "arenahard" in td.DIFFICULTY_SOURCES
    assert "arenahard" not in td.SOURCES
    assert not (emb.MODELS_DIR / "source_arenahard.json").exists()


def test_blend_target_is_half_mean_half_percentile_within_the_source() -> None:
    means = np.array([0.0, 0.5, 0.5, 1.0])
    # percentiles (mid-ranks, ties shared): 0.125, 0.5, 0.5, 0.875
    np.testing.assert_allclose(td.difficulty_target(means), [0.0625, 0.5, 0.5, 0.9375])
    np.testing.assert_allclose(td.difficulty_target(means, "mean"), means)
    # a source whose models are all weak spans the same range as a strong one
    weak = td.difficulty_target(np.array([0.1, 0.2, 0.3]))
    strong = td.difficulty_target(np.array([0.7, 0.8, 0.9]))
    np.testing.assert_allclose(strong - weak, [0.3, 0.3, 0.3])
    with pytest.raises(ValueError, match="unknown difficulty target 'median'"):
        td.difficulty_target(means, "median")


def _toy_data(tmp: Path) -> Path:
    data = tmp / "data"
    data.mkdir()
    for src, models, seed in (("routellm", TWO_MODELS, 1), ("arenahard", MODELS, 2)):
        (data / f"{src}_models.json").write_text(json.dumps(models))
        rows = make_rows(80, models, seed)
        for split, part in (("train", rows[:60]), ("dev", rows[60:])):
            (data / f"{src}_{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in part))
    return data


def test_train_default_only_difficulty_is_byte_identical_on_rerun(tmp_path: Path) -> None:
    data = _toy_data(tmp_path)
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert td.main(["--data-dir", str(data), "--out", str(out), "--only", "difficulty"]) == 0
    for name in ("difficulty.json", "difficulty.npz"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()
    head = TrainedRouter.load(outs[0] / "difficulty.json")
    # the sources whose files exist, every split, 80 rows each
    assert head.info["sources"] == ["routellm", "arenahard"]
    assert head.info["n_rows"] == 160
    assert head.head == "ladder" and head.quantiles is not None and len(head.quantiles) == 101


def test_toy_head_sends_hard_prompts_up_the_ladder(tmp_path: Path) -> None:
    head = td.train_difficulty(_toy_data(tmp_path), dim=1 << 12).with_models(["s", "m", "l"])
    easy = head.predict(["say hello to the moon (item 1)"])[0]
    hard = head.predict(["prove rigorously that prime numbers (item 2)"])[0]
    assert (easy > hard).all()


def test_no_rows_at_all_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no rows of"):
        td.train_difficulty(tmp_path, sources=("routellm",))
