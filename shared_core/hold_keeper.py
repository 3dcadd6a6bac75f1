"""Keeping the budget holds of calls under way alive past ``budget.reservation_ttl_s``.

A hold expires at its TTL so that a worker that died (SIGKILL, a lost host) does not block the
budget for ever. It expired just the same while its call was still running: a call longer than
the TTL (a long generation, a slow provider under a long client timeout) lost its hold, and
another worker could take the same money while the provider was still generating. The
:class:`HoldKeeper` of a :class:`~shared_core.budget.BudgetGuard` renews, every third of the
TTL, the holds this process took and has not released (:meth:`CostLedger.renew
<shared_core.ledger.base.CostLedger.renew>`): a live process keeps them, a dead one stops
renewing and they lapse at the TTL as before. A call shorter than a third of the TTL (nearly
all of them) is never renewed: no write is added to it. The renewing thread runs only while
holds older than that are live; a forked child renews its own holds, not its parent's.

A hold is renewed only while its owner lives (the call's plan, a route's hold: weakly
referenced). A code path that takes a hold and raises before its release leaves the hold
unreleased; once its owner is garbage-collected the keeper releases it (it is renewed no more),
instead of holding it, unspent, for the life of the process, or letting it lapse into spend. No bound on a
call's duration is set: a call whose owner lives is still under way (or held by its caller) and
keeps its hold, however long it runs.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING

from .errors import LedgerUnavailableError

if TYPE_CHECKING:
    from .ledger.base import CostLedger

logger = logging.getLogger("tier_router")

RENEW_FRACTION = 1.0 / 3.0
"""A hold is renewed once this share of the TTL has passed since it was taken or renewed."""


class HoldKeeper:
    """Renews this process's live holds on ``ledger`` before their TTL passes."""

    def __init__(self, ledger: CostLedger, ttl_s: float) -> None:
        self.ledger = ledger
        self.ttl_s = ttl_s
        self.every_s = ttl_s * RENEW_FRACTION
        self._live: dict[str, float] = {}  # reservation id -> when taken or last renewed (monotonic)
        self._owners: dict[str, weakref.ref[object]] = {}  # reservation id -> what bounds its life
        self._orphans: list[str] = []  # holds whose owner went unreleased: to release
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._failing = False  # the last renewal failed (warned once)
        _KEEPERS.add(self)

    def add(self, reservation_id: str, owner: object | None = None) -> None:
        """A hold was taken (or extended: its TTL starts again), renewed while ``owner`` lives
        (``None``: until :meth:`discard`; an extension without one keeps the hold's owner)."""
        with self._lock:
            self._live[reservation_id] = time.monotonic()
            if owner is not None:
                self._owners[reservation_id] = weakref.ref(owner)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=_run, args=(weakref.ref(self),), name="tier-router-holds", daemon=True
                )
                self._thread.start()

    def discard(self, reservation_id: str) -> None:
        """The hold was released (or its reservation failed): no more renewals."""
        with self._lock:
            self._forget_locked(reservation_id)

    def _forget_locked(self, reservation_id: str) -> None:
        self._live.pop(reservation_id, None)
        self._owners.pop(reservation_id, None)

    def _due_locked(self) -> tuple[list[str], float | None]:
        """The holds due for renewal now, and how long until the next one is due (``None``:
        no hold is live). A hold whose owner was garbage-collected unreleased is dropped and
        queued for :meth:`_release_orphans`."""
        for rid in [rid for rid, ref in self._owners.items() if ref() is None]:
            self._forget_locked(rid)
            self._orphans.append(rid)
        if not self._live:
            return [], None
        now = time.monotonic()
        due = [rid for rid, at in self._live.items() if now - at >= self.every_s]
        nxt = min(at for at in self._live.values()) + self.every_s - now
        return due, max(0.0, nxt) if not due else 0.0

    def _release_orphans(self) -> None:
        """Release the holds whose owner was garbage-collected unreleased (a code path that took
        a hold and raised before its release). No call of theirs is under way, and every attempt
        one sent was recorded: nothing is at risk. Left to lapse, such a hold would now be kept
        as spend (:mod:`shared_core.ledger.lapsed`), money never spent; it lapses only if the
        release fails."""
        with self._lock:
            orphans, self._orphans = self._orphans, []
        for rid in orphans:
            try:
                self.ledger.release(rid)
            except Exception as exc:  # it lapses at its TTL, kept as spend
                logger.warning("budget: could not release the hold %s of a call dropped unreleased "
                               "(%s: %s); it lapses at its TTL", rid, type(exc).__name__, exc)

    def _renew(self, due: list[str]) -> None:
        try:
            self.ledger.renew(due, self.ttl_s)
        except LedgerUnavailableError as exc:  # tried again soon (warned once until it works)
            if not self._failing:
                logger.warning("budget: could not renew %d live hold(s): %s", len(due), exc)
            self._failing = True
            retry_at = time.monotonic() - self.every_s + min(1.0, self.every_s / 4)
            with self._lock:
                for rid in due:
                    if rid in self._live:
                        self._live[rid] = retry_at
            return
        except Exception as exc:  # a closed ledger, a custom one failing: the holds lapse at their TTL
            logger.warning("budget: renewing %d live hold(s) failed (%s: %s); they lapse at their "
                           "TTL", len(due), type(exc).__name__, exc)
            with self._lock:
                for rid in due:
                    self._forget_locked(rid)
            return
        self._failing = False
        now = time.monotonic()
        with self._lock:
            for rid in due:
                if rid in self._live:
                    self._live[rid] = now

    def _after_fork(self) -> None:
        """In a forked child: the parent's holds are the parent's to renew."""
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._live = {}
        self._owners = {}
        self._orphans = []
        self._thread = None


def _run(ref: weakref.ref[HoldKeeper]) -> None:
    """The renewing thread: ends when no hold is live (the next hold starts another)."""
    while True:
        keeper = ref()
        if keeper is None:
            return
        with keeper._lock:
            due, wait = keeper._due_locked()
            orphans = bool(keeper._orphans)  # released outside the lock, then looked at again
            if not orphans and wait is None:
                keeper._thread = None
                return
            if not orphans and not due:
                wake = keeper._wake
                del keeper
                wake.wait(min(wait or 0.0, 1.0))  # (the lock is released meanwhile)
                continue
        if orphans:
            keeper._release_orphans()
        else:
            keeper._renew(due)
        del keeper


_KEEPERS: weakref.WeakSet[HoldKeeper] = weakref.WeakSet()


def _in_child() -> None:
    for keeper in list(_KEEPERS):
        keeper._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_in_child)
