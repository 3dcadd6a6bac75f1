"""Adapters built independently (no shared Router) agree; Settings.llm works as documented."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage
from langchain_openai import ChatOpenAI
from llama_index.core import Settings
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM

pytestmark = pytest.mark.integration

MODELS = {"cheap": "gpt-4o-mini", "strong": "gpt-4o"}
PROMPTS = [
    "hi there!",
    "What is the capital of Peru?",
    "Prove that the sum of the reciprocals of the primes diverges, with every step justified, "
    "then discuss what the proof says about the density of primes.",
    "Design a multi-region, strongly consistent rate limiter; compare token buckets with "
    "sliding windows and analyse failure modes under network partitions.",
]


def _lc(server) -> RoutedChatModel:
    return RoutedChatModel(tiers={
        n: ChatOpenAI(model=m, base_url=server.base_url, api_key="sk-test", max_retries=0)
        for n, m in MODELS.items()
    })


def _li(server) -> RoutedLLM:
    return RoutedLLM(tiers={
        n: OpenAI(model=m, api_base=server.base_url, api_key="sk-test", max_retries=0)
        for n, m in MODELS.items()
    })


@pytest.mark.parametrize("prompt", PROMPTS)
def test_default_configs_built_by_each_adapter_decide_alike(openai_server, prompt):
    """No config, no shared router: each adapter builds its own from the tiers given."""
    a = _lc(openai_server).invoke([HumanMessage(prompt)]).response_metadata["router"]
    b = _li(openai_server).chat([ChatMessage(role="user", content=prompt)]).additional_kwargs["router"]
    assert (a["tier"], a["classifier"]) == (b["tier"], b["classifier"])
    assert a["scores"] == pytest.approx(b["scores"]) and a["confidence"] == pytest.approx(b["confidence"])


def test_settings_llm_drives_a_chat_engine(openai_server):
    llm = _li(openai_server)
    previous = Settings._llm
    try:
        Settings.llm = llm
        engine = SimpleChatEngine.from_defaults()  # picks Settings.llm up
        reply = engine.chat("hi there!")
    finally:
        Settings._llm = previous
    assert "Reply from" in str(reply)
    assert openai_server.chat_requests[-1].model == "gpt-4o-mini"
    [rec] = llm.router.ledger.records()
    assert rec.tier == "cheap" and rec.status == "ok"
