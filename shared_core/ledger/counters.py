"""Spend counters shared by the ledgers: per scope, per UTC day, updated with each record.

A budget period (``day``, ``month``, ``total``) starts on a UTC midnight, so its spend is
a sum over at most a period's days of counters, whatever the number of records. Only a
``since`` that is not a midnight (a caller's own window) also reads that first day's rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from .base import CallRecord, day_start, parse_scope


def counts_toward(rec: CallRecord, scope: str, since: float) -> bool:
    """Whether a record's known cost counts toward ``scope`` from ``since`` on."""
    if rec.ts < since or rec.cost_usd is None:
        return False
    kind, value = parse_scope(scope)
    if kind == "tag":
        return value in rec.tags
    if kind == "user":
        return rec.user == value
    return True


def partial_day_spend(records: Iterable[CallRecord], scope: str, since: float) -> float:
    """Spend from ``since`` to the end of its UTC day (the part counters cannot answer)."""
    end = day_start(since) + 86400.0
    return sum(
        r.cost_usd  # type: ignore[misc]
        for r in records
        if r.ts < end and counts_toward(r, scope, since)
    )


def pending_spend(records: Iterable[CallRecord], scope: str, since: float) -> float:
    """Known cost of records not yet in the database (buffered) toward ``scope``."""
    return sum(r.cost_usd for r in records if counts_toward(r, scope, since))  # type: ignore[misc]
