"""A SQLite ledger's budget check with a backlog of queued records: the walk against the totals.

    .venv/bin/python benchmarks/ledger_backlog.py [--sizes 1000 10000 100000] [--reps 50] [--json OUT]

A ledger's records stay queued while its file is locked (here: a back-off after a failed
write), and every budget check counts them. Side by side in one run, on the same ledger and
queue: the check as it was (the committed spend plus a walk of a copy of the queue,
``counters.pending_spend``) and as it is (the committed spend plus the queue's running totals,
``SQLiteLedger.spend``), for a user scope and the global one; also a reservation (the check
every budgeted call makes), the cost of ``record()`` queueing one record (a list append both
ways), and the first check after the backlog was queued (which counts the new records into the
totals, once). Medians, in microseconds, but for that first check.

Then the wait of a budget check made while ``flush()`` writes a backlog of 20,000 records
(the largest size, at most): with each batch inserted holding the ledger's lock, as before
(emulated by wrapping the insert in the lock), and with the lock held for the commit only.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared_core.ledger import CallRecord, LimitCheck, SQLiteLedger, sqlite_writer
from shared_core.ledger.counters import pending_spend
from shared_core.ledger.queued_spend import QueuedRecords
from shared_core.ledger.sqlite_batch import insert_batch

DAY = time.time() - time.time() % 86400


def _median_us(fn, reps: int) -> float:
    fn()  # warm
    out = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - t0) / 1000)
    return statistics.median(out)


class _Walked(list):
    """The queue as it was: a plain list, its spend a walk of every record (``pending_spend``,
    what ``spend`` and ``reserve`` added to the committed spend before the running totals)."""

    def spend(self, scope: str, since: float) -> float:
        return pending_spend(self, scope, since)


def _records(n: int) -> list[CallRecord]:
    return [CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=0.001, ts=DAY + 60,
                       user=f"u{i % 100}", tags=("feature:a",)) for i in range(n)]


def _one_size(path: Path, n: int, reps: int) -> dict[str, float]:
    """Every figure for a backlog of ``n`` records, the walk and the totals side by side."""
    out: dict[str, float] = {}
    led = SQLiteLedger(path)
    led._retry_at = time.monotonic() + 3600.0  # backing off: every record stays queued
    recs = _records(n)
    for way, queue in (("walk", _Walked()), ("totals", QueuedRecords())):  # queueing each way
        led._pending = queue  # type: ignore[assignment]
        t0 = time.perf_counter_ns()
        for r in recs:
            led.record(r)
        out[f"record_us_{way}_{n}"] = (time.perf_counter_ns() - t0) / 1000 / n
        t0 = time.perf_counter_ns()  # the first check counts what was queued, once
        led.spend("user:u1", DAY)
        out[f"first_check_us_{way}_{n}"] = (time.perf_counter_ns() - t0) / 1000
    totals, walked = led._pending, _Walked(led._pending)
    limits = [LimitCheck("global", DAY, 1e9), LimitCheck("user:u1", DAY, 1e9)]
    ids = iter(range(10**9))

    def hold() -> None:
        assert led.reserve(f"r{next(ids)}", 0.001, limits, 60.0) is None

    for way, queue in (("walk", walked), ("totals", totals)):  # the same records, each way
        led._pending = queue  # type: ignore[assignment]
        out[f"check_us_{way}_user_{n}"] = _median_us(lambda: led.spend("user:u1", DAY), reps)
        out[f"check_us_{way}_global_{n}"] = _median_us(lambda: led.spend("global", DAY), reps)
        out[f"reserve_us_{way}_{n}"] = _median_us(hold, max(5, reps // 5))
    for scope in ("user:u1", "global"):
        assert abs(walked.spend(scope, DAY) - totals.spend(scope, DAY)) <= 1e-9 * n, scope
    for key in ("check_us_{}_user_{}", "check_us_{}_global_{}", "reserve_us_{}_{}"):
        out[key.format("speedup", n)] = out[key.format("walk", n)] / out[key.format("totals", n)]
    totals.clear()  # not written: the benchmark's file is thrown away
    led.close()
    return out


def _reads_while_written(path: Path, n: int, under_lock: bool) -> dict[str, float]:
    """A reader thread checking a budget in a loop while ``flush()`` writes a backlog of ``n``
    records (batches of 500): its longest and 99th-percentile wait, in ms. ``under_lock``: each
    batch inserted holding the ledger's lock, as before (the reader then waits for the inserts
    as well as the commits)."""
    led = SQLiteLedger(path)
    led._retry_at = time.monotonic() + 3600.0
    for r in _records(n):
        led.record(r)
    if under_lock:
        def insert(conn: Any, *items: Any) -> Any:
            with led._lock:
                return insert_batch(conn, *items)

        sqlite_writer.insert_batch = insert  # type: ignore[assignment]
    waits: list[float] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            t0 = time.perf_counter()
            led.spend("global", DAY)
            waits.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.0005)

    reader = threading.Thread(target=read)
    led._retry_at = 0.0
    reader.start()
    t0 = time.perf_counter()
    try:
        assert led.flush() == 0
    finally:
        sqlite_writer.insert_batch = insert_batch
    took = (time.perf_counter() - t0) * 1000
    done.set()
    reader.join()
    led.close()
    waits.sort()
    way = "inserts_under_lock" if under_lock else "commit_only_under_lock"
    return {
        f"read_wait_ms_max_{way}_{n}": waits[-1],
        f"read_wait_ms_p99_{way}_{n}": waits[int(len(waits) * 0.99)],
        f"read_wait_ms_median_{way}_{n}": statistics.median(waits),
        f"reads_during_flush_{way}_{n}": float(len(waits)),
        f"flush_ms_{way}_{n}": took,
    }


def measure(sizes: list[int], reps: int) -> dict[str, float]:
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            out |= _one_size(Path(tmp) / f"b{n}.db", n, reps)
        n = max(sizes)
        for rnd in range(2):  # alternated, twice: the machine's load shifts either way alike
            for under_lock in (True, False):
                got = _reads_while_written(Path(tmp) / f"w{rnd}{under_lock}.db", min(n, 20000), under_lock)
                out |= {f"{k}_round{rnd + 1}": v for k, v in got.items()}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results = measure(args.sizes, args.reps)
    width = max(map(len, results))
    for key, v in results.items():
        print(f"{key:<{width}}  {v:12.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
