"""Structured output through RoutedLLM: an answer LlamaIndex's program would refuse escalates.

``structured_predict`` & co. run a program (``FunctionCallingProgram`` over a tool call, or
``LLMTextCompletionProgram`` over JSON text). The router reads each answer as that program
will, so a cheap tier's answer that does not fit the output class goes one tier up (its real
usage recorded) instead of the program raising in the caller's hands.
"""

from __future__ import annotations

import asyncio

import pytest
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel

from tests.unit.llamaindex_router.support import MODELS, make_config, routed_openai

pytestmark = pytest.mark.integration


class Capital(BaseModel):
    country: str
    population: int


GOOD = [{"name": "Capital", "arguments": {"country": "France", "population": 67}}]
BAD = [{"name": "Capital", "arguments": {"country": "France", "population": "lots"}}]
PROMPT = PromptTemplate("Capital of {c}?")


def _statuses(llm) -> list[tuple[str, str]]:
    return [(r.tier, r.status) for r in llm.router.ledger.records()]


def _assert_escalated(llm) -> None:
    rejected, ok = llm.router.ledger.records()
    assert (rejected.tier, rejected.status, rejected.error_kind) == ("cheap", "rejected", "quality")
    assert "schema" in (rejected.error or "")
    assert rejected.output_tokens > 0 and rejected.cost_usd is not None and rejected.cost_usd > 0
    assert (ok.tier, ok.status, ok.escalated) == ("strong", "ok", True)


@pytest.mark.parametrize(
    "how", ["structured_predict", "astructured_predict", "as_structured_llm", "as_structured_llm_async"]
)
def test_a_tool_call_that_fails_the_schema_escalates(openai_server, how: str) -> None:
    openai_server.script(MODELS["cheap"], tool_calls=BAD)
    openai_server.script(MODELS["strong"], tool_calls=GOOD)
    llm = routed_openai(openai_server)
    if how == "structured_predict":
        out = llm.structured_predict(Capital, PROMPT, c="France")
    elif how == "astructured_predict":
        out = asyncio.run(llm.astructured_predict(Capital, PROMPT, c="France"))
    elif how == "as_structured_llm":
        out = llm.as_structured_llm(Capital).chat([ChatMessage(role="user", content="France?")]).raw
    else:
        sllm = llm.as_structured_llm(Capital)
        out = asyncio.run(sllm.achat([ChatMessage(role="user", content="France?")])).raw
    assert out == Capital(country="France", population=67)
    assert [r.model for r in openai_server.chat_requests] == [MODELS["cheap"], MODELS["strong"]]
    _assert_escalated(llm)


def test_a_plain_text_answer_to_a_structured_tool_call_escalates(openai_server) -> None:
    """No tool call at all: ``FunctionCallingProgram`` would raise "did not return any tool calls"."""
    openai_server.script(MODELS["cheap"], reply="Paris, I think.", tool_calls=False)
    openai_server.script(MODELS["strong"], tool_calls=GOOD)
    llm = routed_openai(openai_server)
    assert llm.structured_predict(Capital, PROMPT, c="France").population == 67
    _assert_escalated(llm)


@pytest.mark.parametrize("use_async", [False, True])
def test_llm_program_json_missing_a_field_escalates(openai_server, use_async: bool) -> None:
    """``pydantic_program_mode="llm"``: the JSON text is parsed by ``PydanticOutputParser``."""
    openai_server.script(MODELS["cheap"], reply='{"country": "France"}')
    openai_server.script(MODELS["strong"], reply='{"country": "France", "population": 67}')
    llm = routed_openai(openai_server, pydantic_program_mode="llm")
    if use_async:
        out = asyncio.run(llm.astructured_predict(Capital, PROMPT, c="France"))
    else:
        out = llm.structured_predict(Capital, PROMPT, c="France")
    assert out == Capital(country="France", population=67)
    _assert_escalated(llm)


def test_the_top_tier_s_unfit_answer_stands(openai_server) -> None:
    """Nowhere to escalate: LlamaIndex's own error reaches the caller, as with a plain LLM."""
    openai_server.script(None, tool_calls=BAD)
    llm = routed_openai(openai_server)
    with pytest.raises(ValueError, match="could not be parsed into Capital"):
        llm.structured_predict(Capital, PROMPT, c="France")
    assert _statuses(llm) == [("cheap", "rejected"), ("strong", "ok")]


def test_a_fitting_answer_is_not_escalated(openai_server) -> None:
    openai_server.script(MODELS["cheap"], tool_calls=GOOD)
    llm = routed_openai(openai_server)
    assert llm.structured_predict(Capital, PROMPT, c="France").population == 67
    assert _statuses(llm) == [("cheap", "ok")]


def test_plain_calls_after_a_structured_one_are_not_schema_checked(openai_server) -> None:
    openai_server.script(MODELS["cheap"], tool_calls=GOOD, times=1)
    llm = routed_openai(openai_server)
    llm.structured_predict(Capital, PROMPT, c="France")
    openai_server.script(MODELS["cheap"], reply="Paris.")
    assert str(llm.chat([ChatMessage(role="user", content="Capital of France?")]).message.content) == "Paris."
    assert _statuses(llm) == [("cheap", "ok"), ("cheap", "ok")]


@pytest.mark.parametrize("use_async", [False, True])
def test_a_buffered_structured_stream_that_fails_its_schema_escalates(
    openai_server, use_async: bool
) -> None:
    """``buffer_streams: true`` holds the stream until the whole-answer checks pass; the schema
    check is one of them (an unbuffered stream has already reached the caller)."""
    openai_server.script(MODELS["cheap"], tool_calls=BAD)
    openai_server.script(MODELS["strong"], tool_calls=GOOD)
    llm = routed_openai(openai_server, make_config(escalation={"buffer_streams": True}))
    if use_async:

        async def run() -> list:
            return [p async for p in await llm.astream_structured_predict(Capital, PROMPT, c="France")]

        parts = asyncio.run(run())
    else:
        parts = list(llm.stream_structured_predict(Capital, PROMPT, c="France"))
    assert parts and parts[-1].population == 67
    assert [(r.tier, r.status, r.streamed) for r in llm.router.ledger.records()] == [
        ("cheap", "rejected", True), ("strong", "ok", True)
    ]
