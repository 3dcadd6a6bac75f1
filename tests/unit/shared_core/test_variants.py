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


def test_shadow_decision_is_on_the_decision():
    from shared_core.ledger import InMemoryLedger

    ledger = InMemoryLedger()
    shadow = VariantRouter(_router("cheap", ledger), _router("strong", ledger), mode="shadow")
    d = shadow.decide("hi", metadata={"feature": "chat"})
    assert (d.tier, d.variant) == ("cheap", "control")
    assert d.shadow == {"variant": "candidate", "tier": "strong", "model": "gpt-4o",
                        "scores": {"strong": 1.0}}
    assert d.to_dict()["shadow"] == d.shadow
    assert shadow.control.decide("hi").shadow is None


def test_bad_arguments_fail_early():
    from shared_core.ledger import InMemoryLedger

    a, b = _router("cheap", InMemoryLedger()), _router("strong", InMemoryLedger())
    with pytest.raises(ConfigError, match="share"):
        VariantRouter(a, b, share=1.5)
    with pytest.raises(ConfigError, match="mode"):
        VariantRouter(a, b, mode="canary")  # type: ignore[arg-type]
    assert compare_variants([], []).variants == {}


def test_shadow_decision_reaches_the_records_of_the_documented_call_pattern():
    """decide -> router_for(d).request -> plan -> execute, as docs/guide/variants.md shows."""
    from shared_core.dispatch import execute
    from shared_core.ledger import InMemoryLedger
    from shared_core.testing import ScriptedModel

    ledger = InMemoryLedger()
    shadow = VariantRouter(_router("cheap", ledger), _router("strong", ledger), mode="shadow")
    d = shadow.decide("hello", user="u1")
    request = shadow.router_for(d).request("hello", user="u1", metadata={"feature": "chat"})
    execute(shadow.plan(d, request), ScriptedModel())
    (rec,) = ledger.records()
    assert (rec.variant, rec.tier) == ("control", "cheap")
    assert rec.metadata["feature"] == "chat"
    assert rec.metadata["shadow"] == {
        "variant": "candidate", "tier": "strong", "model": "gpt-4o",
        "scores": {"strong": 1.0},
    }


async def test_variant_router_serves_the_router_calls_adapters_make():
    """``request`` / ``decide_request`` / ``adecide_request`` / ``aplan`` / ``config``: what an
    adapter given ``router=`` calls; the split of a request follows its user."""
    from shared_core.ledger import InMemoryLedger

    ledger = InMemoryLedger()
    ab = VariantRouter(_router("cheap", ledger), _router("strong", ledger), share=0.5)
    assert ab.config is ab.control.config and ab.ledger is ledger
    picked = {}
    for i in range(30):
        req = ab.request("hi", user=f"u{i}")
        d = ab.decide_request(req)
        again = await ab.adecide_request(req)
        assert again.variant == d.variant and d.tier == ("strong" if d.variant == "candidate" else "cheap")
        picked[d.variant] = picked.get(d.variant, 0) + 1
        plan = await ab.aplan(d, req)
        assert plan.router is ab.router_for(d)
    assert set(picked) == {"control", "candidate"}
    assert ab.decide_request(ab.request("x"), force="strong").tier == "strong"


def test_feedback_loops_of_two_variants_stay_apart():
    """Each variant's knob moves on its own calls' outcomes only, under its own key."""
    from shared_core.ledger import InMemoryLedger

    def cfg(threshold, key):
        return RouterConfig.build({
            "tiers": TIERS, "policy": {"threshold": threshold},
            "feedback": {"auto_adjust": True, "window": 10, "key": key},
        })

    ledger = InMemoryLedger()
    control = Router(cfg(0.5, "control"), classifier=FakeClassifier(default="cheap"), ledger=ledger)
    candidate = Router(cfg(0.3, "candidate"), classifier=FakeClassifier(default="cheap"), ledger=ledger)
    ab = VariantRouter(control, candidate, share=0.5)
    served = {"control": 0, "candidate": 0}
    for i in range(80):
        d = ab.decide("hi", user=f"u{i}")
        ledger.record(CallRecord(call_id=d.call_id, tier=d.tier, model=d.model, variant=d.variant))
        served[d.variant] += 1
        # the candidate's cheap answers are bad; 9 in 10 of the control's are fine (in the band)
        good = d.variant == "control" and served["control"] % 10 != 0
        ab.record_feedback(d.call_id, float(good))
    assert control.knob() == 0.5          # its own outcomes (90% good) hold it
    assert candidate.knob() > 0.3         # its own outcomes (all bad) raised it


def test_two_feedback_loops_on_one_knob_key_are_refused():
    from shared_core.ledger import InMemoryLedger

    loop = {"tiers": TIERS, "feedback": {"auto_adjust": True}}
    ledger = InMemoryLedger()
    a = Router(loop, classifier=FakeClassifier(default="cheap"), ledger=ledger)
    b = Router({**loop, "policy": {"threshold": 0.3}}, classifier=FakeClassifier(default="cheap"), ledger=ledger)
    with pytest.raises(ConfigError, match=r"feedback\.key"):
        VariantRouter(a, b)


def test_equal_costs_are_not_a_significant_difference():
    """Two variants whose calls cost exactly the same: the means differ only by float rounding
    (3 x 0.1 / 3 vs 6 x 0.1 / 6), which must read as no difference, not a significant one."""
    recs = [CallRecord(call_id=f"a{i}", tier="cheap", model="m", cost_usd=0.1, variant="control") for i in range(3)]
    recs += [CallRecord(call_id=f"b{i}", tier="cheap", model="m", cost_usd=0.1, variant="candidate") for i in range(6)]
    diff = compare_variants(recs, []).differences["candidate"]["cost_per_call"]
    assert diff.diff == 0.0
    assert diff.low <= 0.0 <= diff.high and abs(diff.low) < 1e-15
    assert not diff.significant


async def test_variant_router_arecord_feedback_stores_once():
    from shared_core.ledger import InMemoryLedger

    ledger = InMemoryLedger()
    ab = VariantRouter(_router("cheap", ledger), _router("strong", ledger), share=0.5)
    d = await ab.adecide("hi", user="u1")
    ledger.record(CallRecord(call_id=d.call_id, tier=d.tier, model=d.model, variant=d.variant))
    await ab.arecord_feedback(d.call_id, 0.25)
    assert [(f.call_id, f.score) for f in ledger.feedback()] == [(d.call_id, 0.25)]


class _Broken(FakeClassifier):
    def _classify(self, request):
        from shared_core.errors import RouterError

        raise RouterError("candidate classifier is broken")


async def test_a_failing_shadow_never_fails_the_live_request(caplog):
    """Shadow mode measures a candidate on live traffic: whatever the candidate's decision
    raises, the control still answers, and the record says the shadow failed."""
    import logging

    from shared_core.dispatch import execute
    from shared_core.ledger import InMemoryLedger
    from shared_core.testing import ScriptedModel

    caplog.set_level(logging.WARNING, logger="tier_router")
    ledger = InMemoryLedger()
    candidate = Router(RouterConfig.build({"tiers": TIERS}), classifier=_Broken(default="strong"), ledger=ledger)
    shadow = VariantRouter(_router("cheap", ledger), candidate, mode="shadow")
    d = shadow.decide("hello")
    assert (d.tier, d.variant) == ("cheap", "control")
    assert d.shadow == {"variant": "candidate", "error": "RouterError: candidate classifier is broken"}
    execute(shadow.plan(d, shadow.request("hello")), ScriptedModel())
    (rec,) = ledger.records()
    assert rec.status == "ok" and rec.metadata["shadow"]["error"].startswith("RouterError")
    a = await shadow.adecide("hello")
    assert a.tier == "cheap" and a.shadow["error"] == "RouterError: candidate classifier is broken"
    warned = [r for r in caplog.records if "shadow variant" in r.getMessage()]
    assert [r.levelno for r in warned] == [logging.WARNING]  # the first failure only


def test_per_variant_intervals_stay_inside_what_the_metric_can_be():
    """A cost is never negative and a rate never leaves [0, 1]: a few calls, one costly and
    one escalated, read [0, ...] rather than a negative lower bound."""
    recs = [CallRecord(call_id=f"a{i}", tier="cheap", model="m", cost_usd=0.01 if i == 0 else 0.0,
                       escalated=i == 0, variant="control") for i in range(5)]
    est = compare_variants(recs, []).variants["control"]
    assert est["cost_per_call"].low == 0.0 and est["cost_per_call"].high > 0.01 / 5
    assert est["escalation_rate"].low == 0.0 and 0.2 < est["escalation_rate"].high <= 1.0
    assert est["cost_per_call"].to_dict()["low"] == 0.0


def test_one_call_per_variant_is_never_a_significant_difference():
    """One call each gave a zero-width interval and called the difference significant; so did
    three calls each with no escalation against three escalated (a rate's normal interval
    has no width at 0 or 1)."""
    one = [CallRecord(call_id="a", tier="cheap", model="m", cost_usd=0.001, variant="control"),
           CallRecord(call_id="b", tier="cheap", model="m", cost_usd=0.002, variant="candidate")]
    diffs = compare_variants(one, []).differences["candidate"]
    assert not any(d.significant for d in diffs.values())
    few = [CallRecord(call_id=f"a{i}", tier="cheap", model="m", cost_usd=0.001, variant="control") for i in range(3)]
    few += [CallRecord(call_id=f"b{i}", tier="cheap", model="m", cost_usd=0.001, escalated=True,
                       variant="candidate") for i in range(3)]
    esc = compare_variants(few, []).differences["candidate"]["escalation_rate"]
    assert esc.diff == 1.0 and not esc.significant
    many = [CallRecord(call_id=f"a{i}", tier="cheap", model="m", cost_usd=0.001, variant="control") for i in range(60)]
    many += [CallRecord(call_id=f"b{i}", tier="cheap", model="m", cost_usd=0.001, escalated=True,
                        variant="candidate") for i in range(60)]
    assert compare_variants(many, []).differences["candidate"]["escalation_rate"].significant


def test_the_control_is_named_not_guessed(tmp_path, capsys):
    """``names=("old", "new")`` with more traffic on "new": the busier variant was taken as the
    control and the difference printed reversed. ``--control`` names it; without it and with no
    variant called "control", the output says which one was assumed."""
    ledger = SQLiteLedger(tmp_path / "ab.sqlite")
    for i in range(30):
        v = "old" if i < 10 else "new"
        ledger.record(CallRecord(call_id=f"c{i}", tier="cheap", model="m", cost_usd=0.001 if v == "old" else 0.002,
                                 variant=v))
    ledger.close()
    db = str(tmp_path / "ab.sqlite")
    assert _stats(db, "--by", "variant", "--control", "old", "--json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["control"] == "old" and out["differences"]["new"]["cost_per_call"]["diff"] == pytest.approx(0.001)
    assert _stats(db, "--by", "variant") == 0
    assert "--control" in capsys.readouterr().out
    from shared_core.cli.main import main

    assert main(["stats", db, "--by", "variant", "--control", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


def test_variant_names_and_ledgers_are_checked_when_built():
    """An empty name was stored as '' and counted as the control; a candidate with its own
    ledger wrote its calls where neither stats nor record_feedback could see them."""
    from shared_core.ledger import InMemoryLedger

    shared = InMemoryLedger()
    a, b = _router("cheap", shared), _router("strong", shared)
    with pytest.raises(ConfigError, match="name"):
        VariantRouter(a, b, names=("control", ""))
    with pytest.raises(ConfigError, match="ledger"):
        VariantRouter(a, _router("strong", InMemoryLedger()))
    VariantRouter(a, b)  # one ledger: fine


def test_variant_routers_on_one_sqlite_file_share_a_ledger(tmp_path):
    a = _router("cheap", SQLiteLedger(tmp_path / "x.sqlite"))
    b = _router("strong", SQLiteLedger(tmp_path / "x.sqlite"))
    VariantRouter(a, b)  # two handles on one file are one ledger
    a.ledger.close()
    b.ledger.close()


def test_a_shadow_classifier_that_crashes_is_recorded_as_a_failure_not_a_choice(caplog):
    """A candidate classifier raising a plain exception (not a RouterError) was caught inside the
    candidate's router, which chose its strongest tier: the shadow record read ``tier: strong``
    with empty scores and no warning, so shadow analysis counted the crash as a decision."""
    import logging

    from shared_core.ledger import InMemoryLedger

    class Crashing(FakeClassifier):
        def _classify(self, request):
            raise ValueError("weights missing")

    caplog.set_level(logging.WARNING, logger="tier_router")
    ledger = InMemoryLedger()
    candidate = Router(RouterConfig.build({"tiers": TIERS}), classifier=Crashing(default="strong"), ledger=ledger)
    shadow = VariantRouter(_router("cheap", ledger), candidate, mode="shadow")
    d = shadow.decide("hello")
    assert d.tier == "cheap" and "tier" not in d.shadow
    assert "ValueError" in d.shadow["error"] and "weights missing" in d.shadow["error"]
    assert [r for r in caplog.records if "shadow variant" in r.getMessage()]
