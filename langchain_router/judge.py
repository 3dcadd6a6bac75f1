"""Any LangChain chat model as the LLM-judge classifier's ``complete(prompt) -> str``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from shared_core.adapters_common import model_id
from shared_core.classifiers.llm_calls import JudgeReply

from .messages import usage_of

JUDGE_RUN = "tier_router_judge"
"""Run metadata key of the judge's own model call: the routed call pays for it in the ledger,
so :class:`~langchain_router.callbacks.CostCallbackHandler` does not record it again."""
_UNPAID: ContextVar[bool] = ContextVar("tier_router_judge_unpaid", default=False)
_RECORDER: ContextVar[Any] = ContextVar("tier_router_judge_recorder", default=None)


@contextmanager
def judge_unpaid() -> Iterator[None]:
    """Judge calls made inside are not paid by a routed call (``RunnableRouter`` decides and
    calls no model itself): they are left unmarked, so a ``CostCallbackHandler`` records them."""
    token = _UNPAID.set(True)
    try:
        yield
    finally:
        _UNPAID.reset(token)


@contextmanager
def judge_recorded_by(recorder: Any) -> Iterator[None]:
    """Judge calls made inside that fail or are cancelled are recorded by ``recorder`` (a
    ``RunnableRouter``'s own cost handler) unless a handler on the call records into its
    ledger already: the router writes the answered ones itself (see :mod:`.route_judge`)."""
    token = _RECORDER.set(recorder)
    try:
        yield
    finally:
        _RECORDER.reset(token)


def _config() -> Any:
    config: dict[str, Any] = {
        "run_name": "tier-router-judge", "metadata": {} if _UNPAID.get() else {JUDGE_RUN: True}
    }
    recorder = _RECORDER.get()
    if recorder is not None:  # beside the callbacks the judge's run inherits
        from langchain_core.runnables.config import var_child_runnable_config

        from .route_records import with_recorder

        inherited = (var_child_runnable_config.get() or {}).get("callbacks")
        config["callbacks"] = (with_recorder({"callbacks": inherited}, recorder) or {}).get("callbacks")
    return config


JudgePair = tuple[Callable[[str], str], Callable[[str], Awaitable[str]]]
"""``(complete, acomplete)``; each returns a :class:`JudgeReply` (a ``str``)."""


class ChatModelJudge:
    """Asks a (cheap) chat model the judge's prompt and returns the answer text.

    ``max_tokens`` keeps the judge's answer short (a label or a 1-10 score needs a few
    tokens); it is applied with ``bind`` so the model object itself is not changed.
    """

    def __init__(
        self, model: BaseChatModel, *, max_tokens: int | None = 16, **call_kwargs: Any
    ) -> None:
        self.model = model
        kw = dict(call_kwargs)
        if max_tokens is not None:
            kw["max_tokens"] = max_tokens
        self._runnable = model.bind(**kw) if kw else model

    @property
    def judge_model(self) -> str | None:
        """The model asked (read when a caller stops a judge call in flight, to price it)."""
        return model_id(self.model)

    def complete(self, prompt: str) -> JudgeReply:
        """The model's answer to ``prompt``: its text, with the model and the token usage the
        provider reported (so the router's ledger pays for the judge's call)."""
        return self._reply(self._runnable.invoke(prompt, config=_config()))

    async def acomplete(self, prompt: str) -> JudgeReply:
        """Async twin of :meth:`complete`."""
        return self._reply(
            await self._runnable.ainvoke(prompt, config=_config())
        )

    def _reply(self, msg: BaseMessage) -> JudgeReply:
        # priced like the tiers: by the configured model id, else the one the provider named
        meta = msg.response_metadata or {}
        model = model_id(self.model) or meta.get("model_name") or meta.get("model")
        return JudgeReply(str(msg.text), model=model, usage=usage_of(msg))

    def pair(self) -> JudgePair:
        """``(complete, acomplete)``: what ``Router(judge_complete=...)`` takes."""
        return self.complete, self.acomplete


def chat_model_judge(model: BaseChatModel, **kwargs: Any) -> JudgePair:
    """``(complete, acomplete)`` over ``model`` for ``Router(judge_complete=...)``.

    Example::

        router = Router("judge.yaml", judge_complete=chat_model_judge(ChatOpenAI(model="gpt-4o-mini")))
    """
    return ChatModelJudge(model, **kwargs).pair()


def lazy_judge_pair(get_model: Callable[[], BaseChatModel]) -> JudgePair:
    """A judge pair that builds its :class:`ChatModelJudge` on first use only."""
    holder: list[ChatModelJudge] = []

    def judge() -> ChatModelJudge:
        if not holder:
            holder.append(ChatModelJudge(get_model()))
        return holder[0]

    def complete(prompt: str) -> str:
        return judge().complete(prompt)

    async def acomplete(prompt: str) -> str:
        return await judge().acomplete(prompt)

    def judge_model() -> str | None:
        return holder[0].judge_model if holder else None

    complete.judge_model = acomplete.judge_model = judge_model  # type: ignore[attr-defined]
    return complete, acomplete
