"""``RoutedChatModel.with_structured_output`` against plain ``ChatOpenAI`` (the fake server).

A drop-in: the same objects, the same exception types (``OutputParserException`` for
output that does not parse, pydantic's ``ValidationError`` where plain ``ChatOpenAI`` raises
one), the same partial objects when streamed. And nothing is lost: an attempt whose
structured answer fails its schema (or is cut by ``max_tokens``) is recorded with the
provider's own usage.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import OutputParserException
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, ValidationError

from langchain_router import RoutedChatModel
from shared_core import AllTiersFailedError, RouterConfig
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

PRICES = {"gpt-4o-mini": (0.15, 0.60), "gpt-4o": (2.50, 10.00)}
PROMPT = "What is the capital of France? Answer in JSON."
DICT_SCHEMA = {
    "title": "Capital",
    "description": "A country's capital.",
    "type": "object",
    "properties": {"country": {"type": "string"}, "city": {"type": "string"}},
    "required": ["country", "city"],
}
GOOD = '{"country": "France", "city": "Paris, capital of the French Republic"}'


class Capital(BaseModel):
    country: str
    city: str


def _inner(server: FakeOpenAIServer, model: str) -> ChatOpenAI:
    return ChatOpenAI(
        model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
        http_async_client=httpx.AsyncClient(),
    )


def _routed(server: FakeOpenAIServer, **extra: Any) -> RoutedChatModel:
    config = RouterConfig.build({
        "tiers": [
            {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64,
             "input_price": 0.15, "output_price": 0.60},
            {"name": "strong", "model": "gpt-4o", "max_tokens": 256,
             "input_price": 2.50, "output_price": 10.00},
        ],
        **extra,
    })
    return RoutedChatModel(
        tiers={"cheap": _inner(server, "gpt-4o-mini"), "strong": _inner(server, "gpt-4o")},
        config=config,
        classifier=FakeClassifier({}, default="cheap", labels=["cheap", "strong"]),
        ledger=InMemoryLedger(),
    )


def _records_carry_server_usage(routed: RoutedChatModel, server: FakeOpenAIServer) -> None:
    """Every request the server answered (with a usage) is one record with exactly that
    usage, priced at its tier's prices: whatever its status."""
    reported = sorted(
        (q.model, q.usage["prompt_tokens"], q.usage["completion_tokens"])
        for q in server.chat_requests if q.usage is not None
    )
    recs = routed.router.ledger.records()
    assert reported, "the server answered nothing"
    assert sorted((r.model, r.input_tokens, r.output_tokens) for r in recs) == reported
    for r in recs:
        pin, pout = PRICES[r.model]
        assert r.cost_usd == pytest.approx((r.input_tokens * pin + r.output_tokens * pout) / 1e6, rel=1e-9)


def _run(chain: Any, how: str) -> Any:
    if how == "invoke":
        return chain.invoke(PROMPT)
    if how == "ainvoke":
        return asyncio.run(chain.ainvoke(PROMPT))
    if how == "stream":
        return list(chain.stream(PROMPT))
    return asyncio.run(_alist(chain.astream(PROMPT)))


async def _alist(it: Any) -> list[Any]:
    return [x async for x in it]


# -- F3: the usage of an answer that fails its schema is recorded ------------------------------


@pytest.mark.parametrize("how", ["invoke", "ainvoke", "stream", "astream"])
@pytest.mark.parametrize(
    "cheap_reply",
    ['{"country": "France"}', "{not json", '{"country": "France", "city": ' + '"x' * 200],
    ids=["missing-field", "not-json", "cut-by-max-tokens"],
)
def test_a_json_schema_answer_that_fails_is_recorded_with_the_provider_s_usage(
    openai_server: FakeOpenAIServer, how: str, cheap_reply: str
) -> None:
    """``json_schema`` with a Pydantic class (``ChatOpenAI``'s default): the OpenAI SDK's
    parse step raised (``ValidationError``, ``LengthFinishReasonError``) before LangChain
    saw the response, and the router recorded the paid attempt as ``failed`` with an
    estimated input and 0 output tokens (18x too cheap in the probe)."""
    openai_server.script(model="gpt-4o-mini", reply=cheap_reply)
    openai_server.script(model="gpt-4o", reply=GOOD)
    routed = _routed(openai_server, escalation={"buffer_streams": True})
    out = _run(routed.with_structured_output(Capital, method="json_schema"), how)
    last = out[-1] if isinstance(out, list) else out
    assert last == Capital.model_validate_json(GOOD)
    first = routed.router.ledger.records()[0]
    assert (first.tier, first.status) in (("cheap", "rejected"), ("cheap", "failed"))
    _records_carry_server_usage(routed, openai_server)


@pytest.mark.parametrize("how", ["invoke", "stream"])
def test_every_tier_failing_its_schema_is_recorded_with_usage_and_raises_as_plain(
    openai_server: FakeOpenAIServer, how: str
) -> None:
    openai_server.script(model=None, reply='{"country": "France"}')
    routed = _routed(openai_server, escalation={"buffer_streams": True})
    plain = _inner(openai_server, "gpt-4o")
    with pytest.raises(ValidationError):
        _run(plain.with_structured_output(Capital, method="json_schema"), "invoke")
    openai_server.reset()
    openai_server.script(model=None, reply='{"country": "France"}')
    with pytest.raises(ValidationError):  # (plain ChatOpenAI's stream raises it too)
        _run(routed.with_structured_output(Capital, method="json_schema"), how)
    assert [r.tier for r in routed.router.ledger.records()] == ["cheap", "strong"]
    _records_carry_server_usage(routed, openai_server)


def test_the_json_schema_sent_is_the_one_the_sdk_sends_for_the_class(
    openai_server: FakeOpenAIServer,
) -> None:
    """The router binds the class's JSON schema as a dict (the SDK's own conversion): the
    provider sees what plain ``ChatOpenAI`` sends, and the answer is validated by the router."""
    plain = _inner(openai_server, "gpt-4o")
    assert isinstance(plain.with_structured_output(Capital, method="json_schema").invoke(PROMPT), Capital)
    sent_plain = openai_server.chat_requests[-1].body["response_format"]
    routed = _routed(openai_server)
    assert isinstance(routed.with_structured_output(Capital).invoke(PROMPT), Capital)
    assert openai_server.chat_requests[-1].body["response_format"] == sent_plain


# -- F4: the exceptions a user sees are plain ChatOpenAI's -------------------------------------


def _outcome(chain: Any, how: str) -> str:
    try:
        out = _run(chain, how)
    except Exception as exc:  # what the caller catches
        llm_output = getattr(exc, "llm_output", None)
        return f"raises {type(exc).__name__} llm_output={llm_output!r}"
    if isinstance(out, dict) and "parsing_error" in out:
        err = out["parsing_error"]
        return f"parsing_error={type(err).__name__} llm_output={getattr(err, 'llm_output', None)!r}"
    return f"returns {out!r}"


@pytest.mark.parametrize("how", ["invoke", "ainvoke"])
@pytest.mark.parametrize(
    ("schema", "method", "include_raw", "reply", "tool_calls"),
    [
        (Capital, "json_mode", False, '{"country": "France", "city": ', None),
        (Capital, "json_mode", True, '{"country": "France", "city": ', None),
        (Capital, "json_mode", False, '{"country": "France"}', None),
        (DICT_SCHEMA, "json_mode", False, '{"country": "France", "city": ', None),
        (DICT_SCHEMA, "json_schema", False, "{not json", None),
        (DICT_SCHEMA, "json_schema", True, "{not json", None),
        (Capital, "json_schema", False, '{"country": "France", "city": ', None),
        (Capital, "json_schema", False, '{"country": "France"}', None),
        (Capital, "function_calling", False, None, [{"name": "Capital", "arguments": {"country": "France"}}]),
        (Capital, "function_calling", True, None, [{"name": "Capital", "arguments": {"country": "France"}}]),
        (DICT_SCHEMA, "function_calling", False, "no tool call", False),
    ],
)
def test_the_top_tier_s_unparsable_answer_raises_what_plain_chatopenai_raises(
    openai_server: FakeOpenAIServer, how: str, schema: Any, method: str, include_raw: bool,
    reply: str | None, tool_calls: Any,
) -> None:
    def script() -> None:
        openai_server.reset()
        if tool_calls is None:
            openai_server.script(model=None, reply=reply)
        else:
            openai_server.script(model=None, reply=reply, tool_calls=tool_calls)

    script()
    plain = _outcome(_inner(openai_server, "gpt-4o").with_structured_output(
        schema, method=method, include_raw=include_raw), how)
    script()
    routed = _outcome(_routed(openai_server).with_structured_output(
        schema, method=method, include_raw=include_raw), how)
    assert routed == plain


def test_output_parser_exception_handlers_catch_the_routed_model_s_errors(
    openai_server: FakeOpenAIServer,
) -> None:
    """``with_fallbacks(exceptions_to_handle=(OutputParserException,))``: the common way to
    recover from unparsable output; it missed the routed model's ``JSONDecodeError``."""
    openai_server.script(model=None, reply='{"country": "France", "city": ')
    routed = _routed(openai_server).with_structured_output(Capital, method="json_mode")
    recovered = routed.with_fallbacks(
        [_inner(openai_server, "gpt-4o").with_structured_output(DICT_SCHEMA, method="json_schema")],
        exceptions_to_handle=(OutputParserException,),
    )
    openai_server.script(model="gpt-4o", reply=GOOD, match=lambda q: "json_schema" in json.dumps(q.body.get("response_format")))
    assert recovered.invoke(PROMPT) == json.loads(GOOD)


def test_a_structured_call_every_tier_of_which_failed_is_still_an_all_tiers_failed_error(
    openai_server: FakeOpenAIServer,
) -> None:
    """Faults (not answers) on every tier stay the router's typed error, and are no parse
    failure (an ``OutputParserException`` handler does not swallow an outage)."""
    openai_server.fail(model=None, status=500, times=None)
    with pytest.raises(AllTiersFailedError) as info:
        _routed(openai_server).with_structured_output(Capital).invoke(PROMPT)
    assert not isinstance(info.value, OutputParserException)


class _SelfParsingChatOpenAI(ChatOpenAI):
    """An inner model whose own call parses its answer and raises (as ``ChatOpenAI`` did with
    a Pydantic ``json_schema``, before the router sent the schema as a dict)."""

    error: str = "parser"

    def _raise(self, text: str) -> None:
        if self.error == "parser":
            raise OutputParserException(f"Invalid json output: {text}", llm_output=text)
        Capital.model_validate_json(text)

    def _generate(self, *args: Any, **kwargs: Any) -> Any:
        result = super()._generate(*args, **kwargs)
        self._raise(result.generations[0].message.text)
        return result

    async def _agenerate(self, *args: Any, **kwargs: Any) -> Any:
        result = await super()._agenerate(*args, **kwargs)
        self._raise(result.generations[0].message.text)
        return result


@pytest.mark.parametrize("how", ["invoke", "ainvoke"])
@pytest.mark.parametrize("error", ["parser", "validation"])
def test_every_tier_failing_to_parse_raises_an_error_both_kinds_of_handler_catch(
    openai_server: FakeOpenAIServer, how: str, error: str
) -> None:
    """Every tier's own parser raised: the router's ``AllTiersFailedError`` (with each
    attempt) that is also the ``OutputParserException`` a plain model's caller catches."""
    from langchain_router.structured import StructuredOutputError

    def chain() -> Any:  # (one per run: an async client belongs to its event loop)
        routed = _routed(openai_server)
        for name in ("cheap", "strong"):
            routed.tiers[name] = _SelfParsingChatOpenAI(
                model=routed.tiers[name].model_name, base_url=openai_server.base_url,
                api_key="sk-test", max_retries=0, http_async_client=httpx.AsyncClient(), error=error,
            )
        return routed.with_structured_output(Capital, method="json_mode")

    bad = '{"country": "France", "city": '
    openai_server.script(model=None, reply=bad)
    with pytest.raises(OutputParserException) as info:
        _run(chain(), how)
    err = info.value
    assert isinstance(err, StructuredOutputError) and isinstance(err, AllTiersFailedError)
    assert [e.tier for e in err.errors] == ["cheap", "strong"]
    if error == "parser":
        assert err.llm_output == bad
    try:
        _run(chain(), how)
    except AllTiersFailedError as again:
        assert isinstance(again, StructuredOutputError)
    recovered = chain().with_fallbacks(
        [_inner(openai_server, "gpt-4o").with_structured_output(DICT_SCHEMA, method="json_schema")],
        exceptions_to_handle=(OutputParserException,),
    )
    openai_server.script(
        model=None, reply=GOOD, match=lambda q: "json_schema" in json.dumps(q.body.get("response_format"))
    )
    assert _run(recovered, how) == json.loads(GOOD)


# -- F5: streamed structured output yields partial objects -------------------------------------


@pytest.mark.parametrize("how", ["stream", "astream"])
@pytest.mark.parametrize(
    ("schema", "method"),
    [
        (DICT_SCHEMA, "json_schema"),
        (DICT_SCHEMA, "function_calling"),
        (DICT_SCHEMA, "json_mode"),
        (DICT_SCHEMA, None),
        (Capital, "json_mode"),
        (Capital, "json_schema"),
        (Capital, "function_calling"),
    ],
)
@pytest.mark.parametrize("buffered", [False, True])
def test_a_structured_stream_yields_the_partial_objects_plain_chatopenai_yields(
    openai_server: FakeOpenAIServer, how: str, schema: Any, method: str | None, buffered: bool
) -> None:
    """Plain ``ChatOpenAI`` streams partial objects (a dict schema: 3 here; a Pydantic class in
    ``json_mode``: 2); the routed model streamed one final object. Buffered or not, the same
    objects now (a buffered stream releases its chunks after the checks pass, one by one)."""

    def script() -> None:
        openai_server.reset()
        if method != "function_calling":
            openai_server.script(model=None, reply=GOOD)

    kw = {} if method is None else {"method": method}
    script()
    plain = _run(_inner(openai_server, "gpt-4o-mini").with_structured_output(schema, **kw), how)
    script()
    routed = _routed(openai_server, escalation={"buffer_streams": buffered})
    got = _run(routed.with_structured_output(schema, **kw), how)
    assert got == plain
    if schema is DICT_SCHEMA:
        assert len(got) > 1, "no partial objects"


@pytest.mark.parametrize("how", ["stream", "astream"])
def test_a_buffered_structured_stream_never_shows_the_rejected_answer_s_partials(
    openai_server: FakeOpenAIServer, how: str
) -> None:
    """The cheap answer's JSON breaks at its end (its partial objects parse): held back,
    checked, escalated; the caller sees only the strong tier's partial objects."""
    openai_server.script(model="gpt-4o-mini", reply='{"country": "Spain", "city": Madrid}')
    openai_server.script(model="gpt-4o", reply=GOOD)
    routed = _routed(openai_server, escalation={"buffer_streams": True})
    got = _run(routed.with_structured_output(DICT_SCHEMA, method="json_schema"), how)
    assert len(got) > 1 and got[-1] == json.loads(GOOD)
    assert not any("Spain" in json.dumps(x) for x in got)
    assert [(r.tier, r.status) for r in routed.router.ledger.records()] == [
        ("cheap", "rejected"), ("strong", "ok")
    ]


@pytest.mark.parametrize("how", ["stream", "astream"])
def test_an_unbuffered_structured_stream_is_live_and_not_checked(
    openai_server: FakeOpenAIServer, how: str
) -> None:
    """Without ``buffer_streams`` the chunks reach the caller as they come (partial objects
    live), so the whole-answer schema check cannot apply: the cheap answer stands, as a plain
    model's would (its parser yields what parses), and its record carries the server's usage."""
    openai_server.script(model="gpt-4o-mini", reply='{"country": "Spain", "city": Madrid}')
    routed = _routed(openai_server)
    got = _run(routed.with_structured_output(DICT_SCHEMA, method="json_schema"), how)
    assert got and got[-1] == {"country": "Spain"}
    assert [(r.tier, r.status) for r in routed.router.ledger.records()] == [("cheap", "ok")]
    _records_carry_server_usage(routed, openai_server)


@pytest.mark.parametrize("how", ["stream", "astream"])
def test_an_unbuffered_structured_stream_cut_by_max_tokens_records_its_usage(
    openai_server: FakeOpenAIServer, how: str
) -> None:
    """The SDK raises ``LengthFinishReasonError`` at the end of a cut stream (as it does for
    plain ``ChatOpenAI``): the chunks already reached the caller, so it is raised, and the
    attempt is recorded with the usage the error carries (not an estimate)."""
    import openai

    openai_server.script(model="gpt-4o-mini", reply='{"country": "France", "city": ' + '"x' * 200)
    routed = _routed(openai_server)
    with pytest.raises(openai.LengthFinishReasonError):
        _run(routed.with_structured_output(DICT_SCHEMA, method="json_schema"), how)
    (rec,) = routed.router.ledger.records()
    assert rec.status == "failed" and "estimated" not in (rec.error or "")
    _records_carry_server_usage(routed, openai_server)


def test_include_raw_catches_the_json_schema_validation_error_plain_raised_past_it(
    openai_server: FakeOpenAIServer,
) -> None:
    """A deliberate difference: plain ``ChatOpenAI``'s SDK raised ``ValidationError`` inside
    the model call, past ``include_raw``; the router validates in the parser, so the caller
    gets what ``include_raw`` promises: the raw message and the ``ValidationError``."""
    openai_server.script(model=None, reply='{"country": "France"}')
    routed = _routed(openai_server)
    out = routed.with_structured_output(Capital, method="json_schema", include_raw=True).invoke(PROMPT)
    assert out["parsed"] is None and isinstance(out["parsing_error"], ValidationError)
    assert out["raw"].content == '{"country": "France"}'
    _records_carry_server_usage(routed, openai_server)
