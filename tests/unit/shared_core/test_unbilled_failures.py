"""``cost_usd`` ``None`` means an unknown price, and only that, in every ledger.

A failed attempt the provider did not bill (no tokens: a 4xx, a 5xx, a request never sent)
used to carry ``None`` too, so the summary could not count unknown prices without guessing
which ``None`` was which, and ``sum(r.cost_usd ...)`` raised ``TypeError``. It now costs
``0.0``; rows written before (``NULL``) read back as ``0.0`` from SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from shared_core.ledger import CallRecord, InMemoryLedger, SQLiteLedger

T0 = 1_700_000_000.0


def _records() -> list[CallRecord]:
    return [
        CallRecord(call_id="a", tier="t", model="m", ts=T0, status="failed", error_kind="server",
                   cost_usd=0.0, baseline_model="b", baseline_cost_usd=0.0),
        CallRecord(call_id="a", tier="u", model="m2", attempt=1, ts=T0 + 1, status="ok",
                   input_tokens=10, output_tokens=5, cost_usd=0.02, baseline_model="b",
                   baseline_cost_usd=0.05),
        # billed (tokens) on a model nobody priced: unknown, and counted as such
        CallRecord(call_id="b", tier="x", model="unpriced", ts=T0 + 2, status="failed",
                   error_kind="timeout", input_tokens=11, cost_usd=None),
        # no tokens, but it carries a judge's call of unknown price: unknown too
        CallRecord(call_id="c", tier="t", model="m", ts=T0 + 3, status="failed", error_kind="server",
                   cost_usd=None, metadata={"classifier_cost_usd": None, "classifier_calls": [
                       {"model": "judge", "input_tokens": 50, "output_tokens": 1, "cost_usd": None}]}),
    ]


def _check(recs: list[CallRecord], summary: Any) -> None:
    costs = [r.cost_usd for r in recs]
    assert costs == [0.0, 0.02, None, None]
    assert recs[0].baseline_cost_usd == 0.0
    assert summary.unknown_cost_records == sum(c is None for c in costs) == 2
    assert sum(c for c in costs if c is not None) == pytest.approx(summary.cost_usd)


def test_a_failure_built_with_no_cost_is_a_known_zero() -> None:
    """What every producer gets: the router's records, ``CostCallbackHandler``'s, a custom
    ledger's, a hand-built one (``cost_usd`` defaults to ``None``)."""
    rec = CallRecord(call_id="a", tier="t", model="m", status="failed", error_kind="server")
    assert rec.cost_usd == 0.0 and rec.baseline_cost_usd is None  # no baseline model named
    assert CallRecord(call_id="a", tier="t", model="m", status="ok").cost_usd is None  # answered: unknown
    assert CallRecord(call_id="a", tier="t", model="m", status="refused").cost_usd is None


def test_memory_ledger() -> None:
    led = InMemoryLedger()
    for r in _records():
        led.record(r)
    _check(led.records(), led.summary())


def test_old_sqlite_rows_read_back_as_known_zeros(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    led = SQLiteLedger(path)
    for r in _records():
        led.record(r)
    led.close()
    with sqlite3.connect(path) as conn:  # what an earlier release wrote for the failure
        conn.execute("UPDATE calls SET cost_usd = NULL, baseline_cost_usd = NULL WHERE call_id = 'a' AND attempt = 0")
    led = SQLiteLedger(path)
    try:
        recs = led.records()
        _check(recs, led.summary())
        assert led.spend("global", 0.0) == pytest.approx(0.02)
    finally:
        led.close()


def test_old_postgres_rows_read_back_as_known_zeros(pg_url: str) -> None:
    import psycopg

    from shared_core.ledger import PostgresLedger

    led = PostgresLedger(pg_url)
    for r in _records():
        led.record(r)
    led.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE tier_router_calls SET cost_usd = NULL, baseline_cost_usd = NULL "
            "WHERE call_id = 'a' AND attempt = 0"
        )
    led = PostgresLedger(pg_url)
    try:
        _check(led.records(), led.summary())
        assert led.spend("global", 0.0) == pytest.approx(0.02)
    finally:
        led.close()
