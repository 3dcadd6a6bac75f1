"""The sync shadow path's worker threads: a forked process decides its shadows.

A process forked after one shadow decision (gunicorn ``--preload`` warming up, a ``multiprocessing``
pool with fork) inherited "4 workers started" but no threads: every shadow in the child timed out
and every live call waited the whole bound (1.0 s instead of 0.001 s).
"""

from __future__ import annotations

import multiprocessing as mp
import time

import pytest

from shared_core import Router
from shared_core.ledger import InMemoryLedger
from shared_core.testing import FakeClassifier
from shared_core.variants import VariantRouter

TIERS = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]
BOUND_S = 3.0  # generous: the assertions below never depend on how loaded the machine is


def _shadow(candidate_classifier, *, bound: float = BOUND_S) -> VariantRouter:
    ledger = InMemoryLedger()
    return VariantRouter(
        Router({"tiers": TIERS}, classifier=FakeClassifier(default="cheap"), ledger=ledger),
        Router({"tiers": TIERS}, classifier=candidate_classifier, ledger=ledger),
        mode="shadow", shadow_timeout_s=bound,
    )


def _in_child(vr: VariantRouter, out) -> None:
    for _ in range(2):
        t0 = time.perf_counter()
        d = vr.decide("hi")
        out.put((time.perf_counter() - t0, d.shadow))


@pytest.mark.skipif("fork" not in mp.get_all_start_methods(), reason="needs os.fork (POSIX)")
def test_a_process_forked_after_a_shadow_decision_decides_its_own_shadows() -> None:
    vr = _shadow(FakeClassifier(default="strong"))
    assert vr.decide("warm up").shadow["tier"] == "strong"  # the parent's threads are running
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_in_child, args=(vr, out))
    child.start()
    seen = [out.get(timeout=60) for _ in range(2)]
    child.join(timeout=30)
    assert child.exitcode == 0
    for waited, shadow in seen:
        assert shadow.get("tier") == "strong" and "error" not in shadow, seen
        assert waited < BOUND_S / 2, seen  # not the whole bound
    assert vr.decide("after").shadow["tier"] == "strong"  # the parent's own pool still works
