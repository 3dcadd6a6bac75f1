"""``RouteSpend``: what the model calls of one routed call may still spend under the cap."""

from __future__ import annotations

import pytest

from shared_core.errors import RequestCostCapError
from shared_core.route_hold import RouteSpend


def test_a_call_is_admitted_while_its_worst_case_fits() -> None:
    spend = RouteSpend(1.0, "t")
    spend.admit("a", "m", 0.6)
    with pytest.raises(RequestCostCapError, match=r"may cost \$0.500000 after \$0.000000 spent and \$0.600000"):
        spend.admit("b", "m", 0.5)  # the first is still under way: its worst case counts
    spend.settle("a", 0.2)
    spend.admit("b", "m", 0.5)  # what it cost replaces its worst case
    spend.settle("b", 0.3)
    assert spend.spent == pytest.approx(0.5)
    spend.admit("c", "m", 0.5)  # exactly what is left fits


def test_the_first_settle_counts() -> None:
    spend = RouteSpend(1.0, "t")
    spend.admit("a", "m", 0.4)
    spend.settle("a", 0.1)
    spend.settle("a", 0.9)  # (a later end of the same call)
    spend.settle("never-admitted", 5.0)
    assert spend.spent == pytest.approx(0.1)


def test_an_unknown_worst_case_is_refused_with_the_reason() -> None:
    spend = RouteSpend(1.0, "t")
    with pytest.raises(RequestCostCapError, match="'m' with no output budget, so the call's worst case is unknown"):
        spend.admit("a", "m", None, unknown="with no output budget")


def test_a_call_that_caps_itself_is_given_what_is_left() -> None:
    spend = RouteSpend(1.0, "t")
    spend.admit("a", "m", 0.25)
    spend.admit("routed", "tier-router", None, rest=True)  # holds the other 0.75
    with pytest.raises(RequestCostCapError, match="nothing is left"):
        spend.admit("b", "m", None, rest=True)
    spend.settle("routed", 0.5)
    spend.settle("a", 0.25)
    assert spend.spent == pytest.approx(0.75)


def test_a_call_that_caps_itself_gets_its_share_and_settles_what_it_recorded() -> None:
    spend = RouteSpend(1.0, "t")
    spend.admit("a", "m", 0.25)
    assert spend.share("a") is None  # a plain call has no share: the route caps it
    spend.admit("routed", "tier-router", None, rest=True)
    share = spend.share("routed")
    assert share is not None and share.usd == pytest.approx(0.75)
    assert spend.share(None) is not None and spend.share(None).call == "routed"  # (stream(): no run id)
    assert share.refusal("x", 0.5, 0.2) is None  # fits
    with pytest.raises(RequestCostCapError, match=r"route 't' \(\$0.750000 of it left"):
        raise share.refusal("x", 0.5, 0.3) or AssertionError("fits")
    with pytest.raises(RequestCostCapError, match="no max_tokens or no known price"):
        raise share.refusal("x", None, 0.0) or AssertionError("fits")
    share.admit_judge("judge", 0.1)
    with pytest.raises(RequestCostCapError, match="its judge's call to 'judge' may cost"):
        share.admit_judge("judge", 0.8)
    share.settle(0.6)  # a failed attempt's worst case included
    spend.settle("routed", None)  # (the handler's later settle: the first counts)
    assert spend.spent == pytest.approx(0.6)
    assert spend.share("routed") is None and spend.share(None) is None


def test_what_the_judge_spent_deciding_the_call_counts_from_the_start() -> None:
    """A RunnableRouter's judge is paid before the route runs: what is left starts below the cap."""
    spend = RouteSpend(1.0, "t", spent=0.3)
    with pytest.raises(RequestCostCapError, match=r"after \$0.300000 spent \(the judge's \$0.300000 included\)"):
        spend.admit("a", "m", 0.8)  # fits the cap alone, not with the judge
    spend.admit("a", "m", 0.7)
    spend.settle("a", 0.2)
    assert spend.spent == pytest.approx(0.5)
    spend.admit("rest", "m", None, rest=True)
    share = spend.share("rest")
    assert share is not None and share.usd == pytest.approx(0.5)
