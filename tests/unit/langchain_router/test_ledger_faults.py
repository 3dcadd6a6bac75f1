"""What the LangChain adapter writes to a ledger when callers or providers misbehave: nothing is
lost and every record says what happened."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from langchain_router import RoutedChatModel
from shared_core.ledger import SQLiteLedger

from .conftest import StreamingEchoChat, tier_config


def test_a_user_id_with_a_lone_surrogate_does_not_hold_back_later_records(
    two_tiers: Any, fake_classifier: Any, tmp_path
) -> None:
    path = tmp_path / "costs.sqlite"
    llm = RoutedChatModel(tiers=two_tiers, config=tier_config(), classifier=fake_classifier, ledger=str(path))
    mallory = json.loads('"mallory\\ud800"')  # as a JSON request body can carry it
    llm.invoke("hi", config={"metadata": {"user": mallory}})
    for who in ("alice", "bob", "carol"):
        llm.invoke("hi", config={"metadata": {"user": who}})
    assert llm.router.ledger.pending == 0
    other = SQLiteLedger(str(path))  # another worker, or `tier-router stats`
    assert [r.user for r in other.records()] == [mallory, "alice", "bob", "carol"]  # as given
    assert other.spend("global", 0) > 0


class _CutStream(StreamingEchoChat):
    """Streams ``reply`` word by word and loses the connection after ``cut`` chunks (usage
    would only have come on the last chunk, as OpenAI sends it)."""

    cut: int = 40

    def _stream(self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any) -> Iterator[Any]:
        for i, chunk in enumerate(super()._stream(messages, stop, run_manager, **kwargs)):
            if i == self.cut:
                raise ConnectionResetError("Connection reset by peer")
            yield chunk


@pytest.mark.parametrize("how", ["stream", "astream"])
def test_a_stream_the_provider_cuts_is_billed_like_one_the_caller_closes(
    fake_classifier: Any, how: str
) -> None:
    reply = " ".join(f"word{i}" for i in range(200))
    tiers = {"cheap": _CutStream(name_="cheap", model_name="gpt-4o-mini", reply=reply, errors=[], seen=[]),
             "strong": StreamingEchoChat(name_="strong", model_name="gpt-4o", errors=[], seen=[])}
    llm = RoutedChatModel(tiers=tiers, config=tier_config(), classifier=fake_classifier)

    async def drain() -> str:
        return "".join([str(c.content) async for c in llm.astream("write a long story")])

    with pytest.raises(ConnectionResetError):
        "".join(str(c.content) for c in llm.stream("write a long story")) if how == "stream" else asyncio.run(drain())
    [cut] = llm.router.ledger.records()
    assert cut.status == "failed" and cut.error_kind == "connection"
    assert cut.output_tokens > 0 and cut.input_tokens > 0 and cut.cost_usd is not None and cut.cost_usd > 0

    closed = RoutedChatModel(tiers={**tiers, "cheap": StreamingEchoChat(
        name_="cheap", model_name="gpt-4o-mini", reply=reply, errors=[], seen=[])},
        config=tier_config(), classifier=fake_classifier)
    it = closed.stream("write a long story")
    for i, _ in enumerate(it):
        if i == tiers["cheap"].cut - 1:
            break
    it.close()
    [abandoned] = closed.router.ledger.records()
    assert abandoned.status == "abandoned"
    assert (cut.input_tokens, cut.output_tokens) == (abandoned.input_tokens, abandoned.output_tokens)
    assert cut.cost_usd == pytest.approx(abandoned.cost_usd)


@pytest.mark.parametrize("how", ["stream_buffered", "astream_buffered", "ainvoke_under_astream_events"])
def test_a_cut_stream_nothing_reached_the_caller_of_is_still_billed_then_falls_back(
    fake_classifier: Any, how: str
) -> None:
    """The router held the cut stream back (``buffer_streams``, or an ``ainvoke`` that
    LangChain streams under ``astream_events``, as LangGraph's messages mode does), so the
    call may fall back; the cut attempt was recorded with 0 tokens and no cost although the
    provider had generated, and billed, what it streamed. Now it carries the tokens of the
    text received, as an unbuffered cut does."""
    from langchain_core.runnables import RunnableLambda

    reply = " ".join(f"word{i}" for i in range(200))
    tiers = {"cheap": _CutStream(name_="cheap", model_name="gpt-4o-mini", reply=reply, errors=[], seen=[]),
             "strong": StreamingEchoChat(name_="strong", model_name="gpt-4o", errors=[], seen=[])}
    extra = {"escalation": {"buffer_streams": True}} if how != "ainvoke_under_astream_events" else {}
    llm = RoutedChatModel(tiers=tiers, config=tier_config(**extra), classifier=fake_classifier)

    async def drain() -> str:
        return "".join([str(c.content) async for c in llm.astream("write a long story")])

    async def events() -> None:
        async def node(x: str) -> Any:
            return await llm.ainvoke(x)

        async for _ in RunnableLambda(node).astream_events("write a long story", version="v2"):
            pass

    if how == "stream_buffered":
        text = "".join(str(c.content) for c in llm.stream("write a long story"))
    elif how == "astream_buffered":
        text = asyncio.run(drain())
    else:
        asyncio.run(events())
        text = "strong: write a long story"
    assert text == "strong: write a long story"  # fell back: nothing of the cut reached the caller
    cut, answered = llm.router.ledger.records()
    assert (cut.status, cut.error_kind, answered.status) == ("failed", "connection", "ok")
    assert cut.input_tokens > 0 and cut.output_tokens >= 40  # the 40 words received
    assert cut.cost_usd is not None and cut.cost_usd > 0
