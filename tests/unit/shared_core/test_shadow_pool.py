"""The sync shadow path's worker threads: a forked process decides its shadows, more calls in
flight than a handful each get their shadow, and a shadow given up on before it started never runs.

Three defects of the first pool (4 threads, shared by every VariantRouter of the process):

- A process forked after one shadow decision (gunicorn ``--preload`` warming up, a ``multiprocessing``
  pool with fork) inherited "4 workers started" but no threads: every shadow in the child timed out
  and every live call waited the whole bound (1.0 s instead of 0.001 s).
- With 16 live calls in flight and a candidate deciding in 0.3 s, the calls queued behind the 4
  threads: 20 of 32 shadows were lost and the median live call waited the whole 1 s bound.
- A job whose live call had given up was still run later: a judge candidate was paid for a decision
  nobody would read, and the backlog grew while arrivals outpaced the threads.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time

import pytest

from shared_core import Router, shadow_wait
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


class Together(FakeClassifier):
    """A candidate that decides only once ``n`` of its decisions are running at the same time."""

    def __init__(self, n: int, **kw):
        super().__init__(**kw)
        self.barrier = threading.Barrier(n)

    def classify(self, request):
        self.barrier.wait(timeout=BOUND_S + 5)
        return super().classify(request)


def test_every_call_in_flight_gets_its_shadow_not_only_the_first_four() -> None:
    n = 12  # concurrent live calls; each candidate decision needs all of them running at once
    vr = _shadow(Together(n, default="strong"))
    got: list = []

    def call(i: int) -> None:
        t0 = time.perf_counter()
        shadow = vr.decide(f"call {i}").shadow
        got.append((shadow, time.perf_counter() - t0))

    callers = [threading.Thread(target=call, args=(i,)) for i in range(n)]
    for t in callers:
        t.start()
    for t in callers:
        t.join(timeout=BOUND_S + 10)
    assert len(got) == n
    lost = [shadow for shadow, _ in got if "error" in shadow]
    assert lost == []  # (the first pool: all 12 lost, each live call waiting the whole bound)
    assert max(waited for _, waited in got) < BOUND_S


class Held(FakeClassifier):
    """A candidate (think: an LLM judge, paid per run) that blocks until released, counting runs."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.ran: list[str] = []

    def classify(self, request):
        with self.lock:
            self.ran.append(request.text)
        self.release.wait(timeout=30)
        return super().classify(request)


def test_a_shadow_given_up_before_it_started_is_dropped_not_run_later() -> None:
    held = Held(default="strong")
    busy = _shadow(held, bound=30.0)  # their live calls wait: their jobs certainly start
    limit = shadow_wait.WORKERS
    results: list = []
    callers = [threading.Thread(target=lambda i=i: results.append(busy.decide(f"busy {i}").shadow))
               for i in range(limit)]
    for t in callers:
        t.start()
    deadline = time.monotonic() + 30
    while len(held.ran) < limit and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(held.ran) == limit  # every worker thread there may be is busy

    late = _shadow(held, bound=0.2)  # the same candidate, a short bound
    shadow = late.decide("given up").shadow
    assert shadow == {"variant": "candidate", "error": "ShadowTimeout: no decision within 0.2 s"}

    held.release.set()
    for t in callers:
        t.join(timeout=30)
    assert len(results) == limit and all("error" not in s for s in results)
    time.sleep(0.5)  # time enough for a freed worker to pick up the given-up job, were it queued
    assert "given up" not in held.ran  # no judge is paid for a shadow nobody reads
    assert len(held.ran) == limit
    alive = [t for t in threading.enumerate() if t.name.startswith("tier-router-shadow")]
    assert len(alive) <= limit  # a stuck candidate ties up at most this many threads
