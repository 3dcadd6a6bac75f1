"""Records a ledger holds for its database, with running totals of their spend per budget scope.

A budget check counts the committed spend plus every record still queued (buffered after a
failed write, queued for the writer thread, claimed from a spill file). Walking that queue made
each check cost O(backlog): 35 ms at 10,000 queued records, 0.6 s at 300,000, on every call,
while the file stayed locked. :class:`QueuedRecords` is the queue itself (a ``list``, so every
reader still sees the records) that keeps, per scope and UTC day, the known cost of the records
it holds, updated as records are queued and taken off (written, spilled or set aside): a check
reads a few totals, however long the queue (each record is counted once, by the first check
that finds it queued, and taken out once).

The totals are exact: each cost is counted as an integer number of ``2**-1074`` (every finite
float is one), so adding and taking off never drifts, and a total is the sum of the queued
costs rounded once (what ``math.fsum`` of the walk gives; the walk's plain ``sum`` rounded at
every step, within a few units in the last place of it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any, SupportsIndex

from .base import CallRecord, day_start, parse_scope

__all__ = ["QueuedRecords"]

_ALL = ("", "")  # every record with a known cost: the ``global`` scope
_SCALE = 1 << 1074


def _units(cost: float) -> int:
    """``cost`` as an exact integer number of ``2**-1074``."""
    n, d = cost.as_integer_ratio()  # d: a power of two, at most 2**1074
    return n << (1075 - d.bit_length())


def _keys(rec: CallRecord) -> tuple[tuple[str, str], ...]:
    """The scopes a record counts toward (as :func:`~shared_core.ledger.counters.counts_toward`
    decides: every record the global scope, a user its user, each tag its tags)."""
    tags = rec.tags
    if not tags:
        return (_ALL, ("user", rec.user)) if rec.user else (_ALL,)
    keys = [_ALL, *(("tag", t) for t in dict.fromkeys(tags) if t)]
    if rec.user:
        keys.append(("user", rec.user))
    return tuple(keys)


# one queued record: its day, its ts, its cost in units (None: unknown), its scopes
_Entry = tuple[float, float, "int | None", tuple[tuple[str, str], ...]]


class QueuedRecords(list):  # type: ignore[type-arg]
    """A list of :class:`CallRecord` with :meth:`spend` answered from running totals.

    Records are counted in the totals when a check first needs them (the usual queue is
    written, and emptied, before any check sees it: queueing stays a plain ``list.append``),
    and taken out when ``del q[:n]`` takes them off the front (written, or set aside);
    ``clear`` (spilled) empties the totals. Any other change to the list has them recounted
    by the next check. Not thread-safe by itself: the ledger holds its ``_lock`` around every
    change and read, as it does for the list."""

    def __init__(self, records: Iterable[CallRecord] = ()) -> None:
        super().__init__(records)
        self._forget()

    def _forget(self) -> None:
        """No record counted: the next check counts them all."""
        self._counted = 0  # the list's first records, in the totals (one entry each)
        self._entries: deque[_Entry] = deque()
        # scope -> day -> [units, records]; per day, its counted records' entries, oldest first
        self._totals: dict[tuple[str, str], dict[float, list[int]]] = {}
        self._days: dict[float, deque[_Entry]] = {}

    # -- the totals ----------------------------------------------------------------------
    def _count_new(self) -> None:
        """Count the records queued since the last check."""
        if self._counted == len(self):
            return
        entries, totals, by_day = self._entries, self._totals, self._days
        for rec in self[self._counted :]:
            cost = rec.cost_usd
            ts = rec.ts
            day = day_start(ts)
            if cost is None:
                entries.append((day, ts, None, ()))
                continue
            units = _units(cost)
            keys = _keys(rec)
            entry: _Entry = (day, ts, units, keys)
            entries.append(entry)
            for key in keys:
                per_day = totals.get(key)
                if per_day is None:
                    totals[key] = {day: [units, 1]}
                    continue
                cell = per_day.get(day)
                if cell is None:
                    per_day[day] = [units, 1]
                else:
                    cell[0] += units
                    cell[1] += 1
            days = by_day.get(day)
            if days is None:
                by_day[day] = deque((entry,))
            else:
                days.append(entry)
        self._counted = len(self)

    def _take_first(self, n: int) -> None:
        """The first ``n`` records left the list: out of the totals (those counted)."""
        n = min(n, self._counted)
        self._counted -= n
        entries, totals, by_day = self._entries, self._totals, self._days
        for _ in range(n):
            day, _ts, units, keys = entries.popleft()
            if units is None:
                continue
            for key in keys:
                per_day = totals[key]
                cell = per_day[day]
                if cell[1] == 1:
                    del per_day[day]
                    if not per_day:
                        del totals[key]
                else:
                    cell[0] -= units
                    cell[1] -= 1
            days = by_day[day]
            days.popleft()  # a day's entries leave in the list's order too
            if not days:
                del by_day[day]

    def spend(self, scope: str, since: float) -> float:
        """Known cost of the queued records toward ``scope`` from ``since`` on (what
        :func:`~shared_core.ledger.counters.pending_spend` of the list says, rounded once)."""
        kind, value = parse_scope(scope)
        self._count_new()
        key = _ALL if kind == "global" else (kind, value or "")
        per_day = self._totals.get(key)
        if not per_day:
            return 0.0
        first = day_start(since)
        total = 0
        if since == first:
            for day, cell in per_day.items():
                if day >= first:
                    total += cell[0]
        else:
            for day, cell in per_day.items():
                if day > first:
                    total += cell[0]
            if first in per_day:  # the first day's records from ``since`` on, one by one
                for _day, ts, units, keys in self._days[first]:
                    if ts >= since and key in keys:
                        total += units  # type: ignore[operator]
        return total / _SCALE

    def scopes(self) -> int:
        """How many scopes the totals keep (for tests: none once the queue is empty)."""
        return len(self._totals)

    # -- list changes (appending needs none: a check counts what it has not) ----------------
    def __delitem__(self, index: SupportsIndex | slice) -> None:
        if isinstance(index, slice) and index.start in (None, 0) and index.step in (None, 1):
            n = len(range(*index.indices(len(self))))
            super().__delitem__(index)
            self._take_first(n)
            return
        super().__delitem__(index)
        self._forget()

    def clear(self) -> None:
        super().clear()
        self._forget()

    def _changed(name: str) -> Any:  # type: ignore[misc]
        def change(self: QueuedRecords, *args: Any, **kwargs: Any) -> Any:
            out = getattr(list, name)(self, *args, **kwargs)
            self._forget()
            return out

        change.__name__ = name
        return change

    insert = _changed("insert")
    pop = _changed("pop")
    remove = _changed("remove")
    sort = _changed("sort")
    reverse = _changed("reverse")
    __setitem__ = _changed("__setitem__")
    del _changed
