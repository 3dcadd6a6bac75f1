"""Skip a tier that keeps failing for a while, then probe it again (a circuit breaker).

States per tier: *closed* (available; counts consecutive failures), *open* (after
``failures`` consecutive failures: unavailable for ``seconds``), *half-open* (the
cool-down has elapsed: available again; the next outcome decides - a success
closes the circuit, a single failure opens it for another ``seconds``).

A provider that says how long to stay away (``Retry-After`` on a 429 or 503, read by
:func:`~shared_core.faults.retry_after_seconds`) opens the circuit at once, whatever the
count, for that long (at most :data:`MAX_RETRY_AFTER_S`), or for ``seconds`` if that is
longer and the count reached ``failures``: sending it more requests before then only buys
more 429s and their latency. ``seconds = 0`` (cool-downs off) ignores it too.

With fallback on, a tier cooling down is skipped when the router decides (a call meant for it
goes to another tier, with a WARNING); with fallback off (:func:`fallback_off`) it is not,
and a call on it is refused before any provider is called.

:meth:`Cooldown.available` is a pure query, so the router may ask it as often as it
likes while deciding. Thread-safe; the clock is injectable for tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .errors import ConfigError

if TYPE_CHECKING:
    from .config_sections import FallbackConfig

CircuitState = Literal["closed", "open", "half_open"]

MAX_RETRY_AFTER_S = 600.0
"""The longest a provider's ``Retry-After`` keeps a tier skipped (a quota reset hours away
still gets a probe every ten minutes)."""


@dataclass
class _Entry:
    consecutive: int = 0
    until: float | None = None
    """When the cool-down ends (``None``: the circuit never opened)."""


def fallback_off(fallback: FallbackConfig) -> bool:
    """Whether no fault may move a call to another tier (``enabled: false``, or no kind in
    ``on``): then a cool-down does not move calls either. A call whose tier is cooling down
    is refused (:class:`~shared_core.errors.TierCoolingDownError`) instead of being sent to
    another tier; with fallback on, the cooling tier is skipped when deciding (and the move
    is logged, see :func:`shared_core.telemetry.cooldown_move`)."""
    return not fallback.enabled or not fallback.on


class Cooldown:
    """Per-tier consecutive-failure counter with a timed skip and a half-open probe."""

    def __init__(
        self, failures: int, seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if isinstance(failures, bool) or not isinstance(failures, int) or failures < 1:
            raise ConfigError(
                f"fallback.cooldown_failures must be an integer >= 1, got {failures!r}",
                field="fallback.cooldown_failures",
                value=failures,
            )
        if not isinstance(seconds, (int, float)) or not seconds >= 0:
            raise ConfigError(
                f"fallback.cooldown_s must be a number >= 0, got {seconds!r}",
                field="fallback.cooldown_s",
                value=seconds,
            )
        self.failures = failures
        self.seconds = float(seconds)
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def state(self, tier: str) -> CircuitState:
        """``closed``, ``open`` (being skipped) or ``half_open`` (next call is a probe)."""
        with self._lock:
            return self._state(self._entries.get(tier))

    @property
    def idle(self) -> bool:
        """No tier has a failure on record: every tier is available (a lock-free read)."""
        return not self._entries

    def available(self, tier: str) -> bool:
        """``False`` while ``tier`` is cooling down after too many consecutive failures."""
        if tier not in self._entries:  # hot path: no failure on record, no lock needed
            return True
        return self.state(tier) != "open"

    def remaining(self, tier: str) -> float:
        """Seconds until ``tier`` may be probed again (0 when available)."""
        with self._lock:
            entry = self._entries.get(tier)
            if entry is None or entry.until is None:
                return 0.0
            return max(0.0, entry.until - self._clock())

    def success(self, tier: str) -> None:
        """A call on ``tier`` succeeded: close its circuit and reset the count."""
        if tier not in self._entries:  # hot path: nothing to reset
            return
        with self._lock:
            self._entries.pop(tier, None)

    def failure(self, tier: str, retry_after: float | None = None) -> None:
        """A call on ``tier`` failed: count it; at the threshold, or when a probe fails, the
        tier is skipped for ``seconds`` from now. ``retry_after``: the provider asked to wait
        that many seconds (see the module docstring); a pause already running is never
        shortened."""
        with self._lock:
            entry = self._entries.setdefault(tier, _Entry())
            state = self._state(entry)
            entry.consecutive += 1
            now = self._clock()
            wait = self.seconds if state == "half_open" or entry.consecutive >= self.failures else None
            if retry_after is not None and retry_after > 0 and self.seconds > 0:
                wait = max(wait or 0.0, min(float(retry_after), MAX_RETRY_AFTER_S))
            if wait is not None:  # (re)start the cool-down from now
                end = now + wait
                entry.until = end if state != "open" or entry.until is None else max(entry.until, end)

    def reset(self, tier: str | None = None) -> None:
        """Forget the history of one tier, or of all tiers."""
        with self._lock:
            if tier is None:
                self._entries.clear()
            else:
                self._entries.pop(tier, None)

    def snapshot(self) -> dict[str, CircuitState]:
        """State of every tier with a failure history (for logs and ``/health`` pages)."""
        with self._lock:
            return {name: self._state(e) for name, e in self._entries.items()}

    def _state(self, entry: _Entry | None) -> CircuitState:
        if entry is None or entry.until is None:
            return "closed"
        if self._clock() < entry.until:
            return "open"
        return "half_open"

    def __repr__(self) -> str:
        return (
            f"Cooldown(failures={self.failures}, seconds={self.seconds}, states={self.snapshot()})"
        )
