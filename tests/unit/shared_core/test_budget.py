"""Budgets: hard limits refuse, soft pressure rises linearly, UTC periods, cost estimates."""

from __future__ import annotations

import calendar
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared_core.budget import BudgetGuard, estimate_cost, period_start, request_scopes
from shared_core.config import BudgetLimit
from shared_core.errors import BudgetExceededError, InputError
from shared_core.ledger import CallRecord, InMemoryLedger
from shared_core.pricing import PriceTable, Usage
from shared_core.tier import Tier


def spend(
    ledger: InMemoryLedger,
    usd: float,
    *,
    tags: tuple[str, ...] = (),
    user: str | None = None,
    ts: float | None = None,
) -> None:
    ledger.record(
        CallRecord(
            call_id=f"c{len(ledger)}",
            tier="t",
            model="m",
            cost_usd=usd,
            tags=tags,
            user=user,
            ts=time.time() if ts is None else ts,
        )
    )


def test_period_start_is_utc() -> None:
    now = calendar.timegm((2026, 3, 15, 23, 59, 59))
    assert period_start("day", now) == calendar.timegm((2026, 3, 15, 0, 0, 0))
    assert period_start("month", now) == calendar.timegm((2026, 3, 1, 0, 0, 0))
    assert period_start("total", now) == 0.0
    with pytest.raises(ValueError, match="period"):
        period_start("week", now)


def test_request_scopes() -> None:
    assert request_scopes(("a", "b", "a"), "u1") == ["global", "tag:a", "tag:b", "user:u1"]
    assert request_scopes() == ["global"]


def test_hard_limit_refuses_with_scope_limit_and_spend() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard([BudgetLimit(scope="global", period="day", limit_usd=1.0)], led)
    guard.check(["global"])
    spend(led, 0.6)
    guard.check(["global"])
    spend(led, 0.4)
    with pytest.raises(BudgetExceededError) as info:
        guard.check(["global", "user:x"])
    e = info.value
    assert e.scope == "global" and e.limit_usd == 1.0 and e.spent_usd == pytest.approx(1.0)
    assert e.period == "day" and "global" in str(e) and "1.0" in str(e)


def test_limits_apply_only_to_their_scope() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard(
        [
            BudgetLimit(scope="tag:search", period="month", limit_usd=1.0),
            BudgetLimit(scope="user:bob", period="day", limit_usd=0.5),
        ],
        led,
    )
    spend(led, 2.0, tags=("other",), user="alice")
    guard.check(request_scopes(("search",), "bob"))  # nothing spent in these scopes
    spend(led, 0.5, user="bob")
    guard.check(request_scopes(("search",), "alice"))
    with pytest.raises(BudgetExceededError, match="user:bob"):
        guard.check(request_scopes((), "bob"))
    spend(led, 1.0, tags=("search",))
    with pytest.raises(BudgetExceededError, match="tag:search"):
        guard.check(request_scopes(("search",), "alice"))


def test_yesterdays_spend_does_not_count_today() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0, period="day")], led)
    now = time.time()
    spend(led, 5.0, ts=period_start("day", now) - 1)
    guard.check(["global"], now=now)
    total = BudgetGuard([BudgetLimit(limit_usd=1.0, period="total")], led)
    with pytest.raises(BudgetExceededError):
        total.check(["global"], now=now)


def test_pressure_is_zero_below_soft_and_linear_to_one() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard([BudgetLimit(limit_usd=10.0, soft_fraction=0.8)], led)
    assert guard.pressure(["global"]) == 0.0
    spend(led, 8.0)
    assert guard.pressure(["global"]) == pytest.approx(0.0)
    spend(led, 1.0)
    assert guard.pressure(["global"]) == pytest.approx(0.5)
    spend(led, 1.0)
    assert guard.pressure(["global"]) == pytest.approx(1.0)
    spend(led, 5.0)
    assert guard.pressure(["global"]) == 1.0


@given(st.floats(0, 30), st.floats(0.05, 1.0))
def test_pressure_bounded_and_monotone(spent: float, soft: float) -> None:
    led = InMemoryLedger()
    guard = BudgetGuard([BudgetLimit(limit_usd=10.0, soft_fraction=soft)], led)
    spend(led, spent)
    p1 = guard.pressure(["global"])
    spend(led, 0.5)
    p2 = guard.pressure(["global"])
    assert 0.0 <= p1 <= p2 <= 1.0


def test_worst_scope_wins_pressure() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard(
        [
            BudgetLimit(limit_usd=100.0),
            BudgetLimit(scope="user:u", limit_usd=1.0, soft_fraction=0.5),
        ],
        led,
    )
    spend(led, 0.75, user="u")
    assert guard.pressure(request_scopes((), "u")) == pytest.approx(0.5)
    assert guard.pressure(["global"]) == 0.0


def test_bad_scope_fails_at_construction() -> None:
    with pytest.raises(ValidationError, match="budget scope must be 'global'"):
        BudgetLimit(scope="team:x", limit_usd=1.0)
    # a limit built without validation is still refused by the guard
    bad = BudgetLimit.model_construct(scope="team:x", limit_usd=1.0)
    with pytest.raises(InputError, match="scope"):
        BudgetGuard([bad], InMemoryLedger())


def test_estimate_cost_uses_input_and_whole_output_budget() -> None:
    prices = PriceTable()
    tier = Tier(name="s", model="gpt-4o-mini", max_tokens=1000)
    expected = prices.cost("gpt-4o-mini", Usage(2000, 1000))
    assert estimate_cost(tier, 2000, prices) == pytest.approx(expected)
    assert estimate_cost(Tier(name="s", model="gpt-4o-mini"), 10, prices) is None
    assert (
        estimate_cost(Tier(name="u", model="unknown-model-for-budget", max_tokens=5), 10, prices)
        is None
    )


def test_overspend_bounded_by_requests_in_flight(tmp_path: Path) -> None:
    """8 threads check-then-record against one SQLite ledger: spend <= limit + 8 x one call."""
    import threading

    from shared_core.ledger import SQLiteLedger

    led = SQLiteLedger(tmp_path / "b.db")
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0)], led)
    per_call = 0.01
    refused = [0] * 8

    def worker(n: int) -> None:
        for i in range(200):
            try:
                guard.check(["global"])
            except BudgetExceededError:
                refused[n] += 1
                continue
            led.record(CallRecord(call_id=f"{n}-{i}", tier="t", model="m", cost_usd=per_call))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spent = led.spend("global", 0)
    assert 1.0 <= spent <= 1.0 + 8 * per_call + 1e-9
    assert all(r > 0 for r in refused)
    led.close()


def test_pressure_curve_shapes_the_shift_toward_cheaper_tiers():
    from shared_core.budget import BudgetGuard
    from shared_core.config import BudgetLimit
    from shared_core.ledger import CallRecord, InMemoryLedger

    ledger = InMemoryLedger()
    ledger.record(CallRecord(call_id="a", tier="t", model="m", cost_usd=0.9))  # 90% of the limit
    linear = BudgetGuard([BudgetLimit(limit_usd=1.0, soft_fraction=0.8)], ledger)
    gentle = BudgetGuard([BudgetLimit(limit_usd=1.0, soft_fraction=0.8, curve=2.0)], ledger)
    steep = BudgetGuard([BudgetLimit(limit_usd=1.0, soft_fraction=0.8, curve=0.5)], ledger)
    assert linear.pressure(["global"]) == pytest.approx(0.5)
    assert gentle.pressure(["global"]) == pytest.approx(0.25)
    assert steep.pressure(["global"]) == pytest.approx(0.5**0.5)
