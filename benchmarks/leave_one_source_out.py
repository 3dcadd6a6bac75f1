"""Leave one source out: the generic difficulty head trained without a source, tested on it.

    python benchmarks/leave_one_source_out.py [--data-dir ../shared/data] [--json OUT]

The generic head (``difficulty.json``) is what ``default_router_for`` and ``tier-router eval``
use when the models match no shipped per-source head: so it is what a user's own ladder, and
every outside check on new traffic, gets. For each benchmark source (routellm, routerbench,
llmrouter, mmlupro, arenahard) this trains, on the *other* sources only:

* ``before``: the recipe shipped before (mean score over the source's models as the target,
  the four benchmark sources' train splits);
* ``shipped``: the recipe ``make train-default`` ships now (:mod:`shared_core.training.train_default`:
  arenahard added, train + dev rows, target half the mean score, half its percentile within
  the source);

and, beside them, the shipped everyday ladder model (which saw none of the sources; its ease
is ``1 - expected level / 3``). Each ease is spread over the held-out source's models by price
(``ease ** gamma_i``, threshold rule) and swept over the knob on *every public row* of the
held-out source (train + dev: the router never saw any of them), with 95% bootstrap intervals
(200 resamples), beside random routing, the oracle, and ``perfect ranking``: the same price
ladder fed the held-out rows' true ease (its own target). That last column is a ceiling for any
ease head, not a router: when even a perfect ranking never reaches 95% of the best model,
the price ladder itself is what fails.

Proxies for the two-model chat checks: arenahard's GPT-3.5 vs GPT-4 pairs (gpt-4-0613 and
gpt-4-0314 as the strong model), scored by the heads that never saw arenahard.

Features are computed once for all rows and shared by every fit (about 3 minutes in all,
it took 15 before).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_core.classifiers.embedded import load_ladder  # noqa: E402
from shared_core.classifiers.trained import ladder_exponents  # noqa: E402
from shared_core.features import FeatureExtractor, SparseBatch  # noqa: E402
from shared_core.training import train_default as td  # noqa: E402
from shared_core.training.data import (  # noqa: E402
    Dataset,
    build_dataset,
    load_models,
    load_rows,
    parse_models,
)
from shared_core.training.evaluate import evaluate  # noqa: E402

SOURCES = ("routellm", "routerbench", "llmrouter", "mmlupro", "arenahard")
PAIRS = {
    "arenahard gpt-3.5 vs gpt-4-0613": ("arenahard", ("gpt-3.5-turbo-0125", "gpt-4-0613")),
    "arenahard gpt-3.5 vs gpt-4-0314": ("arenahard", ("gpt-3.5-turbo-0125", "gpt-4-0314")),
}
RESAMPLES = 200


@dataclass(frozen=True)
class Recipe:
    """How a generic head is trained: target, splits, sources, L2, optional per-source weights."""

    target: str = td.DIFFICULTY_TARGET
    splits: tuple[str, ...] = td.DIFFICULTY_SPLITS
    sources: tuple[str, ...] = td.DIFFICULTY_SOURCES
    lam: float = td.DIFFICULTY_LAMBDA
    weights: tuple[tuple[str, float], ...] = ()


BEFORE = Recipe(target="mean", splits=("train",), sources=td.SOURCES)
SHIPPED = Recipe()


class Corpus:
    """Every public row of every source, its features computed once, its ease targets per recipe."""

    def __init__(self, data: Path, sources: Sequence[str] = SOURCES) -> None:
        self.data = data
        self.datasets: dict[str, Dataset] = {}
        self.splits: dict[str, np.ndarray] = {}
        texts: list[str] = []
        owner: list[str] = []
        for src in sources:
            mpath = data / f"{src}_models.json"
            if not mpath.exists():
                continue
            meta = load_models(mpath)
            parts = {
                sp: load_rows(data / f"{src}_{sp}.jsonl", meta)
                for sp in ("train", "dev")
                if (data / f"{src}_{sp}.jsonl").exists()
            }
            if not parts:
                continue
            ds = build_dataset([r for rows in parts.values() for r in rows], meta, src)
            self.datasets[src] = ds
            self.splits[src] = np.array([sp for sp, rows in parts.items() for _ in rows])
            texts.extend(ds.texts)
            owner.extend([src] * len(ds))
        self.texts = texts
        self.owner = np.array(owner)
        self.split = np.concatenate([self.splits[s] for s in self.datasets])
        self.fx = FeatureExtractor(td.SHIPPED_DIM)
        self.X = self.fx.transform(texts)
        self._ladder: np.ndarray | None = None

    def rows_of(self, src: str) -> np.ndarray:
        return np.flatnonzero(self.owner == src)

    def targets(self, recipe: Recipe, src: str, rows: np.ndarray) -> np.ndarray:
        """The recipe's ease target of ``rows`` (all of source ``src``), computed over them."""
        S = self.datasets[src].scores[rows - self.rows_of(src)[0]]
        if recipe.target in td.TARGETS:
            return td.difficulty_target(S.mean(axis=1), recipe.target)
        # alternatives tried by generic_head_recipes.py (percentiles within the source)
        pct = lambda v: td.difficulty_target(v, "blend") * 2.0 - v  # noqa: E731
        tie = 1e-3 * S.mean(axis=1)
        alt = {
            "percentile": lambda: pct(S.mean(axis=1)),
            "cheapest": lambda: pct(S[:, 0] + tie),
            "gap": lambda: pct(S[:, 0] - S.max(axis=1) + tie),
        }
        return alt[recipe.target]()

    def fit(self, recipe: Recipe, without: str) -> np.ndarray:
        """Ease (a percentile over the training rows) of every row, from a head that never saw ``without``."""
        parts, ys, ws = [], [], []
        for src in recipe.sources:
            if src == without or src not in self.datasets:
                continue
            idx = self.rows_of(src)
            idx = idx[np.isin(self.split[idx], recipe.splits)]
            parts.append(idx)
            ys.append(self.targets(recipe, src, idx))
            ws.append(np.full(len(idx), dict(recipe.weights).get(src, 1.0)))
        tr = np.concatenate(parts)
        y, w = np.concatenate(ys), np.concatenate(ws)
        Xt = self.X.take(tr)
        mu = float((w * y).sum() / w.sum())
        sw = np.sqrt(w / w.mean())
        Xw = SparseBatch(Xt.indptr, Xt.indices, Xt.data * sw[Xt._rows], Xt.dim)
        W = td.fit_ridge(Xw, ((y - mu) * sw)[:, None], recipe.lam)[:, 0]
        raw = self.X.dot(W) + mu
        return percentile_of(raw, raw[tr])

    def ladder_ease(self) -> np.ndarray:
        if self._ladder is None:
            self._ladder = 1.0 - load_ladder().proba(self.texts) @ np.arange(4) / 3.0
        return self._ladder


def percentile_of(raw: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``raw`` as a percentile of ``reference`` (the shipped head's quantile map)."""
    q = np.quantile(reference, np.linspace(0.0, 1.0, 101))
    q = np.maximum.accumulate(q + np.arange(101) * 1e-9)
    return np.interp(raw, q, np.linspace(0.0, 1.0, 101))


class EaseRouter:
    """A ladder router from precomputed eases: scores ``ease ** gamma_i`` per model, rule threshold."""

    rule = "threshold"

    def __init__(
        self, ease: dict[str, float], n_models: int, relative_costs: Sequence[float]
    ) -> None:
        self.ease = ease
        self.gammas = ladder_exponents(n_models)
        self.relative_costs = list(relative_costs)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        e = np.clip(np.array([self.ease[t] for t in texts], dtype=np.float64), 0.0, 1.0)
        return np.power(e[:, None], self.gammas[None, :])


def two_models(ds: Dataset, pair: Sequence[str]) -> Dataset:
    meta = parse_models({k: v for k, v in ds.models.to_dict().items() if k in pair})
    cols = [ds.models.names.index(m) for m in meta.names]
    return Dataset(ds.rows, meta, ds.scores[:, cols], ds.costs[:, cols], ds.name)


def measure(ds: Dataset, ease: np.ndarray, resamples: int = RESAMPLES) -> dict[str, Any]:
    """Primary metric with its bootstrap interval, random and oracle, on ``ds`` for these eases."""
    mean = ds.costs.mean(axis=0)
    rc = (mean / (mean.max() or 1.0)).tolist()
    router = EaseRouter(dict(zip(ds.texts, ease.tolist())), len(ds.models), rc)
    res = evaluate(router, ds, resamples=resamples)
    metric = res.primary
    iv = res.intervals.get(metric)
    return {
        "metric": metric,
        "value": _num(res.metrics.get(metric)),
        "low": _num(iv.low) if iv else None,
        "high": _num(iv.high) if iv else None,
        "random": _num(res.baselines["random"].get(metric)),
        "oracle": _num(res.baselines["oracle"].get(metric)),
    }


def _num(v: Any) -> float | None:
    if v is None:
        return None
    v = float(v)
    return round(v, 4) if np.isfinite(v) else None


def fmt(cell: dict[str, Any], key: str = "value") -> str:
    v = cell.get(key)
    if v is None:
        return "not reached"
    s = f"{v:.3f}" if cell["metric"] == "apgr" else f"{100 * v:.1f}%"
    if key == "value" and cell.get("high", cell.get("low")) is not None:
        lo, hi = cell["low"], cell["high"]
        if cell["metric"] == "apgr":
            s += f" [{lo:.3f}, {hi:.3f}]"
        else:
            lo_s = "—" if lo is None else f"{100 * lo:.0f}"
            hi_s = "not reached" if hi is None else f"{100 * hi:.0f}%"
            s += f" [{lo_s}, {hi_s}]"
    return s


def run(
    corpus: Corpus,
    recipes: dict[str, Recipe],
    *,
    sources: Sequence[str] = SOURCES,
    extra: dict[str, Callable[[str], np.ndarray]] | None = None,
    resamples: int = RESAMPLES,
    say: Callable[[str], None] = lambda _m: None,
) -> dict[str, dict[str, Any]]:
    """Per held-out source (and pair proxy): each recipe's and each ``extra`` ease's figures."""
    out: dict[str, dict[str, Any]] = {}
    eases: dict[tuple[str, str], np.ndarray] = {}
    for src in sources:
        if src not in corpus.datasets:
            continue
        t0 = time.perf_counter()
        idx = corpus.rows_of(src)
        ds = corpus.datasets[src]
        row: dict[str, Any] = {}
        for name, recipe in recipes.items():
            eases[(name, src)] = corpus.fit(recipe, without=src)
            row[name] = measure(ds, eases[(name, src)][idx], resamples)
        for name, fn in (extra or {}).items():
            row[name] = measure(ds, fn(src)[idx], resamples)
        truth = corpus.targets(SHIPPED, src, idx)
        ceiling = measure(ds, truth, 0)
        row["perfect ranking"] = {"metric": ceiling["metric"], "value": ceiling["value"]}
        row["random"] = ceiling["random"]
        row["oracle"] = ceiling["oracle"]
        row["rows"] = len(idx)
        row["seconds"] = round(time.perf_counter() - t0, 1)
        out[src] = row
        say(src)
    for label, (src, pair) in PAIRS.items():
        if src not in corpus.datasets or src not in sources:
            continue
        idx = corpus.rows_of(src)
        ds = two_models(corpus.datasets[src], pair)
        row = {name: measure(ds, eases[(name, src)][idx], resamples) for name in recipes}
        for name, fn in (extra or {}).items():
            row[name] = measure(ds, fn(src)[idx], resamples)
        base = measure(ds, corpus.targets(SHIPPED, src, idx), 0)
        row["random"], row["oracle"], row["rows"] = base["random"], base["oracle"], len(idx)
        out[label] = row
        say(label)
    return out


def table(out: dict[str, dict[str, Any]], columns: Sequence[str]) -> list[str]:
    lines = [
        "| left-out source (metric) | " + " | ".join(columns) + " | random | oracle |",
        "|---|" + "---|" * (len(columns) + 2),
    ]
    for src, row in out.items():
        metric = row[columns[0]]["metric"]  # every cell of a row shares it
        cells = [fmt(row[c]) if c in row else "—" for c in columns]
        base = {"metric": metric, "value": row["random"]}
        orc = {"metric": metric, "value": row["oracle"]}
        label = "APGR" if metric == "apgr" else "cost to 95%"
        lines.append(
            f"| {src} ({label}, {row['rows']} rows) | "
            + " | ".join(cells)
            + f" | {fmt(base)} | {fmt(orc)} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--only", nargs="*", choices=SOURCES)
    ap.add_argument("--resamples", type=int, default=RESAMPLES)
    args = ap.parse_args(argv)
    data = Path(args.data_dir)
    if not (data / "routellm_dev.jsonl").exists():
        print(f"leave_one_source_out skipped: no benchmark data at {data}")
        return 0
    t0 = time.perf_counter()
    corpus = Corpus(data)
    recipes = {"before": BEFORE, "shipped": SHIPPED}
    extra = {"ladder model": lambda _src: corpus.ladder_ease()}
    out = run(
        corpus,
        recipes,
        sources=args.only or SOURCES,
        extra=extra,
        resamples=args.resamples,
        say=lambda m: print(
            f"  done: {m} ({time.perf_counter() - t0:.0f}s)", file=sys.stderr, flush=True
        ),
    )
    print("\n".join(table(out, [*recipes, *extra, "perfect ranking"])))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
