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
* a stream the caller closes (``close()`` / ``aclose()``, a cancelled task) is recorded as
  ``abandoned``, costed from the usage received so far, else estimated from the text sent
  and received, so budgets count it.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    MessageRole,
)

from shared_core.dispatch import Attempt, AttemptResult, CallPlan
from shared_core.errors import BadResponseError
from shared_core.first_chunk import astream_within, stream_within
from shared_core.output_budget import has_budget, set_budget
from shared_core.quality import Answer, is_filtered

from .inner import InnerLLM
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
from .structured import with_schema_check
from .tools import PreparedTools

Response = ChatResponse | CompletionResponse
_T = TypeVar("_T")


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
    output_cls: Any = None
    """A ``structured_predict``-style call's output class: answers are schema-checked."""

    def finished(self) -> dict[str, Any]:
        meta = self.plan.metadata()
        if self.on_done is not None:
            self.on_done(meta)
        return meta

    # -- per attempt ------------------------------------------------------------
    def checked(self, answer: Answer, response: Response, attempt: Attempt) -> Answer:
        """``answer``, with its ``schema_error`` when the call is a structured one whose
        program would refuse ``response`` (see :mod:`.structured`)."""
        if self.output_cls is None:
            return answer
        llm = self.inners[attempt.tier.name].llm
        return with_schema_check(answer, response, self.output_cls, self.prepared, llm)

    def _args(self, attempt: Attempt) -> tuple[InnerLLM, Any, list[ChatMessage], dict[str, Any]]:
        inner = self.inners[attempt.tier.name]
        llm = inner.with_budget(attempt.max_tokens)
        kw = dict(self.kwargs)
        if attempt.max_tokens is not None and has_budget(kw):  # one budget: the attempt's
            kw = set_budget(kw, attempt.max_tokens, top=inner.budget_field is None)
        msgs: Sequence[ChatMessage] = self.messages
        if self.prepared is not None:
            tkw = self.prepared.for_tier(attempt.tier.name, inner.llm)
            msgs = tkw.pop("messages", msgs)
            kw = {**tkw, **kw}
        elif self.prompt is not None:
            msgs = [ChatMessage(role=MessageRole.USER, content=self.prompt)]
        return inner, llm, apply_system_prompt(msgs, attempt.tier), kw

    def _target(
        self, attempt: Attempt, complete: Callable[..., _T], chat: Callable[..., _T]
    ) -> tuple[Callable[[], _T], bool]:
        """The inner call for ``attempt`` (``complete`` or ``chat`` flavour of one kind) and
        whether its chat answers must be turned into completion answers."""
        inner, llm, msgs, kw = self._args(attempt)
        if self.prompt is not None and not inner.is_chat:
            prompt = prompt_with_system(self.prompt, attempt.tier)
            return partial(complete, inner, llm, prompt, self.formatted, **kw), False
        return partial(chat, inner, llm, msgs, **kw), self.prompt is not None

    def invoke(self, attempt: Attempt) -> AttemptResult:
        fn, convert = self._target(attempt, InnerLLM.complete, InnerLLM.chat)
        try:
            out = fn()
        except IndexError as exc:  # the client indexed an empty ``choices``
            raise BadResponseError.no_choices(attempt.tier.name, exc) from exc
        return self._result(out, convert, attempt)

    async def ainvoke(self, attempt: Attempt) -> AttemptResult:
        fn, convert = self._target(attempt, InnerLLM.acomplete, InnerLLM.achat)
        try:
            out = await fn()
        except IndexError as exc:  # the client indexed an empty ``choices``
            raise BadResponseError.no_choices(attempt.tier.name, exc) from exc
        return self._result(out, convert, attempt)

    def _result(self, out: Any, convert: bool, attempt: Attempt) -> AttemptResult:
        if convert:
            out = to_completion(out)
        return AttemptResult(out, usage_of(out), self.checked(answer_of(out), out, attempt))

    def open_stream(self, attempt: Attempt) -> Iterator[Response]:
        fn, convert = self._target(attempt, InnerLLM.stream_complete, InnerLLM.stream_chat)
        it: Iterator[Any] = fn()
        return (to_completion(c) for c in it) if convert else it

    async def aopen_stream(self, attempt: Attempt) -> AsyncIterator[Response]:
        fn, convert = self._target(attempt, InnerLLM.astream_complete, InnerLLM.astream_chat)
        it: AsyncIterator[Any] = await fn()
        return _aconvert(it) if convert else it

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


class StreamRun:
    """One routed stream across its attempts: takes chunks, says what to yield and when.

    The sync and async loops (:func:`stream`, :func:`astream`) only open each attempt's
    stream and pass its chunks through :meth:`feed`; every rule lives here.
    """

    def __init__(self, call: RoutedCall, *, buffer: bool) -> None:
        self.call = call
        self.plan = call.plan
        self.buffer = buffer
        self.attempt: Attempt | None = None
        self._kept: list[Response] | None = None
        self._start()

    def _start(self) -> None:
        self._held: list[Response] = []
        self._prev: Response | None = None
        self._usage: Any = None
        self._reason: str | None = None
        self._shown = False
        self._received: list[str] = []
        self.passed = 0
        """Chunks of this attempt the caller received (:meth:`abandon`'s note counts them:
        one chunk is always held back, so fewer than came from the provider)."""
        self._open = self.attempt is not None

    def next_attempt(self) -> Attempt | None:
        """The plan's next attempt (state reset for it), ``None`` when none is left."""
        self.attempt = self.plan.next_attempt()
        self._start()
        return self.attempt

    async def anext_attempt(self) -> Attempt | None:
        """Async twin of :meth:`next_attempt` (the budget reservation awaits the ledger)."""
        self.attempt = await self.plan.anext_attempt()
        self._start()
        return self.attempt

    def feed(self, chunk: Response) -> list[Response]:
        """The chunks to pass on now (none while holding back; one is always held)."""
        assert self.attempt is not None
        self._usage = usage_of(chunk) or self._usage
        self._reason = finish_reason_of(chunk) or self._reason
        if chunk.delta:
            self._received.append(chunk.delta)
        self.call.tag(chunk, self.attempt)
        prev, self._prev = self._prev, chunk
        if prev is None:
            return []
        if self.buffer or not (self._shown or has_output(prev)):
            self._held.append(prev)  # leading empty chunks wait for the first output
            return []
        out, self._held = [*self._held, prev], []
        self._shown = True
        return out

    def abandon(self, exc: BaseException | None = None) -> None:
        """The caller stopped the stream (closed it, cancelled its task, Ctrl-C): record the
        open attempt as ``abandoned`` (once), with the usage received so far, else a cost
        estimated from the text sent and received; with none open the call just ends
        (:meth:`CallPlan.interrupted`: its reservation is released either way)."""
        if not self._open or self.attempt is None:
            self.plan.interrupted(exc)
            return
        self._open = False
        self.plan.abandoned(
            self.attempt,
            usage=self._usage,
            received_text="".join(self._received),
            chunks=self.passed,
        )

    def fail(self, exc: BaseException) -> None:
        """Report a provider error (re-raises when it cannot fall back)."""
        assert self.attempt is not None
        self._open = False
        if self._prev is None:  # nothing came: the provider may not have billed anything
            self.plan.failed(self.attempt, exc)
            return
        # what came was generated, so billed; held back from the caller, the call may fall back
        self.plan.failed(
            self.attempt, exc, after_first_token=self._shown, usage=self._usage,
            received_text="".join(self._received),
        )

    def finish(self) -> Iterator[Response] | None:
        """End of one attempt's stream: the chunks left to emit, or ``None`` to escalate.

        Without ``buffer_streams`` only an empty or filtered answer that the caller has not
        seen yet is checked (the other checks need the whole answer before release).
        """
        assert self.attempt is not None
        last = self._prev
        if last is not None:
            answer = answer_of(last, self._reason)
        else:
            answer = Answer("", finish_reason=self._reason)
        check = self.buffer or (not self._shown and _empty_or_filtered(answer))
        if check and last is not None:
            answer = self.call.checked(answer, last, self.attempt)
        self._open = False
        if self.plan.succeeded(self.attempt, usage=self._usage, answer=answer, check=check):
            return self._release(self._held, last)
        self._kept = [*self._held, *([last] if last is not None else [])]
        return None

    def _release(self, held: list[Response], last: Response | None) -> Iterator[Response]:
        yield from held
        if last is not None:  # annotated (and reported) once the rest is out
            yield annotate(last, self.call.finished())

    def exhausted(self) -> list[Response]:
        """No attempt left: the kept (rejected) answer, else raise the plan's failure."""
        plan = self.plan
        if self._kept is not None and plan.kept is not None:
            plan.accept_rejected(plan.kept)
            meta = self.call.finished()
            if self._kept:
                annotate(self._kept[-1], meta)
            return self._kept
        raise plan.failure()


OPENED: ContextVar[Any] = ContextVar("tier_router_opened_stream", default=None)
"""The routed generator :func:`stream` / :func:`astream` made last in this context, so the
public ``stream_chat`` & co. can close it themselves when the caller closes theirs (LlamaIndex's
callback wrapper in between never closes the generator it wraps)."""


def stream(call: RoutedCall, buffer: bool) -> Iterator[Response]:
    """Run a plan over streamed attempts (see the module docstring)."""
    gen = _stream(call, buffer)
    OPENED.set(gen)
    return gen


def _stream(call: RoutedCall, buffer: bool) -> Iterator[Response]:
    run = StreamRun(call, buffer=buffer)
    try:
        yield from _attempts(call, run)
    except BaseException as exc:  # closed, Ctrl-C: the provider is paid anyway
        if not isinstance(exc, Exception):
            run.abandon(exc)
        raise


def _attempts(call: RoutedCall, run: StreamRun) -> Iterator[Response]:
    while (attempt := run.next_attempt()) is not None:
        try:
            opener = partial(call.open_stream, attempt)
            for chunk in stream_within(opener, attempt.timeout_s, tier=attempt.tier.name):
                for c in run.feed(chunk):
                    run.passed += 1  # counted before the yield: a close lands on it
                    yield c
        except Exception as exc:
            run.fail(exc)
            continue
        if (done := run.finish()) is not None:
            yield from done
            return
    yield from run.exhausted()


def astream(call: RoutedCall, buffer: bool) -> AsyncIterator[Response]:
    """Async twin of :func:`stream` (same :class:`StreamRun`, async inner stream)."""
    gen = _astream(call, buffer)
    OPENED.set(gen)
    return gen


async def _astream(call: RoutedCall, buffer: bool) -> AsyncIterator[Response]:
    run = StreamRun(call, buffer=buffer)
    attempts = _aattempts(call, run)
    try:
        async for c in attempts:
            yield c
    except BaseException as exc:  # closed, cancelled: the provider is paid anyway
        if not isinstance(exc, Exception):
            run.abandon(exc)
        raise
    finally:
        await attempts.aclose()  # releases the inner stream now, not at garbage collection


async def _aattempts(call: RoutedCall, run: StreamRun) -> AsyncGenerator[Response, None]:
    while (attempt := await run.anext_attempt()) is not None:
        try:
            opener = partial(call.aopen_stream, attempt)
            async for chunk in astream_within(opener, attempt.timeout_s, tier=attempt.tier.name):
                for c in run.feed(chunk):
                    run.passed += 1
                    yield c
        except Exception as exc:
            run.fail(exc)
            continue
        if (done := run.finish()) is not None:
            for c in done:
                yield c
            return
    for c in run.exhausted():
        yield c


def closing(outer: Generator[_T, None, None], ours: Any) -> Generator[_T, None, None]:
    """``outer`` (LlamaIndex's wrapper around ``ours``); closing it closes ``ours`` too, now."""
    try:
        yield from outer
    finally:
        outer.close()
        if ours is not None:
            ours.close()  # records the attempt as abandoned if it was still open


async def aclosing(outer: AsyncGenerator[_T, None], ours: Any) -> AsyncGenerator[_T, None]:
    """Async twin of :func:`closing`."""
    try:
        async for item in outer:
            yield item
    finally:
        await outer.aclose()
        if ours is not None:
            await ours.aclose()


def has_output(chunk: Response) -> bool:
    """Whether a streamed chunk carries output (text or a tool call) the caller would see."""
    if chunk.delta:
        return True
    return isinstance(chunk, ChatResponse) and tool_call_count(chunk) > 0


def _empty_or_filtered(answer: Answer) -> bool:
    return is_filtered(answer.finish_reason) or (not answer.text.strip() and not answer.tool_calls)
