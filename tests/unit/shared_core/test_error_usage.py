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


def test_an_empty_answer_s_usage_on_a_bad_response_error_or_in_the_frame_that_indexed_it() -> None:
    from shared_core.errors import BadResponseError

    err = BadResponseError.no_choices("cheap", usage=Usage(8, 20))
    assert usage_in_error(err) == (Usage(8, 20), None)
    assert usage_in_error(BadResponseError.no_choices("cheap")) == (None, None)

    def read(response: Any) -> Any:  # what a client does with the answer it got
        return response.choices[0].message

    empty = SimpleNamespace(
        choices=[], model="gpt-4o-mini",
        usage=SimpleNamespace(prompt_tokens=8, completion_tokens=20, prompt_tokens_details=None),
    )
    try:
        read(empty)
    except IndexError as exc:
        wrapped = BadResponseError.no_choices("cheap", exc)
        wrapped.__cause__ = exc
        assert usage_in_error(wrapped) == (Usage(8, 20), None)
    try:
        read(SimpleNamespace(choices=[]))
    except IndexError as exc:  # an IndexError of no answer: nothing found
        assert usage_in_error(exc) == (None, None)
