"""``stats`` says what refused each refused call: a cost cap or a cooling tier is no budget.

Since refused records name their cause (``error_kind`` ``budget`` / ``cost_cap`` /
``cooldown``), the summary counts them by cause; ``tier-router stats`` printed every refusal
as "refused by budget" (a new user's trial: 20 cost-cap refusals shown as budget ones).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared_core.cli.main import main
from shared_core.ledger import CallRecord, SQLiteLedger, summarize


def _refused(call_id: str, kind: str) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", status="refused", error_kind=kind,
                      error=f"{kind} refusal")


RECORDS = [
    _refused("a", "budget"), _refused("b", "cost_cap"), _refused("c", "cost_cap"),
    _refused("d", "cooldown"),
    CallRecord(call_id="e", tier="t", model="m", input_tokens=5, output_tokens=5, cost_usd=0.01),
]


def test_the_summary_counts_refused_calls_by_cause() -> None:
    s = summarize(RECORDS)
    assert s.refused_calls == 4
    assert s.refused_by == {"budget": 1, "cost_cap": 2, "cooldown": 1}


def test_stats_names_each_cause(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite"
    with SQLiteLedger(db) as led:
        for r in RECORDS:
            led.record(r)
    assert main(["stats", str(db)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "refused by budget" not in out
    assert "refused calls │ 4 (budget 1, cooldown 1, cost cap 2)" in out
    assert main(["stats", str(db), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["refused_calls"] == 4 and d["refused_by"] == {"budget": 1, "cost_cap": 2, "cooldown": 1}
