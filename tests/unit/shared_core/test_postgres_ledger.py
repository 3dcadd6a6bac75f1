"""PostgresLedger against a real server: URL everywhere, schema races, budgets, async, CLI.

The server comes from ``$TIER_ROUTER_TEST_PG_URL`` (``.ci/run`` starts one) or is started
by the ``pg_server`` fixture; without either the tests skip (under CI=true they fail).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import subprocess
import sys
import threading
import time

import pytest

from shared_core import Router, RouterConfig
from shared_core.dispatch import aexecute
from shared_core.ledger import CallRecord, LimitCheck, open_ledger
from shared_core.testing import ScriptedModel

from ...ledger_workers import RESERVATION, budget_config, budget_router
from .test_reservations import kill_mid_call, run_processes

pytestmark = pytest.mark.usefixtures("pg_server")


def _pg_class():
    from shared_core.ledger import PostgresLedger

    return PostgresLedger


def test_a_postgres_url_picks_postgres_wherever_a_ledger_is_named(pg_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pg = _pg_class()
    router = Router(ledger=pg_url)
    assert isinstance(router.ledger, pg)
    cfg = RouterConfig.build({**budget_config(), "ledger": {"url": pg_url}})
    from_config = Router(cfg)
    assert isinstance(from_config.ledger, pg)
    assert isinstance(open_ledger(pg_url.replace("postgresql://", "postgres://", 1)), pg)
    router.ledger.record(CallRecord(call_id="a", tier="t", model="m", cost_usd=0.25))
    router.ledger.flush()
    assert [r.call_id for r in from_config.ledger.records()] == ["a"]
    assert list(tmp_path.iterdir()) == []  # no folder named "postgresql:"


def test_adapters_take_a_postgres_url(pg_url):
    pytest.importorskip("langchain_core")
    pytest.importorskip("llama_index.core")
    from langchain_core.language_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage
    from llama_index.core.llms import MockLLM

    from langchain_router import RoutedChatModel
    from llamaindex_router import RoutedLLM

    pg = _pg_class()
    chat = RoutedChatModel(
        tiers={"t": GenericFakeChatModel(messages=iter([AIMessage("hi")]))},
        config=budget_config(), ledger=pg_url,
    )
    assert isinstance(chat.router.ledger, pg)
    chat.invoke("hello")
    llm = RoutedLLM(tiers={"t": MockLLM(max_tokens=5)}, config=budget_config(), ledger=pg_url)
    assert isinstance(llm.router.ledger, pg)
    llm.complete("hello")
    chat.router.ledger.flush()
    llm.router.ledger.flush()
    frameworks = sorted(r.framework for r in open_ledger(pg_url).records())
    assert frameworks == ["langchain", "llamaindex"]


def test_stats_reads_a_postgres_ledger(pg_url):
    led = open_ledger(pg_url)
    led.record(CallRecord(call_id="a", tier="t", model="m", cost_usd=0.25, tags=("x",)))
    led.record(CallRecord(call_id="b", tier="t", model="m", cost_usd=0.5, user="u"))
    led.close()
    out = subprocess.run(
        [sys.executable, "-m", "shared_core", "stats", pg_url, "--json"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    summary = json.loads(out.stdout)
    assert summary["calls"] == 2
    assert summary["cost_usd"] == pytest.approx(0.75)


def _open(url: str, q) -> None:  # pragma: no cover - runs in a child
    try:
        led = open_ledger(url)
        q.put(led.salt)
        led.close()
    except Exception as exc:
        q.put(f"error: {exc!r}")


@pytest.mark.slow
def test_eight_processes_creating_the_schema_at_once(pg_url):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [ctx.Process(target=_open, args=(pg_url, q)) for _ in range(8)]
    for p in procs:
        p.start()
    salts = [q.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert len(set(salts)) == 1 and not salts[0].startswith("error")


def test_user_and_hostile_text_round_trip(pg_url):
    led = open_ledger(pg_url)
    text = "'; DROP TABLE tier_router_calls; --"
    led.record(CallRecord(call_id="a", tier="t", model="m", user=text, tags=(text, "b\\c"),
                          metadata={"k": text}, cost_usd=0.1))
    [rec] = led.records(tag=text)
    assert rec.user == text and rec.tags == (text, "b\\c") and rec.metadata == {"k": text}
    assert led.spend(f"user:{text}", 0) == pytest.approx(0.1)
    led.close()


async def test_async_path_never_calls_the_blocking_methods(pg_url, monkeypatch):
    router = budget_router(pg_url)
    led = router.ledger

    loop_thread = threading.get_ident()  # the async twins run the sync methods, in threads

    def guarded(name):
        method = getattr(led, name)

        def on_a_thread(*a, **k):
            if threading.get_ident() == loop_thread:
                raise AssertionError(f"a blocking ledger round trip ({name}) on the event loop")
            return method(*a, **k)

        return on_a_thread

    for name in ("reserve", "spend", "reserved", "held", "_read"):
        monkeypatch.setattr(led, name, guarded(name))
    model = ScriptedModel()
    d = await router.adecide("hi")
    out = await aexecute(router.plan(d, router.request("hi")), model.acall)
    assert out.value == "ok from t"
    monkeypatch.undo()
    led.flush()
    assert [r.status for r in led.records()] == ["ok"]
    assert led.reserved("global") == 0.0
    await led.aclose()
    led.close()


@pytest.mark.slow
def test_16_processes_never_pass_a_postgres_hard_limit(pg_url):
    open_ledger(pg_url).close()
    results = run_processes(pg_url)
    led = open_ledger(pg_url)
    spent = led.spend("global", 0)
    assert 1.0 - RESERVATION <= spent <= 1.0
    assert sum(r for _, r in results) > 0
    assert sum(a for a, _ in results) == len(led.records(status="ok"))
    assert led.reserved("global") == 0.0
    led.close()


@pytest.mark.slow
def test_a_killed_worker_leaks_no_postgres_reservation_past_its_ttl(pg_url):
    open_ledger(pg_url).close()
    kill_mid_call(pg_url, ttl_s=2.0)


def test_reserve_extends_and_refuses_atomically(pg_url):
    led = open_ledger(pg_url)
    checks = [LimitCheck("global", 0.0, 1.0)]
    assert led.reserve("a", 0.6, checks, 60) is None
    assert led.reserve("b", 0.6, checks, 60) is not None
    assert led.reserve("a", 0.3, checks, 60) is None
    assert led.reserved("global") == pytest.approx(0.9)
    led.release("a")
    assert led.reserved("global") == 0.0
    led.close()


def test_bad_url_fails_when_built(tmp_path):
    from shared_core.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot open the PostgreSQL ledger"):
        open_ledger("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=1")
    try:
        open_ledger("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=1")
    except ConfigError as exc:
        assert "secret" not in str(exc)



def test_shared_state_is_one_value_for_every_worker(pg_url):
    a, b = open_ledger(pg_url), open_ledger(pg_url)
    assert a.get_state("knob") == (None, 0)
    assert a.put_state("knob", {"threshold": 0.4}, 0)
    assert not b.put_state("knob", {"threshold": 0.9}, 0)  # a got there first
    assert b.get_state("knob") == ({"threshold": 0.4}, 1)
    assert not b.put_state("knob", {"threshold": 0.9}, 5)  # no gap in versions
    assert b.put_state("knob", {"threshold": 0.5}, 1)
    assert [c.version for c in a.state_history("knob")] == [1, 2]
    a.close()
    b.close()


def test_variant_round_trips(pg_url):
    led = open_ledger(pg_url)
    led.record(CallRecord(call_id="v", tier="t", model="m", variant="candidate"))
    assert [r.variant for r in led.records()] == ["candidate"]
    led.close()


@pytest.mark.parametrize("backend", ["postgres", "sqlite", "memory"])
def test_recent_feedback_and_records_of_answer_like_the_full_reads(backend, pg_url, tmp_path):
    """The feedback loop's bounded reads agree with ``feedback()`` / ``records()`` on every
    backend, written rows and still-queued ones alike."""
    from shared_core.ledger import CallRecord, InMemoryLedger, SQLiteLedger

    ledger = {"postgres": lambda: _pg_class()(pg_url), "sqlite": lambda: SQLiteLedger(tmp_path / "l.sqlite"),
              "memory": InMemoryLedger}[backend]()
    for i in range(6):
        ledger.record(CallRecord(call_id=f"c{i}", tier="cheap", model="gpt-4o-mini", ts=100.0 + i))
        ledger.record(CallRecord(call_id=f"c{i}", tier="strong", model="gpt-4o", attempt=1, ts=100.5 + i))
        ledger.record_feedback(f"c{i}", i / 10)
        time.sleep(0.002)  # distinct feedback times
    everything = ledger.feedback()
    assert [f.call_id for f in everything] == [f"c{i}" for i in range(6)]
    assert ledger.recent_feedback(everything[2].ts, 2) == everything[-2:]
    assert ledger.recent_feedback(everything[4].ts, 10) == everything[4:]
    assert ledger.recent_feedback(0.0, 0) == []
    assert [(r.call_id, r.attempt) for r in ledger.records_of(["c1", "c4", "nope"])] == [
        ("c1", 0), ("c1", 1), ("c4", 0), ("c4", 1)
    ]
    ledger.close()


def test_calibrate_from_a_postgres_ledger(pg_url, tmp_path):
    """`calibrate --from-ledger` takes the same postgresql:// URL as stats and report."""
    led = open_ledger(pg_url)
    for i in range(60):
        p = (i + 0.5) / 60
        led.record(CallRecord(call_id=f"c{i}", tier="s", model="small", metadata={"router_scores": {"s": p}}))
        led.record_feedback(f"c{i}", 1.0 if p >= 0.75 else 0.0)
    led.close()
    cfg_in, cfg_out = tmp_path / "in.yaml", tmp_path / "out.yaml"
    RouterConfig.build({"tiers": [{"name": "s", "model": "small"}, {"name": "b", "model": "big"}],
                        "allow_unordered": True, "policy": {"threshold": 0.5}}).to_file(cfg_in)
    out = subprocess.run(
        [sys.executable, "-m", "shared_core", "calibrate", "--from-ledger", pg_url,
         "--target-success", "0.9", "--config", str(cfg_in), "--output", str(cfg_out), "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["calls"] == 60
    assert RouterConfig.from_file(cfg_out).policy.threshold == pytest.approx(0.758, abs=0.01)
