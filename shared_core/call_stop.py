"""How a call ends when its caller stops it half-way: abandoned attempts, interrupted calls.

A stream the caller closes, a task a web server cancels because its client went away, Ctrl-C
in a script: the call does not end through :meth:`CallPlan.succeeded` or :meth:`CallPlan.failed`.
:class:`CallStop` is the part of :class:`~shared_core.dispatch.CallPlan` that still ends it
properly: the attempt that was under way (its request sent, so possibly billed) is recorded
as ``abandoned`` with a cost budgets count, and the call's reservation is released at once
instead of lingering until ``budget.reservation_ttl_s``. The executors
(:func:`~shared_core.dispatch.execute` / ``aexecute``) and both adapters' streams call
:meth:`CallStop.interrupted` on the way out of any ``BaseException`` that is not an
``Exception`` (``asyncio.CancelledError``, ``KeyboardInterrupt``, ``GeneratorExit``,
``SystemExit``).

A call function run by :func:`~shared_core.dispatch.execute` / ``aexecute`` ends a call with
its caller's own error by raising :class:`StopCall` (see there): the attempt is recorded
``abandoned`` and the caller's exception goes on unwrapped.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .pricing import Usage
from .unanswered import upper_bound_note

if TYPE_CHECKING:
    from .decision import RouteDecision
    from .dispatch import Attempt
    from .ledger.base import Status


class StopCall(Exception):
    """Raised by a call function under :func:`~shared_core.dispatch.execute` / ``aexecute``
    to end the call with its caller's own error (``error``).

    For an attempt the caller's own code stopped after the request was sent, e.g. a
    framework hook (a LangChain callback handler) that raised while the answer came: no
    provider failed, so :meth:`~shared_core.dispatch.CallPlan.failed` (which could fall back
    and pay another tier, and cools the tier down) does not apply, nor do the answer checks.
    The executor records the attempt ``abandoned`` (:meth:`CallStop.abandoned`: with
    ``usage`` if the provider sent any, else tokens estimated from the request and
    ``received_text``; ``reason`` is the record's note), which ends the call and releases its
    reservation, then raises ``error`` itself, unwrapped and unchanged. Adapters that drive
    the plan themselves (streams) call :meth:`CallStop.stopped` alike.
    """

    def __init__(
        self, error: Exception, *, usage: Usage | None = None, received_text: str = "",
        reason: str | None = None,
    ) -> None:
        super().__init__(reason or f"the caller's {type(error).__name__} stopped the call")
        self.error = error
        self.usage = usage
        self.received_text = received_text
        self.reason = reason


class CallStop:
    """The early-end half of :class:`~shared_core.dispatch.CallPlan` (a mixin: the state it
    reads and writes is the plan's own)."""

    if TYPE_CHECKING:
        otel: Any
        attempts: list[Attempt]
        decision: RouteDecision
        _live: Attempt | None
        _closed: bool

        def close(self) -> None: ...
        def _record_refusal(
            self, exc: BaseException, status: Status = "refused", *, reason: str | None = None,
            unpriced: bool = False, attempt: int = 0,
        ) -> None: ...
        def _elapsed_ms(self) -> float: ...
        streaming: bool

        def _sent_tokens(self, attempt: Attempt) -> int: ...
        def _estimated_usage(self, attempt: Attempt, received_text: str) -> Usage: ...
        def _believed(
            self, attempt: Attempt, usage: Usage | None, received_text: str
        ) -> tuple[Usage, str | None]: ...
        def _record(
            self, attempt: Attempt, *, status: Status, usage: Usage | None, latency_ms: float,
            error_kind: str | None = None, error: BaseException | str | None = None,
            received_text: str | None = None,
        ) -> tuple[float | None, float | None]: ...

    def abandoned(
        self, attempt: Attempt, *, usage: Usage | None, received_text: str = "", chunks: int = 0,
        reason: str | None = None,
    ) -> None:
        """The caller closed a stream before its end: record the attempt as ``abandoned``.

        The provider is paid for what it generated, so the record carries a cost that budgets
        count: from the provider's usage when it arrived, else estimated from what was sent
        (the request's estimated input tokens plus the tier's system prompt) and what was
        received (``received_text``, characters / 4). ``reason`` replaces the record's note
        ("caller closed the stream after N chunk(s)").
        """
        self._live = None
        note = reason or f"caller closed the stream after {chunks} chunk(s)"
        if usage is None:
            usage = self._estimated_usage(attempt, received_text)
            note += "; tokens estimated from the text sent and received"
        else:
            usage, belief = self._believed(attempt, usage, received_text)
            if belief is not None:  # a usage impossible for what was sent and received
                note += f"; {belief}"
        self._record(
            attempt, status="abandoned", usage=usage, latency_ms=self._elapsed_ms(),
            error_kind="abandoned", error=note,
        )
        if self.otel is not None:
            self.otel.end(self, outcome="abandoned")
        self.close()  # the call is over: its reservation is released behind the record

    def stopped(self, attempt: Attempt, stop: StopCall) -> Exception:
        """End the call as ``stop`` says (see :class:`StopCall`): the attempt is recorded
        ``abandoned``; returns the caller's error, to raise as it is."""
        self.abandoned(
            attempt, usage=stop.usage, received_text=stop.received_text, reason=stop.reason
        )
        return stop.error

    def interrupted(self, exc: BaseException | None = None) -> None:
        """The caller stopped the call (a cancelled task, ``KeyboardInterrupt``, a closed
        generator) at any point: the attempt under way, if any, is recorded ``abandoned``
        (its request was sent: tokens estimated from it, nothing received), and the call's
        reservation is released. Stopped before any attempt, a call whose classifier paid
        an LLM judge records that cost (``abandoned``, attempt 0). A no-op once the call
        has ended."""
        if self._closed:
            return
        attempt = self._live
        if attempt is not None:
            what = type(exc).__name__ if exc is not None else "an interruption"
            reason = f"caller stopped the call ({what}) before the provider's answer"
            usage = None
            if not self.streaming and attempt.max_tokens is not None:
                # sent and never answered: the provider may finish and bill it, every answer
                # asked for (a stream's provider stops generating when its client leaves)
                out = attempt.max_tokens * self._answers(attempt.tier)  # type: ignore[attr-defined]
                usage = Usage(self._sent_tokens(attempt), out)
                reason = f"{reason}; {upper_bound_note(out)}"
            self.abandoned(attempt, usage=usage, reason=reason)
            return
        if not self.attempts and self.decision.classifier_calls:  # the judge was paid
            self._record_refusal(exc or asyncio.CancelledError(), status="abandoned")
        elif self.otel is not None:
            self.otel.end(self, exc, outcome="abandoned")
        self.close()

    def stopped_deciding(self, exc: BaseException, reason: str, *, unpriced: bool) -> None:
        """Record a call its caller stopped before the router had decided (see
        :meth:`~shared_core.router.Router.record_stopped`): ``abandoned`` at attempt 0 with the judge's cost if it
        had answered, else 0, or unknown (``None``) when ``unpriced`` (a judge's call was in
        flight); then end the call."""
        if self._closed:
            return
        self._record_refusal(exc, status="abandoned", reason=reason, unpriced=unpriced)
        self.close()

    def refused_before_deciding(self, exc: BaseException, *, attempt: int = 0) -> None:
        """Record a call refused before the router decided (see
        :meth:`~shared_core.router.Router.record_refused`): ``refused`` at ``attempt`` (0; 1
        when the call's judge has a record of its own at 0), cost 0; then end the call."""
        if self._closed:
            return
        self._record_refusal(exc, attempt=attempt)
        self.close()
