"""Every spelling of an output-token budget is the budget the router reserves for and sends.

A caller's ``max_completion_tokens=4000`` on a tier budgeted at 64 tokens used to reserve for
64 output tokens while the server was sent 4000 (LangChain: the tier's limit dropped;
LlamaIndex: both 64 and 4000 sent, the provider obeys ``max_completion_tokens``): $0.0024
spent against a $0.0005 hard limit (4.8x), and ``per_request_cap_usd`` skipped the same way.
An inner LlamaIndex ``OpenAI(additional_kwargs={"max_completion_tokens": 4000})`` did the
same on its own. Now every spelling is read into the caller's budget (which overrides the
tier's, as ``max_tokens`` always did), and each request carries one budget: the attempt's.

Real ``ChatOpenAI`` / llama-index ``OpenAI`` against the loopback server, which writes as
many tokens as it is allowed (``max_completion_tokens`` if sent, else ``max_tokens``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.llms import ChatMessage

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import BudgetExceededError, InputError, RouterConfig
from shared_core.errors import RequestCostCapError
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

LIMIT = 0.0005  # 64 output tokens of gpt-4o-mini fit; 4000 ($0.0024) do not
LONG = "word " * 4000


def _config(**budget: Any) -> RouterConfig:
    return RouterConfig.build({
        "tiers": [
            {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64,
             "input_price": 0.15, "output_price": 0.60},
            {"name": "strong", "model": "gpt-4o", "max_tokens": 256,
             "input_price": 2.50, "output_price": 10.00},
        ],
        "budget": budget or {"limits": [{"scope": "global", "period": "day", "limit_usd": LIMIT}]},
    })


def _classifier() -> FakeClassifier:
    return FakeClassifier(default="cheap", labels=["cheap", "strong"])


def _lc(server: FakeOpenAIServer, cheap: ChatOpenAI | None = None, **budget: Any) -> RoutedChatModel:
    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
                          http_async_client=httpx.AsyncClient())
    return RoutedChatModel(
        tiers={"cheap": cheap or inner("gpt-4o-mini"), "strong": inner("gpt-4o")},
        config=_config(**budget), classifier=_classifier(), ledger=InMemoryLedger(),
    )


def _li_inner(server: FakeOpenAIServer, model: str, **kw: Any) -> Any:
    from llama_index.llms.openai import OpenAI

    return OpenAI(model=model, api_base=server.base_url, api_key="sk-test", max_retries=0, **kw)


def _li(server: FakeOpenAIServer, **cheap_kw: Any) -> RoutedLLM:
    return RoutedLLM(
        tiers={"cheap": _li_inner(server, "gpt-4o-mini", **cheap_kw),
               "strong": _li_inner(server, "gpt-4o")},
        config=_config(), classifier=_classifier(), ledger=InMemoryLedger(),
    )


def _refused_unsent(router: Any, server: FakeOpenAIServer) -> None:
    assert server.chat_requests == []
    assert router.ledger.spend("global", 0.0) == 0.0
    assert [r.status for r in router.ledger.records()] == ["refused"]


LC_CALLS = {
    "invoke": lambda m: m.invoke("hello", max_completion_tokens=4000),
    "bind": lambda m: m.bind(max_completion_tokens=4000).invoke("hello"),
    "stream": lambda m: list(m.stream("hello", max_completion_tokens=4000)),
    "ainvoke": lambda m: asyncio.run(m.ainvoke("hello", max_completion_tokens=4000)),
    "max_output_tokens": lambda m: m.invoke("hello", max_output_tokens=4000),
    "num_predict": lambda m: m.invoke("hello", num_predict=4000),
}


@pytest.mark.parametrize("how", sorted(LC_CALLS))
def test_langchain_a_callers_budget_in_any_spelling_is_reserved_for(
    openai_server: FakeOpenAIServer, how: str
) -> None:
    openai_server.script(None, LONG)
    model = _lc(openai_server)
    with pytest.raises(BudgetExceededError):
        LC_CALLS[how](model)
    _refused_unsent(model.router, openai_server)


def test_langchain_a_smaller_budget_is_sent_alone(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, LONG)
    model = _lc(openai_server)
    model.invoke("hello", max_completion_tokens=40)
    sent = openai_server.last
    assert (sent.max_completion_tokens, sent.max_tokens) == (40, None)
    [rec] = model.router.ledger.records()
    assert (rec.status, rec.output_tokens) == ("ok", 40)
    assert model.router.ledger.spend("global", 0.0) <= LIMIT


def test_langchain_per_request_cap_sees_the_callers_budget(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, LONG)
    model = _lc(openai_server, per_request_cap_usd=0.0005)
    with pytest.raises(RequestCostCapError):
        model.invoke("hello", max_completion_tokens=4000)
    assert openai_server.chat_requests == []


def test_langchain_an_inner_models_larger_budget_is_overridden(openai_server: FakeOpenAIServer) -> None:
    """The tier's budget is what the router reserves for, so it is what is sent."""
    openai_server.script(None, LONG)
    own = ChatOpenAI(model="gpt-4o-mini", base_url=openai_server.base_url, api_key="sk-test",
                     max_retries=0, max_completion_tokens=4000)
    model = _lc(openai_server, cheap=own)
    model.invoke("hello")
    assert openai_server.last.max_completion_tokens == 64
    assert model.router.ledger.spend("global", 0.0) <= LIMIT


def test_langchain_an_unreadable_budget_is_an_error_before_any_call(
    openai_server: FakeOpenAIServer,
) -> None:
    model = _lc(openai_server)
    with pytest.raises(InputError, match="max_completion_tokens"):
        model.invoke("hello", max_completion_tokens="lots")
    assert openai_server.chat_requests == []


LI_CALLS = {
    "chat": lambda m: m.chat([ChatMessage(role="user", content="hello")], max_completion_tokens=4000),
    "complete": lambda m: m.complete("hello", max_completion_tokens=4000),
    "stream_chat": lambda m: list(
        m.stream_chat([ChatMessage(role="user", content="hello")], max_completion_tokens=4000)
    ),
    "achat": lambda m: asyncio.run(
        m.achat([ChatMessage(role="user", content="hello")], max_completion_tokens=4000)
    ),
    "max_new_tokens": lambda m: m.chat([ChatMessage(role="user", content="hello")], max_new_tokens=4000),
}


@pytest.mark.parametrize("how", sorted(LI_CALLS))
def test_llamaindex_a_callers_budget_in_any_spelling_is_reserved_for(
    openai_server: FakeOpenAIServer, how: str
) -> None:
    openai_server.script(None, LONG)
    llm = _li(openai_server)
    with pytest.raises(BudgetExceededError):
        LI_CALLS[how](llm)
    _refused_unsent(llm.router, openai_server)


def test_llamaindex_a_smaller_budget_is_sent_alone(openai_server: FakeOpenAIServer) -> None:
    openai_server.script(None, LONG)
    llm = _li(openai_server)
    llm.chat([ChatMessage(role="user", content="hello")], max_completion_tokens=40)
    sent = openai_server.last
    assert (sent.max_completion_tokens, sent.max_tokens) == (None, 40)
    [rec] = llm.router.ledger.records()
    assert (rec.status, rec.output_tokens) == ("ok", 40)


@pytest.mark.parametrize("key", ["max_completion_tokens", "max_tokens"])
def test_llamaindex_an_inner_llms_own_extra_budget_is_overridden(
    openai_server: FakeOpenAIServer, key: str
) -> None:
    """``additional_kwargs`` go after the ``max_tokens`` field in llama-index's OpenAI request:
    the router sets them to the tier's budget too, so the request carries 64 only."""
    openai_server.script(None, LONG)
    llm = _li(openai_server, additional_kwargs={key: 4000})
    llm.chat([ChatMessage(role="user", content="hello")])
    sent = openai_server.last
    assert sent.token_limit == 64
    assert {sent.max_completion_tokens, sent.max_tokens} <= {None, 64}
    [rec] = llm.router.ledger.records()
    assert (rec.status, rec.output_tokens) == ("ok", 64)
    assert llm.router.ledger.spend("global", 0.0) <= LIMIT
    assert llm.tiers["cheap"].additional_kwargs == {key: 4000}  # the shared inner is untouched
