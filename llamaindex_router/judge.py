"""Any LlamaIndex LLM as the router's LLM-judge classifier.

``RoutedLLM(tiers, config, judge_llm=OpenAI(model="gpt-4o-mini"))`` with
``classifier: {type: judge}`` in the config, or directly::

    Router(config, judge_complete=llm_judge(my_llm))
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from llama_index.core.llms import LLM

from shared_core.adapters_common import model_id
from shared_core.classifiers.llm_calls import JudgeReply
from shared_core.errors import ConfigError

from .responses import usage_of


def llm_judge(llm: LLM) -> tuple[Callable[[str], str], Callable[[str], Awaitable[str]]]:
    """``(complete, acomplete)`` callables over ``llm`` for ``Router(judge_complete=...)``.

    The prompt goes through ``llm.complete`` (chat models receive it as one user message).
    The judge's own call is instrumented like any LlamaIndex call; each answer is a
    :class:`~shared_core.classifiers.llm_calls.JudgeReply` carrying the model and the usage
    the provider reported, so the call the judge routes pays for it in the ledger.
    """
    if not isinstance(llm, LLM):
        raise ConfigError(
            f"judge_llm must be a LlamaIndex LLM, got {type(llm).__name__}",
            field="judge_llm",
            value=type(llm).__name__,
        )

    def complete(prompt: str) -> str:
        return _reply(llm, llm.complete(prompt))

    async def acomplete(prompt: str) -> str:
        return _reply(llm, await llm.acomplete(prompt))

    # read when a caller stops a judge call in flight, to price what was sent
    complete.judge_model = acomplete.judge_model = model_id(llm)  # type: ignore[attr-defined]
    return complete, acomplete


def _reply(llm: LLM, response: Any) -> JudgeReply:
    text = str(getattr(response, "text", "") or "")
    raw = getattr(response, "raw", None)
    model = (raw.get("model") if isinstance(raw, dict) else getattr(raw, "model", None))
    try:
        usage = usage_of(response)
    except Exception:  # a response of an unusual shape: the text is what the judge needs
        usage = None
    # priced like the tiers: by the configured model id, else the one the provider named
    named = model if isinstance(model, str) and model else None
    return JudgeReply(text, model=model_id(llm) or named, usage=usage)
