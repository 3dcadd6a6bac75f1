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
