"""Routing quality on every dev split, side by side, in one run.

    python benchmarks/routing_quality.py [--data-dir ../shared/data] [--sources routellm ...]

Routers, all scored on the same dev rows with the same metrics (shared_core.training.metrics):

* the shipped default's recipe: the rule, blend, cost and L2 weights, k and knob the shipped
  head (``shared_core.classifiers.embedded.default_router_for``) was chosen with by grouped
  cross-validation, refitted on the *train* split only (``recipe.fit_recipe``). The shipped
  head itself is trained on train + dev, so scoring it on dev would score it on rows it
  has seen; refitted on train, it is held out from dev as the baselines are;
* random, always-cheapest, always-best and the oracle (exact, from the metrics module);
* kNN over TF-IDF (scikit-learn; k nearest train prompts, mean of their per-model scores);
* logistic regression over hashed word n-grams (scikit-learn; one model per LLM, soft labels);
* LiteLLM's complexity-router heuristic (``ComplexityRouter.classify``, no network): as
  shipped, its 4 tiers mapped onto the models by order (one operating point), and swept,
  its weighted score read as a difficulty (tier boundaries at 1/4, 2/4, 3/4) on the ladder.

The scikit-learn baselines are trained on the train split; every router that predicts
per-model scores is swept with each policy rule (threshold, margin, utility) and the best
rule on the primary metric is reported (the rule is a documented knob of every router).
Decision latency: median and p99 for one prompt at a time (predict + policy), and prompts/s
for the whole split in one batch. Prints markdown tables; writes JSON to benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_core.policy import select_batch  # noqa: E402
from shared_core.training import metrics as M  # noqa: E402
from shared_core.training.data import Dataset, load_dataset, relative_costs  # noqa: E402
from shared_core.training.evaluate import evaluate  # noqa: E402

SOURCES = ("routellm", "routerbench", "llmrouter", "mmlupro")
RULES = ("threshold", "margin", "utility")
LATENCY_SAMPLE = 300


class Scorer:
    """Per-model predicted quality from a function over texts (the evaluate() interface)."""

    def __init__(self, fn: Callable[[Sequence[str]], np.ndarray], rule: str, rel: Sequence[float]):
        self.fn, self.rule, self.relative_costs = fn, rule, list(rel)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.fn(list(texts)), dtype=float)


# -- baselines ---------------------------------------------------------------------------


def knn_tfidf(train: Dataset, k: int = 20) -> Callable[[Sequence[str]], np.ndarray]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2, max_features=100_000)
    x = vec.fit_transform(train.texts)
    nn = NearestNeighbors(n_neighbors=min(k, len(train)), metric="cosine").fit(x)
    y = train.scores

    def predict(texts: Sequence[str]) -> np.ndarray:
        _, idx = nn.kneighbors(vec.transform(texts))
        return y[idx].mean(axis=1)

    return predict


def logreg_hashed(train: Dataset, seed: int = 0) -> Callable[[Sequence[str]], np.ndarray]:
    from scipy.sparse import vstack
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    hv = HashingVectorizer(ngram_range=(1, 2), n_features=2**18, alternate_sign=False, norm=None)
    tf = TfidfTransformer(sublinear_tf=True)
    x = tf.fit_transform(hv.transform(train.texts))
    heads: list[Any] = []
    for j in range(train.scores.shape[1]):
        s = train.scores[:, j]
        if s.min() == s.max():
            heads.append(float(s[0]))
            continue
        # soft labels: each row twice, as positive with weight s and negative with 1 - s
        xx = vstack([x, x])
        yy = np.concatenate([np.ones(len(s)), np.zeros(len(s))])
        ww = np.concatenate([s, 1 - s])
        keep = ww > 0
        clf = LogisticRegression(C=1.0, max_iter=1000, random_state=seed)
        clf.fit(xx[keep], yy[keep], sample_weight=ww[keep])
        heads.append(clf)

    def predict(texts: Sequence[str]) -> np.ndarray:
        z = tf.transform(hv.transform(texts))
        cols = [
            np.full(z.shape[0], h) if isinstance(h, float) else h.predict_proba(z)[:, 1]
            for h in heads
        ]
        return np.stack(cols, axis=1)

    return predict


def litellm_router() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no network at import
    from litellm.router_strategy.complexity_router.complexity_router import ComplexityRouter

    tiers = {"SIMPLE": "t0", "MEDIUM": "t1", "COMPLEX": "t2", "REASONING": "t3"}
    return ComplexityRouter(
        "bench", ctx=None, complexity_router_config={"tiers": tiers}, derive_savings_baseline=False
    )


_LITELLM_ORDER = {"SIMPLE": 0, "MEDIUM": 1, "COMPLEX": 2, "REASONING": 3}


def litellm_fns(
    router: Any, k: int
) -> tuple[Callable[[Sequence[str]], np.ndarray], Callable[[Sequence[str]], np.ndarray]]:
    """(tier -> model by order, as one-hot scores) and (weighted score -> ladder scores)."""
    from shared_core.classifiers.ladder import difficulty_to_tier_scores

    bounds = router._effective_tier_boundaries()
    xs = [-0.2, bounds["simple_medium"], bounds["medium_complex"], bounds["complex_reasoning"], 1.0]
    ys = [0.0, 0.25, 0.5, 0.75, 1.0]

    def tiers(texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), k))
        for i, t in enumerate(texts):
            tier = router.classify(t)[0]
            level = _LITELLM_ORDER.get(getattr(tier, "value", str(tier)), 3)
            out[i, round(level * (k - 1) / 3)] = 1.0
        return out

    def swept(texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), k))
        for i, t in enumerate(texts):
            tier, score, _ = router.classify(t)
            d = float(np.interp(score, xs, ys))
            if getattr(tier, "value", "") == "REASONING":  # its reasoning override
                d = max(d, 0.75)
            out[i] = difficulty_to_tier_scores(d, k)
        return out

    return tiers, swept


# -- measuring ---------------------------------------------------------------------------


def latency(
    fn: Callable[[Sequence[str]], np.ndarray], texts: Sequence[str], rule: str, rel: Sequence[float]
) -> dict[str, float]:
    sample = list(texts[:LATENCY_SAMPLE])
    for t in sample[:5]:
        fn([t])  # warm up
    times = []
    for t in sample:
        t0 = time.perf_counter()
        select_batch(fn([t]), 0.5, rule=rule, relative_costs=rel)  # type: ignore[arg-type]
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    select_batch(fn(list(texts)), 0.5, rule=rule, relative_costs=rel)  # type: ignore[arg-type]
    batch = time.perf_counter() - t0
    us = np.array(times) * 1e6
    return {
        "p50_us": float(np.median(us)),
        "p99_us": float(np.percentile(us, 99)),
        "batch_prompts_per_s": len(texts) / batch if batch > 0 else float("inf"),
    }


def best_rule(
    fn: Callable[[Sequence[str]], np.ndarray], dev: Dataset, rules: Sequence[str] = RULES
) -> dict[str, Any]:
    """Sweep every rule; keep the best on the primary metric."""
    rel = relative_costs(dev)
    primary = M.primary_metric(len(dev.models))
    pred = np.asarray(fn(dev.texts), dtype=float)
    by_text = dict(zip(dev.texts, pred))  # predict once for all rules (decisions are per prompt)
    cached = Scorer(lambda texts: np.stack([by_text[t] for t in texts]), "threshold", rel)
    best: dict[str, Any] | None = None
    for rule in rules:
        cached.rule = rule
        m = evaluate(cached, dev).metrics
        val = m[primary]
        if best is None:
            better = True
        elif primary == "apgr":
            better = val > best["metrics"][primary]
        else:
            better = val < best["metrics"][primary]
        if better:
            best = {"rule": rule, "metrics": m}
    assert best is not None
    best["latency"] = latency(fn, dev.texts, best["rule"], rel)
    return best


def run_source(data_dir: Path, source: str, seed: int = 0) -> dict[str, Any]:
    models = data_dir / f"{source}_models.json"
    dev = load_dataset(data_dir / f"{source}_dev.jsonl", models)
    k = len(dev.models)
    out: dict[str, Any] = {
        "source": source,
        "rows": len(dev),
        "models": dev.models.names,
        "primary": M.primary_metric(k),
        "routers": {},
    }
    routers = out["routers"]
    # the shipped default's recipe and knob, refitted on the train split (dev held out)
    try:
        from shared_core.classifiers.embedded import default_router_for
        from shared_core.training.data import load_models, load_rows
        from shared_core.training.recipe import Recipe, fit_recipe

        shipped = default_router_for(dev.models.names, relative_costs(dev))
        meta = load_models(models)
        default = fit_recipe(
            load_rows(data_dir / f"{source}_train.jsonl", meta),
            meta,
            Recipe(**shipped.info["cv"]["recipe"]),
            knob=shipped.knob,
        ).with_models(dev.models.names, relative_costs(dev))
        res = evaluate(default, dev)
        rel = list(getattr(default, "relative_costs", None) or relative_costs(dev))
        routers["tier-router default"] = {
            "rule": res.rule,
            "metrics": res.metrics,
            "latency": latency(default.predict, dev.texts, res.rule, rel),
        }
    except ImportError as exc:  # not built yet in this checkout
        routers["tier-router default"] = {"error": f"unavailable: {exc}"}
    for name, m in M.baselines(dev.scores, dev.costs).items():
        routers[name] = {"rule": "-", "metrics": m}
    train = load_dataset(data_dir / f"{source}_train.jsonl", models)
    routers["kNN TF-IDF"] = best_rule(knn_tfidf(train), dev)
    routers["LogReg hashed n-grams"] = best_rule(logreg_hashed(train, seed), dev)
    try:
        lr = litellm_router()
        tiers_fn, swept_fn = litellm_fns(lr, k)
        routers["LiteLLM complexity (swept)"] = best_rule(swept_fn, dev, ["threshold"])
        ch = np.argmax(tiers_fn(dev.texts), axis=1)
        n = np.arange(len(dev))
        ref = M.Reference.of(dev.scores, dev.costs)
        pt = M.summarise_point(
            float(dev.scores[n, ch].mean()),
            float(dev.costs[n, ch].mean()),
            float((ch == k - 1).mean()),
            ref,
        )
        if k == 2:
            x, y = M.pgr_points(
                np.array([pt["strong_share"]]), np.array([pt["quality"]]), *ref.q_single
            )
            pt["apgr"] = M.apgr(x, y)  # its one point joined to the trivial endpoints
        routers["LiteLLM complexity (tiers)"] = {
            "rule": "tiers by order",
            "metrics": pt,
            "latency": routers["LiteLLM complexity (swept)"]["latency"],
        }
    except ImportError as exc:
        routers["LiteLLM complexity"] = {"error": f"litellm not installed: {exc}"}
    return out


# -- report ------------------------------------------------------------------------------


def _f(v: Any, pct: bool = False) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and math.isinf(v):
        return "not reached"
    if isinstance(v, float) and math.isnan(v):
        return "—"
    return f"{100 * v:.1f}%" if pct else f"{v:.3f}"


def markdown(result: dict[str, Any]) -> str:
    two = len(result["models"]) == 2
    head = ["router", "rule"]
    head += ["APGR", "CPT(50%)", "CPT(80%)"] if two else []
    head += ["cost to 95%", "quality at C*", "p50 µs", "p99 µs", "prompts/s (batch)"]
    lines = [
        f"### {result['source']} dev ({result['rows']} prompts, {len(result['models'])} models; "
        f"primary: {result['primary']})",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for name, r in result["routers"].items():
        if "error" in r:
            lines.append(f"| {name} | {r['error']} |" + " |" * (len(head) - 2))
            continue
        m, lat = r["metrics"], r.get("latency") or {}
        cells = [name, r["rule"]]
        if two:
            cells += [_f(m.get("apgr")), _f(m.get("cpt50"), True), _f(m.get("cpt80"), True)]
        cells += [_f(m.get("cost_to_95"), True), _f(m.get("quality_at_cstar"))]
        cells += [
            f"{lat['p50_us']:.0f}" if lat else "—",
            f"{lat['p99_us']:.0f}" if lat else "—",
            f"{lat['batch_prompts_per_s']:,.0f}" if lat else "—",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(float(x)) else round(float(x), 6)
    if isinstance(x, np.integer):
        return int(x)
    return x


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--sources", nargs="+", default=list(SOURCES), choices=SOURCES)
    ap.add_argument(
        "--output", default=str(ROOT / "benchmarks" / "results" / "routing_quality.json")
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    data_dir = Path(args.data_dir)
    if not (data_dir / "routellm_dev.jsonl").exists():
        print(f"benchmark data not found in {data_dir} (use --data-dir)", file=sys.stderr)
        return 2
    warnings.filterwarnings("ignore", category=UserWarning)
    results = []
    t0 = time.time()
    for source in args.sources:
        print(f"[{time.time() - t0:6.1f}s] {source} ...", file=sys.stderr)
        results.append(run_source(data_dir, source, args.seed))
        print(markdown(results[-1]) + "\n")
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():  # --sources re-measures its own and keeps the others' results
        done = {r["source"] for r in results}
        old = json.loads(out.read_text(encoding="utf-8")).get("results", [])
        results = [r for r in old if r.get("source") not in done] + results
        results.sort(key=lambda r: SOURCES.index(r["source"]) if r["source"] in SOURCES else 99)
    payload = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": "python benchmarks/routing_quality.py",
        "metrics_doc": "shared_core/training/metrics.py",
        "results": results,
    }
    out.write_text(json.dumps(_jsonable(payload), indent=2), encoding="utf-8")
    print(f"wrote {out} in {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
