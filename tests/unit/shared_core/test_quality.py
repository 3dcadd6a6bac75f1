"""Escalation checks on answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_core.config import EscalationConfig
from shared_core.quality import Answer, failed_check, is_filtered

CFG = EscalationConfig()


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, but I can't help with that.",
        "I am unable to answer this question.",
        "I'm not sure what you mean.",
        "As an AI language model, I cannot browse the internet.",
        "I don't know.",
    ],
)
def test_refusals_and_uncertainty_fail(text):
    assert "refusal" in failed_check(Answer(text), CFG)


@pytest.mark.parametrize(
    "text",
    [
        "Paris is the capital of France.",
        "Sorry for the delay! Here is the code: print(1)",
        "The function can't return None because of the guard clause.",
    ],
)
def test_ordinary_answers_pass(text):
    assert failed_check(Answer(text), CFG) is None


def test_min_length_and_json_and_custom_phrases():
    cfg = EscalationConfig(min_length=10, require_json=True, refusal_phrases=["out of scope"])
    assert "shorter" in failed_check(Answer("ok"), cfg)
    assert "JSON" in failed_check(Answer("this is not json at all"), cfg)
    assert failed_check(Answer('```json\n{"a": 1}\n```'), cfg) is None
    assert "refusal" in failed_check(Answer('{"a": "That is out of scope"}'), cfg)


def test_forced_tool_choice_needs_a_tool_call():
    assert "tool_choice" in failed_check(Answer("text only"), CFG, tool_choice_required=True)
    assert failed_check(Answer("", tool_calls=1), CFG, tool_choice_required=True) is None
    # a tool call is a complete step even if the text is empty
    assert failed_check(Answer("", tool_calls=2), EscalationConfig(min_length=5)) is None


def test_user_check_that_raises_fails_the_answer_instead_of_the_call():
    def broken(text):
        raise KeyError("x")

    assert "raised KeyError" in failed_check(Answer("fine"), CFG, user_checks=[broken])


@given(st.text(max_size=2000), st.integers(min_value=0, max_value=3))
def test_checks_never_raise(text, calls):
    cfg = EscalationConfig(min_length=3, require_json=True)
    result = failed_check(Answer(text, tool_calls=calls), cfg, tool_choice_required=True)
    assert result is None or isinstance(result, str)


# -- filtered and empty answers: checked whatever the other settings ------------------------

OFF = EscalationConfig(refusal_check=False, min_length=0, require_json=False)


@pytest.mark.parametrize("reason", ["content_filter", "CONTENT_FILTER", "SAFETY", "refusal"])
def test_filtered_answer_fails_even_with_text_and_checks_off(reason):
    for cfg in (CFG, OFF):
        out = failed_check(Answer("Here is half of it", finish_reason=reason), cfg)
        assert out is not None and "content filter" in out
        assert "content filter" in failed_check(Answer("", finish_reason=reason), cfg)
    # a filter beats a tool call too: the provider stopped the step
    assert failed_check(Answer("", tool_calls=1, finish_reason=reason), OFF) is not None


@pytest.mark.parametrize("reason", [None, "stop", "length", "tool_calls", "end_turn"])
def test_ordinary_finish_reasons_do_not_fail(reason):
    assert failed_check(Answer("Paris.", finish_reason=reason), OFF) is None


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_answer_fails_even_with_refusal_check_off(text):
    assert failed_check(Answer(text), OFF) == "empty answer"
    assert failed_check(Answer(text), CFG) == "empty answer"
    assert failed_check(Answer(text, tool_calls=1), OFF) is None  # a tool call is an answer


def test_is_filtered():
    assert is_filtered("content_filter") and is_filtered("Safety")
    assert not is_filtered(None) and not is_filtered("stop") and not is_filtered("")


@given(st.text(max_size=200), st.integers(0, 2), st.one_of(st.none(), st.text(max_size=20)))
def test_filtered_or_empty_always_fails(text, calls, reason):
    out = failed_check(Answer(text, tool_calls=calls, finish_reason=reason), OFF)
    if is_filtered(reason) or (not text.strip() and not calls):
        assert out is not None
    else:
        assert out is None  # nothing else is checked with these settings


_REFUSAL_WORDS = [
    "I",
    "i",
    "I'm",
    "am",
    "can't",
    "cannot",
    "won't",
    "do",
    "don't",
    "not",
    "know",
    "sure",
    "sorry",
    "but",
    "as",
    "an",
    "AI",
    "beyond",
    "my",
    "ability",
    "unable",
    "to",
    "help",
    "Paris",
    ",",
    "'",
]


@given(st.lists(st.sampled_from(_REFUSAL_WORDS), max_size=12), st.text(max_size=8))
def test_refusal_prefilter_never_hides_a_match(words, noise):
    """The cheap substring test in front of the refusal regex only skips texts it cannot match."""
    from shared_core.quality import _REFUSAL_RE, _may_match_refusal

    for text in (" ".join(words), noise + " ".join(words), " ".join(words) + noise):
        if _REFUSAL_RE.search(text):
            assert _may_match_refusal(text)


@pytest.mark.parametrize("text", ["ı'm sorry, but ı can't", "I'm ſorry, but I can't"])
def test_refusal_regex_folding_beyond_ascii_still_applies(text):
    assert "refusal" in failed_check(Answer(text), CFG)


# -- edges found by mutation testing (issue 14) --------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["I am happy to help: the answer is 4.", "I can confirm the meeting is at noon.", "I do."],
)
def test_answers_with_a_refusal_cue_but_no_refusal_pass(text):
    # "i am", "i can", "i do" are only the cheap pre-filter's cues, not refusals
    assert failed_check(Answer(text), CFG) is None


@pytest.mark.parametrize(
    "fenced",
    [
        '``` json\n{"a": 1}\n```',  # a space before the language tag
        '```json\n{\n  "a": [1,\n 2]\n}\n```',  # JSON over several lines
        '```\n{"a": 1}```',  # the closing fence on the last line of the JSON
    ],
)
def test_fenced_json_answers_pass_the_json_check(fenced):
    assert failed_check(Answer(fenced), EscalationConfig(require_json=True)) is None


@given(st.text(max_size=40), st.integers(0, 3), st.text(min_size=1, max_size=40))
def test_an_answer_that_does_not_fit_its_schema_fails_tool_call_or_not(text, calls, why):
    """A structured answer the caller's parser will refuse fails whatever else it holds
    (a tool call is otherwise a complete answer)."""
    reason = failed_check(Answer(text, tool_calls=calls, schema_error=why), CFG)
    assert reason is not None and why in reason and "schema" in reason
    fits = failed_check(Answer("Paris", tool_calls=calls), CFG)
    assert fits is None


@pytest.mark.parametrize("reason", ["length", "max_tokens", "MAX_TOKENS"])
def test_an_answer_cut_at_the_token_budget_fails_only_when_asked(reason: str) -> None:
    """A tier's ``max_tokens`` caps its cost, so an answer it cut short was accepted and
    nothing said so; ``escalation.truncated_check`` makes it fail (the next tier, with its
    larger budget, answers). Off by default: a cut answer can be what the budget is for."""
    from shared_core.config import EscalationConfig

    cut = Answer("The first three steps are: 1. open the", finish_reason=reason)
    assert failed_check(cut, EscalationConfig()) is None
    why = failed_check(cut, EscalationConfig(truncated_check=True))
    assert why is not None and "token budget" in why and reason in why
    assert failed_check(Answer("done.", finish_reason="stop"), EscalationConfig(truncated_check=True)) is None


def test_a_truncated_cheap_answer_escalates_to_the_next_tier() -> None:
    from shared_core import Router
    from shared_core.dispatch import AttemptResult, execute
    from shared_core.pricing import Usage
    from shared_core.testing import FakeClassifier

    router = Router(
        {"tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 8},
                   {"name": "strong", "model": "gpt-4o", "max_tokens": 1000}],
         "escalation": {"truncated_check": True}},
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
    )

    def call(attempt):
        if attempt.tier.name == "cheap":
            return AttemptResult("Step one is to", Usage(10, 8), Answer("Step one is to", finish_reason="length"))
        return AttemptResult("The whole answer.", Usage(10, 5), Answer("The whole answer.", finish_reason="stop"))

    req = router.request("explain")
    assert execute(router.plan(router.decide_request(req), req), call).value == "The whole answer."
    rejected, ok = router.ledger.records()
    assert (rejected.status, ok.tier, ok.escalated) == ("rejected", "strong", True)
    assert "token budget" in (rejected.error or "")


def test_a_truncated_answer_stands_when_the_next_tier_would_be_cut_alike() -> None:
    """A caller's ``max_tokens`` caps every tier alike: escalating paid the stronger tier to be
    cut at the same length (review: 17x the cost for the same cut answer)."""
    from shared_core import Router
    from shared_core.dispatch import AttemptResult, execute
    from shared_core.pricing import Usage
    from shared_core.testing import FakeClassifier

    router = Router(
        {"tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 8},
                   {"name": "strong", "model": "gpt-4o", "max_tokens": 1000}],
         "escalation": {"truncated_check": True}},
        classifier=FakeClassifier(default="cheap", labels=["cheap", "strong"]),
    )
    seen = []

    def call(attempt):
        seen.append((attempt.tier.name, attempt.max_tokens))
        return AttemptResult("Step one is to", Usage(10, 8), Answer("Step one is to", finish_reason="length"))

    req = router.request("explain")
    execute(router.plan(router.decide_request(req), req, caller_max_tokens=8), call)
    assert seen == [("cheap", 8)]
    [rec] = router.ledger.records()
    assert rec.status == "ok"



def test_an_answer_of_only_unparsable_tool_calls_fails_under_that_name() -> None:
    cfg = EscalationConfig()
    assert failed_check(Answer("", invalid_tool_calls=("get_weather",)), cfg) == (
        "tool call get_weather has arguments that are not valid JSON"
    )
    assert failed_check(Answer("", invalid_tool_calls=("a", "b"), finish_reason="length"), cfg) == (
        "tool calls a, b have arguments that are not valid JSON (cut at the token budget: finish reason length)"
    )
    assert failed_check(Answer("", tool_calls=1, invalid_tool_calls=("b",)), cfg) is None  # a usable call
    assert failed_check(Answer(""), cfg) == "empty answer"
