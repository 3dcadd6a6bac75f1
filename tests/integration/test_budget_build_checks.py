"""Budget configs that cannot do what they ask are told so when the model is built.

A new user's trial found three that built silently and then did not do what the user asked:

* a hard limit (``budget.limits``) over tiers with no ``max_tokens``: nothing is reserved for
  such a call, and one long answer passed a $0.05 limit alone ($0.0625). Allowed (the limit is
  checked against what is spent and held), but now one WARNING on the ``tier_router`` logger
  at build names the tiers and what to set, on ``Router``, ``RoutedChatModel`` and ``RoutedLLM``
  (``RunnableRouter`` already warned per route); none when the adapter bounds every call;
* a ``RunnableRouter`` with ``per_request_cap_usd`` whose routes' chat models have no output
  budget refused every call: now a ``ConfigError`` at build naming the route and the model
  (a route whose model is inside a function is refused at call time, as before);
* a ``per_request_cap_usd`` below a tier's output worst case alone made that tier unreachable:
  now one WARNING at build naming the tier, its worst case and the cap.

Real ``ChatOpenAI`` / llama-index ``OpenAI`` clients (never called: these are build checks).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import pytest
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel, RunnableRouter, UnboundedRouteWarning
from shared_core import ConfigError, Router
from shared_core.ledger import InMemoryLedger

pytestmark = [pytest.mark.integration]

LIMIT = [{"scope": "global", "period": "day", "limit_usd": 0.05}]


def _tiers(max_tokens: bool) -> list[dict[str, Any]]:
    cheap: dict[str, Any] = {"name": "cheap", "model": "gpt-4o-mini"}
    strong: dict[str, Any] = {"name": "strong", "model": "gpt-4o"}
    if max_tokens:
        cheap["max_tokens"], strong["max_tokens"] = 512, 1024
    return [cheap, strong]


def _config(max_tokens: bool, *, limits: bool = True, cap: float | None = None) -> dict[str, Any]:
    budget: dict[str, Any] = {"limits": LIMIT} if limits else {}
    if cap is not None:
        budget["per_request_cap_usd"] = cap
    return {"tiers": _tiers(max_tokens), "budget": budget}


def _chat(model: str, **kw: Any) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url="http://127.0.0.1:9/v1", api_key="sk-test", **kw)


def _models(**kw: Any) -> dict[str, ChatOpenAI]:
    return {"cheap": _chat("gpt-4o-mini", **kw), "strong": _chat("gpt-4o", **kw)}


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "tier_router" and r.levelno == logging.WARNING]


# -- 1. a hard limit over tiers with no max_tokens ---------------------------------------------
def _builders() -> dict[str, Any]:
    def llm(config: dict[str, Any], **kw: Any) -> Any:
        from llama_index.llms.openai import OpenAI

        from llamaindex_router import RoutedLLM

        tiers = {n: OpenAI(model=m, api_base="http://127.0.0.1:9/v1", api_key="sk-test")
                 for n, m in (("cheap", "gpt-4o-mini"), ("strong", "gpt-4o"))}
        return RoutedLLM(tiers, config, InMemoryLedger(), **kw)

    return {
        "Router": lambda config, **kw: Router(config, ledger=InMemoryLedger()),
        "RoutedChatModel": lambda config, **kw: RoutedChatModel(
            tiers=_models(), config=config, ledger=InMemoryLedger(), **kw),
        "RoutedLLM": llm,
    }


@pytest.mark.parametrize("adapter", ["Router", "RoutedChatModel", "RoutedLLM"])
def test_a_hard_limit_over_tiers_with_no_max_tokens_warns_once_when_built(
    caplog: pytest.LogCaptureFixture, adapter: str
) -> None:
    caplog.set_level(logging.WARNING, logger="tier_router")
    _builders()[adapter](_config(max_tokens=False))
    [message] = _warnings(caplog)
    assert "'cheap'" in message and "'strong'" in message
    assert "max_tokens" in message and "nothing is reserved" in message
    assert "may pass a limit" in message


@pytest.mark.parametrize("adapter", ["Router", "RoutedChatModel", "RoutedLLM"])
def test_a_hard_limit_over_bounded_tiers_builds_quietly(
    caplog: pytest.LogCaptureFixture, adapter: str
) -> None:
    caplog.set_level(logging.WARNING, logger="tier_router")
    _builders()[adapter](_config(max_tokens=True))
    assert _warnings(caplog) == []


@pytest.mark.parametrize("adapter", ["RoutedChatModel", "RoutedLLM"])
def test_an_adapter_bounding_every_call_itself_is_not_warned_about(
    caplog: pytest.LogCaptureFixture, adapter: str
) -> None:
    caplog.set_level(logging.WARNING, logger="tier_router")
    _builders()[adapter](_config(max_tokens=False), max_tokens=256)
    assert _warnings(caplog) == []


def test_a_runnable_router_keeps_its_own_warning_and_logs_no_second_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="tier_router")
    with pytest.warns(UnboundedRouteWarning):
        RunnableRouter(_models(), config=_config(max_tokens=False), ledger=InMemoryLedger())
    assert _warnings(caplog) == []


# -- 2. RunnableRouter, a cap, and route models with no output budget --------------------------
def _prompt() -> Any:
    return ChatPromptTemplate.from_messages([("user", "{input}")])


def test_a_capped_runnable_router_over_model_routes_with_no_output_budget_fails_when_built() -> None:
    with pytest.raises(ConfigError) as err:
        RunnableRouter(_models(), config=_config(max_tokens=False, cap=0.02), ledger=InMemoryLedger())
    text = str(err.value)
    assert "route 'cheap'" in text and "'gpt-4o-mini'" in text
    assert "route 'strong'" in text and "'gpt-4o'" in text
    assert "set max_tokens on tier 'cheap'" in text


def test_a_capped_runnable_router_over_chains_whose_models_have_no_output_budget_fails_when_built() -> None:
    """The tiers' max_tokens do not reach a model inside a chain: every call was refused."""
    routes = {n: _prompt() | m | StrOutputParser() for n, m in _models().items()}
    with pytest.raises(ConfigError) as err:
        RunnableRouter(routes, config=_config(max_tokens=True, cap=0.02), ledger=InMemoryLedger())
    text = str(err.value)
    assert "route 'cheap'" in text and "'gpt-4o-mini'" in text and "route 'strong'" in text
    assert "set max_tokens on the model (ChatOpenAI(max_tokens=...))" in text
    assert "a tier's max_tokens does not reach a model inside a chain" in text


@pytest.mark.parametrize("how", ["own", "bind", "fallback"])
def test_a_capped_runnable_router_over_bounded_chains_builds(how: str) -> None:
    def model(name: str) -> Any:
        if how == "own":
            return _chat(name, max_tokens=256)
        if how == "bind":
            return _chat(name).bind(max_tokens=256)
        return _chat(name, max_tokens=256).with_fallbacks([_chat(name, max_tokens=64)])

    routes = {"cheap": _prompt() | model("gpt-4o-mini"), "strong": _prompt() | model("gpt-4o")}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RunnableRouter(routes, config=_config(max_tokens=False, cap=0.02), ledger=InMemoryLedger())


def test_a_fallback_model_with_no_output_budget_is_named() -> None:
    route = _prompt() | _chat("gpt-4o", max_tokens=256).with_fallbacks([_chat("gpt-4o-mini")])
    with pytest.raises(ConfigError, match=r"route 'strong'.*'gpt-4o-mini'"):
        RunnableRouter({"cheap": _prompt() | _chat("gpt-4o-mini", max_tokens=64), "strong": route},
                       config=_config(max_tokens=False, cap=0.02), ledger=InMemoryLedger())


def test_a_route_whose_model_is_inside_a_function_still_builds() -> None:
    """Its model cannot be found without running it: refused at call time, as before."""
    model = _chat("gpt-4o")
    agent = RunnableLambda(lambda x: model.invoke(x).text)
    RunnableRouter({"cheap": agent, "strong": agent}, config=_config(max_tokens=False, cap=0.02),
                   ledger=InMemoryLedger())


# -- 3. a cap below a tier's output worst case -------------------------------------------------
STRONG_WORST = 1024 * 10.00 / 1e6  # gpt-4o: $10 per 1M output tokens


@pytest.mark.parametrize("adapter", ["Router", "RoutedChatModel", "RoutedLLM"])
def test_a_cap_below_a_tiers_output_worst_case_warns_once_when_built(
    caplog: pytest.LogCaptureFixture, adapter: str
) -> None:
    caplog.set_level(logging.WARNING, logger="tier_router")
    _builders()[adapter](_config(max_tokens=True, cap=0.005))
    [message] = _warnings(caplog)
    assert "'strong'" in message and "'cheap'" not in message
    assert f"${STRONG_WORST:.6f}" in message and "$0.005000" in message
    assert "refused" in message


def test_a_cap_below_a_routes_output_worst_case_warns_once_when_built(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="tier_router")
    RunnableRouter(_models(), config=_config(max_tokens=True, cap=0.005), ledger=InMemoryLedger())
    [message] = _warnings(caplog)
    assert "'strong'" in message and "'cheap'" not in message
    assert f"${STRONG_WORST:.6f}" in message and "$0.005000" in message


@pytest.mark.parametrize("adapter", ["Router", "RoutedChatModel", "RoutedLLM"])
def test_a_cap_every_tier_fits_builds_quietly(caplog: pytest.LogCaptureFixture, adapter: str) -> None:
    caplog.set_level(logging.WARNING, logger="tier_router")
    _builders()[adapter](_config(max_tokens=True, cap=0.02))
    assert _warnings(caplog) == []


@pytest.mark.parametrize("shape", ["parallel", "assign", "retry", "branch"])
def test_a_model_deeper_in_a_route_is_found(shape: str) -> None:
    from langchain_core.runnables import RunnableBranch, RunnableParallel, RunnablePassthrough

    inner = _prompt() | _chat("gpt-4o")
    route: Any = {
        "parallel": lambda: RunnableParallel(a=inner, b=RunnablePassthrough()),
        "assign": lambda: RunnablePassthrough.assign(answer=inner),
        "retry": lambda: inner.with_retry(),
        "branch": lambda: RunnableBranch((lambda x: False, RunnablePassthrough()), inner),
    }[shape]()
    with pytest.raises(ConfigError, match=r"route 'strong' calls 'gpt-4o'"):
        RunnableRouter({"cheap": _prompt() | _chat("gpt-4o-mini", max_tokens=64), "strong": route},
                       config=_config(max_tokens=False, cap=0.02), ledger=InMemoryLedger())
