"""The closed loop and calls in flight when the knob moves.

After a change "only calls routed with the new knob count", but a call was dated by its
record's ``ts``, written when the call *ended*: a call decided with the old knob and still
running when the knob moved (a slow answer, a long stream) counted as evidence about the
new knob. With a burst of slow calls in flight, the knob moved on evidence gathered entirely
under the old one: with window 10 and 30 calls in flight it went 0.50 -> 0.55, then three
more steps to 0.70, with not one call routed at 0.55 or above. A call is now dated by when its
first attempt began (``ts - latency_ms``), which is after it was decided.
"""

from __future__ import annotations

import time

from shared_core import Router
from shared_core.classifiers.base import BaseClassifier, Classification
from shared_core.config import RouterConfig
from shared_core.ledger import CallRecord, SQLiteLedger


class Scored(BaseClassifier):
    name = "scored"

    def _classify(self, request):
        p = float(request.text.split()[0][2:])
        return Classification(scores={"cheap": p, "strong": 1.0}, confidence=1.0, classifier="scored")


def _router(db):
    cfg = RouterConfig.build({
        "tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}],
        "policy": {"threshold": 0.5},
        "feedback": {"auto_adjust": True, "window": 10, "bounds": [0.2, 0.8]},
    })
    return Router(cfg, classifier=Scored(), ledger=SQLiteLedger(db))


def _end(router, d, started, score):
    """The call of decision ``d`` ends now: its record (latency since it began), its feedback."""
    latency_ms = (time.time() - started) * 1000.0
    router.ledger.record(CallRecord(call_id=d.call_id, tier=d.tier, model=d.model, cost_usd=0.001,
                                    latency_ms=latency_ms))
    router.ledger.flush()
    router.record_feedback(d.call_id, score)


def test_calls_in_flight_when_the_knob_moves_do_not_move_it_again(tmp_path):
    router = _router(tmp_path / "loop.sqlite")
    router.feedback_loop.check_every = 1
    slow = []
    for _ in range(30):  # decided at 0.5, answers still coming
        slow.append((router.decide("p=0.9 long question"), time.time()))
    time.sleep(0.05)
    for _ in range(10):  # quick calls, all bad: the cheap tier under-serves
        d = router.decide("p=0.9 short question")
        _end(router, d, time.time(), 0.0)
    first = router.knob()
    assert first == 0.55, router.feedback_loop.history()
    time.sleep(0.05)
    for d, started in slow:  # the slow calls of the old knob end, just as badly
        assert d.tier == "cheap"
        _end(router, d, started, 0.0)
    router.feedback_loop.check()
    # not one call was routed with 0.55: nothing says anything about it yet
    assert router.knob() == first, router.feedback_loop.history()
