"""A hold that lapses unreleased becomes spend, on every ledger: its worker died (or was cut off
from the ledger) with calls it may have sent and not recorded, which the provider still bills.
Dropping it let the same money be spent again past a hard limit (measured: $0.311 billed
against $0.30 with PostgreSQL, `benchmarks/workers_budget.py --scenario kill`). The in-memory
ledger, which dies with its process, drops them instead (test_memory_holds_lapse.py)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from shared_core.fault_types import RECORD_KINDS
from shared_core.ledger import CallRecord, LimitCheck, open_ledger
from shared_core.ledger.summary import summarize

CHECKS = [
    LimitCheck("global", 0.0, 1.0),
    LimitCheck("user:alice", 0.0, 1.0),
    LimitCheck("tag:checkout", 0.0, 1.0),
]


@pytest.fixture(params=["sqlite", "postgres"])
def ledger(request, tmp_path: Path):
    if request.param == "sqlite":
        led = open_ledger(str(tmp_path / "lapsed.db"))
    else:
        led = open_ledger(request.getfixturevalue("pg_url"))
    yield led
    led.close()


def _expire_now(led) -> None:
    """Any later reservation expires what lapsed (here one that holds nothing anywhere)."""
    assert led.reserve("probe", 0.0, [LimitCheck("user:nobody", 0.0, 1.0)], 60) is None
    led.release("probe")


def test_a_lapsed_hold_is_counted_as_spend_in_each_of_its_scopes(ledger, caplog) -> None:
    assert ledger.reserve("call-1", 0.25, CHECKS, 0.2) is None
    assert ledger.reserve("call-1", 0.05, CHECKS, 0.2) is None  # an extension: still one hold
    time.sleep(0.3)
    with caplog.at_level(logging.WARNING, logger="tier_router"):
        _expire_now(ledger)
    for scope in ("global", "user:alice", "tag:checkout"):
        assert ledger.spend(scope, 0) == pytest.approx(0.30), scope
        assert ledger.reserved(scope) == 0.0
    # the money stays spent: no more than what was left fits
    assert ledger.reserve("next", 0.75, CHECKS, 60) is not None
    assert ledger.reserve("next", 0.70, CHECKS, 60) is None
    recs = ledger.records()
    assert len(recs) == 1
    rec = recs[0]
    assert (rec.call_id, rec.status, rec.error_kind) == ("call-1", "abandoned", "lapsed_hold")
    assert rec.cost_usd == pytest.approx(0.30)
    assert rec.user == "alice" and rec.tags == ("checkout",)
    assert "upper bound" in (rec.error or "")
    warned = [r for r in caplog.records if "lapsed" in r.getMessage()]
    assert len(warned) == 1 and "0.3" in warned[0].getMessage()


def test_a_released_hold_never_becomes_spend(ledger) -> None:
    assert ledger.reserve("call-2", 0.4, CHECKS, 0.2) is None
    ledger.record(CallRecord(call_id="call-2", tier="t", model="m", cost_usd=0.1, user="alice"))
    ledger.release("call-2")
    time.sleep(0.3)
    _expire_now(ledger)
    ledger.flush()
    assert ledger.spend("global", 0) == pytest.approx(0.1)
    assert [r.status for r in ledger.records()] == ["ok"]


def test_a_live_hold_renewed_in_time_does_not_lapse(ledger) -> None:
    assert ledger.reserve("call-3", 0.4, CHECKS, 0.4) is None
    time.sleep(0.2)
    ledger.renew(["call-3"], 0.4)
    time.sleep(0.25)
    _expire_now(ledger)
    assert ledger.spend("global", 0) == 0.0
    assert ledger.reserved("global") == pytest.approx(0.4)
    assert ledger.records() == []


def test_lapsed_hold_is_a_record_kind_and_summarized_as_such(tmp_path: Path) -> None:
    assert "lapsed_hold" in RECORD_KINDS
    led = open_ledger(str(tmp_path / "kinds.db"))
    led.reserve("a", 0.02, CHECKS[:1], 0.05)
    led.reserve("b", 0.011, CHECKS[:1], 0.05)
    time.sleep(0.1)
    _expire_now(led)
    s = summarize(led.records())
    assert s.lapsed_hold_records == 2
    assert s.lapsed_hold_cost_usd == pytest.approx(0.031)
    assert s.cost_usd == pytest.approx(0.031)
    # not a failed call: a worker that never wrote its records (and no call sent: no rate)
    assert (s.failed_calls, s.failure_rate) == (0, None)

    from rich.console import Console

    from shared_core.cli.stats import render

    console = Console(record=True, width=120)
    render(s, console)
    text = console.export_text()
    assert "lapsed holds" in text and "2 ($0.03100, counted as spend and as baseline" in text


def test_a_lapsed_hold_still_counts_before_any_reservation_expires_it(ledger) -> None:
    """What the budget reads (spend + holds) never dips while a lapsed hold waits to be made
    spend: it is money gone either way (PostgreSQL's reservation read holds with a later clock
    than its expiry: one that lapsed between the two counted nowhere, $0.3034 against $0.30)."""
    assert ledger.reserve("call-4", 0.4, CHECKS, 0.2) is None
    time.sleep(0.3)
    assert ledger.reserved("global") == 0.0  # no longer live
    assert ledger.held("global", 0.0) == pytest.approx(0.4)
    assert ledger.held("user:alice", 0.0) == pytest.approx(0.4)
    _expire_now(ledger)
    assert ledger.held("global", 0.0) == pytest.approx(0.4)  # now as spend, counted once
    assert ledger.spend("global", 0.0) == pytest.approx(0.4)


def test_a_second_lapse_under_one_reservation_id_is_counted_too(ledger) -> None:
    """A cut-off worker's hold lapses (made spend); back, it extends the same call, and is
    killed: that hold lapses too. Both are money its calls may have been billed. PostgreSQL
    keys records by (call_id, attempt) with ON CONFLICT DO NOTHING: a second lapsed record
    under the same key lost its spend."""
    assert ledger.reserve("call-5", 0.3, CHECKS, 0.2) is None
    time.sleep(0.3)
    _expire_now(ledger)
    assert ledger.reserve("call-5", 0.1, CHECKS, 0.2) is None  # the same call, extended
    time.sleep(0.3)
    _expire_now(ledger)
    ledger.flush()
    assert ledger.spend("global", 0.0) == pytest.approx(0.4)
    assert ledger.spend("user:alice", 0.0) == pytest.approx(0.4)
    assert sorted(r.cost_usd for r in ledger.records()) == pytest.approx([0.1, 0.3])


def test_a_late_renewal_revives_a_hold_no_one_has_expired_yet(ledger) -> None:
    """A process paused past the TTL (SIGSTOP, a frozen container) whose hold no reservation
    has made spend yet renews it when it wakes: its call is live, so the hold stays a hold and
    the call is counted once, at its real cost (renewals skipped expired rows, which the next
    reservation then made spend beside the call's own record)."""
    assert ledger.reserve("call-6", 0.3, CHECKS, 0.2) is None
    time.sleep(0.3)
    ledger.renew(["call-6"], 60)
    _expire_now(ledger)
    assert ledger.reserved("global") == pytest.approx(0.3)
    ledger.record(CallRecord(call_id="call-6", tier="t", model="m", cost_usd=0.01, user="alice"))
    ledger.release("call-6")
    ledger.flush()
    _expire_now(ledger)
    assert ledger.spend("global", 0.0) == pytest.approx(0.01)
    assert [(r.call_id, r.error_kind) for r in ledger.records()] == [("call-6", None)]
