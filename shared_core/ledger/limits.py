"""Budget limits as a ledger sees them: scopes, UTC days, :class:`LimitCheck`, :class:`Refusal`.

Re-exported by :mod:`shared_core.ledger.base` (where they were defined first).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError

DAY_S = 86400.0


def day_start(ts: float) -> float:
    """The UTC day a unix time falls in, as the unix time of its midnight."""
    return ts - ts % DAY_S


@dataclass(frozen=True)
class LimitCheck:
    """One hard limit as a ledger sees it: a scope, its period's start, the limit."""

    scope: str
    since: float
    limit_usd: float
    period: str = "day"


@dataclass(frozen=True)
class Refusal:
    """Why :meth:`CostLedger.reserve` refused: the limit and what it already holds."""

    limit: LimitCheck
    held_usd: float
    """Recorded spend plus live reservations in the limit's scope and period."""


def fits(held: float, amount: float, limit_usd: float) -> bool:
    """Whether ``amount`` more fits under a limit that already holds ``held``."""
    if amount <= 0.0:
        return held < limit_usd
    return held + amount <= limit_usd * (1.0 + 1e-12)


def parse_scope(scope: str) -> tuple[str, str | None]:
    """``"global"`` -> ``("global", None)``; ``"tag:x"`` -> ``("tag", "x")``; ``"user:u"``."""
    if scope == "global":
        return "global", None
    kind, sep, value = scope.partition(":")
    if sep and kind in ("tag", "user") and value:
        return kind, value
    raise InputError(f"budget scope must be 'global', 'tag:<name>' or 'user:<id>', got {scope!r}")
