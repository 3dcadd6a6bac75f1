"""The closed loop where production runs it: worker processes on one PostgreSQL database,
threads bursting feedback at one SQLite file, and every worker restarted.

(The SQLite two-process case is in ``test_feedback_loop.py``.) Each change must be made
once and recorded, one step at a time, inside the bounds, and survive a restart.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

from shared_core import Router
from shared_core.ledger import CallRecord, SQLiteLedger

from .test_feedback_loop import Scored, _config

WORKER = textwrap.dedent(
    """
    import sys, numpy as np
    sys.path[:0] = [{root!r}, {tests!r}]
    from test_feedback_loop import Router, Scored, _config, _stream
    from shared_core.ledger.postgres import PostgresLedger
    router = Router(_config(), classifier=Scored(), ledger=PostgresLedger({url!r}))
    knobs, _ = _stream(router, {n}, {drop}, np.random.default_rng({seed}))
    router.ledger.close()
    print(knobs[-1])
    """
)


def _one_step_at_a_time(history, start=0.5, step=0.05, bounds=(0.2, 0.8)):
    assert [h["version"] for h in history] == list(range(1, len(history) + 1))
    values = [start] + [h["knob"] for h in history]
    assert np.allclose(np.abs(np.diff(values)), step), values
    assert all(bounds[0] - 1e-9 <= v <= bounds[1] + 1e-9 for v in values), values
    return values


def test_two_processes_on_postgres_agree_on_the_knob_and_a_restart_keeps_it(pg_url, repo_root):
    from shared_core.ledger.postgres import PostgresLedger

    tests = str(repo_root / "tests" / "unit" / "shared_core")

    def worker(seed):
        src = WORKER.format(root=str(repo_root), tests=tests, url=pg_url, n=500, drop=0.5, seed=seed)
        return subprocess.Popen([sys.executable, "-c", src], stdout=subprocess.PIPE, text=True)

    procs = [worker(1), worker(2)]
    outs = [p.communicate(timeout=400)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    # every worker gone: a new one (a restart) routes with the knob they left
    here = Router(_config(), classifier=Scored(), ledger=PostgresLedger(pg_url))
    knob = here.knob()
    assert knob > 0.5
    values = _one_step_at_a_time(here.feedback_loop.history())
    assert values[-1] == pytest.approx(knob)
    here.ledger.close()


def test_a_burst_of_feedback_from_many_threads_moves_the_knob_one_recorded_step_at_a_time(tmp_path):
    db = tmp_path / "burst.sqlite"
    routers = [Router(_config(window=20), classifier=Scored(), ledger=SQLiteLedger(db)) for _ in range(2)]
    rng = np.random.default_rng(0)
    calls = []
    for i in range(1200):  # decided and answered; their feedback comes all at once
        router = routers[i % 2]
        p = float(rng.random())
        d = router.decide(f"p={p:.4f} q")
        router.ledger.record(CallRecord(call_id=d.call_id, tier=d.tier, model=d.model, cost_usd=0.001))
        calls.append((router, d, 0.0 if d.tier == "cheap" and rng.random() < 0.6 else 1.0))
    for r in routers:
        r.ledger.flush()
    errors: list[BaseException] = []

    def send(part):
        try:
            for router, d, score in part:
                router.record_feedback(d.call_id, score)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(calls[k::8],)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for r in routers:
        r.feedback_loop.check()
    history = routers[0].feedback_loop.history()
    values = _one_step_at_a_time(history)
    assert routers[0].knob() == routers[1].knob() == pytest.approx(values[-1])
    # the cheap tier failed 60% of its calls throughout: the knob only ever went up
    assert all(b > a for a, b in itertools.pairwise(values)), values


def test_a_change_the_ledger_cannot_record_is_not_applied_and_is_made_once_it_can(
    tmp_path, caplog, monkeypatch
):
    import logging
    import sqlite3

    caplog.set_level(logging.WARNING)
    ledger = SQLiteLedger(tmp_path / "full.sqlite")
    router = Router(_config(window=10), classifier=Scored(), ledger=ledger)
    rng = np.random.default_rng(3)
    calls = []
    for _ in range(40):
        d = router.decide(f"p={0.6 + 0.3 * float(rng.random()):.4f} q")
        ledger.record(CallRecord(call_id=d.call_id, tier=d.tier, model=d.model, cost_usd=0.001))
        calls.append(d)
    ledger.flush()
    for d in calls:
        ledger.record_feedback(d.call_id, 0.0)  # the cheap tier fails: the knob wants to go up
    ledger.flush()
    real = SQLiteLedger._live_connection

    def full(self, write=False):
        if write:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, write)

    monkeypatch.setattr(SQLiteLedger, "_live_connection", full)
    assert router.feedback_loop.check() is None  # not applied: it could not be recorded
    assert router.knob() == 0.5 and router.feedback_loop.history() == []
    monkeypatch.undo()
    assert any("state write failed" in r.getMessage() for r in caplog.records)
    change = router.feedback_loop.check()  # the ledger writes again: the same evidence moves it
    assert change is not None and change.new == 0.55
    assert [h["knob"] for h in router.feedback_loop.history()] == [0.55]
    assert Router(_config(window=10), classifier=Scored(), ledger=SQLiteLedger(tmp_path / "full.sqlite")).knob() == 0.55
