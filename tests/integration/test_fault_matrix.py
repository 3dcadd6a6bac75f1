"""The fault matrix (issue 14): every fault x both adapters x invoke / ainvoke / stream / astream.

Real inner clients (LangChain ``ChatOpenAI``, LlamaIndex ``OpenAI``, both with
``max_retries=0`` so that the router's fallback is the only retry) call the loopback server
(``tests/fake_openai_server.py``); the cheap tier's model misbehaves once. Each cell asserts
the outcome (the answer, or the exact error type), the requests the provider saw, an
elapsed-time bound, and the exact ledger records: tier, status, attempt index, error kind,
fallback / escalation flags, tokens (the usage the server reported) and the cost to the
last digit (those tokens at the tier's prices).

==========================  ===================================================================
fault on the cheap tier     outcome (both adapters, every mode unless said)
==========================  ===================================================================
429 + Retry-After, 500,     answered by the strong tier: cheap ``failed`` (error kind), strong
503, reset, hang, slow      ``ok`` (a fallback). Retry-After is not slept on: the next tier
first token, malformed      answers at once. A hang / slow first token is cut by the cheap
JSON, content filter (400)  tier's ``timeout_s`` (streams: the wait for the first chunk).
                            A reset, hang or slow first token of a non-streamed request (sent,
                            never answered), or its malformed JSON answer, is recorded at its
                            worst case: the input estimate plus the tier's whole output budget.
empty ``choices``           invoke: cheap ``failed`` / ``bad_response`` at the usage the
                            answer reported, then a fallback;
                            stream: an empty answer, cheap ``rejected`` / ``quality``, then an
                            escalation. Both: the strong tier answers.
error event before the     answered by the strong tier; cheap ``failed`` / ``server`` or
first token (``data:        ``rate_limit`` by the error's type / code, as the same fault answered
{"error": ...}``)           as an HTTP status (invoke modes: it is one, a 500)
stream cut before the       answered by the strong tier; cheap ``failed`` / ``connection``
first chunk                 (invoke modes: the connection breaks after the request was read,
                            its worst case; streams: the answer had begun, its input estimated)
stream cut after the        invoke: a fallback as above. LangChain streams: the chunk reached
first chunk                 the caller, so the provider's error surfaces and nothing else is
                            tried; LlamaIndex holds one chunk back, so it falls back, the
                            chunk it received billed.
filtered completion (200,   cheap ``rejected`` / ``quality``, strong ``ok`` (an escalation)
content_filter finish)
malformed usage (10**400    answered by the cheap tier; its record has the tokens estimated from
or -5 tokens)               the text sent and received and their cost, with a WARNING; nothing
                            raises
caller closes the stream    (stream modes) cheap ``abandoned``: tokens estimated from the text
after its first chunk       sent and read, cost from them; nothing else is tried
==========================  ===================================================================

Elapsed bounds are generous for a loaded 2-core CI machine; they still catch a slept
Retry-After (30 s), an uncut hang (3 s) and inner retries.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from shared_core import RouterConfig
from shared_core.ledger import CallRecord, InMemoryLedger
from shared_core.testing import FakeClassifier
from tests.fake_openai_server import FakeOpenAIServer, RecordedRequest, default_reply

pytestmark = pytest.mark.integration

CHEAP, STRONG = "gpt-4o-mini", "gpt-4o"
PRICES = {"cheap": (0.15, 0.60), "strong": (2.50, 10.00)}
CUT_S = 0.8  # the cheap tier's timeout_s: bounds a hung attempt / the wait for a first chunk
SLOW_S = 3.0  # how long the hung server sleeps (the strong tier never hangs)
QUICK_S = 4.0  # bound for a cell whose fault is answered at once (a loaded CI machine)
MODES = ("invoke", "ainvoke", "stream", "astream")
ADAPTERS = ("langchain", "llamaindex")


@dataclass(frozen=True)
class Row:
    """What one ledger record must hold (tokens and cost come from the server's usage)."""

    tier: str
    status: str
    error_kind: str | None = None
    fallback: bool = False
    escalated: bool = False
    usage: bool = True
    """The provider reported a usage the record must carry (else 0 tokens, cost ``None``)."""
    estimated: bool = False
    """No believable usage came: tokens estimated from the text sent and received."""
    sent_only: bool = False
    """A timeout: the request was sent (it may be billed), its input tokens estimated."""
    received: str | None = None
    """A stream cut after its first chunk: tokens estimated from the text sent and this text."""
    worst: bool = False
    """A non-streamed request sent and never answered: its input estimate plus its whole
    output budget (the tier's 64 tokens), what its hold reserved (an upper bound)."""


@dataclass(frozen=True)
class Cell:
    """One fault and what every mode of every adapter must do with it."""

    fail: dict[str, Any] = field(default_factory=dict)
    script: dict[str, Any] = field(default_factory=dict)
    records: tuple[Row, ...] = ()
    models: tuple[str, ...] = (CHEAP, STRONG)
    answer_tier: str = "strong"
    bound_s: float = QUICK_S
    stream_records: tuple[Row, ...] | None = None
    """Streams differ (``None``: the same as invoke)."""
    raises_in: tuple[str, ...] = ()
    """``"<adapter>-<mode>"`` cells where the provider's error reaches the caller."""
    raised_records: tuple[Row, ...] | None = None
    """What those cells record (``None``: the first row of ``records``)."""
    warns: str | None = None


FALLBACK = (Row("cheap", "failed", usage=False), Row("strong", "ok", fallback=True))


def _fallback(kind: str) -> tuple[Row, ...]:
    return (Row("cheap", "failed", kind, usage=False), Row("strong", "ok", fallback=True))


TIMED_OUT = (Row("cheap", "failed", "timeout", usage=False, sent_only=True), Row("strong", "ok", fallback=True))
# a non-streamed request sent and never answered: the provider may finish and bill it
TIMED_OUT_CALL = (Row("cheap", "failed", "timeout", usage=False, worst=True), Row("strong", "ok", fallback=True))
RESET_CALL = (Row("cheap", "failed", "connection", usage=False, worst=True), Row("strong", "ok", fallback=True))
BAD_RESPONSE = (  # a stream's first event no JSON: the client left, its input is estimated
    Row("cheap", "failed", "bad_response", usage=False, sent_only=True), Row("strong", "ok", fallback=True)
)
# a non-streamed answer that was no JSON: generated and billed, its usage lost with it
BAD_RESPONSE_CALL = (
    Row("cheap", "failed", "bad_response", usage=False, worst=True), Row("strong", "ok", fallback=True)
)


ESCALATION = (Row("cheap", "rejected", "quality"), Row("strong", "ok", escalated=True))
_FIRST_THIRD = default_reply(CHEAP)[: math.ceil(len(default_reply(CHEAP)) / 3)]  # a cut stream's first chunk

CELLS: dict[str, Cell] = {
    "429_retry_after": Cell(
        fail={"status": 429, "retry_after": 30}, records=_fallback("rate_limit")
    ),
    "500": Cell(fail={"status": 500}, records=_fallback("server")),
    "503": Cell(fail={"status": 503}, records=_fallback("server")),
    "reset": Cell(  # the server read the request, then reset the connection
        fail={"kind": "reset"}, records=RESET_CALL, stream_records=_fallback("connection")
    ),
    "hang": Cell(
        fail={"kind": "timeout", "delay": SLOW_S}, records=TIMED_OUT_CALL,
        stream_records=TIMED_OUT, bound_s=CUT_S + QUICK_S,
    ),
    "slow_first_token": Cell(
        script={"first_chunk_delay": SLOW_S}, records=TIMED_OUT_CALL,
        stream_records=TIMED_OUT, bound_s=CUT_S + QUICK_S,
    ),
    "malformed_json": Cell(fail={"kind": "malformed"}, records=BAD_RESPONSE_CALL, stream_records=BAD_RESPONSE),
    "empty_choices": Cell(
        fail={"kind": "empty_choices"},
        # the answer held no choices but said what it used: that usage is what is billed
        records=(Row("cheap", "failed", "bad_response"), Row("strong", "ok", fallback=True)),
        stream_records=ESCALATION,
    ),
    # a failure OpenAI reports in the stream itself: classified by its type / code as the
    # same fault is by its HTTP status (a non-streamed request gets it as a 500)
    "error_event_first": Cell(
        fail={"kind": "error_event", "after_chunks": 0}, records=_fallback("server"),
    ),
    "overloaded_event_first": Cell(
        fail={"kind": "error_event", "after_chunks": 0,
              "error": {"message": "Overloaded", "type": "overloaded_error", "code": "overloaded"}},
        records=_fallback("server"),
    ),
    "rate_limit_event_first": Cell(
        fail={"kind": "error_event", "after_chunks": 0,
              "error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}},
        records=_fallback("server"), stream_records=_fallback("rate_limit"),
    ),
    "cut_before_first_chunk": Cell(
        fail={"kind": "cut_stream", "after_chunks": 0}, records=RESET_CALL,
        # streams: the answer had begun (its headers came) when the body broke: input estimated
        stream_records=(Row("cheap", "failed", "connection", usage=False, sent_only=True),
                        Row("strong", "ok", fallback=True)),
    ),
    "cut_after_first_chunk": Cell(
        fail={"kind": "cut_stream", "after_chunks": 1},
        records=RESET_CALL,
        # LlamaIndex held the first chunk back and falls back; what it received was billed
        stream_records=(Row("cheap", "failed", "connection", usage=False, received=_FIRST_THIRD),
                        Row("strong", "ok", fallback=True)),
        raises_in=("langchain-stream", "langchain-astream"),
        # the caller had the first chunk (a third of the reply): generated, so billed
        raised_records=(Row("cheap", "failed", "connection", usage=False, received=_FIRST_THIRD),),
    ),
    "content_filter_400": Cell(fail={"kind": "content_filter"}, records=_fallback("content_filter")),
    "content_filter_200": Cell(
        script={"reply": "", "finish_reason": "content_filter"}, records=ESCALATION
    ),
    "usage_huge": Cell(
        script={"usage": {"prompt_tokens": 10**400}},
        records=(Row("cheap", "ok", usage=False, estimated=True),),
        models=(CHEAP,), answer_tier="cheap", warns="not believable",
    ),
    "usage_negative": Cell(
        script={"usage": {"completion_tokens": -5}},
        records=(Row("cheap", "ok", usage=False, estimated=True),),
        models=(CHEAP,), answer_tier="cheap", warns="not believable",
    ),
}


def _config() -> RouterConfig:
    return RouterConfig.build(
        {
            "tiers": [
                {"name": "cheap", "model": CHEAP, "max_tokens": 64, "timeout_s": CUT_S,
                 "input_price": PRICES["cheap"][0], "output_price": PRICES["cheap"][1]},
                {"name": "strong", "model": STRONG, "max_tokens": 256,
                 "input_price": PRICES["strong"][0], "output_price": PRICES["strong"][1]},
            ],
            "fallback": {"cooldown_failures": 100},
        }
    )


def _routed(cls: Any, inner: Callable[[str], Any]) -> Any:
    return cls(
        tiers={"cheap": inner(CHEAP), "strong": inner(STRONG)},
        config=_config(),
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
        ledger=InMemoryLedger(),
    )


def _langchain(server: FakeOpenAIServer) -> tuple[Any, Callable[[Any, str], Any]]:
    from langchain_openai import ChatOpenAI

    from langchain_router import RoutedChatModel

    def inner(model: str) -> ChatOpenAI:
        return ChatOpenAI(
            model=model, base_url=server.base_url, api_key="sk-test", max_retries=0,
            timeout=30, http_async_client=httpx.AsyncClient(),
        )

    async def run(model: Any, mode: str) -> str:
        if mode == "invoke":
            return str(model.invoke("hello").content)
        if mode == "ainvoke":
            return str((await model.ainvoke("hello")).content)
        if mode == "stream":
            return "".join(c.text for c in model.stream("hello"))
        return "".join([c.text async for c in model.astream("hello")])

    return _routed(RoutedChatModel, inner), run


def _llamaindex(server: FakeOpenAIServer) -> tuple[Any, Callable[[Any, str], Any]]:
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    def inner(model: str) -> OpenAI:
        return OpenAI(
            model=model, api_base=server.base_url, api_key="sk-test", max_retries=0, timeout=30
        )

    msgs = [ChatMessage(role="user", content="hello")]

    async def run(llm: Any, mode: str) -> str:
        if mode == "invoke":
            return str(llm.chat(msgs).message.content)
        if mode == "ainvoke":
            return str((await llm.achat(msgs)).message.content)
        if mode == "stream":
            return "".join(r.delta or "" for r in llm.stream_chat(msgs))
        return "".join([r.delta or "" async for r in await llm.astream_chat(msgs)])

    return _routed(RoutedLLM, inner), run


BUILD = {"langchain": _langchain, "llamaindex": _llamaindex}


def _cost(tier: str, usage: dict[str, Any]) -> float:
    inp, out = PRICES[tier]
    return (usage["prompt_tokens"] * inp + usage["completion_tokens"] * out) / 1_000_000.0


def _expected(row: Row, number: int, sent: RecordedRequest) -> dict[str, Any]:
    usage = sent.usage if row.usage else None
    if row.usage:
        assert usage is not None, f"the server reported no usage for attempt {number}"
    if row.estimated:  # "hello" sent (5 // 4 + 4 for one message), the reply's chars / 4
        usage = {"prompt_tokens": 5 // 4 + 4, "completion_tokens": (len(default_reply(CHEAP)) + 3) // 4}
    if row.sent_only or row.received is not None:
        usage = {"prompt_tokens": 5 // 4 + 4, "completion_tokens": (len(row.received or "") + 3) // 4}
    if row.worst:
        usage = {"prompt_tokens": 5 // 4 + 4, "completion_tokens": 64}
    return {
        "tier": row.tier,
        "model": CHEAP if row.tier == "cheap" else STRONG,
        "attempt": number,
        "status": row.status,
        "error_kind": row.error_kind,
        "fallback": row.fallback,
        "escalated": row.escalated,
        "input_tokens": usage["prompt_tokens"] if usage else 0,
        "output_tokens": usage["completion_tokens"] if usage else 0,
        "cost_usd": _cost(row.tier, usage) if usage else 0.0,  # not billed: a known zero
    }


def _actual(rec: CallRecord) -> dict[str, Any]:
    keys = ("tier", "model", "attempt", "status", "error_kind", "fallback", "escalated",
            "input_tokens", "output_tokens", "cost_usd")
    return {k: getattr(rec, k) for k in keys}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("fault", list(CELLS))
async def test_fault_matrix(
    openai_server: FakeOpenAIServer,
    caplog: pytest.LogCaptureFixture,
    fault: str,
    adapter: str,
    mode: str,
) -> None:
    cell = CELLS[fault]
    routed, run = BUILD[adapter](openai_server)
    if cell.fail:
        openai_server.fail(model=CHEAP, **cell.fail)
    if cell.script:
        openai_server.script(model=CHEAP, times=1, **cell.script)
    streaming = mode in ("stream", "astream")
    raises = f"{adapter}-{mode}" in cell.raises_in
    rows = cell.stream_records if streaming and cell.stream_records else cell.records
    if raises:
        rows = cell.raised_records or rows[:1]

    caplog.set_level(logging.WARNING)
    t0 = time.perf_counter()
    if raises:
        with pytest.raises(httpx.RemoteProtocolError):  # the provider's own error, unwrapped
            await run(routed, mode)
    else:
        text = await run(routed, mode)
        tier_model = CHEAP if cell.answer_tier == "cheap" else STRONG
        assert text == default_reply(tier_model)
    elapsed = time.perf_counter() - t0

    assert elapsed < cell.bound_s, f"{fault} took {elapsed:.2f} s (bound {cell.bound_s} s)"
    assert tuple(openai_server.models) == (cell.models[:1] if raises else cell.models)
    sent = openai_server.chat_requests
    records = routed.router.ledger.records()
    assert [_actual(r) for r in records] == [
        _expected(row, i, sent[i]) for i, row in enumerate(rows)
    ]
    assert len({r.call_id for r in records}) == 1, "every attempt belongs to one call"
    assert {r.framework for r in records} == {adapter}
    assert {r.streamed for r in records} == {streaming}
    if cell.warns:
        assert cell.warns in caplog.text


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_caller_closes_the_stream(
    openai_server: FakeOpenAIServer, adapter: str, mode: str
) -> None:
    """The caller closes the stream after its first chunk (a web client that went away): the
    provider was paid, so the attempt is recorded ``abandoned`` with a cost estimated from
    the text sent (``"hello"``: 5 // 4 + 4 tokens for one message) and read from the provider
    (chars / 4, rounded up), and nothing else is tried."""
    from shared_core.pricing import estimate_tokens

    routed, _ = BUILD[adapter](openai_server)
    t0 = time.perf_counter()
    if adapter == "langchain":
        if mode == "stream":
            it = routed.stream("hello")
            received = next(it).text
            it.close()
        else:
            ait = routed.astream("hello")
            received = (await anext(ait)).text
            await ait.aclose()
    else:
        from llama_index.core.base.llms.types import ChatMessage

        msgs = [ChatMessage(role="user", content="hello")]
        if mode == "stream":
            gen = routed.stream_chat(msgs)
            received = next(gen).delta or ""
            gen.close()
        else:
            agen = await routed.astream_chat(msgs)
            received = (await anext(agen)).delta or ""
            await agen.aclose()
    elapsed = time.perf_counter() - t0

    assert received, "the first chunk carried text"
    assert elapsed < QUICK_S
    assert openai_server.models == [CHEAP]
    # what the router read from the provider: LlamaIndex holds one chunk back, so it had read
    # the second of the server's three text chunks too
    reply = default_reply(CHEAP)
    piece = math.ceil(len(reply) / 3)
    assert received == reply[:piece]
    read = reply[: 2 * piece] if adapter == "llamaindex" else received
    tokens_in, tokens_out = len("hello") // 4 + 4, estimate_tokens(read)
    [rec] = routed.router.ledger.records()
    assert _actual(rec) == {
        "tier": "cheap", "model": CHEAP, "attempt": 0, "status": "abandoned",
        "error_kind": "abandoned", "fallback": False, "escalated": False,
        "input_tokens": tokens_in, "output_tokens": tokens_out,
        "cost_usd": (tokens_in * PRICES["cheap"][0] + tokens_out * PRICES["cheap"][1]) / 1e6,
    }
    assert (rec.framework, rec.streamed) == (adapter, True)
