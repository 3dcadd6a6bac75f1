"""A router's own ``per_request_cap_usd`` bounds every request it plans.

Two holes let a request pass the cap. A tier whose worst case is unknown (no ``max_tokens``:
its output is unbounded) was let through the cap's check, so the cap bounded nothing for it:
with a $0.000001 cap, a tier with no ``max_tokens`` was sent and spent $0.0000033. And the
LLM judge a ``judge`` / ``cascade`` classifier asks before the first attempt was not counted
against the cap until the first record was written: a first attempt whose worst case fit the
cap alone was sent although the judge had already spent the rest.

Now a config with a cap and a tier of unknown worst case is a ``ConfigError`` when the router
is built (naming the tier and what it lacks), a worst case still unknown at call time (an
adapter's own ``max_tokens`` removed after it was built) is refused before anything is sent
(``RequestCostCapError``, recorded ``refused`` / ``cost_cap``), and the judge's cost counts
against the cap before the first attempt.
"""

from __future__ import annotations

import pytest

from shared_core import ConfigError, Router
from shared_core.budget import estimate_cost
from shared_core.dispatch import aexecute, execute
from shared_core.errors import RequestCostCapError
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import Usage
from shared_core.testing import ScriptedJudge, ScriptedModel

OUT = 200
TIERS = [
    {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": OUT},
    {"name": "strong", "model": "gpt-4o", "max_tokens": OUT},
]
JUDGE_COST = (200 * 0.15 + 3 * 0.60) / 1e6  # ScriptedJudge on gpt-4o-mini: 200 in, 3 out
PROMPT = "What is 2+2?"


def _cfg(tiers: list[dict], cap: float | None = 1.0, **extra: object) -> dict:
    budget = {"per_request_cap_usd": cap} if cap is not None else {}
    return {"tiers": tiers, "budget": budget, **extra}


# -- a tier whose worst case is unknown: a Router warns, its own calls there are refused ----------
def test_a_router_capped_over_a_tier_with_no_max_tokens_builds_with_one_warning_naming_it(caplog):
    """``Router(cfg)`` does not know who will make its calls: a RoutedChatModel / RoutedLLM
    with its own ``max_tokens`` (every call bounded), a RunnableRouter (its routes' calls
    admitted one by one), a decide-only CLI command. It builds, and says which tiers its own
    calls would be refused on (it raised a ConfigError, breaking all of those)."""
    tiers = [dict(TIERS[0]), {"name": "strong", "model": "gpt-4o"}]
    with caplog.at_level("WARNING", logger="tier_router"):
        Router(_cfg(tiers))
    warned = [r for r in caplog.records if r.levelname == "WARNING" and r.name == "tier_router"]
    assert len(warned) == 1
    text = warned[0].getMessage()
    assert "'strong'" in text and "max_tokens" in text and "per_request_cap_usd" in text
    assert "'cheap'" not in text


def test_a_router_that_bounds_every_call_itself_does_not_warn(caplog):
    with caplog.at_level("WARNING", logger="tier_router"):
        Router(_cfg([{"name": "cheap", "model": "gpt-4o-mini"}]), _calls_bounded=True)
    assert [r for r in caplog.records if r.levelname == "WARNING"] == []


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_routers_own_call_on_a_tier_with_no_max_tokens_is_refused_before_it_is_sent(mode):
    """Nothing is sent; a ``refused`` / ``cost_cap`` record says why. A call on a bounded tier,
    or one the caller bounds, goes through."""
    ledger = InMemoryLedger()
    tiers = [dict(TIERS[0]), {"name": "strong", "model": "gpt-4o"}]
    router = Router(_cfg(tiers), ledger=ledger)
    model = ScriptedModel()
    request = router.request(PROMPT)
    plan = router.plan(router.decide_request(request, force="strong"), request)
    with pytest.raises(RequestCostCapError, match="max_tokens"):
        if mode == "sync":
            execute(plan, model)
        else:
            import asyncio

            asyncio.run(aexecute(plan, model.acall))
    assert model.calls == []
    assert [(r.status, r.error_kind, r.tier) for r in ledger.records()] == [("refused", "cost_cap", "strong")]
    execute(router.plan(router.decide_request(request, force="cheap"), request), model)
    execute(router.plan(router.decide_request(request, force="strong"), request, caller_max_tokens=16), model)
    assert [a.tier.name for a in model.calls] == ["cheap", "strong"]


def test_a_capped_tier_with_no_price_is_a_config_error_naming_it():
    """No price: no max_tokens of any caller bounds what a call costs, so the Router refuses
    to build, and the message says how to price the tier (not how to bound its output)."""
    tiers = [{"name": "mine", "model": "acme-chat-1"}]
    with pytest.raises(ConfigError) as err:
        Router(_cfg(tiers))
    text = str(err.value)
    assert "'mine'" in text and "input_price" in text and "per_request_cap_usd" in text
    assert "RoutedChatModel" not in text
    with pytest.raises(ConfigError, match="input_price"):
        Router(_cfg([{"name": "mine", "model": "acme-chat-1", "max_tokens": 10}]), _calls_bounded=True)


def test_a_capped_tier_priced_by_hand_with_max_tokens_builds():
    tiers = [{"name": "mine", "model": "acme-chat-1", "max_tokens": 10, "input_price": 1.0, "output_price": 2.0}]
    Router(_cfg(tiers))


def test_without_a_cap_a_tier_needs_no_max_tokens():
    Router(_cfg([{"name": "cheap", "model": "gpt-4o-mini"}], cap=None))


def test_limits_alone_still_need_prices_only():
    """A hard limit checks a tier with no ``max_tokens`` (nothing reserved), as documented."""
    cfg = {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}],
           "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 1}]}}
    Router(cfg)


def test_the_bundled_router_and_its_config_with_a_cap_build():
    Router()
    from shared_core import RouterConfig
    from shared_core.router import default_config_path

    cfg = RouterConfig.from_file(default_config_path()).to_dict()
    cfg["budget"] = {"per_request_cap_usd": 0.5}
    Router(cfg)


# -- still unknown at call time: refused before it is sent -------------------------------------
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_unknown_worst_case_at_call_time_is_refused_and_recorded(mode):
    """A router built for an adapter that bounds every call itself (its own ``max_tokens``),
    planned without that bound: nothing is sent, a ``refused`` / ``cost_cap`` record says why."""
    ledger = InMemoryLedger()
    router = Router(_cfg([{"name": "cheap", "model": "gpt-4o-mini"}], cap=1e-6), ledger=ledger,
                    _calls_bounded=True)
    model = ScriptedModel()
    request = router.request(PROMPT)
    plan = router.plan(router.decide_request(request), request)
    with pytest.raises(RequestCostCapError, match="max_tokens"):
        if mode == "sync":
            execute(plan, model)
        else:
            import asyncio

            asyncio.run(aexecute(plan, model.acall))
    assert model.calls == []
    assert [(r.status, r.error_kind, r.tier) for r in ledger.records()] == [("refused", "cost_cap", "cheap")]


def test_a_call_bounded_by_the_caller_under_a_router_built_so_is_capped_by_that_bound():
    ledger = InMemoryLedger()
    router = Router(_cfg([{"name": "cheap", "model": "gpt-4o-mini"}], cap=1e-6), ledger=ledger,
                    _calls_bounded=True)
    request = router.request(PROMPT)
    plan = router.plan(router.decide_request(request), request, caller_max_tokens=10_000)
    with pytest.raises(RequestCostCapError, match="would cost about"):
        execute(plan, ScriptedModel())
    ok = Router(_cfg([{"name": "cheap", "model": "gpt-4o-mini"}], cap=1.0), _calls_bounded=True)
    request = ok.request(PROMPT)
    execute(ok.plan(ok.decide_request(request), request, caller_max_tokens=10), ScriptedModel())


# -- the judge's cost counts before the first attempt -------------------------------------------
def _judged(ledger: InMemoryLedger, cap: float) -> Router:
    judge = ScriptedJudge("strong", model="gpt-4o-mini", usage=Usage(200, 3))
    return Router(_cfg(TIERS, cap=cap, classifier={"type": "judge", "options": {"clamp": None}}),
                  judge_complete=judge.pair(), ledger=ledger)


def _strong_worst(router: Router) -> float:
    request = router.request(PROMPT)
    worst = estimate_cost(router.config.tiers[1], request.input_tokens, router.prices)
    assert worst is not None
    return worst


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_the_judge_and_the_first_attempt_together_must_fit_the_cap(mode):
    """The attempt alone fits the cap, the judge's cost on top does not: refused before it is
    sent, the refusal carrying what the judge cost (spent, whatever happens)."""
    probe = _judged(InMemoryLedger(), 1.0)
    cap = _strong_worst(probe) + JUDGE_COST / 2
    ledger = InMemoryLedger()
    router = _judged(ledger, cap)
    model = ScriptedModel()
    with pytest.raises(RequestCostCapError) as err:
        if mode == "sync":
            request = router.request(PROMPT)
            execute(router.plan(router.decide_request(request), request), model)
        else:
            import asyncio

            async def go():
                request = router.request(PROMPT)
                return await aexecute(router.plan(await router.adecide_request(request), request), model.acall)

            asyncio.run(go())
    assert model.calls == []
    [rec] = ledger.records()
    assert (rec.status, rec.error_kind, rec.tier) == ("refused", "cost_cap", "strong")
    assert rec.cost_usd == pytest.approx(JUDGE_COST)
    assert "judge" in str(err.value)


def test_the_judge_and_the_first_attempt_that_fit_are_sent():
    probe = _judged(InMemoryLedger(), 1.0)
    cap = _strong_worst(probe) + 1.5 * JUDGE_COST
    ledger = InMemoryLedger()
    router = _judged(ledger, cap)
    request = router.request(PROMPT)
    execute(router.plan(router.decide_request(request), request), ScriptedModel())
    [rec] = ledger.records()
    assert (rec.status, rec.tier) == ("ok", "strong")
    assert rec.cost_usd <= cap


def test_a_cascade_that_fell_through_to_its_judge_counts_the_judge_too():
    from shared_core.classifiers import CascadeClassifier, LLMJudgeClassifier
    from shared_core.testing import FakeClassifier

    probe = _judged(InMemoryLedger(), 1.0)
    cap = _strong_worst(probe) + JUDGE_COST / 2
    judge = ScriptedJudge("strong", model="gpt-4o-mini", usage=Usage(200, 3))
    unsure = FakeClassifier(default="cheap", confidence=0.5)  # below its 0.9: the judge decides
    cascade = CascadeClassifier([(unsure, 0.9), (LLMJudgeClassifier(judge, judge.acomplete), None)],
                                labels=["cheap", "strong"])
    ledger = InMemoryLedger()
    router = Router(_cfg(TIERS, cap=cap), classifier=cascade, ledger=ledger)
    model = ScriptedModel()
    request = router.request(PROMPT)
    with pytest.raises(RequestCostCapError, match="judge"):
        execute(router.plan(router.decide_request(request), request), model)
    assert model.calls == [] and len(judge.prompts) == 1
    [rec] = ledger.records()
    assert (rec.status, rec.error_kind, rec.cost_usd) == ("refused", "cost_cap", pytest.approx(JUDGE_COST))
