"""`InMemoryLedger`: a thread-safe list of records, for tests, notebooks and short jobs."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Sequence

from .base import (
    CallRecord,
    CostLedger,
    Feedback,
    LimitCheck,
    RecordFilter,
    Refusal,
    day_start,
    fits,
    new_salt,
    parse_scope,
    record_scopes,
    validate_feedback,
)
from .counters import partial_day_spend


class InMemoryLedger(CostLedger):
    """Keeps records in memory (lost when the process ends). Thread-safe.

    Spend is kept in per-scope, per-UTC-day counters updated with each record, so a
    budget check costs the same at any number of records, and reservations are held
    under the same lock: threads sharing one ledger cannot overspend a hard limit.

    Args:
        max_records: past this many records the oldest tenth is dropped, so a long-running
            service does not grow without bound (``None``: keep everything). Spend counters
            keep counting dropped records; use :class:`SQLiteLedger` for a full history.
    """

    def __init__(self, *, salt: str | None = None, max_records: int | None = 100_000) -> None:
        self.salt = salt or new_salt()
        self.max_records = max_records
        self._records: list[CallRecord] = []
        self._feedback: list[Feedback] = []
        self._lock = threading.Lock()
        self._days: defaultdict[str, defaultdict[float, float]] = defaultdict(
            lambda: defaultdict(float)
        )
        self._held: dict[str, dict[str, tuple[float, float]]] = {}
        self._alerts: set[tuple[str, str, float, float]] = set()

    def record(self, rec: CallRecord) -> None:
        with self._lock:
            self._record_locked(rec)

    def _record_locked(self, rec: CallRecord) -> None:
        self._records.append(rec)
        if rec.cost_usd is not None:
            day = day_start(rec.ts)
            for scope in record_scopes(rec):
                self._days[scope][day] += rec.cost_usd
        if self.max_records is not None and len(self._records) > self.max_records:
            cut = max(len(self._records) - self.max_records, self.max_records // 10, 1)
            del self._records[:cut]

    def select(self, where: RecordFilter) -> list[CallRecord]:
        with self._lock:
            snapshot = list(self._records)
        out = [r for r in snapshot if where.matches(r)]
        out.sort(key=lambda r: (r.ts, r.call_id, r.attempt))
        return out

    def record_feedback(self, call_id: str, score: float, source: str = "user") -> None:
        validate_feedback(call_id, score, source)
        with self._lock:
            self._feedback.append(Feedback(call_id, float(score), source))  # type: ignore[arg-type]

    def feedback(self) -> list[Feedback]:
        with self._lock:
            return sorted(self._feedback, key=lambda f: f.ts)

    def spend(self, scope: str, since: float) -> float:
        """Known costs in ``scope`` since ``since``: a sum over day counters."""
        with self._lock:
            return self._spend_locked(scope, since)

    def _spend_locked(self, scope: str, since: float) -> float:
        parse_scope(scope)  # a malformed scope is an error, not zero spend
        first = day_start(since)
        days = self._days.get(scope)
        if not days:
            return 0.0
        total = sum(v for d, v in days.items() if d > first)
        if since == first:
            return total + days.get(first, 0.0)
        return total + partial_day_spend(self._records, scope, since)

    # -- reservations -----------------------------------------------------------------
    def reserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        now = time.time()
        with self._lock:
            self._expire(now)
            for lim in limits:
                held = self._spend_locked(lim.scope, lim.since) + self._reserved_locked(lim.scope)
                if not fits(held, amount, lim.limit_usd):
                    return Refusal(lim, held)
            mine = self._held.setdefault(reservation_id, {})
            for scope in dict.fromkeys(lim.scope for lim in limits):
                prev = mine.get(scope, (0.0, 0.0))[0]
                mine[scope] = (prev + max(0.0, amount), now + ttl_s)
        return None

    def release(self, reservation_id: str) -> None:
        with self._lock:
            self._held.pop(reservation_id, None)

    def renew(self, reservation_ids: Sequence[str], ttl_s: float) -> None:
        """Renewed first, then what lapsed is dropped: a hold of this process that expired
        while it was paused (SIGSTOP, a debugger) and is still here is its call's again."""
        now = time.time()
        with self._lock:
            for rid in reservation_ids:
                mine = self._held.get(rid)
                if mine is not None:
                    for scope, (amount, _) in mine.items():
                        mine[scope] = (amount, now + ttl_s)
            self._expire(now)

    def reserved(self, scope: str) -> float:
        with self._lock:
            self._expire(time.time())
            return self._reserved_locked(scope)

    def _reserved_locked(self, scope: str) -> float:
        return sum(h[scope][0] for h in self._held.values() if scope in h)

    def _expire(self, now: float) -> None:
        """Drop the holds that lapsed. Unlike a shared ledger's, they are not made spend
        (:mod:`.lapsed`): this ledger dies with its process, so a hold that lapses here belongs
        to a living worker (this process, paused past the TTL; or, in a forked child's copy, the
        parent, which records and releases the call in its own copy). Its call records its real
        cost, so spend at the held amount could only count it twice."""
        for rid in [r for r, h in self._held.items() if all(e <= now for _, e in h.values())]:
            del self._held[rid]

    def claim_alert(self, scope: str, period: str, since: float, fraction: float) -> bool:
        key = (scope, period, since, fraction)
        with self._lock:
            if key in self._alerts:
                return False
            self._alerts.add(key)
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __repr__(self) -> str:
        return f"InMemoryLedger(records={len(self)})"
