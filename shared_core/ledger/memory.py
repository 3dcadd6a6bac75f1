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
    """Keeps every record in memory (lost when the process ends). Thread-safe."""

    def __init__(self, *, salt: str | None = None) -> None:
        self.salt = salt or new_salt()
        self._records: list[CallRecord] = []
        self._feedback: list[Feedback] = []
        self._lock = threading.Lock()
        self._spend_cache: dict[tuple[str, float], tuple[float, int]] = {}

    def record(self, rec: CallRecord) -> None:
        with self._lock:
            self._records.append(rec)

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
                if r.ts < since or r.cost_usd is None:
                    continue
                if kind == "tag" and value not in r.tags:
                    continue
                if kind == "user" and r.user != value:
                    continue
                total += r.cost_usd
            if len(self._spend_cache) > 256:
                self._spend_cache.clear()
            self._spend_cache[key] = (total, len(self._records))
        return total

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __repr__(self) -> str:
        return f"InMemoryLedger(records={len(self)})"
