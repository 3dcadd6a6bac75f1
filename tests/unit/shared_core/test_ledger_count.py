"""``count()`` is the number of call records a ledger holds (stored, plus those still queued
to be written): what ``len(records())`` says, whatever else is waiting.

It added every queued item to the stored records: queued feedback scores (SQLite), and
feedback and reservation releases (PostgreSQL), so a ledger with one call and its score
waiting said 2 calls, and the number changed when the queue drained with no call made.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from shared_core.ledger import CallRecord, LimitCheck


def _rec(call_id: str) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=0.01)


def _sqlite_held(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    from shared_core.ledger import SQLiteLedger

    led = SQLiteLedger(tmp_path / "c.sqlite", retry_after_s=60.0)

    def hold(on: bool) -> None:  # a plain thread queues (backing off) and writes nothing
        led._retry_at = time.monotonic() + 60 if on else 0.0
    return led, hold


def _postgres_held(tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    from shared_core.ledger import PostgresLedger

    led = PostgresLedger(request.getfixturevalue("pg_url"), spill_dir=tmp_path)

    def hold(on: bool) -> None:  # the writer keeps every item queued; reads do not wait for it
        if on:
            led._write_batch = lambda batch: 0
            led.flush = lambda timeout_s=10.0: led.pending
        else:
            del led._write_batch, led.flush
    return led, hold


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_count_is_the_number_of_call_records(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    led, hold = (_sqlite_held if backend == "sqlite" else _postgres_held)(tmp_path, request)
    led.record(_rec("stored"))
    assert led.flush() == 0
    assert led.count() == 1
    assert led.reserve("r", 0.05, [LimitCheck("global", 0.0, 1.0)], 60.0) is None
    hold(True)
    led.record(_rec("queued"))
    led.record_feedback("stored", 1.0)
    led.record_feedback("queued", 0.0)
    led.release("r")
    assert led.pending >= 3  # a record and two scores (and, on PostgreSQL, the release) wait
    assert led.count() == len(led.records()) == 2
    hold(False)
    assert led.flush() == 0
    assert led.count() == len(led.records()) == 2
    assert len(led.feedback()) == 2
    led.close()
