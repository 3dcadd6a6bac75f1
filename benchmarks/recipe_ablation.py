"""Recipes through the same cross-validation folds as the shipped heads (issue 12).

    .venv/bin/python benchmarks/recipe_ablation.py --source mmlupro [--lams 1e-4 1e-3] [--ks 20 40 80 160]

Builds exactly the folds ``recipe.train_best`` builds for a source (train + dev rows,
near-duplicate groups, seed 0, 5 folds), fits the logistic head per fold for each L2
weight and the kNN part for each ``k`` (the slow part: one fit per fold per L2 weight,
cached under ``--cache``), then scores recipes on the held-out folds:

* the shipped head's recipe (from its file) and the previous head's recipe (before
  cross-validation, chosen on dev: ``--old``),
* the best recipes of the current grid and of a wider grid (blend to 0.9, cost to 0.8,
  ``k`` 20-160), ranked as ``train_best`` ranks them (mean + 0.5 sd of the fold loss);
* for the shipped and the old recipe, the figure on random subsets of the out-of-fold
  predictions of the size of the dev split: how far one held-out set of that size can
  land from the cross-validated mean by chance.

Prints a table; writes ``benchmarks/results/recipe_ablation_<source>.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from shared_core.classifiers.embedded import MODELS_DIR  # noqa: E402
from shared_core.classifiers.knn import KnnHead  # noqa: E402
from shared_core.features import FeatureExtractor  # noqa: E402
from shared_core.training import cv as CV  # noqa: E402
from shared_core.training.recipe import (  # noqa: E402
    COST_WEIGHTS,
    KNN,
    KNN_WEIGHTS,
    RECIPE_DIM,
    STABILITY,
)
from shared_core.training.train import (  # noqa: E402
    _apply,
    _fit,
    estimate_costs,
    models_meta_dict,
    score_matrix,
)

WIDE_KNN = (0.0, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9)
WIDE_COST = (0.0, 0.2, 0.4, 0.6, 0.8)
RULES = ("threshold", "margin", "utility")
OLD = {  # the per-source heads before cross-validation (commit d450c89): chosen on dev
    "mmlupro": (1e-3, 40, 0.2, 0.2, "utility"),
    "routerbench": (1e-4, 40, 0.0, 0.2, "utility"),
    "llmrouter": (1e-4, 40, 0.2, 0.2, "utility"),
    "routellm": (1e-4, 40, 0.2, 0.0, "utility"),
}


def _read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").split("\n") if x.strip()]


def prepare(data: Path, src: str, lams: list[float], ks: list[int], cache: Path) -> dict:
    """Fold fits exactly as ``train_best`` makes them, cached per (source, L2, k)."""
    path = cache / f"{src}.npz"
    got = dict(np.load(path)) if path.exists() else {}
    meta = models_meta_dict(json.loads((data / f"{src}_models.json").read_text()))
    models = sorted(meta, key=lambda m: (meta[m].get("tier_rank", 0), m))
    rows = [r for sp in ("train", "dev") for r in _read(data / f"{src}_{sp}.jsonl")]
    texts = [str(r["prompt"]) for r in rows]
    tasks = [str(r.get("task", "") or "") for r in rows]
    S, C = score_matrix(rows, models), estimate_costs(rows, models, meta)
    fold = CV.assign_folds(CV.near_duplicate_groups(texts), tasks, 5, 0)
    got.update(S=S, C=C, fold=fold, ndev=len(_read(data / f"{src}_dev.jsonl")))
    missing = [f"lin_{f}_{lam:g}" for f in range(5) for lam in lams] + [
        f"knn_{f}_{k}" for f in range(5) for k in ks
    ]
    if all(m in got for m in missing):
        return got
    X = FeatureExtractor(RECIPE_DIM).transform(texts)
    opts = {k: v for k, v in KNN.items() if k != "k"}
    for f in range(5):
        va, tr = np.flatnonzero(fold == f), np.flatnonzero(fold != f)
        for lam in lams:
            if f"lin_{f}_{lam:g}" not in got:
                t0 = time.perf_counter()
                W, b = _fit(X.take(tr), S[tr], lam, "logistic", None)
                got[f"lin_{f}_{lam:g}"] = _apply(X.take(va).dot(W) + b, "logistic")
                print(f"  fold {f}: l2={lam:g} fitted in {time.perf_counter() - t0:.0f}s", flush=True)
        for k in ks:
            if f"knn_{f}_{k}" not in got:
                head = KnnHead.fit(X.take(tr), S[tr], costs=C[tr], k=k, **opts)
                got[f"knn_{f}_{k}"] = head._estimate_batch(X.take(va))
                got[f"mc_{f}"] = head.mean_costs
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, **got)
    return got


def _blend(d: dict, f: int, lam: float, k: int, w: float, cw: float) -> np.ndarray:
    lin, est = d[f"lin_{f}_{lam:g}"], d[f"knn_{f}_{k}"]
    m = lin.shape[1]
    p = (1 - w) * lin + w * est[:, :m]
    if cw:
        p = np.clip(p - cw * (est[:, m:] - d[f"mc_{f}"]), 0.0, 1.0)
    return p


def score(d: dict, recipe: tuple) -> dict:
    lam, k, w, cw, rule = recipe
    S, C, fold = d["S"], d["C"], d["fold"]
    rel = C.mean(0) / C.mean(0).max()
    figs, oof = [], np.zeros(S.shape)
    for f in range(5):
        va = np.flatnonzero(fold == f)
        oof[va] = _blend(d, f, lam, k, w, cw)
        figs.append(CV.fold_figure(oof[va], S[va], C[va], rule, rel))
    loss = np.array([CV.fold_loss(x, S.shape[1]) for x in figs])
    v = np.minimum(np.array(figs), 9.99)
    return {
        "recipe": {"lam": lam, "k": k, "knn_weight": w, "cost_weight": cw, "rule": rule},
        "mean": float(v.mean()),
        "std": float(v.std(ddof=1)),
        "folds": [round(float(x), 4) for x in v],
        "select": float(loss.mean() + STABILITY * loss.std(ddof=1)),
        "_oof": oof,
    }


def subsets(d: dict, res: dict, n: int, draws: int = 40) -> dict:
    """The figure on random n-row subsets of the out-of-fold predictions."""
    S, C, oof = d["S"], d["C"], res["_oof"]
    rel = C.mean(0) / C.mean(0).max()
    rng = np.random.default_rng(0)
    vals = []
    for _ in range(draws):
        i = np.sort(rng.choice(len(S), n, replace=False))
        vals.append(min(CV.fold_figure(oof[i], S[i], C[i], res["recipe"]["rule"], rel), 9.99))
    v = np.array(vals)
    return {"rows": n, "mean": float(v.mean()), "std": float(v.std()),
            "p10": float(np.quantile(v, 0.1)), "p90": float(np.quantile(v, 0.9))}


def best(d: dict, lams, ks, ws, cws, top: int = 3) -> list[dict]:
    out = [
        score(d, (lam, k if (w or cw) else ks[0], w, cw, rule))
        for lam, k, w, cw, rule in itertools.product(lams, ks, ws, cws, RULES)
        if k == ks[0] or w or cw
    ]
    return sorted(out, key=lambda r: r["select"])[:top]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(HERE.parent.parent / "shared" / "data"))
    ap.add_argument("--source", default="mmlupro", choices=sorted(OLD))
    ap.add_argument("--lams", nargs="*", type=float, default=[1e-4, 1e-3])
    ap.add_argument("--ks", nargs="*", type=int, default=[20, 40, 80, 160])
    ap.add_argument("--cache", default="/tmp/tier-router-recipe-ablation")
    args = ap.parse_args()
    data = Path(args.data_dir)
    if not (data / f"{args.source}_dev.jsonl").exists():
        print(f"no benchmark data at {data}; skipped")
        return 0
    src = args.source
    ks = sorted(set(args.ks) | {40})
    d = prepare(data, src, args.lams, ks, Path(args.cache))
    shipped = json.loads((MODELS_DIR / f"source_{src}.json").read_text())["info"]["cv"]["recipe"]
    ship = score(d, (shipped["lam"], 40, shipped["knn_weight"], shipped["cost_weight"], shipped["rule"]))
    rows = {"shipped": ship}
    if OLD[src][0] in args.lams:
        rows["previous (dev-chosen)"] = score(d, OLD[src])
    rows.update({f"current grid #{i + 1}": r for i, r in enumerate(
        best(d, args.lams, [40], KNN_WEIGHTS, COST_WEIGHTS))})
    rows.update({f"wider grid #{i + 1}": r for i, r in enumerate(
        best(d, args.lams, ks, WIDE_KNN, WIDE_COST))})
    n = int(d["ndev"])
    pct = len(d["S"][0]) > 2
    for name, r in rows.items():
        scale, unit = (100, "%") if pct else (1, "")
        print(f"{name:24s} {r['recipe']}  CV {scale * r['mean']:.3g}{unit} ± {scale * r['std']:.2g} "
              f"folds {[round(scale * x, 1) for x in r['folds']]}")
        if name in ("shipped", "previous (dev-chosen)"):
            r["subsets"] = subsets(d, r, n)
            s = r["subsets"]
            print(f"{'':24s} on random {n}-row subsets of the out-of-fold rows: "
                  f"{scale * s['mean']:.3g} ± {scale * s['std']:.2g} "
                  f"(10th-90th percentile {scale * s['p10']:.3g}-{scale * s['p90']:.3g})")
    (HERE / "results").mkdir(exist_ok=True)
    clean = {k: {a: b for a, b in v.items() if a != "_oof"} for k, v in rows.items()}
    (HERE / "results" / f"recipe_ablation_{src}.json").write_text(json.dumps(clean, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
