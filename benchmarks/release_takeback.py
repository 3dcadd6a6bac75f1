"""What taking a lapse back on every release costs a call that had no lapse (the common path).

    .venv/bin/python benchmarks/release_takeback.py [--calls 2000] [--rounds 5] [--pg-url URL]

A release deletes its hold and, in the same transaction, the ``lapsed_hold`` records of that
hold (none, nearly always): one indexed read per write transaction on SQLite, one statement per
batch on PostgreSQL. This times, in one process, interleaved round by round, the same work with
the take-back on and with it replaced by a no-op:

* ``write``: ``calls`` records and the releases of their holds queued, then ``flush()``
  (the writer's transactions alone), µs per record + release;
* ``routed``: routed calls under a hard budget (decide + reserve + record + release, the
  bundled config, a scripted model), median µs per call;
* ``txn`` (SQLite): the rows of one write transaction (a record and its hold's release,
  ``sqlite_batch.insert``) on the ledger's file, rolled back: the take-back's own cost, quiet
  of the commit and the writer thread (the two above are noisy on a shared machine).

The ledger already holds ``--rows`` records (the read is an index probe, not a scan). Without
``--pg-url`` a throwaway PostgreSQL server is started the way the tests do, skipped if none can be.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared_core import Router, RouterConfig
from shared_core.dispatch import execute
from shared_core.ledger import CallRecord, open_ledger, pg_sql, sqlite_batch
from shared_core.testing import ScriptedModel

PROMPTS = ["hi there", "What is the capital of Australia?",
           "Write a Python function that merges two sorted lists and explain its complexity."]


@contextmanager
def takeback(on: bool):
    """The take-back as shipped, or replaced by a no-op (the code before it)."""
    saved = sqlite_batch._drop_lapsed, pg_sql.drop_lapsed
    if not on:
        sqlite_batch._drop_lapsed = lambda *a, **k: None  # type: ignore[assignment]
        pg_sql.drop_lapsed = lambda *a, **k: None  # type: ignore[assignment]
    try:
        yield
    finally:
        sqlite_batch._drop_lapsed, pg_sql.drop_lapsed = saved


def _fill(led: Any, rows: int) -> None:
    for i in range(rows):
        led.record(CallRecord(call_id=f"old-{i}", tier="simple", model="m", cost_usd=1e-5))
    led.flush()


def _write_us(led: Any, calls: int, tag: str) -> float:
    t0 = time.perf_counter()
    for i in range(calls):
        led.record(CallRecord(call_id=f"{tag}-{i}", tier="simple", model="m", cost_usd=1e-5,
                              tags=("feature:a",)))
        led.release(f"{tag}-{i}")
    led.flush()
    return (time.perf_counter() - t0) / calls * 1e6


def _routed_us(router: Router, calls: int) -> float:
    model = ScriptedModel()
    lat = []
    for i in range(calls):
        text = PROMPTS[i % len(PROMPTS)]
        s = time.perf_counter_ns()
        execute(router.plan(router.decide(text), router.request(text)), model)
        lat.append((time.perf_counter_ns() - s) / 1000)
    router.ledger.flush()
    return statistics.median(lat)


def txn_cost(path: str, calls: int) -> None:
    """Median µs per ``insert`` of one record and its release, the take-back on and off in
    alternate blocks of 100 (one transaction, rolled back): robust to a busy machine."""
    import sqlite3

    real = sqlite_batch._drop_lapsed
    lat: dict[bool, list[float]] = {True: [], False: []}
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        for n in range(max(calls, 200) * 2):
            on = (n // 100) % 2 == 0
            sqlite_batch._drop_lapsed = real if on else (lambda *a, **k: None)  # type: ignore[assignment]
            rec = CallRecord(call_id=f"txn-{n}", tier="simple", model="m", cost_usd=1e-5, tags=("a",))
            t0 = time.perf_counter_ns()
            sqlite_batch.insert(conn, [rec], [rec.call_id], [])
            lat[on].append((time.perf_counter_ns() - t0) / 1000)
        conn.execute("ROLLBACK")
    finally:
        sqlite_batch._drop_lapsed = real
        conn.close()
    off, on = statistics.median(lat[False]), statistics.median(lat[True])
    print(f"sqlite   txn     µs/call  without {off:8.2f}  with {on:8.2f}  added {on - off:+7.2f} "
          f"({(on - off) / off:+.1%})  [median of {len(lat[True])} each]")


def _router(target: str) -> Router:
    from shared_core.router import default_config_path

    data = RouterConfig.from_file(default_config_path()).to_dict()
    data["budget"] = {"limits": [{"scope": "global", "period": "day", "limit_usd": 1e6}]}
    router = Router(data, ledger=target)
    router.decide("warm up")
    return router


def measure(name: str, target: str, calls: int, rounds: int, rows: int) -> None:
    led = open_ledger(target)
    _fill(led, rows)
    router = _router(target)
    runs: dict[tuple[str, bool], list[float]] = {}
    jobs: list[tuple[str, Callable[[int, bool], float]]] = [
        ("write", lambda r, on: _write_us(led, calls, f"w{r}{on}")),
        ("routed", lambda r, on: _routed_us(router, calls)),
    ]

    for r in range(rounds):
        for on in ((False, True) if r % 2 else (True, False)):  # alternate who goes first
            with takeback(on):
                for what, job in jobs:
                    runs.setdefault((what, on), []).append(job(r, on))
    for what, _ in jobs:
        off, on = statistics.median(runs[(what, False)]), statistics.median(runs[(what, True)])
        print(f"{name:<8} {what:<7} µs/call  without {off:8.1f}  with {on:8.1f}  "
              f"added {on - off:+7.1f} ({(on - off) / off:+.1%})  "
              f"[rounds with: {', '.join(f'{x:.1f}' for x in runs[(what, True)])}; "
              f"without: {', '.join(f'{x:.1f}' for x in runs[(what, False)])}]")
    router.ledger.close()
    led.close()
    if name == "sqlite":
        txn_cost(target, calls * 10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rows", type=int, default=20000, help="records already in the ledger")
    ap.add_argument("--pg-url", help="a PostgreSQL server to use (default: start a throwaway one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("sqlite", str(Path(tmp) / "t.sqlite"), args.calls, args.rounds, args.rows)
    server = None
    pg_url = args.pg_url
    if pg_url is None:
        try:
            from tests import pg_server

            server = pg_server.start(own=True)
            pg_url = server.url
        except Exception as exc:
            print(f"PostgreSQL skipped: {exc}")
            return 0
    try:
        from tests.pg_server import fresh_database

        measure("postgres", fresh_database(pg_url), args.calls, args.rounds, args.rows)
    finally:
        if server is not None:
            pg_server.remove(server)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
