"""The run an inner model gets (:class:`langchain_router.handler_errors.HandlerWatch`): every
event goes through unchanged, a handler's error included, and what each token brought is
noted for the record of an attempt the handler stopped."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    BaseCallbackHandler,
    CallbackManagerForLLMRun,
)
from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_router.handler_errors import HandlerWatch, watch
from shared_core.dispatch import StopCall
from shared_core.pricing import Usage


class Boom(Exception):
    pass


class Counting(BaseCallbackHandler):
    raise_error = True

    def __init__(self, fail_on: int | None = None) -> None:
        self.tokens: list[str] = []
        self.fail_on = fail_on

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)
        if self.fail_on is not None and len(self.tokens) == self.fail_on:
            raise Boom(token)


def _run(cls: Any, *handlers: BaseCallbackHandler) -> Any:
    return cls(
        run_id=uuid.uuid4(), handlers=list(handlers), inheritable_handlers=[],
        tags=["t"], metadata={"user": "u"},
    )


def _chunk(text: str, usage: dict[str, int] | None = None, **fields: Any) -> ChatGenerationChunk:
    return ChatGenerationChunk(message=AIMessageChunk(content=text, usage_metadata=usage, **fields))  # type: ignore[arg-type]


def test_no_run_stays_no_run() -> None:
    assert watch(None) is None


def test_a_handler_s_error_goes_through_and_is_kept() -> None:
    """As LangChain's run does, the error is raised into the inner model (which stops)."""
    handler = Counting(fail_on=2)
    run = HandlerWatch(_run(CallbackManagerForLLMRun, handler))

    run.on_llm_new_token("ab")
    with pytest.raises(Boom) as info:
        run.on_llm_new_token("cd")

    assert handler.tokens == ["ab", "cd"]
    assert run.error is info.value and run.tokens == 2


def test_an_async_run_s_events_are_awaited_and_watched() -> None:
    handler = Counting(fail_on=1)
    run = HandlerWatch(_run(AsyncCallbackManagerForLLMRun, handler))

    async def send() -> None:
        await run.on_llm_new_token("a")

    with pytest.raises(Boom) as info:
        asyncio.run(send())
    assert handler.tokens == ["a"] and run.error is info.value and run.tokens == 1


def test_the_stop_records_what_came_up_to_the_raising_token() -> None:
    run = HandlerWatch(_run(CallbackManagerForLLMRun, Counting(fail_on=3)))

    run.on_llm_new_token("12345678")  # no chunk: the token's text
    run.on_llm_new_token("", chunk=_chunk("", tool_call_chunks=[
        {"name": "f", "args": '{"a"', "id": "1", "index": 0, "type": "tool_call_chunk"}
    ]))
    with pytest.raises(Boom) as info:
        run.on_llm_new_token("abcd", chunk=_chunk("abcd"))
    stop = run.stop(info.value)

    assert isinstance(stop, StopCall) and stop.error is info.value
    assert stop.received_text == '12345678f{"a"abcd'  # the raising token counts: it was generated
    assert stop.usage is None  # no chunk carried any: the plan estimates
    assert stop.reason is not None and "callback handler raised Boom" in stop.reason


def test_the_usage_chunks_carried_is_added_up() -> None:
    run = HandlerWatch(_run(CallbackManagerForLLMRun, Counting()))

    run.on_llm_new_token("a", chunk=_chunk("a", {"input_tokens": 100, "output_tokens": 1, "total_tokens": 101}))
    run.on_llm_new_token("b", chunk=_chunk("b"))
    run.on_llm_new_token("", chunk=_chunk("", {"input_tokens": 0, "output_tokens": 6, "total_tokens": 6}))

    assert run.stop(Boom()).usage == Usage(100, 7)


def test_only_the_handler_s_error_or_one_raised_while_handling_it_is_the_handler_s() -> None:
    run = HandlerWatch(_run(CallbackManagerForLLMRun, Counting(fail_on=1)))
    assert not run.raised(Boom())  # nothing raised yet
    with pytest.raises(Boom) as info:
        run.on_llm_new_token("a")
    err = info.value

    def closing_fails() -> None:
        try:
            raise err
        except Boom:
            raise OSError("closing the response failed") from None

    with pytest.raises(OSError) as later:
        closing_fails()

    assert run.raised(err)
    assert run.raised(later.value)  # (its context is the handler's error)
    assert not run.raised(Boom("another"))
    assert not run.raised(RuntimeError("a provider's"))


def test_events_that_raise_nothing_pass_through_and_other_attributes_are_the_run_s() -> None:
    handler = Counting()
    inner = _run(CallbackManagerForLLMRun, handler)
    run = HandlerWatch(inner)

    run.on_llm_new_token("a")
    run.on_llm_new_token("b")

    assert handler.tokens == ["a", "b"] and run.error is None and run.tokens == 2
    assert (run.run_id, run.tags, run.metadata) == (inner.run_id, ["t"], {"user": "u"})
    with pytest.raises(AttributeError):
        run._private_name  # noqa: B018
