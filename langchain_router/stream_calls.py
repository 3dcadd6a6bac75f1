"""Streamed calls of :class:`~langchain_router.RoutedChatModel`: ``_stream`` and ``_astream``.

:class:`StreamCalls` runs the plan's attempts over the inner model's own stream, each
within its first-chunk timeout, and hands every chunk to a
:class:`~langchain_router.streaming.StreamRun` (whose rules say when a stream may still fall
back or escalate); a stream the caller closes early is recorded as abandoned.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from shared_core.dispatch import Attempt
from shared_core.first_chunk import astream_within, stream_within

from .calls import _Call, _private
from .handler_errors import watch
from .inner import inner_astream, inner_stream
from .streaming import StreamRun


class StreamCalls:
    """The streaming entry points of :class:`~langchain_router.RoutedChatModel` (a mixin:
    the call steps it uses are :class:`~langchain_router.calls.CallSteps`')."""

    if TYPE_CHECKING:
        router: Any

        def _start(
            self, messages: list[BaseMessage], stop: Any, run_manager: Any,
            kwargs: dict[str, Any], *, streaming: bool,
        ) -> _Call: ...
        async def _astart(
            self, messages: list[BaseMessage], stop: Any, run_manager: Any,
            kwargs: dict[str, Any], *, streaming: bool,
        ) -> _Call: ...
        def _prepare(
            self, call: _Call, attempt: Attempt
        ) -> tuple[BaseChatModel, list[BaseMessage], dict[str, Any]]: ...

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        call = self._start(messages, stop, run_manager, kwargs, streaming=True)
        run = StreamRun(
            call.plan,
            buffer=self.router.config.escalation.buffer_streams or call.from_invoke,
            trace=_private(self, "_trace"),
            structured=call.structured,
        )
        try:
            yield from self._stream_attempts(call, run, run_manager)
        except BaseException as exc:  # closed, Ctrl-C: the provider is paid anyway
            if not isinstance(exc, Exception):
                run.abandon(exc)
            raise

    def _stream_attempts(
        self, call: _Call, run: StreamRun, run_manager: CallbackManagerForLLMRun | None
    ) -> Iterator[ChatGenerationChunk]:
        while (attempt := call.plan.next_attempt()) is not None:
            inner_run = watch(run_manager)  # sees a callback handler's error end the stream
            run.start(attempt, inner_run)
            try:
                inner, msgs, kw = self._prepare(call, attempt)
                chunks = stream_within(
                    partial(inner_stream, inner, msgs, call.stop, inner_run, kw),
                    attempt.timeout_s,
                    tier=attempt.tier.name,
                )
                for chunk in chunks:
                    yield from run.feed(chunk)
            except Exception as exc:
                run.fail(exc)
                continue
            done = run.finish()
            if done is not None:
                yield from done
                return
        yield from run.exhausted()

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        call = await self._astart(messages, stop, run_manager, kwargs, streaming=True)
        run = StreamRun(
            call.plan,
            buffer=self.router.config.escalation.buffer_streams or call.from_invoke,
            trace=_private(self, "_trace"),
            structured=call.structured,
        )
        attempts = self._astream_attempts(call, run, run_manager)
        try:
            async for out in attempts:
                yield out
        except BaseException as exc:  # closed, cancelled: the provider is paid anyway
            if not isinstance(exc, Exception):
                run.abandon(exc)
            raise
        finally:
            await attempts.aclose()  # releases the inner stream now, not at garbage collection

    async def _astream_attempts(
        self, call: _Call, run: StreamRun, run_manager: AsyncCallbackManagerForLLMRun | None
    ) -> AsyncGenerator[ChatGenerationChunk, None]:
        while (attempt := await call.plan.anext_attempt()) is not None:
            inner_run = watch(run_manager)
            run.start(attempt, inner_run)
            try:
                inner, msgs, kw = self._prepare(call, attempt)
                chunks = astream_within(
                    _opener(inner_astream(inner, msgs, call.stop, inner_run, kw)),
                    attempt.timeout_s,
                    tier=attempt.tier.name,
                )
                async for chunk in chunks:
                    for out in run.feed(chunk):
                        yield out
            except Exception as exc:
                run.fail(exc)
                continue
            done = run.finish()
            if done is not None:
                for out in done:
                    yield out
                return
        for out in run.exhausted():
            yield out


# -- helpers ---------------------------------------------------------------------------------


def _opener(stream: AsyncIterator[ChatGenerationChunk]) -> Any:
    """``stream`` as the awaitable factory :func:`astream_within` takes."""

    async def open_stream() -> AsyncIterator[ChatGenerationChunk]:
        return stream

    return open_stream
