"""LangChain's standard integration suite (``ChatModelIntegrationTests``) over the router.

The inner models are real ``ChatOpenAI`` instances talking to the loopback fake OpenAI
server. No test is overridden or marked xfail; only configuration properties are set.
Media tests that would download files from the internet skip by the suite's own switches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_router import RoutedChatModel
from tests.fake_openai_server import FakeOpenAIServer

_server: FakeOpenAIServer | None = None


@pytest.fixture(scope="module", autouse=True)
def _loopback_server() -> Iterator[FakeOpenAIServer]:
    global _server
    with FakeOpenAIServer() as server:
        _script_suite_answers(server)
        _server = server
        yield server
        _server = None


def _script_suite_answers(server: FakeOpenAIServer) -> None:
    """Answers that depend on reading the prompt, which the fake server cannot do itself.

    The suite asks for ``magic_function(3)``, a customer named '你好啊集团' and a JSON joke;
    a real model reads those from the prompt, the stand-in is told them here.
    """

    def wants_tool(name: str, text: str = "") -> Any:
        def match(req: Any) -> bool:
            names = [t.get("function", {}).get("name") for t in req.tools or []]
            last = req.messages[-1] if req.messages else {}
            return name in names and last.get("role") == "user" and text in str(last.get("content"))

        return match

    server.script(
        tool_calls=[{"name": "magic_function", "arguments": {"input": 3}}],
        match=wants_tool("magic_function"),
    )
    server.script(
        tool_calls=[
            {
                "name": "unicode_customer",
                "arguments": {"customer_name": "你好啊集团", "description": "一家中国科技公司"},
            }
        ],
        match=wants_tool("unicode_customer", "你好啊集团"),
    )
    server.script(
        tool_calls=[
            {
                "name": "unicode_customer",
                "arguments": {"customer_name": "こんにちは株式会社", "description": "日本の会社"},
            }
        ],
        match=wants_tool("unicode_customer", "こんにちは株式会社"),
    )
    server.script(
        reply='{"setup": "Why did the cat sit on the laptop?", '
        '"punchline": "To keep an eye on the mouse."}',
        match=lambda req: (req.response_format or {}).get("type") == "json_object",
    )


def _inner(model: str) -> ChatOpenAI:
    assert _server is not None
    # a fresh async HTTP client per model: the default one is cached process-wide and would
    # outlive the per-test event loops of pytest-asyncio
    return ChatOpenAI(
        model=model,
        base_url=_server.base_url,
        api_key="sk-test",
        max_retries=0,
        http_async_client=httpx.AsyncClient(),
    )


class TestRoutedChatModelStandardIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[RoutedChatModel]:
        return RoutedChatModel

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"tiers": {"cheap": _inner("gpt-4o-mini"), "strong": _inner("gpt-4o")}}

    @property
    def model_override_value(self) -> str:
        return "gpt-4o"

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def enable_vcr_tests(self) -> bool:
        # test_stream_time replays tests/integration/cassettes/ (recorded from the loopback
        # server) under pytest-benchmark
        return True
