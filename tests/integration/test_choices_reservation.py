"""A request for ``n`` answers is reserved and capped at ``n`` x the output budget.

``ChatOpenAI(n=4)`` as a tier, ``invoke(..., n=4)``, llama-index
``OpenAI(additional_kwargs={"n": 4})`` and ``chat(..., n=4)``: the provider generates (and
bills) 4 answers of up to ``max_tokens`` each, but the hard-limit reservation and
``per_request_cap_usd`` counted one: a single call spent $0.81 against a $0.50 daily limit
and a $0.30 cap. The worst case of a request for n answers is its input once and n x its
output budget; an unreadable ``n`` is an ``InputError`` before anything is sent.

Real ``ChatOpenAI`` and llama-index ``OpenAI`` against the loopback server; its answers fill
``max_tokens`` (so each of the 4 is billed 100 tokens).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import BudgetExceededError, InputError
from shared_core.errors import RequestCostCapError
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

PROMPT = "What is the capital of France?"
LONG = "word " * 400  # cut to max_tokens: every answer is billed 100 tokens
VARIANTS = ["lc-tier", "lc-call", "li-tier", "li-call"]
ONE = (11 * 1000 + 100 * 2000) / 1e6  # input estimate + one answer's budget: $0.211
FOUR = (11 * 1000 + 4 * 100 * 2000) / 1e6  # $0.811


def _config(limit: float | None = None, cap: float | None = None) -> dict[str, Any]:
    budget: dict[str, Any] = {}
    if limit is not None:
        budget["limits"] = [{"scope": "global", "period": "day", "limit_usd": limit}]
    if cap is not None:
        budget["per_request_cap_usd"] = cap
    return {
        "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 100,
                   "input_price": 1000.0, "output_price": 2000.0}],
        "classifier": {"type": "rules"},
        "budget": budget,
    }


def _routed(server: FakeOpenAIServer, variant: str, config: dict[str, Any], n: Any = 4) -> Any:
    tier_n = variant.endswith("tier")
    if variant.startswith("lc"):
        extra = {"n": n} if tier_n else {}
        lc = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", max_retries=0, **extra)
        return RoutedChatModel(tiers={"cheap": lc}, config=config)
    li = OpenAI(model="gpt-4o-mini", api_base=server.base_url, api_key="sk-test", max_retries=0,
                additional_kwargs={"n": n} if tier_n else {})
    return RoutedLLM(tiers={"cheap": li}, config=config)


def _call(routed: Any, variant: str, n: Any = 4) -> Any:
    kw = {} if variant.endswith("tier") else {"n": n}
    if variant.startswith("lc"):
        return routed.invoke(PROMPT, **kw)
    return routed.chat([ChatMessage(role="user", content=PROMPT)], **kw)


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_hard_limit_holds_n_answers(openai_server: FakeOpenAIServer, variant: str) -> None:
    openai_server.script(None, LONG)
    routed = _routed(openai_server, variant, _config(limit=0.5))
    with pytest.raises(BudgetExceededError):
        _call(routed, variant)  # 4 answers may cost $0.811: more than the $0.50 limit
    assert openai_server.chat_requests == []
    ledger = routed.router.ledger
    assert ledger.spend("global", 0) == 0.0
    assert [r.status for r in ledger.records()] == ["refused"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_limit_that_fits_n_answers_lets_the_call_through(openai_server: FakeOpenAIServer, variant: str) -> None:
    openai_server.script(None, LONG)
    routed = _routed(openai_server, variant, _config(limit=1.0))
    _call(routed, variant)
    [req] = openai_server.chat_requests
    assert req.body.get("n") == 4
    spent = routed.router.ledger.spend("global", 0)
    assert spent == pytest.approx((req.usage["prompt_tokens"] * 1000 + 400 * 2000) / 1e6)
    with pytest.raises(BudgetExceededError):  # $0.809 spent: another $0.811 does not fit
        _call(routed, variant)
    assert len(openai_server.chat_requests) == 1
    assert routed.router.ledger.spend("global", 0) <= 1.0


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_per_request_cap_counts_n_answers(openai_server: FakeOpenAIServer, variant: str) -> None:
    assert ONE < 0.3 < FOUR
    openai_server.script(None, LONG)
    routed = _routed(openai_server, variant, _config(cap=0.3))
    with pytest.raises(RequestCostCapError):
        _call(routed, variant)
    assert openai_server.chat_requests == []
    assert [r.status for r in routed.router.ledger.records()] == ["refused"]


@pytest.mark.parametrize("n", [0, -1, True, 2.5, "four"])
@pytest.mark.parametrize("variant", VARIANTS)
def test_an_unreadable_n_is_an_input_error_before_any_request(
    openai_server: FakeOpenAIServer, variant: str, n: Any
) -> None:
    if variant == "lc-tier":
        pytest.skip("ChatOpenAI checks its own n field")
    with pytest.raises(InputError, match="n=") as err:
        routed = _routed(openai_server, variant, _config(limit=5.0), n=n)
        _call(routed, variant, n=n)
    assert "leave it out" in str(err.value)
    assert openai_server.chat_requests == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_n_none_is_one_answer(openai_server: FakeOpenAIServer, variant: str) -> None:
    openai_server.script(None, LONG)
    routed = _routed(openai_server, variant, _config(cap=0.3), n=None)
    _call(routed, variant, n=None)
    assert len(openai_server.chat_requests) == 1


def test_best_of_on_the_legacy_completions_path_is_reserved_for(openai_server: FakeOpenAIServer) -> None:
    """``best_of`` answers are generated and billed (the best ``n`` returned): a legacy
    completions model's ``additional_kwargs={"best_of": 4}`` is held as 4 answers."""
    openai_server.script(None, LONG)

    def routed(config: dict[str, Any]) -> RoutedLLM:
        li = OpenAI(model="gpt-3.5-turbo-instruct", api_base=openai_server.base_url, api_key="sk-test",
                    max_retries=0, additional_kwargs={"best_of": 4})
        tier = {**config["tiers"][0], "model": "gpt-3.5-turbo-instruct"}
        return RoutedLLM(tiers={"cheap": li}, config={**config, "tiers": [tier]})

    with pytest.raises(RequestCostCapError):
        routed(_config(cap=0.3)).complete(PROMPT)
    assert openai_server.requests == []
    llm = routed(_config(cap=1.0))
    llm.complete(PROMPT)
    [req] = openai_server.requests
    assert req.path.endswith("/completions") and not req.path.endswith("chat/completions")
    assert req.body["best_of"] == 4 and req.usage["completion_tokens"] == 400
