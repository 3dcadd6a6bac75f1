"""Budgets: hard limits refuse, soft pressure rises linearly, UTC periods, cost estimates."""

from __future__ import annotations

import calendar
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from shared_core.budget import (
    BudgetAlert,
    BudgetGuard,
    estimate_cost,
    period_start,
    request_scopes,
)
from shared_core.config import BudgetConfig, BudgetLimit
from shared_core.errors import (
    BudgetExceededError,
    BudgetUnavailableError,
    InputError,
    LedgerUnavailableError,
)
from shared_core.ledger import CallRecord, InMemoryLedger, LimitCheck
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


# -- the guard's contract, pinned field by field (make mutation found these untested) ------


class _Unreachable(InMemoryLedger):
    """A ledger whose database is down for the scopes in ``down`` (every scope by default)."""

    def __init__(self, down: tuple[str, ...] | None = None) -> None:
        super().__init__()
        self.down = down
        self.ttls: list[float] = []

    def _fail(self, scope: str) -> None:
        if self.down is None or scope in self.down:
            raise LedgerUnavailableError("database down")

    def spend(self, scope: str, since: float) -> float:
        self._fail(scope)
        return super().spend(scope, since)

    def reserve(self, reservation_id, amount, limits, ttl_s):  # type: ignore[no-untyped-def]
        for lim in limits:
            self._fail(lim.scope)
        self.ttls.append(ttl_s)
        return super().reserve(reservation_id, amount, limits, ttl_s)


def test_checks_are_the_limits_as_the_ledger_sees_them_at_the_time_given() -> None:
    then = calendar.timegm((2026, 3, 15, 13, 0, 0))
    guard = BudgetGuard(
        [
            BudgetLimit(scope="global", period="month", limit_usd=30.0),
            BudgetLimit(scope="user:u", period="day", limit_usd=2.0),
            BudgetLimit(scope="tag:t", period="total", limit_usd=5.0),
        ],
        InMemoryLedger(),
    )
    assert guard.checks(["user:u"], now=then) == [
        LimitCheck("global", calendar.timegm((2026, 3, 1, 0, 0, 0)), 30.0, "month"),
        LimitCheck("user:u", calendar.timegm((2026, 3, 15, 0, 0, 0)), 2.0, "day"),
    ]
    assert [c.since for c in guard.checks(["tag:t"])] == [period_start("month"), 0.0]


def test_a_refused_reservation_names_the_limit_its_period_and_what_it_holds() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard(
        [
            BudgetLimit(scope="global", period="day", limit_usd=10.0),
            BudgetLimit(scope="user:u", period="month", limit_usd=1.0),
        ],
        led,
    )
    spend(led, 0.75, user="u")
    assert guard.reserve("r1", 0.25, ["user:u"]) is True  # exactly up to the limit
    with pytest.raises(BudgetExceededError) as info:
        guard.reserve("r2", 0.01, ["user:u"])
    e = info.value
    assert (e.scope, e.limit_usd, e.spent_usd, e.period, e.needed_usd) == ("user:u", 1.0, 1.0, "month", 0.01)
    assert str(e) == (
        "budget for scope 'user:u' exceeded: spent $1.000000 of $1.000000 this month (money held "
        "by calls in flight counts as spent); this call needs to hold up to $0.010000 (its worst "
        "case: the input and the output budget once per answer, or the per-request cap) and "
        "$0.000000 is left; the request was not sent to any provider"
    )
    assert led.reserved("global") == pytest.approx(0.25)  # r2 held nothing


def test_no_applicable_limit_reserves_nothing() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard([BudgetLimit(scope="user:u", limit_usd=1.0)], led)
    assert guard.reserve("r", 5.0, ["user:someone-else"]) is False
    assert led.reserved("user:u") == 0.0 and led.reserved("global") == 0.0


async def test_async_reserve_holds_refuses_and_skips_like_the_sync_one() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard([BudgetLimit(scope="user:u", period="month", limit_usd=1.0)], led)
    assert await guard.areserve("r", 5.0, ["global"]) is False
    assert await guard.areserve("r", 0.6, ["user:u"]) is True
    assert led.reserved("user:u") == pytest.approx(0.6)
    with pytest.raises(BudgetExceededError) as info:
        await guard.areserve("s", 0.5, ["user:u"])
    assert (info.value.scope, info.value.period, info.value.spent_usd) == ("user:u", "month", 0.6)
    down = BudgetGuard([BudgetLimit(limit_usd=1.0)], _Unreachable(), on_ledger_error="closed")
    with pytest.raises(BudgetUnavailableError, match=r"\(database down\)"):
        await down.areserve("r", 0.1, ["global"])


def test_the_guard_reserves_for_the_configured_ttl_default_600_s() -> None:
    led = _Unreachable(down=())
    BudgetGuard([BudgetLimit(limit_usd=1.0)], led).reserve("a", 0.1, ["global"])
    config = BudgetConfig(limits=[BudgetLimit(limit_usd=1.0)], reservation_ttl_s=7.5)
    BudgetGuard.from_config(config, led).reserve("b", 0.1, ["global"])
    assert led.ttls == [600.0, 7.5]


def test_closed_refuses_when_the_ledger_is_down_naming_the_limit_and_the_cause() -> None:
    limits = [BudgetLimit(scope="global", period="month", limit_usd=3.0)]
    config = BudgetConfig(limits=limits, on_ledger_error="closed")
    guard = BudgetGuard.from_config(config, _Unreachable())
    for attempt in (lambda: guard.reserve("r", 0.1, ["global"]), lambda: guard.check(["global"])):
        with pytest.raises(BudgetUnavailableError) as info:
            attempt()
        e = info.value
        assert (e.scope, e.limit_usd, e.period) == ("global", 3.0, "month")
        assert str(e) == (
            "budget for scope 'global' could not be checked (database down); "
            "budget.on_ledger_error is 'closed', so the request was not sent to any provider"
        )


def test_open_lets_the_call_through_unheld_and_warns_at_most_once_a_minute(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [5.0]  # seconds since boot: the first outage warns even on a fresh machine
    monkeypatch.setattr("shared_core.budget.time.monotonic", lambda: clock[0])
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0)], _Unreachable())  # open by default
    warning = (
        "budget: ledger unreachable (database down); on_ledger_error=open lets calls through "
        "unreserved until it is back, so spend may pass the limit meanwhile"
    )

    def warnings() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]

    with caplog.at_level("WARNING", logger="tier_router"):
        assert guard.reserve("r", 0.1, ["global"]) is False
        assert warnings() == [warning]
        clock[0] = 65.0
        assert guard.reserve("r", 0.1, ["global"]) is False
        guard.check(["global"])  # a read lets the call through too
        assert warnings() == [warning]
        clock[0] = 65.5
        assert guard.reserve("r", 0.1, ["global"]) is False
        assert warnings() == [warning, warning]


def test_check_skips_an_unreachable_limit_and_still_enforces_the_next() -> None:
    led = _Unreachable(down=("user:u",))
    guard = BudgetGuard(
        [
            BudgetLimit(scope="user:u", limit_usd=1.0),
            BudgetLimit(scope="tag:t", limit_usd=1.0),
        ],
        led,
    )
    spend(led, 2.0, tags=("t",), user="u")
    with pytest.raises(BudgetExceededError, match="tag:t"):
        guard.check(request_scopes(("t",), "u"))


def test_no_pressure_without_numbers() -> None:
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0)], _Unreachable())
    assert guard.pressure(["global"]) == 0.0


async def test_async_pressure_reads_held_money_like_the_sync_one() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0, soft_fraction=0.5)], led)
    spend(led, 0.6)
    led.reserve("r", 0.1, [LimitCheck("global", 0.0, 1.0)], 60)
    assert await guard.apressure(["global"]) == pytest.approx(0.4)
    assert guard.pressure(["global"]) == pytest.approx(0.4)
    down = BudgetGuard([BudgetLimit(limit_usd=1.0)], _Unreachable())
    assert await down.apressure(["global"]) == 0.0
    then = time.time() - 40 * 86_400  # the period of the time given, as the sync one
    spend(led, 5.0, ts=then)
    assert await guard.apressure(["global"], now=then) == 1.0
    assert await guard.apressure(["global"]) == pytest.approx(0.4)


def test_pressure_with_no_soft_zone_is_zero_until_the_limit_then_one() -> None:
    led = InMemoryLedger()
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0, soft_fraction=1.0)], led)
    spend(led, 0.5)
    assert guard.pressure(["global"]) == 0.0
    spend(led, 0.5)
    assert guard.pressure(["global"]) == 1.0


def test_below_the_soft_zone_a_steep_curve_adds_no_pressure() -> None:
    led = InMemoryLedger()
    spend(led, 0.5)
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0, soft_fraction=0.8, curve=0.5)], led)
    assert guard.pressure(["global"]) == 0.0


def test_the_estimate_counts_the_tiers_system_prompt_as_input() -> None:
    prices = PriceTable()
    plain = Tier(name="s", model="gpt-4o-mini", max_tokens=10)
    prompted = Tier(name="s", model="gpt-4o-mini", max_tokens=10, system_prompt="x" * 400)
    assert estimate_cost(prompted, 50, prices) == pytest.approx(
        prices.cost("gpt-4o-mini", Usage(50 + 100, 10))
    )
    assert estimate_cost(plain, 50, prices) == pytest.approx(
        prices.cost("gpt-4o-mini", Usage(50, 10))
    )


def test_alerts_fire_once_per_fraction_after_a_release_with_the_numbers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    led = InMemoryLedger()
    guard = BudgetGuard(
        [BudgetLimit(scope="tag:t", period="month", limit_usd=2.0, alert_at=[0.5, 0.9])], led
    )
    seen: list[BudgetAlert] = []
    assert guard.on_alert(seen.append) == seen.append

    def broken(alert: BudgetAlert) -> None:
        raise RuntimeError("user callback bug")

    guard.on_alert(broken)
    spend(led, 1.2, tags=("t",))
    before = watchers()
    with caplog.at_level("WARNING", logger="tier_router"):
        guard.release("call-1", ["global", "tag:t"])
        guard.wait_alerts()
        guard.release("call-2", ["global", "tag:t"])
        guard.wait_alerts()
        assert seen == [BudgetAlert("tag:t", "month", period_start("month"), 0.5, 2.0, 1.2)]
        # one watcher, named, a daemon: a process with alerts still exits
        assert watchers() == before + 1
        assert all(t.daemon for t in threading.enumerate() if t.name == "tier-router-alerts")
        spend(led, 0.7, tags=("t",))
        assert [a.fraction for a in guard.check_alerts(["tag:t"])] == [0.9]
    assert [a.fraction for a in seen] == [0.5, 0.9]
    assert guard.check_alerts(["tag:t"]) == []
    logged = [(r.levelname, r.getMessage()) for r in caplog.records]
    failed = f"budget alert callback {broken!r} failed"
    assert logged == [
        ("WARNING", "budget alert: scope 'tag:t' spent $1.200000 this month, 50% of its $2.000000 limit"),
        ("ERROR", failed),
        ("WARNING", "budget alert: scope 'tag:t' spent $1.900000 this month, 90% of its $2.000000 limit"),
        ("ERROR", failed),
    ]
    assert "RuntimeError: user callback bug" in caplog.text  # with its traceback


class _SlowStart(threading.Thread):
    def start(self) -> None:
        time.sleep(0.05)  # every caller of the burst is past the first look meanwhile
        super().start()


def test_a_burst_of_finished_calls_starts_one_watcher(monkeypatch: pytest.MonkeyPatch) -> None:
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0, alert_at=[0.5])], InMemoryLedger())
    monkeypatch.setattr("shared_core.budget_alerts.threading.Thread", _SlowStart)
    gate = threading.Barrier(6)

    def finish(n: int) -> None:
        gate.wait()
        guard.release(f"r{n}", ["global"])

    before = watchers()
    callers = [threading.Thread(target=finish, args=(n,)) for n in range(6)]
    for c in callers:
        c.start()
    for c in callers:
        c.join()
    guard.wait_alerts()
    assert watchers() == before + 1


class _Gated(InMemoryLedger):
    """The first spend read waits for ``gate``; counts every read."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.reads: list[str] = []

    def spend(self, scope: str, since: float) -> float:
        self.reads.append(scope)
        if len(self.reads) == 1:
            self.gate.wait(10)
        return super().spend(scope, since)


def test_alert_checks_queued_meanwhile_are_coalesced_into_one() -> None:
    led = _Gated()
    guard = BudgetGuard(
        [
            BudgetLimit(scope="tag:a", limit_usd=1.0, alert_at=[0.5]),
            BudgetLimit(scope="tag:b", limit_usd=1.0, alert_at=[0.5]),
        ],
        led,
    )
    fired: list[BudgetAlert] = []
    guard.on_alert(fired.append)
    guard.release("first", ["tag:a"])  # the watcher reads tag:a and waits
    deadline = time.monotonic() + 10
    while not led.reads and time.monotonic() < deadline:
        time.sleep(0.005)
    spend(led, 0.6, tags=("a", "b"))
    for n in range(3):
        guard.release(f"r{n}", ["tag:b"] if n == 1 else ["tag:a"])
    led.gate.set()
    guard.wait_alerts()
    assert led.reads == ["tag:a", "tag:a", "tag:b"]  # the three queued: one check of both
    assert sorted(a.scope for a in fired) == ["tag:a", "tag:b"]


def watchers() -> int:
    return sum(t.name == "tier-router-alerts" for t in threading.enumerate())


def test_a_guard_without_alerts_starts_no_watcher_thread() -> None:
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0)], InMemoryLedger())
    before = watchers()
    guard.release("r", ["global"])
    assert watchers() == before
    guard.wait_alerts(timeout_s=0.0)
    assert guard.check_alerts() == []
    assert repr(guard) == "BudgetGuard(limits=1, ledger=InMemoryLedger(records=0))"


def test_a_guard_built_directly_has_the_configs_defaults() -> None:
    """TTL 600 s and ``on_ledger_error='open'``, as ``budget:`` in a config file."""
    limits = [BudgetLimit(limit_usd=1.0)]
    direct = BudgetGuard(limits, InMemoryLedger())
    configured = BudgetGuard.from_config(BudgetConfig(limits=limits), InMemoryLedger())
    assert (direct.ttl_s, direct.on_ledger_error) == (600.0, "open")
    assert (configured.ttl_s, configured.on_ledger_error) == (600.0, "open")


def test_every_limit_with_alerts_is_checked_and_each_fires_on_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    led = InMemoryLedger()
    guard = BudgetGuard(
        [
            BudgetLimit(scope="global", limit_usd=100.0),  # no alerts: skipped, not the end
            BudgetLimit(scope="tag:quiet", limit_usd=100.0, alert_at=[0.5]),  # not reached
            BudgetLimit(scope="tag:a", period="day", limit_usd=2.0, alert_at=[0.5]),
            BudgetLimit(scope="tag:a", period="month", limit_usd=2.0, alert_at=[0.5]),
            BudgetLimit(scope="tag:b", limit_usd=2.0, alert_at=[0.5]),
        ],
        led,
    )
    spend(led, 1.0, tags=("a", "b"))  # exactly half: reaching a fraction fires it
    fired = guard.check_alerts(["tag:quiet", "tag:a", "tag:b"])
    assert [(a.scope, a.period, a.fraction) for a in fired] == [
        ("tag:a", "day", 0.5), ("tag:a", "month", 0.5), ("tag:b", "day", 0.5)
    ]
    # the next day is a new period: its alert fires again
    import shared_core.budget as budget

    tomorrow = time.time() + 86_400
    fake = type("Clock", (), {"time": staticmethod(lambda: tomorrow), "gmtime": time.gmtime})
    monkeypatch.setattr(budget, "time", fake)
    spend(led, 1.0, tags=("b",), ts=tomorrow)
    assert [(a.scope, a.period_start) for a in guard.check_alerts(["tag:b"])] == [
        ("tag:b", period_start("day", tomorrow))
    ]


def test_a_failed_alert_check_is_logged_and_the_next_call_tries_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    led = _Unreachable()
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0, alert_at=[0.5])], led)
    fired: list[BudgetAlert] = []
    guard.on_alert(fired.append)
    spend(led, 0.6)
    with caplog.at_level("DEBUG", logger="tier_router"):
        guard.release("r1", ["global"])
        guard.wait_alerts()
    assert [r.getMessage() for r in caplog.records if r.levelname == "DEBUG"] == [
        "budget alert check failed: database down"
    ]
    led.down = ()
    guard.release("r2", ["global"])
    guard.wait_alerts()
    assert [a.fraction for a in fired] == [0.5]


def test_waiting_for_alerts_gives_up_after_ten_seconds_polling_every_10_ms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shared_core.budget_alerts as budget  # (the watcher's clock)

    led = _Gated()
    guard = BudgetGuard([BudgetLimit(limit_usd=1.0, alert_at=[0.5])], led)
    guard.release("r", ["global"])  # the check hangs on the gate
    deadline = time.monotonic() + 10
    while not led.reads and time.monotonic() < deadline:
        time.sleep(0.005)
    clock = [0.0]
    naps: list[float] = []

    def nap(s: float) -> None:
        naps.append(s)
        clock[0] += 0.25

    fake = type(
        "Clock", (), {"monotonic": staticmethod(lambda: clock[0]), "sleep": staticmethod(nap)}
    )
    monkeypatch.setattr(budget, "time", fake)
    try:
        guard.wait_alerts()
    finally:
        led.gate.set()
    assert clock[0] == 10.0 and len(naps) == 40 and set(naps) == {0.01}


def test_on_the_first_of_a_month_a_day_and_a_month_limit_each_fire(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Both periods start at the same midnight then: the alert is claimed per period too."""
    import shared_core.budget as budget

    first = float(calendar.timegm((2026, 12, 1, 12, 0, 0)))
    fake = type("Clock", (), {"time": staticmethod(lambda: first), "gmtime": time.gmtime})
    monkeypatch.setattr(budget, "time", fake)
    led = InMemoryLedger()
    guard = BudgetGuard(
        [
            BudgetLimit(scope="tag:a", period="day", limit_usd=2.0, alert_at=[0.5]),
            BudgetLimit(scope="tag:a", period="month", limit_usd=2.0, alert_at=[0.5]),
        ],
        led,
    )
    spend(led, 1.0, tags=("a",), ts=first)
    assert [(a.period, a.period_start) for a in guard.check_alerts(["tag:a"])] == [
        ("day", calendar.timegm((2026, 12, 1, 0, 0, 0))),
        ("month", calendar.timegm((2026, 12, 1, 0, 0, 0))),
    ]


def test_an_alert_queued_as_a_short_script_ends_still_reaches_its_callback(tmp_path: Path) -> None:
    """Alerts are checked on a daemon thread; a script whose last call crossed a threshold
    exited before the check ran, and the callback never saw it (1 run in 3)."""
    import subprocess
    import sys
    import textwrap

    script = tmp_path / "short.py"
    script.write_text(textwrap.dedent("""
        import time
        from shared_core.budget import BudgetGuard, BudgetLimit
        from shared_core.ledger import CallRecord, InMemoryLedger

        class Slow(InMemoryLedger):
            def spend(self, scope, since):
                time.sleep(0.3)  # a remote ledger: the check takes a moment
                return super().spend(scope, since)

        led = Slow()
        guard = BudgetGuard([BudgetLimit(scope="global", period="day", limit_usd=1.0, alert_at=[0.5])], led)
        guard.on_alert(lambda a: print("ALERT", a.fraction, flush=True))
        led.record(CallRecord(call_id="c", tier="t", model="m", cost_usd=0.8))
        guard.release("c", ["global"])
    """))
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=root,
                         env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr
    assert "ALERT 0.5" in out.stdout
