"""A budget refusal says what the call asked to hold, not only what is spent (a new user read
"exceeded: spent $0.000013 of $0.001000" for an ``n=3`` call and concluded the accounting was
broken), and a refused fallback does not say the request was sent nowhere."""

from __future__ import annotations

from shared_core.errors import (
    BudgetExceededError,
    FallbackOverBudgetError,
    TierAttemptError,
)


def test_a_refused_reservation_names_what_the_call_needed() -> None:
    exc = BudgetExceededError("global", 0.001, 0.000013, "day", needed_usd=0.0018)
    assert "needs to hold up to $0.001800" in str(exc)
    assert "$0.000987 is left" in str(exc)
    assert exc.needed_usd == 0.0018


def test_a_refused_fallback_says_which_tier_was_not_called() -> None:
    refusal = BudgetExceededError("global", 0.01, 0.0006, "day", needed_usd=0.02)
    errors = [TierAttemptError("cheap", RuntimeError("500"), "server"),
              TierAttemptError("strong", refusal, "budget", attempted=False)]
    exc = FallbackOverBudgetError(errors, refusal)
    assert "the request was not sent to any provider" not in str(exc).split("\n")[0]
    assert "'strong' was not called" in str(exc)
    assert exc.needed_usd == 0.02


def test_the_guard_passes_the_amount_it_was_asked_to_hold() -> None:
    from shared_core import Router

    router = Router({
        "tiers": [{"name": "only", "model": "m", "max_tokens": 1000,
                   "input_price": 1.0, "output_price": 1.0}],
        "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": 0.0001}]},
    })
    assert router.budget is not None
    try:
        router.budget.reserve("call-1", 0.0018, ["global"])
    except BudgetExceededError as exc:
        assert exc.needed_usd == 0.0018
        assert "needs to hold up to $0.001800" in str(exc)
    else:
        raise AssertionError("the reservation should have been refused")


def test_a_refusal_holding_nothing_does_not_say_the_call_needs_nothing() -> None:
    """A tier with no output budget holds $0: the limit is already spent, and "needs $0.000000,
    $0.000000 is left" read as if the call fitted (a new user's trial)."""
    from shared_core.errors import BudgetExceededError

    msg = str(BudgetExceededError("user:alice", 0.01, 0.013, "day", needed_usd=0.0))
    assert "needs to hold" not in msg and "already spent" in msg
    held = str(BudgetExceededError("user:alice", 0.01, 0.009, "day", needed_usd=0.002))
    assert "needs to hold up to $0.002000" in held and "$0.001000 is left" in held
