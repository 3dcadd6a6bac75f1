"""A shadow candidate's judge that answers after the live call stopped waiting is paid for.

``VariantRouter(mode="shadow", shadow_timeout_s=0.1)`` with a candidate whose LLM judge (a real
``ChatOpenAI`` against the loopback server) answers in 0.6 s: the live call goes on at the
bound, the candidate keeps running in its thread and its judge request is answered (and billed).
Its cost was only logged ("in no ledger record"): spend, budgets, ``stats`` and ``stats --by
variant`` showed the live call's tier alone. Now it is a record of the live call
(``error_kind="late_shadow_judge"``): the ledger's spend, the summary and the variant comparison
count the call once, at the tier's cost plus the judge's.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel, chat_model_judge
from shared_core import Router
from shared_core.cli.main import main
from shared_core.ledger import open_ledger
from shared_core.pricing import PriceTable, Usage
from shared_core.testing import FakeClassifier
from shared_core.variant_stats import compare_variants
from shared_core.variants import VariantRouter
from tests.fake_openai_server import FakeOpenAIServer

pytestmark = pytest.mark.integration

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]
JUDGE = {"type": "judge", "options": {"clamp": None}}


def _cost(model: str, usage: dict) -> float:
    got = PriceTable().cost(model, Usage(usage["prompt_tokens"], usage["completion_tokens"]))
    assert got is not None
    return got


def _chat(server: FakeOpenAIServer, model: str) -> ChatOpenAI:
    return ChatOpenAI(model=model, base_url=server.base_url, api_key="sk-test", max_retries=0)


def _both_answered(server: FakeOpenAIServer, led, n_records: int) -> None:
    end = time.monotonic() + 10
    while time.monotonic() < end and (len(server.chat_requests) < 2 or len(led.records()) < n_records):
        time.sleep(0.05)
        led.flush()


def test_a_late_shadow_judge_is_recorded_on_its_live_call(
    openai_server: FakeOpenAIServer, tmp_path: Path, capsys
) -> None:
    db = str(tmp_path / "shadow.db")
    ledger = open_ledger(db)
    openai_server.script(model="gpt-4o-mini", reply="STRONG", delay=0.6, times=1)  # the judge, slow
    control = Router({"tiers": TIERS}, classifier=FakeClassifier(default="strong"), ledger=ledger)
    candidate = Router({"tiers": TIERS, "classifier": JUDGE}, ledger=ledger,
                       judge_complete=chat_model_judge(_chat(openai_server, "gpt-4o-mini")))
    shadow = VariantRouter(control, candidate, mode="shadow", shadow_timeout_s=0.1)
    chat = RoutedChatModel(tiers={"cheap": _chat(openai_server, "gpt-4o-mini"),
                                  "strong": _chat(openai_server, "gpt-4o")}, router=shadow)
    t0 = time.perf_counter()
    chat.invoke("What is 2+2?")
    assert time.perf_counter() - t0 < 0.6  # the live call did not wait for the judge
    _both_answered(openai_server, ledger, 2)
    judge_req, tier_req = sorted(openai_server.chat_requests, key=lambda r: r.model != "gpt-4o-mini")
    judge_cost = _cost("gpt-4o-mini", judge_req.usage or {})
    tier_cost = _cost("gpt-4o", tier_req.usage or {})
    assert judge_cost > 0
    assert ledger.flush() == 0
    live, late = sorted(ledger.records(), key=lambda r: r.attempt)
    assert (live.variant, live.tier, live.status) == ("control", "strong", "ok")
    assert "no decision within 0.1 s" in live.metadata["shadow"]["error"]
    assert live.cost_usd == pytest.approx(tier_cost, rel=1e-12)
    assert (late.call_id, late.variant, late.error_kind) == (live.call_id, "control", "late_shadow_judge")
    assert late.cost_usd == pytest.approx(judge_cost, rel=1e-12)
    (call,) = late.metadata["classifier_calls"]
    assert (call["model"], call["variant"], call["shadow"]) == ("gpt-4o-mini", "candidate", True)
    assert late.metadata["shadow"] == {"variant": "candidate", "tier": "strong", "model": "gpt-4o",
                                       "late": True}
    # spend (budgets), the summary and the variant comparison: one call, tier + judge
    total = tier_cost + judge_cost
    assert ledger.spend("global", 0.0) == pytest.approx(total, rel=1e-9)
    s = ledger.summary()
    assert (s.calls, s.answered_calls, s.attempts, s.unsent_calls) == (1, 1, 1, 0)
    assert s.cost_usd == pytest.approx(total, rel=1e-12)
    assert s.by_tier["strong"].calls == 1
    assert s.by_model["gpt-4o-mini"].cost_usd == pytest.approx(judge_cost, rel=1e-12)
    est = compare_variants(ledger.records(), []).variants
    assert est["control"]["cost_per_call"].mean == pytest.approx(total, rel=1e-12)
    ledger.close()
    capsys.readouterr()
    assert main(["stats", db, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["calls"], out["answered_calls"]) == (1, 1)
    assert out["cost_usd"] == pytest.approx(total, rel=1e-9)
    assert main(["stats", db, "--by", "variant", "--json"]) == 0
    by_variant = json.loads(capsys.readouterr().out)
    assert by_variant["variants"]["control"]["cost_per_call"]["mean"] == pytest.approx(total, rel=1e-9)
