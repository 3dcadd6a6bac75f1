"""Agents, tool calling and structured output through RoutedLLM on the loopback server."""

from __future__ import annotations

import pytest
from llama_index.core.agent.workflow import FunctionAgent, ReActAgent
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from tests.unit.llamaindex_router.support import (
    BUDGET,
    MODELS,
    SYSTEM,
    assert_ledger_costs,
    assert_sent,
    by_keyword,
    classifier,
    routed_openai,
)

pytestmark = [
    pytest.mark.integration,
    # llama-index-workflows inspects agent objects with inspect.getmembers (pydantic deprecations)
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


class Album(BaseModel):
    """A music album."""

    title: str
    year: int


def _tools(log: list[tuple[str, dict]]) -> list[FunctionTool]:
    def add(a: int, b: int) -> int:
        """Add two integers."""
        log.append(("add", {"a": a, "b": b}))
        return a + b

    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        log.append(("multiply", {"a": a, "b": b}))
        return a * b

    return [FunctionTool.from_defaults(add), FunctionTool.from_defaults(multiply)]


def _script_two_steps(server, model: str) -> None:
    server.script(model, tool_calls=[{"name": "add", "arguments": {"a": 2, "b": 3}}], times=1)
    server.script(
        model,
        tool_calls=[{"name": "multiply", "arguments": {"a": 5, "b": 4}}],
        times=1,
        match=lambda req: req.messages[-1].get("role") == "tool",
    )


@pytest.mark.parametrize("streaming", [True, False])
async def test_function_agent_multi_step_tool_loop(openai_server, streaming: bool) -> None:
    llm = routed_openai(openai_server)
    assert llm.metadata.is_function_calling_model
    _script_two_steps(openai_server, MODELS["strong"])
    log: list[tuple[str, dict]] = []
    agent = FunctionAgent(
        tools=_tools(log), llm=llm, system_prompt="AGENT SYSTEM", streaming=streaming
    )
    result = await agent.run(user_msg="A hard one: add 2 and 3, then multiply by 4.")
    assert [name for name, _ in log] == ["add", "multiply"]
    assert "Reply from gpt-4o:" in str(result)
    reqs = openai_server.chat_requests
    assert len(reqs) == 3
    for req in reqs:
        assert_sent(req, "strong", caller_system="AGENT SYSTEM")
        assert req.stream is streaming
        assert {t["function"]["name"] for t in req.tools} == {"add", "multiply"}
    assert [r.tier for r in llm.router.ledger.records()] == ["strong"] * 3
    assert_ledger_costs(llm.router.ledger.records())


async def test_function_agent_simple_turn_on_cheap_tier(openai_server) -> None:
    llm = routed_openai(openai_server)
    log: list[tuple[str, dict]] = []
    agent = FunctionAgent(tools=_tools(log), llm=llm)
    await agent.run(user_msg="add 1 and 1")
    assert log == [("add", {"a": log[0][1]["a"], "b": log[0][1]["b"]})]
    for req in openai_server.chat_requests:
        assert_sent(req, "cheap")


@pytest.mark.parametrize(
    ("question", "tier"), [("add 2 and 3", "cheap"), ("a hard sum: 2 + 3", "strong")]
)
async def test_react_agent(openai_server, question: str, tier: str) -> None:
    # every step of one ReAct run stays on the tier chosen for the user's question: the
    # "Observation: ..." messages the agent adds are tool results, not a new request
    openai_server.script(
        MODELS[tier],
        [
            'Thought: I need to use a tool.\nAction: add\nAction Input: {"a": 2, "b": 3}',
            "Thought: I can answer without using any more tools.\nAnswer: The sum is 5.",
        ],
    )
    # classify only the focus turn (the last line), not the history the core adds before it
    llm = routed_openai(
        openai_server, classifier=classifier(lambda t: by_keyword(t.rsplit("\n", 1)[-1]))
    )
    log: list[tuple[str, dict]] = []
    agent = ReActAgent(tools=_tools(log), llm=llm)
    result = await agent.run(user_msg=question)
    assert log == [("add", {"a": 2, "b": 3})]
    assert "The sum is 5." in str(result)
    assert len(openai_server.chat_requests) == 2
    for req in openai_server.chat_requests:
        assert req.model == MODELS[tier]
        assert req.token_limit == BUDGET[tier]
        system = " ".join(str(m["content"]) for m in req.messages if m["role"] == "system")
        assert system.count(SYSTEM[tier]) == 1
    assert_ledger_costs(llm.router.ledger.records())


def test_structured_predict_with_pydantic(openai_server) -> None:
    llm = routed_openai(openai_server)
    album = llm.structured_predict(
        Album, PromptTemplate("Invent an album about {topic}."), topic="rain"
    )
    assert isinstance(album, Album)
    req = openai_server.last
    assert_sent(req, "cheap")
    assert req.tools and req.tool_choice not in (None, "auto", "none")  # the tool was required
    assert_ledger_costs(llm.router.ledger.records())


async def test_astructured_predict_and_as_structured_llm(openai_server) -> None:
    llm = routed_openai(openai_server)
    album = await llm.astructured_predict(
        Album, PromptTemplate("A hard album about {topic}."), topic="rain"
    )
    assert isinstance(album, Album)
    assert_sent(openai_server.last, "strong")
    sllm = llm.as_structured_llm(Album)
    out = sllm.chat([ChatMessage(role="user", content="an album please")])
    assert isinstance(out.raw, Album)
    assert_sent(openai_server.last, "cheap")


def test_predict_and_call_routes_tool_parsing_to_the_producing_tier(openai_server) -> None:
    llm = routed_openai(openai_server)
    log: list[tuple[str, dict]] = []
    out = llm.predict_and_call(_tools(log)[:1], user_msg="hard: add two numbers")
    assert log and log[0][0] == "add"
    assert out.sources and out.sources[0].tool_name == "add"
    assert_sent(openai_server.last, "strong")
    resp = llm.chat_with_tools(_tools([]), user_msg="hello")
    assert resp.additional_kwargs["router"]["tier"] == "cheap"
    calls = llm.get_tool_calls_from_response(resp)
    assert calls and calls[0].tool_name == "add"
