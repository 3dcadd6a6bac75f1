"""An HTTP 200 whose ``"choices"`` is empty but which carries a usage block: the provider says
what it bills, so the failed attempt's record carries that usage (its cost reaches spend and
budgets), not tokens estimated from the text with a note claiming no usage came. Streams
already read the usage chunk; this is the call path (``invoke`` / ``ainvoke``, ``chat`` /
``achat``), where the client raises (LlamaIndex indexes the empty list) or returns no
generation (LangChain).

Real ``ChatOpenAI`` and llama-index ``OpenAI`` clients against the loopback server.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared_core import RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CHEAP, STRONG = "gpt-4o-mini", "gpt-4o"
PRICE_IN, PRICE_OUT = 100.0, 200.0  # USD per 1M tokens, both tiers
PROMPT = "What is the capital of France?"


def _build(adapter: str, server: FakeOpenAIServer) -> Any:
    tier = {"max_tokens": 64, "input_price": PRICE_IN, "output_price": PRICE_OUT}
    config = RouterConfig.build(
        {"tiers": [{"name": "cheap", "model": CHEAP, **tier}, {"name": "strong", "model": STRONG, **tier}]}
    )
    classifier = FakeClassifier(default="cheap", labels=["cheap", "strong"])
    ledger = InMemoryLedger()
    if adapter == "langchain":
        from langchain_openai import ChatOpenAI

        from langchain_router import RoutedChatModel

        def lc(model: str) -> ChatOpenAI:
            return ChatOpenAI(
                model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                http_async_client=httpx.AsyncClient(),
            )

        return RoutedChatModel(
            tiers={"cheap": lc(CHEAP), "strong": lc(STRONG)}, config=config,
            classifier=classifier, ledger=ledger,
        )
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    def li(model: str) -> OpenAI:
        return OpenAI(model=model, api_base=server.base_url, api_key="sk-test", max_retries=0)

    return RoutedLLM(
        tiers={"cheap": li(CHEAP), "strong": li(STRONG)}, config=config,
        classifier=classifier, ledger=ledger,
    )


async def _run(adapter: str, model: Any, mode: str) -> str:
    if adapter == "langchain":
        if mode == "invoke":
            return str(model.invoke(PROMPT).content)
        return str((await model.ainvoke(PROMPT)).content)
    from llama_index.core.base.llms.types import ChatMessage

    msgs = [ChatMessage(role="user", content=PROMPT)]
    if mode == "invoke":
        return str(model.chat(msgs).message.content)
    return str((await model.achat(msgs)).message.content)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize("adapter", ["langchain", "llamaindex"])
async def test_no_choices_with_a_usage_is_recorded_at_that_usage(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    openai_server.fail(model=CHEAP, kind="empty_choices")
    model = _build(adapter, openai_server)

    answer = await _run(adapter, model, mode)

    assert answer.startswith(f"Reply from {STRONG}")  # the fallback answered
    reported = openai_server.chat_requests[0].usage
    assert reported is not None
    first, second = model.router.ledger.records()
    assert (first.tier, first.status, first.error_kind) == ("cheap", "failed", "bad_response")
    assert (first.input_tokens, first.output_tokens) == (
        reported["prompt_tokens"], reported["completion_tokens"]
    )
    assert first.cost_usd == pytest.approx(
        (reported["prompt_tokens"] * PRICE_IN + reported["completion_tokens"] * PRICE_OUT) / 1e6
    )
    assert "estimated" not in (first.error or "")
    assert "no choices" in (first.error or "")
    assert (second.tier, second.status, second.fallback) == ("strong", "ok", True)
