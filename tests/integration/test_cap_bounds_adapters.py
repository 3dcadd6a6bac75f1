"""``per_request_cap_usd`` of a ``RoutedChatModel`` / ``RoutedLLM`` bounds every call.

Before, a tier with no ``max_tokens`` had no worst case and the cap's check let it through:
a ``RoutedChatModel`` held at a $0.00001 cap answered on such a tier and spent more than the
cap. And the LLM judge the model asks before its first attempt was counted against the cap
only once that attempt was recorded: a first attempt that fit the cap alone was sent although
the judge had spent part of it, so the call passed the cap. Now the first is a
``ConfigError`` when the model is built (unless the model bounds every call itself with its
own ``max_tokens``; should that be removed later, the call is refused before it is sent), and
the judge's cost is counted before the first attempt (the refusal carries it).

Real ``ChatOpenAI`` / llama-index ``OpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import httpx
import pytest
from langchain_core.runnables import RunnableLambda
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel, RunnableRouter
from shared_core import ConfigError, Router, RouterConfig
from shared_core.budget import estimate_cost
from shared_core.errors import RequestCostCapError
from shared_core.ledger import InMemoryLedger
from shared_core.variants import VariantRouter
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]

CAP = 1e-5  # far below one answer of either tier at its worst
PROMPT = "What is 2+2?"


def _chat(server: FakeOpenAIServer, name: str, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model=name, base_url=server.base_url, api_key="sk-test", max_retries=0,
                      http_async_client=httpx.AsyncClient(), **kw)


def _unbounded(cap: float = CAP) -> RouterConfig:
    """Two priced tiers, the strong one with no ``max_tokens``."""
    return RouterConfig.build({
        "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64},
                  {"name": "strong", "model": "gpt-4o"}],
        "classifier": {"type": "rules"},
        "policy": {"fallback_tier": "strong"},
        "budget": {"per_request_cap_usd": cap},
    })


def _tiers(server: FakeOpenAIServer) -> dict[str, ChatOpenAI]:
    return {"cheap": _chat(server, "gpt-4o-mini"), "strong": _chat(server, "gpt-4o")}


# -- unknown worst case ------------------------------------------------------------------------
def _shared(how: str, ledger: InMemoryLedger, cfg: RouterConfig | None = None) -> Any:
    """The router an adapter is given: its own config, a hand-built Router, or a VariantRouter
    of two (the documented ways to share one router or run an A/B test)."""
    cfg = cfg or _unbounded()
    if how == "config":
        return {"config": cfg}
    if how == "router":
        return {"router": Router(cfg, ledger=ledger)}
    return {"router": VariantRouter(Router(cfg, ledger=ledger), Router(cfg, ledger=ledger), share=0.5)}


@pytest.mark.parametrize("how", ["config", "router", "variants"])
def test_a_routed_chat_model_capped_over_a_tier_with_no_max_tokens_fails_when_built(
    openai_server: FakeOpenAIServer, how: str, caplog: pytest.LogCaptureFixture,
) -> None:
    """Its own config or a router it is given: the model that spends is where the error is,
    and the message names the fix that applies to it."""
    ledger = InMemoryLedger()
    router = _shared(how, ledger)
    with pytest.raises(ConfigError) as err:
        RoutedChatModel(tiers=_tiers(openai_server), ledger=None if how != "config" else ledger, **router)
    text = str(err.value)
    assert "'strong'" in text and "max_tokens" in text and "RoutedChatModel(max_tokens=" in text
    assert "'cheap'" not in text  # it has a max_tokens
    assert err.value.field == "tiers.strong.max_tokens"
    if how == "config":  # one message: the error, not a Router's WARNING before it
        assert [r for r in caplog.records if r.levelname == "WARNING"] == []
    assert openai_server.chat_requests == []


@pytest.mark.parametrize("how", ["config", "router", "variants"])
def test_a_routed_chat_model_with_its_own_max_tokens_builds_on_any_such_router_and_is_capped_by_it(
    openai_server: FakeOpenAIServer, how: str,
) -> None:
    """``RoutedChatModel(router=Router(cfg), max_tokens=256)`` built before the cap's check
    moved into Router: it must build again (a ConfigError since), and each call go out with its
    budget, the cap kept by it."""
    ledger = InMemoryLedger()
    routed = RoutedChatModel(tiers=_tiers(openai_server), max_tokens=16,
                             ledger=None if how != "config" else ledger, **_shared(how, ledger, _unbounded(cap=1.0)))
    openai_server.script(None, "four")
    routed.invoke(PROMPT, model="strong")
    [sent] = openai_server.chat_requests
    assert sent.model == "gpt-4o"
    assert (sent.body.get("max_tokens") or sent.body.get("max_completion_tokens")) == 16
    assert [(r.status, r.tier) for r in ledger.records()] == [("ok", "strong")]


def _llms(server: FakeOpenAIServer) -> dict[str, Any]:
    from llama_index.llms.openai import OpenAI

    return {n: OpenAI(model=m, api_base=server.base_url, api_key="sk-test", max_retries=0)
            for n, m in (("cheap", "gpt-4o-mini"), ("strong", "gpt-4o"))}


@pytest.mark.parametrize("how", ["config", "router", "variants"])
def test_a_routed_llm_capped_over_a_tier_with_no_max_tokens_fails_when_built(
    openai_server: FakeOpenAIServer, how: str,
) -> None:
    from llamaindex_router import RoutedLLM

    ledger = InMemoryLedger()
    shared = _shared(how, ledger)
    config = shared.pop("config", None)
    with pytest.raises(ConfigError) as err:
        RoutedLLM(_llms(openai_server), config, ledger if how == "config" else None, **shared)
    assert "'strong'" in str(err.value) and "RoutedLLM(max_tokens=" in str(err.value)
    shared = _shared(how, ledger)
    config = shared.pop("config", None)
    # it bounds every call itself
    RoutedLLM(_llms(openai_server), config, ledger if how == "config" else None, max_tokens=32, **shared)


def test_a_runnable_router_on_a_hand_built_router_capped_over_tiers_with_no_max_tokens_builds_and_runs(
    openai_server: FakeOpenAIServer,
) -> None:
    """``RunnableRouter(routes, router=Router(cfg))``: its routes' calls are admitted under the
    cap one by one (a model with its own max_tokens is answered); it raised a ConfigError."""
    ledger = InMemoryLedger()
    routes = {"cheap": _chat(openai_server, "gpt-4o-mini", max_tokens=16),
              "strong": _chat(openai_server, "gpt-4o", max_tokens=16)}
    rr = RunnableRouter(routes, router=Router(_unbounded(cap=1.0), ledger=ledger))
    openai_server.script(None, "four")
    rr.invoke("Prove that the square root of 2 is irrational, step by step.")
    assert len(openai_server.chat_requests) == 1
    assert [r.status for r in ledger.records()] == ["ok"]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream"])
def test_a_model_bounding_its_calls_itself_is_capped_by_that_bound(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """``RoutedChatModel(max_tokens=...)`` sends every call with that budget: the tiers need
    none, and the cap is kept by it. Set to ``None`` after it was built, the call's worst
    case is unknown again: refused before it is sent, recorded ``refused`` / ``cost_cap``."""
    ledger = InMemoryLedger()
    routed = RoutedChatModel(tiers=_tiers(openai_server), config=_unbounded(cap=1.0), ledger=ledger,
                             max_tokens=16)
    openai_server.script(None, "four")

    def call() -> Any:
        if mode == "invoke":
            return routed.invoke(PROMPT, model="strong")
        if mode == "ainvoke":
            return asyncio.run(routed.ainvoke(PROMPT, model="strong"))
        return list(routed.stream(PROMPT, model="strong"))

    call()
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o"]
    body = openai_server.chat_requests[0].body
    assert (body.get("max_tokens") or body.get("max_completion_tokens")) == 16
    routed.max_tokens = None
    with pytest.raises(RequestCostCapError, match="max_tokens"):
        call()
    assert len(openai_server.chat_requests) == 1
    assert [(r.status, r.error_kind, r.tier) for r in ledger.records()][1:] == [("refused", "cost_cap", "strong")]


def test_a_runnable_router_capped_over_routes_with_no_max_tokens_still_builds_and_runs(
    openai_server: FakeOpenAIServer,
) -> None:
    """Its routes' model calls are admitted under the cap one by one as they are made, so its
    tiers need no ``max_tokens`` (a call with no output budget is refused there)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rr = RunnableRouter({"cheap": RunnableLambda(lambda q: "quick"), "strong": RunnableLambda(lambda q: "slow")},
                            config=_unbounded(cap=1.0), ledger=InMemoryLedger())
    assert rr.invoke("hi") in ("quick", "slow")


# -- the judge's cost ---------------------------------------------------------------------------
OUT = 20


def _judged(server: FakeOpenAIServer, ledger: InMemoryLedger, cap: float) -> RoutedChatModel:
    """A routed chat model whose LLM judge (gpt-4o-mini on the loopback server) picks strong."""
    server.script(model="gpt-4o-mini", reply="STRONG")
    server.script(None, "four")
    tiers = [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": OUT},
             {"name": "strong", "model": "gpt-4o", "max_tokens": OUT}]
    return RoutedChatModel(
        tiers={"cheap": _chat(server, "gpt-4o-mini"), "strong": _chat(server, "gpt-4o")},
        config=RouterConfig.build({"tiers": tiers, "classifier": {"type": "judge", "options": {"clamp": None}},
                                   "budget": {"per_request_cap_usd": cap}}),
        judge=_chat(server, "gpt-4o-mini"), ledger=ledger,
    )


def _judge_and_worst(server: FakeOpenAIServer) -> tuple[float, float]:
    """What the judge's call costs (measured) and the strong tier's worst case for PROMPT."""
    ledger = InMemoryLedger()
    routed = _judged(server, ledger, 1.0)
    routed.invoke(PROMPT)
    [rec] = ledger.records()
    judge = rec.metadata["classifier_cost_usd"]
    server.reset()
    strong = routed.router.config.tiers[1]
    request = routed.router.request([{"role": "user", "content": PROMPT}])
    worst = estimate_cost(strong, request.input_tokens, routed.router.prices)
    assert worst is not None and judge > 0
    return judge, worst


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_the_judge_of_a_routed_chat_model_counts_against_its_own_cap(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """The answer's worst case fits the cap alone, not with the judge's cost: the answer is
    not asked for, and the refusal carries what the judge cost."""
    judge, worst = _judge_and_worst(openai_server)
    cap = worst + judge / 2
    ledger = InMemoryLedger()
    routed = _judged(openai_server, ledger, cap)
    with pytest.raises(RequestCostCapError, match="judge"):
        routed.invoke(PROMPT) if mode == "invoke" else asyncio.run(routed.ainvoke(PROMPT))
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o-mini"]  # the judge only
    [rec] = ledger.records()
    assert (rec.status, rec.error_kind, rec.tier) == ("refused", "cost_cap", "strong")
    assert rec.cost_usd == pytest.approx(judge)
    assert rec.cost_usd <= cap


def test_the_judge_and_an_answer_that_fit_the_cap_together_are_both_sent(
    openai_server: FakeOpenAIServer,
) -> None:
    judge, worst = _judge_and_worst(openai_server)
    cap = worst + 1.5 * judge
    ledger = InMemoryLedger()
    _judged(openai_server, ledger, cap).invoke(PROMPT)
    [rec] = ledger.records()
    assert (rec.status, rec.tier) == ("ok", "strong")
    assert rec.cost_usd <= cap
    assert [r.model for r in openai_server.chat_requests] == ["gpt-4o-mini", "gpt-4o"]
