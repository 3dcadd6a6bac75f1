"""Fallback, escalation and all-tiers-failed through RoutedLLM over real OpenAI LLMs."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage

from shared_core import AllTiersFailedError
from tests.fake_openai_server import REFUSAL
from tests.unit.llamaindex_router.support import (
    MODELS,
    assert_ledger_costs,
    assert_sent,
    make_config,
    routed_openai,
)

pytestmark = pytest.mark.integration


def _user(text: str) -> list[ChatMessage]:
    return [ChatMessage(role="user", content=text)]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_provider_error_falls_back_to_next_tier(openai_server, status: int) -> None:
    openai_server.fail(MODELS["cheap"], status=status)
    llm = routed_openai(openai_server)
    r = llm.chat(_user("hello"))
    meta = r.additional_kwargs["router"]
    assert meta["tier"] == "strong" and meta["decided_tier"] == "cheap"
    assert meta["fallbacks_tried"] == ["cheap"]
    assert openai_server.models == [MODELS["cheap"], MODELS["strong"]]
    assert_sent(openai_server.last, "strong")
    recs = llm.router.ledger.records()
    assert [(x.tier, x.status, x.fallback) for x in recs] == [
        ("cheap", "failed", False),
        ("strong", "ok", True),
    ]
    assert_ledger_costs(recs)


def test_connection_reset_falls_back(openai_server) -> None:
    openai_server.fail(MODELS["cheap"], kind="reset")
    llm = routed_openai(openai_server)
    assert llm.chat(_user("hello")).additional_kwargs["router"]["tier"] == "strong"


async def test_stream_error_before_first_chunk_falls_back(openai_server) -> None:
    openai_server.fail(MODELS["cheap"], status=503)
    llm = routed_openai(openai_server)
    chunks = [c async for c in await llm.astream_chat(_user("hello"))]
    assert chunks[-1].message.content.startswith("Reply from gpt-4o:")
    assert chunks[-1].additional_kwargs["router"]["tier"] == "strong"
    assert_ledger_costs(llm.router.ledger.records())


def test_cut_stream_is_retried_when_the_caller_saw_nothing(openai_server) -> None:
    # the first chunk is held back, so a stream cut right after it has shown the caller nothing
    openai_server.fail(MODELS["cheap"], kind="cut_stream")
    llm = routed_openai(openai_server)
    text = "".join(c.delta or "" for c in llm.stream_chat(_user("hello")))
    assert text.startswith("Reply from gpt-4o:")


def test_refusal_escalates_one_tier_up(openai_server) -> None:
    openai_server.refuse(MODELS["cheap"])
    llm = routed_openai(openai_server)
    r = llm.chat(_user("hello"))
    meta = r.additional_kwargs["router"]
    assert meta["escalated"] is True and meta["tier"] == "strong"
    assert r.message.content.startswith("Reply from gpt-4o:")
    recs = llm.router.ledger.records()
    assert [(x.tier, x.status) for x in recs] == [("cheap", "rejected"), ("strong", "ok")]
    assert_ledger_costs(recs)


def test_buffered_stream_escalates(openai_server) -> None:
    openai_server.refuse(MODELS["cheap"])
    cfg = make_config(escalation={"buffer_streams": True})
    llm = routed_openai(openai_server, cfg)
    chunks = list(llm.stream_chat(_user("hello")))
    assert all(REFUSAL not in (c.message.content or "") for c in chunks)
    assert chunks[-1].additional_kwargs["router"]["escalated"] is True


def test_unbuffered_stream_is_not_escalated(openai_server) -> None:
    openai_server.refuse(MODELS["cheap"])
    llm = routed_openai(openai_server)
    chunks = list(llm.stream_chat(_user("hello")))
    assert chunks[-1].message.content == REFUSAL
    assert chunks[-1].additional_kwargs["router"]["escalated"] is False


def test_all_tiers_failed(openai_server) -> None:
    openai_server.fail(MODELS["cheap"], status=500)
    openai_server.fail(MODELS["strong"], status=503)
    llm = routed_openai(openai_server)
    with pytest.raises(AllTiersFailedError) as info:
        llm.chat(_user("hello"))
    msg = str(info.value)
    assert "cheap" in msg and "strong" in msg
    assert [x.status for x in llm.router.ledger.records()] == ["failed", "failed"]


def test_non_retryable_error_is_raised_unchanged(openai_server) -> None:
    import openai

    openai_server.fail(MODELS["cheap"], status=400, message="bad request")
    llm = routed_openai(openai_server)
    with pytest.raises(openai.BadRequestError):
        llm.chat(_user("hello"))
    assert openai_server.models == [MODELS["cheap"]]


@pytest.mark.parametrize("mode", ["chat", "achat", "stream", "astream"])
async def test_attempt_timeout_cuts_a_hung_provider(openai_server, mode: str) -> None:
    import time

    openai_server.fail(MODELS["cheap"], kind="timeout", delay=3.0)
    config = make_config(fallback={"attempt_timeout_s": 0.3})
    # the strong tier's own timeout: a loaded machine cannot time out the answering tier
    strong = config.tiers[1].model_copy(update={"timeout_s": 30.0})
    llm = routed_openai(openai_server, config.model_copy(update={"tiers": [config.tiers[0], strong]}))
    llm.tiers["strong"].chat(_user("warm up"))  # creates the client (SSL setup can take ~0.3 s)
    t0 = time.perf_counter()
    msgs = _user("hello")
    if mode == "chat":
        text = llm.chat(msgs).message.content
    elif mode == "achat":
        text = (await llm.achat(msgs)).message.content
    elif mode == "stream":
        text = "".join(c.delta or "" for c in llm.stream_chat(msgs))
    else:
        text = "".join([c.delta or "" async for c in await llm.astream_chat(msgs)])
    assert time.perf_counter() - t0 < 2.0, "the 3 s hang was not cut at 0.3 s"
    assert text.startswith("Reply from gpt-4o:")
    recs = llm.router.ledger.records()
    assert [(r.tier, r.status, r.error_kind) for r in recs] == [
        ("cheap", "failed", "timeout"),
        ("strong", "ok", None),
    ]
