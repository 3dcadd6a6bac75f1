"""An A/B variant's feedback loop moves as far at a small share as at half.

A check read the newest feedback of the whole ledger (at most 16 windows of it) and kept its
own variant's calls, so a candidate routed a small share of the traffic found too few of its
own outcomes there to fill a window: about the same number of candidate calls with the same
70% failure of its cheap tier moved its knob (window 10, here) 5 steps over 120 calls at
share 0.5 and 1 over 130 at 0.05. The ledger now selects feedback by the variant of its call
(``recent_feedback(since, limit, variant)``), so a check reads its own variant's newest.
"""

from __future__ import annotations

import numpy as np
import pytest

from shared_core import Router
from shared_core.ledger import CallRecord, InMemoryLedger
from shared_core.variants import VariantRouter

from .test_feedback_loop import Scored, _config


def _candidate_steps(share: float, calls: int) -> tuple[int, int]:
    ledger = InMemoryLedger()
    control = Router(_config(window=10, key="control"), classifier=Scored(), ledger=ledger)
    candidate = Router(_config(window=10, key="candidate"), classifier=Scored(), ledger=ledger)
    ab = VariantRouter(control, candidate, share=share)
    rng = np.random.default_rng(0)
    seen = 0
    for _ in range(calls):
        p = float(rng.random())
        d = ab.decide(f"p={p:.4f} q")
        ledger.record(CallRecord(call_id=d.call_id, tier=d.tier, model=d.model, cost_usd=0.001,
                                 variant=d.variant))
        if d.variant == "candidate":
            seen += 1
            ok = d.tier == "strong" or rng.random() < 0.3
        else:
            ok = d.tier == "strong" or rng.random() < min(1.0, p + 0.45)
        ab.record_feedback(d.call_id, 1.0 if ok else 0.0)
    return seen, len(candidate.feedback_loop.history())


@pytest.mark.slow
def test_a_candidate_s_loop_moves_as_far_at_a_small_share_as_at_half():
    half_calls, half_steps = _candidate_steps(0.5, 260)
    small_calls, small_steps = _candidate_steps(0.05, 2000)
    assert abs(half_calls - small_calls) < 30  # about the same evidence
    assert small_steps >= half_steps - 1, (small_steps, half_steps)
