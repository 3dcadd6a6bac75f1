"""Task-route config on the bundled workload: which tier each kind of prompt reaches.

    .venv/bin/python benchmarks/task_routes.py [--config examples/configs/task-routes.yaml]

The workload (examples/workload/sample_prompts.jsonl) carries a hand-assigned ``kind``;
the mapping below says which route(s) a kind should reach (first = the right one).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_core import Router  # noqa: E402

KIND_ROUTE = {
    "greeting": ["factual"], "fact": ["factual"], "short_qa": ["factual"],
    "formatting": ["factual"], "translation": ["factual", "creative"], "summarization": ["factual"],
    "extraction": ["factual"], "explanation": ["factual", "reasoning"],
    "creative": ["creative"], "coding": ["coding"], "debugging": ["coding"],
    "system_design": ["coding", "reasoning"], "math": ["reasoning"], "proof": ["reasoning"],
    "reasoning": ["reasoning"],
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "examples/configs/task-routes.yaml"))
    args = ap.parse_args()
    router = Router(args.config)
    rows = [json.loads(line) for line in
            (ROOT / "examples/workload/sample_prompts.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    router.decide("warm up")
    routes = router.config.tier_names
    table: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    right = acceptable = 0
    lat = []
    for row in rows:
        t0 = time.perf_counter_ns()
        d = router.decide(row["prompt"])
        lat.append((time.perf_counter_ns() - t0) / 1000)
        table[row["kind"]][d.tier] += 1
        want = KIND_ROUTE[row["kind"]]
        right += d.tier == want[0]
        acceptable += d.tier in want
    n = len(rows)
    print(f"{'kind':14s} " + " ".join(f"{t:>9s}" for t in routes))
    for kind in KIND_ROUTE:
        print(f"{kind:14s} " + " ".join(f"{table[kind][t]:9d}" for t in routes))
    share = collections.Counter(t for c in table.values() for t in c.elements())
    print("\nshare: " + ", ".join(f"{t} {share[t] / n:.1%}" for t in routes))
    print(f"right tier {right / n:.3f}, acceptable tier {acceptable / n:.3f} (n={n})")
    print(f"decision median {statistics.median(lat):.0f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
