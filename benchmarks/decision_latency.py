"""Decision latency of ``Router().decide`` (the embedded default) on realistic prompts.

    python benchmarks/decision_latency.py [--data-dir ../shared/data] [--n 2000] [--json OUT.json]

Prompts: the bundled sample workload under ``examples/workload`` when present, plus
prompts read at run time from the public dev splits (nothing is copied). Reports the
median / p90 / p99 µs of one ``decide`` call at a time (after a warm-up), the cold
first call (model load), and prompts/s of the classifier in batch.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_FALLBACK = [
    "hi!",
    "What's the capital of Australia?",
    "Translate 'good morning' into Spanish.",
    "Write a haiku about autumn leaves.",
    "Summarise the following paragraph in one sentence: The committee met on Tuesday to "
    "discuss the budget for next year and agreed to postpone the decision until March.",
    "Write a Python function that merges two sorted lists in O(n) time, with tests.",
    "Prove that the square root of 2 is irrational.",
    "Design a distributed rate limiter for a multi-region API gateway; discuss consistency "
    "trade-offs, failure modes and how you would test it.",
    "If a train leaves at 3pm going 60 km/h and another at 4pm going 80 km/h, when does the "
    "second catch up?",
    "Extract all dates from: 'We met on 3 May 2021 and again on 2022-01-15.'",
]


def load_prompts(data_dir: Path | None, n: int, seed: int = 0) -> list[str]:
    prompts: list[str] = []
    for f in sorted((ROOT / "examples" / "workload").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                text = obj.get("prompt") or obj.get("text") or obj.get("content")
                if isinstance(text, str):
                    prompts.append(text)
    if data_dir is not None and data_dir.exists():
        for f in sorted(data_dir.glob("*_dev.jsonl")):
            with f.open(encoding="utf-8") as fh:
                prompts.extend(json.loads(line)["prompt"] for line in fh if line.strip())
    if not prompts:
        prompts = list(_FALLBACK)
    rng = random.Random(seed)
    rng.shuffle(prompts)
    while len(prompts) < n:
        prompts = prompts + prompts
    return prompts[:n]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q / 100 * (len(s) - 1)))]


def litellm_heuristic_v2() -> Any:
    """LiteLLM's complexity router with its ``heuristic_v2`` classifier (local, no network)."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    from litellm.router_strategy.complexity_router.complexity_router import ComplexityRouter

    tiers = {"SIMPLE": "t0", "MEDIUM": "t1", "COMPLEX": "t2", "REASONING": "t3"}
    return ComplexityRouter(
        "bench",
        ctx=None,
        complexity_router_config={"tiers": tiers, "classifier_type": "heuristic_v2"},
        derive_savings_baseline=False,
    )


def side_by_side(router: Any, prompts: list[str], rounds: int = 3) -> dict[str, Any]:
    """Median µs of ``Router().decide``, its classifier alone and LiteLLM heuristic_v2, interleaved."""
    try:
        lite = litellm_heuristic_v2()
    except ImportError as exc:
        return {"skipped": f"litellm not installed ({exc}); make bench installs it"}
    fns = {
        "Router().decide": router.decide,
        "embedded classifier alone": router.classifier.classify,
        "LiteLLM heuristic_v2 classify": lite.classify,
    }
    for f in fns.values():  # warm-up
        for p in prompts[:100]:
            f(p)
    lat: dict[str, list[float]] = {k: [] for k in fns}
    for r in range(rounds):
        order = list(fns.items())
        if r % 2:
            order.reverse()
        for p in prompts:
            for name, f in order:
                t = time.perf_counter()
                f(p)
                lat[name].append((time.perf_counter() - t) * 1e6)
    med = {k: round(statistics.median(v), 1) for k, v in lat.items()}
    p99 = {k: round(pct(v, 99), 1) for k, v in lat.items()}
    base = med["LiteLLM heuristic_v2 classify"]
    return {
        "median_us": med,
        "p99_us": p99,
        "decide_over_litellm": round(med["Router().decide"] / base, 2),
        "classifier_over_litellm": round(med["embedded classifier alone"] / base, 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--n", type=int, default=2000, help="prompts timed one at a time")
    ap.add_argument("--json", dest="json_out", help="also write the figures as JSON here")
    ap.add_argument(
        "--vs-litellm", action="store_true", help="also time LiteLLM's heuristic_v2 side by side"
    )
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    from shared_core import Router

    router = Router()
    import_s = time.perf_counter() - t0
    prompts = load_prompts(Path(args.data_dir), args.n)
    t0 = time.perf_counter()
    router.decide(prompts[0])
    cold_ms = (time.perf_counter() - t0) * 1e3
    for p in prompts[:200]:  # warm-up: word memo, caches
        router.decide(p)
    lat: list[float] = []
    for p in prompts:
        t = time.perf_counter()
        router.decide(p)
        lat.append((time.perf_counter() - t) * 1e6)
    clf = router.classifier
    batch_rate = None
    if hasattr(clf, "predict_batch"):
        t = time.perf_counter()
        clf.predict_batch(prompts)
        batch_rate = len(prompts) / (time.perf_counter() - t)
    chars = [len(p) for p in prompts]
    res = {
        "prompts": len(prompts),
        "median_prompt_chars": statistics.median(chars),
        "import_and_construct_ms": round(import_s * 1e3, 1),
        "first_decide_ms (loads the model)": round(cold_ms, 1),
        "median_us": round(statistics.median(lat), 1),
        "p90_us": round(pct(lat, 90), 1),
        "p99_us": round(pct(lat, 99), 1),
        "max_us": round(max(lat), 1),
        "one_at_a_time_prompts_per_s": round(1e6 / statistics.mean(lat), 1),
        "batch_prompts_per_s (classifier.predict_batch)": None
        if batch_rate is None
        else round(batch_rate, 1),
    }
    width = max(len(k) for k in res)
    print("decision latency of Router().decide (embedded default, 4 tiers)")
    for k, v in res.items():
        print(f"  {k:<{width}}  {v}")
    if args.vs_litellm:
        sbs = side_by_side(router, prompts[: min(len(prompts), 1000)])
        res["side_by_side"] = sbs
        print("side by side, same prompts, interleaved (median / p99 µs):")
        for k, v in sbs.get("median_us", {}).items():
            print(f"  {k:<32} {v:>8} / {sbs['p99_us'][k]}")
        for k in ("decide_over_litellm", "classifier_over_litellm", "skipped"):
            if k in sbs:
                print(f"  {k}: {sbs[k]}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
