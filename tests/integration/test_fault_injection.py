"""Fault injection beyond the matrix (issue 6): strict ``fallback.on``, cooldown, a cut after
output reached the caller, the router's own attempt timeout, filtered and empty answers.

The matrix of every fault x both adapters x every mode, with exact ledger records, is
``tests/integration/test_fault_matrix.py``.

Real inner clients (LangChain ``ChatOpenAI``, LlamaIndex ``OpenAI``) call the loopback
server; the cheap tier's model fails once in a scripted way. Documented outcomes with
the default fallback settings (``fallback.on``: rate_limit, timeout, connection, server,
content_filter, bad_response):

==================================  ========================================================
fault on the cheap tier             outcome
==================================  ========================================================
429, 500, 503, timeout, reset,      answered by the strong tier; ledger: cheap ``failed``
content filter (400), malformed     (with the error kind), strong ``ok``
body (200, invalid JSON)
cut stream, non-streaming request   same (the connection broke before any answer)
cut stream after output reached     the provider's error reaches the caller (no silent
the caller                          restart on another tier); ledger: cheap ``failed`` /
                                    ``connection``. (LlamaIndex holds one chunk back, so a
                                    cut after the very first chunk still falls back there.)
filtered completion (200, empty,    answered by the strong tier (an escalation); ledger:
finish_reason="content_filter")     cheap ``rejected``, strong ``ok``
hung provider, no client timeout    ``fallback.attempt_timeout_s`` cuts the attempt (streams:
                                    the wait for the first chunk) and the strong tier answers
==================================  ========================================================
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from shared_core import RouterConfig
from shared_core.faults import classify_error
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer, default_reply

pytestmark = pytest.mark.integration

CHEAP, STRONG = "gpt-4o-mini", "gpt-4o"
TIMEOUT = 30.0  # the inner clients' timeout: no test here relies on it (a loaded CI machine is slow)

MODES = ["invoke", "ainvoke", "stream", "astream"]


def _config(**extra: Any) -> RouterConfig:
    return RouterConfig.build(
        {
            **extra,
            "tiers": [
                {
                    "name": "cheap",
                    "model": CHEAP,
                    "max_tokens": 64,
                    "input_price": 0.15,
                    "output_price": 0.60,
                },
                {
                    "name": "strong",
                    "model": STRONG,
                    "max_tokens": 256,
                    "input_price": 2.50,
                    "output_price": 10.00,
                },
            ],
        }
    )


def _classifier() -> FakeClassifier:
    return FakeClassifier(default="cheap", labels=["cheap", "strong"])


def _routed(cls: Any, inner: Callable[[str], Any], config: RouterConfig | None) -> Any:
    return cls(
        tiers={"cheap": inner(CHEAP), "strong": inner(STRONG)},
        config=config or _config(),
        classifier=_classifier(),
        ledger=InMemoryLedger(),
    )


def _langchain(
    server: FakeOpenAIServer, config: RouterConfig | None = None, timeout: float | None = TIMEOUT
) -> tuple[Any, Callable[[Any, str], Any]]:
    """A routed LangChain model over the server, and how to call it in each mode.
    ``timeout=None``: the inner clients have no timeout of their own."""
    pytest.importorskip("langchain_openai")
    from langchain_openai import ChatOpenAI

    from langchain_router import RoutedChatModel

    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(
            model=model,
            base_url=server.base_url,
            api_key="sk-test",
            max_retries=0,
            timeout=timeout,
            http_async_client=httpx.AsyncClient(),
        )

    async def run(model: Any, mode: str) -> str:
        if mode == "invoke":
            return model.invoke("hello").content
        if mode == "ainvoke":
            return (await model.ainvoke("hello")).content
        if mode == "stream":
            return "".join(c.text for c in model.stream("hello"))
        return "".join([c.text async for c in model.astream("hello")])

    return _routed(RoutedChatModel, inner, config), run


def _llamaindex(
    server: FakeOpenAIServer, config: RouterConfig | None = None, timeout: float | None = TIMEOUT
) -> tuple[Any, Callable[[Any, str], Any]]:
    """The same for LlamaIndex (``timeout=None``: the client's own default, 60 s)."""
    pytest.importorskip("llama_index.llms.openai")
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    limit = {} if timeout is None else {"timeout": timeout}

    def inner(model: str) -> OpenAI:
        return OpenAI(
            model=model, api_base=server.base_url, api_key="sk-test", max_retries=0, **limit
        )

    msgs = [ChatMessage(role="user", content="hello")]

    async def run(llm: Any, mode: str) -> str:
        if mode == "invoke":
            return llm.chat(msgs).message.content
        if mode == "ainvoke":
            return (await llm.achat(msgs)).message.content
        if mode == "stream":
            return "".join(r.delta or "" for r in llm.stream_chat(msgs))
        return "".join([r.delta or "" async for r in await llm.astream_chat(msgs)])

    return _routed(RoutedLLM, inner, config), run


ADAPTERS = {"langchain": _langchain, "llamaindex": _llamaindex}


def _records(routed: Any) -> list[tuple[str, str, str | None]]:
    return [(r.tier, r.status, r.error_kind) for r in routed.router.ledger.records()]


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_stream_cut_after_output_reached_the_caller_surfaces_the_error(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    routed, run = ADAPTERS[adapter](openai_server)
    # three chunks: whatever an adapter holds back, the caller has seen part of the answer
    openai_server.fail(model=CHEAP, kind="cut_stream", after_chunks=3)
    with pytest.raises(httpx.RemoteProtocolError) as info:  # the provider's own error, unwrapped
        await run(routed, mode)
    assert classify_error(info.value) == "connection"
    assert openai_server.models == [CHEAP], "no silent restart on another tier"
    assert _records(routed) == [("cheap", "failed", "connection")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_malformed_body_surfaces_when_bad_response_is_not_in_fallback_on(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    """Taking ``bad_response`` out of ``fallback.on`` restores the strict behaviour."""
    strict = _config(fallback={"on": ["rate_limit", "timeout", "connection", "server"]})
    routed, run = ADAPTERS[adapter](openai_server, strict)
    openai_server.fail(model=CHEAP, kind="malformed")
    with pytest.raises(json.JSONDecodeError) as info:  # the provider's own decode error
        await run(routed, mode)
    assert classify_error(info.value) == "bad_response"
    assert openai_server.models == [CHEAP]
    assert _records(routed) == [("cheap", "failed", "bad_response")]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_dead_cheap_tier_is_skipped_after_cooldown_threshold(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    routed, run = ADAPTERS[adapter](openai_server)
    openai_server.fail(model=CHEAP, status=503, times=None)
    for _ in range(3):  # default cooldown_failures = 3
        assert await run(routed, "invoke") == default_reply(STRONG)
    openai_server.reset()
    assert await run(routed, "invoke") == default_reply(STRONG)
    assert openai_server.models == [STRONG], "the cooling tier was not tried again"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_router_attempt_timeout_bounds_a_hung_provider(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    # the inner clients have no short timeout of their own: only the router's
    # fallback.attempt_timeout_s can stop the hung attempt
    config = _config(fallback={"attempt_timeout_s": 0.3})
    # the strong tier gets a tier timeout of its own, so a loaded machine cannot time it out
    strong = config.tiers[1].model_copy(update={"timeout_s": 30.0})
    config = config.model_copy(update={"tiers": [config.tiers[0], strong]})
    routed, run = ADAPTERS[adapter](openai_server, config, timeout=None)
    openai_server.fail(model=CHEAP, kind="timeout", delay=5.0)
    t0 = time.perf_counter()
    text = await run(routed, mode)
    elapsed = time.perf_counter() - t0
    assert text == default_reply(STRONG)
    assert _records(routed) == [("cheap", "failed", "timeout"), ("strong", "ok", None)]
    assert elapsed < 3.0, f"the hung attempt was not cut at 0.3 s (took {elapsed:.2f} s)"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_filtered_completion_is_not_accepted(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    """HTTP 200, no text, ``finish_reason="content_filter"``: escalated, not returned as ok
    (streams too: nothing reached the caller, so the next tier can still answer)."""
    routed, run = ADAPTERS[adapter](openai_server)
    openai_server.script(model=CHEAP, reply="", finish_reason="content_filter")
    assert await run(routed, mode) == default_reply(STRONG)
    assert openai_server.models == [CHEAP, STRONG]
    assert _records(routed) == [("cheap", "rejected", "quality"), ("strong", "ok", None)]
    first = routed.router.ledger.records()[0]
    assert first.error and "content filter" in first.error


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_empty_answer_is_escalated_even_without_refusal_check(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    routed, run = ADAPTERS[adapter](openai_server, _config(escalation={"refusal_check": False}))
    openai_server.script(model=CHEAP, reply="")
    assert await run(routed, mode) == default_reply(STRONG)
    assert _records(routed) == [("cheap", "rejected", "quality"), ("strong", "ok", None)]
    assert routed.router.ledger.records()[0].error == "empty answer"
