"""``pending`` means the same on every ledger: records, scores and releases of holds waiting
in memory for the ledger's storage, what ``flush()`` returns once it has written what it
could. ``SQLiteLedger`` and ``PostgresLedger`` had it, ``InMemoryLedger`` did not
(``AttributeError``), so code written against one ledger (a shutdown hook that waits for
``pending == 0``, a health check) failed on another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared_core.ledger import CallRecord, CostLedger, InMemoryLedger, LimitCheck, SQLiteLedger


def _open(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    if kind == "memory":
        return InMemoryLedger()
    if kind == "sqlite":
        return SQLiteLedger(tmp_path / "c.sqlite")
    from shared_core.ledger import PostgresLedger

    return PostgresLedger(request.getfixturevalue("pg_url"), spill_dir=tmp_path)


def _drain(led: CostLedger) -> int:
    """What a shutdown hook written against any ledger does."""
    left = led.flush()
    assert left == led.pending
    return left


@pytest.mark.parametrize("kind", ["memory", "sqlite", "postgres"])
def test_pending_is_a_count_that_flush_drains_on_every_ledger(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    led = _open(kind, tmp_path, request)
    try:
        assert isinstance(led.pending, int) and led.pending >= 0
        led.record(CallRecord(call_id="a", tier="t", model="m", cost_usd=0.01))
        led.record_feedback("a", 1.0)
        assert led.reserve("r", 0.05, [LimitCheck("global", 0.0, 1.0)], 60.0) is None
        led.release("r")
        assert led.pending >= 0
        assert _drain(led) == 0 and led.pending == 0
        assert len(led.records()) == 1 and len(led.feedback()) == 1
    finally:
        led.close()


def test_a_custom_ledger_that_writes_as_it_goes_has_nothing_pending() -> None:
    assert CostLedger.pending.__doc__  # documented on the interface every ledger shares
    assert InMemoryLedger().pending == 0
