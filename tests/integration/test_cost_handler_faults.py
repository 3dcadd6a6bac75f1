"""The same provider fault gives the same ledger record through ``CostCallbackHandler`` as
through ``RoutedChatModel``.

``CostCallbackHandler`` is how ``RunnableRouter``'s routes and unrouted models reach the
ledger. It recorded a timeout, a malformed body and a stream cut after 2 chunks at 0/0
tokens, cost ``None`` (``RoutedChatModel``: the input estimated, the output received, a
cost), put exception class names in ``error_kind`` (``OpenAITimeoutError`` where the router
says ``timeout``), recorded streamed calls ``streamed=False``, and recorded an answer with no
choices (its caller got an ``IndexError``) as ``ok``. It now classifies and estimates with
the core's functions, the ones the router's own records use.

Real ``ChatOpenAI`` against the loopback server, one tier, fallback off.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler, RoutedChatModel
from shared_core import Router
from shared_core.ledger import CallRecord
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

PROMPT = "What is the capital of France?"
CONFIG = {
    "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 100,
               "input_price": 1000.0, "output_price": 2000.0}],
    "classifier": {"type": "rules"},
    "fallback": {"on": [], "cooldown_s": 0},
}
FAULTS: dict[str, dict[str, Any]] = {
    "timeout": {"kind": "timeout", "delay": 3.0},
    "cut_stream_2": {"kind": "cut_stream", "after_chunks": 2},
    "malformed": {"kind": "malformed"},
    "500": {"status": 500},
    "reset": {"kind": "reset"},
    "end_stream_2": {"kind": "end_stream", "after_chunks": 2},
    "empty_choices": {"kind": "empty_choices"},
}
COMPARED = ("status", "error_kind", "input_tokens", "output_tokens", "cost_usd", "streamed")


def _model(server: FakeOpenAIServer, timeout: float) -> ChatOpenAI:
    # the tier's max_tokens: the router sends it, so the plain model sends it too (a request
    # sent and never answered is billed up to it)
    return ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test",
                      max_retries=0, timeout=timeout, max_tokens=100, http_async_client=httpx.AsyncClient())


def _timeout(fault: dict[str, Any]) -> float:
    """The client's timeout: short against a server that never answers, generous otherwise (a
    0.5 s bound on every fault turned a 500 answered late on a loaded host into a timeout on
    one side of the comparison only)."""
    return 0.5 if fault.get("kind") == "timeout" else 60.0


def _call(model: Any, how: str, config: dict[str, Any] | None = None) -> None:
    async def astream() -> None:
        async for _ in model.astream(PROMPT, config=config):
            pass

    try:
        if how == "invoke":
            model.invoke(PROMPT, config=config)
        elif how == "stream":
            for _ in model.stream(PROMPT, config=config):
                pass
        elif how == "ainvoke":
            asyncio.run(model.ainvoke(PROMPT, config=config))
        else:
            asyncio.run(astream())
    except Exception:  # the fault is the point: the records are checked
        pass


def _fields(rec: CallRecord) -> dict[str, Any]:
    return {k: getattr(rec, k) for k in COMPARED}


def _both(server: FakeOpenAIServer, fault: dict[str, Any], how: str) -> tuple[CallRecord, CallRecord]:
    server.reset()
    server.fail(None, **fault)
    routed = RoutedChatModel(tiers={"cheap": _model(server, _timeout(fault))}, config=CONFIG)
    _call(routed, how)
    [by_router] = routed.router.ledger.records()
    server.reset()
    server.fail(None, **fault)
    handler = CostCallbackHandler(router=Router(CONFIG))
    _call(_model(server, _timeout(fault)), how, {"callbacks": [handler]})
    [by_handler] = handler.ledger.records()
    return by_router, by_handler


@pytest.mark.parametrize("how", ["invoke", "stream", "ainvoke", "astream"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_fault_is_recorded_alike_by_the_handler_and_the_router(
    openai_server: FakeOpenAIServer, fault: str, how: str
) -> None:
    by_router, by_handler = _both(openai_server, FAULTS[fault], how)
    want, got = _fields(by_router), _fields(by_handler)
    if fault == "empty_choices" and how.endswith("invoke"):
        # the answer's usage came with it: the handler records it (the router's own record
        # of this case estimates the tokens; see the CHANGELOG)
        served = openai_server.chat_requests[-1].usage
        assert (got["input_tokens"], got["output_tokens"]) == (served["prompt_tokens"], served["completion_tokens"])
        for k in ("input_tokens", "output_tokens", "cost_usd"):
            want.pop(k), got.pop(k)
    if fault == "malformed" and how.endswith("stream"):
        # its first event is no JSON: no chunk, and an error that carries no request, so
        # nothing tells the handler the call was a stream
        want.pop("streamed"), got.pop("streamed")
    assert got == want
    if by_handler.status == "failed":
        assert (by_handler.error or "").startswith(by_router.error.split(":")[0] + ":"), by_handler.error
