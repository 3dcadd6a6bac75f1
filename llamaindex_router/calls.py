"""One routed call: the decision's plan, and how each attempt calls its tier (plain or streamed).

Non-streamed calls run through :func:`shared_core.dispatch.execute` / ``aexecute`` (fallback,
escalation and the ledger live there). Streams run the same plan by hand:

* an error before the first output (text or tool call) reaches the caller falls back to the
  next tier (leading empty chunks are held back until then); after it, it is recorded and
  re-raised;
* one chunk is held back so the last one can carry the final metadata (cost, usage);
* whole-answer checks apply only with ``escalation.buffer_streams`` (then chunks are
  released once the answer passed); without it, only an empty or filtered answer that has
  not reached the caller is escalated;
* a per-attempt timeout (``fallback.attempt_timeout_s`` / ``Tier.timeout_s``) bounds the
  time to the first chunk (a hung provider falls back, see :mod:`shared_core.first_chunk`);
  once chunks flow, the inner client's own timeouts apply;
* a stream the caller stops reading is recorded as answered (its cost is known only if
  usage had arrived).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
)

from shared_core.dispatch import Attempt, AttemptResult, CallPlan
from shared_core.first_chunk import astream_within, stream_within
from shared_core.quality import Answer, is_filtered

from .messages import apply_system_prompt, prompt_with_system
from .responses import (
    ROUTER_KEY,
    annotate,
    answer_of,
    finish_reason_of,
    to_completion,
    tool_call_count,
    usage_of,
)
from .tools import PreparedTools

if TYPE_CHECKING:
    from .inner import InnerLLM

Response = ChatResponse | CompletionResponse


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
        reason: str | None = None
        yielded = False
        try:
            for chunk in stream_within(
                partial(call.open_stream, attempt), attempt.timeout_s, tier=attempt.tier.name
            ):
                usage = usage_of(chunk) or usage
                reason = finish_reason_of(chunk) or reason
                call.tag(chunk, attempt)
                if prev is not None:
                    if buffer or not (yielded or has_output(prev)):
                        held.append(prev)  # leading empty chunks wait for the first output
                    else:
                        out, held = [*held, prev], []
                        yielded = True
                        try:
                            yield from out
                        except GeneratorExit:  # the caller stopped reading: record the attempt
                            plan.succeeded(attempt, usage=usage, answer=None, check=False)
                            raise
                prev = chunk
        except Exception as exc:
            plan.failed(attempt, exc, after_first_token=yielded)
            continue
        done = _finish_attempt(plan, attempt, prev, usage, reason, buffer=buffer, shown=yielded)
        if done:
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
        reason: str | None = None
        yielded = False
        try:
            async for chunk in astream_within(
                partial(call.aopen_stream, attempt), attempt.timeout_s, tier=attempt.tier.name
            ):
                usage = usage_of(chunk) or usage
                reason = finish_reason_of(chunk) or reason
                call.tag(chunk, attempt)
                if prev is not None:
                    if buffer or not (yielded or has_output(prev)):
                        held.append(prev)  # leading empty chunks wait for the first output
                    else:
                        out, held = [*held, prev], []
                        yielded = True
                        try:
                            for c in out:
                                yield c
                        except GeneratorExit:  # the caller stopped reading: record the attempt
                            plan.succeeded(attempt, usage=usage, answer=None, check=False)
                            raise
                prev = chunk
        except Exception as exc:
            plan.failed(attempt, exc, after_first_token=yielded)
            continue
        done = _finish_attempt(plan, attempt, prev, usage, reason, buffer=buffer, shown=yielded)
        if done:
            for c in held:
                yield c
            if prev is not None:
                yield annotate(prev, call.finished())
            return
        kept = [*held, *([prev] if prev is not None else [])]
    for c in _kept(call, kept):
        yield c


def _finish_attempt(
    plan: CallPlan,
    attempt: Attempt,
    last: Response | None,
    usage: Any,
    reason: str | None,
    *,
    buffer: bool,
    shown: bool,
) -> bool:
    """Report a finished stream; ``False`` = escalate (its chunks were not released).

    Without ``buffer_streams`` only an empty or filtered answer that the caller has not
    seen yet is checked (the other checks need the whole answer before release).
    """
    answer = answer_of(last, reason) if last is not None else Answer("", finish_reason=reason)
    check = buffer or (not shown and _empty_or_filtered(answer))
    return plan.succeeded(attempt, usage=usage, answer=answer, check=check)


def has_output(chunk: Response) -> bool:
    """Whether a streamed chunk carries output (text or a tool call) the caller would see."""
    if chunk.delta:
        return True
    return isinstance(chunk, ChatResponse) and tool_call_count(chunk) > 0


def _empty_or_filtered(answer: Answer) -> bool:
    return is_filtered(answer.finish_reason) or (not answer.text.strip() and not answer.tool_calls)


def _kept(call: RoutedCall, kept: list[Response] | None) -> list[Response]:
    plan = call.plan
    if kept is not None and plan.kept is not None:
        plan.accept_rejected(plan.kept)
        meta = call.finished()
        if kept:
            annotate(kept[-1], meta)
        return kept
    raise plan.failure()
