"""The in-memory ledger drops a lapsed hold; it never turns it into spend.

An ``InMemoryLedger`` dies with its process, so every hold in it belongs to a living worker:
this process (paused past the TTL: SIGSTOP, a frozen container, a laptop asleep, a debugger)
or, in a forked child's copy, the parent, which renews and releases it in its own copy. The
call then records its real cost, so a lapse written as spend counted it twice (review #8:
$0.31 for a $0.01 call; a forked child refused for the parent's live hold). SQLite and
PostgreSQL, shared by processes that can be killed, still write lapsed holds as spend
(test_lapsed_holds.py)."""

from __future__ import annotations

import time

import pytest

from shared_core.ledger import CallRecord, InMemoryLedger, LimitCheck
from tests.forked import run_forked

DAY = [LimitCheck("global", 0.0, 1.0)]


def test_a_lapsed_hold_is_dropped_not_made_spend() -> None:
    led = InMemoryLedger()
    assert led.reserve("live-call", 0.30, DAY, 0.1) is None
    time.sleep(0.2)  # the process was paused past the TTL
    assert led.reserve("other", 0.8, DAY, 60) is None  # the whole budget is there
    led.release("other")
    led.record(CallRecord(call_id="live-call", tier="t", model="m", cost_usd=0.01))
    led.release("live-call")
    assert [(r.call_id, r.error_kind) for r in led.records()] == [("live-call", None)]
    assert led.spend("global", 0.0) == pytest.approx(0.01)


def test_a_renewal_after_a_pause_revives_the_hold_it_still_has() -> None:
    """The keeper woken late renews its holds before anything expires them: the call under
    way stays held (no one else may spend its money) and is counted once."""
    led = InMemoryLedger()
    assert led.reserve("live-call", 0.30, DAY, 0.1) is None
    time.sleep(0.2)  # paused past the TTL; nothing expired it meanwhile
    led.renew(["live-call"], 60)
    assert led.reserved("global") == pytest.approx(0.30)
    assert led.reserve("other", 0.8, DAY, 60) is not None  # 0.30 still held
    led.record(CallRecord(call_id="live-call", tier="t", model="m", cost_usd=0.01))
    led.release("live-call")
    assert [(r.call_id, r.error_kind) for r in led.records()] == [("live-call", None)]
    assert led.spend("global", 0.0) == pytest.approx(0.01)
    assert led.reserved("global") == 0.0


def test_a_forked_child_does_not_spend_the_parents_live_hold() -> None:
    led = InMemoryLedger()
    assert led.reserve("parent-call", 0.5, DAY, 0.2) is None

    def child() -> str:
        time.sleep(0.3)  # past the TTL of the copy (the parent renews its own)
        refused = led.reserve("child-call", 0.6, DAY, 60)
        return f"{refused is None} {led.spend('global', 0.0)} {len(led.records())}"

    assert run_forked(child) == "True 0.0 0"
    led.release("parent-call")
