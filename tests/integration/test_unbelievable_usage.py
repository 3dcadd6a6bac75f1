"""A usage that is impossible for what was sent and received is not believed.

Some OpenAI-compatible servers and proxies answer in full and report
``{"prompt_tokens": 0, "completion_tokens": 0}`` (or nulls, which LangChain turns into 0).
Taken as it is, every such answer was recorded as free and a hard budget never tripped.
0 input tokens for a non-empty request, or 0 output tokens for an answer with text or a tool
call, is not believable: that side is estimated from the text sent / received (as for an
answer with no usage), the other side kept, and the record's note says why.

Real ``ChatOpenAI`` and llama-index ``OpenAI`` clients against the loopback server; both
adapters, call and stream, sync and async.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shared_core import BudgetExceededError, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import estimate_tokens
from shared_core.testing import FakeClassifier
from tests.adapter_calls import run_adapter
from tests.fake_openai_server import FakeOpenAIServer, default_reply

pytestmark = pytest.mark.integration

MODEL = "gpt-4o-mini"
PRICE_IN, PRICE_OUT = 100.0, 200.0  # USD per 1M tokens
PROMPT = "Summarise the history of the lighthouse in three sentences. " * 4  # 240 chars
SENT = len(PROMPT) // 4 + 4  # the request's estimated input tokens (one message)
REPLY = default_reply(MODEL)
RECEIVED = estimate_tokens(REPLY)
MODES = ("invoke", "ainvoke", "stream", "astream")
ADAPTERS = ("langchain", "llamaindex")
ZEROS = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
NULLS = {"prompt_tokens": None, "completion_tokens": None, "total_tokens": None}
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
        },
    },
}


def _build(adapter: str, server: FakeOpenAIServer, limit: float = 100.0) -> Any:
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
        return RoutedChatModel(
            tiers={"cheap": inner}, config=config, classifier=classifier, ledger=InMemoryLedger()
        )
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    inner = OpenAI(model=MODEL, api_base=server.base_url, api_key="sk-test", max_retries=0)
    return RoutedLLM(
        tiers={"cheap": inner}, config=config, classifier=classifier, ledger=InMemoryLedger()
    )


async def _run(adapter: str, model: Any, mode: str) -> str:
    return await run_adapter(adapter, model, mode, PROMPT)


def _cost(n_in: int, n_out: int) -> float:
    return (n_in * PRICE_IN + n_out * PRICE_OUT) / 1_000_000.0


@pytest.mark.parametrize("usage", ["zeros", "nulls"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_zero_usage_for_an_answer_with_text_is_estimated(
    openai_server: FakeOpenAIServer, adapter: str, mode: str, usage: str
) -> None:
    openai_server.script(model=MODEL, usage=ZEROS if usage == "zeros" else NULLS)
    model = _build(adapter, openai_server)

    assert await _run(adapter, model, mode) == REPLY

    [rec] = model.router.ledger.records()
    assert (rec.status, rec.input_tokens, rec.output_tokens) == ("ok", SENT, RECEIVED)
    assert rec.cost_usd == pytest.approx(_cost(SENT, RECEIVED), rel=1e-12)
    assert "estimated" in (rec.error or "")
    assert model.router.ledger.spend("global", 0.0) == pytest.approx(_cost(SENT, RECEIVED), rel=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_only_the_impossible_side_is_estimated(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    """A real input count with 0 output tokens for a text answer: the input is kept as
    reported, the output estimated; the note says which side was not believed."""
    openai_server.script(model=MODEL, usage={"prompt_tokens": 70, "completion_tokens": 0})
    model = _build(adapter, openai_server)

    assert await _run(adapter, model, mode) == REPLY

    [rec] = model.router.ledger.records()
    assert (rec.status, rec.input_tokens, rec.output_tokens) == ("ok", 70, RECEIVED)
    assert rec.cost_usd == pytest.approx(_cost(70, RECEIVED), rel=1e-12)
    assert "not believable" in (rec.error or "")
    assert "0 output tokens" in (rec.error or "")
    assert "0 input tokens" not in (rec.error or "")


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_zero_output_tokens_for_a_tool_call_is_estimated_from_its_arguments(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    arguments = {"city": "Reykjavik, the capital of Iceland, on the south-west coast"}
    openai_server.script(
        model=MODEL, tool_calls=[{"name": "get_weather", "arguments": arguments}],
        usage={"prompt_tokens": 70, "completion_tokens": 0},
    )
    model = _build(adapter, openai_server)
    if adapter == "langchain":
        bound = model.bind_tools([TOOL])
        msg = bound.invoke(PROMPT) if mode == "invoke" else await bound.ainvoke(PROMPT)
        assert msg.tool_calls and msg.tool_calls[0]["args"] == arguments
    else:
        from llama_index.core.tools import FunctionTool

        def get_weather(city: str) -> str:
            """The weather in a city."""
            return "sunny"

        tools = [FunctionTool.from_defaults(get_weather)]
        if mode == "invoke":
            response = model.chat_with_tools(tools, user_msg=PROMPT)
        else:
            response = await model.achat_with_tools(tools, user_msg=PROMPT)
        [call] = model.get_tool_calls_from_response(response)
        assert call.tool_kwargs == arguments

    [rec] = model.router.ledger.records()
    assert rec.status == "ok" and rec.input_tokens == 70
    # at least the arguments' own text (the tool's name and JSON punctuation come on top)
    assert rec.output_tokens >= estimate_tokens(arguments["city"])
    assert rec.cost_usd == pytest.approx(_cost(70, rec.output_tokens), rel=1e-12)
    assert "not believable" in (rec.error or "")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_a_hard_limit_stops_answers_reported_as_free(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    """Each answer costs $0.0106 estimated (64 tokens in, 21 out) and reserves $0.0192: a
    $0.045 limit answers 3 and refuses the 4th, where answers reported as 0 tokens used to
    be answered without end."""
    openai_server.script(model=MODEL, usage=ZEROS)
    model = _build(adapter, openai_server, limit=0.045)
    answered = 0
    with pytest.raises(BudgetExceededError):
        for _ in range(20):
            await _run(adapter, model, mode)
            answered += 1

    assert answered == 3
    assert model.router.ledger.spend("global", 0.0) == pytest.approx(3 * _cost(SENT, RECEIVED), rel=1e-12)
