"""Retrain the shipped embedded models (``make train-default``).

    python -m shared_core.training.train_default --data-dir ../shared/data

Writes into ``shared_core/data/models`` (or ``--out``):

* ``difficulty.json/.npz`` — the generic difficulty (ease) head over every public row
  (train + dev) of the five sources (arenahard included): target = half the row's mean
  score over its source's models, half that mean's percentile within the source (chosen by
  leave-one-source-out, ``benchmarks/generic_head_recipes.py``); stored with the quantiles
  of its predictions so ease becomes a percentile;
* ``source_<name>.json/.npz`` — one per-ladder head per source (each model's
  quality: a logistic head plus a compact kNN part over the prompts' sketches), trained
  on every public row of the source (train + dev) by :func:`.recipe.train_best`: the
  rule, the kNN blend weight, the cost-aware weight and the knob are chosen by grouped
  5-fold cross-validation, the same procedure as ``tier-router train``'s default;
* ``task.json/.npz`` — the task-type model over ``labelled_prompts.jsonl``;
* ``ladder.json/.npz`` — the everyday ladder model behind zero-config ``Router()``
  (:mod:`.train_ladder`: the project's own labelled prompts, calibrated confidence and
  an out-of-distribution threshold; ``everyday_dev.jsonl`` is never read).

Deterministic: the same data gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..classifiers.embedded import MODELS_DIR, TaskModel
from ..classifiers.trained import TrainedRouter
from ..features import FeatureExtractor, SparseBatch
from .train import fit_ridge

SOURCES = ("routellm", "routerbench", "llmrouter", "mmlupro")
SHIPPED_DIM = 1 << 16
SOURCE_SPLITS = ("train", "dev")
"""Every public row of a source: choices are cross-validated, so no split is held back."""
DIFFICULTY_LAMBDA = 10.0
DIFFICULTY_SOURCES = (*SOURCES, "arenahard")
"""The generic head also learns from arenahard (real Chatbot Arena prompts); it gets no head of its own."""
DIFFICULTY_SPLITS = ("train", "dev")
DIFFICULTY_TARGET = "blend"
TARGETS = {
    "mean": "mean score over the source's models",
    "blend": "half the mean score over the source's models, half its percentile within the source",
}
"""Targets of the generic head; ``blend`` was chosen by leave-one-source-out
(``benchmarks/generic_head_recipes.py``)."""
TASK_LAMBDA = 3.0


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def train_source(
    data_dir: Path, source: str, dim: int = SHIPPED_DIM, splits: Sequence[str] = SOURCE_SPLITS
) -> TrainedRouter:
    """Per-source head: the cross-validated recipe (:func:`.recipe.train_best`) on ``splits``.

    The same procedure as ``tier-router train``'s default: rule, blend weight, cost weight
    and knob chosen by grouped 5-fold cross-validation over every public row of the source.
    """
    from .recipe import train_best

    meta = json.loads((data_dir / f"{source}_models.json").read_text(encoding="utf-8"))
    rows = [
        r
        for split in splits
        if (data_dir / f"{source}_{split}.jsonl").exists()
        for r in _read_jsonl(data_dir / f"{source}_{split}.jsonl")
    ]
    # Every grid (L2, blend, cost weight, rule, k) is train_best's default, as for
    # ``tier-router train``: the shipped heads and a user's router run one procedure.
    router, result = train_best(
        rows,
        meta,
        dim=dim,
        info={"source": source, "splits": list(splits)},
        progress=lambda msg: _log(f"  {source}: {msg}"),
    )
    _log(f"  {source}: " + result.summary().replace("\n", f"\n  {source}: "))
    return router


def difficulty_target(mean_scores: np.ndarray, target: str = DIFFICULTY_TARGET) -> np.ndarray:
    """Ease target of one source's rows from each row's mean score over the source's models.

    ``"mean"``: the mean score itself (the recipe before 0.x: sources whose models are weak
    overall read as hard, whatever the prompt). ``"blend"`` (shipped): half the mean score,
    half its percentile within the source (ties share their mid-rank), so every source spans
    the whole range and the head learns which prompts are hard *within* a source more than
    which source a prompt comes from.
    """
    m = np.asarray(mean_scores, dtype=np.float64)
    if target == "mean":
        return m
    if target != "blend":
        raise ValueError(f"unknown difficulty target {target!r}; allowed: mean, blend")
    _, inverse, counts = np.unique(m, return_inverse=True, return_counts=True)
    mid = np.cumsum(counts) - counts + (counts - 1) / 2.0
    return 0.5 * m + 0.5 * (mid[inverse] + 0.5) / len(m)


def difficulty_rows(
    data_dir: Path,
    sources: Sequence[str] = DIFFICULTY_SOURCES,
    splits: Sequence[str] = DIFFICULTY_SPLITS,
    target: str = DIFFICULTY_TARGET,
) -> tuple[list[str], np.ndarray, list[str]]:
    """``(prompts, ease targets, source of each row)`` over the files that exist.

    The target is computed per source over all its rows in ``splits`` together.
    """
    texts: list[str] = []
    ease: list[np.ndarray] = []
    owner: list[str] = []
    for src in sources:
        rows = [
            r
            for split in splits
            if (data_dir / f"{src}_{split}.jsonl").exists()
            for r in _read_jsonl(data_dir / f"{src}_{split}.jsonl")
        ]
        if not rows:
            continue
        texts.extend(r["prompt"] for r in rows)
        means = np.array([float(np.mean(list(r["scores"].values()))) for r in rows])
        ease.append(difficulty_target(means, target))
        owner.extend([src] * len(rows))
    return texts, (np.concatenate(ease) if ease else np.zeros(0)), owner


def fit_difficulty(
    X: SparseBatch,
    y: np.ndarray,
    features: dict[str, Any],
    info: dict[str, Any],
    lam: float = DIFFICULTY_LAMBDA,
) -> TrainedRouter:
    """Ridge from hashed features ``X`` to ease ``y``; stores the quantiles of its predictions."""
    mu = float(y.mean())
    W = fit_ridge(X, (y - mu)[:, None], lam)
    raw = X.dot(W)[:, 0] + mu
    quantiles = np.quantile(raw, np.linspace(0.0, 1.0, 101))
    quantiles = np.maximum.accumulate(quantiles + np.arange(101) * 1e-9)
    return TrainedRouter(
        ["weak", "strong"],
        W,
        np.array([mu]),
        features=features,
        head="ladder",
        rule="threshold",
        knob=0.5,
        quantiles=quantiles,
        info={**info, "n_rows": len(y), "lam": lam},
    )


def train_difficulty(
    data_dir: Path,
    sources: Sequence[str] = DIFFICULTY_SOURCES,
    dim: int = SHIPPED_DIM,
    splits: Sequence[str] = DIFFICULTY_SPLITS,
    target: str = DIFFICULTY_TARGET,
) -> TrainedRouter:
    """The generic ease head over ``sources`` (see :func:`difficulty_target`)."""
    texts, y, owner = difficulty_rows(data_dir, sources, splits, target)
    if not texts:
        raise FileNotFoundError(f"no rows of {list(sources)} ({list(splits)}) in {data_dir}")
    fx = FeatureExtractor(dim)
    info = {
        "target": TARGETS[target],
        "sources": [s for s in sources if s in set(owner)],
        "splits": list(splits),
    }
    return fit_difficulty(fx.transform(texts), y, fx.config(), info)


def train_task(data_dir: Path, dim: int = SHIPPED_DIM, seed: int = 0) -> TaskModel:
    """Task-type model: one-vs-rest ridge on one-hot types, softmax temperature on a hold-out."""
    rows = _read_jsonl(data_dir / "labelled_prompts.jsonl")
    types = sorted({r["task_type"] for r in rows})
    texts = [r["prompt"] for r in rows]
    y = np.array([types.index(r["task_type"]) for r in rows])
    fx = FeatureExtractor(dim)
    X = fx.transform(texts)
    Y = np.eye(len(types))[y]
    perm = np.random.default_rng(seed).permutation(len(rows))
    n_val = len(rows) // 5
    va, tr = np.sort(perm[:n_val]), np.sort(perm[n_val:])
    Wv = fit_ridge(X.take(tr), Y[tr] - Y[tr].mean(0), TASK_LAMBDA)
    Z = X.take(va).dot(Wv) + Y[tr].mean(0)
    acc = float((Z.argmax(1) == y[va]).mean())
    best_t, best_nll = 1.0, float("inf")
    for t in (0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5):
        z = Z / t
        z = z - z.max(1, keepdims=True)
        nll = float(-(z[np.arange(len(va)), y[va]] - np.log(np.exp(z).sum(1))).mean())
        if nll < best_nll:
            best_t, best_nll = t, nll
    mu = Y.mean(0)
    W = fit_ridge(X, Y - mu, TASK_LAMBDA)
    return TaskModel(
        types,
        W,
        mu,
        fx.config(),
        best_t,
        info={"holdout_accuracy": round(acc, 4), "n_rows": len(rows), "lam": TASK_LAMBDA},
    )


def train_ladder_default(data_dir: Path, out: Path) -> None:
    """The ladder model (kept apart from the per-source heads so they retrain alone)."""
    from .train_ladder import train_ladder

    m = train_ladder(data_dir)
    m.save(out / "ladder.json")
    _log(f"  ladder: cross-validated exact tier on own prompts {m.info.get('cv_exact_own')}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m shared_core.training.train_default", description=__doc__.split("\n")[0]
    )
    ap.add_argument(
        "--data-dir", default="../shared/data", help="folder with <source>_<split>.jsonl files"
    )
    ap.add_argument("--out", default=str(MODELS_DIR), help="where the shipped weights are written")
    ap.add_argument(
        "--only",
        nargs="*",
        choices=[*SOURCES, "difficulty", "task", "ladder"],
        help="retrain only these",
    )
    args = ap.parse_args(argv)
    data_dir, out = Path(args.data_dir), Path(args.out)
    if not (data_dir / "routellm_train.jsonl").exists():
        _log(
            f"error: no benchmark data in {data_dir} (expected routellm_train.jsonl); pass --data-dir"
        )
        return 2
    out.mkdir(parents=True, exist_ok=True)
    todo = args.only or [*SOURCES, "difficulty", "task", "ladder"]
    for name in todo:
        t0 = time.perf_counter()
        if name == "difficulty":
            train_difficulty(data_dir).save(out / "difficulty.json", precision="float16")
        elif name == "task":
            train_task(data_dir).save(out / "task.json")
        elif name == "ladder":
            train_ladder_default(data_dir, out)
        else:
            r = train_source(data_dir, name)
            r.save(out / f"source_{name}.json", precision="float16")
        _log(f"trained {name} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
