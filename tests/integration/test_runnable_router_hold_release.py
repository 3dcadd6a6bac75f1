"""A route hold is let go when choosing the route's runnable fails after the hold was taken.

``RunnableRouter`` takes the route's hold (its most cost, or the per-request cap) once it
has decided, then builds the runnable to run (its keywords bound, a warning for keywords
a chain's model never sees). When that raises (the warning under ``filterwarnings =
error``), the hold was never let go: since holds are renewed while live, the money stayed
held for the life of the process, and later calls were refused for money never spent.

Real ``ChatOpenAI`` against the loopback server.
"""

from __future__ import annotations

import asyncio
import warnings

import httpx
import pytest
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from langchain_router import RunnableRouter
from shared_core import RouterConfig
from shared_core.ledger import InMemoryLedger
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CAP = 0.10


def _router(server: FakeOpenAIServer) -> RunnableRouter:
    config = RouterConfig.build({
        "tiers": [{"name": "only", "model": "gpt-4o", "max_tokens": 8}],
        "budget": {"per_request_cap_usd": CAP, "reservation_ttl_s": 0.6,
                   "limits": [{"scope": "global", "period": "day", "limit_usd": 1.0}]},
    })
    model = ChatOpenAI(model="gpt-4o", base_url=server.base_url, api_key="sk-test", max_retries=0,
                       max_tokens=8, http_async_client=httpx.AsyncClient())
    route = ChatPromptTemplate.from_messages([("user", "{input}")]) | model | StrOutputParser()
    return RunnableRouter({"only": route}, config=config, ledger=InMemoryLedger())


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_route_that_fails_to_start_lets_its_hold_go(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    openai_server.script(None, "word " * 6)
    rr = _router(openai_server)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the route's keyword warning raises (filterwarnings = error)
        with pytest.raises(UserWarning, match="reach only its first step"):
            if mode == "invoke":
                rr.invoke({"input": "q"}, max_tokens=5)
            else:
                asyncio.run(rr.ainvoke({"input": "q"}, max_tokens=5))
    assert rr.router.ledger.reserved("global") == 0.0  # at once, not at the TTL
    assert openai_server.chat_requests == []
    # the next call runs against the whole limit (the warning is given once per route)
    assert rr.invoke({"input": "q"}, max_tokens=5)
    assert rr.router.ledger.reserved("global") == 0.0


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_route_past_the_recursion_limit_takes_no_hold(
    openai_server: FakeOpenAIServer, mode: str
) -> None:
    """LangChain refuses to run the chosen route when the call's ``recursion_limit`` is used
    up (a deep nest of routers and chains): nothing may be held for a route never run."""
    openai_server.script(None, "word " * 6)
    rr = _router(openai_server)
    with pytest.raises(RecursionError):
        if mode == "invoke":
            rr.invoke({"input": "q"}, config={"recursion_limit": 0})
        else:
            asyncio.run(rr.ainvoke({"input": "q"}, config={"recursion_limit": 0}))
    assert rr.router.ledger.reserved("global") == 0.0
    assert openai_server.chat_requests == []
