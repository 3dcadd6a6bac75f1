"""Spend alerts checked off the call path: a finished call only queues its scopes, and one daemon
thread per :class:`~shared_core.budget.BudgetGuard` checks them (:meth:`BudgetGuard.check_alerts
<shared_core.budget.BudgetGuard.check_alerts>`), so neither sync nor async callers wait on the
ledger for it; checks still queued when the process exits are waited for."""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import time
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .budget import BudgetGuard

logger = logging.getLogger("tier_router")

EXIT_DRAIN_S = 5.0
"""How long a process that is ending waits for alert checks still queued."""

_WATCHES: weakref.WeakSet[AlertWatch] = weakref.WeakSet()
_exit_hook = threading.Lock()
_hooked = False


def _drain_at_exit() -> None:
    """Let queued alert checks finish as the interpreter exits (the watcher is a daemon
    thread, so a short script's last alert would otherwise be dropped)."""
    end = time.monotonic() + EXIT_DRAIN_S  # one wait in all, however many watches
    for watch in list(_WATCHES):
        watch.drain(max(0.0, end - time.monotonic()))


class AlertWatch:
    """Checks alerts off the call path, in one daemon thread: a finished call only queues
    its scopes, so neither sync nor async callers wait on the ledger for it. Checks still
    queued when the process exits are waited for (at most :data:`EXIT_DRAIN_S`)."""

    def __init__(self, guard: BudgetGuard) -> None:
        self.guard = guard
        self.queue: queue.Queue[tuple[str, ...]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def poke(self, scopes: tuple[str, ...]) -> None:
        global _hooked
        if not _hooked:
            with _exit_hook:
                if not _hooked:
                    atexit.register(_drain_at_exit)
                    _hooked = True
        _WATCHES.add(self)
        self.queue.put(scopes)
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="tier-router-alerts", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            scopes = self.queue.get()
            wanted = set(scopes)
            while True:  # coalesce a burst into one check
                try:
                    more = self.queue.get_nowait()
                except queue.Empty:
                    break
                wanted.update(more)
                self.queue.task_done()
            try:
                self.guard.check_alerts(wanted)
            except Exception as exc:  # the ledger may be down: the next call tries again
                logger.debug("budget alert check failed: %s", exc)
            finally:
                self.queue.task_done()

    def drain(self, timeout_s: float) -> None:
        end = time.monotonic() + timeout_s
        while self.queue.unfinished_tasks and time.monotonic() < end:
            time.sleep(0.01)
