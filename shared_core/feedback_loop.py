"""The closed loop: the knob follows logged outcomes, in bounded steps, shared through the ledger.

A :class:`KnobController` (built by the router when ``feedback.auto_adjust`` is on) reads,
from the ledger, the outcomes of calls first answered *below the strongest tier* (an
escalation counts 0, otherwise the mean user feedback score; see
:func:`~shared_core.training.calibrate.ledger_outcomes`) routed since the knob last changed.
Once ``window`` of them are in, it looks at the latest ``window``:

* success rate below ``low``: the cheaper tiers under-serve, the knob goes up one ``step``;
* at or above ``high``: they over-serve, the knob comes down one step;
* in between: it holds.

Never outside ``bounds``. After a change only calls routed with the new knob count (a call
is dated by when its first attempt began, so one still in flight at the change is not), so
the same evidence never moves it twice; and turning back (down after up, or up after
down) needs two full fresh windows agreeing, so one lucky or unlucky window cannot flip
it back and forth step after step. The knob is stored in the ledger
(:meth:`~shared_core.ledger.CostLedger.put_state`, compare-and-set), so every worker
sharing the ledger routes with the same knob and a change is made once; every change
is kept in the ledger's state history and logged on the ``tier_router`` logger.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .decision import KNOB_VERSION
from .errors import RouterError

if TYPE_CHECKING:
    from .config import RouterConfig
    from .ledger.base import CostLedger

logger = logging.getLogger("tier_router")

MAX_WINDOWS_READ = 16
"""A check reads at most this many windows of the newest feedback (of its own variant's
calls, under A/B): when fewer than two windows of it are on calls answered below the
strongest tier (they get under 1/8 of the feedback), the knob holds rather than the check
reading the whole ledger."""

__all__ = ["Adjustment", "KnobController"]


@dataclass(frozen=True)
class Adjustment:
    """One evaluation of the window: the knob before and after, and why."""

    old: float
    new: float
    success: float
    calls: int
    reason: str


class KnobController:
    """Holds the shared knob of one router config and moves it from the ledger's outcomes.

    ``refresh_s``: how long a read of the shared knob is reused before the ledger is asked
    again; ``check_every``: evaluate the window after this many feedback entries or
    decisions (default: a tenth of the window).
    """

    def __init__(
        self,
        config: RouterConfig,
        ledger: CostLedger,
        *,
        refresh_s: float = 1.0,
        check_every: int | None = None,
    ) -> None:
        self.config = config
        self.fb = config.feedback
        self.ledger = ledger
        self.key = f"knob:{self.fb.key}"
        self.refresh_s = refresh_s
        self.check_every = check_every or max(1, self.fb.window // 10)
        self._lock = threading.Lock()
        self._cached: tuple[float, float, int, float] | None = None  # knob, since, version, read at
        self._events = 0
        self.variant: str | None = None
        self._base: float | None = None  # the policy.threshold the stored knob grew from
        self._warned = False
        self._warned_bounds = False
        self._stored: tuple[float, float, int] | None = None  # the last knob read from the ledger
        """Count only the calls of this A/B variant (set by :class:`~shared_core.variants.VariantRouter`)."""

    # -- reading --------------------------------------------------------------------------
    def _state(self, fresh: bool = False) -> tuple[float, float, int]:
        now = time.monotonic()
        with self._lock:
            hit = self._cached
            if hit is not None and not fresh and now - hit[3] < self.refresh_s:
                return hit[0], hit[1], hit[2]
        value, version = self.ledger.get_state(self.key)
        if value is None:
            known = self._stored
            if known is not None:
                # a stored knob never disappears (versions only grow): this read failed (a
                # ledger that cannot be read returns nothing); keep the knob last known, cached
                # for refresh_s like any read (else every decision would ask the ledger again)
                with self._lock:
                    self._cached = (*known, now)
                return known
            knob, since = float(self.config.policy.threshold), 0.0
        else:
            knob, since = self._within_bounds(float(value["knob"])), float(value.get("since", 0.0))
            self._check_base(value, knob)
        with self._lock:
            self._cached = (knob, since, version, now)
            if value is not None:
                self._stored = (knob, since, version)
        return knob, since, version

    def _within_bounds(self, knob: float) -> float:
        """The stored knob held to this config's bounds (a redeploy may have narrowed them)."""
        lo, hi = self.fb.bounds
        held = min(hi, max(lo, knob))
        if held != knob and not self._warned_bounds:
            self._warned_bounds = True
            logger.warning(
                "feedback loop %s: the stored knob %.3g is outside this config's bounds [%.3g, %.3g]; "
                "routing with %.3g", self.key, knob, lo, hi, held,
            )
        return held

    def _check_base(self, value: dict[str, Any], knob: float) -> None:
        """Say once when the stored knob grew from another ``policy.threshold`` than this
        config's (recalibrated, edited): the stored one stays in force until :meth:`reset`."""
        self._base = value.get("base", self._base)
        threshold = float(self.config.policy.threshold)
        if self._warned or self._base is None or abs(float(self._base) - threshold) < 1e-9:
            return
        self._warned = True
        logger.warning(
            "feedback loop %s: the knob in force is %.3g, moved by the loop from policy.threshold "
            "%.3g; this config says %.3g, which applies only after router.feedback_loop.reset() "
            "(or with another feedback.key)",
            self.key, knob, float(self._base), threshold,
        )

    def reset(self) -> float:
        """Start the loop again from this config's ``policy.threshold``, for every worker
        sharing the ledger (e.g. after ``tier-router calibrate`` wrote a new one)."""
        threshold = float(self.config.policy.threshold)
        for _ in range(10):  # compare-and-set: retried when another worker wrote meanwhile
            _, version = self.ledger.get_state(self.key)
            value = {"knob": threshold, "since": time.time(), "base": threshold, "direction": 0}
            if self.ledger.put_state(self.key, value, version):
                with self._lock:
                    self._cached = (threshold, value["since"], version + 1, time.monotonic())
                    self._stored = self._cached[:3]
                    self._base, self._warned = threshold, False
                logger.info("feedback loop %s: reset to policy.threshold %.3g", self.key, threshold)
                return threshold
        raise RouterError(f"feedback loop {self.key}: could not reset the shared knob (busy ledger)")

    def knob(self) -> float:
        """The knob every worker sharing the ledger routes with now."""
        return self._state()[0]

    def decision_knob(self) -> float:
        """The knob for one decision, which counts as an event (:meth:`note`)."""
        return self.decision_setting()[0]

    def decision_setting(self) -> tuple[float, int]:
        """:meth:`decision_knob` and the version of the knob it is (the decision's
        ``knob_version``, kept in its records' ``metadata["router_knob_version"]``)."""
        knob, _, version = self._state()
        self.note()
        return knob, version

    def io_due(self) -> bool:
        """Whether the next :meth:`decision_knob` reads the ledger (the cached knob is stale,
        or a check is due): the async path then runs it in a worker thread."""
        with self._lock:
            hit = self._cached
            stale = hit is None or time.monotonic() - hit[3] >= self.refresh_s
            return stale or (self._events + 1) % self.check_every == 0

    # -- moving -----------------------------------------------------------------------------
    def note(self) -> Adjustment | None:
        """Count one event (a decision or a feedback); every ``check_every`` events, :meth:`check`."""
        with self._lock:
            self._events += 1
            due = self._events % self.check_every == 0
        return self.check() if due else None

    def check(self) -> Adjustment | None:
        """Evaluate the window now; returns the change made (None: held, or too few outcomes)."""
        knob, since, version = self._state(fresh=True)
        below = self._outcomes_below_top(since, version)
        if len(below) < self.fb.window:
            return None
        recent = below[-self.fb.window :]
        success = sum(recent) / len(recent)
        if success < self.fb.low:
            direction = 1
        elif success >= self.fb.high:
            direction = -1
        else:
            return None
        if direction == -self._last_direction():
            # turning back needs twice the evidence: a lucky window cannot undo a step
            if len(below) < 2 * self.fb.window:
                return None
            recent = below[-2 * self.fb.window :]
            success = sum(recent) / len(recent)
            if (success < self.fb.low) != (direction == 1) or (
                success >= self.fb.high
            ) != (direction == -1):
                return None
        lo, hi = self.fb.bounds
        new = round(min(hi, max(lo, knob + direction * self.fb.step)), 6)
        if new == knob or (new - knob) * direction < 0:
            return None  # at a bound already (a step never goes against its direction)
        side = f"below low {self.fb.low}" if direction == 1 else f"at or above high {self.fb.high}"
        why = f"success {success:.3f} over {len(recent)} calls {side}"
        value = {
            "knob": new,
            "base": float(self.config.policy.threshold) if self._base is None else self._base,
            "since": time.time(),
            "success": round(success, 6),
            "calls": len(recent),
            "direction": direction,
        }
        if not self.ledger.put_state(self.key, value, version):
            self._state(fresh=True)  # another worker moved it first: follow theirs
            return None
        with self._lock:
            self._cached = (new, value["since"], version + 1, time.monotonic())
            self._stored = self._cached[:3]
        logger.info("feedback loop %s: knob %.3f -> %.3f (%s)", self.key, knob, new, why)
        return Adjustment(knob, new, success, len(recent), why)

    def _outcomes_below_top(self, since: float, version: int) -> list[float]:
        """Outcomes, by call time, of the latest calls routed since ``since`` and answered first
        below the strongest tier: at least two windows of them when there are, read from the
        newest feedback back (every outcome is a feedback entry, escalations included), so a
        check costs about a window whatever the ledger holds."""
        from .training.calibrate import ledger_outcomes

        top, need = self.config.tier_names[-1], 2 * self.fb.window
        limit, most = 4 * self.fb.window, MAX_WINDOWS_READ * self.fb.window
        while True:
            feedback = self.ledger.recent_feedback(since, limit, self.variant)
            records = [
                r for r in self.ledger.records_of({f.call_id for f in feedback})
                if self.variant is None or r.variant == self.variant
            ]
            began: dict[str, float] = {}  # a call began when its first attempt did: a record's
            for r in records:  # ts is when it ended (a call in flight at a change is the old knob's)
                t = r.ts - max(0.0, r.latency_ms or 0.0) / 1000.0
                began[r.call_id] = min(began.get(r.call_id, t), t)
            # routed with this knob: begun after it was set, and (a call routed by a worker whose
            # cached knob was older: its first record says which version it routed with) of it
            stale = {r.call_id for r in records if r.metadata.get(KNOB_VERSION, version) != version}
            records = [r for r in records if began[r.call_id] >= since and r.call_id not in stale]
            tiers, _, outcomes, _ = ledger_outcomes(records, feedback, self.config.tier_names)
            below = [o for t, o in zip(tiers, outcomes) if t != top]
            if len(below) >= need or len(feedback) < limit or limit >= most:
                return below
            limit = min(most, limit * 4)

    def _last_direction(self) -> int:
        value, _ = self.ledger.get_state(self.key)
        return int((value or {}).get("direction", 0))

    def history(self) -> list[dict[str, Any]]:
        """Every change of this knob kept in the ledger, oldest first."""
        return [
            {"version": c.version, "ts": c.ts, **c.value}
            for c in self.ledger.state_history(self.key)
        ]
