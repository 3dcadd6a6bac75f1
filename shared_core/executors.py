"""Generic executors: run a :class:`~shared_core.dispatch.CallPlan` with a plain callable.

:func:`execute` / :func:`aexecute` are the loop of :mod:`shared_core.dispatch`'s docstring,
with the per-attempt timeout applied and the call's OpenTelemetry span current while an
attempt runs. Import them from :mod:`shared_core.dispatch` (they are re-exported there).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from .call_stop import StopCall

if TYPE_CHECKING:
    from .dispatch import Attempt, CallPlan
    from .pricing import Usage
    from .quality import Answer

T = TypeVar("T")


@dataclass(frozen=True)
class AttemptResult:
    """What a call function returns to :func:`execute`: the value plus what the plan needs."""

    value: Any
    usage: Usage | None = None
    answer: Answer | None = None


def execute(plan: CallPlan, call: Callable[[Attempt], AttemptResult]) -> AttemptResult:
    """Run a plan with a synchronous call function; returns the accepted result.

    ``KeyboardInterrupt`` (or any other ``BaseException`` that is not an ``Exception``) on
    the way goes on to the caller after :meth:`CallPlan.interrupted` recorded the attempt
    under way and released the call's reservation.

    ``call`` may raise :class:`~shared_core.call_stop.StopCall` to end the call with its
    caller's own error: the attempt is recorded ``abandoned`` and that error is raised,
    unwrapped (no fallback, no escalation)."""
    try:
        return _execute(plan, call)
    except BaseException as exc:
        if not isinstance(exc, Exception):
            plan.interrupted(exc)
        raise


def _execute(plan: CallPlan, call: Callable[[Attempt], AttemptResult]) -> AttemptResult:
    kept: AttemptResult | None = None
    while (attempt := plan.next_attempt()) is not None:
        try:
            if plan.otel is None and attempt.timeout_s is None:
                result = call(attempt)  # the usual attempt: no span to make current, no timeout
            else:
                with _in_span(plan):
                    result = _with_timeout(call, attempt)
        except StopCall as stop:
            error = plan.stopped(attempt, stop)
            break
        except Exception as exc:
            plan.failed(attempt, exc)
            continue
        if plan.succeeded(attempt, usage=result.usage, answer=result.answer):
            return result
        kept = result
    else:
        return _kept_or_raise(plan, kept)
    raise error  # out of the except clause: the caller's error goes on as it was raised


async def aexecute(plan: CallPlan, call: Callable[[Attempt], Awaitable[AttemptResult]]) -> AttemptResult:
    """Async twin of :func:`execute`; the per-attempt timeout cancels the call. A cancelled
    task (``asyncio.CancelledError``) ends the plan as :func:`execute` says."""
    try:
        return await _aexecute(plan, call)
    except BaseException as exc:
        if not isinstance(exc, Exception):
            plan.interrupted(exc)
        raise


async def _aexecute(
    plan: CallPlan, call: Callable[[Attempt], Awaitable[AttemptResult]]
) -> AttemptResult:
    kept: AttemptResult | None = None
    while (attempt := await plan.anext_attempt()) is not None:
        try:
            with _in_span(plan):
                if attempt.timeout_s is not None:
                    result = await asyncio.wait_for(call(attempt), attempt.timeout_s)
                else:
                    result = await call(attempt)
        except StopCall as stop:
            error = plan.stopped(attempt, stop)
            break
        except Exception as exc:
            plan.failed(attempt, exc)
            continue
        if plan.succeeded(attempt, usage=result.usage, answer=result.answer):
            return result
        kept = result
    else:
        return _kept_or_raise(plan, kept)
    raise error  # out of the except clause: the caller's error goes on as it was raised


def _in_span(plan: CallPlan) -> AbstractContextManager[Any]:
    """The call's span as the current one while an attempt runs (OpenTelemetry on), so that
    the provider's own instrumented spans are its children."""
    return _NO_SPAN if plan.otel is None else plan.otel.current()


_NO_SPAN = contextlib.nullcontext()


def _kept_or_raise(plan: CallPlan, kept: AttemptResult | None) -> AttemptResult:
    if kept is not None and plan.kept is not None:
        plan.accept_rejected(plan.kept)
        return kept
    raise plan.failure()


def _with_timeout(call: Callable[[Attempt], T], attempt: Attempt) -> T:
    if attempt.timeout_s is None:
        return call(attempt)
    import concurrent.futures as cf
    import contextvars

    pool = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="tier-router-attempt")
    try:  # the caller's context variables (tracing, callbacks) go with the call
        fut = pool.submit(contextvars.copy_context().run, call, attempt)
        try:
            return fut.result(timeout=attempt.timeout_s)
        except cf.TimeoutError:
            fut.cancel()
            raise TimeoutError(f"attempt on tier {attempt.tier.name!r} timed out after {attempt.timeout_s}s") from None
    finally:
        pool.shutdown(wait=False)
