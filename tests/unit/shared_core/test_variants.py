"""A/B and shadow: every record carries its variant; ``stats --by variant`` compares them."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from shared_core import Router
from shared_core.cli import stats as cli_stats
from shared_core.config import RouterConfig
from shared_core.errors import ConfigError
from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.testing import FakeClassifier
from shared_core.variant_stats import compare_variants
from shared_core.variants import VariantRouter

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]


def _router(label, ledger):
    cfg = RouterConfig.build({"tiers": TIERS})
    return Router(cfg, classifier=FakeClassifier(default=label), ledger=ledger)


def _stats(*argv):
    parser = argparse.ArgumentParser()
    cli_stats.register(parser.add_subparsers())
    args = parser.parse_args(["stats", *argv])
    return args.func(args)


# two scripted variants of known cost and quality
COST = {"control": 0.0020, "candidate": 0.0012}
QUALITY = {"control": 0.90, "candidate": 0.75}


def _traffic(db, n, share, seed=0):
    ledger = SQLiteLedger(db)
    ab = VariantRouter(_router("cheap", ledger), _router("strong", ledger), share=share, seed=seed)
    rng = np.random.default_rng(seed)
    for i in range(n):
        d = ab.decide(f"request {i}")
        v = d.variant
        ledger.record(
            CallRecord(call_id=d.call_id, tier=d.tier, model=d.model, cost_usd=COST[v], variant=v)
        )
        ab.record_feedback(d.call_id, float(rng.random() < QUALITY[v]))
    ledger.close()


def test_ab_split_records_the_variant_and_stats_report_the_difference(tmp_path, capsys):
    db = tmp_path / "ab.sqlite"
    _traffic(db, 1200, share=0.4)
    recs = SQLiteLedger(db).records()
    assert all(r.variant in ("control", "candidate") for r in recs)
    share = np.mean([r.variant == "candidate" for r in recs])
    assert 0.35 < share < 0.45
    # the candidate's decisions came from the candidate router
    assert {r.tier for r in recs if r.variant == "candidate"} == {"strong"}
    assert _stats(str(db), "--by", "variant", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    diff = out["differences"]["candidate"]
    assert diff["cost_per_call"]["diff"] == pytest.approx(-0.0008)
    assert diff["cost_per_call"]["significant"]
    q = diff["feedback"]
    assert q["low"] < -0.15 < q["high"] and q["significant"]
    assert out["variants"]["control"]["feedback"]["low"] < 0.90 < out["variants"]["control"]["feedback"]["high"]
    assert diff["escalation_rate"]["diff"] == 0.0 and not diff["escalation_rate"]["significant"]
    assert _stats(str(db), "--by", "variant") == 0
    table = capsys.readouterr().out
    assert "candidate - control" in table and "not yet significant" in table


def test_a_small_sample_is_not_yet_significant(tmp_path, capsys):
    db = tmp_path / "small.sqlite"
    _traffic(db, 20, share=0.5, seed=3)  # ~10 calls each: 0.90 vs 0.75 is within noise
    assert _stats(str(db), "--by", "variant", "--json") == 0
    q = json.loads(capsys.readouterr().out)["differences"]["candidate"]["feedback"]
    assert q["low"] < 0 < q["high"] and not q["significant"]


def test_the_variant_reaches_records_written_by_the_call_engine():
    from shared_core.dispatch import AttemptResult, execute
    from shared_core.ledger import InMemoryLedger
    from shared_core.pricing import Usage

    ledger = InMemoryLedger()
    ab = VariantRouter(_router("cheap", ledger), _router("strong", ledger), share=1.0)
    d = ab.decide("hello", user="u1")
    req = ab.router_for(d).request("hello")
    execute(ab.plan(d, req), lambda a: AttemptResult("hi", Usage(input_tokens=3, output_tokens=2)))
    (rec,) = ledger.records()
    assert rec.variant == "candidate" and rec.tier == "strong"


def test_shadow_decides_on_every_request_and_calls_nothing(tmp_path):
    ledger = SQLiteLedger(tmp_path / "shadow.sqlite")
    shadow = VariantRouter(
        _router("cheap", ledger), _router("strong", ledger), mode="shadow", names=("live", "next")
    )
    for i in range(20):
        d = shadow.decide(f"request {i}")
        assert d.variant == "live" and d.tier == "cheap"
        ledger.record(CallRecord(call_id=d.call_id, tier=d.tier, model=d.model, variant=d.variant,
                                 metadata=dict(shadow.control.request(f"x{i}").metadata) | {"shadow": {
                                     "variant": "next", "tier": "strong"}}))
    recs = ledger.records()
    assert len(recs) == 20 and {r.tier for r in recs} == {"cheap"}  # nothing ran for the shadow
    assert all(r.metadata["shadow"]["tier"] == "strong" for r in recs)


def test_shadow_decision_is_in_the_request_metadata():
    from shared_core.ledger import InMemoryLedger

    ledger = InMemoryLedger()
    shadow = VariantRouter(_router("cheap", ledger), _router("strong", ledger), mode="shadow")
    req_meta = {}
    orig = shadow.control.decide

    def spy(messages, **kw):
        req_meta.update(kw.get("metadata") or {})
        return orig(messages, **kw)

    shadow.control.decide = spy
    d = shadow.decide("hi", metadata={"feature": "chat"})
    assert d.tier == "cheap" and req_meta["feature"] == "chat"
    assert req_meta["shadow"]["variant"] == "candidate" and req_meta["shadow"]["tier"] == "strong"


def test_bad_arguments_fail_early():
    from shared_core.ledger import InMemoryLedger

    a, b = _router("cheap", InMemoryLedger()), _router("strong", InMemoryLedger())
    with pytest.raises(ConfigError, match="share"):
        VariantRouter(a, b, share=1.5)
    with pytest.raises(ConfigError, match="mode"):
        VariantRouter(a, b, mode="canary")  # type: ignore[arg-type]
    assert compare_variants([], []).variants == {}
