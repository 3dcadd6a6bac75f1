"""``stats --by variant``: a refused call (budget, cooldown: nothing sent, $0) is not a $0 call.

Refusals counted as $0 calls in a variant's cost per call, so a variant refused more often
looked cheaper: two variants serving every call they serve at the same price, one of them
refused half the time, read as "significantly" $0.001 per call cheaper. A refusal now has its
own rate (with its interval, like escalations and fallbacks) and cost per call is over the
calls sent (at least one attempt sent to a provider), of known cost.
"""

from __future__ import annotations

import argparse
import json

from shared_core.cli import stats as cli_stats
from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.variant_stats import compare_variants


def _stats(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli_stats.register(parser.add_subparsers())
    args = parser.parse_args(["stats", *argv])
    return int(args.func(args))


def _records() -> list[CallRecord]:
    """Two scripted variants at $0.002 a served call; the candidate refused every other call."""
    recs = [CallRecord(call_id=f"a{i}", tier="cheap", model="m", cost_usd=0.002, variant="control")
            for i in range(40)]
    for i in range(40):
        refused = i % 2 == 1
        recs.append(CallRecord(
            call_id=f"b{i}", tier="cheap", model="m", cost_usd=0.0 if refused else 0.002,
            status="refused" if refused else "ok", error_kind="budget" if refused else None,
            variant="candidate",
        ))
    # a call that failed on its first tier and was then refused was attempted: it counts, $0.001
    recs.append(CallRecord(call_id="c", tier="cheap", model="m", cost_usd=0.001, status="failed",
                           error_kind="server", variant="candidate"))
    recs.append(CallRecord(call_id="c", tier="strong", model="m2", cost_usd=0.0, status="refused",
                           error_kind="budget", attempt=1, variant="candidate"))
    return recs


def test_a_variant_refused_half_the_time_is_not_cheaper_per_call():
    cmp = compare_variants(_records(), [])
    cost = cmp.variants["candidate"]["cost_per_call"]
    assert cost.n == 21  # 20 served + 1 attempted; the 20 refusals are left out
    assert abs(cost.mean - (20 * 0.002 + 0.001) / 21) < 1e-12
    assert not cmp.differences["candidate"]["cost_per_call"].significant or (
        cmp.differences["candidate"]["cost_per_call"].diff > -0.0001
    )
    refusals = cmp.variants["candidate"]["refusal_rate"]
    assert refusals.n == 41 and abs(refusals.mean - 20 / 41) < 1e-12
    assert 0.3 < refusals.low < refusals.mean < refusals.high < 0.65
    assert cmp.variants["control"]["refusal_rate"].mean == 0.0
    d = cmp.differences["candidate"]["refusal_rate"]
    assert d.significant and d.low > 0.2
    assert cmp.refused == {"candidate": 20}
    out = cmp.to_dict()
    assert out["refused_calls"] == {"candidate": 20}
    assert out["variants"]["candidate"]["refusal_rate"]["n"] == 41


def test_stats_says_what_cost_per_call_is_over(tmp_path, capsys):
    db = tmp_path / "ab.sqlite"
    with SQLiteLedger(db) as ledger:
        for r in _records():
            ledger.record(r)
    assert _stats(str(db), "--by", "variant") == 0
    out = capsys.readouterr().out
    assert "candidate: 20 calls refused (nothing sent), left out of its cost per call" in out
    assert "cost per call (over the calls sent):" in out
    cost_block = out.split("cost per call")[1].split("refusal rate")[0]
    assert "candidate - control: -$0.001" not in cost_block
    refusal_block = out.split("refusal rate")[1].split("escalation rate")[0]
    assert "candidate - control: +48.8%" in refusal_block, refusal_block
    assert _stats(str(db), "--by", "variant", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["refused_calls"] == {"candidate": 20}
    assert data["variants"]["candidate"]["cost_per_call"]["n"] == 21
