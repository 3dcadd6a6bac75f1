"""The run an inner model gets (:class:`langchain_router.handler_errors.HandlerGuard`): the
first error a callback handler raises is kept, not raised into the inner model."""

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

from langchain_router.handler_errors import HandlerGuard, guard


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


def test_no_run_stays_no_run() -> None:
    assert guard(None) is None


def test_the_first_error_is_kept_and_later_events_are_not_sent() -> None:
    handler = Counting(fail_on=2)
    run = HandlerGuard(_run(CallbackManagerForLLMRun, handler))

    for token in ("a", "b", "c"):
        run.on_llm_new_token(token)  # does not raise

    assert handler.tokens == ["a", "b"]  # LangChain stops the run at the error
    assert isinstance(run.error, Boom) and str(run.error) == "b"


def test_an_async_run_s_events_are_awaited_and_guarded() -> None:
    handler = Counting(fail_on=1)
    run = HandlerGuard(_run(AsyncCallbackManagerForLLMRun, handler))

    async def send() -> None:
        await run.on_llm_new_token("a")
        await run.on_llm_new_token("b")

    asyncio.run(send())
    assert handler.tokens == ["a"] and isinstance(run.error, Boom)


def test_events_that_raise_nothing_pass_through_and_other_attributes_are_the_run_s() -> None:
    inner = _run(CallbackManagerForLLMRun, Counting())
    run = HandlerGuard(inner)

    run.on_llm_new_token("a")

    assert run.error is None
    assert (run.run_id, run.tags, run.metadata) == (inner.run_id, ["t"], {"user": "u"})
    with pytest.raises(AttributeError):
        run._private_name  # noqa: B018
