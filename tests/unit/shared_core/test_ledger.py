"""Ledgers: records, filters, summaries, feedback, concurrency, hostile text, write failures."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.errors import InputError
from shared_core.ledger import (
    CallRecord,
    CostLedger,
    InMemoryLedger,
    LimitCheck,
    SQLiteLedger,
    hash_prompt,
    open_ledger,
    summarize,
)
from shared_core.ledger.base import RecordFilter, Refusal, fits, new_salt, parse_scope
from shared_core.ledger.summary import percentile

ROOT = Path(__file__).resolve().parents[3]
DAY = 86400.0


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> CostLedger:
    # "memory" is open_ledger(None): a mapping to None fell through to Postgres
    if request.param == "memory":
        led = open_ledger(None)
    elif request.param == "sqlite":
        led = open_ledger(str(tmp_path / "l.db"))
    else:
        led = open_ledger(request.getfixturevalue("pg_url"))
    yield led
    led.close()


def rec(call_id: str, **kw: object) -> CallRecord:
    base: dict[str, object] = {"tier": "simple", "model": "gpt-4o-mini", "cost_usd": 0.01}
    base.update(kw)
    return CallRecord(call_id=call_id, **base)  # type: ignore[arg-type]


def test_round_trip_and_filters(ledger: CostLedger) -> None:
    t0 = 1_700_000_000.0
    ledger.record(rec("a", ts=t0, tags=("x",), status="ok"))
    ledger.record(
        rec(
            "b",
            ts=t0 + 10,
            tier="frontier",
            model="o1",
            tags=("y",),
            status="failed",
            input_tokens=5,  # billed, at a price nobody knows
            cost_usd=None,
        )
    )
    ledger.record(rec("c", ts=t0 + 20, tags=("x", "y"), user="u1", metadata={"n": 1}))
    got = ledger.records()
    assert [r.call_id for r in got] == ["a", "b", "c"]
    assert got[2] == rec("c", ts=t0 + 20, tags=("x", "y"), user="u1", metadata={"n": 1})
    assert got[1].cost_usd is None
    assert [r.call_id for r in ledger.records(since=t0 + 5)] == ["b", "c"]
    assert [r.call_id for r in ledger.records(until=t0 + 10)] == ["a"]
    assert [r.call_id for r in ledger.records(tier="frontier")] == ["b"]
    assert [r.call_id for r in ledger.records(tag="x")] == ["a", "c"]
    assert [r.call_id for r in ledger.records(status="failed")] == ["b"]


def test_record_is_json_serialisable() -> None:
    r = rec("a", tags=("t",), metadata={"k": [1, "v"]}, escalated=True)
    d = json.loads(r.to_json())
    assert d["tags"] == ["t"] and d["escalated"] is True
    assert CallRecord.from_dict(d) == r
    with pytest.raises(InputError, match="status"):
        rec("a", status="weird")


def test_spend_by_scope(ledger: CostLedger) -> None:
    now = time.time()
    ledger.record(rec("a", ts=now - 2 * DAY, cost_usd=5.0, tags=("t",), user="u"))
    ledger.record(rec("b", ts=now, cost_usd=1.0, tags=("t",), user="u"))
    ledger.record(rec("c", ts=now, cost_usd=2.0, tags=("other",), user="v"))
    ledger.record(rec("d", ts=now, cost_usd=None, tags=("t",), user="u"))
    assert ledger.spend("global", now - DAY) == pytest.approx(3.0)
    assert ledger.spend("global", 0) == pytest.approx(8.0)
    assert ledger.spend("tag:t", now - DAY) == pytest.approx(1.0)
    assert ledger.spend("user:v", 0) == pytest.approx(2.0)
    assert ledger.spend("tag:none", 0) == 0.0
    with pytest.raises(InputError, match="scope"):
        ledger.spend("team:x", 0)


HOSTILE = [
    "'; DROP TABLE calls; --",
    'a"b\\c',
    "null\x00byte",
    "ctrl\x01\x1b[31m\r\n\t",
    "emoji 🚀 and RTL \u202eabc\u200b",
    "%_ LIKE wildcards %",
]


def test_sql_and_control_characters_stored_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    led = SQLiteLedger(path)
    for i, s in enumerate(HOSTILE):
        led.record(
            rec(
                f"c{i}",
                tags=(s, "plain"),
                metadata={s: s, "nested": {"v": s}},
                user=s,
                error=s,
                thread_id=s,
            )
        )
    led.close()
    again = SQLiteLedger(path)  # a fresh connection reads what was stored
    got = again.records()
    assert len(got) == len(HOSTILE)
    for i, s in enumerate(HOSTILE):
        r = got[i]
        assert r.tags == (s, "plain") and r.metadata == {s: s, "nested": {"v": s}}
        assert r.user == s and r.error == s and r.thread_id == s
        assert [x.call_id for x in again.records(tag=s)] == [f"c{i}"]
        assert again.spend(f"tag:{s}", 0) == pytest.approx(0.01)
        assert again.spend(f"user:{s}", 0) == pytest.approx(0.01)
    assert len(again.records(tag="plain")) == len(HOSTILE)
    assert again.records(tag="%") == []
    again.close()


def test_eight_threads_lose_no_record(ledger: CostLedger) -> None:
    def work(t: int) -> None:
        for i in range(250):
            ledger.record(rec(f"t{t}-{i}", cost_usd=0.001))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    got = ledger.records()
    assert len(got) == 2000
    assert len({r.call_id for r in got}) == 2000
    assert ledger.spend("global", 0) == pytest.approx(2.0)


_WRITER = """
import sys
from shared_core.ledger import CallRecord, SQLiteLedger
led = SQLiteLedger(sys.argv[1])
for i in range(250):
    led.record(CallRecord(call_id=f"p{sys.argv[2]}-{i}", tier="simple", model="m", cost_usd=0.002))
led.close()
print(led.salt)
"""


def test_threads_and_processes_share_one_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    led = SQLiteLedger(path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), str(p)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in range(2)
    ]

    def work(t: int) -> None:
        for i in range(250):
            led.record(rec(f"t{t}-{i}", cost_usd=0.001))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    assert led.pending == 0
    got = led.records()
    assert len(got) == 2500 and len({r.call_id for r in got}) == 2500
    assert led.spend("global", 0) == pytest.approx(2000 * 0.001 + 500 * 0.002)
    # every process hashes prompts with the salt stored in the file
    assert {o[0].strip() for o in outs} == {led.salt}
    led.close()


def test_summary_breakdowns_and_rates() -> None:
    t = 1_700_000_000.0
    recs = [
        # call 1: simple answered, baseline 1.0
        rec("1", ts=t, cost_usd=0.1, baseline_cost_usd=1.0, latency_ms=100, tags=("a",)),
        # call 2: simple rejected, escalated to medium which answered
        rec("2", ts=t, cost_usd=0.1, baseline_cost_usd=1.0, status="rejected", latency_ms=50),
        rec(
            "2",
            ts=t + 1,
            attempt=1,
            tier="medium",
            model="m2",
            cost_usd=0.3,
            baseline_cost_usd=1.0,
            escalated=True,
            latency_ms=300,
        ),
        # call 3: medium failed, fallback to frontier answered; next day
        rec(
            "3",
            ts=t + DAY,
            tier="medium",
            model="m2",
            cost_usd=None,
            status="failed",
            error_kind="rate_limit",
        ),
        rec(
            "3",
            ts=t + DAY,
            attempt=1,
            tier="frontier",
            model="m3",
            cost_usd=1.0,
            baseline_cost_usd=1.0,
            fallback=True,
            latency_ms=1000,
            tags=("a", "b"),
        ),
        # call 4: failed everywhere
        rec("4", ts=t + DAY, tier="frontier", model="m3", status="failed", cost_usd=None),
        # call 5: refused by budget
        rec("5", ts=t + DAY, status="refused", cost_usd=0.0),
    ]
    s = summarize(recs)
    assert s.calls == 5 and s.records == 7
    assert s.cost_usd == pytest.approx(1.5)
    assert s.baseline_cost_usd == pytest.approx(3.0)  # ok attempts only: one per answered call
    assert s.savings_usd == pytest.approx(1.5) and s.savings_pct == pytest.approx(50.0)
    assert s.tier_distribution == pytest.approx(
        {"simple": 1 / 3, "medium": 1 / 3, "frontier": 1 / 3}
    )
    # over the 4 calls sent: the refused call could neither escalate nor fall back
    assert s.escalation_rate == pytest.approx(1 / 4)
    assert s.fallback_rate == pytest.approx(1 / 4)
    assert s.refused_calls == 1
    assert s.failure_rate == pytest.approx(1 / 4)
    assert s.by_tier["simple"].cost_usd == pytest.approx(0.2)
    # the refused call reached no tier: it is no call of `simple`'s (stats showed "2 calls, 33%")
    assert s.by_tier["simple"].calls == 1 and s.by_tier["simple"].records == 3
    assert s.by_model["gpt-4o-mini"].calls == 1
    assert s.by_day[max(s.by_day)].calls == 3  # a day's calls still count it
    assert s.by_tier["medium"].calls == 1 and s.by_tier["medium"].records == 2
    assert s.by_model["m3"].cost_usd == pytest.approx(1.0)
    assert s.by_tag["a"].calls == 2 and s.by_tag["a"].cost_usd == pytest.approx(1.1)
    assert list(s.by_day) == sorted(s.by_day) and len(s.by_day) == 2
    assert s.latency_ms["frontier"]["p50"] == pytest.approx(1000)
    assert s.unknown_cost_records == 0  # failed attempts without usage are not "unknown price"
    json.dumps(s.to_dict())


def test_summary_counts_unknown_prices() -> None:
    s = summarize([rec("1", cost_usd=None, input_tokens=10, output_tokens=5)])
    assert s.unknown_cost_records == 1 and s.cost_usd == 0.0


def test_percentile() -> None:
    assert percentile([], 50) is None
    assert percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert percentile(list(range(101)), 95) == pytest.approx(95)


def test_feedback_and_quality_drift(ledger: CostLedger) -> None:
    t = time.time()
    ledger.record(rec("1", ts=t))
    ledger.record(rec("2", ts=t, tier="frontier"))
    ledger.record_feedback("1", 1.0)
    ledger.record_feedback("1", 0.5, source="escalation")
    ledger.record_feedback("2", 0.0)
    fb = ledger.feedback()
    assert [(f.call_id, f.score, f.source) for f in fb] == [
        ("1", 1.0, "user"),
        ("1", 0.5, "escalation"),
        ("2", 0.0, "user"),
    ]
    s = ledger.summary()
    assert s.quality["simple"][0].mean_score == pytest.approx(0.75)
    assert s.quality["simple"][0].n == 2
    assert s.quality["frontier"][0].mean_score == 0.0
    for bad in (-0.1, 1.5, float("nan"), True, "1"):
        with pytest.raises(InputError, match="score"):
            ledger.record_feedback("1", bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="source"):
        ledger.record_feedback("1", 0.5, source="robot")
    # a call id no call has: on SQLite a lone surrogate was queued, then failed every later write
    for bad_id in ("abc\ud800", "abc\x00def"):
        with pytest.raises(InputError, match="no call"):  # an UnknownCallError
            ledger.record_feedback(bad_id, 0.5)
    ledger.record(rec("3", ts=t))
    assert "3" in {r.call_id for r in ledger.records()} and len(ledger.feedback()) == 3


def test_quality_windows_show_drift() -> None:
    from shared_core.ledger import Feedback

    t = 1_700_000_000.0 - (1_700_000_000.0 % DAY)
    recs = [rec(f"c{i}", ts=t + i * DAY) for i in range(3)]
    fb = [Feedback(f"c{i}", s, ts=t + i * DAY + 5) for i, s in enumerate([0.9, 0.7, 0.4])]
    s = summarize(recs, fb)
    assert [round(p.mean_score, 2) for p in s.quality["simple"]] == [0.9, 0.7, 0.4]
    hourly = summarize(recs, fb, window_s=3600)
    assert len(hourly.quality["simple"]) == 3 and "T" in hourly.quality["simple"][0].window_start


def test_prompt_hash_salted_and_salt_persisted(tmp_path: Path) -> None:
    assert hash_prompt("hi", "a") != hash_prompt("hi", "b")
    assert hash_prompt("hi", "a") == hash_prompt("hi", "a")
    led = SQLiteLedger(tmp_path / "s.db")
    salt = led.salt
    h = led.hash_prompt("secret prompt")
    led.close()
    again = SQLiteLedger(tmp_path / "s.db")
    assert again.salt == salt and again.hash_prompt("secret prompt") == h
    assert "secret prompt" not in h
    assert SQLiteLedger(tmp_path / "s.db", salt="cfg").salt == "cfg"
    assert InMemoryLedger().salt != InMemoryLedger().salt


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=40), st.text(max_size=40))
def test_a_ledger_hashes_a_prompt_as_hash_prompt_does(text: str, salt: str, other: str) -> None:
    """The ledger continues from the hash state after its salt (made once per salt): the same
    hex digest as :func:`hash_prompt`, lone surrogates included, after the salt is replaced too."""
    ledger = InMemoryLedger(salt=salt or "s")
    assert ledger.hash_prompt(text) == hash_prompt(text, ledger.salt)
    assert ledger.hash_prompt(text) == hash_prompt(text, ledger.salt)  # from the kept state
    ledger.salt = other
    assert ledger.hash_prompt(text) == hash_prompt(text, other)


def test_locked_database_buffers_warns_once_then_flushes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "lock.db"
    led = SQLiteLedger(path, busy_timeout_s=0.05, retry_after_s=0)
    led.record(rec("before"))
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    with caplog.at_level(logging.WARNING, logger="shared_core.ledger.sqlite"):
        led.record(rec("during-1"))  # must not raise
        led.record(rec("during-2"))
        assert led.pending == 2
        assert {r.call_id for r in led.records()} >= {"during-1", "during-2"}
        assert led.spend("global", 0) == pytest.approx(0.03)  # budgets still see buffered spend
    warnings = [r for r in caplog.records if "write failed" in r.getMessage()]
    assert len(warnings) == 1
    blocker.execute("ROLLBACK")
    blocker.close()
    led.record(rec("after"))
    assert led.pending == 0
    led.close()
    stored = SQLiteLedger(path).records()
    assert [r.call_id for r in stored] == ["before", "during-1", "during-2", "after"]


def test_removed_file_is_recreated(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    led = SQLiteLedger(path)
    led.record(rec("1"))
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    led.record(rec("2"))
    assert path.exists()
    assert [r.call_id for r in SQLiteLedger(path).records()] == ["2"]
    led.close()


def test_removed_folder_buffers_then_flush(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "dir"
    led = SQLiteLedger(folder / "l.db")
    shutil.rmtree(folder)
    with caplog.at_level(logging.WARNING, logger="shared_core.ledger.sqlite"):
        led.record(rec("1"))
        led.record(rec("2"))
    assert led.pending == 2
    assert sum("write failed" in r.getMessage() for r in caplog.records) == 1
    folder.mkdir()
    assert led.flush() == 0
    assert [r.call_id for r in SQLiteLedger(folder / "l.db").records()] == ["1", "2"]
    led.close()


def test_write_error_of_any_kind_never_reaches_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    led = SQLiteLedger(tmp_path / "full.db", retry_after_s=0)

    def disk_full(*a: object, **k: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(led, "_live_connection", disk_full)
    led.record(rec("1"))
    assert led.pending == 1
    monkeypatch.undo()
    led.record(rec("2"))
    assert led.pending == 0 and len(led.records()) == 2
    led.close()


def test_bad_ledger_path_fails_at_construction(tmp_path: Path) -> None:
    from shared_core.errors import ConfigError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="ledger"):
        SQLiteLedger(blocker / "sub" / "l.db")
    not_db = tmp_path / "not.db"
    not_db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigError, match="cannot open") as info:
        SQLiteLedger(not_db)
    assert "not a readable SQLite database" in str(info.value)  # not "check the path is writable"


async def test_arecord(ledger: CostLedger) -> None:
    await ledger.arecord(rec("async"))
    assert [r.call_id for r in ledger.records()] == ["async"]


def test_spend_sees_writes_of_other_connections_incrementally(tmp_path: Path) -> None:
    path = tmp_path / "inc.db"
    a, b = SQLiteLedger(path), SQLiteLedger(path)
    now = time.time()
    for scope in ("global", "tag:t", "user:u"):
        assert a.spend(scope, now - 10) == 0.0
    b.record(rec("1", ts=now, cost_usd=1.0, tags=("t",), user="u"))
    b.record(rec("2", ts=now - 100, cost_usd=5.0, tags=("t",), user="u"))  # before `since`
    for scope in ("global", "tag:t", "user:u"):
        assert a.spend(scope, now - 10) == pytest.approx(1.0)
    a.record(rec("3", ts=now, cost_usd=2.0, tags=("x",)))
    assert a.spend("global", now - 10) == pytest.approx(3.0)
    assert a.spend("tag:t", now - 10) == pytest.approx(1.0)
    assert a.spend("global", 0) == pytest.approx(8.0)
    a.close()
    b.close()


def test_sqlite_in_memory_database() -> None:
    led = SQLiteLedger(":memory:")
    led.record(rec("a", tags=("x",), cost_usd=1.0))
    assert [r.call_id for r in led.records(tag="x")] == ["a"]
    assert led.spend("tag:x", 0) == 1.0 and led.count() == 1
    led.close()


def test_spend_is_incremental_and_exact(ledger: CostLedger) -> None:
    now = time.time()
    for i in range(50):
        ledger.record(rec(str(i), ts=now + i, cost_usd=0.5, tags=("t",) if i % 2 else ()))
        assert ledger.spend("global", now) == pytest.approx(0.5 * (i + 1))
        assert ledger.spend("tag:t", now) == pytest.approx(0.5 * ((i + 1) // 2))
    assert ledger.spend("global", now + 40) == pytest.approx(0.5 * 10)


def test_a_locked_database_does_not_stall_every_call(tmp_path):
    """After one failed write, records are buffered at once; nothing is lost when it frees."""
    import sqlite3
    import time as _time

    from shared_core.ledger import CallRecord, SQLiteLedger

    path = tmp_path / "locked.sqlite"
    ledger = SQLiteLedger(path, busy_timeout_s=0.3, retry_after_s=0.5)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    t0 = _time.perf_counter()
    ledger.record(CallRecord(call_id="a", tier="t", model="m"))  # waits busy_timeout once
    first = _time.perf_counter() - t0
    t1 = _time.perf_counter()
    for i in range(20):
        ledger.record(CallRecord(call_id=f"b{i}", tier="t", model="m"))
    rest = _time.perf_counter() - t1
    assert first >= 0.25 and rest < 0.25  # 20 calls together cost less than one busy wait
    assert ledger.pending == 21
    blocker.execute("ROLLBACK")
    blocker.close()
    _time.sleep(0.55)
    ledger.record(CallRecord(call_id="c", tier="t", model="m"))
    assert ledger.pending == 0
    assert len(ledger.records()) == 22


def test_in_memory_ledger_is_bounded_and_budgets_keep_counting_dropped_records():
    from shared_core.ledger import CallRecord, InMemoryLedger

    led = InMemoryLedger(max_records=100)
    led.record(CallRecord(call_id="first", tier="t", model="m", cost_usd=1.0, tags=("a",)))
    assert led.spend("global", 0) == 1.0 and led.spend("tag:a", 0) == 1.0  # tracked scopes
    for i in range(1000):
        led.record(CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=0.5))
    assert len(led) <= 100
    assert "first" not in {r.call_id for r in led.records()}
    assert led.spend("global", 0) == pytest.approx(1.0 + 1000 * 0.5)
    assert led.spend("tag:a", 0) == pytest.approx(1.0)


# -- records, filters and hashes, pinned field by field (make mutation found these untested) --


def test_prompt_hashes_are_stable_across_versions_and_take_any_text() -> None:
    """A stored hash must match the same prompt after an upgrade: the format is fixed."""
    import hashlib

    assert hash_prompt("hello", "salt") == hashlib.sha256(b"salt\x00hello").hexdigest()
    lone = "\ud800"  # a lone surrogate (a broken client's text) still hashes, distinctly
    assert hash_prompt(lone, "s") == hashlib.sha256(b"s\x00\xed\xa0\x80").hexdigest()
    assert hash_prompt("x", lone) == hashlib.sha256(b"\xed\xa0\x80\x00x").hexdigest()
    assert hash_prompt("ab", "s") != hash_prompt("b", "sa")  # the separator keeps them apart


def test_a_new_salt_is_32_hex_characters() -> None:
    salt = new_salt()
    assert len(salt) == 32 and int(salt, 16) >= 0
    assert len(InMemoryLedger().salt) == 32


def test_tags_are_kept_as_a_tuple_of_strings() -> None:
    r = rec("a", tags=["x", 7])  # type: ignore[arg-type]
    assert r.tags == ("x", "7")
    assert rec("b", tags=("y",)).tags == ("y",)
    assert r.to_dict()["tags"] == ["x", "7"]


def test_a_cost_that_is_not_finite_is_refused_with_its_value() -> None:
    with pytest.raises(InputError) as info:
        rec("a", cost_usd=float("inf"))
    assert str(info.value) == "CallRecord.cost_usd must be finite and >= 0, or None, got inf"
    for bad in ({"cost_usd": -1.0}, {"baseline_cost_usd": float("nan")}, {"ts": float("nan")}, {"ts": "now"}):
        with pytest.raises(InputError, match=next(iter(bad))):
            rec("a", **bad)
    with pytest.raises(InputError) as bad_status:
        rec("a", status="weird")
    assert str(bad_status.value) == (
        "CallRecord.status must be one of ('ok', 'failed', 'rejected', 'refused', 'abandoned'), "
        "got 'weird'"
    )


def test_json_keeps_text_readable_and_writes_odd_metadata_as_text() -> None:
    r = rec("a", error="délai dépassé", metadata={"path": Path("/tmp/x"), "n": 1})
    text = r.to_json()
    assert '"error": "délai dépassé"' in text
    assert json.loads(text)["metadata"] == {"path": "/tmp/x", "n": 1}


def test_feedback_for_no_call_is_refused_with_its_value() -> None:
    led = InMemoryLedger()
    for bad in ("", None, 5):
        with pytest.raises(InputError) as info:
            led.record_feedback(bad, 0.5)  # type: ignore[arg-type]
        assert str(info.value) == (
            f"record_feedback: call_id must be a non-empty string, got {bad!r}"
        )
    assert led.feedback() == []


def test_feedback_defaults_to_the_user_and_comes_back_oldest_first() -> None:
    led = InMemoryLedger()
    led.record_feedback("a", 1)
    led.record_feedback("b", 0.25, source="escalation")
    led.record_feedback("c", 0.5)
    got = led.feedback()
    assert [(f.call_id, f.score, f.source) for f in got] == [
        ("a", 1.0, "user"), ("b", 0.25, "escalation"), ("c", 0.5, "user")
    ]
    assert isinstance(got[0].score, float)


def test_filters_since_inclusive_until_exclusive_and_every_one_must_match() -> None:
    t = 1_700_000_000.0
    a = rec("a", ts=t, tier="x", tags=("p",), status="ok")
    b = rec("b", ts=t + 1, tier="y", tags=("q",), status="failed")
    f = RecordFilter
    assert f(since=t).matches(a) and not f(since=t + 0.5).matches(a)
    assert f(until=t + 1).matches(a) and not f(until=t + 1).matches(b)
    assert f(tier="x").matches(a) and not f(tier="x").matches(b)
    assert f(tag="p").matches(a) and not f(tag="p").matches(b)
    assert f(status="ok").matches(a) and not f(status="ok").matches(b)
    # each filter alone can exclude a record the others let through
    assert not f(since=t + 1, until=t + 5, tier="x").matches(a)
    assert not f(since=t, until=t + 5, tier="y").matches(a)
    assert not f(tier="x", tag="q").matches(a)
    assert not f(tag="p", status="failed").matches(a)
    assert not f(since=t + 0.5, until=t + 5).matches(a)
    assert not f(until=t + 0.5, since=t - 5).matches(b)
    assert f(since=t, until=t + 1, tier="x", tag="p", status="ok").matches(a)


@pytest.mark.parametrize(
    ("held", "amount", "limit", "expected"),
    [
        (0.5, 0.5, 1.0, True),  # filling a limit exactly fits
        (0.1, 0.2, 0.3, True),  # 0.1 + 0.2 rounds above 0.3: still fits
        (0.5, 0.51, 1.0, False),
        (0.99, 0.0, 1.0, True),  # nothing to reserve: fits while the limit is not reached
        (1.0, 0.0, 1.0, False),
        (1.0, -1.0, 1.0, False),
        (0.0, 1.0 * (1.0 + 1e-12), 1.0, True),  # the rounding slack, 1e-12 of the limit, fits
        (0.0, 1.0 + 1e-11, 1.0, False),  # past the slack
    ],
)
def test_what_fits_under_a_limit(held: float, amount: float, limit: float, expected: bool) -> None:
    assert fits(held, amount, limit) is expected


def test_scopes_parse_and_a_user_id_may_hold_a_colon() -> None:
    assert parse_scope("global") == ("global", None)
    assert parse_scope("tag:search") == ("tag", "search")
    assert parse_scope("user:org:alice") == ("user", "org:alice")
    for bad in ("team:x", "user:", "tag", ""):
        with pytest.raises(InputError) as info:
            parse_scope(bad)
        assert str(info.value) == (
            f"budget scope must be 'global', 'tag:<name>' or 'user:<id>', got {bad!r}"
        )


def test_held_is_spend_plus_live_reservations(ledger: CostLedger) -> None:
    ledger.record(rec("a", cost_usd=0.25, user="u"))
    ledger.reserve("r", 0.5, [LimitCheck("user:u", 0.0, 10.0)], 60)
    assert ledger.held("user:u", 0.0) == pytest.approx(0.75)
    assert ledger.held("global", 0.0) == pytest.approx(0.25)


def test_summary_reads_only_the_records_asked_for() -> None:
    led = InMemoryLedger()
    t = 1_700_000_000.0 - (1_700_000_000.0 % DAY)
    led.record(rec("old", ts=t - 10, tags=("k",), cost_usd=1.0))
    led.record(rec("in", ts=t + 10, tags=("k",), cost_usd=2.0))
    led.record(rec("other", ts=t + 20, tags=("j",), cost_usd=4.0))
    led.record(rec("late", ts=t + 100, tags=("k",), cost_usd=8.0))
    led.record_feedback("in", 0.5)
    led.record_feedback("old", 1.0)
    assert led.summary().cost_usd == pytest.approx(15.0)
    s = led.summary(since=t, until=t + 50, tag="k")
    assert (s.calls, s.cost_usd) == (1, pytest.approx(2.0))
    given = led.feedback()[0].ts  # quality windows follow when the feedback came
    assert [(p.window_start, p.mean_score, p.n) for p in s.quality["simple"]] == [
        (time.strftime("%Y-%m-%d", time.gmtime(given)), 0.5, 1)
    ]
    hourly = led.summary(since=t, window_s=3600)
    assert hourly.quality["simple"][0].window_start == time.strftime(
        "%Y-%m-%dT%H:00", time.gmtime(given)
    )


# -- the in-memory ledger's bounds, spend and reservations, exactly ---------------------


def test_in_memory_ledger_keeps_100k_records_by_default_then_drops_the_oldest_tenth() -> None:
    assert InMemoryLedger().max_records == 100_000
    led = InMemoryLedger(max_records=20)
    for i in range(20):
        led.record(rec(f"c{i}"))
    assert len(led) == 20  # at the bound: nothing dropped yet
    led.record(rec("c20"))
    assert [r.call_id for r in led.select(RecordFilter())][:2] == ["c2", "c3"]
    assert len(led) == 19  # a tenth (2) of 20 dropped
    small = InMemoryLedger(max_records=5)
    for i in range(6):
        small.record(rec(f"s{i}"))
    assert len(small) == 5  # a tenth of 5 rounds to 0: one record goes
    small.max_records = 2  # lowered on a live ledger: trimmed to it at the next record
    small.record(rec("s6"))
    assert [r.call_id for r in small.records()] == ["s5", "s6"]
    unbounded = InMemoryLedger(max_records=None)
    for i in range(30):
        unbounded.record(rec(f"u{i}"))
    assert len(unbounded) == 30


def test_spend_since_mid_day_counts_only_what_came_after() -> None:
    led = InMemoryLedger()
    t = 1_700_000_000.0 - (1_700_000_000.0 % DAY)
    led.record(rec("early", ts=t + 100, cost_usd=1.0, user="u"))
    led.record(rec("later", ts=t + 200, cost_usd=2.0, user="u"))
    led.record(rec("next-day", ts=t + DAY + 5, cost_usd=4.0, user="u"))
    led.record(rec("not-u", ts=t + 300, cost_usd=8.0, user="v"))
    assert led.spend("user:u", t) == pytest.approx(7.0)
    assert led.spend("user:u", t + 150) == pytest.approx(6.0)
    assert led.spend("user:u", t + 200) == pytest.approx(6.0)
    assert led.spend("user:u", t + DAY + 10) == 0.0
    assert led.spend("global", t + 150) == pytest.approx(14.0)


def test_alerts_are_claimed_once_per_scope_period_and_fraction() -> None:
    led = InMemoryLedger()
    assert led.claim_alert("global", "day", 0.0, 0.5) is True
    assert led.claim_alert("global", "day", 0.0, 0.5) is False
    assert led.claim_alert("global", "day", 0.0, 0.8) is True
    assert led.claim_alert("global", "day", DAY, 0.5) is True
    assert led.claim_alert("tag:t", "day", 0.0, 0.5) is True


def test_releasing_an_unknown_or_released_reservation_is_harmless() -> None:
    led = InMemoryLedger()
    led.release("never-held")
    led.reserve("r", 0.5, [LimitCheck("global", 0.0, 1.0)], 60)
    led.release("r")
    led.release("r")
    assert led.reserved("global") == 0.0


def test_a_reservation_lives_exactly_its_ttl_and_each_extension_renews_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import shared_core.ledger.memory as memory

    clock = [1000.0]
    monkeypatch.setattr(memory, "time", type("Clock", (), {"time": staticmethod(lambda: clock[0])}))
    led = InMemoryLedger()
    checks = [LimitCheck("global", 0.0, 1.0), LimitCheck("user:u", 0.0, 1.0)]
    assert led.reserve("a", 0.25, checks, 10.0) is None
    assert led.reserve("b", 0.5, checks[:1], 100.0) is None
    clock[0] = 1009.0
    assert led.reserved("global") == 0.75 and led.reserved("user:u") == 0.25
    assert led.reserve("a", 0.125, checks, 10.0) is None  # extends a, renews it to 1019
    assert led.reserved("user:u") == 0.375 and led.reserved("global") == 0.875
    assert led.reserve("a", 0.0, checks, 10.0) is None  # renews, adds nothing
    assert led.reserve("a", -5.0, checks, 10.0) is None  # a negative amount holds nothing more
    assert led.reserved("user:u") == 0.375
    clock[0] = 1018.999
    assert led.reserved("user:u") == 0.375
    clock[0] = 1019.0  # ttl_s after the last renewal: lapsed, dropped (a living process's)
    assert led.reserved("user:u") == 0.0 and led.reserved("global") == 0.5
    assert led.spend("user:u", 0.0) == 0.0 and led.spend("global", 0.0) == 0.0
    refusal = led.reserve("c", 0.6, checks, 10.0)  # b's 0.5 is still held globally
    assert refusal == Refusal(checks[0], 0.5)


def test_shared_state_is_compare_and_set_with_every_write_kept(ledger: CostLedger) -> None:
    assert ledger.get_state("knob") == (None, 0)
    assert ledger.state_history("knob") == []
    value = {"threshold": 0.5}
    assert ledger.put_state("knob", value, 0) is True
    value["threshold"] = 0.9  # the caller's dict is not the stored one
    assert ledger.get_state("knob") == ({"threshold": 0.5}, 1)
    assert ledger.put_state("knob", {"threshold": 0.6}, 0) is False  # another writer got there
    assert ledger.put_state("knob", {"threshold": 0.6}, 2) is False  # no version from the future
    assert ledger.get_state("knob") == ({"threshold": 0.5}, 1)
    before = time.time()
    assert ledger.put_state("knob", {"threshold": 0.7}, 1) is True
    got, version = ledger.get_state("knob")
    assert (got, version) == ({"threshold": 0.7}, 2)
    got["threshold"] = 0.0  # nor is the dict handed back
    assert ledger.get_state("knob") == ({"threshold": 0.7}, 2)
    history = ledger.state_history("knob")
    assert [(h.key, h.value, h.version) for h in history] == [
        ("knob", {"threshold": 0.5}, 1),
        ("knob", {"threshold": 0.7}, 2),
    ]
    assert before - 1 <= history[1].ts <= time.time() + 1
    assert ledger.get_state("other") == (None, 0)  # keys are independent
    assert ledger.put_state("other", {"x": 1}, 0) is True
    assert ledger.state_history("knob")[-1].version == 2


async def test_async_twins_answer_as_the_sync_methods(ledger: CostLedger) -> None:
    try:
        await ledger.arecord(rec("a", cost_usd=0.25, user="u"))
        checks = [LimitCheck("user:u", 0.0, 1.0)]
        assert await ledger.areserve("r", 0.5, checks, 60) is None
        refusal = await ledger.areserve("s", 0.5, checks, 60)
        assert refusal == Refusal(checks[0], 0.75)
        assert await ledger.aspend("user:u", 0.0) == 0.25
        assert await ledger.areserved("user:u") == 0.5
        assert await ledger.aheld("user:u", 0.0) == 0.75
        assert await ledger._to_thread(ledger.spend, "user:u", 0.0) == 0.25
        assert ledger.flush() == 0
    finally:
        # as an async application does: close this event loop's pool before the loop ends
        # (left to the loop's teardown, a Postgres pool once hung it for the 300 s timeout)
        aclose = getattr(ledger, "aclose", None)
        if aclose is not None:
            await aclose()


@pytest.mark.parametrize("twin", ["aspend", "aheld", "areserve"])
async def test_an_async_read_counts_a_record_committed_meanwhile_once(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, twin: str
) -> None:
    """The async twins read the Postgres ledger's queue, then the database: a batch committed
    between the two (the writer thread scheduled there, as under a loaded host) counted its
    records twice, so ``aspend`` said $0.50 for $0.25 spent and ``areserve`` refused a call
    that fits its limit. They are the sync methods, in a thread, under the writer's commit
    lock: here the writer is let go right after the queue was read, and must wait."""
    from shared_core.ledger.postgres import PostgresLedger

    led = open_ledger(pg_url)
    assert isinstance(led, PostgresLedger)
    led.flush()
    led._write_after = time.monotonic() + 3600  # the writer waits: the record stays queued
    armed = [True]

    def commit_after(read):  # type: ignore[no-untyped-def]
        def read_then_commit():  # type: ignore[no-untyped-def]
            out = read()
            if armed[0]:  # the writer may commit right after the queue was read
                armed[0] = False
                with led._lock:
                    led._write_after = 0.0
                    led._wake.notify_all()
                time.sleep(0.3)  # (plenty for one INSERT, had it not to wait)
            return out
        return read_then_commit

    try:
        led.record(rec("a", cost_usd=0.25, user="u"))
        monkeypatch.setattr(led, "_queued", commit_after(led._queued))
        monkeypatch.setattr(led, "_pending_records", commit_after(led._pending_records))
        if twin == "aspend":
            assert await led.aspend("user:u", 0.0) == 0.25
        elif twin == "aheld":
            assert await led.aheld("user:u", 0.0) == 0.25
        else:  # $0.25 spent + $0.30 fits $0.60
            assert await led.areserve("r", 0.3, [LimitCheck("user:u", 0.0, 0.6)], 60) is None
            assert await led.areserved("user:u") == pytest.approx(0.3)
        assert not armed[0]  # the writer was let go between the two reads
        assert led.flush() == 0 and led.spend("user:u", 0.0) == 0.25
    finally:
        led.close()


def test_a_ledger_used_as_a_context_manager_closes(tmp_path: Path) -> None:
    closed: list[bool] = []

    class Tracked(InMemoryLedger):
        def close(self) -> None:
            closed.append(True)

    with Tracked() as led:
        assert isinstance(led, Tracked)
        assert closed == []
    assert closed == [True]
    with InMemoryLedger() as plain:  # the base close() is a no-op hook
        plain.record(rec("a"))
    assert len(plain) == 1


def test_a_record_round_trips_through_dict_ignoring_unknown_keys() -> None:
    r = rec("a", ts=86400.0 * 3 + 5, tags=("x",), metadata={"k": 1})
    d = r.to_dict()
    d["column_from_a_newer_version"] = 1
    assert CallRecord.from_dict(d) == r
    bare = CallRecord.from_dict({"call_id": "b", "tier": "t", "model": "m", "tags": None})
    assert (bare.tags, bare.metadata) == ((), {})
    assert r.day == "1970-01-04"


@pytest.mark.parametrize("target", ["", "   ", "sqlite:///"])
def test_a_ledger_that_names_no_file_is_a_config_error(target: str) -> None:
    """``ledger=os.environ.get("TIER_ROUTER_LEDGER", "")`` fails when the model is built, typed
    and named (it raised FileNotFoundError from os.stat)."""
    from shared_core import Router
    from shared_core.errors import ConfigError
    from shared_core.ledger import open_ledger

    with pytest.raises(ConfigError, match="names no file") as info:
        open_ledger(target)
    assert info.value.field == "ledger"
    with pytest.raises(ConfigError, match="names no file"):
        Router(ledger=target)


def test_a_record_with_a_nan_time_never_reaches_the_queue(tmp_path: Path) -> None:
    """A probe recorded ``ts=NaN``: the SQLite write failed (no day), the record stayed first in
    the queue, the next good one waited behind it for good, and ``stats`` crashed on the spill."""
    import math

    led = SQLiteLedger(tmp_path / "l.db")
    led.record(rec("good1"))
    with pytest.raises(InputError):
        led.record(CallRecord(call_id="bad", tier="t", model="m", ts=math.nan))
    led.record(rec("good2"))
    assert led.pending == 0
    assert sorted(r.call_id for r in led.records()) == ["good1", "good2"]


def test_a_database_of_something_else_is_left_as_it_is(tmp_path: Path) -> None:
    """`tier-router stats other.db` added the ledger's eight tables to another application's
    database (a probe found it): a file with tables and no `meta` is refused, untouched."""
    from shared_core.errors import ConfigError

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(ConfigError, match=r"not a tier-router ledger.*customers"):
        SQLiteLedger(other)
    tables = [r[0] for r in sqlite3.connect(other).execute("SELECT name FROM sqlite_master")]
    assert tables == ["customers"]
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # an empty SQLite file is a new ledger
    SQLiteLedger(empty).record(rec("a"))
