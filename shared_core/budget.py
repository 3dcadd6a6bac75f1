"""Budgets: hard limits refuse a call before any provider is paid; soft pressure shifts routing.

A :class:`~shared_core.config.BudgetLimit` applies to one scope (``global``,
``tag:<name>``, ``user:<id>``) over one period (``day`` / ``month`` in UTC, or ``total``).
Spend is read from the ledger, so every thread and process sharing a ledger shares
the budget.

**Reservations make hard limits hard.** Before its first attempt a call reserves the
most it may cost (the per-request cap when set, else :func:`estimate_cost` of its first
tier) against every applicable limit in one atomic ledger step; a reservation that does
not fit refuses the call with :class:`BudgetExceededError`. An escalation or fallback
that would cost more than is held extends the reservation the same way. When the call
ends its records are written and then the reservation is released, so spend plus
reservations never passes a limit, across threads, processes and hosts sharing the
ledger. Reservations expire after ``budget.reservation_ttl_s`` (a crashed worker's hold
lapses); a live process renews the holds of its calls still under way
(:mod:`shared_core.hold_keeper`), so a call longer than the TTL keeps its hold, until it is released
or its owner (the call's plan) is garbage-collected unreleased. The guarantee assumes known
prices and a ``max_tokens`` per tier (or a per-request cap): a call whose cost cannot be estimated reserves nothing and is only
checked against what is already spent and held.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .budget_alerts import AlertWatch
from .config import BudgetConfig, BudgetLimit
from .errors import (
    BudgetExceededError,
    BudgetUnavailableError,
    LedgerBusyError,
    LedgerUnavailableError,
)
from .hold_keeper import HoldKeeper
from .ledger.base import LimitCheck, Refusal, parse_scope
from .local_holds import drop_local, hold_locally
from .pricing import Usage, estimate_tokens

if TYPE_CHECKING:
    from .ledger.base import CostLedger
    from .pricing import PriceTable
    from .tier import Tier

logger = logging.getLogger("tier_router")


def period_start(period: str, now: float | None = None) -> float:
    """Unix time at which the current ``day`` / ``month`` began in UTC (``total``: 0)."""
    if period == "total":
        return 0.0
    t = time.gmtime(time.time() if now is None else now)
    if period == "day":
        return float(calendar.timegm((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0)))
    if period == "month":
        return float(calendar.timegm((t.tm_year, t.tm_mon, 1, 0, 0, 0)))
    raise ValueError(f"budget period must be 'day', 'month' or 'total', got {period!r}")


def request_scopes(tags: Iterable[str] = (), user: str | None = None) -> list[str]:
    """The scopes a request counts against: ``global``, each ``tag:<t>`` and ``user:<u>``."""
    scopes = ["global", *(f"tag:{t}" for t in dict.fromkeys(tags))]
    if user:
        scopes.append(f"user:{user}")
    return scopes


@dataclass(frozen=True)
class BudgetAlert:
    """A limit's spend crossed one of its ``alert_at`` fractions (fired once per period)."""

    scope: str
    period: str
    period_start: float
    fraction: float
    limit_usd: float
    spent_usd: float


AlertCallback = Callable[[BudgetAlert], None]


class BudgetGuard:
    """Reserves against hard limits, computes soft pressure, fires spend alerts."""

    def __init__(
        self,
        limits: Sequence[BudgetLimit],
        ledger: CostLedger,
        *,
        ttl_s: float = 600.0,
        on_ledger_error: str = "open",
    ) -> None:
        for lim in limits:
            parse_scope(lim.scope)  # fail at construction on a malformed scope
        self.limits = list(limits)
        self.ledger = ledger
        self.ttl_s = ttl_s
        self.on_ledger_error = on_ledger_error
        self._callbacks: list[AlertCallback] = []
        self._alerts = AlertWatch(self) if any(lim.alert_at for lim in self.limits) else None
        self._warned_at: float | None = None
        # made here, not on the first hold: two threads' first holds made two keepers, and
        # the one dropped stopped renewing its hold
        self._keeper = HoldKeeper(ledger, ttl_s)

    @classmethod
    def from_config(cls, config: BudgetConfig, ledger: CostLedger) -> BudgetGuard:
        return cls(
            config.limits, ledger, ttl_s=config.reservation_ttl_s,
            on_ledger_error=config.on_ledger_error,
        )

    def applicable(self, scopes: Iterable[str]) -> list[BudgetLimit]:
        """The limits whose scope is among ``scopes`` (``global`` always applies)."""
        wanted = set(scopes) | {"global"}
        return [lim for lim in self.limits if lim.scope in wanted]

    def checks(self, scopes: Iterable[str], now: float | None = None) -> list[LimitCheck]:
        """The applicable limits as the ledger sees them (scope, period start, limit)."""
        return [
            LimitCheck(lim.scope, period_start(lim.period, now), lim.limit_usd, lim.period)
            for lim in self.applicable(scopes)
        ]

    def spent(self, limit: BudgetLimit, now: float | None = None) -> float:
        """USD spent in the limit's scope during its current period."""
        return self.ledger.spend(limit.scope, period_start(limit.period, now))

    def check(self, scopes: Iterable[str], now: float | None = None) -> None:
        """Raise :class:`BudgetExceededError` if any applicable limit is reached (spent +
        held). A read, not a reservation: :meth:`reserve` is what calls use."""
        for lim in self.applicable(scopes):
            try:
                held = self.ledger.held(lim.scope, period_start(lim.period, now))
            except LedgerUnavailableError as exc:
                self._unavailable(self.checks([lim.scope]), exc)
                continue
            if held >= lim.limit_usd:
                raise BudgetExceededError(lim.scope, lim.limit_usd, held, lim.period)

    async def acheck(self, scopes: Iterable[str], now: float | None = None) -> None:
        """Async twin of :meth:`check` (the ledger's own async read: no blocking round trip)."""
        for lim in self.applicable(scopes):
            try:
                held = await self.ledger.aheld(lim.scope, period_start(lim.period, now))
            except LedgerUnavailableError as exc:
                self._unavailable(self.checks([lim.scope]), exc)
                continue
            if held >= lim.limit_usd:
                raise BudgetExceededError(lim.scope, lim.limit_usd, held, lim.period)

    # -- reservations -----------------------------------------------------------------
    def reserve(
        self, reservation_id: str, amount: float, scopes: Iterable[str], *, owner: object | None = None
    ) -> bool:
        """Hold ``amount`` against every applicable limit, or raise; ``False`` when the
        ledger was unreachable and ``on_ledger_error`` let the call through unheld. The hold
        lives until :meth:`release`, or until ``owner`` (the call's plan; weakly referenced) is
        garbage-collected unreleased: then it is renewed no more and lapses at the TTL."""
        checks = self.checks(scopes)
        if not checks:
            return False
        try:
            refusal = self.ledger.reserve(reservation_id, amount, checks, self.ttl_s)
        except LedgerUnavailableError as exc:
            return self._unavailable(checks, exc, reservation_id, amount, owner)
        return self._held(reservation_id, refusal, amount, owner)

    async def areserve(
        self, reservation_id: str, amount: float, scopes: Iterable[str], *, owner: object | None = None
    ) -> bool:
        """Async twin of :meth:`reserve` (native on ledgers that speak async)."""
        checks = self.checks(scopes)
        if not checks:
            return False
        try:
            refusal = await self.ledger.areserve(reservation_id, amount, checks, self.ttl_s)
        except LedgerUnavailableError as exc:
            # the check reads the ledger under a lock threads take too: in a worker thread
            return await asyncio.to_thread(self._unavailable, checks, exc, reservation_id, amount, owner)
        return self._held(reservation_id, refusal, amount, owner)

    def _held(self, reservation_id: str, refusal: Refusal | None, amount: float, owner: object | None) -> bool:
        """Raise on a refusal; else the hold is live: renewed while its call runs past a third
        of the TTL (:mod:`shared_core.hold_keeper`), until :meth:`release` or its owner goes."""
        self._raise_if_refused(refusal, amount)
        self._keeper.add(reservation_id, owner)
        return True

    def release(self, reservation_id: str, scopes: Iterable[str]) -> None:
        """The call's records are in: drop its hold, then look for crossed alerts."""
        self._keeper.discard(reservation_id)
        try:
            self.ledger.release(reservation_id)
        except LedgerUnavailableError:  # the hold lapses at its TTL
            pass
        drop_local(self.ledger, reservation_id)  # (held here while the ledger could not)
        if self._alerts is not None:
            self._alerts.poke(tuple(scopes))

    @staticmethod
    def _raise_if_refused(refusal: Refusal | None, amount: float) -> None:
        if refusal is not None:
            lim = refusal.limit
            raise BudgetExceededError(lim.scope, lim.limit_usd, refusal.held_usd, lim.period, amount)

    def _unavailable(
        self, checks: list[LimitCheck], exc: Exception, reservation_id: str | None = None,
        amount: float = 0.0, owner: object | None = None,
    ) -> bool:
        """The ledger could not take a hold: refused (``closed``, or busy); else, when the ledger
        can still be read (it cannot write: a full disk), held in this process if it fits what the
        ledger reads plus the calls this process let through meanwhile (:mod:`.local_holds`),
        refused if not; when it cannot be read either, let through unheld with a WARNING."""
        first = checks[0]
        if self.on_ledger_error == "closed" or isinstance(exc, LedgerBusyError):
            raise BudgetUnavailableError(
                first.scope, first.limit_usd, first.period, str(exc), busy=isinstance(exc, LedgerBusyError)
            )
        if reservation_id is not None and hold_locally(self.ledger, checks, reservation_id, amount, owner):
            self._warn(
                "budget: the ledger cannot take holds (%s); on_ledger_error=open checks calls "
                "against the spend it still reads plus this process's calls in flight (workers "
                "sharing the ledger do not see each other's until it is back)", exc,
            )
            return True
        self._warn(
            "budget: ledger unreachable (%s); on_ledger_error=open lets calls through "
            "unreserved until it is back, so spend may pass the limit meanwhile", exc,
        )
        return False

    def _warn(self, message: str, exc: Exception) -> None:
        """One WARNING a minute at most."""
        now = time.monotonic()
        if self._warned_at is None or now - self._warned_at > 60.0:
            self._warned_at = now
            logger.warning(message, str(exc))  # (not the error: its frames hold the call)

    # -- soft pressure ------------------------------------------------------------------
    def pressure(self, scopes: Iterable[str], now: float | None = None) -> float:
        """0 below ``soft_fraction`` of every limit, rising to 1 at the limit.

        Reserved money counts as spent. The rise follows
        ``((share - soft) / (1 - soft)) ** curve`` (``curve`` 1 = linear, above 1 = gentle
        at first then steep, below 1 = steep at first). The worst applicable limit wins.
        The router multiplies its knob by ``1 - pressure``.
        """
        lims = self.applicable(scopes)
        try:
            held = [self.ledger.held(lim.scope, period_start(lim.period, now)) for lim in lims]
        except LedgerUnavailableError:  # no pressure without numbers; reserve() decides
            return 0.0
        return _pressure(lims, held)

    async def apressure(self, scopes: Iterable[str], now: float | None = None) -> float:
        """Async twin of :meth:`pressure`."""
        lims = self.applicable(scopes)
        try:
            held = [
                await self.ledger.aheld(lim.scope, period_start(lim.period, now)) for lim in lims
            ]
        except LedgerUnavailableError:
            return 0.0
        return _pressure(lims, held)

    # -- alerts ---------------------------------------------------------------------------
    def on_alert(self, callback: AlertCallback) -> AlertCallback:
        """Register ``callback(BudgetAlert)``; usable as a decorator."""
        self._callbacks.append(callback)
        return callback

    def check_alerts(self, scopes: Iterable[str] = ("global",)) -> list[BudgetAlert]:
        """Fire (and return) the alerts crossed now that no worker has fired yet."""
        fired: list[BudgetAlert] = []
        for lim in self.applicable(scopes):
            if not lim.alert_at:
                continue
            since = period_start(lim.period)
            spent = self.ledger.spend(lim.scope, since)
            for f in lim.alert_at:
                if spent < f * lim.limit_usd:
                    break
                if self.ledger.claim_alert(lim.scope, lim.period, since, f):
                    alert = BudgetAlert(lim.scope, lim.period, since, f, lim.limit_usd, spent)
                    fired.append(alert)
                    self._fire(alert)
        return fired

    def wait_alerts(self, timeout_s: float = 10.0) -> None:
        """Block until the alert checks queued so far have run (tests, shutdown)."""
        if self._alerts is not None:
            self._alerts.drain(timeout_s)

    def _fire(self, alert: BudgetAlert) -> None:
        logger.warning(
            "budget alert: scope %r spent $%.6f this %s, %.0f%% of its $%.6f limit",
            alert.scope, alert.spent_usd, alert.period, alert.fraction * 100, alert.limit_usd,
        )
        for cb in list(self._callbacks):
            try:
                cb(alert)
            except Exception:  # a user's callback never breaks a call
                logger.exception("budget alert callback %r failed", cb)

    def __repr__(self) -> str:
        return f"BudgetGuard(limits={len(self.limits)}, ledger={self.ledger!r})"


def _pressure(limits: Sequence[BudgetLimit], held: Sequence[float]) -> float:
    worst = 0.0
    for lim, h in zip(limits, held):
        share = h / lim.limit_usd
        if share >= 1.0:
            return 1.0
        soft = lim.soft_fraction
        if soft < 1.0 and share > soft:
            worst = max(worst, ((share - soft) / (1.0 - soft)) ** lim.curve)
    return min(1.0, worst)


def estimate_cost(tier: Tier, input_tokens: int, prices: PriceTable) -> float | None:
    """Most one attempt on ``tier`` can cost: the input (plus the tier's system prompt)
    and the tier's whole output budget.

    ``None`` when the tier's model has no known price (or no ``max_tokens``, which leaves
    the output unbounded).
    """
    if tier.max_tokens is None:
        return None
    n_in = max(0, int(input_tokens)) + estimate_tokens(tier.system_prompt or "")
    return prices.cost(tier.model, Usage(n_in, tier.max_tokens), tier=tier)
