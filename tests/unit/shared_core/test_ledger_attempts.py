"""A record's attempt number is clamped to what every ledger column holds (64 bits), like its
token counts, so one bogus number cannot stop a ledger writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_core.ledger import CallRecord

from .test_ledger_count import _postgres_held, _rec, _sqlite_held


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_an_attempt_number_no_column_holds_is_clamped_and_the_ledger_keeps_writing(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """``attempt`` was taken as given: 2**70 failed every SQLite write after it (OverflowError,
    kept and retried for good, then spilled at exit and retried by the next process), and
    PostgreSQL refused anything past its 32-bit column. It is clamped like the token counts."""
    from shared_core.storable import MAX_COUNT

    led, _ = (_sqlite_held if backend == "sqlite" else _postgres_held)(tmp_path, request)
    led.record(CallRecord(call_id="huge", tier="t", model="m", cost_usd=0.1, attempt=2**70))
    led.record(CallRecord(call_id="big", tier="t", model="m", cost_usd=0.1, attempt=2**40))
    led.record(_rec("after"))
    assert led.flush() == 0
    assert sorted((r.call_id, r.attempt) for r in led.records()) == [
        ("after", 0), ("big", 2**40), ("huge", MAX_COUNT)]
    led.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_nan_latency_or_confidence_is_stored_as_unknown_alike(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """SQLite stores a NaN REAL as NULL: a record built with a NaN latency was read back with
    ``latency_ms=None`` (PostgreSQL: NaN), and every summary over it failed (``sorted`` of a
    float and None). A NaN latency is 0.0 (unknown, the default) and a NaN confidence None
    when the record is built, so both ledgers store and read back the same."""
    led, _ = (_sqlite_held if backend == "sqlite" else _postgres_held)(tmp_path, request)
    nan = float("nan")
    led.record(CallRecord(call_id="a", tier="t", model="m", cost_usd=0.1, latency_ms=nan, confidence=nan))
    led.record(CallRecord(call_id="b", tier="t", model="m", cost_usd=0.1, latency_ms=5.0, confidence=0.5))
    assert led.flush() == 0
    assert [(r.latency_ms, r.confidence) for r in led.records()] == [(0.0, None), (5.0, 0.5)]
    assert led.summary().calls == 2
    led.close()
