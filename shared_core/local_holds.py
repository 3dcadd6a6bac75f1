"""Holds kept in this process while a ledger cannot write its own (``on_ledger_error: open``).

A ledger that can still be read but not written (SQLite on a full disk, a read-only mount, a
folder gone; any ledger whose reservation fails while its reads answer) knows the spend: what is
stored plus the records waiting in memory. :class:`~shared_core.budget.BudgetGuard` then checks a
call against that, plus the calls this process let through meanwhile (held here, per ledger
object, until their records are in), instead of letting every call through unchecked. Workers
sharing the ledger cannot see each other's holds kept here: together they may pass a limit by
what each of them let through while the ledger could not write.

A hold kept here has no TTL: it lives in this process, so it lives as long as its call (a call
longer than ``reservation_ttl_s`` keeps it, as the hold keeper keeps a ledger hold), until it is
released, or until its owner (the call's plan, a route's hold) is garbage-collected unreleased
(a code path that raised before its release: the money was never spent).
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import BudgetExceededError, LedgerUnavailableError
from .ledger.base import fits

if TYPE_CHECKING:
    from .ledger.base import CostLedger, LimitCheck


class LocalHolds:
    """Reservation id -> (amount, scopes, owner): calls let through without a ledger hold."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        """A forked child makes its own (this lock may have been held at the fork)."""
        self.lock = threading.Lock()
        """Held around a check and its :meth:`add` (threads of the process take turns)."""
        self._held: dict[str, tuple[float, tuple[str, ...], weakref.ref[object] | None]] = {}

    def total(self, scope: str) -> float:
        """USD held here in ``scope`` by the calls under way (callers hold :attr:`lock`); a hold
        whose owner was garbage-collected unreleased goes."""
        gone = [rid for rid, (_, _, ref) in self._held.items() if ref is not None and ref() is None]
        for rid in gone:
            del self._held[rid]
        return sum(a for a, scopes, _ in self._held.values() if scope in scopes)

    def add(self, rid: str, amount: float, scopes: Sequence[str], owner: object | None = None) -> None:
        """Hold ``amount`` more under ``rid`` until it is dropped, or ``owner`` (if given) is
        garbage-collected (callers hold :attr:`lock`)."""
        old_amount, old_scopes, ref = self._held.get(rid, (0.0, (), None))
        if owner is not None:
            ref = weakref.ref(owner)
        kept = tuple(dict.fromkeys((*old_scopes, *scopes)))
        self._held[rid] = (old_amount + max(0.0, amount), kept, ref)

    def drop(self, rid: str) -> None:
        with self.lock:
            self._held.pop(rid, None)


def local_holds(ledger: object) -> LocalHolds:
    """The holds kept for ``ledger`` (one set per ledger object: routers sharing it share them),
    kept on the ledger itself, made on first use."""
    holds = ledger.__dict__.get("_local_holds")
    if holds is None or holds.pid != os.getpid():
        with _LOCK:
            holds = ledger.__dict__.get("_local_holds")
            if holds is None or holds.pid != os.getpid():
                holds = ledger.__dict__["_local_holds"] = LocalHolds()
    return holds  # type: ignore[no-any-return]


def hold_locally(
    ledger: CostLedger, checks: Sequence[LimitCheck], rid: str, amount: float, owner: object | None
) -> bool:
    """Hold ``amount`` under ``rid`` in this process when it fits, for every check, what
    ``ledger`` reads plus the holds kept here (the check and the hold in one step, as a ledger's
    reservation); raise :class:`BudgetExceededError` when it does not; ``False`` (nothing held)
    when the ledger cannot be read either."""
    holds = local_holds(ledger)
    with holds.lock:
        try:
            held = [ledger.held(c.scope, c.since) + holds.total(c.scope) for c in checks]
        except LedgerUnavailableError:
            return False
        for check, h in zip(checks, held):
            if not fits(h, amount, check.limit_usd):
                raise BudgetExceededError(check.scope, check.limit_usd, h, check.period, amount)
        holds.add(rid, amount, [c.scope for c in checks], owner)
    return True


def drop_local(ledger: object, rid: str) -> None:
    """The call ``rid`` is over: its hold kept here (if any) goes (nearly free when none is)."""
    holds = ledger.__dict__.get("_local_holds")
    if holds is not None and holds._held and holds.pid == os.getpid():
        holds.drop(rid)


_LOCK = threading.Lock()


def _in_child() -> None:
    """A forked child makes its own: a parent thread may have held it at the fork (making a
    ledger's first set), and the child's first local hold then waited for ever."""
    global _LOCK
    _LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_child)
