"""Budgets: hard limits refuse a call before any provider is paid; soft pressure shifts routing.

A :class:`~shared_core.config.BudgetLimit` applies to one scope (``global``,
``tag:<name>``, ``user:<id>``) over one period (``day`` / ``month`` in UTC, or ``total``).
Spend is read from the ledger, so every thread and process sharing a ledger shares
the budget.

**Overspend bound.** :meth:`BudgetGuard.check` reads the spend recorded so far; calls
already past their check but not yet recorded are invisible to it. So the spend in a
scope can pass its limit by at most the cost of the requests in flight at that moment:
``in_flight x max_cost_per_request``, where one request's max cost is bounded by the
per-request cap (``budget.per_request_cap_usd``) when set, else by the sum over the
tiers it may try of (input tokens + the tier's ``max_tokens``) at that tier's prices.
Nothing is reserved, so the bound holds without locks across processes.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .config import BudgetConfig, BudgetLimit
from .errors import BudgetExceededError
from .ledger.base import parse_scope
from .pricing import Usage

if TYPE_CHECKING:
    from .ledger.base import CostLedger
    from .pricing import PriceTable
    from .tier import Tier


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


class BudgetGuard:
    """Checks hard limits and computes soft pressure from the ledger's spend."""

    def __init__(self, limits: Sequence[BudgetLimit], ledger: CostLedger) -> None:
        for lim in limits:
            parse_scope(lim.scope)  # fail at construction on a malformed scope
        self.limits = list(limits)
        self.ledger = ledger

    @classmethod
    def from_config(cls, config: BudgetConfig, ledger: CostLedger) -> BudgetGuard:
        return cls(config.limits, ledger)

    def applicable(self, scopes: Iterable[str]) -> list[BudgetLimit]:
        """The limits whose scope is among ``scopes`` (``global`` always applies)."""
        wanted = set(scopes) | {"global"}
        return [lim for lim in self.limits if lim.scope in wanted]

    def spent(self, limit: BudgetLimit, now: float | None = None) -> float:
        """USD spent in the limit's scope during its current period."""
        return self.ledger.spend(limit.scope, period_start(limit.period, now))

    def check(self, scopes: Iterable[str], now: float | None = None) -> None:
        """Raise :class:`BudgetExceededError` if any applicable hard limit is reached."""
        for lim in self.applicable(scopes):
            spent = self.spent(lim, now)
            if spent >= lim.limit_usd:
                raise BudgetExceededError(lim.scope, lim.limit_usd, spent, lim.period)

    def pressure(self, scopes: Iterable[str], now: float | None = None) -> float:
        """0 below ``soft_fraction`` of every limit, rising to 1 at the limit.

        The rise follows ``((share - soft) / (1 - soft)) ** curve`` (``curve`` 1 = linear,
        above 1 = gentle at first then steep, below 1 = steep at first). The worst
        applicable limit wins. The router multiplies its knob by ``1 - pressure``.
        """
        worst = 0.0
        for lim in self.applicable(scopes):
            share = self.spent(lim, now) / lim.limit_usd
            if share >= 1.0:
                return 1.0
            soft = lim.soft_fraction
            if soft < 1.0 and share > soft:
                worst = max(worst, ((share - soft) / (1.0 - soft)) ** lim.curve)
        return min(1.0, worst)

    def __repr__(self) -> str:
        return f"BudgetGuard(limits={len(self.limits)}, ledger={self.ledger!r})"


def estimate_cost(tier: Tier, input_tokens: int, prices: PriceTable) -> float | None:
    """Most one attempt on ``tier`` can cost: the input plus the tier's whole output budget.

    ``None`` when the tier's model has no known price (or no ``max_tokens``, which leaves
    the output unbounded).
    """
    if tier.max_tokens is None:
        return None
    return prices.cost(tier.model, Usage(max(0, int(input_tokens)), tier.max_tokens), tier=tier)
