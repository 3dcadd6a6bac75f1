"""A ``RunnableRouter`` call refused after its LLM judge is refused, not answered.

``RunnableRouter`` with a judge writes the judge's calls as a record of their own (status
``ok``, the judge's cost, ``metadata["router_call_id"]`` = the decision's call id). When the
routed call was then refused (the per-request cap or a budget limit: nothing sent to the
chosen route), ``stats`` read the judge's ``ok`` record as the call's answer: ``1`` call,
answered, 1 sent, 1 attempt, where nothing but the judge was paid; ``stats --by variant``
counted it sent, at the judge's cost per call, with a 0% refusal rate; the report counted the
judge as an ``ok`` attempt of the decided tier. A refusal inside a chain route is recorded
under the model run's own call id, so there the one call read as two (``2 (1 answered,
1 refused)``). The call is now one call, refused; the judge's cost still counts as spend.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest
from langchain_core.runnables import RunnableLambda
from langchain_openai import ChatOpenAI

from langchain_router import RunnableRouter
from shared_core import Router
from shared_core.cli import stats as cli_stats
from shared_core.errors import BudgetExceededError, RequestCostCapError
from shared_core.ledger import SQLiteLedger
from shared_core.pricing import Usage
from shared_core.report import build
from shared_core.testing import ScriptedJudge
from shared_core.variant_stats import compare_variants

from .conftest import EchoChat

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

TIERS = [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 100},
         {"name": "strong", "model": "gpt-4o", "max_tokens": 100}]
JUDGE_COST = (200 * 0.15 + 3 * 0.60) / 1e6  # gpt-4o-mini, 200 in / 3 out
CAP = {"per_request_cap_usd": 0.0001}  # a 100-token answer of gpt-4o ($0.001) is over it
BUDGET = {"limits": [{"scope": "global", "period": "day", "limit_usd": 0.0005}]}  # a 100-token answer of gpt-4o cannot be held under it


def _stats(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli_stats.register(parser.add_subparsers())
    args = parser.parse_args(["stats", *argv])
    return int(args.func(args))


def _routes(chain: bool, refused: bool = False) -> dict[str, Any]:
    if refused:  # a model whose output budget the router reads (nothing is sent: port 9)
        strong: Any = ChatOpenAI(model="gpt-4o", api_key="sk-test", base_url="http://127.0.0.1:9",
                                 max_tokens=100, max_retries=0)
        cheap: Any = strong.model_copy(update={"model_name": "gpt-4o-mini"})
    else:
        strong = EchoChat(name_="strong", model_name="gpt-4o", errors=[], seen=[])
        cheap = EchoChat(name_="cheap", model_name="gpt-4o-mini", errors=[], seen=[])
    return {"cheap": cheap, "strong": (RunnableLambda(lambda x: x) | strong) if chain else strong}


def _router(ledger: SQLiteLedger, budget: dict[str, Any]) -> Router:
    judge = ScriptedJudge("strong", model="gpt-4o-mini", usage=Usage(200, 3))
    return Router({"tiers": TIERS, "classifier": {"type": "judge", "options": {"clamp": None}},
                   "budget": budget}, judge_complete=judge.pair(), ledger=ledger)


async def _call(rr: RunnableRouter, how: str) -> Any:
    return rr.invoke("What is 2+2?") if how == "invoke" else await rr.ainvoke("What is 2+2?")


CASES = [  # (route is a chain, budget, what refuses, the refusal's error_kind)
    pytest.param(False, CAP, RequestCostCapError, "cost_cap", id="bounded-route-cap"),
    pytest.param(True, CAP, RequestCostCapError, "cost_cap", id="chain-route-cap"),
    pytest.param(False, BUDGET, BudgetExceededError, "budget", id="bounded-route-budget"),
]


@pytest.mark.parametrize("how", ["invoke", "ainvoke"])
@pytest.mark.parametrize(("chain", "budget", "error", "kind"), CASES)
async def test_a_call_refused_after_its_judge_is_refused(
    tmp_path, capsys, how, chain, budget, error, kind
) -> None:
    db = tmp_path / "ledger.sqlite"
    with SQLiteLedger(db) as ledger:
        rr = RunnableRouter(_routes(chain, refused=True), router=_router(ledger, budget))
        with pytest.raises(error):
            await _call(rr, how)
        recs = ledger.records()
        assert sorted(r.status for r in recs) == ["ok", "refused"]  # the judge's, the refusal

        s = ledger.summary()
        assert (s.calls, s.answered_calls, s.refused_calls, s.sent_calls) == (1, 0, 1, 0)
        assert s.refused_by == {kind: 1} and s.calls_text() == "1 (1 refused)"
        assert s.attempts == 0 and s.tier_distribution == {} and s.latency_ms == {}
        assert s.cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)  # the judge's cost is spend
        assert s.by_model["gpt-4o-mini"].cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)
        assert s.by_tier["strong"].calls == 0  # no tier's call: it reached none

        cmp = compare_variants(recs, [])
        est = cmp.variants["control"]
        assert cmp.calls == {"control": 1} and cmp.refused == {"control": 1}
        assert est["refusal_rate"].mean == 1.0
        assert (est["cost_per_call"].n, est["escalation_rate"].n, est["fallback_rate"].n) == (0, 0, 0)

        data = build(ledger)
        assert data.rates == []  # no attempt of any tier (the judge's record was an "ok" one)
        assert all(not any(b.calls_by_tier.values()) for b in data.buckets)  # none answered
        [top] = data.top_calls
        assert top.status == "refused" and top.path == ()
        assert top.cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)

    assert _stats(str(db)) == 0
    out = capsys.readouterr().out
    assert "1 (1 refused)" in out, out
    assert _stats(str(db), "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["answered_calls"], doc["refused_calls"], doc["sent_calls"], doc["attempts"]) == (0, 1, 0, 0)
    assert _stats(str(db), "--by", "variant", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["refused_calls"] == {"control": 1}
    assert doc["variants"]["control"]["refusal_rate"]["mean"] == 1.0
    assert doc["variants"]["control"]["cost_per_call"]["n"] == 0


@pytest.mark.parametrize("chain", [False, True], ids=["bounded-route", "chain-route"])
def test_an_answered_judged_call_is_one_call_and_one_attempt(tmp_path, chain) -> None:
    """The judge's record and the route's model call are one call (they were two: the
    route's record has the model run's call id), answered by the route's tier; the judge
    is spend, not an attempt nor a latency of that tier."""
    with SQLiteLedger(tmp_path / "ledger.sqlite") as ledger:
        rr = RunnableRouter(_routes(chain), router=_router(ledger, {}))
        rr.invoke("What is 2+2?")
        recs = ledger.records()
        assert len({r.call_id for r in recs}) == 2  # the judge's, the route's model call
        s = ledger.summary()
        assert (s.calls, s.answered_calls, s.sent_calls, s.attempts) == (1, 1, 1, 1)
        assert s.tier_distribution == {"strong": 1.0}
        assert s.by_tier["strong"].calls == 1 and s.by_tier["strong"].attempts == 1
        route_cost = (10 * 2.5 + 5 * 10.0) / 1e6  # gpt-4o, EchoChat's usage
        assert s.cost_usd == pytest.approx(JUDGE_COST + route_cost, rel=1e-9)
        assert s.by_model["gpt-4o"].calls == 1 and s.by_model["gpt-4o-mini"].calls == 0
        data = build(ledger)
        assert [(t.tier, t.attempts, t.answered) for t in data.rates] == [("strong", 1, 1)]
        [top] = data.top_calls
        assert top.status == "ok" and top.path == ("strong",) and top.model == "gpt-4o"
        cmp = compare_variants(recs, [])
        assert cmp.variants["control"]["cost_per_call"].mean == pytest.approx(JUDGE_COST + route_cost)
