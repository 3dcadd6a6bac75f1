"""A user's callback handler that raises while an inner model answers.

The router hands its LangChain run to the inner model, and a model that streams internally
(``ChatOpenAI(streaming=True)``, any ``_generate`` that reports tokens) sends
``on_llm_new_token`` while the provider is answering. LangChain raises the error of the first
handler with ``raise_error = True`` from that event at once: the attempt ended before its
answer (and usage) arrived, so the ledger said "failed, no tokens, no cost" for an answer
the provider billed, and the router took the caller's error for the provider's (a fallback
to another paid tier when ``other`` errors fall back).

The inner model gets a :class:`HandlerGuard` instead: the first error a handler raises is
kept and the run's later events are not sent (LangChain would have stopped there), the
inner model reads its answer to the end, the attempt is recorded with the provider's usage
and, the call over, the caller gets the handler's own error, as LangChain raises it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


class HandlerGuard:
    """The run manager an inner model gets: the router's run, whose ``on_*`` events keep the
    first error a handler raises (:attr:`error`) instead of raising it into the inner model.
    Sync and async runs alike (an async run's events are awaited)."""

    def __init__(self, run_manager: Any) -> None:
        self._run = run_manager
        self.error: Exception | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # (copy, pickle: before ``_run`` is set)
            raise AttributeError(name)
        attr = getattr(self._run, name)
        if name.startswith("on_") and callable(attr):
            attr = self._guarded(attr)
            setattr(self, name, attr)  # found once per run
        return attr

    def _guarded(self, event: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(event):

            async def aguarded(*args: Any, **kwargs: Any) -> Any:
                if self.error is None:
                    try:
                        return await event(*args, **kwargs)
                    except Exception as exc:
                        self.error = exc
                return None

            return aguarded

        def guarded(*args: Any, **kwargs: Any) -> Any:
            if self.error is None:
                try:
                    return event(*args, **kwargs)
                except Exception as exc:
                    self.error = exc
            return None

        return guarded


def guard(run_manager: Any) -> HandlerGuard | None:
    """The run manager for one attempt's inner call (``None`` stays ``None``)."""
    return None if run_manager is None else HandlerGuard(run_manager)
