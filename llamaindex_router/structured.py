"""Structured output: read a tier's answer as LlamaIndex's program will, before accepting it.

``structured_predict`` / ``astructured_predict`` / ``stream_structured_predict`` (and
``as_structured_llm``, which calls them) run a program over one LLM call:

* ``FunctionCallingProgram`` (a function-calling LLM, the default): the output class is a tool
  the answer must call, with arguments that validate (``predict_and_call`` then builds the
  object through the tool);
* ``LLMTextCompletionProgram`` (``pydantic_program_mode="llm"``): the answer's text is JSON that
  ``PydanticOutputParser`` parses into the output class.

An answer the program would refuse gets a ``schema_error`` (:class:`shared_core.quality.Answer`):
the core's checks fail it, so the call escalates with its real usage recorded, and at the top
tier the answer stands (LlamaIndex's own error reaches the caller, as with a plain LLM).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from llama_index.core.base.llms.types import ChatResponse, CompletionResponse
from llama_index.core.output_parsers import PydanticOutputParser
from llama_index.core.tools.calling import call_tool_with_selection
from pydantic import BaseModel

from shared_core.quality import Answer, schema_error_text

from .tools import PreparedTools


def with_schema_check(
    answer: Answer,
    response: ChatResponse | CompletionResponse,
    output_cls: Any,
    prepared: PreparedTools | None,
    tier_llm: Any,
) -> Answer:
    """``answer`` with its ``schema_error`` when the program would refuse ``response``."""
    try:
        if prepared is not None:
            error = _tool_call_error(response, output_cls, prepared, tier_llm)
        else:
            error = _text_error(response, output_cls)
    except Exception as exc:  # a parser raising on odd input is a refusal too
        error = schema_error_text(exc)
    return answer if error is None else replace(answer, schema_error=error)


def _tool_call_error(
    response: Any, output_cls: Any, prepared: PreparedTools, tier_llm: Any
) -> str | None:
    """As ``FunctionCallingLLM.predict_and_call`` then ``FunctionCallingProgram``: the tier's
    tool calls, each run through the program's tool, must each give an ``output_cls``."""
    if not isinstance(response, ChatResponse):
        return None
    parallel = bool(prepared.options.get("allow_parallel_tool_calls"))
    validate = getattr(tier_llm, "_validate_chat_with_tools_response", None)
    if validate is not None:  # as predict_and_call: OpenAI keeps only the first call (in place)
        response = validate(response.model_copy(deep=True), list(prepared.tools), allow_parallel_tool_calls=parallel)
    selections = tier_llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    if not selections:
        return f"no tool call (expected a call of the {_name(output_cls)} tool)"
    if len(selections) > 1 and not parallel:
        return f"{len(selections)} tool calls where one was expected"
    tools: Sequence[Any] = prepared.tools
    for sel in selections:
        if sel.tool_name not in {t.metadata.name for t in tools}:
            return f"called an unknown tool {sel.tool_name!r}"
        out = call_tool_with_selection(sel, tools)
        if out.is_error:
            return f"the tool call does not parse into {_name(output_cls)}: " + schema_error_text(
                out.exception if out.exception is not None else out.content
            )
        if not isinstance(out.raw_output, BaseModel):
            return f"the tool call gave {type(out.raw_output).__name__}, not {_name(output_cls)}"
    return None


def _text_error(response: Any, output_cls: Any) -> str | None:
    """As ``LLMTextCompletionProgram``: ``PydanticOutputParser`` over the answer's text."""
    if isinstance(response, ChatResponse):
        text = response.message.content or ""
    else:
        text = response.text or ""
    PydanticOutputParser(output_cls=output_cls).parse(text)
    return None


def _name(output_cls: Any) -> str:
    return getattr(output_cls, "__name__", str(output_cls))
