"""Any LangChain chat model as the LLM-judge classifier's ``complete(prompt) -> str``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from langchain_core.language_models import BaseChatModel

JudgePair = tuple[Callable[[str], str], Callable[[str], Awaitable[str]]]


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

    def complete(self, prompt: str) -> str:
        """The model's answer to ``prompt`` as plain text."""
        return str(self._runnable.invoke(prompt, config={"run_name": "tier-router-judge"}).text)

    async def acomplete(self, prompt: str) -> str:
        """Async twin of :meth:`complete`."""
        msg = await self._runnable.ainvoke(prompt, config={"run_name": "tier-router-judge"})
        return str(msg.text)

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

    return complete, acomplete
