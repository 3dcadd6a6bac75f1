"""Calls per second through the router into a SQLite ledger, and the ledger's write cost.

    .venv/bin/python benchmarks/ledger_throughput.py [--calls 2000] [--json OUT]

Fake inner models (shared_core.testing.ScriptedModel), the bundled 4-tier config with
the embedded default classifier, so the figure is the router's own cost per call:
decide + plan + record. Ratios are measured side by side in one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared_core import Router
from shared_core.dispatch import execute
from shared_core.ledger import CallRecord, InMemoryLedger, SQLiteLedger
from shared_core.testing import ScriptedModel

PROMPTS = [
    "hi there",
    "What is the capital of Australia?",
    "Write a Python function that merges two sorted lists and explain its complexity.",
    "Summarise the following meeting notes in three bullet points: we agreed to ship on Friday...",
    "Prove that the square root of 2 is irrational.",
    "Design a rate limiter for a multi-region API gateway; discuss consistency trade-offs.",
]


def _through_router(ledger, calls: int, threads: int = 1) -> float:
    router = Router(ledger=ledger)
    model = ScriptedModel()
    router.decide("warm up")
    per = calls // threads

    def work() -> None:
        for i in range(per):
            text = PROMPTS[i % len(PROMPTS)]
            d = router.decide(text)
            execute(router.plan(d, router.request(text)), model)

    t0 = time.perf_counter()
    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return per * threads / (time.perf_counter() - t0)


def _write_cost_us(ledger, n: int) -> float:
    rec = CallRecord(call_id="x", tier="simple", model="gpt-4o-mini", input_tokens=100,
                     output_tokens=50, cost_usd=1e-5, tags=("feature:a",), metadata={"k": "v"})
    samples = []
    for i in range(n):
        r = CallRecord(**{**rec.to_dict(), "call_id": f"c{i}", "tags": ("feature:a",)})
        t0 = time.perf_counter_ns()
        ledger.record(r)
        samples.append((time.perf_counter_ns() - t0) / 1000)
    return statistics.median(samples)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {
            "calls_per_s_in_memory": _through_router(InMemoryLedger(), args.calls),
            "calls_per_s_sqlite": _through_router(SQLiteLedger(Path(tmp) / "a.sqlite"), args.calls),
            "calls_per_s_sqlite_4_threads": _through_router(
                SQLiteLedger(Path(tmp) / "b.sqlite"), args.calls, threads=4
            ),
            "write_us_median_in_memory": _write_cost_us(InMemoryLedger(), args.calls),
            "write_us_median_sqlite": _write_cost_us(SQLiteLedger(Path(tmp) / "c.sqlite"), args.calls),
        }
    width = max(map(len, results))
    for k, v in results.items():
        print(f"{k:<{width}}  {v:12.1f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
