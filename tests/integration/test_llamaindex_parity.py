"""One decision for the same prompt in both frameworks: RoutedChatModel vs RoutedLLM."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain_router")
pytest.importorskip("langchain_openai")

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import Router
from shared_core.ledger import InMemoryLedger
from tests.unit.llamaindex_router.support import MODELS, make_config, openai_tiers

pytestmark = pytest.mark.integration

CONVERSATIONS = [
    [("user", "hi!")],
    [("system", "You are helpful."), ("user", "What is 2 + 2?")],
    [
        (
            "user",
            "Prove that there are infinitely many primes, then generalise the argument to "
            "arithmetic progressions and discuss Dirichlet's theorem in detail with a full proof.",
        )
    ],
    [
        ("user", "Write a Python function that parses ISO dates."),
        ("assistant", "Sure: ..."),
        ("user", "Now make it handle time zones and leap seconds, with tests."),
    ],
]

_LC = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=range(len(CONVERSATIONS)))
def test_same_prompt_same_decision_and_request(openai_server, conversation) -> None:
    ledger = InMemoryLedger()
    router = Router(make_config(), ledger=ledger)  # the rules classifier: deterministic, offline
    lc = RoutedChatModel(
        tiers={
            n: ChatOpenAI(
                model=MODELS[n], base_url=openai_server.base_url, api_key="sk-test", max_retries=0
            )
            for n in ("cheap", "strong")
        },
        router=router,
    )
    li = RoutedLLM(openai_tiers(openai_server), router=router)

    lc_out = lc.invoke([_LC[r](content=c) for r, c in conversation])
    li_out = li.chat([ChatMessage(role=r, content=c) for r, c in conversation])
    a = lc_out.response_metadata["router"]
    b = li_out.additional_kwargs["router"]
    for key in ("tier", "model", "confidence", "classifier", "scores"):
        assert a[key] == b[key], key
    lc_req, li_req = openai_server.chat_requests[-2:]
    assert lc_req.model == li_req.model
    assert lc_req.messages == li_req.messages  # same tier system prompt, applied the same way
    assert lc_req.token_limit == li_req.token_limit
    assert [r.framework for r in ledger.records()] == ["langchain", "llamaindex"]
