"""Any LlamaIndex LLM as the router's LLM-judge classifier.

``RoutedLLM(tiers, config, judge_llm=OpenAI(model="gpt-4o-mini"))`` with
``classifier: {type: judge}`` in the config, or directly::

    Router(config, judge_complete=llm_judge(my_llm))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from llama_index.core.llms import LLM

from shared_core.errors import ConfigError


def llm_judge(llm: LLM) -> tuple[Callable[[str], str], Callable[[str], Awaitable[str]]]:
    """``(complete, acomplete)`` callables over ``llm`` for ``Router(judge_complete=...)``.

    The prompt goes through ``llm.complete`` (chat models receive it as one user message).
    The judge's own call is instrumented like any LlamaIndex call; it is not in the ledger.
    """
    if not isinstance(llm, LLM):
        raise ConfigError(
            f"judge_llm must be a LlamaIndex LLM, got {type(llm).__name__}",
            field="judge_llm",
            value=type(llm).__name__,
        )

    def complete(prompt: str) -> str:
        return _text(llm.complete(prompt))

    async def acomplete(prompt: str) -> str:
        return _text(await llm.acomplete(prompt))

    return complete, acomplete


def _text(response: Any) -> str:
    return str(getattr(response, "text", "") or "")
