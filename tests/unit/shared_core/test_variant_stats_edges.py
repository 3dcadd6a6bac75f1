"""``stats --by variant`` on the ledgers a live A/B test leaves: calls of unknown cost.

A call whose cost is unknown (``cost_usd`` None: a tier on a model the price table lacks, a
call stopped while an LLM judge's request was in flight) was counted at $0 in its
variant's mean cost per call, silently: a candidate on an unpriced model read as free, and
"significantly" cheaper than the control. The ledger's own summary never counts an unknown
cost as zero (``unknown_cost_records``); neither does the comparison now: such calls are
left out of the cost mean and counted, and the CLI says how many.
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


def _calls(variant: str, n: int, cost: float | None, prefix: str) -> list[CallRecord]:
    return [CallRecord(call_id=f"{prefix}{i}", tier="cheap", model="m", cost_usd=cost, variant=variant)
            for i in range(n)]


def test_calls_of_unknown_cost_are_not_read_as_free():
    recs = _calls("control", 20, 0.001, "a") + _calls("candidate", 20, None, "b")
    recs += _calls("candidate", 2, 0.003, "c")
    cmp = compare_variants(recs, [])
    cost = cmp.variants["candidate"]["cost_per_call"]
    assert cost.n == 2 and abs(cost.mean - 0.003) < 1e-12  # the priced calls only
    assert cmp.unknown_cost == {"candidate": 20}
    assert cmp.calls == {"candidate": 22, "control": 20}
    assert not cmp.differences["candidate"]["cost_per_call"].significant  # 2 priced calls
    # the other metrics still count every call
    assert cmp.variants["candidate"]["escalation_rate"].n == 22
    assert cmp.to_dict()["unknown_cost_calls"] == {"candidate": 20}


def test_a_variant_of_unknown_cost_only_has_no_cost_figure(tmp_path, capsys):
    db = tmp_path / "ab.sqlite"
    with SQLiteLedger(db) as ledger:
        for r in _calls("control", 20, 0.001, "a") + _calls("candidate", 20, None, "b"):
            ledger.record(r)
    assert _stats(str(db), "--by", "variant") == 0
    out = capsys.readouterr().out
    assert "candidate: 20 calls" in out
    assert "candidate: 20 calls of unknown cost, left out of its cost per call" in out
    cost_block = out.split("cost per call (over the calls sent):")[1].split("refusal rate:")[0]
    assert "-$0.001000" not in cost_block  # no difference made up from $0
    assert "candidate      —" in cost_block
    assert _stats(str(db), "--by", "variant", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["variants"]["candidate"]["cost_per_call"]["n"] == 0
    assert data["differences"]["candidate"]["cost_per_call"]["significant"] is False


def test_one_call_has_no_interval_not_zero_to_infinity(tmp_path, capsys):
    """One call's cost has no spread to measure: its interval was printed as
    ``[$0.000000, $inf]`` (the undefined standard error clamped at the floor on one side
    only), and ``--json`` said ``low: 0.0, high: null``."""
    db = tmp_path / "one.sqlite"
    with SQLiteLedger(db) as ledger:
        ledger.record(CallRecord(call_id="k", tier="cheap", model="m", cost_usd=0.004, variant="candidate"))
        for r in _calls("control", 3, 0.001, "a"):
            ledger.record(r)
    assert _stats(str(db), "--by", "variant") == 0
    out = capsys.readouterr().out
    assert "$inf" not in out
    assert "  candidate      $0.004000\n" in out
    assert _stats(str(db), "--by", "variant", "--json") == 0
    cost = json.loads(capsys.readouterr().out)["variants"]["candidate"]["cost_per_call"]
    assert cost == {"mean": 0.004, "low": None, "high": None, "n": 1}
