"""One routed call: the decision's plan, and how each attempt calls its tier (plain or streamed).

Non-streamed calls run through :func:`shared_core.dispatch.execute` / ``aexecute`` (fallback,
escalation and the ledger live there). Streams run the same plan by hand: an error before the
first chunk reaches the caller falls back to the next tier; after it, it is recorded and
re-raised. One chunk is held back so the last one can carry the final metadata (cost,
usage). Whole-answer checks apply to streams only with ``escalation.buffer_streams`` (then
chunks are released once the answer passed); otherwise a streamed answer is never escalated.
A per-attempt timeout (``fallback.attempt_timeout_s`` / ``Tier.timeout_s``) bounds the time to
the first chunk (a hung provider falls back); once chunks flow, the inner client's own
timeouts apply. A stream the caller stops reading is recorded as answered (its cost is known
only if usage had arrived).
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
)

from shared_core.dispatch import Attempt, AttemptResult, CallPlan

from .messages import apply_system_prompt, prompt_with_system
from .responses import ROUTER_KEY, annotate, answer_of, to_completion, usage_of
from .tools import PreparedTools

if TYPE_CHECKING:
    from .inner import InnerLLM

Response = ChatResponse | CompletionResponse
_END = object()


@dataclass
class RoutedCall:
    """Everything one routed call needs: the plan plus the caller's input."""

    plan: CallPlan
    inners: dict[str, InnerLLM]
    messages: Sequence[ChatMessage] = ()
    prompt: str | None = None
    """Set for completion calls (``complete`` and friends)."""
    formatted: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)
    prepared: PreparedTools | None = None
    on_done: Callable[[dict[str, Any]], None] | None = None
    """Called with the final metadata when a stream finishes."""

    def finished(self) -> dict[str, Any]:
        meta = self.plan.metadata()
        if self.on_done is not None:
            self.on_done(meta)
        return meta

    # -- per attempt ------------------------------------------------------------
    def _args(self, attempt: Attempt) -> tuple[InnerLLM, Any, list[ChatMessage], dict[str, Any]]:
        inner = self.inners[attempt.tier.name]
        llm = inner.with_budget(attempt.max_tokens)
        kw = dict(self.kwargs)
        msgs: Sequence[ChatMessage] = self.messages
        if self.prepared is not None:
            tkw = self.prepared.for_tier(attempt.tier.name, inner.llm)
            msgs = tkw.pop("messages", msgs)
            kw = {**tkw, **kw}
        elif self.prompt is not None:
            msgs = [ChatMessage(role=MessageRole.USER, content=self.prompt)]
        return inner, llm, apply_system_prompt(msgs, attempt.tier), kw

    def _completion_direct(self, inner: InnerLLM) -> bool:
        return self.prompt is not None and not inner.is_chat

    def invoke(self, attempt: Attempt) -> AttemptResult:
        inner, llm, msgs, kw = self._args(attempt)
        if self._completion_direct(inner):
            out: Response = inner.complete(
                llm, prompt_with_system(self.prompt or "", attempt.tier), self.formatted, **kw
            )
        else:
            out = inner.chat(llm, msgs, **kw)
            if self.prompt is not None:
                out = to_completion(out)
        return AttemptResult(out, usage_of(out), answer_of(out))

    async def ainvoke(self, attempt: Attempt) -> AttemptResult:
        inner, llm, msgs, kw = self._args(attempt)
        if self._completion_direct(inner):
            prompt = prompt_with_system(self.prompt or "", attempt.tier)
            out: Response = await inner.acomplete(llm, prompt, self.formatted, **kw)
        else:
            out = await inner.achat(llm, msgs, **kw)
            if self.prompt is not None:
                out = to_completion(out)
        return AttemptResult(out, usage_of(out), answer_of(out))

    def open_stream(self, attempt: Attempt) -> Iterator[Response]:
        inner, llm, msgs, kw = self._args(attempt)
        if self._completion_direct(inner):
            prompt = prompt_with_system(self.prompt or "", attempt.tier)
            return inner.stream_complete(llm, prompt, self.formatted, **kw)
        it = inner.stream_chat(llm, msgs, **kw)
        return (to_completion(c) for c in it) if self.prompt is not None else it

    async def aopen_stream(self, attempt: Attempt) -> AsyncIterator[Response]:
        inner, llm, msgs, kw = self._args(attempt)
        if self._completion_direct(inner):
            prompt = prompt_with_system(self.prompt or "", attempt.tier)
            return await inner.astream_complete(llm, prompt, self.formatted, **kw)
        it = await inner.astream_chat(llm, msgs, **kw)
        return _aconvert(it) if self.prompt is not None else it

    def tag(self, chunk: Response, attempt: Attempt) -> None:
        """Mark a streamed chunk with its tier (tool-call parsing needs it on every chunk)."""
        kw = dict(chunk.additional_kwargs or {})
        kw[ROUTER_KEY] = {
            "tier": attempt.tier.name,
            "model": attempt.tier.model,
            "call_id": self.plan.decision.call_id,
        }
        chunk.additional_kwargs = kw


def _first_in_time(call: RoutedCall, attempt: Attempt) -> Iterator[Response]:
    """The attempt's stream; opening it and its first chunk must come within ``timeout_s``."""
    timeout = attempt.timeout_s
    if timeout is None:
        yield from call.open_stream(attempt)
        return

    def first() -> tuple[Iterator[Response], Any]:
        it = call.open_stream(attempt)
        return it, next(it, _END)

    pool = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="tier-router-stream")
    try:
        it, head = pool.submit(first).result(timeout=timeout)
    except cf.TimeoutError:
        raise _timeout(attempt, timeout) from None
    finally:
        pool.shutdown(wait=False)
    if head is _END:
        return
    yield head
    yield from it


async def _afirst_in_time(call: RoutedCall, attempt: Attempt) -> AsyncIterator[Response]:
    """Async twin of :func:`_first_in_time` (the hung attempt is cancelled)."""

    async def first() -> tuple[AsyncIterator[Response], Any]:
        it = await call.aopen_stream(attempt)
        return it, await anext(it, _END)

    timeout = attempt.timeout_s
    try:
        it, head = await asyncio.wait_for(first(), timeout) if timeout else await first()
    except asyncio.TimeoutError:
        raise _timeout(attempt, timeout or 0.0) from None
    if head is _END:
        return
    yield head
    async for chunk in it:
        yield chunk


def _timeout(attempt: Attempt, timeout: float) -> TimeoutError:
    return TimeoutError(
        f"stream on tier {attempt.tier.name!r} sent no first chunk within {timeout}s"
    )


async def _aconvert(it: AsyncIterator[ChatResponse]) -> AsyncIterator[CompletionResponse]:
    async for c in it:
        yield to_completion(c)


def stream(call: RoutedCall, buffer: bool) -> Iterator[Response]:
    """Run a plan over streamed attempts (see the module docstring)."""
    plan = call.plan
    kept: list[Response] | None = None
    while (attempt := plan.next_attempt()) is not None:
        held: list[Response] = []
        prev: Response | None = None
        usage = None
        yielded = False
        try:
            for chunk in _first_in_time(call, attempt):
                usage = usage_of(chunk) or usage
                call.tag(chunk, attempt)
                if prev is not None:
                    if buffer:
                        held.append(prev)
                    else:
                        yielded = True
                        try:
                            yield prev
                        except GeneratorExit:  # the caller stopped reading: record the attempt
                            plan.succeeded(attempt, usage=usage, answer=None, check=False)
                            raise
                prev = chunk
        except Exception as exc:
            plan.failed(attempt, exc, after_first_token=yielded)
            continue
        done = _finish_attempt(plan, attempt, prev, usage, buffer)
        if done or not buffer:
            yield from held
            if prev is not None:
                yield annotate(prev, call.finished())
            return
        kept = [*held, *([prev] if prev is not None else [])]
    yield from _kept(call, kept)


async def astream(call: RoutedCall, buffer: bool) -> AsyncIterator[Response]:
    """Async twin of :func:`stream`."""
    plan = call.plan
    kept: list[Response] | None = None
    while (attempt := plan.next_attempt()) is not None:
        held: list[Response] = []
        prev: Response | None = None
        usage = None
        yielded = False
        try:
            async for chunk in _afirst_in_time(call, attempt):
                usage = usage_of(chunk) or usage
                call.tag(chunk, attempt)
                if prev is not None:
                    if buffer:
                        held.append(prev)
                    else:
                        yielded = True
                        try:
                            yield prev
                        except GeneratorExit:  # the caller stopped reading: record the attempt
                            plan.succeeded(attempt, usage=usage, answer=None, check=False)
                            raise
                prev = chunk
        except Exception as exc:
            plan.failed(attempt, exc, after_first_token=yielded)
            continue
        done = _finish_attempt(plan, attempt, prev, usage, buffer)
        if done or not buffer:
            for c in held:
                yield c
            if prev is not None:
                yield annotate(prev, call.finished())
            return
        kept = [*held, *([prev] if prev is not None else [])]
    for c in _kept(call, kept):
        yield c


def _finish_attempt(
    plan: CallPlan, attempt: Attempt, last: Response | None, usage: Any, buffer: bool
) -> bool:
    answer = answer_of(last) if last is not None else None
    return plan.succeeded(attempt, usage=usage, answer=answer, check=buffer)


def _kept(call: RoutedCall, kept: list[Response] | None) -> list[Response]:
    plan = call.plan
    if kept is not None and plan.kept is not None:
        plan.accept_rejected(plan.kept)
        meta = call.finished()
        if kept:
            annotate(kept[-1], meta)
        return kept
    raise plan.failure()
