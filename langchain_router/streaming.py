"""Streaming through the core plan: one state machine shared by ``_stream`` and ``_astream``.

Rules (see :mod:`shared_core.dispatch`):

* a stream that fails before its first token (text or tool-call chunk) falls back to the
  next tier; leading empty chunks are held back so the caller never sees two tiers;
* a stream that fails after it raises (the partial answer cannot be taken back);
* whole-answer checks (refusal, minimum length, JSON) do not apply to streamed answers
  unless ``escalation.buffer_streams`` is set, in which case the answer is buffered,
  checked, and only then released (or escalated); a stream that ends before sending any
  text or tool call (empty, or stopped by the provider's content filter) is checked
  anyway, since nothing reached the caller;
* ``model_name`` is removed from the inner chunks and put once on the final chunk
  (chunk merging concatenates strings), with ``response_metadata["router"]`` and the
  answering model for traces (:mod:`langchain_router.tracing`);
* the per-attempt timeout (``fallback.attempt_timeout_s`` / ``Tier.timeout_s``) bounds the
  wait for the first chunk (see :mod:`shared_core.first_chunk`): a provider that never
  starts falls back like any timeout; once chunks flow, the inner model's own ``timeout``
  applies (a stream cannot be abandoned halfway without losing what was already sent).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from shared_core.dispatch import Attempt, CallPlan

from .handler_errors import HandlerWatch
from .messages import answer_of, received_text, usage_of
from .tools import StructuredSpec, with_schema_check
from .tracing import TRACE_KEY, with_trace_info


class StreamRun:
    """Tracks one routed stream across its attempts."""

    def __init__(
        self,
        plan: CallPlan,
        *,
        buffer: bool,
        trace: Mapping[str, Mapping[str, str] | None] | None = None,
        structured: StructuredSpec | None = None,
    ) -> None:
        self.plan = plan
        self.buffer = buffer
        self.structured = structured  # with_structured_output's: a whole-answer check
        self.trace = trace or {}  # tier name -> what traces name (tracing.trace_info)
        self.attempt: Attempt | None = None
        self._held: list[ChatGenerationChunk] = []
        self._kept: list[ChatGenerationChunk] | None = None
        self._merged: ChatGenerationChunk | None = None
        self._started = False
        self._model_name: str | None = None
        self._kept_name: str | None = None
        self._list_content = False
        self._inner_traced = self._kept_traced = False
        self._open = False
        self._chunks = 0
        self._run: HandlerWatch | None = None

    def start(self, attempt: Attempt, run: HandlerWatch | None = None) -> None:
        """A new attempt, whose inner stream reports to ``run`` (see :meth:`fail`)."""
        self.attempt = attempt
        self._run = run
        self._open = True
        self._chunks = 0
        self._held = []
        self._merged = None
        self._started = False
        self._model_name = None
        self._inner_traced = False

    def feed(self, chunk: ChatGenerationChunk) -> list[ChatGenerationChunk]:
        """The chunks to pass on now (possibly none while holding back)."""
        msg = chunk.message
        self._chunks += 1
        name = None
        if msg.response_metadata:
            name = msg.response_metadata.pop("model_name", None)
            # a routed inner model's own router metadata: ours replaces it on the final chunk
            # (merging two would fail on their differing numbers)
            msg.response_metadata.pop("router", None)
        if chunk.generation_info:
            if "model_name" in chunk.generation_info:
                name = chunk.generation_info.pop("model_name") or name
            if TRACE_KEY is not None and TRACE_KEY in chunk.generation_info:
                self._inner_traced = True  # a gateway named the model: merging would garble it
        if name:
            self._model_name = str(name)
        if isinstance(msg, AIMessageChunk) and msg.chunk_position == "last":
            msg.chunk_position = None  # the router's own final chunk is the last one
        self._list_content = isinstance(msg.content, list)
        self._merged = chunk if self._merged is None else self._merged + chunk
        if self.buffer:
            self._held.append(chunk)
            return []
        if self._started:
            return [chunk]
        self._held.append(chunk)
        if msg.content or getattr(msg, "tool_call_chunks", None):
            self._started = True
            out, self._held = self._held, []
            return out
        return []

    def fail(self, exc: Exception) -> None:
        """Report a provider error (re-raises when it cannot fall back).

        A callback handler's error that ended the inner stream is none: the attempt is
        recorded ``abandoned`` with what came, and the call ends with that error
        (:mod:`.handler_errors`)."""
        assert self.attempt is not None
        self._open = False
        if self._run is not None and self._run.raised(exc):
            self.plan.stopped(self.attempt, self._run.stop(exc))
            raise exc
        merged = self._merged
        if merged is None:  # nothing came: the provider may not have billed anything
            self.plan.failed(self.attempt, exc)
            return
        # what came was generated, so billed; held back from the caller, the call may fall back
        msg = merged.message
        self.plan.failed(
            self.attempt, exc, after_first_token=self._started, usage=usage_of(msg),
            received_text=received_text(msg),
        )

    def abandon(self, exc: BaseException | None = None) -> None:
        """The caller stopped the stream (closed it, cancelled its task, Ctrl-C): record the
        open attempt as ``abandoned`` (once) and end the call, releasing its reservation.

        Its cost comes from the usage received so far, else it is estimated from the text
        sent and received, so budgets count it (see :meth:`CallPlan.abandoned`). With no
        attempt open (stopped while the ledger reserved) the call just ends
        (:meth:`CallPlan.interrupted`).
        """
        if not self._open or self.attempt is None:
            self.plan.interrupted(exc)
            return
        self._open = False
        merged = self._merged
        msg = merged.message if merged is not None else AIMessageChunk(content="")
        self.plan.abandoned(self.attempt, usage=usage_of(msg), received_text=received_text(msg), chunks=self._chunks)

    def finish(self) -> list[ChatGenerationChunk] | None:
        """End of one attempt's stream: the chunks to emit, or ``None`` to escalate."""
        assert self.attempt is not None
        self._open = False
        merged = self._merged
        msg = merged.message if merged is not None else AIMessageChunk(content="")
        answer = answer_of(msg, merged.generation_info if merged is not None else None)
        # nothing reached the caller yet (an empty or filtered answer): checks still apply
        check = self.buffer or not self._started
        if check and self.structured is not None:
            answer = with_schema_check(answer, msg, self.structured)
        ok = self.plan.succeeded(self.attempt, usage=usage_of(msg), answer=answer, check=check)
        if not ok:
            self._kept = self._held
            self._kept_name = self._model_name
            self._kept_traced = self._inner_traced
            return None
        return [*self._held, self._final()]

    def exhausted(self) -> list[ChatGenerationChunk]:
        """No attempt left: the kept (rejected) answer, else raise the plan's failure."""
        if self._kept is not None and self.plan.kept is not None:
            self.plan.accept_rejected(self.plan.kept)
            self._model_name = self._kept_name
            self._inner_traced = self._kept_traced
            return [*self._kept, self._final()]
        raise self.plan.failure()

    def _final(self) -> ChatGenerationChunk:
        final = self.plan.final or self.attempt
        assert final is not None
        meta = {
            "model_name": self._model_name or final.tier.bare_model,
            "router": self.plan.metadata(),
        }
        traced = None if self._inner_traced else self.trace.get(final.tier.name)
        return ChatGenerationChunk(
            message=AIMessageChunk(
                content=[] if self._list_content else "",
                response_metadata=meta,
                chunk_position="last",
            ),
            generation_info=with_trace_info(None, traced),
        )


def result_to_chunk(result: ChatResult) -> ChatGenerationChunk:
    """One chunk holding a whole (non-streamed) answer: text, tool calls, usage, metadata."""
    gen = result.generations[0]
    msg = gen.message
    chunks = []
    if isinstance(msg, AIMessage):
        for i, tc in enumerate(msg.tool_calls):
            chunks.append(
                tool_call_chunk(
                    name=tc["name"], args=json.dumps(tc["args"]), id=tc.get("id"), index=i
                )
            )
    chunk = AIMessageChunk(
        content=msg.content,
        additional_kwargs=dict(msg.additional_kwargs),
        response_metadata=dict(msg.response_metadata),
        usage_metadata=getattr(msg, "usage_metadata", None),
        tool_call_chunks=chunks,
        id=msg.id,
    )
    return ChatGenerationChunk(message=chunk, generation_info=gen.generation_info)
