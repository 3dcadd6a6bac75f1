"""A user's callback handler that raises while an inner model answers.

The router hands its LangChain run to the inner model, and a model that streams internally
(``ChatOpenAI(streaming=True)`` under ``invoke``, any ``_generate`` that reports tokens, the
v2 stream path) sends ``on_llm_new_token`` while the provider answers. LangChain raises the
error of the first handler with ``raise_error = True`` from that event at once: out of the
inner model, whose stream closes there, so the provider stops generating. A handler may raise
on purpose (a guardrail stopping a long or bad answer); the router, a drop-in, stops alike.

It only has to see it happen: the inner model gets a :class:`HandlerWatch` over the run,
which passes every event on unchanged and notes the text (and any usage) each token brought
and the error a handler raised. When that error (or one raised while it was handled) comes
out of the inner model, the attempt is no provider failure: no fallback, no escalation, no
cooldown. It is recorded ``abandoned``, with the provider's usage if a chunk carried it, else
tokens estimated from what was sent and the text received so far (the provider's usage comes
last); the call ends, its reservation released, and the caller gets the exception LangChain
raises. ``_generate`` / ``_agenerate`` end it with :class:`~shared_core.dispatch.StopCall`
(:meth:`~langchain_router.calls.CallSteps._not_answered`), streams through
:meth:`~langchain_router.streaming.StreamRun.fail`; both from :meth:`HandlerWatch.stop`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from shared_core.dispatch import StopCall

from .messages import Received

_CHAIN_MAX = 32
"""How far :meth:`HandlerWatch.raised` follows an error's causes (a cycle cannot hold it)."""


class HandlerWatch:
    """The run manager an inner model gets: the router's run, whose ``on_*`` events go
    through unchanged, raising what they raise, seen on the way: the received text and usage
    of each ``on_llm_new_token`` (:attr:`tokens` of them), the last error a handler raised
    (:attr:`error`). Sync and async runs alike (an async run's events are awaited)."""

    def __init__(self, run_manager: Any) -> None:
        self._run = run_manager
        self.error: Exception | None = None
        self.received = Received()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # (copy, pickle: before ``_run`` is set)
            raise AttributeError(name)
        attr = getattr(self._run, name)
        if name.startswith("on_") and callable(attr):
            attr = self._watched(attr, self._seen if name == "on_llm_new_token" else None)
            setattr(self, name, attr)  # found once per run
        return attr

    def _watched(
        self, event: Callable[..., Any], seen: Callable[..., None] | None
    ) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(event):

            async def awatched(*args: Any, **kwargs: Any) -> Any:
                if seen is not None:
                    seen(*args, **kwargs)
                try:
                    return await event(*args, **kwargs)
                except Exception as exc:
                    self.error = exc
                    raise

            return awatched

        def watched(*args: Any, **kwargs: Any) -> Any:
            if seen is not None:
                seen(*args, **kwargs)
            try:
                return event(*args, **kwargs)
            except Exception as exc:
                self.error = exc
                raise

        return watched

    def _seen(self, token: Any = "", *_: Any, chunk: Any = None, **__: Any) -> None:
        """One ``on_llm_new_token``: its text and usage (:class:`~.messages.Received`). Noted
        before the handlers run: a token a handler raises on was generated, so billed."""
        self.received.add(token, chunk)

    @property
    def tokens(self) -> int:
        """How many ``on_llm_new_token`` events the run sent."""
        return self.received.tokens

    def raised(self, exc: BaseException) -> bool:
        """Whether ``exc`` is the error a handler raised, or one raised while it was handled
        (its cause or context): the handler's error ended the inner model's call."""
        err = self.error
        if err is None:
            return False
        cur: BaseException | None = exc
        for _ in range(_CHAIN_MAX):
            if cur is None:
                return False
            if cur is err:
                return True
            cur = cur.__cause__ or cur.__context__
        return False

    def stop(self, exc: Exception) -> StopCall:
        """How the call ends when ``exc`` (see :meth:`raised`) came out of the inner model:
        the attempt recorded ``abandoned`` with what was received, then ``exc`` raised."""
        usage = self.received.usage()
        reason = (
            f"a callback handler raised {type(self.error).__name__} while the answer came"
            f" (after {self.tokens} token event(s))"
        )
        return StopCall(exc, usage=usage, received_text=self.received.text, reason=reason)


def watch(run_manager: Any) -> HandlerWatch | None:
    """The run manager for one attempt's inner call (``None`` stays ``None``)."""
    return None if run_manager is None else HandlerWatch(run_manager)
