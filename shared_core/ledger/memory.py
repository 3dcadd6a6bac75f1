"""`InMemoryLedger`: a thread-safe list of records, for tests, notebooks and short jobs."""

from __future__ import annotations

import threading

from .base import (
    CallRecord,
    CostLedger,
    Feedback,
    RecordFilter,
    new_salt,
    parse_scope,
    validate_feedback,
)


class InMemoryLedger(CostLedger):
    """Keeps records in memory (lost when the process ends). Thread-safe.

    Args:
        max_records: past this many records the oldest tenth is dropped, so a long-running
            service does not grow without bound (``None``: keep everything). Spend totals
            that budgets track (every scope queried so far) keep counting dropped records;
            use :class:`SQLiteLedger` for a full history.
    """

    def __init__(self, *, salt: str | None = None, max_records: int | None = 100_000) -> None:
        self.salt = salt or new_salt()
        self.max_records = max_records
        self._records: list[CallRecord] = []
        self._feedback: list[Feedback] = []
        self._lock = threading.Lock()
        self._spend_cache: dict[tuple[str, float], tuple[float, int]] = {}

    def record(self, rec: CallRecord) -> None:
        with self._lock:
            self._records.append(rec)
            if self.max_records is not None and len(self._records) > self.max_records:
                self._evict()

    def _evict(self) -> None:
        """Drop the oldest tenth, folding them into the spend totals tracked so far."""
        assert self.max_records is not None
        cut = max(len(self._records) - self.max_records, self.max_records // 10, 1)
        gone = self._records[:cut]
        for (scope, since), (total, seen) in list(self._spend_cache.items()):
            kind, value = parse_scope(scope)
            total += sum(r.cost_usd for r in gone[seen:] if _counts(r, kind, value, since))  # type: ignore[misc]
            self._spend_cache[(scope, since)] = (total, max(0, seen - cut))
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
        """Known costs in ``scope`` since ``since``; incremental per ``(scope, since)``."""
        kind, value = parse_scope(scope)
        key = (scope, since)
        with self._lock:
            total, seen = self._spend_cache.get(key, (0.0, 0))
            for r in self._records[seen:]:
                if _counts(r, kind, value, since):
                    total += r.cost_usd  # type: ignore[operator]
            if len(self._spend_cache) > 256:
                self._spend_cache.clear()
            self._spend_cache[key] = (total, len(self._records))
        return total

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __repr__(self) -> str:
        return f"InMemoryLedger(records={len(self)})"


def _counts(r: CallRecord, kind: str, value: str | None, since: float) -> bool:
    """Whether a record's known cost counts toward a scope's spend since ``since``."""
    if r.ts < since or r.cost_usd is None:
        return False
    if kind == "tag" and value not in r.tags:
        return False
    return not (kind == "user" and r.user != value)
