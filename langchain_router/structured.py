"""Structured output: the caller's parser, and the tiers' answers read as it will read them.

A drop-in for ``ChatOpenAI.with_structured_output``: the router's chain is ``llm | parser``
(or the ``{raw, parsed, parsing_error}`` map with ``include_raw``) with the parser plain
``ChatOpenAI`` uses for the same schema and method, so the caller gets the same objects, the
same exceptions and, streamed, the same partial objects:

* ``json_schema`` (and the native default): a Pydantic class gives one validated instance
  (pydantic's ``ValidationError`` when it does not validate, as the OpenAI SDK raises);
  a dict, JSON schema or TypedDict gives partial dicts (``JsonOutputParser``);
* ``function_calling``: ``PydanticToolsParser`` / ``JsonOutputKeyToolsParser``;
* ``json_mode``: ``PydanticOutputParser`` / ``JsonOutputParser``.

Parse failures are LangChain's ``OutputParserException`` (with the raw text as
``llm_output``), except where plain ``ChatOpenAI`` raises pydantic's ``ValidationError``
(a Pydantic class in ``json_schema`` mode or as a tool). A tier whose native mode differs
(tool calling where OpenAI uses a JSON schema) is read by the shape it answered in.

A Pydantic class asked for in ``json_schema`` mode is sent as the JSON schema the OpenAI SDK
makes of it (:func:`plain_response_format`), not as the class: given the class, the SDK
validates the answer itself and raises before LangChain sees the response, and the usage of
an answer the router would escalate was lost with it. The router validates instead. One
difference follows: with ``include_raw=True`` such an answer's ``ValidationError`` is the
``parsing_error`` (plain ``ChatOpenAI`` raised it from the model call, past ``include_raw``).

Streamed (see :mod:`.streaming`): without ``escalation.buffer_streams`` the chunks reach the
parser as they come, so partial objects are live and the whole-answer schema check cannot
apply (an unfit answer stands, as a plain model's would); with it the answer is held until
its checks pass (a rejected answer escalates, and none of its partial objects is ever
seen), then its chunks are released one by one, so the caller gets the same partial objects.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from operator import itemgetter
from typing import Any

from langchain_core.exceptions import ModelRefusalError, OutputParserException
from langchain_core.messages import BaseMessage
from langchain_core.output_parsers import (
    BaseCumulativeTransformOutputParser,
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.outputs import ChatGeneration, Generation
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from typing_extensions import is_typeddict

from shared_core.errors import AllTiersFailedError, TierAttemptError
from shared_core.quality import Answer, schema_error_text


def _is_pydantic(schema: Any) -> bool:
    return isinstance(schema, type) and (
        hasattr(schema, "model_validate") or hasattr(schema, "parse_obj")
    )


def _once_validated(schema: Any, method: str | None) -> bool:
    """Plain ``ChatOpenAI`` gives one validated object, no partials (``json_schema`` with a
    Pydantic class: the SDK parses the whole answer)."""
    return _is_pydantic(schema) and method in (None, "json_schema")


def structured_runnable(
    llm: Runnable[Any, Any], schema: Any, *, include_raw: bool, method: str | None = None
) -> Runnable[Any, Any]:
    """``llm | parser``, or with ``include_raw`` the ``{raw, parsed, parsing_error}`` shape
    (built as ``ChatOpenAI.with_structured_output`` builds it)."""
    parser: Runnable[Any, Any]
    if _once_validated(schema, method):
        parser = RunnableLambda(
            partial(parse_structured, schema=schema, method=method), name="RoutedOutputParser"
        ).with_types(output_type=schema)
    else:
        parser = RoutedOutputParser(target=schema, method=method)
    if not include_raw:
        return llm | parser
    parser_assign = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    parser_none = RunnablePassthrough.assign(parsed=lambda _: None)
    with_fallback = parser_assign.with_fallbacks([parser_none], exception_key="parsing_error")
    return RunnableMap(raw=llm) | with_fallback


class RoutedOutputParser(BaseCumulativeTransformOutputParser[Any]):
    """Streams partial objects as plain ``ChatOpenAI``'s parser for the schema and method does
    (a cumulative parser: each chunk re-reads the answer so far); whichever tier answered,
    in whichever native shape."""

    target: Any
    """The caller's schema (``schema`` would shadow pydantic's ``BaseModel.schema``)."""
    method: str | None = None

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        return read_structured(result, self.target, self.method, partial=partial)

    def parse(self, text: str) -> Any:
        return self.parse_result([Generation(text=text)])

    @property
    def _type(self) -> str:
        return "routed_structured_output"


def parse_structured(message: BaseMessage, schema: Any, method: str | None = None) -> Any:
    """The caller's object from a whole answer (what the caller's parser returns), raising
    what plain ``ChatOpenAI``'s parser raises."""
    return read_structured([ChatGeneration(message=message)], schema, method, partial=False)


def read_structured(
    result: list[Generation], schema: Any, method: str | None, *, partial: bool
) -> Any:
    """Read ``result`` (one generation) into ``schema`` by the shape the tier answered in."""
    gen = result[0]
    message = getattr(gen, "message", None)
    if message is not None:
        parsed = (message.additional_kwargs or {}).get("parsed")
        if parsed is not None:  # an inner model that parsed with the SDK itself
            return _validated(schema, parsed)
        if method == "function_calling" or (method is None and _tool_shaped(message)):
            name = _tool_name(schema)
            return _tools_parser(schema, name).parse_result(
                _with_one_call(result, message, name), partial=partial
            )
    if _once_validated(schema, method):
        if partial:
            return None
        if message is not None:  # (LangChain's other parsers check this themselves)
            _raise_if_refused(message)
        return _validate_json(schema, gen.text)
    if _is_pydantic(schema):
        return PydanticOutputParser(pydantic_object=schema).parse_result(result, partial=partial)
    out = JsonOutputParser().parse_result(result, partial=partial)
    return _validated(schema, out) if out is not None else None


def _tool_shaped(message: BaseMessage) -> bool:
    """An answer in tool-calling shape (a tier whose native structured output is a tool; its
    call is the answer, whatever text came with it)."""
    return bool(getattr(message, "tool_calls", None) or getattr(message, "invalid_tool_calls", None))


def _tool_name(schema: Any) -> str:
    return str(convert_to_openai_tool(schema)["function"]["name"])


def _tools_parser(schema: Any, name: str) -> Any:
    if _is_pydantic(schema):
        return PydanticToolsParser(tools=[schema], first_tool_only=True)
    return JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)


def _with_one_call(result: list[Generation], message: Any, name: str) -> list[Generation]:
    """``result`` with the schema's tool call alone (else the first call, named as the
    schema's tool): a tier that called another tool first, or named the schema's tool its
    own way, is read as LangChain's parser reads a model that called it as told."""
    calls = getattr(message, "tool_calls", None) or []
    if not calls or (len(calls) == 1 and calls[0].get("name") == name):
        return result
    call = next((c for c in calls if c.get("name") == name), calls[0])
    one = message.model_copy(update={"tool_calls": [{**call, "name": name}]})
    return [ChatGeneration(message=one)]


def _raise_if_refused(message: BaseMessage) -> None:
    """LangChain's ``ModelRefusalError`` for a refusal (what plain ``ChatOpenAI`` raises is
    its subclass ``OpenAIRefusalError``), as LangChain's structured-output parsers do."""
    for block in message.content_blocks:
        if block["type"] == "refusal":
            raise ModelRefusalError.from_refusal(block, raw_message=message)  # type: ignore[arg-type]


def _validate_json(schema: Any, text: str) -> Any:
    """A Pydantic class from JSON text, as the OpenAI SDK validates it (pydantic's own
    ``ValidationError``, invalid JSON included); a fenced block is read as its body."""
    body = _unfenced(str(text).strip())
    if not body:
        # (what plain ChatOpenAI raises is a ValueError: this is one too)
        raise OutputParserException(
            f"the model returned no JSON for {schema.__name__}", llm_output=str(text)
        )
    if hasattr(schema, "model_validate_json"):
        return schema.model_validate_json(body)
    return schema.parse_raw(body)  # pydantic.v1


def _unfenced(text: str) -> str:
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()


def _validated(schema: Any, data: Any) -> Any:
    """``data`` as the caller's schema type: an instance of a Pydantic class, else a dict."""
    if is_typeddict(schema):
        return data.model_dump() if hasattr(data, "model_dump") else dict(data)
    if isinstance(schema, type):
        if isinstance(data, schema):
            return data
        if hasattr(schema, "model_validate"):
            if hasattr(data, "model_dump"):
                data = data.model_dump()
            return schema.model_validate(data)
        if hasattr(schema, "parse_obj"):  # pydantic.v1
            return schema.parse_obj(data)
    if hasattr(data, "model_dump"):
        return data.model_dump()
    return data


def with_schema_check(answer: Answer, message: BaseMessage, spec: Any) -> Answer:
    """``answer`` with its ``schema_error`` when the caller's parser will not read an object
    out of ``message`` (it raises, or finds none: a tool call missing): the answer then fails
    its checks and escalates, instead of the parser raising after the router returned."""
    try:
        out = parse_structured(message, spec.schema, spec.method)
    except Exception as exc:  # pydantic's ValidationError, OutputParserException, a TypeError
        return replace(answer, schema_error=schema_error_text(exc))
    if out is None:
        return replace(answer, schema_error="the answer holds no structured output")
    return answer


# -- every tier failed ------------------------------------------------------------------------


class StructuredOutputError(AllTiersFailedError, OutputParserException):
    """Every tier of a ``with_structured_output`` call failed, the last on output that did
    not parse (an inner model whose own parser raised ``OutputParserException`` or pydantic's
    ``ValidationError``).

    Both errors at once: code written for a plain model catches an ``OutputParserException``
    (``with_retry(retry_if_exception_type=...)``, ``with_fallbacks(exceptions_to_handle=...)``,
    agents' ``handle_parsing_errors``), code written for the router an
    :class:`~shared_core.errors.AllTiersFailedError` with every attempt in ``errors``.
    ``llm_output`` is the last tier's raw output, when its error said what it was."""

    def __init__(self, errors: list[TierAttemptError]) -> None:
        # (through the MRO this runs OutputParserException.__init__ too, which adds LangChain's
        # troubleshooting link: the tier's own error already carries it, so the message is
        # the router's, as it is)
        AllTiersFailedError.__init__(self, errors)
        self.args = AllTiersFailedError(errors).args
        last = errors[-1].error if errors else None
        self.llm_output = getattr(last, "llm_output", None)
        self.observation = getattr(last, "observation", None)
        self.send_to_llm = False


def structured_failure(errors: list[TierAttemptError]) -> AllTiersFailedError:
    """The error a structured call raises when every tier failed: a
    :class:`StructuredOutputError` when the last failure was a parse failure, else the
    router's usual :class:`~shared_core.errors.AllTiersFailedError` (faults stay faults)."""
    if errors and _is_parse_failure(errors[-1].error):
        return StructuredOutputError(errors)
    return AllTiersFailedError(errors)


def _is_parse_failure(exc: BaseException) -> bool:
    if isinstance(exc, OutputParserException):
        return True
    return type(exc).__name__ == "ValidationError" and type(exc).__module__.startswith("pydantic")


# -- what is sent ----------------------------------------------------------------------------


def plain_response_format(kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with a Pydantic ``response_format`` replaced by the JSON schema the OpenAI
    SDK would send for it (see the module docstring): the same request, answered raw."""
    fmt = kwargs.get("response_format")
    if not (isinstance(fmt, type) and _is_pydantic(fmt)):
        return kwargs
    try:
        from openai.lib._parsing._completions import type_to_response_format_param
    except ImportError:  # another SDK's class-valued format: leave it as it is
        return kwargs
    try:
        converted = type_to_response_format_param(fmt)
    except Exception:  # a class the SDK cannot convert: it would refuse it itself
        return kwargs
    return {**kwargs, "response_format": dict(converted)}  # type: ignore[arg-type]

