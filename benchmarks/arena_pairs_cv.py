"""Arena pairs, in distribution: the generic head against an arenahard per-source head restricted to the pair.

    python benchmarks/arena_pairs_cv.py [--data-dir ../shared/data] [--json OUT]

Five grouped folds over arenahard's public rows (train + dev, near-duplicate groups, seed 0,
the folds ``train_best`` builds). Each fold is predicted by heads that never saw it:

* ``generic``: the shipped generic recipe (ridge on the ease target), fitted on every other
  source plus arenahard's other folds, spread over the pair by price (what
  ``default_router_for`` gives a model set no per-source head matches);
* ``generic, never saw arenahard``: the same recipe without any arenahard row (the
  leave-one-source-out column);
* ``per-source head``: ``train_best`` (the recipe ``tier-router train`` runs) on arenahard's
  other folds with all six models, then restricted to the pair (``TrainedRouter.with_models``).

The out-of-fold predictions of all 500 rows are scored together (APGR with a 200-resample
bootstrap interval), and fold by fold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from leave_one_source_out import (
    PAIRS,
    ROOT,
    SHIPPED,
    Corpus,
    measure,
    percentile_of,
    two_models,
)

from shared_core.features import SparseBatch
from shared_core.training import cv as CV
from shared_core.training import train_default as td
from shared_core.training.data import load_models, load_rows
from shared_core.training.evaluate import evaluate
from shared_core.training.recipe import train_best

FOLDS = 5


class Fixed:
    """A router whose per-model scores were computed beforehand (out of fold)."""

    def __init__(self, pred: dict[str, np.ndarray], rule: str, rc: list[float]) -> None:
        self.pred, self.rule, self.relative_costs = pred, rule, rc

    def predict(self, texts: list[str]) -> np.ndarray:
        return np.array([self.pred[t] for t in texts])


def fit_generic(corpus: Corpus, train_rows: np.ndarray, skip: str | None) -> np.ndarray:
    """Ease of every row from the shipped generic recipe trained on the other sources
    (minus ``skip``) plus ``train_rows`` of arenahard."""
    recipe = SHIPPED
    parts, ys = [], []
    for src in recipe.sources:
        if src not in corpus.datasets or src == skip:
            continue
        idx = corpus.rows_of(src)
        if src == "arenahard":
            idx = train_rows
        else:
            idx = idx[np.isin(corpus.split[idx], recipe.splits)]
        parts.append(idx)
        ys.append(corpus.targets(recipe, src, idx))
    tr = np.concatenate(parts)
    y = np.concatenate(ys)
    Xt = corpus.X.take(tr)
    mu = float(y.mean())
    W = td.fit_ridge(SparseBatch(Xt.indptr, Xt.indices, Xt.data, Xt.dim), (y - mu)[:, None], recipe.lam)[:, 0]
    raw = corpus.X.dot(W) + mu
    return percentile_of(raw, raw[tr])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--resamples", type=int, default=200)
    args = ap.parse_args(argv)
    data = Path(args.data_dir)
    if not (data / "arenahard_dev.jsonl").exists():
        print(f"arena_pairs_cv skipped: no benchmark data at {data}")
        return 0
    t0 = time.perf_counter()
    corpus = Corpus(data)
    ah = corpus.rows_of("arenahard")
    ds = corpus.datasets["arenahard"]
    meta = load_models(data / "arenahard_models.json")
    rows = [r for sp in ("train", "dev") for r in load_rows(data / f"arenahard_{sp}.jsonl", meta)]
    assert [r.prompt for r in rows] == ds.texts, "rows and corpus disagree"
    models_meta = json.loads((data / "arenahard_models.json").read_text())
    groups = CV.near_duplicate_groups(ds.texts)
    fold = CV.assign_folds(groups, [str(r.task or "") for r in rows], FOLDS, 0)
    print(f"corpus ready ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)

    generic = np.zeros(len(ah))
    never = fit_generic(corpus, ah[:0], skip="arenahard")[ah]
    per_source: dict[str, dict[str, np.ndarray]] = {label: {} for label in PAIRS}
    rules: dict[str, list[str]] = {label: [] for label in PAIRS}
    fold_rows: list[np.ndarray] = []
    for f in range(FOLDS):
        va, tr = np.flatnonzero(fold == f), np.flatnonzero(fold != f)
        fold_rows.append(va)
        generic[va] = fit_generic(corpus, ah[tr], skip=None)[ah[va]]
        router, cvr = train_best([rows[i] for i in tr], models_meta, seed=0)
        for label, (_src, pair) in PAIRS.items():
            sub = router.with_models(list(pair))
            P = sub.predict([ds.texts[i] for i in va])
            for i, p in zip(va, P):
                per_source[label][ds.texts[i]] = p
            rules[label].append(sub.rule)
        print(f"fold {f + 1}: {cvr.recipe.text()} ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)

    out: dict[str, Any] = {}
    for label, (_src, pair) in PAIRS.items():
        pds = two_models(ds, pair)
        rc_mean = pds.costs.mean(axis=0)
        rc = (rc_mean / rc_mean.max()).tolist()
        row: dict[str, Any] = {
            "generic (saw the other folds)": measure(pds, generic, args.resamples),
            "generic, never saw arenahard": measure(pds, never, args.resamples),
        }
        rule = max(set(rules[label]), key=rules[label].count)
        res = evaluate(Fixed(per_source[label], rule, rc), pds, resamples=args.resamples)
        iv = res.intervals.get("apgr")
        row["per-source head, restricted"] = {
            "metric": "apgr", "value": round(float(res.metrics["apgr"]), 4),
            "low": round(float(iv.low), 4) if iv else None,
            "high": round(float(iv.high), 4) if iv else None, "rule": rule,
        }
        per_fold: dict[str, list[float]] = {k: [] for k in row}
        for va in fold_rows:
            fds = two_models(ds, pair)
            fds = type(fds)([fds.rows[i] for i in va], fds.models, fds.scores[va], fds.costs[va], fds.name)
            per_fold["generic (saw the other folds)"].append(measure(fds, generic[va], 0)["value"])
            per_fold["generic, never saw arenahard"].append(measure(fds, never[va], 0)["value"])
            r = evaluate(Fixed(per_source[label], rule, rc), fds)
            per_fold["per-source head, restricted"].append(round(float(r.metrics["apgr"]), 4))
        for k, v in per_fold.items():
            row[k]["folds"] = v
            row[k]["mean"] = round(float(np.mean(v)), 4)
            row[k]["sd"] = round(float(np.std(v, ddof=1)), 4)
        out[label] = row
        print(f"\n{label} (APGR, {len(ds)} rows out of fold; random 0.5)")
        for k, c in row.items():
            lo, hi = c.get("low"), c.get("high")
            print(f"  {k:34s} {c['value']:.3f} [{lo:.3f}, {hi:.3f}]  folds {c['mean']:.3f} ± {c['sd']:.3f} {c['folds']}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"\n{time.perf_counter() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
