"""The one rule that decides whether an attempt's reported usage is believed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shared_core.pricing import Usage, estimate_tokens
from shared_core.usage_belief import ESTIMATED, NOT_BELIEVABLE, believed_usage


def test_no_usage_is_estimated_from_both_sides() -> None:
    assert believed_usage(None, 12, "a" * 40) == (Usage(12, 10), ESTIMATED)


@given(inp=st.integers(1, 10**6), out=st.integers(1, 10**6), text=st.text(max_size=50))
def test_a_usage_with_both_sides_counted_is_believed(inp: int, out: int, text: str) -> None:
    assert believed_usage(Usage(inp, out), 12, text) == (Usage(inp, out), None)


def test_zero_output_for_an_empty_answer_is_believed() -> None:
    assert believed_usage(Usage(30, 0), 12, "") == (Usage(30, 0), None)


def test_zero_input_for_an_empty_request_is_believed() -> None:
    assert believed_usage(Usage(0, 5), 0, "hello") == (Usage(0, 5), None)


def test_only_the_impossible_side_is_estimated() -> None:
    usage, note = believed_usage(Usage(30, 0, 10), 12, "a" * 40)
    assert usage == Usage(30, 10, 10)
    assert note == f"{NOT_BELIEVABLE} (0 output tokens for a non-empty answer); output tokens estimated from the text received"
    usage, note = believed_usage(Usage(0, 7), 12, "a" * 40)
    assert usage == Usage(12, 7)
    assert note == f"{NOT_BELIEVABLE} (0 input tokens for a non-empty request); input tokens estimated from the text sent"


def test_zeros_for_an_answer_with_text_estimate_both_sides() -> None:
    usage, note = believed_usage(Usage(0, 0), 12, "tool_x{\"city\": \"Paris\"}")
    assert usage == Usage(12, estimate_tokens("tool_x{\"city\": \"Paris\"}"))
    assert note is not None and note.startswith(NOT_BELIEVABLE)
    assert note.endswith("tokens estimated from the text sent and received")
