"""A budget the user set on an inner model wins over the bundled ladder's default.

Tiers named after the bundled ladder (``simple`` ...) get its ``max_tokens`` only where the
model has none of its own: ``ChatOpenAI(max_tokens=50)`` on ``simple`` sends 50, not the
ladder's 1024, as it does on a tier named ``fast``. The tier's budget is then the model's, so
decisions, per-request caps and holds use it as the call's worst case. A config's explicit
``max_tokens`` is the user's word for the tier and still wins.
"""

from __future__ import annotations

import warnings

import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import MockLLM
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import Router
from shared_core.errors import RequestCostCapError
from shared_core.tier_defaults import TierDefaultsWarning

SIMPLE = Router().config.tier("simple")
Q = "What is the capital of France?"


def _lc(server, model: str, **kw) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0, **kw)


def _li(server, model: str, **kw) -> OpenAI:
    return OpenAI(model=model, api_base=server.base_url, api_key="sk-test", max_retries=0, **kw)


def _sent(req) -> int | None:
    return req.max_completion_tokens or req.max_tokens


@pytest.mark.parametrize("names", [("simple", "complex"), ("fast", "smart")])
def test_langchain_model_budget_is_sent_whatever_the_tier_names(openai_server, names):
    assert SIMPLE.max_tokens == 1024
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TierDefaultsWarning)
        llm = RoutedChatModel(
            tiers={names[0]: _lc(openai_server, "gpt-4o-mini", max_tokens=50),
                   names[1]: _lc(openai_server, "gpt-4o")}
        )
    d = llm.router.decide(Q)
    assert (d.tier, d.max_tokens) == (names[0], 50)
    llm.invoke(Q)
    [req] = openai_server.chat_requests
    assert _sent(req) == 50
    if names[0] == "simple":  # the ladder's prompt is still given
        assert req.system_prompt == SIMPLE.system_prompt


def test_langchain_model_kwargs_budget_counts_as_the_models_own(openai_server):
    llm = RoutedChatModel(
        tiers={"simple": _lc(openai_server, "gpt-4o-mini", model_kwargs={"max_completion_tokens": 40}),
               "complex": _lc(openai_server, "gpt-4o")}
    )
    llm.invoke(Q)
    [req] = openai_server.chat_requests
    assert _sent(req) == 40


def test_a_model_with_no_budget_still_gets_the_ladders(openai_server):
    llm = RoutedChatModel(
        tiers={"simple": _lc(openai_server, "gpt-4o-mini"), "complex": _lc(openai_server, "gpt-4o", max_tokens=9000)}
    )
    assert [t.max_tokens for t in llm.router.config.tiers] == [1024, 9000]
    llm.invoke(Q)
    assert _sent(openai_server.chat_requests[0]) == 1024


def test_a_configs_explicit_max_tokens_still_wins(openai_server):
    llm = RoutedChatModel(
        tiers={"simple": _lc(openai_server, "gpt-4o-mini", max_tokens=50), "complex": _lc(openai_server, "gpt-4o")},
        config={"tiers": [{"name": "simple", "model": "gpt-4o-mini", "max_tokens": 300},
                          {"name": "complex", "model": "gpt-4o"}]},
    )
    llm.invoke(Q)
    assert _sent(openai_server.chat_requests[0]) == 300


def test_a_config_tier_without_max_tokens_takes_the_models(openai_server):
    llm = RoutedChatModel(
        tiers={"cheap": _lc(openai_server, "gpt-4o-mini", max_tokens=50), "strong": _lc(openai_server, "gpt-4o")},
        config={"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]},
    )
    assert [t.max_tokens for t in llm.router.config.tiers] == [50, None]


def test_the_per_request_cap_holds_the_models_own_budget(openai_server):
    # gpt-4o-mini output $0.60/1M: 50 tokens = $0.00003; the ladder's 1024 = $0.0006144.
    # Under a $0.0002 cap the model's own 50 fits; with the ladder's 1024 it was refused.
    cfg = {"tiers": [{"name": "simple", "model": "gpt-4o-mini"}, {"name": "complex", "model": "gpt-4o", "max_tokens": 10}],
           "budget": {"per_request_cap_usd": 0.0002}}
    llm = RoutedChatModel(
        tiers={"simple": _lc(openai_server, "gpt-4o-mini", max_tokens=50), "complex": _lc(openai_server, "gpt-4o")},
        config=cfg,
    )
    llm.invoke(Q, model="simple")
    assert _sent(openai_server.chat_requests[0]) == 50
    big = RoutedChatModel(
        tiers={"simple": _lc(openai_server, "gpt-4o-mini", max_tokens=5000), "complex": _lc(openai_server, "gpt-4o")},
        config=cfg,
    )
    with pytest.raises(RequestCostCapError):
        big.invoke(Q, model="simple")


def test_non_ladder_names_with_model_budgets_need_no_config_under_a_cap(openai_server):
    # the model's own budget bounds its calls: the cap can be held without tier max_tokens
    llm = RoutedLLM(
        tiers={"fast": _li(openai_server, "gpt-4o-mini", max_tokens=50), "smart": _li(openai_server, "gpt-4o", max_tokens=60)},
        config={"tiers": [{"name": "fast", "model": "gpt-4o-mini"}, {"name": "smart", "model": "gpt-4o"}],
                "budget": {"per_request_cap_usd": 0.01}},
    )
    assert [t.max_tokens for t in llm.router.config.tiers] == [50, 60]


@pytest.mark.parametrize("names", [("simple", "complex"), ("fast", "smart")])
def test_llamaindex_model_budget_is_kept_whatever_the_tier_names(names):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TierDefaultsWarning)
        llm = RoutedLLM(tiers={names[0]: MockLLM(max_tokens=8), names[1]: MockLLM(max_tokens=8)},
                        allow_unordered=True)
    out = llm.chat([ChatMessage(role="user", content=Q)])
    plain = MockLLM(max_tokens=8).chat([ChatMessage(role="user", content=Q)])
    assert len(str(out.message.content).split()) == len(str(plain.message.content).split()) <= 8


def test_llamaindex_openai_sends_the_models_budget(openai_server):
    llm = RoutedLLM(tiers={"simple": _li(openai_server, "gpt-4o-mini", max_tokens=50),
                           "complex": _li(openai_server, "gpt-4o")})
    llm.chat([ChatMessage(role="user", content=Q)])
    [req] = openai_server.chat_requests
    assert _sent(req) == 50
    assert req.system_prompt == SIMPLE.system_prompt


def test_the_warning_for_other_names_does_not_ask_for_a_budget_the_model_has(openai_server):
    with pytest.warns(TierDefaultsWarning) as caught:
        RoutedChatModel(tiers={"fast": _lc(openai_server, "gpt-4o-mini", max_tokens=50),
                               "smart": _lc(openai_server, "gpt-4o")})
    [w] = caught
    text = str(w.message)
    assert "'fast', 'smart' get no system prompt" in text
    assert "'smart' no max_tokens" in text and "'fast' no max_tokens" not in text


def test_hard_limits_hold_the_models_own_budget(openai_server, caplog):
    # with budget.limits over tiers with no max_tokens, a call reserved nothing (one WARNING said
    # so); the models' own budgets now bound the calls, so they are held at their worst case
    from shared_core.budget import estimate_cost

    caplog.set_level("WARNING", logger="tier_router")
    llm = RoutedChatModel(
        tiers={"cheap": _lc(openai_server, "gpt-4o-mini", max_tokens=50), "strong": _lc(openai_server, "gpt-4o", max_tokens=60)},
        config={"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}],
                "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 1.0}]}},
    )
    assert not [r for r in caplog.records if "no max_tokens" in r.getMessage()]
    cheap = llm.router.config.tier("cheap")
    worst = estimate_cost(cheap, 10, llm.router.prices)
    assert worst == pytest.approx((10 * 0.15 + 50 * 0.60) / 1e6, rel=0.2)
