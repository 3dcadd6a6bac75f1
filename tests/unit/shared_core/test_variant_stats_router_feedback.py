"""``stats --by variant`` keeps the feedback of a ``RunnableRouter`` call.

A ``RunnableRouter`` route's model calls are recorded under call ids of their own, naming the
routed call in ``metadata["router_call_id"]``; its feedback is given to the routed call (the
decision's ``call_id``). ``compare_variants`` groups by that id, but ``stats --by variant``
first kept only the feedback whose call id was some record's ``call_id``: without an LLM judge
(whose record has the decision's call id) every such score was dropped, and the variant read
"feedback —" over 12 scored calls.
"""

from __future__ import annotations

import argparse
import json

from shared_core.cli import stats as cli_stats
from shared_core.ledger import CallRecord, SQLiteLedger


def _stats(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli_stats.register(parser.add_subparsers())
    args = parser.parse_args(["stats", *argv])
    return int(args.func(args))


def test_the_feedback_of_a_routed_call_is_counted(tmp_path, capsys):
    db = tmp_path / "ab.sqlite"
    with SQLiteLedger(db) as ledger:
        for i in range(12):
            for variant in ("control", "candidate"):
                routed = f"{variant}-{i}"  # the decision's call id; the record has the run's
                ledger.record(CallRecord(
                    call_id=f"run-{routed}", tier="cheap", model="gpt-4o-mini", cost_usd=0.001,
                    variant=variant, metadata={"router_call_id": routed, "tier": "cheap"},
                ))
                ledger.record_feedback(routed, 1.0 if variant == "control" else 0.5)
    assert _stats(str(db), "--by", "variant", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["calls"] == {"candidate": 12, "control": 12}
    assert data["variants"]["control"]["feedback"]["n"] == 12
    assert data["variants"]["candidate"]["feedback"]["mean"] == 0.5
