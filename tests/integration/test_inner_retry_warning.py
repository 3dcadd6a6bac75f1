"""The warning about an inner client's own retries names as many requests as it sends.

LlamaIndex's ``OpenAI(max_retries=2)`` retries a non-streamed call with tenacity (2 tries),
each try the openai SDK's request and its 2 retries: one failing attempt sends 6 requests,
and the warning said "2 more request(s)". A stream's opening is retried by the SDK alone
(3 requests). ``ChatOpenAI(max_retries=2)`` sends 3 either way. The server counts what one
routed attempt sent (fallback off); the warning's numbers must match.

Real ``ChatOpenAI`` and llama-index ``OpenAI`` against the loopback server (a 429 with a
10 ms ``Retry-After``: both retry layers wait that long, so the test is quick).
"""

from __future__ import annotations

import logging
import re

import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import telemetry
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

CONFIG = {
    "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 32, "input_price": 1.0, "output_price": 2.0}],
    "classifier": {"type": "rules"},
    "fallback": {"on": [], "cooldown_s": 0},
}


def _routed(server: FakeOpenAIServer, adapter: str, retries: int) -> object:
    if adapter == "langchain":
        lc = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", max_retries=retries)
        return RoutedChatModel(tiers={"cheap": lc}, config=CONFIG)
    li = OpenAI(model="gpt-4o-mini", api_base=server.base_url, api_key="sk-test", max_retries=retries)
    return RoutedLLM(tiers={"cheap": li}, config=CONFIG)


def _run(routed: object, adapter: str, mode: str) -> None:
    msgs = [ChatMessage(role="user", content="hello")]
    with pytest.raises(Exception, match=r"429|rate"):
        if adapter == "langchain":
            routed.invoke("hello") if mode == "call" else list(routed.stream("hello"))  # type: ignore[attr-defined]
        elif mode == "call":
            routed.chat(msgs)  # type: ignore[attr-defined]
        else:
            list(routed.stream_chat(msgs))  # type: ignore[attr-defined]


@pytest.mark.parametrize("retries", [1, 2])
@pytest.mark.parametrize("mode", ["call", "stream"])
@pytest.mark.parametrize("adapter", ["langchain", "llamaindex"])
def test_the_warning_counts_the_requests_one_attempt_sends(
    openai_server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture, adapter: str, mode: str,
    retries: int,
) -> None:
    telemetry._said.clear()  # said once per inner model: each test builds its own
    caplog.set_level(logging.WARNING, logger="tier_router")
    routed = _routed(openai_server, adapter, retries)
    [warning] = [r.getMessage() for r in caplog.records if "max_retries=" in r.getMessage()]
    openai_server.fail(None, status=429, retry_after=0.01, times=None)
    _run(routed, adapter, mode)
    sent = len(openai_server.chat_requests)
    said = re.search(r"\((?:up to )?(\d+) more request\(s\)", warning)
    assert said is not None, warning
    streamed = re.search(r"(\d+) for a stream", warning)
    named = int(streamed.group(1)) if mode == "stream" and streamed else int(said.group(1))
    assert named == sent - 1, f"{sent} requests sent; the warning: {warning}"
