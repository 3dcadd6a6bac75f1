"""Reads of a persistent ledger: the stored rows plus what this process still holds in memory.

``SQLiteLedger`` buffers what a locked file refused and queues what an event loop writes for
its writer thread, ``PostgresLedger`` queues every write for its writer thread; both answer a
read with the database's rows and the matching queued items, so a record or a score is never
missing from a read between its write and its commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .base import CallRecord, Feedback


def records_with_queued(
    stored: Iterable[CallRecord],
    queued: Iterable[CallRecord],
    matches: Callable[[CallRecord], bool],
) -> list[CallRecord]:
    """``stored`` plus the ``queued`` records ``matches`` keeps, by time."""
    out = list(stored)
    out.extend(r for r in queued if matches(r))
    out.sort(key=lambda r: r.ts)
    return out


def feedback_with_queued(
    stored: Iterable[Feedback], queued: Iterable[Feedback], since: float, limit: int
) -> list[Feedback]:
    """``stored`` plus the ``queued`` entries from ``since`` on: the newest ``limit``
    (all of them for a negative ``limit``), oldest first."""
    out = list(stored)
    out.extend(f for f in queued if f.ts >= since)
    out.sort(key=lambda f: f.ts)
    return out if limit < 0 else out[-limit:]


def unstored(queued: list[CallRecord], stored: Iterable[CallRecord | Sequence[Any]]) -> list[CallRecord]:
    """The ``queued`` records whose ``(call_id, attempt)`` is not among ``stored`` (records,
    or ``(call_id, attempt)`` rows): a record written once more after its write's
    acknowledgement was lost is stored once (the table's key), and read once."""
    if not queued:
        return queued
    keys = {(s.call_id, s.attempt) if isinstance(s, CallRecord) else (s[0], int(s[1])) for s in stored}
    if not keys:
        return queued
    return [r for r in queued if (r.call_id, r.attempt) not in keys]
