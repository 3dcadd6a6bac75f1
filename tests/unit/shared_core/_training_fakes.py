"""Synthetic routing data and a stand-in router for the training/eval/calibrate tests.

The prompts are generated here (our own words), never copied from the benchmark data.
"""

from __future__ import annotations

import json
import random
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MODELS = {
    "small": {
        "input_per_mtok": 0.1,
        "output_per_mtok": 0.2,
        "tier_rank": 0,
        "assumed_output_tokens": 100,
    },
    "medium": {
        "input_per_mtok": 1.0,
        "output_per_mtok": 2.0,
        "tier_rank": 1,
        "assumed_output_tokens": 100,
    },
    "large": {
        "input_per_mtok": 10.0,
        "output_per_mtok": 30.0,
        "tier_rank": 2,
        "assumed_output_tokens": 100,
    },
}
TWO_MODELS = {k: MODELS[k] for k in ("small", "large")}

_EASY = ["say hello to", "what colour is", "name a fruit like", "spell the word", "translate hi to"]
_MID = ["summarise the plot of", "explain briefly why", "list three facts about"]
_HARD = ["prove rigorously that", "derive step by step", "design a distributed algorithm for"]
_TOPICS = ["the sky", "a cat", "prime numbers", "rivers", "the moon", "graphs", "tea", "bridges"]


def make_rows(n: int, models: dict[str, dict], seed: int = 0) -> list[dict]:
    """Rows whose difficulty shows in the words: cheap models fail the hard ones."""
    rng = random.Random(seed)
    names = list(models)
    rows = []
    for i in range(n):
        level = rng.choice([0, 0, 1, 2])
        stem = rng.choice([_EASY, _MID, _HARD][level])
        prompt = f"{stem} {rng.choice(_TOPICS)} {'please ' * rng.randint(0, 3)}(item {i})"
        scores = {}
        for rank, name in enumerate(names):
            strength = rank / max(1, len(names) - 1)
            p_ok = 0.97 if strength >= level / 2 else 0.15
            scores[name] = 1.0 if rng.random() < p_ok else 0.0
        rows.append(
            {
                "id": f"syn/{i}",
                "prompt": prompt,
                "source": "syn",
                "task": ["easy", "mid", "hard"][level],
                "scores": scores,
            }
        )
    return rows


def write_files(
    tmp: Path, n: int = 120, models: dict | None = None, seed: int = 0
) -> tuple[Path, Path]:
    models = MODELS if models is None else models
    data = tmp / "syn_dev.jsonl"
    data.write_text(
        "".join(json.dumps(r) + "\n" for r in make_rows(n, models, seed)), encoding="utf-8"
    )
    mpath = tmp / "syn_models.json"
    mpath.write_text(json.dumps(models), encoding="utf-8")
    return data, mpath


class StandInRouter:
    """Predicts each model's quality from the words (the ML-a interface, minus training)."""

    def __init__(
        self, n_models: int, rule: str = "threshold", relative_costs: Sequence[float] | None = None
    ):
        self.n_models = n_models
        self.rule = rule
        self.relative_costs = relative_costs
        self.knob = 0.5
        self.seen: list[str] = []

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.n_models))
        for r, t in enumerate(texts):
            self.seen.append(t)
            level = 2 if any(s in t for s in _HARD) else 1 if any(s in t for s in _MID) else 0
            jitter = (zlib.crc32(t.encode()) % 97) / 970.0  # deterministic per text
            for j in range(self.n_models):
                strength = j / max(1, self.n_models - 1)
                out[r, j] = (0.9 if strength >= level / 2 else 0.2) + jitter
        return np.clip(out, 0, 1)
