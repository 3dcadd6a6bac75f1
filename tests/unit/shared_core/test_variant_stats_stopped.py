"""``stats --by variant``: a call stopped before any tier is no $0 call of its variant.

A call its caller cancelled before anything was sent leaves only an ``abandoned`` record, mostly
at $0 (or a paid judge's cost). Counted in its variant's cost per call it diluted the mean the
way refusals did before they were left out: two variants whose every served call costs $0.002,
one of them cancelled early on half its calls, read as "significantly" $0.001 per call cheaper.
Cost per call is now over the calls *sent* (the calls the escalation and fallback rates are
over); calls stopped before any tier are counted apart (``stopped_calls``) and the text says
what cost per call is over.
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
    """Two variants at $0.002 a served call; the candidate's caller left every other call
    before any tier was called (an ``abandoned`` record, no tokens, $0)."""
    recs = [CallRecord(call_id=f"a{i}", tier="cheap", model="m", cost_usd=0.002, variant="control")
            for i in range(40)]
    for i in range(40):
        stopped = i % 2 == 1
        recs.append(CallRecord(
            call_id=f"b{i}", tier="cheap", model="m", cost_usd=0.0 if stopped else 0.002,
            status="abandoned" if stopped else "ok", error_kind="abandoned" if stopped else None,
            variant="candidate",
        ))
    # cancelled mid-answer: sent, and paid for (it counts, at its $0.001)
    recs.append(CallRecord(call_id="c", tier="cheap", model="m", cost_usd=0.001, status="abandoned",
                           error_kind="abandoned", input_tokens=10, output_tokens=3, latency_ms=40.0,
                           variant="candidate"))
    return recs


def test_calls_stopped_before_any_tier_are_left_out_of_cost_per_call_and_counted():
    cmp = compare_variants(_records(), [])
    cost = cmp.variants["candidate"]["cost_per_call"]
    assert cost.n == 21  # 20 served + the one cancelled mid-answer; not the 20 stopped
    assert abs(cost.mean - (20 * 0.002 + 0.001) / 21) < 1e-12
    d = cmp.differences["candidate"]["cost_per_call"]
    assert not d.significant  # the same price per call sent: no made-up saving
    assert cmp.stopped == {"candidate": 20} and cmp.refused == {}
    assert cmp.calls == {"candidate": 41, "control": 40}  # still calls of their variant
    # the same calls as the rates of what became of calls sent
    assert cmp.variants["candidate"]["escalation_rate"].n == 21
    assert cmp.variants["candidate"]["refusal_rate"].n == 41  # a stop is no refusal
    assert cmp.variants["candidate"]["refusal_rate"].mean == 0.0
    assert cmp.to_dict()["stopped_calls"] == {"candidate": 20}


def test_stats_says_what_cost_per_call_is_over_and_counts_the_stopped_calls(tmp_path, capsys):
    db = tmp_path / "ab.sqlite"
    with SQLiteLedger(db) as ledger:
        for r in _records():
            ledger.record(r)
    assert _stats(str(db), "--by", "variant") == 0
    out = capsys.readouterr().out
    assert "candidate: 20 calls stopped before any tier (nothing sent), left out of its cost per call" in out
    assert "cost per call (over the calls sent):" in out
    cost_block = out.split("cost per call")[1].split("refusal rate")[0]
    assert "candidate - control: -$0.00" not in cost_block, cost_block
    assert _stats(str(db), "--by", "variant", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["stopped_calls"] == {"candidate": 20}
    assert data["variants"]["candidate"]["cost_per_call"]["n"] == 21
