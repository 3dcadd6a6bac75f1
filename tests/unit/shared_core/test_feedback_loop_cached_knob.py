"""The closed loop and workers that route with a cached knob after a change.

Each worker rereads the shared knob at most every ``refresh_s``; for that long after another
worker moved it, it still routes with the old one. Those calls begin after the change, so
dated by time alone they counted as evidence about the new knob: with window 10, ten calls a
second process routed at 0.50 after the knob had moved to 0.55 moved it again, to 0.60, with
not one call routed at 0.55. A decision now carries the version of the knob it routed with
(its first record's ``metadata["router_knob_version"]``), and the loop counts only the calls
routed with the knob in force.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

from shared_core import Router
from shared_core.decision import KNOB_VERSION
from shared_core.dispatch import execute
from shared_core.ledger import SQLiteLedger
from shared_core.testing import ScriptedModel

from .test_feedback_loop import Scored, _config

WORKER = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from test_feedback_loop import Router, Scored, _config
    from shared_core.dispatch import execute
    from shared_core.ledger import SQLiteLedger
    from shared_core.testing import ScriptedModel
    router = Router(_config(window=10), classifier=Scored(), ledger=SQLiteLedger({db!r}))
    loop = router.feedback_loop
    loop.refresh_s, loop.check_every = 3600.0, 10**9  # rereads the knob after its refresh only
    router.decide("p=0.10 warm-up")  # reads the knob (0.50) and caches it
    print("ready", flush=True)
    sys.stdin.readline()  # meanwhile the other process moves the knob
    tiers = []
    for i in range(10):
        req = router.request(f"p=0.52 question {{i}}")
        d = router.decide_request(req)
        execute(router.plan(d, req), ScriptedModel())
        router.record_feedback(d.call_id, 0.0)
        tiers.append((d.tier, d.knob_version))
    router.ledger.close()
    print(tiers, flush=True)
    """
)


def _call(router, text, score):
    req = router.request(text)
    d = router.decide_request(req)
    execute(router.plan(d, req), ScriptedModel())
    router.record_feedback(d.call_id, score)
    return d


def test_calls_routed_with_a_cached_old_knob_do_not_move_the_new_one(tmp_path, repo_root):
    db = str(tmp_path / "loop.sqlite")
    router = Router(_config(window=10), classifier=Scored(), ledger=SQLiteLedger(db))
    router.feedback_loop.check_every = 1
    src = WORKER.format(root=str(repo_root), tests=str(repo_root / "tests" / "unit" / "shared_core"), db=db)
    worker = subprocess.Popen([sys.executable, "-c", src], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    assert worker.stdout.readline().strip() == "ready"
    for i in range(10):  # quick calls here, all bad: the cheap tier under-serves
        d = _call(router, f"p=0.90 short {i}", 0.0)
    assert router.knob() == 0.55, router.feedback_loop.history()
    assert d.knob_version == 0  # (the last call before the change was routed with version 0)
    out, _ = worker.communicate("go\n", timeout=120)
    assert worker.returncode == 0, out
    routed = ast.literal_eval(out.strip().splitlines()[-1])
    assert routed == [("cheap", 0)] * 10  # the worker still routed with 0.50 (0.52 >= 0.50: cheap)
    router.ledger.flush()
    stale = [r for r in router.ledger.records() if r.metadata.get(KNOB_VERSION) == 0]
    assert len(stale) == 20
    router.feedback_loop.check()
    # not one call was routed with 0.55: nothing says anything about it yet
    assert router.knob() == 0.55, router.feedback_loop.history()
    assert len(router.feedback_loop.history()) == 1
    d = _call(router, "p=0.90 after", 1.0)
    assert d.knob_version == 1 and router.ledger.records_of([d.call_id])[0].metadata[KNOB_VERSION] == 1
    router.ledger.close()


def test_an_async_decision_carries_the_knob_version_too(tmp_path):
    import asyncio

    router = Router(_config(window=10), classifier=Scored(), ledger=SQLiteLedger(tmp_path / "l.sqlite"))
    assert asyncio.run(router.adecide("p=0.90 q")).knob_version == 0
    router.feedback_loop.reset()  # a new version of the knob
    router.feedback_loop.refresh_s = 0.0
    assert asyncio.run(router.adecide("p=0.90 q")).knob_version == 1
    router.ledger.close()
    tiers = [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]
    assert Router({"tiers": tiers}, classifier=Scored()).decide("p=0.90 q").knob_version is None  # no loop
