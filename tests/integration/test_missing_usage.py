"""An answer whose provider reported no usable token counts still costs money budgets see.

Some OpenAI-compatible servers send no ``usage`` (or none on streams), a proxy may drop it, a
stream may stop half-way before its usage chunk, and a broken one may report counts no call
can have (treated as missing). The provider still bills the call. Its record must carry the
tokens estimated from the text sent and received (characters / 4, as for an abandoned
stream) and their cost, so that spend and hard budgets count it; before, such a record had
0 tokens and an unknown cost, and a hard limit never saw the money.

Real ``ChatOpenAI`` and llama-index ``OpenAI`` clients against the loopback server.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared_core import BudgetExceededError, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer, default_reply

pytestmark = pytest.mark.integration

MODEL = "gpt-4o-mini"
PRICE_IN, PRICE_OUT = 100.0, 200.0  # USD per 1M tokens: one call below costs ~$0.01
LIMIT = 0.045
PROMPT = "Summarise the history of the lighthouse in three sentences. " * 4  # 240 chars
SENT = len(PROMPT) // 4 + 4  # the request's estimated input tokens (one message)
REPLY = default_reply(MODEL)
RECEIVED = (len(REPLY) + 3) // 4  # the answer's estimated tokens (characters / 4, rounded up)
NOTE = "the provider reported no usage; tokens estimated from the text sent and received"
MODES = ("invoke", "stream")
ADAPTERS = ("langchain", "llamaindex")


def _build(adapter: str, server: FakeOpenAIServer, ledger: InMemoryLedger, limit: float) -> Any:
    config = RouterConfig.build(
        {
            "tiers": [{"name": "cheap", "model": MODEL, "max_tokens": 64,
                       "input_price": PRICE_IN, "output_price": PRICE_OUT}],
            "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": limit}]},
        }
    )
    classifier = FakeClassifier(default="cheap", labels=["cheap"])
    if adapter == "langchain":
        from langchain_openai import ChatOpenAI

        from langchain_router import RoutedChatModel

        inner = ChatOpenAI(
            model=MODEL, base_url=server.base_url, api_key="sk-test", max_retries=0,
            http_async_client=httpx.AsyncClient(),
        )
        return RoutedChatModel(tiers={"cheap": inner}, config=config, classifier=classifier, ledger=ledger)
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    inner = OpenAI(model=MODEL, api_base=server.base_url, api_key="sk-test", max_retries=0)
    return RoutedLLM(tiers={"cheap": inner}, config=config, classifier=classifier, ledger=ledger)


def _run(adapter: str, model: Any, mode: str) -> str:
    if adapter == "langchain":
        if mode == "invoke":
            return str(model.invoke(PROMPT).content)
        return "".join(c.text for c in model.stream(PROMPT))
    from llama_index.core.base.llms.types import ChatMessage

    msgs = [ChatMessage(role="user", content=PROMPT)]
    if mode == "invoke":
        return str(model.chat(msgs).message.content)
    return "".join(r.delta or "" for r in model.stream_chat(msgs))


def _cost(n_in: int, n_out: int) -> float:
    return (n_in * PRICE_IN + n_out * PRICE_OUT) / 1_000_000.0


@pytest.mark.parametrize("usage", ["none", "unbelievable"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_an_answer_without_usage_is_costed_from_its_text(
    openai_server: FakeOpenAIServer, adapter: str, mode: str, usage: str
) -> None:
    if usage == "none":
        openai_server.script(model=MODEL, no_usage=True)
    else:
        openai_server.script(model=MODEL, usage={"prompt_tokens": -5})
    ledger = InMemoryLedger()
    model = _build(adapter, openai_server, ledger, limit=1.0)

    assert _run(adapter, model, mode) == REPLY

    [rec] = ledger.records()
    assert (rec.status, rec.input_tokens, rec.output_tokens) == ("ok", SENT, RECEIVED)
    assert rec.cost_usd == pytest.approx(_cost(SENT, RECEIVED), rel=1e-12)
    assert rec.error == NOTE
    assert ledger.spend("global", 0.0) == pytest.approx(_cost(SENT, RECEIVED), rel=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_a_hard_limit_stops_calls_whose_provider_reports_no_usage(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    """Each call costs $0.0106 estimated (64 tokens in, 21 out) and reserves $0.0192 (64 in,
    the tier's 64 out): a $0.045 limit answers 3 and refuses the 4th, where it used to answer
    every call."""
    openai_server.script(model=MODEL, no_usage=True)
    ledger = InMemoryLedger()
    model = _build(adapter, openai_server, ledger, limit=LIMIT)
    answered = 0
    with pytest.raises(BudgetExceededError):
        for _ in range(20):
            _run(adapter, model, mode)
            answered += 1

    assert answered == 3
    assert ledger.spend("global", 0.0) == pytest.approx(3 * _cost(SENT, RECEIVED), rel=1e-12)
    assert ledger.spend("global", 0.0) <= LIMIT
