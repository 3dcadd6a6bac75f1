"""The HTML report reads where a call ended as the summary does.

The report picked a call's final record by a rule of its own (its last ``ok``, else its last
record). A late shadow judge's record (``status "abandoned"``, attempt ``2**39``: after every
real attempt) was taken for where its call ended: a failed or refused call with one showed
``(abandoned)`` in the top-calls table while ``stats`` said failed / refused (main's
``is_judge_record`` filter now covers that case too). And a failed call whose fallback the
budget refused (a tier never called) still showed ``(refused)`` on that tier, and counted as
refused, where the summary says failed on the tier that was called. The report now picks a
call's final record with the summary's own function
(:func:`shared_core.ledger.summary.final_record`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_core.ledger import CallRecord, CostLedger, InMemoryLedger, SQLiteLedger
from shared_core.ledger.late_judge import LATE_JUDGE_ATTEMPT, LATE_JUDGE_KIND
from shared_core.ledger.summary import final_record
from shared_core.report import build, render

JUDGE_COST = 0.00004005


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> CostLedger:
    led: CostLedger = InMemoryLedger() if request.param == "memory" else SQLiteLedger(tmp_path / "l.db")
    yield led
    led.close()


def _rec(call_id: str, **kw: object) -> CallRecord:
    base: dict[str, object] = {"tier": "cheap", "model": "gpt-4o-mini", "cost_usd": 0.0002,
                               "input_tokens": 10, "output_tokens": 5, "latency_ms": 120.0}
    base.update(kw)
    return CallRecord(call_id=call_id, **base)  # type: ignore[arg-type]


def _late_judge(call_id: str, tier: str = "cheap", model: str = "gpt-4o-mini") -> CallRecord:
    return CallRecord(call_id=call_id, attempt=LATE_JUDGE_ATTEMPT, tier=tier, model=model,
                      status="abandoned", error_kind=LATE_JUDGE_KIND, cost_usd=JUDGE_COST,
                      input_tokens=0, output_tokens=0, latency_ms=0.0)


def _fill(ledger: CostLedger) -> None:
    # failed: the provider failed on strong, nothing answered; the shadow's judge came late
    ledger.record(_rec("failed", tier="strong", model="gpt-4o", status="failed",
                       error_kind="server_error", cost_usd=0.001))
    ledger.record(_late_judge("failed", "strong", "gpt-4o"))
    # refused: a budget refusal before any tier, then the late judge
    ledger.record(_rec("refused", status="refused", error_kind="budget", cost_usd=0.0,
                       input_tokens=0, output_tokens=0, latency_ms=0.0))
    ledger.record(_late_judge("refused"))
    # answered: the late judge does not change an answered call either
    ledger.record(_rec("answered"))
    ledger.record(_late_judge("answered"))
    # fallback refused: cheap failed, the fallback to strong was refused (never called)
    ledger.record(_rec("fallback-refused", status="failed", error_kind="rate_limit", cost_usd=0.0005))
    ledger.record(_rec("fallback-refused", attempt=1, tier="strong", model="gpt-4o", status="refused",
                       error_kind="cost_cap", cost_usd=0.0, input_tokens=0, output_tokens=0,
                       latency_ms=0.0))


def test_a_late_judge_is_not_where_a_call_ended_in_the_top_calls(ledger: CostLedger) -> None:
    _fill(ledger)
    data = build(ledger)
    ended = {c.call_id: (c.status, c.model) for c in data.top_calls}
    assert ended == {
        "failed": ("failed", "gpt-4o"),
        "refused": ("refused", "gpt-4o-mini"),
        "answered": ("ok", "gpt-4o-mini"),
        "fallback-refused": ("failed", "gpt-4o-mini"),
    }
    # its cost is still the call's
    cost = {c.call_id: c.cost_usd for c in data.top_calls}
    assert cost["failed"] == pytest.approx(0.001 + JUDGE_COST)
    assert cost["refused"] == pytest.approx(JUDGE_COST)
    page = render(data)
    assert "(abandoned)" not in page
    assert "strong (failed)" in page and "cheap (failed)" in page


def test_the_report_and_the_summary_agree_on_where_each_call_ended(ledger: CostLedger) -> None:
    _fill(ledger)
    s = ledger.summary()
    data = build(ledger)
    statuses = [c.status for c in data.top_calls]
    assert (s.failed_calls, s.refused_calls, s.answered_calls) == (
        statuses.count("failed"), statuses.count("refused"), statuses.count("ok"))
    assert s.by_tier["strong"].calls == sum(c.model == "gpt-4o" and c.status != "refused"
                                            for c in data.top_calls)


def test_final_record_leaves_a_late_judge_out_unless_it_is_all_there_is() -> None:
    failed = _rec("x", status="failed")
    late = _late_judge("x")
    assert final_record([failed, late]) is failed
    assert final_record([late]) is late
