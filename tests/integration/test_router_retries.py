"""Retries under the router's control (issue 14, item 7).

The router's fallback is the retry: an inner client's own retries would run first, sending
several requests to a failing tier and holding the caller before the next tier is tried
(``ChatOpenAI``'s defaults: 3 requests; LlamaIndex ``OpenAI``: tenacity over the SDK, 12
requests and ~11 s). Real inner clients call the loopback server, built the way users build
them (library defaults), and the server counts what each tier received.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared_core import RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.router import default_config_path
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer, default_reply

pytestmark = pytest.mark.integration

CHEAP, STRONG = "gpt-4o-mini", "gpt-4o"
MODES = ["invoke", "ainvoke", "stream", "astream"]
DEFAULT_ATTEMPT_TIMEOUT_S = 60.0


def _config(**extra: Any) -> RouterConfig:
    return RouterConfig.build(
        {
            **extra,
            "tiers": [
                {"name": "cheap", "model": CHEAP, "input_price": 0.15, "output_price": 0.60},
                {"name": "strong", "model": STRONG, "input_price": 2.50, "output_price": 10.0},
            ],
        }
    )


def _chat_openai(server: FakeOpenAIServer, model: str, **kw: Any) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model,
        base_url=server.base_url,
        api_key="sk-test",
        http_async_client=httpx.AsyncClient(),
        **kw,
    )


def _llama_openai(server: FakeOpenAIServer, model: str, **kw: Any) -> Any:
    from llama_index.llms.openai import OpenAI

    return OpenAI(model=model, api_base=server.base_url, api_key="sk-test", **kw)


def _langchain(
    server: FakeOpenAIServer, config: RouterConfig | None = None, **inner_kw: Any
) -> tuple[Any, Callable[[Any, str], Any]]:
    """A RoutedChatModel over ChatOpenAI tiers built with the library's defaults
    (``config=None``: no config, the tiers-only default)."""
    pytest.importorskip("langchain_openai")
    from langchain_router import RoutedChatModel

    routed = RoutedChatModel(
        tiers={
            "cheap": _chat_openai(server, CHEAP, **inner_kw),
            "strong": _chat_openai(server, STRONG),
        },
        config=config,
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
        ledger=InMemoryLedger(),
    )

    async def run(model: Any, mode: str) -> str:
        if mode == "invoke":
            return str(model.invoke("hello").content)
        if mode == "ainvoke":
            return str((await model.ainvoke("hello")).content)
        if mode == "stream":
            return "".join(c.text for c in model.stream("hello"))
        return "".join([c.text async for c in model.astream("hello")])

    return routed, run


def _llamaindex(
    server: FakeOpenAIServer, config: RouterConfig | None = None, **inner_kw: Any
) -> tuple[Any, Callable[[Any, str], Any]]:
    """The same for RoutedLLM over LlamaIndex ``OpenAI`` tiers."""
    pytest.importorskip("llama_index.llms.openai")
    from llama_index.core.base.llms.types import ChatMessage

    from llamaindex_router import RoutedLLM

    routed = RoutedLLM(
        tiers={
            "cheap": _llama_openai(server, CHEAP, **inner_kw),
            "strong": _llama_openai(server, STRONG),
        },
        config=config,
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
        ledger=InMemoryLedger(),
    )
    msgs = [ChatMessage(role="user", content="hello")]

    async def run(llm: Any, mode: str) -> str:
        if mode == "invoke":
            return str(llm.chat(msgs).message.content)
        if mode == "ainvoke":
            return str((await llm.achat(msgs)).message.content)
        if mode == "stream":
            return "".join(r.delta or "" for r in llm.stream_chat(msgs))
        return "".join([r.delta or "" async for r in await llm.astream_chat(msgs)])

    return routed, run


ADAPTERS = {"langchain": _langchain, "llamaindex": _llamaindex}


def _router_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "tier_router"]


# -- one request per failing tier --------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_a_failing_tier_receives_one_request(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    routed, run = ADAPTERS[adapter](openai_server, _config())
    openai_server.fail(model=CHEAP, status=500, times=None)
    t0 = time.perf_counter()
    assert await run(routed, mode) == default_reply(STRONG)
    elapsed = time.perf_counter() - t0
    assert openai_server.models == [CHEAP, STRONG], "the inner client retried the failing tier"
    assert elapsed < 1.0, f"fallback took {elapsed:.2f} s (inner back-off?)"
    records = routed.router.ledger.records()
    assert [(r.tier, r.status, r.error_kind) for r in records] == [
        ("cheap", "failed", "server"),
        ("strong", "ok", None),
    ]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_the_callers_inner_models_are_left_unchanged(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    """The router calls a copy with retries off; the object the caller passed keeps its own."""
    build = _chat_openai if adapter == "langchain" else _llama_openai
    mine = build(openai_server, CHEAP)
    before = mine.max_retries
    if adapter == "langchain":
        from langchain_router import RoutedChatModel

        routed: Any = RoutedChatModel(tiers={"cheap": mine}, classifier=FakeClassifier("cheap"))
    else:
        from llamaindex_router import RoutedLLM

        routed = RoutedLLM(tiers={"cheap": mine}, classifier=FakeClassifier("cheap"))
    assert mine.max_retries == before
    assert routed.tiers["cheap"] is not mine
    assert routed.tiers["cheap"].max_retries == 0


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_explicit_inner_retries_are_kept_and_named_in_a_warning(
    openai_server: FakeOpenAIServer, adapter: str, caplog: pytest.LogCaptureFixture
) -> None:
    """``max_retries=1`` set by the caller is a choice: kept (2 requests), and said once."""
    caplog.set_level(logging.WARNING, logger="tier_router")
    routed, run = ADAPTERS[adapter](openai_server, _config(), max_retries=1)
    built = [r for r in _router_records(caplog) if "max_retries" in r.getMessage()]
    assert len(built) == 1, [r.getMessage() for r in _router_records(caplog)]
    assert built[0].levelno == logging.WARNING
    assert "'cheap'" in built[0].getMessage() and "max_retries=1" in built[0].getMessage()
    openai_server.fail(model=CHEAP, status=500, times=None)
    assert asyncio.run(run(routed, "invoke")) == default_reply(STRONG)
    assert openai_server.models == [CHEAP, CHEAP, STRONG]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_the_default_judge_does_not_retry_either(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    """A ``judge`` classifier asks the cheapest tier's model by default: through the same
    retries-off copy, so a failing judge costs one request (its default label then sends the
    call to the failing cheap tier, one request again, and the strong tier answers)."""
    build = _chat_openai if adapter == "langchain" else _llama_openai
    config = _config(classifier={"type": "judge"})
    if adapter == "langchain":
        from langchain_router import RoutedChatModel

        routed: Any = RoutedChatModel(
            tiers={"cheap": build(openai_server, CHEAP), "strong": build(openai_server, STRONG)},
            config=config,
        )
    else:
        from llamaindex_router import RoutedLLM

        routed = RoutedLLM(
            tiers={"cheap": build(openai_server, CHEAP), "strong": build(openai_server, STRONG)},
            config=config,
        )
    _, run = ADAPTERS[adapter](openai_server, _config())
    openai_server.fail(model=CHEAP, status=500, times=None)
    assert await run(routed, "invoke") == default_reply(STRONG)
    assert openai_server.models == [CHEAP, CHEAP, STRONG], "the judge's request was retried"
    judge, attempt = openai_server.chat_requests[:2]
    assert attempt.last_user_text == "hello"  # the routed attempt; the first was the judge's
    assert judge.last_user_text != "hello"


def test_from_config_builds_inner_models_without_retries(
    tmp_path: Path, openai_server: FakeOpenAIServer
) -> None:
    pytest.importorskip("langchain_openai")
    from langchain_router import RoutedChatModel

    cfg = _config()
    data = cfg.to_dict()
    data["tiers"] = [{**t, "model": f"openai:{t['model']}"} for t in data["tiers"]]
    path = RouterConfig.build(data).to_file(tmp_path / "router.yaml")
    routed = RoutedChatModel.from_config(
        path,
        base_url=openai_server.base_url,
        api_key="sk-test",
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
    )
    assert [m.max_retries for m in routed.tiers.values()] == [0, 0]
    openai_server.fail(model=CHEAP, status=503, times=None)
    assert routed.invoke("hello").content == default_reply(STRONG)
    assert openai_server.models == [CHEAP, STRONG]


# -- what the logs say -------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_every_fallback_logs_a_warning(
    openai_server: FakeOpenAIServer, adapter: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    routed, run = ADAPTERS[adapter](openai_server, _config())
    caplog.set_level(logging.WARNING, logger="tier_router")
    caplog.clear()
    openai_server.fail(model=CHEAP, status=429)
    assert await run(routed, mode) == default_reply(STRONG)
    [rec] = _router_records(caplog)
    assert rec.levelno == logging.WARNING
    assert (rec.event, rec.tier, rec.next_tier, rec.fault) == (  # type: ignore[attr-defined]
        "fallback", "cheap", "strong", "rate_limit"
    )
    assert rec.model == CHEAP and rec.next_model == STRONG  # type: ignore[attr-defined]
    assert rec.call_id == routed.router.ledger.records()[0].call_id  # type: ignore[attr-defined]
    assert 0.0 <= rec.elapsed_s < 1.0  # type: ignore[attr-defined]
    msg = rec.getMessage()
    assert "fallback" in msg and "'cheap'" in msg and "'strong'" in msg and "rate_limit" in msg
    assert f"{rec.elapsed_s:.2f} s" in msg  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_every_escalation_logs_a_warning(
    openai_server: FakeOpenAIServer, adapter: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    routed, run = ADAPTERS[adapter](openai_server, _config())
    caplog.set_level(logging.WARNING, logger="tier_router")
    caplog.clear()
    openai_server.refuse(model=CHEAP)
    assert await run(routed, mode) == default_reply(STRONG)
    [rec] = _router_records(caplog)
    assert rec.levelno == logging.WARNING
    assert (rec.event, rec.tier, rec.next_tier, rec.fault) == (  # type: ignore[attr-defined]
        "escalation", "cheap", "strong", "quality"
    )
    assert rec.reason == routed.router.ledger.records()[0].error  # type: ignore[attr-defined]
    # a duration, not a timestamp; generous: one local round trip took 1.78 s on a loaded machine
    assert 0.0 <= rec.elapsed_s < 10.0  # type: ignore[attr-defined]
    assert "escalat" in rec.getMessage() and rec.reason in rec.getMessage()  # type: ignore[attr-defined]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_an_answer_on_the_first_tier_logs_nothing(
    openai_server: FakeOpenAIServer, adapter: str, caplog: pytest.LogCaptureFixture
) -> None:
    routed, run = ADAPTERS[adapter](openai_server, _config())
    caplog.set_level(logging.DEBUG, logger="tier_router")
    caplog.clear()
    assert await run(routed, "invoke") == default_reply(CHEAP)
    assert [r for r in _router_records(caplog) if r.levelno >= logging.INFO] == []


# -- the default per-attempt timeout -----------------------------------------------------------


def test_the_bundled_config_bounds_every_attempt() -> None:
    cfg = RouterConfig.from_file(default_config_path())
    assert cfg.fallback.attempt_timeout_s == DEFAULT_ATTEMPT_TIMEOUT_S
    # the frontier tier (a reasoning model) gets longer, every other tier the default
    assert {t.name: t.timeout_s for t in cfg.tiers} == {
        "simple": None, "medium": None, "complex": None, "frontier": 180.0,
    }


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
def test_a_model_without_a_config_gets_the_default_attempt_timeout(
    openai_server: FakeOpenAIServer, adapter: str
) -> None:
    if adapter == "langchain":
        pytest.importorskip("langchain_openai")
        from langchain_router import RoutedChatModel

        routed: Any = RoutedChatModel(tiers={"cheap": _chat_openai(openai_server, CHEAP)})
    else:
        pytest.importorskip("llama_index.llms.openai")
        from llamaindex_router import RoutedLLM

        routed = RoutedLLM(tiers={"cheap": _llama_openai(openai_server, CHEAP)})
    assert routed.router.config.fallback.attempt_timeout_s == DEFAULT_ATTEMPT_TIMEOUT_S


def test_langchain_timeout_argument_still_sets_the_attempt_timeout(
    openai_server: FakeOpenAIServer,
) -> None:
    pytest.importorskip("langchain_openai")
    from langchain_router import RoutedChatModel

    routed = RoutedChatModel(tiers={"cheap": _chat_openai(openai_server, CHEAP)}, timeout=7)
    assert routed.router.config.fallback.attempt_timeout_s == 7.0


@pytest.mark.slow
async def test_a_hung_provider_is_cut_by_the_default_timeout(
    openai_server: FakeOpenAIServer,
) -> None:
    """No timeout anywhere but the router's default: the hung cheap tier is abandoned after
    the default attempt timeout and the strong tier answers (both adapters at once, so the
    test waits the default timeout once)."""
    lc, lc_run = _langchain(openai_server)
    # LlamaIndex's client times out at 60 s by itself: give it longer, only the router cuts
    li, li_run = _llamaindex(openai_server, timeout=600.0)
    openai_server.fail(model=CHEAP, kind="timeout", delay=3 * DEFAULT_ATTEMPT_TIMEOUT_S, times=None)
    t0 = time.perf_counter()
    answers = await asyncio.gather(lc_run(lc, "ainvoke"), li_run(li, "ainvoke"))
    elapsed = time.perf_counter() - t0
    assert answers == [default_reply(STRONG)] * 2
    assert openai_server.models.count(CHEAP) == 2
    assert DEFAULT_ATTEMPT_TIMEOUT_S <= elapsed < DEFAULT_ATTEMPT_TIMEOUT_S + 10, elapsed
    for routed in (lc, li):
        assert [(r.tier, r.status, r.error_kind) for r in routed.router.ledger.records()] == [
            ("cheap", "failed", "timeout"),
            ("strong", "ok", None),
        ]
