"""The ledger's values and contract: one :class:`CallRecord` per attempt, :class:`CostLedger`."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import numbers
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal

from ..errors import InputError, UnknownCallError
from ..storable import storable_id, storable_meta
from .limits import DAY_S, LimitCheck, Refusal, day_start, fits, parse_scope
from .record_fields import STATUSES, check_record_fields
from .selection import RecordFilter, record_scopes

if TYPE_CHECKING:
    from .summary import LedgerSummary

__all__ = [
    "DAY_S", "STATUSES", "CallRecord", "CostLedger", "Feedback", "LimitCheck", "RecordFilter",
    "Refusal", "StateChange", "day_start", "fits", "hash_prompt", "new_salt", "parse_scope",
    "record_scopes", "validate_feedback",
]

Status = Literal["ok", "failed", "rejected", "refused", "abandoned"]
Framework = Literal["core", "langchain", "llamaindex"]
FeedbackSource = Literal["user", "escalation"]
FEEDBACK_SOURCES: tuple[str, ...] = ("user", "escalation")


def hash_prompt(text: str, salt: str) -> str:
    """Salted SHA-256 of a prompt (hex): equal prompts match, the text cannot be read back."""
    data = salt.encode("utf-8", "surrogatepass") + b"\x00" + text.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def new_salt() -> str:
    """A random salt for prompt hashes (32 hex characters)."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class CallRecord:
    """One attempt of one call: what ran, what it cost, what it would have cost on the baseline.

    A user request is one ``call_id``; each try on a tier (the first, an escalation, a
    fallback) is one record with ``attempt`` 0, 1, 2... Convention for savings: the
    attempt that answered (``status="ok"``) carries ``baseline_cost_usd``, the cost of the
    same tokens on the baseline model; summaries count the baseline from ``ok`` records only,
    so a call that escalated is compared with one baseline call, not with one per attempt.
    """

    call_id: str
    tier: str
    model: str
    attempt: int = 0
    ts: float = field(default_factory=time.time)
    status: Status = "ok"
    error_kind: str | None = None
    error: str | None = None
    """Already redacted error text (never an API key)."""
    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cost_usd: float | None = None
    """``None`` = unknown price (not free), and only that: a failed attempt the provider did
    not bill (no tokens) costs ``0.0`` (:func:`~shared_core.ledger.record_fields.unbilled`)."""
    baseline_model: str | None = None
    baseline_cost_usd: float | None = None
    latency_ms: float = 0.0
    escalated: bool = False
    """This attempt is an escalation after a failed quality check."""
    fallback: bool = False
    """This attempt is a fallback after a provider error."""
    classifier: str | None = None
    confidence: float | None = None
    prompt_hash: str | None = None
    prompt: str | None = None
    """The prompt text, only when the user opted in (``ledger.store_prompts``)."""
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    user: str | None = None
    thread_id: str | None = None
    framework: Framework = "core"
    streamed: bool = False
    variant: str | None = None
    """The A/B variant (control / candidate name) whose decision this call followed."""

    def __post_init__(self) -> None:
        # only storable values (see shared_core.storable): one record that a ledger cannot
        # write would hold every later one back
        check_record_fields(self)
        d = self.__dict__
        if d["metadata"]:
            d["metadata"] = storable_meta(d["metadata"])

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["tags"] = list(self.tags)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CallRecord:
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in names}
        kw["tags"] = tuple(kw.get("tags") or ())
        kw["metadata"] = dict(kw.get("metadata") or {})
        return cls(**kw)

    @property
    def day(self) -> str:
        """The UTC day of this record, ``YYYY-MM-DD``."""
        return time.strftime("%Y-%m-%d", time.gmtime(self.ts))


@dataclass(frozen=True)
class Feedback:
    """A quality score for one call: from a user, or 0.0 from a failed check (escalation)."""

    call_id: str
    score: float
    source: FeedbackSource = "user"
    ts: float = field(default_factory=time.time)


@dataclass(frozen=True)
class StateChange:
    """One write of a shared value (the feedback loop's knob): what, when, which version."""

    key: str
    value: dict[str, Any]
    version: int
    ts: float


def validate_feedback(call_id: str, score: float, source: str) -> None:
    if not isinstance(call_id, str) or not call_id:
        raise InputError(f"record_feedback: call_id must be a non-empty string, got {call_id!r}")
    if (not call_id.isascii() and storable_id(call_id) != call_id) or "\x00" in call_id:
        # no call has one (call ids are the router's own text); stored, it would fail every write
        raise UnknownCallError(call_id)
    if (
        isinstance(score, bool)
        or not isinstance(score, numbers.Real)
        or not math.isfinite(score)
        or not 0.0 <= score <= 1.0
    ):
        raise InputError(f"record_feedback: score must be a number in [0, 1], got {score!r}")
    if source not in FEEDBACK_SOURCES:
        raise InputError(
            f"record_feedback: source must be one of {FEEDBACK_SOURCES}, got {source!r}"
        )


class CostLedger(ABC):
    """Where call records go. Recording never raises into the caller's request."""

    salt: str
    """Salt of prompt hashes (from config, or random per ledger)."""

    @property
    def identity(self) -> tuple[Any, ...]:
        """What this ledger stores into: two ledger objects with equal identities write to
        the same place (one SQLite file, one PostgreSQL database), so a record written through
        either is one record of both. By default the object itself: nothing else shares it."""
        return ("object", id(self))

    @abstractmethod
    def record(self, rec: CallRecord) -> None:
        """Store one attempt's record."""

    async def arecord(self, rec: CallRecord) -> None:
        """Async twin of :meth:`record`."""
        self.record(rec)

    def records(
        self,
        since: float | None = None,
        until: float | None = None,
        tier: str | None = None,
        tag: str | None = None,
        status: str | None = None,
    ) -> list[CallRecord]:
        """Records with ``since <= ts < until`` (unix seconds) matching the filters, by time."""
        return self.select(RecordFilter(since, until, tier, tag, status))

    @abstractmethod
    def select(self, where: RecordFilter) -> list[CallRecord]:
        """The records :meth:`records` returns: those ``where`` matches, sorted by time."""

    @abstractmethod
    def record_feedback(self, call_id: str, score: float, source: str = "user") -> None:
        """A quality score in [0, 1] for a call (``source`` = ``user`` or ``escalation``)."""

    @abstractmethod
    def feedback(self) -> list[Feedback]:
        """Every feedback entry, oldest first."""

    def recent_feedback(
        self, since: float, limit: int, variant: str | None = None
    ) -> list[Feedback]:
        """The newest ``limit`` feedback entries with ``ts >= since``, oldest first (what the
        feedback loop reads; persistent ledgers answer it with one bounded query). With a
        ``variant``, only entries about calls recorded in that A/B variant: a variant routed a
        small share of the calls still finds its own newest ``limit``."""
        if limit == 0:
            return []
        entries = [f for f in self.feedback() if f.ts >= since]
        if variant is not None:
            entries = self.feedback_in_variant(entries, variant)
        return entries if limit < 0 else entries[-limit:]

    def feedback_in_variant(self, entries: list[Feedback], variant: str) -> list[Feedback]:
        """The ``entries`` about calls recorded in ``variant`` (one :meth:`records_of` read;
        also what a persistent ledger does with the entries still queued in this process)."""
        if not entries:
            return []
        ours = {r.call_id for r in self.records_of({f.call_id for f in entries}) if r.variant == variant}
        return [f for f in entries if f.call_id in ours]

    def records_of(self, call_ids: Collection[str]) -> list[CallRecord]:
        """Every record of these calls, by time (persistent ledgers: an indexed query)."""
        ids = set(call_ids)
        return [r for r in self.records() if r.call_id in ids]

    def knows_call(self, call_id: str) -> bool:
        """Whether a record of ``call_id`` is stored (by any worker sharing the ledger) or
        waiting in this process to be written. Raises :class:`LedgerUnavailableError` when
        the database cannot be read now (``Router.record_feedback`` then stores unchecked)."""
        return bool(self.records_of([call_id]))

    @abstractmethod
    def spend(self, scope: str, since: float) -> float:
        """USD spent (known costs) since ``since`` in ``global``, ``tag:<t>`` or ``user:<u>``."""

    # -- shared state (the feedback loop's knob) --------------------------------------
    # Defaults keep the state in this object (one process); persistent ledgers override
    # the three methods so every worker sharing the ledger reads and writes one value.
    def get_state(self, key: str) -> tuple[dict[str, Any] | None, int]:
        """The value stored under ``key`` and its version (``(None, 0)`` when never written)."""
        with self._state_lock():
            hist = self._state_log().get(key)
            return (dict(hist[-1].value), hist[-1].version) if hist else (None, 0)

    def put_state(self, key: str, value: dict[str, Any], expected_version: int) -> bool:
        """Write ``value`` if the stored version is still ``expected_version`` (compare-and-set).

        Returns False, writing nothing, when another writer got there first. Every write
        is kept: :meth:`state_history` lists them.
        """
        with self._state_lock():
            hist = self._state_log().setdefault(key, [])
            if (hist[-1].version if hist else 0) != expected_version:
                return False
            hist.append(StateChange(key, dict(value), expected_version + 1, time.time()))
            return True

    def state_history(self, key: str) -> list[StateChange]:
        """Every write of ``key``, oldest first."""
        with self._state_lock():
            return list(self._state_log().get(key, []))

    def _state_lock(self) -> Any:
        lock = self.__dict__.get("_state_mutex")
        if lock is None:
            import threading

            lock = self.__dict__.setdefault("_state_mutex", threading.Lock())
        return lock

    def _state_log(self) -> dict[str, list[StateChange]]:
        return self.__dict__.setdefault("_state_changes", {})  # type: ignore[no-any-return]

    async def aspend(self, scope: str, since: float) -> float:
        """Async twin of :meth:`spend`."""
        return self.spend(scope, since)

    # -- reservations: what makes a hard limit hard ---------------------------------
    @abstractmethod
    def reserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        """Hold ``amount`` USD against every limit in one atomic step, or hold nothing.

        Fits when, for every limit, recorded spend + live reservations + ``amount`` stays
        within it. Reserving again under the same id adds to that reservation (an
        escalation extending it) and renews its expiry to ``now + ttl_s``. Returns ``None``
        when held, else the first limit that does not fit. Raises
        :class:`~shared_core.errors.LedgerUnavailableError` when the ledger cannot answer.
        """

    async def areserve(
        self, reservation_id: str, amount: float, limits: Sequence[LimitCheck], ttl_s: float
    ) -> Refusal | None:
        """Async twin of :meth:`reserve`."""
        return self.reserve(reservation_id, amount, limits, ttl_s)

    @abstractmethod
    def release(self, reservation_id: str) -> None:
        """Drop a reservation once the call's records are in (after them, never before)."""

    def renew(self, reservation_ids: Sequence[str], ttl_s: float) -> None:  # noqa: B027 - optional
        """Push the expiry of these live reservations to ``now + ttl_s`` (their calls are still
        under way); one already released or expired stays gone. Raises
        :class:`~shared_core.errors.LedgerUnavailableError` when the ledger cannot answer. The
        default does nothing: a ledger of one's own keeps its holds only for the TTL."""

    @abstractmethod
    def reserved(self, scope: str) -> float:
        """USD held by live (unexpired) reservations in ``scope``."""

    async def areserved(self, scope: str) -> float:
        """Async twin of :meth:`reserved`."""
        return self.reserved(scope)

    def held(self, scope: str, since: float) -> float:
        """Spend since ``since`` plus live reservations in ``scope`` (what pressure reads)."""
        return self.spend(scope, since) + self.reserved(scope)

    async def aheld(self, scope: str, since: float) -> float:
        """Async twin of :meth:`held`."""
        return await self.aspend(scope, since) + await self.areserved(scope)

    # -- alerts: claimed once across every process sharing the ledger -----------------
    @abstractmethod
    def claim_alert(self, scope: str, period: str, since: float, fraction: float) -> bool:
        """``True`` for exactly one caller per (scope, period start, fraction), ever."""

    _salted: tuple[str, Any] | None = None  # (salt, the SHA-256 state after salt + separator)

    def hash_prompt(self, text: str) -> str:
        """The salted hash this ledger stores for a prompt (:func:`hash_prompt`, continued from
        the hash state after the salt: ~1 µs less per record inside a LangChain call)."""
        salted = self._salted
        if salted is None or salted[0] is not self.salt:  # (made again for a new salt)
            salted = self._salted = (self.salt, hashlib.sha256(self.salt.encode("utf-8", "surrogatepass") + b"\x00"))
        h = salted[1].copy()
        h.update(text.encode("utf-8", "surrogatepass"))
        return h.hexdigest()

    def summary(
        self,
        since: float | None = None,
        until: float | None = None,
        tag: str | None = None,
        window_s: float = 86400.0,
    ) -> LedgerSummary:
        """Cost, savings, distribution, rates, latency and quality drift (see ``summary.py``)."""
        from .summary import summarize

        recs = self.records(since=since, until=until, tag=tag)
        ids = {r.call_id for r in recs}
        fb = [f for f in self.feedback() if f.call_id in ids]
        return summarize(recs, fb, window_s=window_s)

    def flush(self) -> int:
        """Write any buffered records; returns how many are still pending."""
        return 0

    @property
    def pending(self) -> int:
        """Records, feedback scores and releases of holds waiting in memory for the ledger's
        storage (what :meth:`flush` writes; it returns this count once it has written what it
        could). ``0`` for a ledger that stores each as it comes (``InMemoryLedger``); the
        SQLite and PostgreSQL ledgers count their queues."""
        return 0

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (flushes first where relevant)."""

    async def _to_thread(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    def __enter__(self) -> CostLedger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
