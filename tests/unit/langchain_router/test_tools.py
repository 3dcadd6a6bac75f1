"""Tool-choice semantics and the structured-output parser for every native shape."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import AIMessage
from pydantic import BaseModel
from typing_extensions import TypedDict

from langchain_router.tools import parse_structured, tool_choice_required


class Joke(BaseModel):
    setup: str
    punchline: str


class JokeDict(TypedDict):
    setup: str
    punchline: str


def test_tool_choice_required() -> None:
    assert not tool_choice_required(None) and not tool_choice_required("auto")
    assert not tool_choice_required("none") and not tool_choice_required(False)
    for demanding in ("required", "any", "get_weather", True, {"type": "function"}):
        assert tool_choice_required(demanding)


@given(setup=st.text(max_size=30), punch=st.text(max_size=30))
def test_parse_from_every_shape(setup: str, punch: str) -> None:
    data = {"setup": setup, "punchline": punch}
    import json

    shapes = [
        AIMessage("", tool_calls=[{"name": "Joke", "args": data, "id": "1"}]),
        AIMessage(json.dumps(data)),
        AIMessage("```json\n" + json.dumps(data) + "\n```"),
        AIMessage("x", additional_kwargs={"parsed": Joke(**data)}),
    ]
    for msg in shapes:
        assert parse_structured(msg, Joke) == Joke(**data)
        assert parse_structured(msg, JokeDict) == data
        assert parse_structured(msg, Joke.model_json_schema()) == data


def test_parse_picks_the_schema_tool_call_and_reports_bad_output() -> None:
    msg = AIMessage(
        "",
        tool_calls=[
            {"name": "other", "args": {"a": 1}, "id": "1"},
            {"name": "Joke", "args": {"setup": "s", "punchline": "p"}, "id": "2"},
        ],
    )
    assert parse_structured(msg, Joke).setup == "s"
    with pytest.raises(ValueError):
        parse_structured(AIMessage(""), Joke)
    with pytest.raises(ValueError):
        parse_structured(AIMessage('{"setup": 1}'), Joke)
