"""The per-call engine's outcomes, field by field: what each path writes to the ledger, tells
the caller (metadata, errors) and tells operators (log lines), and in which order it tries
tiers. Found untested by the mutation run (``make mutation``, BENCHMARKS.md)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
import types

import pytest

from shared_core import AllTiersFailedError
from shared_core.budget import estimate_cost
from shared_core.dispatch import AttemptResult, aexecute, execute
from shared_core.errors import RequestCostCapError
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import Usage
from shared_core.quality import Answer
from shared_core.request import Request
from shared_core.testing import FakeServerError, ScriptedModel

from .helpers import router_with, three_tiers

REFUSAL = "I'm sorry, but I can't help with that."


def run(router, text, model, **kw):
    req_kw = {k: kw.pop(k) for k in ("thread_id", "tool_choice_required", "tags", "metadata", "user") if k in kw}
    d = router.decide(text, **req_kw)
    plan = router.plan(d, router.request(text, **req_kw), **kw)
    return plan, execute(plan, model)


def four_tiers(**overrides):
    tiers = [
        {"name": n, "model": f"{n}-model", "input_price": p, "output_price": 4 * p, "max_tokens": 100}
        for n, p in (("t0", 0.1), ("t1", 1.0), ("t2", 2.0), ("t3", 3.0))
    ]
    return three_tiers(tiers=tiers, **overrides)


# -- abandoned streams ---------------------------------------------------------------------


def test_an_abandoned_stream_without_usage_is_recorded_with_estimated_tokens_and_cost() -> None:
    router = router_with(default="mid")
    d = router.decide("hello world, how are you")
    request = router.request("hello world, how are you")
    plan = router.plan(d, request, streaming=True)
    attempt = plan.next_attempt()
    assert attempt.kind == "primary"
    plan.abandoned(attempt, usage=None, received_text="x" * 10, chunks=3)
    [rec] = router.ledger.records()
    # sent: the request's own estimate plus the tier's system prompt "Be careful." (11 chars: 3)
    assert (rec.input_tokens, rec.output_tokens) == (request.input_tokens + 3, 3)
    assert (rec.status, rec.error_kind, rec.tier, rec.streamed) == ("abandoned", "abandoned", "mid", True)
    assert rec.error == "caller closed the stream after 3 chunk(s); tokens estimated from the text sent and received"
    assert rec.cost_usd == pytest.approx(((request.input_tokens + 3) * 1.0 + 3 * 4.0) / 1e6)
    assert isinstance(rec.latency_ms, float) and rec.latency_ms >= 0.0
    assert plan.next_attempt() is None  # the call is over


def test_an_abandoned_stream_with_the_providers_usage_records_it_as_is() -> None:
    router = router_with(default="cheap")
    plan = router.plan(router.decide("hi"), router.request("hi"), streaming=True)
    attempt = plan.next_attempt()
    plan.abandoned(attempt, usage=Usage(40, 7))
    [rec] = router.ledger.records()
    assert (rec.input_tokens, rec.output_tokens) == (40, 7)
    assert rec.error == "caller closed the stream after 0 chunk(s)"
    assert rec.cost_usd == pytest.approx((40 * 0.1 + 7 * 0.4) / 1e6)


def test_an_abandoned_stream_estimate_counts_only_what_was_sent_and_received() -> None:
    """No system prompt, nothing received, a hand-built request of no tokens: all zero."""
    cfg = three_tiers(tiers=[{"name": "bare", "model": "bare-model", "input_price": 1.0, "output_price": 2.0}])
    router = router_with(default="bare", config=cfg)
    plan = router.plan(router.decide("hi"), Request(text="", input_tokens=0), streaming=True)
    attempt = plan.next_attempt()
    plan.abandoned(attempt, usage=None)
    [rec] = router.ledger.records()
    assert (rec.input_tokens, rec.output_tokens, rec.cost_usd) == (0, 0, 0.0)
    assert rec.error == "caller closed the stream after 0 chunk(s); tokens estimated from the text sent and received"


# -- what the records say --------------------------------------------------------------------


def test_records_carry_cached_tokens_latency_prompt_thread_and_variant() -> None:
    router = router_with(default="big", config=three_tiers(ledger={"store_prompts": True}))
    d = dataclasses.replace(router.decide("what is 2+2?"), variant="B")
    request = router.request("what is 2+2?", thread_id="th-9")
    plan = router.plan(d, request)
    attempt = plan.next_attempt()
    assert plan.succeeded(attempt, usage=Usage(100, 10, cached_input_tokens=60), answer=Answer("4, because 2+2=4"))
    [rec] = router.ledger.records()
    assert rec.cached_input_tokens == 60
    # 40 uncached at $10 + 60 cached at $5 + 10 out at $40 per 1M
    assert rec.cost_usd == pytest.approx((40 * 10 + 60 * 5 + 10 * 40) / 1e6)
    assert (rec.thread_id, rec.variant) == ("th-9", "B")
    assert rec.prompt == "what is 2+2?"
    assert rec.prompt_hash == router.ledger.hash_prompt("what is 2+2?")
    assert isinstance(rec.latency_ms, float)


def test_latency_is_the_attempts_wall_time_in_milliseconds(monkeypatch: pytest.MonkeyPatch) -> None:
    import shared_core.dispatch as dispatch

    clock = iter([1000.0, 1000.25])
    fake_time = types.SimpleNamespace(
        perf_counter=lambda: next(clock), monotonic=time.monotonic, time=time.time
    )
    router = router_with(default="cheap")
    plan = router.plan(router.decide("hi"), router.request("hi"))
    monkeypatch.setattr(dispatch, "time", fake_time)
    attempt = plan.next_attempt()  # starts at 1000.0
    plan.succeeded(attempt, usage=Usage(1, 1), answer=Answer("fine answer"))  # ends at 1000.25
    assert router.ledger.records()[0].latency_ms == 250.0


def test_a_rejected_answers_reason_is_recorded_as_is_and_errors_are_cut_at_500_chars() -> None:
    router = router_with(default="cheap", config=three_tiers(escalation={"require_json": True}))
    _, result = run(router, "hi", ScriptedModel(replies={"cheap": ["not json"], "mid": ['{"a": 1}']}))
    assert result.value == '{"a": 1}'
    rejected = router.ledger.records()[0]
    assert rejected.error == "answer is not valid JSON"  # a reason, not an exception's repr

    router = router_with(default="cheap")
    with pytest.raises(ValueError):
        run(router, "hi", ScriptedModel(replies={"cheap": [ValueError("no way " * 150)]}))
    [rec] = router.ledger.records()
    text = "ValueError: " + "no way " * 150  # cut to 500: its beginning and its end (the notes')
    assert len(rec.error) == 500 and rec.error == text[:160] + " [...] " + text[-333:]


def test_a_refusal_record_names_the_variant_and_cuts_its_error_at_500_chars() -> None:
    cap = 0.00001
    router = router_with(default="big", config=three_tiers(budget={"per_request_cap_usd": cap}))
    d = dataclasses.replace(router.decide("hi"), variant="A")
    with pytest.raises(RequestCostCapError):
        execute(router.plan(d, router.request("hi")), ScriptedModel())
    [rec] = router.ledger.records()
    assert (rec.status, rec.variant, rec.attempt, rec.cost_usd, rec.error_kind) == (
        "refused", "A", 0, 0.0, "cost_cap"
    )

    class LongRefusal(Exception):
        pass

    router = router_with(default="cheap")
    plan = router.plan(router.decide("hi"), router.request("hi"))
    plan._record_refusal(LongRefusal("no way " * 150))
    assert router.ledger.records()[0].error == ("no way " * 150)[:500]


def test_token_counts_too_large_to_price_are_recorded_with_an_unknown_cost(caplog) -> None:
    cfg = three_tiers(tiers=[
        {"name": "cheap", "model": "cheap-model", "input_price": 10_000.0, "output_price": 0.0},
        {"name": "big", "model": "big-model", "input_price": 1.0, "output_price": 1.0},
    ], allow_unordered=True)
    router = router_with(default="cheap", config=cfg)
    plan = router.plan(router.decide("hi"), router.request("hi"))
    attempt = plan.next_attempt()
    with caplog.at_level(logging.WARNING, logger="shared_core.dispatch"):
        plan.succeeded(attempt, usage=Usage(10**305, 3), answer=Answer("fine answer"))
    [rec] = router.ledger.records()
    assert (rec.cost_usd, rec.baseline_cost_usd) == (None, None)  # the tier's cost alone overflows
    assert plan.spent_usd == 0.0
    assert [r.getMessage() for r in caplog.records if r.name == "shared_core.dispatch"] == [
        "token counts on tier 'cheap' too large to price: cost recorded as unknown"
    ]


def test_a_model_or_baseline_with_no_known_price_records_an_unknown_cost() -> None:
    cfg = three_tiers(tiers=[
        {"name": "cheap", "model": "no-such-model-xyz"},
        {"name": "big", "model": "big-model", "input_price": 1.0, "output_price": 1.0},
    ])
    router = router_with(default="cheap", config=cfg)
    run(router, "hi", ScriptedModel())
    [rec] = router.ledger.records()
    assert rec.cost_usd is None and rec.baseline_cost_usd == pytest.approx(13 / 1e6)

    # an unpriced baseline named in the config is refused when built (tier_models); the implicit
    # one (the top tier's model) may still have no price: its records say unknown, not $0
    cfg = three_tiers(tiers=[
        {"name": "cheap", "model": "cheap-model", "input_price": 0.1, "output_price": 0.4},
        {"name": "big", "model": "no-such-baseline-xyz"},
    ])
    router = router_with(default="cheap", config=cfg)
    run(router, "hi", ScriptedModel())
    [rec] = router.ledger.records()
    assert rec.baseline_cost_usd is None and rec.cost_usd == pytest.approx((10 * 0.1 + 3 * 0.4) / 1e6)


# -- the order tiers are tried in ------------------------------------------------------------


def test_fallback_from_the_top_tier_goes_down_one_tier_at_a_time() -> None:
    router = router_with(default="big")
    model = ScriptedModel(replies={t: [FakeServerError(f"{t} down")] for t in ("cheap", "mid", "big")})
    with pytest.raises(AllTiersFailedError) as err:
        run(router, "hi", model)
    assert [a.tier.name for a in model.calls] == ["big", "mid", "cheap"]
    assert [(e.tier, e.kind) for e in err.value.errors] == [
        ("big", "server"), ("mid", "server"), ("cheap", "server")
    ]


def test_fallback_skips_a_cooling_tier_and_probes_the_nearest_when_all_are_cooling() -> None:
    cfg = three_tiers(fallback={"cooldown_failures": 1, "cooldown_s": 60})
    router = router_with(default="cheap", config=cfg)
    d = router.decide("hi")
    router.cooldown.failure("mid")  # mid starts cooling after the decision was made
    model = ScriptedModel(replies={"cheap": [FakeServerError("down")]})
    execute(router.plan(d, router.request("hi")), model)
    assert [a.tier.name for a in model.calls] == ["cheap", "big"]

    router = router_with(default="cheap", config=cfg)
    d = router.decide("hi")
    router.cooldown.failure("mid")
    router.cooldown.failure("big")
    model = ScriptedModel(replies={"cheap": [FakeServerError("down")]})
    result = execute(router.plan(d, router.request("hi")), model)
    assert [a.tier.name for a in model.calls] == ["cheap", "mid"]  # every tier cooling: probe the next
    assert result.value == "ok from mid"


class _ContextTooLong(Exception):
    """A provider's 400 for a prompt past the model's window (OpenAI's shape)."""

    status_code = 400
    code = "context_length_exceeded"


def _windows(cheap: int, mid: int, big: int, **extra: object):
    cfg = three_tiers(**extra)
    return cfg.model_copy(update={"tiers": [
        t.model_copy(update={"context_window": w}) for t, w in zip(cfg.tiers, (cheap, mid, big))
    ]})


def test_a_prompt_past_a_tier_s_window_falls_back_to_a_tier_with_a_bigger_one() -> None:
    """The router's token estimate let the prompt through, the provider counted more: the call
    failed with the 400 (kind ``other``, never retried) although a bigger window was there.
    Now it goes to the nearest tier whose window is larger (a tier of the same window would
    fail the same way), and the tier is not put on cool-down: it is healthy, the prompt is long."""
    cfg = _windows(4000, 4000, 128000, fallback={"cooldown_failures": 1, "cooldown_s": 60})
    router = router_with(default="cheap", config=cfg)
    model = ScriptedModel(replies={"cheap": [_ContextTooLong("maximum context length is 4000 tokens")]})
    _, result = run(router, "hi", model)
    assert [a.tier.name for a in model.calls] == ["cheap", "big"]
    assert result.value == "ok from big"
    failed, ok = router.ledger.records()
    # a 400 is not billed: no tokens, as for any failed attempt
    assert (failed.status, failed.error_kind, failed.input_tokens, ok.tier) == ("failed", "context_length", 0, "big")
    assert router.cooldown.available("cheap")


def test_a_tier_of_unknown_window_is_tried_after_the_known_bigger_ones() -> None:
    cfg = _windows(4000, 4000, 128000)
    cfg = cfg.model_copy(update={"tiers": [cfg.tiers[0], cfg.tiers[1].model_copy(update={"context_window": None}),
                                           cfg.tiers[2]]})
    router = router_with(default="cheap", config=cfg)
    model = ScriptedModel(replies={"cheap": [_ContextTooLong("too long")], "big": [_ContextTooLong("too long")]})
    run(router, "hi", model)
    assert [a.tier.name for a in model.calls] == ["cheap", "big", "mid"]


def test_a_config_that_falls_back_on_other_still_falls_back_on_a_long_prompt() -> None:
    """``fallback.on: [..., other]`` retried every 4xx before ``context_length`` existed: a
    prompt past the window still falls back there (to a bigger window)."""
    cfg = _windows(4000, 4000, 128000, fallback={"on": ["server", "other"]})
    router = router_with(default="cheap", config=cfg)
    model = ScriptedModel(replies={"cheap": [_ContextTooLong("too long")]})
    run(router, "hi", model)
    assert [a.tier.name for a in model.calls] == ["cheap", "big"]


def test_no_bigger_window_left_ends_the_call_with_the_error() -> None:
    router = router_with(default="big", config=_windows(4000, 8000, 8000))
    model = ScriptedModel(replies={"big": [_ContextTooLong("too long")]})
    with pytest.raises(AllTiersFailedError) as err:
        run(router, "hi", model)
    assert [a.tier.name for a in model.calls] == ["big"]  # smaller windows are not tried
    assert [(e.tier, e.kind) for e in err.value.errors] == [("big", "context_length")]


def test_escalation_skips_a_cooling_tier() -> None:
    cfg = three_tiers(fallback={"cooldown_failures": 1, "cooldown_s": 60})
    router = router_with(default="cheap", config=cfg)
    d = router.decide("hi")
    router.cooldown.failure("mid")
    model = ScriptedModel(replies={"cheap": [REFUSAL]})
    result = execute(router.plan(d, router.request("hi")), model)
    assert [a.tier.name for a in model.calls] == ["cheap", "big"]
    assert result.value == "ok from big"


def test_a_success_resets_the_tiers_failure_count() -> None:
    cfg = three_tiers(fallback={"cooldown_failures": 2, "cooldown_s": 60})
    router = router_with(default="cheap", config=cfg)
    model = ScriptedModel(replies={"cheap": [FakeServerError("down"), "fine", FakeServerError("down"), "fine"]})
    for _ in range(3):
        run(router, "hi", model)  # fail, succeed, fail: never two failures in a row
    assert router.cooldown.available("cheap")
    assert router.decide("hi").tier == "cheap"


def test_escalations_are_counted_up_to_max_escalations() -> None:
    router = router_with(default="t0", config=four_tiers(escalation={"max_escalations": 2}))
    model = ScriptedModel(replies={t: [REFUSAL] for t in ("t0", "t1", "t2")})
    plan, result = run(router, "hi", model)
    assert [a.tier.name for a in model.calls] == ["t0", "t1", "t2"]
    assert result.value == REFUSAL  # the second escalation's answer stands: no third
    assert plan.escalations == 2


def test_a_failed_check_on_the_top_tier_is_accepted_as_an_answer() -> None:
    router = router_with(default="big")
    plan, result = run(router, "hi", ScriptedModel(replies={"big": [REFUSAL]}))
    assert result.value == REFUSAL
    [rec] = router.ledger.records()
    assert (rec.status, rec.error_kind, rec.error) == ("ok", None, None)
    meta = plan.metadata()
    assert (meta["escalated"], meta["escalation_reason"]) == (False, None)


def test_a_forced_tool_call_that_did_not_come_escalates() -> None:
    cfg = three_tiers(tiers=[
        {"name": "cheap", "model": "cheap-model", "input_price": 0.1, "output_price": 0.4},
        {"name": "mid", "model": "mid-model", "input_price": 1.0, "output_price": 4.0},
    ])
    router = router_with(default="cheap", config=cfg)
    model = ScriptedModel()
    _, result = run(router, "hi", model, tool_choice_required=True)
    assert result.value == "ok from mid"
    assert [a.tier.name for a in model.calls] == ["cheap", "mid"]
    assert router.ledger.records()[0].status == "rejected"


def test_next_attempt_keeps_returning_none_once_the_call_is_over() -> None:
    router = router_with(default="cheap")
    plan = router.plan(router.decide("hi"), router.request("hi"))
    attempt = plan.next_attempt()
    plan.failed(attempt, FakeServerError("down"))
    plan.failed(plan.next_attempt(), FakeServerError("down"))
    plan.failed(plan.next_attempt(), FakeServerError("down"))
    assert plan.next_attempt() is None
    assert plan.next_attempt() is None


# -- sticky threads --------------------------------------------------------------------------


def test_a_fallback_that_answers_raises_the_threads_floor() -> None:
    router = router_with(default="cheap", config=three_tiers(sticky=True))
    run(router, "hi", ScriptedModel(replies={"cheap": [FakeServerError("down")]}), thread_id="t1")
    assert router.decide("hi", thread_id="t1").tier == "mid"
    assert router.decide("hi", thread_id="other").tier == "cheap"


def test_an_escalation_raises_the_threads_floor_even_when_the_earlier_answer_is_kept() -> None:
    router = router_with(default="cheap", config=three_tiers(sticky=True))
    model = ScriptedModel(replies={"cheap": [REFUSAL], "mid": [ValueError("bad request")]})
    _, result = run(router, "hi", model, thread_id="t1")
    assert result.value == REFUSAL
    assert router.decide("hi", thread_id="t1").tier == "mid"


# -- deadlines, caps and what the caller is told ---------------------------------------------


def test_a_deadline_not_yet_reached_lets_the_attempt_run_with_the_time_left(monkeypatch) -> None:
    import shared_core.dispatch as dispatch

    router = router_with(default="cheap", config=three_tiers(fallback={"deadline_s": 1.0}))
    plan = router.plan(router.decide("hi"), router.request("hi"))
    plan._started = 100.0
    monkeypatch.setattr(dispatch, "time", types.SimpleNamespace(
        perf_counter=time.perf_counter, monotonic=lambda: 100.75, time=time.time))
    attempt = plan.next_attempt()
    assert attempt is not None and attempt.timeout_s == 0.25


def test_a_passed_deadline_names_the_tier_it_stopped_before() -> None:
    router = router_with(default="cheap", config=three_tiers(fallback={"deadline_s": 0.05}))

    def slow_fail(attempt):
        time.sleep(0.06)
        raise FakeServerError("down")

    with pytest.raises(AllTiersFailedError) as err:
        run(router, "hi", slow_fail)
    last = err.value.errors[-1]
    assert (last.tier, last.kind) == ("mid", "timeout")
    assert isinstance(last.error, TimeoutError) and str(last.error) == "deadline of 0.05s passed"


def test_an_attempt_that_exactly_fits_the_per_request_cap_runs() -> None:
    cfg = three_tiers()
    router = router_with(default="mid", config=cfg)
    request = router.request("hi")
    mid = router.config.tiers[1]
    cap = estimate_cost(mid, request.input_tokens, router.prices)
    router = router_with(default="mid", config=three_tiers(budget={"per_request_cap_usd": cap}))
    _, result = run(router, "hi", ScriptedModel())
    assert result.value == "ok from mid"


def test_a_cost_capped_fallback_names_the_tier_and_the_amounts() -> None:
    cfg = three_tiers(budget={"per_request_cap_usd": 0.002})
    router = router_with(default="mid", config=cfg)
    model = ScriptedModel(replies={"mid": [FakeServerError("down")], "cheap": [FakeServerError("down")]})
    with pytest.raises(AllTiersFailedError) as err:
        run(router, "hi", model)
    [*_, capped] = err.value.errors
    assert (capped.tier, capped.kind) == ("big", "cost_cap")
    assert isinstance(capped.error, RequestCostCapError)
    assert str(capped.error).startswith("per-request cap $0.002000: attempt on 'big' would cost about $0.04")


def test_metadata_after_every_tier_failed_names_the_last_tier_tried() -> None:
    router = router_with(default="cheap")
    model = ScriptedModel(replies={t: [FakeServerError("down")] for t in ("cheap", "mid", "big")})
    d = router.decide("hi")
    plan = router.plan(d, router.request("hi"))
    with pytest.raises(AllTiersFailedError):
        execute(plan, model)
    meta = plan.metadata()
    assert (meta["tier"], meta["model"], meta["attempts"]) == ("big", "big-model", 3)
    assert meta["fallbacks_tried"] == ["cheap", "mid", "big"]


def test_a_kept_answer_says_why_in_the_escalation_reason() -> None:
    router = router_with(default="cheap", config=three_tiers(escalation={"require_json": True}))
    model = ScriptedModel(replies={"cheap": ["not json"], "mid": [ValueError("bad request")]})
    plan, result = run(router, "hi", model)
    assert result.value == "not json"
    assert plan.metadata()["escalation_reason"] == "answer is not valid JSON; escalation failed, kept the earlier answer"


def test_an_escalation_the_budget_cannot_hold_is_not_reported_as_escalated() -> None:
    # cheap holds (1 + 2 input) x $0.1 + 100 x $0.4 per 1M; mid would need ~$0.0016 more
    cfg = three_tiers(budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 0.0001}]})
    router = router_with(default="cheap", config=cfg)
    model = ScriptedModel(replies={"cheap": [REFUSAL]})
    plan, result = run(router, "hi", model)
    assert result.value == REFUSAL
    assert [a.tier.name for a in model.calls] == ["cheap"]
    meta = plan.metadata()
    assert meta["escalated"] is False
    assert [(e.tier, e.kind) for e in plan.errors] == [("mid", "budget")]
    assert type(plan.errors[0].error).__name__ == "BudgetExceededError"
    assert router.ledger.reserved("global") == 0.0


def test_a_fallback_is_logged_with_its_fault_and_error_type(caplog) -> None:
    router = router_with(default="cheap")
    with caplog.at_level(logging.WARNING, logger="tier_router"):
        run(router, "hi", ScriptedModel(replies={"cheap": [FakeServerError("secret body")]}))
    [rec] = [r for r in caplog.records if r.name == "tier_router"]
    assert (rec.event, rec.tier, rec.next_tier, rec.fault, rec.error_type) == (
        "fallback", "cheap", "mid", "server", "FakeServerError"
    )
    assert "server (FakeServerError)" in rec.getMessage()


# -- timeouts --------------------------------------------------------------------------------


def _slow_cheap_config():
    return three_tiers(tiers=[
        {"name": "cheap", "model": "cheap-model", "timeout_s": 0.05, "input_price": 0, "output_price": 0},
        {"name": "mid", "model": "mid-model", "input_price": 0, "output_price": 0},
    ])


def test_a_timed_out_attempt_does_not_hold_the_caller_and_says_which_tier() -> None:
    router = router_with(default="cheap", config=_slow_cheap_config())
    release = threading.Event()
    threads = []

    def call(attempt):
        threads.append(threading.current_thread().name)
        if attempt.tier.name == "cheap":
            release.wait(5)
        return ScriptedModel()(attempt)

    t0 = time.monotonic()
    try:
        _, result = run(router, "hi", call)
        took = time.monotonic() - t0
    finally:
        release.set()
    assert result.value == "ok from mid"
    assert took < 3.0  # not the 5 s the hung attempt would take
    first = router.ledger.records()[0]
    assert (first.status, first.error_kind) == ("failed", "timeout")
    assert first.error == (
        "TimeoutError: attempt on tier 'cheap' timed out after 0.05s; the provider reported no usage; "
        "tokens estimated from the text sent and received"
    )
    assert first.input_tokens > 0 and first.output_tokens == 0  # the request was sent: it may be billed
    assert threads[0].startswith("tier-router-attempt")


async def test_async_attempt_timeout_cancels_and_falls_back() -> None:
    router = router_with(default="cheap", config=_slow_cheap_config())
    base = ScriptedModel()
    seen = []

    async def call(attempt):
        seen.append(attempt.tier.name)
        if attempt.tier.name == "cheap":
            await asyncio.sleep(5)
        return base(attempt)

    plan = await router.aplan(router.decide("hi"), router.request("hi"))
    t0 = time.monotonic()
    result = await aexecute(plan, call)
    assert time.monotonic() - t0 < 3.0
    assert result.value == "ok from mid" and seen == ["cheap", "mid"]
    assert router.ledger.records()[0].error_kind == "timeout"


async def test_async_escalation_and_kept_answer() -> None:
    router = router_with(default="cheap")
    model = ScriptedModel(replies={"cheap": [REFUSAL]})
    plan = await router.aplan(router.decide("hi"), router.request("hi"))
    result = await aexecute(plan, model.acall)
    assert result.value == "ok from mid"
    assert [r.status for r in router.ledger.records()] == ["rejected", "ok"]

    router = router_with(default="cheap")
    model = ScriptedModel(replies={"cheap": [REFUSAL], "mid": [ValueError("bad request")]})
    plan = await router.aplan(router.decide("hi"), router.request("hi"))
    result = await aexecute(plan, model.acall)
    assert isinstance(result, AttemptResult) and result.value == REFUSAL
    assert plan.metadata()["tier"] == "cheap"


# -- OpenTelemetry: the span ends once, however the call ends ----------------------------------


def _traced_router(**kw):
    from shared_core.otel import OpenTelemetry
    from tests.otel_support import captured

    cap = captured()
    tel = OpenTelemetry(tracer_provider=cap.tracer_provider, meter_provider=cap.meter_provider)
    return cap, router_with(telemetry=tel, **kw)


def test_an_abandoned_stream_ends_its_span_as_abandoned_with_the_tokens_paid_for() -> None:
    cap, router = _traced_router(default="cheap")
    plan = router.plan(router.decide("hi"), router.request("hi"), streaming=True)
    attempt = plan.next_attempt()
    plan.abandoned(attempt, usage=Usage(12, 5), chunks=2)
    [span] = cap.spans()
    a = dict(span.attributes or {})
    assert (a["tier_router.outcome"], a["tier_router.tier"], a["gen_ai.response.model"]) == (
        "abandoned", "cheap", "cheap-model"
    )
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (12, 5)
    assert a["tier_router.cost.usd"] == pytest.approx((12 * 0.1 + 5 * 0.4) / 1e6)
    assert "error.type" not in a


def test_a_kept_answer_ends_its_span_as_kept() -> None:
    cap, router = _traced_router(default="cheap")
    model = ScriptedModel(replies={"cheap": [REFUSAL], "mid": [ValueError("bad request")]})
    _, result = run(router, "hi", model)
    assert result.value == REFUSAL
    [span] = cap.spans()
    a = dict(span.attributes or {})
    assert (a["tier_router.outcome"], a["tier_router.attempts"]) == ("kept", 2)
    assert "error.type" not in a


def test_a_fallback_event_on_the_span_names_the_fault_and_error_type() -> None:
    cap, router = _traced_router(default="cheap")
    run(router, "hi", ScriptedModel(replies={"cheap": [FakeServerError("down")]}))
    [span] = cap.spans()
    [event] = span.events
    attrs = dict(event.attributes or {})
    assert event.name == "tier_router.fallback"
    assert (attrs["tier_router.fault"], attrs["tier_router.error_type"], attrs["tier_router.next_tier"]) == (
        "server", "FakeServerError", "mid"
    )


# -- reservations: the hold follows the call ----------------------------------------------------


def _held_during(router):
    """A scripted model that notes what the ledger holds while each attempt runs."""
    base = ScriptedModel(replies={"cheap": [REFUSAL]})
    held = []

    def call(attempt):
        held.append((attempt.tier.name, router.ledger.reserved("global")))
        return base(attempt)

    async def acall(attempt):
        return call(attempt)

    return call, acall, held


def _mid_estimate(router, request):
    return estimate_cost(router.config.tiers[1], request.input_tokens, router.prices)


@pytest.mark.parametrize("limit", [1.0, None])
def test_an_escalation_extends_the_hold_to_the_next_attempts_worst_case(limit) -> None:
    """The ledger counts the call's records beside its hold while it runs, so the hold
    covers the next attempt's worst case alone (with what was spent, the spend is counted
    twice: a fallback after a timed-out attempt recorded at its worst case was refused)."""
    limits = [{"scope": "global", "period": "day", "limit_usd": 1.0}] if limit else []
    router = router_with(default="cheap", config=three_tiers(budget={"limits": limits}))
    call, _, held = _held_during(router)
    request = router.request("hi")
    plan = router.plan(router.decide("hi"), request)
    result = execute(plan, call)
    assert result.value == "ok from mid"
    if limit is None:  # no hard limit: nothing is held
        assert held == [("cheap", 0.0), ("mid", 0.0)]
        return
    cheap_hold = estimate_cost(router.config.tiers[0], request.input_tokens, router.prices)
    assert held[0] == ("cheap", pytest.approx(cheap_hold))
    assert held[1] == ("mid", pytest.approx(_mid_estimate(router, request)))
    # what the limit sees meanwhile: the cheap answer's cost and the mid attempt's worst case
    assert router.ledger.records()[0].cost_usd > 0
    assert router.ledger.reserved("global") == 0.0


@pytest.mark.parametrize("cheap_price", [0.1, 0.0])
def test_a_second_escalation_extends_the_hold_from_what_the_first_left(cheap_price) -> None:
    # a free cheapest tier opens a hold of exactly $0, which is still a hold to extend
    cfg = three_tiers(
        escalation={"max_escalations": 2},
        budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 1.0}]},
    )
    tiers = [t.model_copy(update={"input_price": cheap_price, "output_price": 4 * cheap_price})
             if t.name == "cheap" else t for t in cfg.tiers]
    router = router_with(default="cheap", config=cfg.model_copy(update={"tiers": tiers}))
    base = ScriptedModel(replies={"cheap": [REFUSAL], "mid": [REFUSAL]})
    held = []

    def call(attempt):
        held.append((attempt.tier.name, router.ledger.reserved("global")))
        return base(attempt)

    request = router.request("hi")
    result = execute(router.plan(router.decide("hi"), request), call)
    assert result.value == "ok from big"
    big = estimate_cost(router.config.tiers[2], request.input_tokens, router.prices)
    # the third attempt holds its own worst case (the two records count beside it), no more
    assert [name for name, _ in held] == ["cheap", "mid", "big"]
    assert held[2][1] == pytest.approx(big)
    assert router.ledger.reserved("global") == 0.0


class _Releases(InMemoryLedger):
    def __init__(self) -> None:
        super().__init__()
        self.released: list[str] = []

    def release(self, reservation_id: str) -> None:
        self.released.append(reservation_id)
        super().release(reservation_id)


@pytest.mark.parametrize("use_async", [False, True])
def test_a_call_no_hard_limit_applies_to_holds_and_releases_nothing(use_async) -> None:
    ledger = _Releases()
    router = router_with(default="cheap", ledger=ledger, config=three_tiers(
        budget={"limits": [{"scope": "user:bob", "period": "day", "limit_usd": 1.0}]}))
    d = router.decide("hi", user="alice")
    request = router.request("hi", user="alice")

    async def acall():
        return await aexecute(await router.aplan(d, request), ScriptedModel().acall)

    result = asyncio.run(acall()) if use_async else execute(router.plan(d, request), ScriptedModel())
    assert result.value == "ok from cheap"
    assert ledger.released == []  # nothing was held, so there is nothing to release


async def test_async_escalation_extends_the_hold_or_keeps_the_earlier_answer() -> None:
    router = router_with(default="cheap", config=three_tiers(
        budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 1.0}]}))
    _, acall, held = _held_during(router)
    request = router.request("hi")
    plan = await router.aplan(router.decide("hi"), request)
    result = await aexecute(plan, acall)
    assert result.value == "ok from mid"
    assert held[1] == ("mid", pytest.approx(_mid_estimate(router, request)))
    assert router.ledger.reserved("global") == 0.0

    router = router_with(default="cheap", config=three_tiers(
        budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 0.0001}]}))
    _, acall, held = _held_during(router)
    plan = await router.aplan(router.decide("hi"), router.request("hi"))
    result = await aexecute(plan, acall)
    assert result.value == REFUSAL
    assert [name for name, _ in held] == ["cheap"]
    assert [(e.tier, e.kind) for e in plan.errors] == [("mid", "budget")]
    assert plan.metadata()["escalated"] is False
    assert router.ledger.reserved("global") == 0.0


@pytest.mark.parametrize("use_async", [False, True])
def test_a_budget_refusal_is_recorded_with_its_error(use_async) -> None:
    from shared_core.errors import BudgetExceededError

    router = router_with(default="big", config=three_tiers(
        budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 0.000001}]}))
    d = router.decide("hi")
    with pytest.raises(BudgetExceededError) as err:
        if use_async:
            asyncio.run(router.aplan(d, router.request("hi")))
        else:
            router.plan(d, router.request("hi")).next_attempt()
    [rec] = router.ledger.records()
    assert (rec.status, rec.error_kind, rec.error) == ("refused", "budget", str(err.value))
    assert (rec.tier, rec.attempt, rec.cost_usd) == ("big", 0, 0.0)


def test_the_deadline_is_passed_once_the_time_left_is_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    import shared_core.dispatch as dispatch

    router = router_with(default="cheap", config=three_tiers(fallback={"deadline_s": 1.0}))
    plan = router.plan(router.decide("hi"), router.request("hi"))
    plan._started = 100.0
    monkeypatch.setattr(dispatch, "time", types.SimpleNamespace(
        perf_counter=time.perf_counter, monotonic=lambda: 101.0, time=time.time))
    assert plan.next_attempt() is None
    [err] = plan.errors
    assert (err.tier, err.kind, str(err.error)) == ("cheap", "timeout", "deadline of 1.0s passed")


def test_the_end_of_a_held_call_checks_the_alerts_of_the_requests_own_scopes() -> None:
    from shared_core.ledger import CallRecord

    router = router_with(default="cheap", config=three_tiers(budget={"limits": [
        {"scope": "user:alice", "period": "day", "limit_usd": 1.0, "alert_at": [0.5]}]}))
    seen = []
    router.on_budget_alert(seen.append)
    router.ledger.record(CallRecord(call_id="x", tier="cheap", model="m", cost_usd=0.6, user="alice"))
    run(router, "hi", ScriptedModel(), user="alice")
    router.budget.wait_alerts()
    assert [(a.scope, a.fraction) for a in seen] == [("user:alice", 0.5)]


def test_a_per_request_cap_is_the_hold_and_covers_the_escalation_without_more() -> None:
    router = router_with(default="cheap", config=three_tiers(budget={
        "per_request_cap_usd": 0.05,
        "limits": [{"scope": "global", "period": "day", "limit_usd": 0.06}],
    }))
    call, _, held = _held_during(router)
    _, result = run(router, "hi", call)
    assert result.value == "ok from mid"
    assert held == [("cheap", pytest.approx(0.05)), ("mid", pytest.approx(0.05))]
    assert router.ledger.reserved("global") == 0.0


def test_the_hold_is_priced_at_the_callers_max_tokens() -> None:
    router = router_with(default="big", config=three_tiers(
        budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 1.0}]}))
    request = router.request("hi")
    held = []

    def call(attempt):
        held.append(router.ledger.reserved("global"))
        return ScriptedModel()(attempt)

    execute(router.plan(router.decide("hi"), request, caller_max_tokens=10), call)
    assert held == [pytest.approx((request.input_tokens * 10.0 + 3 * 10.0 + 10 * 40.0) / 1e6)]


def test_free_tiers_hold_nothing_under_a_hard_limit() -> None:
    free = [{"name": n, "model": f"{n}-model", "input_price": 0.0, "output_price": 0.0} for n in ("a", "b")]
    router = router_with(default="a", config=three_tiers(
        tiers=free, budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 0.5}]}))
    model = ScriptedModel(replies={"a": [REFUSAL]})
    _, result = run(router, "hi", model)
    assert result.value == "ok from b"
    assert [a.tier.name for a in model.calls] == ["a", "b"]


def test_a_hold_larger_than_needed_is_kept_whole_through_escalation_and_fallback() -> None:
    router = router_with(default="cheap", config=three_tiers(budget={
        "per_request_cap_usd": 0.05,
        "limits": [{"scope": "global", "period": "day", "limit_usd": 0.06}],
    }))
    base = ScriptedModel(replies={"cheap": [REFUSAL], "mid": [FakeServerError("down")]})
    held = []

    def call(attempt):
        held.append((attempt.tier.name, router.ledger.reserved("global")))
        return base(attempt)

    _, result = run(router, "hi", call)
    assert result.value == "ok from big"  # big's ~$0.04 fits in what the cap already holds
    assert held == [("cheap", pytest.approx(0.05)), ("mid", pytest.approx(0.05)), ("big", pytest.approx(0.05))]


async def test_a_sync_plan_run_by_the_async_executor_takes_its_hold_first() -> None:
    router = router_with(default="big", config=three_tiers(
        budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 1.0}]}))
    request = router.request("hi")
    held = []

    async def call(attempt):
        held.append(router.ledger.reserved("global"))
        return ScriptedModel()(attempt)

    await aexecute(router.plan(router.decide("hi"), request), call)
    assert held == [pytest.approx(estimate_cost(router.config.tiers[2], request.input_tokens, router.prices))]
    assert router.ledger.reserved("global") == 0.0


def test_a_ledger_whose_record_raises_never_fails_the_answered_call(caplog) -> None:
    """A custom ledger whose ``record`` raised (``OSError``) failed the call after the provider
    had answered, left its span open and its budget hold unreleased. The docs: "Recording
    never raises into the caller's request"."""
    from shared_core.ledger import InMemoryLedger

    class Broken(InMemoryLedger):
        def record(self, rec):
            raise OSError("disk full")

        def record_feedback(self, call_id, score, source="user"):
            raise OSError("disk full")

    router = router_with(default="cheap", ledger=Broken())
    caplog.set_level(logging.ERROR)
    plan, out = run(router, "hi", ScriptedModel())
    assert out.value and plan.final is not None and plan._closed
    # an escalation's feedback write too
    router = router_with(default="cheap", ledger=Broken())
    plan, out = run(router, "hi", ScriptedModel(replies={"cheap": [""], "mid": ["a fine answer"]}))
    assert plan.final is not None and plan.final.tier.name == "mid"
    assert any("disk full" in r.getMessage() or (r.exc_text or "").find("disk full") >= 0 for r in caplog.records)


def test_a_response_cut_while_it_was_read_carries_the_worst_case() -> None:
    """An inner model that streams internally (``ChatOpenAI(streaming=True)`` under ``invoke``)
    and loses the connection mid-answer raises httpx's own ``RemoteProtocolError``: the
    request had been answered in part, so billed, but the attempt was recorded with no
    tokens. A non-streamed call's request sent and not answered is recorded at its worst case
    (the input estimate plus the tier's whole output budget, 100 tokens). A connection that
    was never made (the SDK's ``APIConnectionError`` from httpx's ``ConnectError``) still
    records none."""
    import httpx
    import openai

    req = httpx.Request("POST", "https://api.example.com/v1/chat/completions")
    mid_body = httpx.RemoteProtocolError("peer closed connection without sending complete message body")
    router = router_with(default="cheap")
    run(router, "hello " * 50, ScriptedModel(replies={"cheap": [mid_body]}))
    cut = router.ledger.records()[0]
    assert (cut.error_kind, cut.output_tokens) == ("connection", 100)
    assert cut.input_tokens > 0 and cut.cost_usd and "upper bound" in (cut.error or "")

    wrapped = RuntimeError("RetryError: 3 attempts failed")  # a retry helper around the read error
    wrapped.__cause__ = mid_body
    router = router_with(default="cheap")
    run(router, "hello " * 50, ScriptedModel(replies={"cheap": [wrapped]}))
    assert router.ledger.records()[0].input_tokens > 0

    before = openai.APIConnectionError(request=req)
    before.__cause__ = httpx.ConnectError("connection refused")
    router = router_with(default="cheap")
    run(router, "hello " * 50, ScriptedModel(replies={"cheap": [before]}))
    assert router.ledger.records()[0].input_tokens == 0

