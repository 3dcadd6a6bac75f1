"""Usage carried by a client's error (the OpenAI SDK's ``LengthFinishReasonError``)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shared_core.error_usage import usage_in_error
from shared_core.pricing import Usage


def _completion(inp: Any, out: Any, cached: Any = None, content: Any = "cut") -> Any:
    details = SimpleNamespace(cached_tokens=cached)
    usage = SimpleNamespace(prompt_tokens=inp, completion_tokens=out, prompt_tokens_details=details)
    message = SimpleNamespace(content=content)
    return SimpleNamespace(usage=usage, model="gpt-4o-mini", choices=[SimpleNamespace(message=message)])


class _Cut(Exception):
    def __init__(self, completion: Any) -> None:
        super().__init__("length")
        self.completion = completion


@given(inp=st.integers(0, 10**6), out=st.integers(0, 10**6), cached=st.integers(0, 10**6))
def test_the_usage_and_text_of_the_completion_an_error_carries(inp: int, out: int, cached: int) -> None:
    usage, text = usage_in_error(_Cut(_completion(inp, out, cached)))
    assert usage == Usage(inp, out, min(cached, inp)) and text == "cut"


def test_an_error_raised_from_one_that_carries_a_completion() -> None:
    try:
        try:
            raise _Cut(_completion(3, 4))
        except _Cut as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert usage_in_error(outer) == (Usage(3, 4), "cut")


def test_no_completion_no_usage_or_no_believable_usage() -> None:
    assert usage_in_error(RuntimeError("500")) == (None, None)
    assert usage_in_error(_Cut(SimpleNamespace(usage=None, choices=[]))) == (None, None)
    assert usage_in_error(_Cut(_completion(-1, 5, content=None))) == (None, None)
    assert usage_in_error(_Cut(_completion(None, None))) == (None, "cut")
