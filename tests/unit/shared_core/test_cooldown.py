"""Cooldown: skip a tier after N consecutive failures, probe it again after the pause."""

from __future__ import annotations

import threading

import pytest

from shared_core.cooldown import Cooldown
from shared_core.errors import ConfigError


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_skips_after_n_consecutive_failures_for_the_period(clock: FakeClock) -> None:
    cd = Cooldown(3, 30.0, clock=clock)
    cd.failure("cheap")
    cd.failure("cheap")
    assert cd.available("cheap") and cd.state("cheap") == "closed"
    cd.failure("cheap")
    assert not cd.available("cheap") and cd.state("cheap") == "open"
    assert cd.remaining("cheap") == pytest.approx(30.0)
    assert cd.available("strong"), "other tiers are unaffected"
    clock.advance(29.9)
    assert not cd.available("cheap")
    clock.advance(0.2)
    assert cd.available("cheap") and cd.state("cheap") == "half_open"
    assert cd.remaining("cheap") == 0.0


def test_success_resets_the_consecutive_count(clock: FakeClock) -> None:
    cd = Cooldown(2, 10.0, clock=clock)
    cd.failure("a")
    cd.success("a")
    cd.failure("a")
    assert cd.available("a"), "failures separated by a success are not consecutive"
    cd.failure("a")
    assert not cd.available("a")


def test_failed_probe_reopens_at_once_and_successful_probe_closes(clock: FakeClock) -> None:
    cd = Cooldown(3, 10.0, clock=clock)
    for _ in range(3):
        cd.failure("a")
    clock.advance(10.0)
    assert cd.state("a") == "half_open"
    cd.failure("a")  # one failed probe is enough: no need for 3 more
    assert cd.state("a") == "open" and cd.remaining("a") == pytest.approx(10.0)
    clock.advance(10.0)
    cd.success("a")
    assert cd.state("a") == "closed"
    cd.failure("a")
    assert cd.available("a"), "after closing, the threshold applies afresh"


def test_available_is_a_pure_query(clock: FakeClock) -> None:
    cd = Cooldown(1, 5.0, clock=clock)
    cd.failure("a")
    clock.advance(5.0)
    # the router may ask several times while deciding: asking never uses up the probe
    assert all(cd.available("a") for _ in range(10))
    assert cd.state("a") == "half_open"


def test_failure_while_open_restarts_the_pause(clock: FakeClock) -> None:
    cd = Cooldown(1, 10.0, clock=clock)
    cd.failure("a")
    clock.advance(6.0)
    cd.failure("a")  # probed anyway (every tier cooling down) and failed again
    clock.advance(6.0)
    assert not cd.available("a")
    clock.advance(4.0)
    assert cd.available("a")


def test_zero_seconds_never_skips(clock: FakeClock) -> None:
    cd = Cooldown(1, 0.0, clock=clock)
    cd.failure("a")
    assert cd.available("a")


def test_reset_and_snapshot(clock: FakeClock) -> None:
    cd = Cooldown(1, 10.0, clock=clock)
    cd.failure("a")
    cd.failure("b")
    assert cd.snapshot() == {"a": "open", "b": "open"}
    cd.reset("a")
    assert cd.available("a") and not cd.available("b")
    cd.reset()
    assert cd.snapshot() == {}
    assert "failures=1" in repr(cd)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 1.0), (-1, 1.0), (1.5, 1.0), (True, 1.0), (1, -1.0), (1, float("nan"))],
)
def test_invalid_settings_name_the_field(failures: object, seconds: object) -> None:
    with pytest.raises(ConfigError, match="cooldown"):
        Cooldown(failures, seconds)  # type: ignore[arg-type]


def test_thread_safe_counting(clock: FakeClock) -> None:
    cd = Cooldown(4000, 10.0, clock=clock)
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        for _ in range(500):
            cd.failure("a")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 8 * 500 = 4000 failures exactly reach the threshold: none lost to races
    assert cd.state("a") == "open"
    cd2 = Cooldown(4001, 10.0, clock=clock)
    for _ in range(4000):
        cd2.failure("a")
    assert cd2.state("a") == "closed"


def test_retry_after_opens_at_once_for_as_long_as_the_provider_asked(clock: FakeClock) -> None:
    cd = Cooldown(3, 30.0, clock=clock)
    cd.failure("cheap", retry_after=120.0)  # one 429 with Retry-After: 120
    assert cd.state("cheap") == "open" and cd.remaining("cheap") == pytest.approx(120.0)
    clock.advance(119.9)
    assert not cd.available("cheap")
    clock.advance(0.2)
    assert cd.state("cheap") == "half_open"  # then one probe, as after any pause


def test_a_short_retry_after_before_the_threshold_pauses_only_that_long(clock: FakeClock) -> None:
    cd = Cooldown(3, 30.0, clock=clock)
    cd.failure("cheap", retry_after=2.0)
    assert cd.remaining("cheap") == pytest.approx(2.0)
    clock.advance(2.1)
    assert cd.available("cheap")


def test_at_the_threshold_the_longer_of_the_two_wins(clock: FakeClock) -> None:
    cd = Cooldown(1, 30.0, clock=clock)
    cd.failure("a", retry_after=5.0)
    assert cd.remaining("a") == pytest.approx(30.0)
    cd2 = Cooldown(1, 30.0, clock=clock)
    cd2.failure("a", retry_after=90.0)
    assert cd2.remaining("a") == pytest.approx(90.0)


def test_retry_after_is_capped(clock: FakeClock) -> None:
    from shared_core.cooldown import MAX_RETRY_AFTER_S

    cd = Cooldown(3, 30.0, clock=clock)
    cd.failure("a", retry_after=86_400.0)  # "come back tomorrow": probed every ten minutes
    assert cd.remaining("a") == pytest.approx(MAX_RETRY_AFTER_S)


def test_a_later_failure_never_shortens_the_provider_s_pause(clock: FakeClock) -> None:
    cd = Cooldown(1, 10.0, clock=clock)
    cd.failure("a", retry_after=300.0)
    clock.advance(5.0)
    cd.failure("a")  # a call already in flight fails without the header
    assert cd.remaining("a") == pytest.approx(295.0)


@pytest.mark.parametrize("retry_after", [None, 0.0, -1.0])
def test_no_or_zero_retry_after_keeps_the_count(clock: FakeClock, retry_after: float | None) -> None:
    cd = Cooldown(3, 30.0, clock=clock)
    cd.failure("a", retry_after=retry_after)
    assert cd.state("a") == "closed"


def test_cooldowns_off_ignore_retry_after(clock: FakeClock) -> None:
    cd = Cooldown(1, 0.0, clock=clock)
    cd.failure("a", retry_after=60.0)
    assert cd.available("a")
