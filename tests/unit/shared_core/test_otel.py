"""OpenTelemetry output of the per-call engine: one span per routed call, the router's metrics.

Checked with the SDK's in-memory exporters (``tests/otel_support.py``) on the core's own
loop (``execute`` / ``aexecute`` with a scripted model); the adapters' spans are checked in
``tests/integration/test_otel_adapters.py``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from shared_core import AllTiersFailedError, Router
from shared_core.dispatch import aexecute, execute
from shared_core.errors import BudgetExceededError, ConfigError
from shared_core.testing import FakeRateLimitError, FakeServerError, ScriptedModel
from tests.otel_support import Captured, captured

from .helpers import router_with, three_tiers

REFUSAL = "I'm sorry, I can't help with that."


@pytest.fixture
def cap() -> Captured:
    return captured()


def _router(cap: Captured, **kw) -> Router:
    from shared_core.otel import OpenTelemetry

    tel = OpenTelemetry(tracer_provider=cap.tracer_provider, meter_provider=cap.meter_provider)
    return router_with(default="cheap", telemetry=tel, **kw)


def _run(router: Router, model: ScriptedModel, text: str = "hi"):
    d = router.decide(text)
    plan = router.plan(d, router.request(text, thread_id="t-1"))
    return plan, execute(plan, model)


def _cost(tier: str, inp: int, out: int) -> float:
    prices = {"cheap": (0.1, 0.4), "mid": (1.0, 4.0), "big": (10.0, 40.0)}[tier]
    return (inp * prices[0] + out * prices[1]) / 1e6


def test_an_answered_call_is_one_span_with_the_genai_attributes(cap: Captured) -> None:
    router = _router(cap)
    plan, _ = _run(router, ScriptedModel(replies={"cheap": ["hello there"]}))
    [span] = cap.spans()
    [rec] = router.ledger.records()
    assert span.name == "chat cheap-model"
    assert span.kind.name == "INTERNAL"
    assert span.status.status_code.name == "UNSET"
    a = dict(span.attributes or {})
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.provider.name"] == "tier_router"
    assert a["gen_ai.request.model"] == "cheap-model"
    assert a["gen_ai.response.model"] == "cheap-model"
    assert a["gen_ai.request.max_tokens"] == 100
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (10, 2)
    assert a["gen_ai.conversation.id"] == "t-1"
    assert a["tier_router.call_id"] == rec.call_id
    assert (a["tier_router.tier"], a["tier_router.decided_tier"]) == ("cheap", "cheap")
    assert a["tier_router.outcome"] == "ok"
    assert a["tier_router.cost.usd"] == pytest.approx(_cost("cheap", 10, 2), rel=1e-12)
    assert a["tier_router.cost.usd"] == rec.cost_usd
    assert a["tier_router.attempts"] == 1
    assert a["tier_router.classifier"] == plan.decision.classifier
    assert a["tier_router.framework"] == "core" and a["tier_router.streamed"] is False
    # (whole nanoseconds: int(latency_us * 1000) drops up to 1 ns, 1.5e-5 of a 65 µs decision)
    assert a["tier_router.decision.duration_s"] == pytest.approx(plan.decision.latency_us / 1e6, abs=1e-9)
    assert "error.type" not in a
    assert list(span.events) == []


def test_an_answered_call_records_the_metrics(cap: Captured) -> None:
    router = _router(cap)
    _run(router, ScriptedModel(replies={"cheap": ["hello there"]}))
    m = cap.metrics()
    assert set(m) == {
        "gen_ai.client.operation.duration",
        "gen_ai.client.token.usage",
        "tier_router.cost",
        "tier_router.calls",
        "tier_router.decision.duration",
    }
    unit, [calls] = m["tier_router.calls"]
    assert unit == "{call}"
    assert calls.attributes == {"tier_router.tier": "cheap", "tier_router.outcome": "ok"}
    assert calls.value == 1
    unit, [cost] = m["tier_router.cost"]
    assert unit == "USD"
    assert cost.value == pytest.approx(_cost("cheap", 10, 2), rel=1e-12)
    assert cost.attributes == {
        "tier_router.tier": "cheap", "gen_ai.response.model": "cheap-model", "tier_router.status": "ok",
    }
    unit, tokens = m["gen_ai.client.token.usage"]
    assert unit == "{token}"
    assert sorted((p.attributes["gen_ai.token.type"], p.value) for p in tokens) == [
        ("input", 10), ("output", 2),
    ]
    assert {p.attributes["gen_ai.request.model"] for p in tokens} == {"cheap-model"}
    assert {p.attributes["gen_ai.provider.name"] for p in tokens} == {"tier_router"}
    unit, [dur] = m["gen_ai.client.operation.duration"]
    assert unit == "s" and dur.count == 1 and 0 < dur.value < 1.0
    assert dur.attributes == {
        "gen_ai.operation.name": "chat", "gen_ai.provider.name": "tier_router",
        "gen_ai.request.model": "cheap-model", "gen_ai.response.model": "cheap-model",
        "tier_router.tier": "cheap", "tier_router.outcome": "ok",
    }
    unit, [dec] = m["tier_router.decision.duration"]
    assert unit == "s" and dec.count == 1 and 0 < dec.value < 0.5


def test_a_fallback_is_a_span_event_and_the_span_names_the_final_model(cap: Captured) -> None:
    router = _router(cap)
    _run(router, ScriptedModel(replies={"cheap": [FakeRateLimitError("slow down")]}))
    [span] = cap.spans()
    a = dict(span.attributes or {})
    assert a["gen_ai.request.model"] == "cheap-model"
    assert a["gen_ai.response.model"] == "mid-model"
    assert (a["tier_router.tier"], a["tier_router.outcome"]) == ("mid", "fallback")
    assert a["tier_router.attempts"] == 2
    [event] = span.events
    assert event.name == "tier_router.fallback"
    e = dict(event.attributes or {})
    assert (e["tier_router.tier"], e["tier_router.next_tier"]) == ("cheap", "mid")
    assert (e["tier_router.model"], e["tier_router.next_model"]) == ("cheap-model", "mid-model")
    assert (e["tier_router.fault"], e["tier_router.error_type"]) == ("rate_limit", "FakeRateLimitError")
    assert e["tier_router.elapsed_s"] >= e["tier_router.attempt_s"] >= 0
    m = cap.metrics()
    [calls] = m["tier_router.calls"][1]
    assert calls.attributes == {"tier_router.tier": "mid", "tier_router.outcome": "fallback"}


def test_an_escalation_is_a_span_event_and_both_attempts_count_tokens(cap: Captured) -> None:
    router = _router(cap)
    _run(router, ScriptedModel(replies={"cheap": [REFUSAL], "mid": ["a careful answer"]}))
    [span] = cap.spans()
    a = dict(span.attributes or {})
    refusal_out = len(REFUSAL) // 4
    assert (a["tier_router.tier"], a["tier_router.outcome"]) == ("mid", "escalated")
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (20, refusal_out + 4)
    recs = router.ledger.records()
    assert a["tier_router.cost.usd"] == pytest.approx(sum(r.cost_usd or 0 for r in recs), rel=1e-12)
    [event] = span.events
    assert event.name == "tier_router.escalation"
    e = dict(event.attributes or {})
    assert (e["tier_router.tier"], e["tier_router.next_tier"], e["tier_router.fault"]) == (
        "cheap", "mid", "quality"
    )
    assert e["tier_router.reason"] == recs[0].error
    costs = cap.metrics()["tier_router.cost"][1]
    assert sorted((p.attributes["tier_router.status"], p.value) for p in costs) == [
        ("ok", pytest.approx(_cost("mid", 10, 4), rel=1e-12)),
        ("rejected", pytest.approx(_cost("cheap", 10, refusal_out), rel=1e-12)),
    ]


def test_all_tiers_failed_ends_the_span_with_an_error(cap: Captured) -> None:
    router = _router(cap)
    boom = FakeServerError("boom sk-abcdefghijklmnop")
    with pytest.raises(AllTiersFailedError):
        _run(router, ScriptedModel(replies={t: [boom] for t in ("cheap", "mid", "big")}))
    [span] = cap.spans()
    a = dict(span.attributes or {})
    assert span.status.status_code.name == "ERROR"
    assert "sk-abcdefghijklmnop" not in (span.status.description or "")
    assert a["error.type"] == "AllTiersFailedError"
    assert (a["tier_router.outcome"], a["tier_router.attempts"]) == ("failed", 3)
    assert "gen_ai.response.model" not in a
    assert [e.name for e in span.events] == ["tier_router.fallback"] * 2
    m = cap.metrics()
    [calls] = m["tier_router.calls"][1]
    assert calls.attributes == {"tier_router.tier": "big", "tier_router.outcome": "failed"}
    [dur] = m["gen_ai.client.operation.duration"][1]
    assert dur.attributes["error.type"] == "AllTiersFailedError"
    assert "tier_router.cost" not in m


def test_a_non_retryable_error_ends_the_span_with_its_type(cap: Captured) -> None:
    router = _router(cap)
    with pytest.raises(ValueError):
        _run(router, ScriptedModel(replies={"cheap": [ValueError("bad request")]}))
    [span] = cap.spans()
    assert dict(span.attributes or {})["error.type"] == "ValueError"
    assert span.status.status_code.name == "ERROR"


def test_a_refused_call_is_a_span_too(cap: Captured) -> None:
    from shared_core.ledger import InMemoryLedger

    cfg = three_tiers(budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 1e-9}]})
    ledger = InMemoryLedger()
    router = _router(cap, config=cfg, ledger=ledger)
    # the call's reservation (its tier's max_tokens at its prices) cannot fit the tiny limit
    with pytest.raises(BudgetExceededError):
        _run(router, ScriptedModel())
    [span] = cap.spans()
    a = dict(span.attributes or {})
    assert (a["tier_router.outcome"], a["error.type"]) == ("refused", "BudgetExceededError")
    [calls] = cap.metrics()["tier_router.calls"][1]
    assert calls.attributes["tier_router.outcome"] == "refused"


async def test_async_calls_are_spans_too(cap: Captured) -> None:
    router = _router(cap)
    model = ScriptedModel(replies={"cheap": [FakeServerError("boom")]})
    d = await router.adecide("hi")
    plan = router.plan(d, router.request("hi"))
    await aexecute(plan, model.acall)
    [span] = cap.spans()
    assert dict(span.attributes or {})["tier_router.outcome"] == "fallback"
    assert [e.name for e in span.events] == ["tier_router.fallback"]


def test_the_router_span_is_a_child_of_the_callers_span(cap: Captured) -> None:
    router = _router(cap)
    tracer = cap.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("handle request") as parent:
        _run(router, ScriptedModel())
    routed = next(s for s in cap.spans() if s.name.startswith("chat "))
    assert routed.parent is not None
    assert routed.parent.span_id == parent.get_span_context().span_id


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_spans_made_by_the_inner_call_are_children_of_the_router_span(
    cap: Captured, mode: str
) -> None:
    """What a provider's own instrumentation records during an attempt nests under the call."""
    router = _router(cap)
    tracer = cap.tracer_provider.get_tracer("provider")
    model = ScriptedModel(replies={"cheap": [FakeServerError("boom")]})

    def call(attempt):
        with tracer.start_as_current_span(f"http {attempt.tier.name}"):
            return model(attempt)

    async def acall(attempt):
        return call(attempt)

    d = router.decide("hi")
    plan = router.plan(d, router.request("hi"))
    if mode == "sync":
        execute(plan, call)
    else:
        await aexecute(plan, acall)
    spans = {s.name: s for s in cap.spans()}
    routed = spans["chat cheap-model"]
    for name in ("http cheap", "http mid"):
        assert spans[name].parent is not None
        assert spans[name].parent.span_id == routed.context.span_id
    # the failed attempt's exception did not mark the routed call as failed
    assert routed.status.status_code.name == "UNSET"
    assert [e.name for e in routed.events] == ["tier_router.fallback"]


def test_the_config_switch_needs_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)
    with pytest.raises(ConfigError, match=r"tier-router\[otel\]"):
        Router(three_tiers(telemetry={"opentelemetry": True}))


def test_telemetry_argument_is_checked() -> None:
    with pytest.raises(ConfigError, match="telemetry must be"):
        Router(three_tiers(), telemetry="yes")  # type: ignore[arg-type]


def test_off_by_default_and_opentelemetry_is_never_imported() -> None:
    code = (
        "import sys\n"
        "from shared_core import Router\n"
        "from shared_core.dispatch import execute\n"
        "from shared_core.testing import ScriptedModel\n"
        "r = Router()\n"
        "d = r.decide('hi')\n"
        "execute(r.plan(d, r.request('hi')), ScriptedModel())\n"
        "assert r.telemetry is None\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'opentelemetry')\n"
        "assert not bad, bad\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_a_call_with_an_unpriced_attempt_has_no_cost_on_its_span() -> None:
    """A priced cheap attempt escalated to an unpriced model: the span's ``tier_router.cost.usd``
    gave the cheap attempt's cost as the call's, although the answering attempt's is unknown."""
    from shared_core.otel import OpenTelemetry

    cap = Captured()
    router = Router(
        {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "acme-house-model"}],
         "escalation": {"min_length": 30}, "allow_unordered": True},
        telemetry=OpenTelemetry(tracer_provider=cap.tracer_provider, meter_provider=cap.meter_provider),
    )
    req = router.request("hi")
    execute(router.plan(router.decide_request(req, force="cheap"), req), ScriptedModel(replies={"strong": ["y" * 100]}))
    [span] = cap.spans()
    assert [r.cost_usd is None for r in router.ledger.records()] == [False, True]
    assert "tier_router.cost.usd" not in span.attributes


def test_estimated_tokens_are_not_reported_as_the_provider_s_usage() -> None:
    """A provider that sent no usage: the ledger estimates tokens (and says so), but the span's
    ``gen_ai.usage.*`` and the token metric carried the estimate as if the provider had
    reported it (the docs: "when the provider reported usage")."""
    from shared_core.dispatch import AttemptResult
    from shared_core.otel import OpenTelemetry
    from shared_core.quality import Answer

    cap = Captured()
    router = Router({"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}]},
                    telemetry=OpenTelemetry(tracer_provider=cap.tracer_provider, meter_provider=cap.meter_provider))
    req = router.request("hello " * 40)
    execute(router.plan(router.decide_request(req), req), lambda a: AttemptResult(value="x" * 400, usage=None, answer=Answer("x" * 400)))
    [span] = cap.spans()
    [rec] = router.ledger.records()
    assert rec.input_tokens > 0 and "estimated" in (rec.error or "")
    assert "gen_ai.usage.input_tokens" not in span.attributes


def test_a_refused_call_counts_what_its_judge_cost_in_the_cost_metric() -> None:
    """The judge was paid before the budget refused the call: the ledger's refused record
    carries that cost, and so does the span, but the ``tier_router.cost`` counter (which a
    dashboard sums for spend) left it out, so metrics and ledger disagreed."""
    from shared_core.ledger import CallRecord, InMemoryLedger
    from shared_core.otel import OpenTelemetry
    from shared_core.pricing import Usage
    from shared_core.testing import ScriptedJudge

    cap = Captured()
    ledger = InMemoryLedger()
    judge = ScriptedJudge("strong", model="gpt-4o-mini", usage=Usage(200, 3))
    router = Router(
        {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}],
         "classifier": {"type": "judge", "options": {"clamp": None}},
         "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 0.01}]}},
        judge_complete=judge.pair(), ledger=ledger,
        telemetry=OpenTelemetry(tracer_provider=cap.tracer_provider, meter_provider=cap.meter_provider),
    )
    ledger.record(CallRecord(call_id="spent", tier="cheap", model="gpt-4o-mini", cost_usd=0.02))
    req = router.request("What is 2+2?")
    with pytest.raises(BudgetExceededError):
        execute(router.plan(router.decide_request(req), req), ScriptedModel())
    [rec] = [r for r in ledger.records() if r.status == "refused"]
    assert rec.cost_usd and rec.cost_usd > 0
    [point] = cap.metrics()["tier_router.cost"][1]
    assert point.value == pytest.approx(rec.cost_usd, rel=1e-12)
    assert point.attributes["tier_router.status"] == "refused"


class _ReadTimeout(TimeoutError):
    """A client read timeout: the request was sent, no answer came."""


def test_a_worst_case_is_not_reported_as_usage_and_is_marked(cap: Captured) -> None:
    """A non-streamed request sent and never answered is recorded at its worst case (input
    estimate + whole output budget). The span reported it as the call's ``gen_ai.usage.*``
    and the token metric counted it, as if the provider had said so; the GenAI conventions
    report usage only when it is known. It now goes to ``tier_router.usage.upper_bound.*``."""
    router = _router(cap)
    _run(router, ScriptedModel(replies={"cheap": [_ReadTimeout("read timed out")], "mid": ["fine"]}))
    worst, answered = router.ledger.records()
    assert worst.output_tokens == 100 and "upper bound" in (worst.error or "")  # cheap's budget
    [span] = cap.spans()
    a = dict(span.attributes or {})
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (
        answered.input_tokens, answered.output_tokens)  # the provider's word only
    assert a["tier_router.usage.upper_bound"] is True
    assert (a["tier_router.usage.upper_bound.input_tokens"], a["tier_router.usage.upper_bound.output_tokens"]) == (
        worst.input_tokens, worst.output_tokens)
    assert "tier_router.usage.estimated" not in a
    assert a["tier_router.cost.usd"] == pytest.approx(worst.cost_usd + answered.cost_usd)  # the ledger's spend
    _, tokens = cap.metrics()["gen_ai.client.token.usage"]
    assert {p.attributes["gen_ai.request.model"] for p in tokens} == {"mid-model"}


def test_estimated_tokens_are_marked_as_estimated() -> None:
    from shared_core.dispatch import AttemptResult
    from shared_core.otel import OpenTelemetry
    from shared_core.quality import Answer

    cap = Captured()
    router = Router({"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}]},
                    telemetry=OpenTelemetry(tracer_provider=cap.tracer_provider, meter_provider=cap.meter_provider))
    req = router.request("hello " * 40)
    execute(router.plan(router.decide_request(req), req), lambda a: AttemptResult(value="x" * 400, usage=None, answer=Answer("x" * 400)))
    [span] = cap.spans()
    [rec] = router.ledger.records()
    a = dict(span.attributes or {})
    assert a["tier_router.usage.estimated"] is True
    assert (a["tier_router.usage.estimated.input_tokens"], a["tier_router.usage.estimated.output_tokens"]) == (
        rec.input_tokens, rec.output_tokens)
