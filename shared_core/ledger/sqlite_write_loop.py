"""The writer thread of a :class:`~shared_core.ledger.sqlite.SQLiteLedger` (see
:mod:`~shared_core.ledger.sqlite_writer`): it writes what event loops queued, and keeps a ledger
with queued items alive (:data:`_busy`) until they are written."""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

# the logger the ledger has always warned on (callers filter by its name)
logger = logging.getLogger("shared_core.ledger.sqlite")


def _notify(wake: threading.Condition) -> None:
    with wake:
        wake.notify_all()


_busy: dict[int, Any] = {}
"""Ledgers with items an event loop queued, held until their writer has written them: a ledger
built per request and dropped right after its call still writes the call's records and the
release of its hold (a finalizer could only spill the records: the hold would stay counted
until its TTL). Dropped from here when nothing is queued, and during a back-off (then a dropped
ledger's finalizer spills its records, and its holds lapse at their TTL, as for any failed
write), so a broken file keeps no per-request ledger alive."""


def _write_loop(ref: weakref.ref[Any], wake: threading.Condition) -> None:
    """The writer thread: writes what event loops queued, waits out a back-off, ends when its
    ledger is closed, replaced by a fork, or garbage-collected. It holds the ledger only while
    writing (and :data:`_busy` while something is queued)."""
    me = threading.current_thread()
    while True:
        with wake:
            led = ref()
            if led is None or led._writer is not me:
                return
            due = led._writer_due_locked()
            if due != 0.0:  # nothing queued, or backing off
                _busy.pop(id(led), None)
                del led
                if ref() is None:  # that was its last reference: its finalizer found no waiter
                    return
                wake.wait(due)  # woken by a new item, close() or the finalizer
                continue
        try:
            led._write_now()
        except BaseException:  # pragma: no cover - _write_pending never raises an Exception
            logger.exception("cost ledger: the writer thread failed")
            return
        finally:
            del led
