"""Retrain the shipped embedded models (``make train-default``).

    python -m shared_core.training.train_default --data-dir ../shared/data

Writes into ``shared_core/data/models`` (or ``--out``):

* ``difficulty.json/.npz`` — the generic difficulty (ease) head over all sources'
  train splits: target = the row's mean score over its source's models; stored with
  the quantiles of its predictions so ease becomes a percentile;
* ``source_<name>.json/.npz`` — one per-ladder head per source (each model's
  quality; logistic, see ``SOURCE_LOSS``, plus a compact kNN part over the train
  prompts' sketches, see ``SOURCE_KNN``), trained on the train split; the kNN blend
  weight, the cost-aware weight (``COST_WEIGHTS``; 0 ships no costs, both 0 drop the
  kNN part) and the rule are chosen on the dev split with the evaluation's knob grid
  and primary metric, and the knob with them;
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
from ..features import FeatureExtractor
from .train import estimate_costs, fit_ridge, operating_point, train_router

SOURCES = ("routellm", "routerbench", "llmrouter", "mmlupro")
SHIPPED_DIM = 1 << 16
# ridge strength per source, chosen on dev (see the report / BENCHMARKS.md)
# (for logistic heads the value is the L2 weight, for ridge heads the ridge strength)
SOURCE_LAMBDA = {"routellm": 1e-4, "routerbench": 1e-4, "llmrouter": 1e-4, "mmlupro": 1e-3}
# logistic heads rank these mostly 0/1 scores better than ridge on every dev split
# (ridge stays available: train_router(loss="ridge"); figures in BENCHMARKS.md)
SOURCE_LOSS = {
    "routellm": "logistic",
    "routerbench": "logistic",
    "llmrouter": "logistic",
    "mmlupro": "logistic",
}
# the nearest-neighbour part (k neighbours, similarity power, sketch size) and the blend
# weights tried on dev (see the report / BENCHMARKS.md for the figures)
SOURCE_KNN: dict[str, dict[str, Any]] = {
    src: {"k": 40, "power": 3.0, "dim": 256} for src in SOURCES
}
KNN_WEIGHTS = (0.0, 0.2, 0.35, 0.5)
COST_WEIGHTS = (0.0, 0.1, 0.2, 0.4)
"""Cost-aware score weights tried on dev (0 keeps the scores pure predicted quality)."""
DIFFICULTY_LAMBDA = 10.0
TASK_LAMBDA = 3.0
RULES = ("threshold", "margin", "utility")


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def train_source(data_dir: Path, source: str, dim: int = SHIPPED_DIM) -> TrainedRouter:
    """Per-source head: fit on train, choose rule + knob on dev."""
    meta = json.loads((data_dir / f"{source}_models.json").read_text(encoding="utf-8"))
    train = _read_jsonl(data_dir / f"{source}_train.jsonl")
    lam = SOURCE_LAMBDA.get(source, 10.0)
    loss = SOURCE_LOSS.get(source, "ridge")
    knn = SOURCE_KNN.get(source)
    router = train_router(
        train,
        meta,
        lams=(lam,),
        holdout=0.0,
        dim=dim,
        info={"source": source},
        loss=loss,
        knn=None if knn is None else {**knn, "weight": 0.0, "with_costs": True},
    )
    dev_path = data_dir / f"{source}_dev.jsonl"
    if dev_path.exists():
        dev = _read_jsonl(dev_path)
        assert router._fx is not None
        X = router._fx.transform([r["prompt"] for r in dev])
        P_lin = router._finish(X.dot(router.W.astype(np.float64)) + router.b)
        S = np.array([[r["scores"][m] for m in router.models] for r in dev])
        C = estimate_costs(dev, router.models, meta)
        rel = router.relative_costs
        head = router.knn
        best: tuple[float, float, float, str] = (float("inf"), 0.0, 0.0, router.rule)
        for weight in KNN_WEIGHTS if head is not None else (0.0,):
            for beta in COST_WEIGHTS if head is not None else (0.0,):
                P = P_lin
                if head is not None:
                    head.weight, head.cost_weight = weight, beta
                    P = head.blend_batch(P_lin, X)
                for rule in RULES:
                    # the primary metric on the evaluation's knob grid (a lone spike on
                    # a finer grid would flatter the rule)
                    loss_ = _grid_loss(P, S, C, rule, rel)
                    if loss_ < best[0] - 1e-9:
                        best = (loss_, weight, beta, rule)
        _, weight, beta, rule = best
        if head is not None:
            head.weight, head.cost_weight = weight, beta
            if beta == 0:
                head.costs = head.mean_costs = None  # pure quality scores: no costs shipped
            if weight == 0 and beta == 0:
                router.knn = None
        P = router.predict([r["prompt"] for r in dev])
        cost, knob = operating_point(P, S, C, rule, rel)
        router.rule, router.knob = rule, knob
        router.info["dev_cost_share_at_95"] = None if cost == float("inf") else round(cost, 6)
        if S.shape[1] == 2:
            router.info["dev_apgr"] = round(-best[0], 6)
    return router


def _grid_loss(
    P: np.ndarray, S: np.ndarray, C: np.ndarray, rule: str, rel: Sequence[float]
) -> float:
    """The primary metric as a loss: ``-APGR`` for two models, else the cost share at 95%."""
    if S.shape[1] != 2:
        return _grid_cost(P, S, C, rule, rel)
    from . import metrics
    from .evaluate import knob_grid, sweep

    knobs = knob_grid(P, rule, rel)
    curve = metrics.curve_from_choices(sweep(P, knobs, rule, rel), S, C, knobs)
    return -float(metrics.summarise_curve(curve, S, C)["apgr"])


def _grid_cost(
    P: np.ndarray, S: np.ndarray, C: np.ndarray, rule: str, rel: Sequence[float]
) -> float:
    from . import metrics
    from .evaluate import knob_grid, sweep

    knobs = knob_grid(P, rule, rel)
    ch = sweep(P, knobs, rule, rel)
    curve = metrics.curve_from_choices(ch, S, C, knobs)
    best = int(np.argmax(S.mean(0)))
    return float(
        metrics.cost_to_reach(curve.cost, curve.quality, 0.95 * S.mean(0)[best]) / C[:, best].mean()
    )


def train_difficulty(
    data_dir: Path, sources: Sequence[str] = SOURCES, dim: int = SHIPPED_DIM
) -> TrainedRouter:
    """The generic ease head: mean score of the row's models, over every source."""
    texts: list[str] = []
    ease: list[float] = []
    for src in sources:
        for r in _read_jsonl(data_dir / f"{src}_train.jsonl"):
            texts.append(r["prompt"])
            ease.append(float(np.mean(list(r["scores"].values()))))
    fx = FeatureExtractor(dim)
    X = fx.transform(texts)
    y = np.asarray(ease)
    mu = float(y.mean())
    W = fit_ridge(X, (y - mu)[:, None], DIFFICULTY_LAMBDA)
    raw = X.dot(W)[:, 0] + mu
    quantiles = np.quantile(raw, np.linspace(0.0, 1.0, 101))
    quantiles = np.maximum.accumulate(quantiles + np.arange(101) * 1e-9)
    return TrainedRouter(
        ["weak", "strong"],
        W,
        np.array([mu]),
        features=fx.config(),
        head="ladder",
        rule="threshold",
        knob=0.5,
        quantiles=quantiles,
        info={
            "target": "mean score over the source's models",
            "sources": list(sources),
            "n_rows": len(texts),
            "lam": DIFFICULTY_LAMBDA,
        },
    )


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
        "--only", nargs="*", choices=[*SOURCES, "difficulty", "task", "ladder"], help="retrain only these"
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
            _log(
                f"  {name}: rule={r.rule} knob={r.knob:.3f} dev cost share at 95%: {r.info.get('dev_cost_share_at_95')}"
            )
        _log(f"trained {name} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
