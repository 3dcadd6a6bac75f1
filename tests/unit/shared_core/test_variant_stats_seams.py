"""``stats --by variant`` over records that today's other features write.

- ``RunnableRouter`` writes its judge's call as a record of its own call id, beside the route
  model's record; both carry ``metadata["router_call_id"]``. Grouped by ``call_id``, one routed
  call read as two, so a judge variant's cost per call was halved (review: 46 calls at
  $0.0000389 instead of 23 at $0.0000777).
- A budget hold that lapsed (its worker killed) is recorded with no variant; it is no call of
  any variant, and read as ``control`` it made the control look dearer (23 calls instead of 20).
"""

from __future__ import annotations

from shared_core.ledger import CallRecord
from shared_core.variant_stats import compare_variants


def _routed(variant: str, i: int) -> list[CallRecord]:
    md = {"router_call_id": f"{variant}-call-{i}"}
    return [
        CallRecord(call_id=f"{variant}-judge-{i}", tier="strong", model="judge", cost_usd=0.00004,
                   variant=variant, metadata=dict(md)),
        CallRecord(call_id=f"{variant}-call-{i}", tier="strong", model="m", cost_usd=0.00004,
                   variant=variant, metadata=dict(md)),
    ]


def test_a_routed_call_and_its_judge_s_record_are_one_call():
    recs = [r for i in range(10) for r in _routed("candidate", i)]
    recs += [CallRecord(call_id=f"c{i}", tier="cheap", model="m", cost_usd=0.00004, variant="control")
             for i in range(10)]
    cmp = compare_variants(recs, [])
    assert cmp.calls == {"candidate": 10, "control": 10}
    assert abs(cmp.variants["candidate"]["cost_per_call"].mean - 0.00008) < 1e-12


def test_a_lapsed_hold_is_no_call_of_the_control():
    recs = [CallRecord(call_id=f"c{i}", tier="cheap", model="m", cost_usd=0.001, variant="control")
            for i in range(20)]
    recs += [CallRecord(call_id=f"r{i}", tier="(lapsed hold)", model="(lapsed hold)", cost_usd=0.01,
                        status="abandoned", error_kind="lapsed_hold", attempt=1 << 40)
             for i in range(3)]
    cmp = compare_variants(recs, [])
    assert cmp.calls == {"control": 20}
    assert abs(cmp.variants["control"]["cost_per_call"].mean - 0.001) < 1e-12
