"""LangChain's ``stream()`` calls ``_stream`` without its run manager, and so does ``invoke``
when a streaming handler is attached (``astream_events``, LangGraph's ``stream_mode="messages"``).
The call's user and tags must still reach budgets and the ledger, and an ``invoke`` keeps its
whole-answer checks. (A probe found streamed calls escaping per-user and per-tag hard limits.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from langchain_router import RoutedChatModel
from shared_core.errors import BudgetExceededError

from .conftest import tier_config

TINY = 1e-6  # below any call's hold


def _limited(two_tiers: Any, fake_classifier: Any, scope: str) -> RoutedChatModel:
    budget = {"limits": [{"scope": scope, "period": "day", "limit_usd": TINY}]}
    return RoutedChatModel(tiers=two_tiers, config=tier_config(budget=budget), classifier=fake_classifier)


def _drain(llm: RoutedChatModel, how: str, config: dict[str, Any]) -> str:
    if how == "stream":
        return "".join(str(c.content) for c in llm.stream("hi", config=config))

    async def go() -> str:
        return "".join([str(c.content) async for c in llm.astream("hi", config=config)])

    return asyncio.run(go())


@pytest.mark.parametrize("how", ["stream", "astream"])
@pytest.mark.parametrize(
    ("scope", "config"),
    [("user:alice", {"metadata": {"user": "alice"}}), ("tag:checkout", {"tags": ["checkout"]})],
)
def test_a_streamed_call_meets_the_callers_user_and_tag_limits(
    two_tiers: Any, fake_classifier: Any, how: str, scope: str, config: dict[str, Any]
) -> None:
    llm = _limited(two_tiers, fake_classifier, scope)
    with pytest.raises(BudgetExceededError):
        _drain(llm, how, config)
    assert two_tiers["cheap"].seen == []  # refused before any provider call
    [rec] = llm.router.ledger.records()
    assert rec.status == "refused"
    assert (rec.user, rec.tags) == (("alice", ()) if scope.startswith("user") else (None, ("checkout",)))


@pytest.mark.parametrize("how", ["stream", "astream"])
def test_a_streamed_call_records_the_callers_user_tags_and_the_model_s_own(
    two_tiers: Any, fake_classifier: Any, how: str
) -> None:
    llm = RoutedChatModel(tiers=two_tiers, config=tier_config(), classifier=fake_classifier, tags=["svc"])
    assert _drain(llm, how, {"tags": ["checkout"], "metadata": {"user": "bob"}}) == "cheap: hi"
    [rec] = llm.router.ledger.records()
    assert rec.user == "bob" and set(rec.tags) == {"checkout", "svc"}


def test_invoke_watched_by_a_streaming_handler_keeps_its_checks_and_its_user(
    two_tiers: Any, fake_classifier: Any
) -> None:
    two_tiers["cheap"].reply = "I'm sorry, I can't help with that."
    llm = RoutedChatModel(tiers=two_tiers, config=tier_config(), classifier=fake_classifier)

    from langchain_core.runnables import RunnableLambda

    async def ask(text: str) -> str:
        return str((await llm.ainvoke(text)).content)  # an invoke, inside an app being watched

    async def watched() -> str:
        out = ""
        async for ev in RunnableLambda(ask).astream_events(
            "hi", config={"metadata": {"user": "carol"}}, version="v2"
        ):
            if ev["event"] == "on_chain_end" and ev["name"] == "ask":
                out = ev["data"]["output"]
        return out

    answer = asyncio.run(watched())
    assert answer == "strong: hi"  # the refusal was escalated, as a plain invoke does
    recs = llm.router.ledger.records()
    assert [(r.tier, r.status) for r in recs] == [("cheap", "rejected"), ("strong", "ok")]
    assert {r.user for r in recs} == {"carol"}
