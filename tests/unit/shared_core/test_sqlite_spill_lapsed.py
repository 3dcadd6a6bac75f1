"""SQLite: a spilled call whose hold another process made spend first is counted once.

A worker paused past its hold's TTL (SIGSTOP, a frozen container) whose exit then finds the
file locked spills its records and the releases of their holds. If another process's
reservation made the lapsed hold spend before the spill is claimed, the claim wrote the real
records beside the lapsed one: the call counted twice ($0.31 for a $0.01 call; the reviewer's
unverified variant of review #1). Replayed, a spilled release now deletes that lapsed record
and takes its cost off the day counters, in the transaction that writes the records."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from shared_core.ledger import CallRecord, LimitCheck, SQLiteLedger, spill

CHECKS = [LimitCheck("global", 0.0, 1.0), LimitCheck("tag:checkout", 0.0, 1.0)]


def test_a_spilled_release_undoes_the_lapse_another_process_made(tmp_path: Path) -> None:
    path = str(tmp_path / "l.db")
    worker = SQLiteLedger(path)
    assert worker.reserve("call-1", 0.30, CHECKS, 0.2) is None
    time.sleep(0.3)  # the worker is paused past the TTL
    other = SQLiteLedger(path)
    assert other.reserve("probe", 0.0, [LimitCheck("user:nobody", 0.0, 1.0)], 60) is None
    other.release("probe")
    assert other.spend("global", 0.0) == pytest.approx(0.30)  # the lapse, made spend
    # the worker resumes, its call answered ($0.01), and it exits with the file locked
    rec = CallRecord(call_id="call-1", tier="t", model="m", cost_usd=0.01, tags=("checkout",))
    assert spill.write(path, [rec], [], releases=["call-1"])
    worker.close()  # (its queues are empty: what it had is in the spill)
    again = SQLiteLedger(path)  # claims the spill
    try:
        again.flush()
        assert [(r.call_id, r.error_kind, r.cost_usd) for r in again.records()] == [("call-1", None, 0.01)]
        for scope in ("global", "tag:checkout"):
            assert again.spend(scope, 0.0) == pytest.approx(0.01), scope
            assert again.held(scope, 0.0) == pytest.approx(0.01), scope
        assert again.records(tag="checkout")[0].cost_usd == 0.01
    finally:
        again.close()
        other.close()
