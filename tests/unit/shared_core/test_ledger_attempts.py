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
