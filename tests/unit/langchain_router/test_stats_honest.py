"""`tier-router stats` tells the truth about a LangChain workload.

* quality drift: the 0 an escalation records belongs to the tier whose answer was rejected,
  not to the tier it escalated to;
* "By tag" holds the application's tags, not LangChain's own (``seq:step:1``, ``map:key:raw``);
* names are shown as written (rich must not turn ``:key:`` into an emoji or eat ``[markup]``);
* ``--json`` keeps its shape.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.prompts import ChatPromptTemplate

from langchain_router import RoutedChatModel
from shared_core.cli.main import main
from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.testing import FakeClassifier
from tests.unit.langchain_router.conftest import EchoChat

_CONFIG = {
    "tiers": [
        {"name": "simple", "model": "echo-simple"},
        {"name": "medium", "model": "echo-medium"},
        {"name": "complex", "model": "echo-complex"},
    ]
}
_JSON_KEYS = {
    "calls", "records", "cost_usd", "baseline_cost_usd", "unknown_cost_records", "by_tier",
    "by_model", "by_tag", "by_day", "tier_distribution", "escalation_rate", "fallback_rate",
    "failure_rate", "refused_calls", "refused_by", "latency_ms", "quality", "first_ts", "last_ts",
    "savings_usd", "savings_pct", "upper_bound_records", "upper_bound_cost_usd", "upper_bound_share",
    "estimated_records", "estimated_cost_usd", "estimated_share", "negative_savings_note",
    "lapsed_hold_records", "lapsed_hold_cost_usd",
    # added, none renamed: attempts sent to a provider, and what became of the calls
    "attempts", "answered_calls", "failed_calls", "unsent_calls", "lapsed_hold_calls",
    "sent_calls",  # what the escalation / fallback / failure rates are over
    "unknown_baseline_records",  # answers whose baseline cost is unknown (not in baseline_cost_usd)
}


@pytest.fixture
def ledger_of_a_chain(tmp_path: Path) -> Path:
    """Two questions through ``prompt | {"raw": routed}``: ``simple`` refuses, ``medium`` answers."""
    db = tmp_path / "costs.sqlite"
    llm = RoutedChatModel(
        tiers={
            "simple": EchoChat(model_name="echo-simple", reply="I'm sorry, I can't help with that."),
            "medium": EchoChat(model_name="echo-medium", reply="Paris is the capital of France."),
            "complex": EchoChat(model_name="echo-complex"),
        },
        config=_CONFIG,
        classifier=FakeClassifier(default="simple"),
        ledger=str(db),
    )
    chain = ChatPromptTemplate.from_template("{q}") | {"raw": llm}
    for q in ("Capital of France?", "Capital of Italy?"):
        out = chain.invoke({"q": q}, config={"tags": ["faq", "team:key:[red]west[/red]"]})
        assert out["raw"].response_metadata["router"]["tier"] == "medium"
    llm.router.ledger.close()
    return db


def test_drift_blames_the_tier_that_gave_the_rejected_answer(ledger_of_a_chain, capsys):
    assert main(["stats", str(ledger_of_a_chain), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {t: [(p["mean_score"], p["n"]) for p in pts] for t, pts in summary["quality"].items()} == {
        "simple": [(0.0, 2)]
    }


def test_by_tag_holds_only_the_applications_tags(ledger_of_a_chain, capsys):
    assert main(["stats", str(ledger_of_a_chain), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary["by_tag"]) == {"faq", "team:key:[red]west[/red]"}
    assert summary["by_tag"]["faq"]["calls"] == 2
    assert set(summary) == _JSON_KEYS


def test_the_table_shows_names_as_written(ledger_of_a_chain, capsys):
    assert main(["stats", str(ledger_of_a_chain)]) == 0
    out = capsys.readouterr().out
    assert "team:key:[red]west[/red]" in out
    assert "🔑" not in out
    assert "seq:step" not in out and "map:key" not in out


def test_framework_tags_in_an_older_ledger_are_left_out(tmp_path, capsys):
    db = tmp_path / "old.sqlite"
    led = SQLiteLedger(db)
    led.record(CallRecord(call_id="a", tier="simple", model="m", tags=("seq:step:2", "map:key:raw", "graph:step:3", "langsmith:hidden", "support")))
    led.close()
    assert main(["stats", str(db), "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)["by_tag"]) == {"support"}
