"""Holds kept in this process while a ledger cannot write its own (``on_ledger_error: open``).

A ledger that can still be read but not written (SQLite on a full disk, a read-only mount, a
folder gone; any ledger whose reservation fails while its reads answer) knows the spend: what is
stored plus the records waiting in memory. :class:`~shared_core.budget.BudgetGuard` then checks a
call against that, plus the calls this process let through meanwhile (held here, per ledger
object, until their records are in), instead of letting every call through unchecked. Workers
sharing the ledger cannot see each other's holds kept here: together they may pass a limit by
what each of them let through while the ledger could not write.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence


class LocalHolds:
    """Reservation id -> (amount, scopes, expiry): calls let through without a ledger hold."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        """A forked child makes its own (this lock may have been held at the fork)."""
        self.lock = threading.Lock()
        """Held around a check and its :meth:`add` (threads of the process take turns)."""
        self._held: dict[str, tuple[float, tuple[str, ...], float]] = {}

    def total(self, scope: str) -> float:
        """USD held here in ``scope`` by live holds (callers hold :attr:`lock`)."""
        now = time.monotonic()
        return sum(a for a, scopes, until in self._held.values() if until > now and scope in scopes)

    def add(self, rid: str, amount: float, scopes: Sequence[str], ttl_s: float) -> None:
        """Hold ``amount`` more under ``rid`` (callers hold :attr:`lock`)."""
        old = self._held.get(rid, (0.0, (), 0.0))
        kept = tuple(dict.fromkeys((*old[1], *scopes)))
        self._held[rid] = (old[0] + max(0.0, amount), kept, time.monotonic() + ttl_s)

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
