"""Many threads and several processes routing into one SQLite ledger lose nothing."""

from __future__ import annotations

import multiprocessing as mp
import threading
from pathlib import Path

import pytest

from shared_core import Router
from shared_core.dispatch import execute
from shared_core.errors import BudgetExceededError
from shared_core.ledger import SQLiteLedger
from shared_core.testing import FakeClassifier, ScriptedModel

from .helpers import three_tiers

CALLS = 250
# ScriptedModel: 10 input tokens, len("ok from cheap") // 4 = 3 output tokens, on cheap (0.1 / 0.4 per 1M)
COST_PER_CALL = (10 * 0.1 + 3 * 0.4) / 1e6


def _router(path: str, **cfg) -> Router:
    config = three_tiers(**cfg)
    clf = FakeClassifier(default="cheap", labels=config.tier_names)
    return Router(config, classifier=clf, ledger=SQLiteLedger(path))


def _calls(path: str, n: int, tag: str) -> int:
    router = _router(path)
    model = ScriptedModel()
    for i in range(n):
        d = router.decide(f"question {i}", tags=[tag])
        execute(router.plan(d, router.request(f"question {i}", tags=[tag])), model)
    router.ledger.close()
    return n


def _proc(path: str, n: int, tag: str, q) -> None:  # pragma: no cover - runs in a child
    q.put(_calls(path, n, tag))


@pytest.mark.slow
def test_8_threads_and_2_processes_lose_no_record(tmp_path: Path):
    path = str(tmp_path / "ledger.sqlite")
    SQLiteLedger(path).close()  # create the schema once
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_proc, args=(path, CALLS, f"proc{i}", q)) for i in range(2)]
    for p in procs:
        p.start()
    threads = [threading.Thread(target=_calls, args=(path, CALLS, f"thread{i}")) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    ledger = SQLiteLedger(path)
    recs = ledger.records()
    assert len(recs) == 10 * CALLS == 2500
    assert len({r.call_id for r in recs}) == 2500
    assert sum(r.cost_usd for r in recs) == pytest.approx(2500 * COST_PER_CALL)
    assert ledger.spend("tag:proc1", 0) == pytest.approx(CALLS * COST_PER_CALL)


def test_hard_budget_is_never_passed_by_8_threads(tmp_path: Path):
    limit = 100 * COST_PER_CALL
    path = str(tmp_path / "budget.sqlite")
    cfg = {"budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": limit}]}}
    refused = []

    def worker():
        router = _router(path, **cfg)
        model = ScriptedModel()
        for i in range(60):
            try:
                d = router.decide(f"q{i}")
                execute(router.plan(d, router.request(f"q{i}")), model)
            except BudgetExceededError:
                refused.append(1)
        router.ledger.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ledger = SQLiteLedger(path)
    spent = ledger.spend("global", 0)
    # reservations: never past the limit, and refusals start only once the next call's
    # reservation (100 output tokens + input on cheap) no longer fits
    reservation = (100 * 0.4 + 10 * 0.1) / 1e6
    assert limit - reservation <= spent <= limit
    assert refused and len(ledger.records(status="refused")) == len(refused)
    assert ledger.reserved("global") == 0.0


def test_threads_sharing_one_fresh_router_share_one_ledger_and_classifier():
    """Lazy parts are built once: no record goes to an orphaned in-memory ledger."""
    from shared_core.ledger import InMemoryLedger  # noqa: F401  (the default)

    for _ in range(5):
        router = Router(three_tiers(classifier={"type": "rules"}))
        barrier = threading.Barrier(8)
        model = ScriptedModel()
        seen = []

        def work(i, router=router, barrier=barrier, model=model, seen=seen):
            barrier.wait()
            d = router.decide(f"question {i}")
            execute(router.plan(d, router.request(f"question {i}")), model)
            seen.append((id(router.ledger), id(router.classifier)))

        ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert len(set(seen)) == 1
        assert len(router.ledger.records()) == 8
