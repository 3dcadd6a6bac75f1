"""The locks of a PostgresLedger's writer: what they cost, and how many writers a server holds.

    .venv/bin/python benchmarks/pg_writer_locks.py --pg-url URL [--calls 2000] [--rounds 5]
    .venv/bin/python benchmarks/pg_writer_locks.py --pg-url URL --writers 12,16,24

* ``cost``: ``calls`` records with an A/B variant (what a VariantRouter writes), with and
  without the releases of their holds, queued and flushed: µs per record (median of rounds),
  round by round against the same code with one lock per call id and no table lock (the
  locks before 2026-12-05, late; the writer's statement order aside).
* ``--writers``: that many ledgers at once, each writing a batch of 1,000 records with a variant
  (a backlog after an outage, on a fleet): the batches wait on the ``global`` spend row (held
  by the script) with their call locks taken, then go. Prints the advisory locks held at the
  peak and how many writers' batches failed (``out of shared memory`` when the lock table is
  full). Run it on a server with PostgreSQL's defaults (``max_connections`` 100,
  ``max_locks_per_transaction`` 64) to see what a default server holds.

Run it with the code to measure on ``PYTHONPATH`` (the branch, or ``git archive main``).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared_core.ledger import CallRecord, pg_sql
from shared_core.ledger.postgres import PostgresLedger


def _fresh(url: str) -> str:
    import psycopg

    name = "b_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


PER_CALL_ID = (
    f"SELECT pg_advisory_xact_lock({pg_sql.CALL_LOCK_SPACE}, k) FROM "
    "(SELECT DISTINCT hashtext(c) AS k FROM unnest(%s::text[]) AS c ORDER BY k) AS s"
)


def cost(url: str, calls: int, rounds: int) -> None:
    shipped = pg_sql.LOCK_CALLS, getattr(pg_sql, "LOCK_TABLES", "SELECT 1")
    for releases in (False, True):
        per: dict[str, list[float]] = {"per call id": [], "as shipped": []}
        for r in range(rounds):
            for name in per:
                pg_sql.LOCK_CALLS, pg_sql.LOCK_TABLES = (
                    (PER_CALL_ID, "SELECT 1") if name == "per call id" else shipped
                )
                per[name].append(_flush_us(url, calls, releases, f"{name[0]}{r}"))
        pg_sql.LOCK_CALLS, pg_sql.LOCK_TABLES = shipped
        for name, xs in per.items():
            print(f"cost: {calls} records with a variant{' + releases' if releases else ''}, "
                  f"{name}: {statistics.median(xs):.1f} us/record "
                  f"(rounds: {', '.join(f'{x:.1f}' for x in xs)})")


def _flush_us(url: str, calls: int, releases: bool, r: str) -> float:
    led = PostgresLedger(_fresh(url))
    led.record(CallRecord(call_id="warm", tier="t", model="m", cost_usd=1e-5))
    led.flush()
    with led._commit:  # queued whole, then written in batches of 1,000
        for i in range(calls):
            led.record(CallRecord(call_id=f"r{r}-{i}", tier="t", model="m", cost_usd=1e-5,
                                  variant="AB"[i % 2], user=f"u{i % 7}"))
            if releases:
                led.release(f"r{r}-{i}")
    t = time.perf_counter()
    led.flush(timeout_s=120)
    took = (time.perf_counter() - t) / calls * 1e6
    led.close()
    return took


class _Count(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.failed: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "write failed" in record.getMessage():
            self.failed.append(record.getMessage().splitlines()[0][-160:])


def _count(conn: Any, query: str) -> int:
    row = conn.execute(query).fetchone()
    return int(row[0]) if row else 0


def writers(url: str, n: int) -> None:
    import psycopg

    db = _fresh(url)
    leds = [PostgresLedger(db) for _ in range(n)]
    leds[0].record(CallRecord(call_id="warm", tier="t", model="m", cost_usd=1e-5))
    leds[0].flush()
    count = _Count()
    logging.getLogger("shared_core.ledger.postgres").addHandler(count)
    blocker = psycopg.connect(db)
    blocker.execute("SELECT 1 FROM tier_router_spend WHERE scope = 'global' FOR UPDATE")
    for w, led in enumerate(leds):
        with led._commit:
            for i in range(1000):
                led.record(CallRecord(call_id=f"w{w}-{i}", tier="t", model="m", cost_usd=1e-5,
                                      variant="AB"[i % 2]))
    end = time.monotonic() + 60
    peak = 0
    while time.monotonic() < end:
        waiting = _count(blocker, "SELECT count(*) FROM pg_stat_activity WHERE "
                         "datname = current_database() AND wait_event_type = 'Lock'")
        peak = max(peak, _count(blocker, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"))
        if waiting + len(count.failed) >= n:
            break
        time.sleep(0.05)
    blocker.commit()
    threads = [threading.Thread(target=led.flush, kwargs={"timeout_s": 60}) for led in leds]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    written = leds[0].records()
    print(f"writers: {n} writers x 1,000 records with a variant: advisory locks at the peak {peak}, "
          f"writers whose batch failed {len(count.failed)}, records in the end {len(written) - 1}; "
          f"first error: {count.failed[0] if count.failed else '-'}")
    logging.getLogger("shared_core.ledger.postgres").removeHandler(count)
    blocker.close()
    for led in leds:
        led.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg-url", required=True)
    ap.add_argument("--calls", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--writers", help="comma-separated writer counts (runs that instead of cost)")
    args = ap.parse_args()
    if args.writers:
        for n in (int(x) for x in args.writers.split(",")):
            writers(args.pg_url, n)
    else:
        cost(args.pg_url, args.calls, args.rounds)


if __name__ == "__main__":
    main()
