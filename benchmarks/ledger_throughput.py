"""Calls per second through the router into each ledger, with and without a hard budget.

    .venv/bin/python benchmarks/ledger_throughput.py [--calls 2000] [--pg-url URL] [--json OUT]

Fake inner models (shared_core.testing.ScriptedModel), the bundled 4-tier config with
the embedded default classifier, so the figure is the router's own cost per call:
decide + plan + (reserve + release) + record. In-memory, SQLite and PostgreSQL are
measured side by side in one run; without ``--pg-url`` a throwaway PostgreSQL server is
started the way the tests do (tests/pg_server.py), and skipped if none can be.
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

from shared_core import Router, RouterConfig
from shared_core.dispatch import execute
from shared_core.ledger import CallRecord, InMemoryLedger, SQLiteLedger, open_ledger
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


def _budgeted(ledger, hard: bool) -> Router:
    from shared_core.router import default_config_path

    data = RouterConfig.from_file(default_config_path()).to_dict()
    if hard:
        data["budget"] = {"limits": [{"scope": "global", "period": "day", "limit_usd": 1e6}]}
    return Router(data, ledger=ledger)


def _per_call(ledger, calls: int, hard: bool) -> tuple[float, float]:
    """(calls per second, median µs per call) through one router on one thread."""
    router = _budgeted(ledger, hard)
    model = ScriptedModel()
    router.decide("warm up")
    lat = []
    t0 = time.perf_counter()
    for i in range(calls):
        text = PROMPTS[i % len(PROMPTS)]
        s = time.perf_counter_ns()
        d = router.decide(text)
        execute(router.plan(d, router.request(text)), model)
        lat.append((time.perf_counter_ns() - s) / 1000)
    rate = calls / (time.perf_counter() - t0)
    router.ledger.flush()
    return rate, statistics.median(lat)


def _records_per_s(ledger, n: int) -> float:
    """Records written per second (for PostgreSQL: until the writer thread has them in)."""
    recs = [CallRecord(call_id=f"r{i}", tier="simple", model="gpt-4o-mini", input_tokens=100,
                       output_tokens=50, cost_usd=1e-5, tags=("feature:a",)) for i in range(n)]
    t0 = time.perf_counter()
    for r in recs:
        ledger.record(r)
    ledger.flush()
    return n / (time.perf_counter() - t0)


def side_by_side(calls: int, pg_url: str | None) -> dict[str, float]:
    """records/s and µs per routed call, per ledger, with and without a hard budget."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        makers = {
            "in_memory": lambda tag: InMemoryLedger(),
            "sqlite": lambda tag: SQLiteLedger(Path(tmp) / f"{tag}.sqlite"),
        }
        if pg_url:
            from tests.pg_server import fresh_database

            makers["postgres"] = lambda tag: open_ledger(fresh_database(pg_url))
        for name, make in makers.items():
            out[f"records_per_s_{name}"] = _records_per_s(make("w"), calls)
            for hard in (False, True):
                label = f"{name}_{'hard_budget' if hard else 'no_budget'}"
                rate, us = _per_call(make(label), calls, hard)
                out[f"calls_per_s_{label}"] = rate
                out[f"us_per_call_{label}"] = us
    base = out["us_per_call_in_memory_no_budget"]
    for key in [k for k in out if k.startswith("us_per_call_")]:
        out["added_us_" + key.removeprefix("us_per_call_")] = out[key] - base
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--pg-url", help="a PostgreSQL server to use (default: start a throwaway one)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    server = None
    pg_url = args.pg_url
    if pg_url is None:
        try:
            from tests import pg_server

            server = pg_server.start(own=True)
            pg_url = server.url
        except Exception as exc:
            print(f"PostgreSQL skipped: {exc}")
    try:
        results = side_by_side(args.calls, pg_url)
    finally:
        if server is not None:
            pg_server.remove(server)
    with tempfile.TemporaryDirectory() as tmp:
        results |= {
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
