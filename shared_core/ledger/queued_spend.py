"""Records a ledger holds for its database, with running totals of their spend per budget scope.

A budget check counts the committed spend plus every record still queued (buffered after a
failed write, queued for the writer thread, claimed from a spill file). Walking that queue made
each check cost O(backlog): 35 ms at 10,000 queued records, 0.6 s at 300,000, on every call,
while the file stayed locked. :class:`QueuedRecords` is the queue itself (a ``list``, so every
reader still sees the records) that keeps, per scope and UTC day, the known cost of the records
it holds, updated as records are queued and taken off (written, spilled or set aside): a check
reads a few totals, however long the queue (each record is counted once, by the first check
that finds it queued, and taken out once).

The totals are exact: each cost is counted as a whole number of ``2**-128`` (or, below about
``3e-23``, of ``2**-1074``: every finite float is one), so adding and taking off never drifts, and a total is the sum of the queued
costs rounded once (what ``math.fsum`` of the walk gives; the walk's plain ``sum`` rounded at
every step, within a few units in the last place of it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any, SupportsIndex

from .base import CallRecord, day_start, parse_scope
from .limits import DAY_S

__all__ = ["QueuedRecords"]

_ALL = ("", "")  # every record with a known cost: the ``global`` scope
_FINE = 128
"""Most costs are whole numbers of ``2**-128`` (every float from about ``3e-23`` on, and many
below): counted at that scale, in small integers."""
_TINY = 1074  # every finite float is a whole number of 2**-1074


def _units(cost: float) -> tuple[int, int]:
    """``cost`` exactly, as ``(n, 0)``: ``n * 2**-128``, or (a smaller one) ``(0, n)``:
    ``n * 2**-1074``."""
    n, d = cost.as_integer_ratio()  # d: a power of two, at most 2**1074
    m = d.bit_length() - 1
    return (n << (_FINE - m), 0) if m <= _FINE else (0, n << (_TINY - m))


def _keys(tags: tuple[str, ...], user: str | None) -> tuple[tuple[str, str], ...]:
    """The scopes a record counts toward (as :func:`~shared_core.ledger.counters.counts_toward`
    decides: every record the global scope, a user its user, each tag its tags)."""
    keys = [_ALL, *(("tag", t) for t in dict.fromkeys(tags) if t)]
    if user:
        keys.append(("user", user))
    return tuple(keys)


_CACHE_MAX = 4096  # costs and (tags, user) pairs repeat: each is worked out once (per this many)
_units_of: dict[float, tuple[int, int]] = {}
_keys_of: dict[tuple[tuple[str, ...], str | None], tuple[tuple[str, str], ...]] = {}


def _of(rec: CallRecord) -> tuple[tuple[int, int], tuple[tuple[str, str], ...]]:
    """A record's cost in units and its scopes (a record with a known cost), cached."""
    cost = rec.cost_usd
    units = _units_of.get(cost)  # type: ignore[arg-type]
    if units is None:
        units = _units(cost)  # type: ignore[arg-type]
        if len(_units_of) >= _CACHE_MAX:
            _units_of.clear()
        _units_of[cost] = units  # type: ignore[index]
    who = (rec.tags, rec.user)
    keys = _keys_of.get(who)
    if keys is None:
        keys = _keys(*who)
        if len(_keys_of) >= _CACHE_MAX:
            _keys_of.clear()
        _keys_of[who] = keys
    return units, keys


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
        self._counted = 0  # how many of the list's first records the totals hold
        # scope -> day -> [units of 2**-128, records, units of 2**-1074]
        self._totals: dict[tuple[str, str], dict[float, list[int]]] = {}
        self._days: dict[float, deque[CallRecord]] = {}  # the counted records (known cost) per day

    # -- the totals ----------------------------------------------------------------------
    def _count_new(self) -> None:
        """Count the records queued since the last check."""
        if self._counted == len(self):
            return
        totals, by_day = self._totals, self._days
        for rec in self[self._counted :]:
            if rec.cost_usd is None:
                continue
            (fine, tiny), keys = _of(rec)
            ts = rec.ts
            day = ts - ts % DAY_S  # day_start(ts), inline: this loop is per queued record
            for key in keys:
                per_day = totals.get(key)
                if per_day is None:
                    totals[key] = {day: [fine, 1, tiny]}
                    continue
                cell = per_day.get(day)
                if cell is None:
                    per_day[day] = [fine, 1, tiny]
                else:
                    cell[0] += fine
                    cell[1] += 1
                    if tiny:
                        cell[2] += tiny
            days = by_day.get(day)
            if days is None:
                by_day[day] = deque((rec,))
            else:
                days.append(rec)
        self._counted = len(self)

    def _take_out(self, gone: list[CallRecord]) -> None:
        """``gone``, the list's first records, left it: out of the totals (those counted)."""
        gone = gone[: self._counted]
        self._counted -= len(gone)
        totals, by_day = self._totals, self._days
        for rec in gone:
            if rec.cost_usd is None:
                continue
            (fine, tiny), keys = _of(rec)
            ts = rec.ts
            day = ts - ts % DAY_S
            for key in keys:
                per_day = totals[key]
                cell = per_day[day]
                if cell[1] == 1:
                    del per_day[day]
                    if not per_day:
                        del totals[key]
                else:
                    cell[0] -= fine
                    cell[1] -= 1
                    if tiny:
                        cell[2] -= tiny
            days = by_day[day]
            days.popleft()  # a day's records leave in the list's order too
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
        fine = tiny = 0
        for day, cell in per_day.items():
            if day > first or (day == first and since == first):
                fine += cell[0]
                tiny += cell[2]
        if since != first and first in per_day:  # the first day's records from ``since`` on
            for rec in self._days[first]:
                if rec.ts >= since and key in _of(rec)[1]:
                    f, t = _of(rec)[0]
                    fine, tiny = fine + f, tiny + t
        if tiny:
            return ((fine << (_TINY - _FINE)) + tiny) / (1 << _TINY)
        return fine / (1 << _FINE)

    def scopes(self) -> int:
        """How many scopes the totals keep (for tests: none once the queue is empty)."""
        return len(self._totals)

    # -- list changes (appending needs none: a check counts what it has not) ----------------
    def __delitem__(self, index: SupportsIndex | slice) -> None:
        if isinstance(index, slice) and index.start in (None, 0) and index.step in (None, 1):
            n = len(range(*index.indices(len(self))))
            gone = self[:n]
            super().__delitem__(index)
            self._take_out(gone)
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
