"""The loopback fake OpenAI server, checked with the real ``openai`` client."""

from __future__ import annotations

import json
import time

import httpx
import openai
import pytest

from tests.fake_openai_server import REFUSAL, FakeOpenAIServer, default_reply
from tests.fake_schema import example_from_schema

pytestmark = pytest.mark.integration

USER = [{"role": "user", "content": "What is the capital of France?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["c", "f"]},
                "days": {"type": "integer", "minimum": 1, "maximum": 7},
            },
            "required": ["city", "unit", "days"],
        },
    },
}


@pytest.fixture
def client(openai_server: FakeOpenAIServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=openai_server.base_url, api_key="sk-test", max_retries=0)


@pytest.fixture
def aclient(openai_server: FakeOpenAIServer) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=openai_server.base_url, api_key="sk-test", max_retries=0)


def test_default_reply_names_model_and_usage_is_deterministic(client, openai_server):
    messages = [{"role": "system", "content": "Be brief."}, *USER]
    r1 = client.chat.completions.create(model="cheap-model", messages=messages, max_tokens=100)
    r2 = client.chat.completions.create(model="cheap-model", messages=messages, max_tokens=100)
    assert r1.choices[0].message.content == default_reply("cheap-model")
    assert "cheap-model" in r1.choices[0].message.content
    chars = len("Be brief.") + len(USER[0]["content"])
    assert r1.usage.prompt_tokens == chars // 4 + 1
    assert r1.usage.completion_tokens == len(default_reply("cheap-model")) // 4
    assert r1.usage == r2.usage
    rec = openai_server.last
    assert rec.model == "cheap-model" and rec.max_tokens == 100
    assert rec.system_prompt == "Be brief." and rec.last_user_text == USER[0]["content"]
    assert rec.headers["authorization"] == "Bearer sk-test"
    assert openai_server.models == ["cheap-model", "cheap-model"]


def test_script_reply_per_model_sequence_and_refusal(client, openai_server):
    openai_server.script(model="a", reply=["first", "second"])
    openai_server.refuse(model="b")
    openai_server.script(reply=lambda req: f"echo {req.last_user_text}")
    got = [
        client.chat.completions.create(model="a", messages=USER).choices[0].message.content
        for _ in range(3)
    ]
    assert got == ["first", "second", "second"]
    assert (
        client.chat.completions.create(model="b", messages=USER).choices[0].message.content
        == REFUSAL
    )
    other = client.chat.completions.create(model="c", messages=USER).choices[0].message.content
    assert other == f"echo {USER[0]['content']}"


def test_cached_tokens_finish_reason_and_max_tokens_cut(client, openai_server):
    openai_server.script(model="m", reply="x" * 400, cached_tokens=7, times=1)
    r = client.chat.completions.create(model="m", messages=USER, max_completion_tokens=10)
    assert r.usage.prompt_tokens_details.cached_tokens == 7
    assert r.choices[0].finish_reason == "length"
    assert r.choices[0].message.content == "x" * 40
    assert openai_server.last.max_completion_tokens == 10 and openai_server.last.token_limit == 10
    openai_server.script(model="m", reply="", finish_reason="content_filter")
    r = client.chat.completions.create(model="m", messages=USER)
    assert r.choices[0].finish_reason == "content_filter"


def test_streaming_with_usage_chunk(client, openai_server):
    stream = client.chat.completions.create(
        model="s", messages=USER, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == default_reply("s")
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1
    assert chunks[-1].choices == [] and chunks[-1].usage.prompt_tokens > 0
    assert openai_server.last.stream is True


async def test_async_and_async_streaming(aclient, openai_server):
    r = await aclient.chat.completions.create(model="async-model", messages=USER)
    assert r.choices[0].message.content == default_reply("async-model")
    stream = await aclient.chat.completions.create(model="async-model", messages=USER, stream=True)
    text = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
    assert text == default_reply("async-model")
    assert len(openai_server.chat_requests) == 2


def test_tool_call_then_text_after_tool_result(client, openai_server):
    r = client.chat.completions.create(model="t", messages=USER, tools=[WEATHER_TOOL])
    call = r.choices[0].message.tool_calls[0]
    assert r.choices[0].finish_reason == "tool_calls"
    args = json.loads(call.function.arguments)
    assert call.function.name == "get_weather"
    assert isinstance(args["city"], str) and args["unit"] in ("c", "f") and 1 <= args["days"] <= 7
    followup = [
        *USER,
        r.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "sunny"},
    ]
    r2 = client.chat.completions.create(model="t", messages=followup, tools=[WEATHER_TOOL])
    assert r2.choices[0].message.tool_calls is None
    assert r2.choices[0].message.content == default_reply("t")
    assert openai_server.last.tools[0]["function"]["name"] == "get_weather"


def test_tool_choice_none_named_and_scripted(client, openai_server):
    other = {
        "type": "function",
        "function": {
            "name": "lookup",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
        },
    }
    tools = [WEATHER_TOOL, other]
    r = client.chat.completions.create(model="t", messages=USER, tools=tools, tool_choice="none")
    assert r.choices[0].message.tool_calls is None
    r = client.chat.completions.create(
        model="t",
        messages=USER,
        tools=tools,
        tool_choice={"type": "function", "function": {"name": "lookup"}},
    )
    assert r.choices[0].message.tool_calls[0].function.name == "lookup"
    assert openai_server.last.tool_choice == {"type": "function", "function": {"name": "lookup"}}
    openai_server.script(model="t", tool_calls=[{"name": "lookup", "arguments": {"q": "x"}}])
    r = client.chat.completions.create(model="t", messages=USER, tools=tools)
    assert json.loads(r.choices[0].message.tool_calls[0].function.arguments) == {"q": "x"}


def test_streamed_tool_call_reassembles(client, openai_server):
    stream = client.chat.completions.create(
        model="t", messages=USER, tools=[WEATHER_TOOL], tool_choice="required", stream=True
    )
    name, args = "", ""
    for c in stream:
        for tc in (c.choices[0].delta.tool_calls or []) if c.choices else []:
            name += tc.function.name or ""
            args += tc.function.arguments or ""
    assert name == "get_weather" and set(json.loads(args)) == {"city", "unit", "days"}


def test_response_format_json_schema_validates(client, openai_server):
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "tags", "kid"],
        "properties": {
            "name": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "kid": {"$ref": "#/$defs/Kid"},
        },
        "$defs": {
            "Kid": {
                "type": "object",
                "properties": {"age": {"anyOf": [{"type": "integer"}, {"type": "null"}]}},
            }
        },
    }
    r = client.chat.completions.create(
        model="j",
        messages=USER,
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "Person", "schema": schema, "strict": True},
        },
    )
    data = json.loads(r.choices[0].message.content)
    assert isinstance(data["name"], str) and isinstance(data["tags"], list)
    assert isinstance(data["kid"]["age"], int)
    r = client.chat.completions.create(
        model="j", messages=USER, response_format={"type": "json_object"}
    )
    assert isinstance(json.loads(r.choices[0].message.content), dict)
    assert openai_server.last.response_format == {"type": "json_object"}


def test_example_from_schema_bounds_and_formats():
    assert example_from_schema({"type": "integer", "minimum": 5}) == 5
    assert example_from_schema({"type": "string", "minLength": 30}).__len__() >= 30
    assert example_from_schema({"type": "array", "items": {"type": "boolean"}, "minItems": 2}) == [
        True,
        True,
    ]
    assert example_from_schema({"allOf": [{"properties": {"a": {"const": 1}}}]}) == {"a": 1}


def test_legacy_completions_and_embeddings(client, openai_server):
    r = client.completions.create(model="instruct", prompt="Say hi", max_tokens=50)
    assert r.choices[0].text == default_reply("instruct")
    assert r.usage.prompt_tokens == len("Say hi") // 4 + 1
    parts = list(client.completions.create(model="instruct", prompt="Say hi", stream=True))
    assert "".join(p.choices[0].text for p in parts if p.choices) == default_reply("instruct")
    e1 = client.embeddings.create(model="emb", input=["hello world", "hello world", "other"])
    v = [d.embedding for d in e1.data]
    assert v[0] == v[1] and v[0] != v[2] and len(v[0]) == 64
    assert abs(sum(x * x for x in v[0]) - 1) < 1e-5
    e2 = client.embeddings.create(model="emb", input="x", dimensions=8, encoding_format="float")
    assert len(e2.data[0].embedding) == 8


def test_http_status_failures_then_recovery(client, openai_server):
    openai_server.fail(model="flaky", status=429, times=2, retry_after=1)
    openai_server.fail(model="broken", status=503, times=None)
    for _ in range(2):
        with pytest.raises(openai.RateLimitError) as info:
            client.chat.completions.create(model="flaky", messages=USER)
    assert info.value.status_code == 429
    assert client.chat.completions.create(model="flaky", messages=USER).choices[0].message.content
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(model="broken", messages=USER)
    assert client.chat.completions.create(model="fine", messages=USER).choices
    assert openai_server.models == ["flaky", "flaky", "flaky", "broken", "fine"]


def test_content_filter_failure(client, openai_server):
    openai_server.fail(kind="content_filter")
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model="m", messages=USER)
    assert info.value.code == "content_filter"


def test_transport_failures(openai_server):
    client = openai.OpenAI(
        base_url=openai_server.base_url, api_key="sk-test", max_retries=0, timeout=0.3
    )
    openai_server.fail(model="m", kind="timeout", delay=1.5)
    with pytest.raises(openai.APITimeoutError):
        client.chat.completions.create(model="m", messages=USER)
    openai_server.fail(model="m", kind="reset")
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(model="m", messages=USER)
    openai_server.fail(model="m", kind="malformed")
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(model="m", messages=USER)
    openai_server.fail(model="m", kind="cut_stream")
    stream = client.chat.completions.create(model="m", messages=USER, stream=True)
    received = []
    with pytest.raises(httpx.RemoteProtocolError):
        for chunk in stream:
            received.append(chunk.choices[0].delta.content)
    assert received and received[0]  # the first chunk arrived before the drop
    # every failure was one-shot: the next call succeeds
    assert client.chat.completions.create(model="m", messages=USER).choices[0].message.content


def test_empty_choices_cut_before_the_first_chunk_and_a_late_first_chunk(client, openai_server):
    openai_server.fail(model="m", kind="empty_choices")
    plain = client.chat.completions.create(model="m", messages=USER)
    assert plain.choices == [] and plain.usage is not None and plain.usage.prompt_tokens > 0
    openai_server.fail(model="m", kind="empty_choices")
    chunks = list(client.chat.completions.create(model="m", messages=USER, stream=True))
    assert [c.choices for c in chunks] == [[]]
    openai_server.fail(model="m", kind="cut_stream", after_chunks=0)
    stream = client.chat.completions.create(model="m", messages=USER, stream=True)
    with pytest.raises(httpx.RemoteProtocolError):
        next(iter(stream))
    openai_server.script(model="m", first_chunk_delay=0.4, times=1)
    stream = client.chat.completions.create(model="m", messages=USER, stream=True)
    t0 = time.perf_counter()
    first = next(iter(stream))
    assert time.perf_counter() - t0 >= 0.35
    assert first.choices[0].delta.content


async def test_async_failure_injection(aclient, openai_server):
    openai_server.fail(status=500)
    with pytest.raises(openai.InternalServerError):
        await aclient.chat.completions.create(model="x", messages=USER)
    assert (await aclient.chat.completions.create(model="x", messages=USER)).choices


def test_fail_arguments_are_checked(openai_server):
    with pytest.raises(TypeError):
        openai_server.fail(model="m")
    with pytest.raises(ValueError, match="kind"):
        openai_server.fail(kind="explode")
    with pytest.raises(TypeError, match="unknown"):
        openai_server.script(model="m", replies="x")


def test_match_predicate_and_reset(client, openai_server):
    openai_server.fail(status=500, times=None, match=lambda r: r.system_prompt == "bad")
    with pytest.raises(openai.InternalServerError):
        client.chat.completions.create(
            model="m", messages=[{"role": "system", "content": "bad"}, *USER]
        )
    assert client.chat.completions.create(model="m", messages=USER).choices
    openai_server.reset()
    assert openai_server.requests == []
    assert client.chat.completions.create(
        model="m", messages=[{"role": "system", "content": "bad"}, *USER]
    ).choices


def test_unknown_route_and_standalone_use():
    with FakeOpenAIServer() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        resp = httpx.post(server.url + "/v1/nope", json={})
        assert resp.status_code == 404 and "error" in resp.json()
        resp = httpx.post(server.base_url + "/chat/completions", content=b"not json")
        assert resp.status_code == 400


def test_langchain_chat_openai_works_against_server(openai_server):
    lc_openai = pytest.importorskip("langchain_openai")
    from pydantic import BaseModel

    class Person(BaseModel):
        name: str
        age: int

    model = lc_openai.ChatOpenAI(
        model="cheap", base_url=openai_server.base_url, api_key="sk-test", max_retries=0
    )
    msg = model.invoke("hello")
    assert msg.content == default_reply("cheap") and msg.usage_metadata["input_tokens"] == 2
    assert "".join(c.content for c in model.stream("hello")) == default_reply("cheap")
    assert isinstance(model.with_structured_output(Person).invoke("x"), Person)
    bound = model.bind_tools([WEATHER_TOOL["function"]])
    assert bound.invoke("weather in Paris?").tool_calls[0]["name"] == "get_weather"


def test_llamaindex_openai_works_against_server(openai_server):
    li_openai = pytest.importorskip("llama_index.llms.openai")
    llm = li_openai.OpenAI(
        model="gpt-4o-mini", api_base=openai_server.base_url, api_key="sk-test", max_retries=0
    )
    assert llm.complete("hi").text == default_reply("gpt-4o-mini")
    assert "".join(r.delta for r in llm.stream_complete("hi")) == default_reply("gpt-4o-mini")
    # note: LlamaIndex's OpenAI with an *instruct* model (legacy /v1/completions) calls tiktoken,
    # which downloads its encoding: not possible offline, so only chat models are used here
    assert openai_server.models == ["gpt-4o-mini", "gpt-4o-mini"]


def test_cut_stream_after_n_chunks(client, openai_server):
    openai_server.fail(model="m", kind="cut_stream", after_chunks=2)
    received = []
    with pytest.raises((httpx.RemoteProtocolError, openai.APIConnectionError)):
        for chunk in client.chat.completions.create(model="m", messages=USER, stream=True):
            received.append(chunk.choices[0].delta.content)
    assert len(received) == 2 and "".join(received) in default_reply("m")
