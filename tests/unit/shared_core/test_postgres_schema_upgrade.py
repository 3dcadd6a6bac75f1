"""PostgreSQL token counts are 64-bit, and a ledger database an earlier version created is
upgraded in place when a ledger opens it, keeping its rows, its salt and its budgets.

The token columns were ``integer`` (32-bit): a count past 2**31 - 1 (a provider's usage
summed over a long batch, a bogus count) was stored clamped, so the PostgreSQL ledger read back
another number than the record held and than the SQLite ledger keeps (64 bits).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from shared_core.ledger import CallRecord
from shared_core.storable import MAX_COUNT

from ...pg_schema_v1 import create_v1, insert_v1_call

pytestmark = pytest.mark.usefixtures("pg_server")


def _pg(url: str, spill_dir: Path, **kw: Any) -> Any:
    from shared_core.ledger import PostgresLedger

    return PostgresLedger(url, spill_dir=spill_dir, **kw)


def _column_types(url: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'tier_router_calls'"
        ).fetchall()
    return {str(n): str(t) for n, t in rows}


def _meta(url: str, key: str) -> str | None:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT value FROM tier_router_meta WHERE key = %s", (key,)).fetchone()
    return None if row is None else str(row[0])


BIG = {"input_tokens": 2**40, "output_tokens": 2**31, "cached_input_tokens": MAX_COUNT}


def test_token_counts_past_32_bits_are_stored_exactly(pg_url: str, tmp_path: Path) -> None:
    led = _pg(pg_url, tmp_path)
    led.record(CallRecord(call_id="big", tier="t", model="m", cost_usd=0.25, **BIG))
    assert led.flush(timeout_s=30) == 0
    [rec] = led.records()
    assert {k: getattr(rec, k) for k in BIG} == BIG
    assert led.spend("global", 0.0) == pytest.approx(0.25)
    led.close()
    types = _column_types(pg_url)
    assert {types[c] for c in BIG} == {"bigint"}


def test_a_version_1_database_is_upgraded_and_keeps_its_rows(pg_url: str, tmp_path: Path) -> None:
    import psycopg

    create_v1(pg_url)
    now = time.time()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        insert_v1_call(conn, call_id="old", ts=now - 60, cost_usd=0.4, user="alice",
                       tags=["team"], input_tokens=2**31 - 1, output_tokens=7,
                       metadata='{"k": "v"}', thread_id="th")
        insert_v1_call(conn, call_id="old2", ts=now - 30, cost_usd=None, user="bob")
        conn.execute("INSERT INTO tier_router_feedback (call_id, score, source, ts) "
                     "VALUES ('old', 1.0, 'user', %s)", (now - 10,))
        conn.execute("INSERT INTO tier_router_state (key, version, value, ts) "
                     "VALUES ('knob', 1, '{\"x\": 1}', %s)", (now,))
    assert _column_types(pg_url)["input_tokens"] == "integer"

    led = _pg(pg_url, tmp_path)
    assert led.salt == "0123456789abcdef0123456789abcdef"  # prompt hashes still match
    recs = {r.call_id: r for r in led.records()}
    assert sorted(recs) == ["old", "old2"]
    old = recs["old"]
    assert (old.user, old.tags, old.thread_id, old.metadata) == ("alice", ("team",), "th", {"k": "v"})
    assert (old.input_tokens, old.output_tokens) == (2**31 - 1, 7)
    assert led.spend("global", 0.0) == pytest.approx(0.4)
    assert led.spend("user:alice", 0.0) == pytest.approx(0.4)
    assert led.spend("tag:team", 0.0) == pytest.approx(0.4)
    assert [(f.call_id, f.score) for f in led.feedback()] == [("old", 1.0)]
    assert led.get_state("knob") == ({"x": 1}, 1)
    # and the upgraded table takes 64-bit counts
    led.record(CallRecord(call_id="new", tier="t", model="m", cost_usd=0.1, user="alice", **BIG))
    assert led.flush(timeout_s=30) == 0
    [new] = led.records_of(["new"])
    assert {k: getattr(new, k) for k in BIG} == BIG
    assert led.spend("user:alice", 0.0) == pytest.approx(0.5)
    led.close()
    types = _column_types(pg_url)
    assert {types[c] for c in BIG} == {"bigint"}
    from shared_core.ledger.pg_sql import SCHEMA_VERSION

    assert _meta(pg_url, "schema_version") == str(SCHEMA_VERSION)


def test_workers_opening_a_version_1_database_at_once_upgrade_it_once(
    pg_url: str, tmp_path: Path
) -> None:
    import psycopg

    create_v1(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        insert_v1_call(conn, call_id="old", ts=time.time(), cost_usd=0.4, user="alice")
    errors: list[BaseException] = []
    ledgers: list[Any] = []

    def open_one() -> None:
        try:
            ledgers.append(_pg(pg_url, tmp_path))
        except BaseException as exc:  # pragma: no cover - the failure is asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(ledgers) == 6
    for led in ledgers:
        assert [r.call_id for r in led.records()] == ["old"]
        assert led.spend("user:alice", 0.0) == pytest.approx(0.4)
        led.close()
    assert {_column_types(pg_url)[c] for c in BIG} == {"bigint"}


def test_a_database_of_a_newer_version_is_left_as_it_is(pg_url: str, tmp_path: Path) -> None:
    """A worker of this version next to one of a later version (rolling deploy): it opens
    the database without touching the later version's schema mark."""
    led = _pg(pg_url, tmp_path)
    led.close()
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE tier_router_meta SET value = '999' WHERE key = 'schema_version'")
    again = _pg(pg_url, tmp_path)
    again.close()
    assert _meta(pg_url, "schema_version") == "999"


def test_text_an_older_version_stored_that_reads_as_an_escape_is_kept(
    pg_url: str, tmp_path: Path
) -> None:
    """Version 2 reads ``\\x00`` and ``\\x5c`` back as NUL and a backslash. An older database
    can hold that text as it is (``C:\\x00``, a user id, typed): the upgrade escapes it, so it
    reads back as it was written and its budget, holds and alerts stay its own. A NUL that the
    older version stored as U+FFFD stays U+FFFD (it cannot be told from a real U+FFFD)."""
    import psycopg

    create_v1(pg_url)
    now = time.time()
    odd = "C:\\x00 and \\x5c"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        insert_v1_call(conn, call_id=f"id{odd}", ts=now, cost_usd=0.4, user=odd, tags=[odd, "plain"],
                       thread_id=odd, variant=odd, error=odd, metadata='{"k": "' + odd.replace("\\", "\\\\") + '"}')
        insert_v1_call(conn, call_id="fffd", ts=now, cost_usd=0.1, user="eve\ufffd")
        conn.execute("INSERT INTO tier_router_feedback (call_id, score, source, ts) VALUES (%s, 1.0, 'user', %s)",
                     (f"id{odd}", now))
        conn.execute("INSERT INTO tier_router_reservations (id, scope, amount, expires) "
                     "VALUES ('r', %s, 0.5, extract(epoch from clock_timestamp()) + 600)", (f"user:{odd}",))
        conn.execute("INSERT INTO tier_router_alerts (scope, period, since, fraction, ts) "
                     "VALUES (%s, 'day', 0, 0.5, 0)", (f"user:{odd}",))
        conn.execute("INSERT INTO tier_router_state (key, version, value, ts) VALUES (%s, 1, %s, 0)",
                     (odd, '{"v": "' + odd.replace("\\", "\\\\") + '"}'))
    led = _pg(pg_url, tmp_path)
    [rec] = led.records_of([f"id{odd}"])
    assert (rec.user, rec.tags, rec.thread_id, rec.variant, rec.error, rec.metadata) == (
        odd, (odd, "plain"), odd, odd, odd, {"k": odd})
    assert led.spend(f"user:{odd}", 0.0) == pytest.approx(0.4)
    assert led.spend(f"tag:{odd}", 0.0) == pytest.approx(0.4)
    assert led.reserved(f"user:{odd}") == pytest.approx(0.5)
    assert led.claim_alert(f"user:{odd}", "day", 0.0, 0.5) is False  # claimed before
    assert [f.call_id for f in led.feedback()] == [f"id{odd}"]
    assert led.knows_call(f"id{odd}")
    assert led.get_state(odd) == ({"v": odd}, 1)
    assert [r.user for r in led.records_of(["fffd"])] == ["eve\ufffd"]
    assert led.spend("user:eve\ufffd", 0.0) == pytest.approx(0.1)
    led.close()


def test_every_integer_column_is_64_bit(pg_url: str, tmp_path: Path) -> None:
    """The attempt number and a shared value's version were 32-bit too: an attempt past
    2**31 - 1 was refused (its record dropped; SQLite stores it), and the compare-and-set of a
    value written 2**31 - 1 times failed for good."""
    import psycopg

    create_v1(pg_url)
    led = _pg(pg_url, tmp_path)
    led.record(CallRecord(call_id="a", tier="t", model="m", cost_usd=0.1, attempt=2**40))
    assert led.flush(timeout_s=30) == 0
    assert [(r.call_id, r.attempt) for r in led.records()] == [("a", 2**40)]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO tier_router_state (key, version, value, ts) "
                     "VALUES ('k', %s, '{}', 0)", (2**31 - 1,))
    assert led.put_state("k", {"x": 1}, 2**31 - 1) is True
    assert led.get_state("k") == ({"x": 1}, 2**31)
    led.close()
    with psycopg.connect(pg_url) as conn:
        ints = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_name LIKE 'tier_router_%%' AND data_type = 'integer'"
        ).fetchall()
    assert ints == []
