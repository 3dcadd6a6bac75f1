"""OpenTelemetry through both adapters, turned on by the config switch (issue 13).

Real ``ChatOpenAI`` / LlamaIndex ``OpenAI`` tiers call the loopback server; the cheap tier
fails (HTTP 500) and the strong one answers. The global tracer and meter providers are the
SDK's, with in-memory exporters (``tests/otel_support.py``). Each call must give one span with
the fallback event and the final model, and metrics whose tokens and cost are the ledger's.
"""

from __future__ import annotations

from typing import Any

import pytest

from shared_core import RouterConfig
from tests.fake_openai_server import FakeOpenAIServer, default_reply
from tests.integration.test_router_retries import ADAPTERS, CHEAP, STRONG
from tests.otel_support import Captured, global_capture

pytestmark = pytest.mark.integration

MODES = ["invoke", "ainvoke", "stream", "astream"]


def _config(on: bool = True) -> RouterConfig:
    return RouterConfig.build(
        {
            "tiers": [
                {"name": "cheap", "model": CHEAP, "input_price": 0.15, "output_price": 0.60},
                {"name": "strong", "model": STRONG, "input_price": 2.50, "output_price": 10.0},
            ],
            "telemetry": {"opentelemetry": on},
        }
    )


@pytest.fixture
def cap() -> Captured:
    return global_capture()


def _routed_spans(cap: Captured) -> list[Any]:
    return [s for s in cap.spans() if (s.attributes or {}).get("gen_ai.provider.name") == "tier_router"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_a_fallback_is_one_span_with_its_event_and_the_final_model(
    openai_server: FakeOpenAIServer, cap: Captured, adapter: str, mode: str
) -> None:
    routed, run = ADAPTERS[adapter](openai_server, _config())
    openai_server.fail(model=CHEAP, status=500)
    assert await run(routed, mode) == default_reply(STRONG)
    records = routed.router.ledger.records()
    assert [(r.tier, r.status) for r in records] == [("cheap", "failed"), ("strong", "ok")]
    ok = records[1]

    [span] = _routed_spans(cap)
    a = dict(span.attributes or {})
    assert span.name == f"chat {CHEAP}"
    assert (a["gen_ai.request.model"], a["gen_ai.response.model"]) == (CHEAP, STRONG)
    assert (a["tier_router.decided_tier"], a["tier_router.tier"]) == ("cheap", "strong")
    assert (a["tier_router.outcome"], a["tier_router.attempts"]) == ("fallback", 2)
    assert a["tier_router.call_id"] == ok.call_id
    assert a["tier_router.framework"] == adapter
    assert a["tier_router.streamed"] is mode.endswith("stream")
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (
        ok.input_tokens, ok.output_tokens,
    )
    assert ok.input_tokens > 0 and ok.output_tokens > 0
    assert a["tier_router.cost.usd"] == ok.cost_usd
    assert span.status.status_code.name == "UNSET"
    [event] = span.events
    assert event.name == "tier_router.fallback"
    e = dict(event.attributes or {})
    assert (e["tier_router.tier"], e["tier_router.next_tier"], e["tier_router.fault"]) == (
        "cheap", "strong", "server",
    )
    assert (e["tier_router.model"], e["tier_router.next_model"]) == (CHEAP, STRONG)
    # the exception the inner client raised, as the ledger names it ("<class>: <message>")
    assert e["tier_router.error_type"] == records[0].error.split(":")[0]

    m = cap.metrics()
    [calls] = m["tier_router.calls"][1]
    assert (calls.attributes, calls.value) == (
        {"tier_router.tier": "strong", "tier_router.outcome": "fallback"}, 1,
    )
    [cost] = m["tier_router.cost"][1]
    assert cost.value == ok.cost_usd
    assert cost.attributes["gen_ai.response.model"] == STRONG
    tokens = {
        (p.attributes["gen_ai.response.model"], p.attributes["gen_ai.token.type"]): p.value
        for p in m["gen_ai.client.token.usage"][1]
    }
    assert tokens == {(STRONG, "input"): ok.input_tokens, (STRONG, "output"): ok.output_tokens}
    [dur] = m["gen_ai.client.operation.duration"][1]
    assert dur.count == 1 and dur.attributes["gen_ai.response.model"] == STRONG
    assert dur.attributes["tier_router.outcome"] == "fallback"
    [dec] = m["tier_router.decision.duration"][1]
    assert dec.count == 1


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_an_escalation_is_a_span_event(
    openai_server: FakeOpenAIServer, cap: Captured, adapter: str
) -> None:
    routed, run = ADAPTERS[adapter](openai_server, _config())
    openai_server.refuse(model=CHEAP)
    assert await run(routed, "ainvoke") == default_reply(STRONG)
    records = routed.router.ledger.records()
    [span] = _routed_spans(cap)
    a = dict(span.attributes or {})
    assert (a["tier_router.outcome"], a["gen_ai.response.model"]) == ("escalated", STRONG)
    assert a["gen_ai.usage.input_tokens"] == sum(r.input_tokens for r in records)
    assert a["tier_router.cost.usd"] == pytest.approx(sum(r.cost_usd or 0 for r in records), rel=1e-12)
    assert [e.name for e in span.events] == ["tier_router.escalation"]


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_nothing_is_emitted_when_telemetry_is_off(
    openai_server: FakeOpenAIServer, cap: Captured, adapter: str
) -> None:
    routed, run = ADAPTERS[adapter](openai_server, _config(on=False))
    assert await run(routed, "invoke") == default_reply(CHEAP)
    assert routed.router.telemetry is None
    assert _routed_spans(cap) == []
    assert cap.metrics() == {}


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
async def test_a_stream_the_caller_closes_ends_its_span_as_abandoned(
    openai_server: FakeOpenAIServer, cap: Captured, adapter: str, mode: str
) -> None:
    from llama_index.core.base.llms.types import ChatMessage

    routed, _ = ADAPTERS[adapter](openai_server, _config())
    prompt = "Tell me a long story about a lighthouse keeper. " * 8
    if adapter == "langchain":
        stream: Any = routed.stream(prompt) if mode == "stream" else routed.astream(prompt)
    else:
        msgs = [ChatMessage(role="user", content=prompt)]
        stream = routed.stream_chat(msgs) if mode == "stream" else await routed.astream_chat(msgs)
    if mode == "stream":
        next(stream)
        stream.close()
    else:
        await anext(stream)
        await stream.aclose()
    [rec] = routed.router.ledger.records()
    assert rec.status == "abandoned"
    [span] = _routed_spans(cap)
    a = dict(span.attributes or {})
    assert (a["tier_router.outcome"], a["tier_router.tier"]) == ("abandoned", "cheap")
    assert a["gen_ai.response.model"] == CHEAP
    # the tokens of a stream stopped before its usage came are estimated from the text: not
    # the provider's usage (the GenAI conventions), marked as an estimate instead
    assert "estimated from the text" in (rec.error or "")
    assert "gen_ai.usage.input_tokens" not in a
    assert a["tier_router.usage.estimated"] is True
    assert (a["tier_router.usage.estimated.input_tokens"], a["tier_router.usage.estimated.output_tokens"]) == (
        rec.input_tokens, rec.output_tokens,
    )
    assert a["tier_router.cost.usd"] == rec.cost_usd
    assert span.status.status_code.name == "UNSET"
    [calls] = cap.metrics()["tier_router.calls"][1]
    assert calls.attributes == {"tier_router.tier": "cheap", "tier_router.outcome": "abandoned"}
