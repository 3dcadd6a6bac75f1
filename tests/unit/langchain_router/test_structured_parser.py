"""The routed structured-output parser against plain ``ChatOpenAI``'s parsers (property tests).

Whatever the answer and however the stream is cut into chunks, the routed parser yields the
partial objects LangChain's own parser for that schema and method yields, returns the same
final object, and raises the same exception type.
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from pydantic import BaseModel

from langchain_router.structured import RoutedOutputParser, parse_structured, structured_failure
from shared_core.errors import AllTiersFailedError, TierAttemptError


class Capital(BaseModel):
    country: str
    city: str


DICT = {
    "title": "Capital", "type": "object",
    "properties": {"country": {"type": "string"}, "city": {"type": "string"}},
    "required": ["country", "city"],
}

values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
objects = st.fixed_dictionaries({"country": values}, optional={"city": values, "extra": st.integers()})
texts = st.one_of(
    objects.map(json.dumps),
    objects.map(lambda o: json.dumps(o)[:-1]),  # cut short
    objects.map(lambda o: "```json\n" + json.dumps(o) + "\n```"),
    st.text(max_size=30),
)


def _cuts(text: str, points: list[int]) -> list[str]:
    bounds = sorted({0, len(text), *(p % (len(text) + 1) for p in points)})
    return [text[a:b] for a, b in pairwise(bounds)] or [""]


def _outcome(fn: Any) -> Any:
    try:
        return ("ok", fn())
    except Exception as exc:
        return ("raises", type(exc).__name__)


@settings(max_examples=150, deadline=None)
@given(text=texts, points=st.lists(st.integers(0, 200), max_size=6))
@pytest.mark.parametrize(
    ("schema", "method", "plain"),
    [
        (DICT, "json_schema", JsonOutputParser()),
        (DICT, "json_mode", JsonOutputParser()),
        (DICT, None, JsonOutputParser()),
        (Capital, "json_mode", PydanticOutputParser(pydantic_object=Capital)),
    ],
)
def test_text_answers_stream_and_parse_as_plain(
    schema: Any, method: str | None, plain: Any, text: str, points: list[int]
) -> None:
    chunks = [AIMessageChunk(content=c) for c in _cuts(text, points)]
    routed = RoutedOutputParser(target=schema, method=method)
    assert list(routed.transform(iter(chunks))) == list(plain.transform(iter(chunks)))
    msg = AIMessage(content=text)
    assert _outcome(lambda: routed.invoke(msg)) == _outcome(lambda: plain.invoke(msg))


@settings(max_examples=150, deadline=None)
@given(obj=objects, cut=st.booleans(), points=st.lists(st.integers(0, 200), max_size=6))
@pytest.mark.parametrize("schema", [DICT, Capital])
def test_tool_call_answers_stream_and_parse_as_plain(
    schema: Any, obj: dict[str, Any], cut: bool, points: list[int]
) -> None:
    args = json.dumps(obj)[:-1] if cut else json.dumps(obj)
    parts = _cuts(args, points)
    chunks = [
        AIMessageChunk(content="", tool_call_chunks=[tool_call_chunk(
            name="Capital" if i == 0 else None, args=p, id="c1" if i == 0 else None, index=0
        )])
        for i, p in enumerate(parts)
    ]
    plain: Any = (
        PydanticToolsParser(tools=[Capital], first_tool_only=True)
        if schema is Capital else JsonOutputKeyToolsParser(key_name="Capital", first_tool_only=True)
    )
    routed = RoutedOutputParser(target=schema, method="function_calling")
    assert list(routed.transform(iter(chunks))) == list(plain.transform(iter(chunks)))
    whole = sum(chunks[1:], chunks[0])
    assert _outcome(lambda: routed.invoke(whole)) == _outcome(lambda: plain.invoke(whole))


@settings(max_examples=150, deadline=None)
@given(text=texts)
def test_a_pydantic_json_schema_answer_raises_as_the_openai_sdk_does(text: str) -> None:
    """``json_schema`` with a Pydantic class: the SDK's ``model_validate_json`` of the text
    (pydantic's ``ValidationError``), a fenced block read as its body; no text at all is an
    ``OutputParserException`` (a ``ValueError``, as plain ChatOpenAI's own error is)."""
    got = _outcome(lambda: parse_structured(AIMessage(content=text), Capital, "json_schema"))
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rsplit("```", 1)[0]
    body = body.strip()
    if not body:
        assert got == ("raises", "OutputParserException")
    else:
        assert got == _outcome(lambda: Capital.model_validate_json(body))


def test_the_router_s_json_mode_errors_are_output_parser_exceptions_with_the_raw_text() -> None:
    with pytest.raises(OutputParserException) as info:
        parse_structured(AIMessage(content="Paris, France"), DICT, "json_mode")
    assert info.value.llm_output == "Paris, France"
    with pytest.raises(OutputParserException) as info:
        parse_structured(AIMessage(content='{"country": "France", "city": '), Capital, "json_mode")
    assert info.value.llm_output == '{"country": "France"}'  # (PydanticOutputParser's own)


def test_only_a_parse_failure_on_the_last_tier_makes_an_output_parser_exception() -> None:
    parse = TierAttemptError("strong", OutputParserException("bad", llm_output="{"), "bad_response")
    fault = TierAttemptError("strong", RuntimeError("500"), "server_error")
    assert isinstance(structured_failure([fault, parse]), OutputParserException)
    assert isinstance(structured_failure([fault, parse]), AllTiersFailedError)
    assert not isinstance(structured_failure([parse, fault]), OutputParserException)
    assert type(structured_failure([])) is AllTiersFailedError


@pytest.mark.parametrize("schema", [DICT, Capital])
def test_a_native_tool_call_with_text_beside_it_is_read_from_the_call(schema: Any) -> None:
    """A tier whose native structured output is a tool (``method`` unset) may say something
    before calling it: the call is the answer."""
    msg = AIMessage(
        content="Let me fill that in.",
        tool_calls=[{"name": "Capital", "args": {"country": "France", "city": "Paris"}, "id": "1"}],
    )
    out = parse_structured(msg, schema)
    assert (out.model_dump() if schema is Capital else out) == {"country": "France", "city": "Paris"}


@pytest.mark.parametrize("method", ["json_schema", None, "json_mode"])
@pytest.mark.parametrize("schema", [DICT, Capital])
def test_a_refusal_raises_langchain_s_model_refusal_error(schema: Any, method: str | None) -> None:
    """OpenAI's ``refusal`` field (the answer at the top tier, nowhere left to escalate):
    plain ``ChatOpenAI`` raises ``OpenAIRefusalError``, a ``ModelRefusalError``; a Pydantic
    class in ``json_schema`` mode said "no JSON" instead."""
    from langchain_core.exceptions import ModelRefusalError

    msg = AIMessage(content="", additional_kwargs={"refusal": "I can't help with that."},
                    response_metadata={"model_provider": "openai"})
    with pytest.raises(ModelRefusalError):
        parse_structured(msg, schema, method)
