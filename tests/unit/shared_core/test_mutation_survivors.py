"""Tests for behaviour the mutation run (``make mutation``) found untested: each one fails on
a mutant that survived the rest of the suite (BENCHMARKS.md, "Mutation testing")."""

from __future__ import annotations

import time

import pytest

from shared_core.bounds import shown
from shared_core.budget import BudgetGuard, estimate_cost
from shared_core.config import BudgetLimit, EscalationConfig
from shared_core.errors import BudgetExceededError, ConfigError
from shared_core.ledger import CallRecord, InMemoryLedger
from shared_core.pricing import Price, PriceTable, Usage
from shared_core.quality import Answer, failed_check
from shared_core.tier import Tier


def test_shown_describes_huge_ints_and_cuts_long_text() -> None:
    assert shown(10**400) == "<an integer of 1329 bits>"
    assert shown(2**64 - 1) == repr(2**64 - 1)  # 64 bits: still printed
    assert shown(2**64) == "<an integer of 65 bits>"
    assert shown("x" * 38) == repr("x" * 38)  # exactly the limit (40 characters): not cut
    assert shown(True) == "True"
    assert shown("x" * 100) == repr("x" * 100)[:37] + "..."
    assert len(shown("x" * 100)) == 40
    assert shown("short") == "'short'"
    assert shown("y" * 10, limit=8) == "'yyyy..."


def test_registering_something_else_than_a_price_names_it() -> None:
    with pytest.raises(ConfigError) as info:
        PriceTable().register("mine", {"input": 1.0})  # type: ignore[arg-type]
    assert str(info.value) == "register('mine', ...) needs a Price, got dict"
    assert (info.value.field, info.value.value) == ("price", {"input": 1.0})


def test_estimate_with_no_input_is_the_output_budget_alone() -> None:
    tier = Tier(name="t", model="m", max_tokens=100, input_price=3.0, output_price=5.0)
    assert estimate_cost(tier, 0, PriceTable()) == 100 * 5.0 / 1e6
    assert estimate_cost(tier, -7, PriceTable()) == 100 * 5.0 / 1e6


def test_budget_checks_the_period_of_the_time_given() -> None:
    """Spend from 40 days ago counts in that day's period, not in today's."""
    ledger = InMemoryLedger()
    then = time.time() - 40 * 86_400
    ledger.record(CallRecord(call_id="c", tier="t", model="m", cost_usd=1.0, ts=then))
    guard = BudgetGuard([BudgetLimit(scope="global", period="day", limit_usd=0.5)], ledger)
    guard.check(["global"])  # today: nothing spent
    assert guard.pressure(["global"]) == 0.0
    with pytest.raises(BudgetExceededError):
        guard.check(["global"], now=then)
    assert guard.pressure(["global"], now=then) == 1.0
    assert guard.spent(guard.limits[0], now=then) == 1.0


def test_a_global_limit_applies_whatever_scopes_the_request_names() -> None:
    ledger = InMemoryLedger()
    ledger.record(CallRecord(call_id="c", tier="t", model="m", cost_usd=1.0))
    guard = BudgetGuard([BudgetLimit(scope="global", period="day", limit_usd=0.5)], ledger)
    with pytest.raises(BudgetExceededError):
        guard.check(["user:alice"])
    assert [lim.scope for lim in guard.applicable([])] == ["global"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('```json\n{"a": 1}\n```', None),
        ("```\n[1, 2]```", None),
        ("```", "answer is not valid JSON"),
        ('```{"a": 1}```', "answer is not valid JSON"),  # no newline after the fence
        ('{"a": 1}', None),
        ("not json", "answer is not valid JSON"),
    ],
)
def test_json_check_reads_fenced_answers(text: str, reason: str | None) -> None:
    config = EscalationConfig(require_json=True, refusal_check=False)
    assert failed_check(Answer(text), config) == reason


def test_policy_errors_name_the_field_and_the_value() -> None:
    import numpy as np

    from shared_core.errors import NoEligibleTierError
    from shared_core.policy import select, select_batch, utility_weight

    with pytest.raises(NoEligibleTierError) as empty:
        select([], 0.5)
    assert str(empty.value) == "no tiers to choose from"
    with pytest.raises(ConfigError) as knob:
        select([0.5, 0.5], 1.5)
    assert str(knob.value) == "knob must be in [0, 1], got 1.5"
    assert (knob.value.field, knob.value.value) == ("policy.threshold", 1.5)
    with pytest.raises(NoEligibleTierError) as none:
        select([0.5, 0.5], 0.5, eligible=[False, False])
    assert str(none.value) == "no tier is eligible for this request"
    with pytest.raises(ConfigError) as rule:
        select([0.5, 0.5], 0.5, rule="vibes")  # type: ignore[arg-type]
    assert str(rule.value) == "unknown rule 'vibes'; allowed: threshold, margin, utility"
    assert (rule.value.field, rule.value.value) == ("policy.rule", "vibes")
    with pytest.raises(ConfigError) as batch:
        select_batch(np.array([[0.5, 0.5]]), 0.5, rule="vibes")  # type: ignore[arg-type]
    assert str(batch.value) == "unknown rule 'vibes'"
    assert (batch.value.field, batch.value.value) == ("policy.rule", "vibes")
    assert utility_weight(0.0) == float("inf")
    assert utility_weight(0.25) == 3.0
    assert utility_weight(1.0) == 0.0


def test_the_threshold_rule_is_the_default() -> None:
    import numpy as np

    from shared_core.policy import select, select_batch

    scores = [0.45, 0.6, 0.9]
    assert select(scores, 0.5) == select(scores, 0.5, rule="threshold") == 1
    assert select(scores, 0.5, rule="margin") == 0  # 0.45 is within 0.5 of the best
    assert list(select_batch(np.array([scores]), 0.5)) == [1]


def test_check_reasons_are_exact() -> None:
    plain = EscalationConfig(refusal_check=False)
    assert failed_check(Answer("hi"), plain, tool_choice_required=True) == (
        "tool_choice demanded a tool call and the answer made none"
    )
    assert failed_check(Answer("I'm sorry, I can't help with that."), EscalationConfig()) == (
        "answer is a refusal or says it is unsure"
    )
    assert failed_check(Answer("nope"), EscalationConfig(require_json=True)) == (
        "answer is not valid JSON"
    )
    at_least = EscalationConfig(min_length=5, refusal_check=False)
    assert failed_check(Answer("12345"), at_least) is None  # exactly the minimum passes
    assert failed_check(Answer("1234"), at_least) == "answer shorter than 5 characters (4)"


def test_user_checks_see_the_text_and_are_named_in_the_reason() -> None:
    seen: list[str] = []

    def has_a_digit(text: str) -> bool:
        seen.append(text)
        return any(c.isdigit() for c in text)

    class Callable:
        def __call__(self, text: str) -> bool:
            raise ValueError("broken")

    plain = EscalationConfig(refusal_check=False)
    assert failed_check(Answer("abc"), plain, user_checks=[has_a_digit]) == "check has_a_digit failed"
    assert seen == ["abc"]
    assert failed_check(Answer("a1"), plain, user_checks=[has_a_digit]) is None
    assert failed_check(Answer("a1"), plain, user_checks=[Callable()]) == (
        "check Callable raised ValueError: broken"
    )


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        ("Paris is the capital of France.", False),
        ("I'm sorry, I can't help with that.", True),
        ("x" * 401 + " I'm sorry, I can't help with that.", False),  # only the head is read
    ],
)
def test_refusals_are_found_in_the_head_only(text: str, refusal: bool) -> None:
    reason = failed_check(Answer(text), EscalationConfig())
    assert (reason == "answer is a refusal or says it is unsure") is refusal


def test_token_counts_and_prices_at_their_bounds() -> None:
    from typing import Annotated

    from shared_core.bounds import (
        MAX_PRICE_PER_MTOK,
        MAX_PROVIDER_TOKENS,
        _numeric,
        check_price,
        token_count,
    )
    from shared_core.pricing import Usage, provider_usage

    assert token_count(None) == 0
    assert token_count(MAX_PROVIDER_TOKENS) == MAX_PROVIDER_TOKENS
    assert token_count(MAX_PROVIDER_TOKENS + 1) is None
    assert provider_usage(None, 7, None, source="m") == Usage(0, 7, 0)
    assert check_price("p", MAX_PRICE_PER_MTOK) is None
    assert check_price("p", MAX_PRICE_PER_MTOK * 1.01) is not None
    assert _numeric(Annotated[int, "x"]) and _numeric(float | None)
    assert not _numeric(bool) and not _numeric(bool | int) and not _numeric(str | None)


def test_a_bool_for_a_number_says_how_to_write_it() -> None:
    from pydantic import ValidationError

    from shared_core.tier import Tier

    with pytest.raises(ValidationError) as info:
        Tier(name="t", model="m", max_tokens=True)
    [err] = info.value.errors()
    assert err["msg"] == (
        "Value error, must be a number, got the bool True (YAML reads yes/no/on/off/true/false "
        "as booleans); write the number itself"
    )


def test_a_bad_price_error_carries_the_field_and_the_value() -> None:
    with pytest.raises(ConfigError) as info:
        Price(-1.0, 1.0)
    assert str(info.value).startswith(
        "Price.input must be a finite number >= 0 (USD per 1M tokens), got -1.0"
    )
    assert (info.value.field, info.value.value) == ("price.input", -1.0)


def test_usage_of_int_subclasses_is_checked_like_ints() -> None:
    class Count(int):
        pass

    assert Usage(Count(5), Count(0), Count(5)) == Usage(5, 0, 5)
    with pytest.raises(ValueError, match="cannot exceed"):
        Usage(Count(5), Count(0), Count(6))


def test_a_model_priced_for_input_only_has_no_price() -> None:
    # embedding models: an input price and no output price in genai-prices
    assert PriceTable().price("cohere:embed-v4.0") is None
