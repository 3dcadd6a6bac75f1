"""Text PostgreSQL cannot store (a NUL character) never jams the PostgreSQL ledger.

PostgreSQL ``text`` cannot hold NUL. Only record fields were cleaned of it: a feedback
``call_id`` from a web form (``"abc\\x00def"``) made the existence check fail with psycopg's
``DataError``, which the ledger took for "server unreachable", so the score was queued
unchecked; every batch the writer sent after it failed on that score, so no record or release
was written again, the ledger counted as down and, with ``on_ledger_error: open``, every call
passed unreserved (60 of 60 answered, $1.89 against a $1.00 limit). At exit the score went to
the spill file, and every later ledger on that URL read it back and wrote nothing either. A
budget limit for a user id holding a NUL was never enforced (its scope could not be queried).

Now every text parameter is made storable the same way (:func:`pg_sql.pg_text`: NUL as the
text ``\\x00``, read back as NUL; see test_ledger_keys.py), a query
error that is not a connection error does not mark the server down, and an item the database
refuses is written alone and dropped with an ERROR, the rest of its batch written.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from shared_core import Router
from shared_core.dispatch import AttemptResult, execute
from shared_core.errors import BudgetExceededError, LedgerUnavailableError, UnknownCallError
from shared_core.ledger import CallRecord, LimitCheck, open_ledger
from shared_core.ledger.spill import SUFFIX, server_spill_base
from shared_core.pricing import Usage
from shared_core.quality import Answer
from shared_core.testing import FakeClassifier

from ...ledger_workers import budget_config, budget_router, fire_at_budget

pytestmark = pytest.mark.usefixtures("pg_server")

NUL_ID = "abc\x00def"


def _pg(url: str, spill_dir: Path, **kw: Any) -> Any:
    from shared_core.ledger import PostgresLedger

    return PostgresLedger(url, spill_dir=spill_dir, **kw)


def _fixed_cost(attempt: Any) -> AttemptResult:
    # 600 output tokens at $50 / 1M: $0.03 a call (each reserves $0.05)
    return AttemptResult(value="ok", usage=Usage(0, 600), answer=Answer("x" * 40))


def test_feedback_for_a_call_id_with_a_nul_is_unknown_and_the_ledger_keeps_working(
    pg_url: str, tmp_path: Path
) -> None:
    router = budget_router(_pg(pg_url, tmp_path), limit_usd=1.0)
    before, _ = fire_at_budget(router, 3, seed=1)
    with pytest.raises(UnknownCallError):
        router.record_feedback(NUL_ID, 1.0)
    answered, refused = fire_at_budget(router, 40, seed=2)
    led = router.ledger
    assert led.flush(timeout_s=30) == 0  # records and releases are still written
    assert refused > 0  # the hard limit still holds
    recs = led.records()
    assert len(recs) == 3 + 40  # every call, the refused ones too
    assert len([r for r in recs if r.status == "ok"]) == before + answered
    assert led.spend("global", 0.0) <= 1.0 + 1e-9
    assert led.reserved("global") == 0.0
    led.close()
    assert list(tmp_path.iterdir()) == []  # nothing left to spill


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_budget_for_a_user_id_with_a_nul_is_enforced_on_both_ledgers(
    backend: str, pg_url: str, tmp_path: Path
) -> None:
    user = "eve\x00x"
    target = str(tmp_path / "l.db") if backend == "sqlite" else pg_url
    config = budget_config(limit_usd=0.10)
    config["budget"]["limits"][0]["scope"] = f"user:{user}"
    router = Router(config, classifier=FakeClassifier(default="t"), ledger=target)
    answered = refused = 0
    for i in range(10):
        req = router.request(f"question {i}", user=user)
        try:
            execute(router.plan(router.decide_request(req), req), _fixed_cost)
            answered += 1
        except BudgetExceededError:
            refused += 1
    led = router.ledger
    assert led.flush() == 0
    assert (answered, refused) == (2, 8)  # $0.03 spent + $0.05 held each: the third does not fit
    assert led.spend(f"user:{user}", 0.0) == pytest.approx(0.06)
    assert led.reserved(f"user:{user}") == 0.0
    assert {r.user for r in led.records()} == {user}  # PostgreSQL too: read back as it was
    led.close()


def _write_spill(url: str, spill_dir: Path, lines: list[dict[str, Any]]) -> Path:
    path = Path(server_spill_base(url, spill_dir) + SUFFIX)
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def test_a_spill_file_an_older_version_left_with_a_nul_call_id_is_written(
    pg_url: str, tmp_path: Path
) -> None:
    now = time.time()
    old = CallRecord(call_id="old", tier="t", model="m", cost_usd=0.25, ts=now)
    spilled = _write_spill(pg_url, tmp_path, [
        {"record": old.to_dict()},
        {"feedback": [NUL_ID, 1.0, "user", now]},  # what the older version queued unchecked
        {"feedback": ["old", 0.5, "user", now]},
    ])
    led = _pg(pg_url, tmp_path)
    assert not spilled.exists()
    led.record(CallRecord(call_id="new", tier="t", model="m", cost_usd=0.5))
    assert led.flush(timeout_s=30) == 0
    assert sorted(r.call_id for r in led.records()) == ["new", "old"]
    assert led.spend("global", 0.0) == pytest.approx(0.75)
    assert sorted(f.score for f in led.feedback()) == [0.5, 1.0]
    led.close()
    assert list(tmp_path.iterdir()) == []  # claimed and written: a third ledger finds nothing
    again = _pg(pg_url, tmp_path)
    assert again.flush(timeout_s=30) == 0 and len(again.records()) == 2
    again.close()


def test_an_item_the_database_refuses_is_dropped_alone_and_the_rest_is_written(
    pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Whatever else the database may refuse (here a spilled score whose call id is an object,
    from a damaged spill file) is dropped with an ERROR; the items around it are written and the server is not marked
    down. A token count past 32 bits is stored as it is (the token columns are ``bigint``)."""
    now = time.time()
    big = CallRecord(call_id="big", tier="t", model="m", cost_usd=0.25, input_tokens=2**40, ts=now)
    _write_spill(pg_url, tmp_path, [
        {"record": CallRecord(call_id="a", tier="t", model="m", cost_usd=0.25, ts=now).to_dict()},
        {"feedback": [{"id": 12345}, 1.0, "user", now]},
        {"record": big.to_dict()},
        {"feedback": ["a", 0.5, "user", now]},
    ])
    with caplog.at_level(logging.WARNING):
        led = _pg(pg_url, tmp_path)
        assert led.flush(timeout_s=30) == 0
    assert "dropped" in caplog.text and "12345" in caplog.text
    assert "unreachable" not in caplog.text and "retried" not in caplog.text
    assert sorted(r.call_id for r in led.records()) == ["a", "big"]
    assert [r.input_tokens for r in led.records() if r.call_id == "big"] == [2**40]
    assert led.spend("global", 0.0) == pytest.approx(0.5)
    assert [(f.call_id, f.score) for f in led.feedback()] == [("a", 0.5)]
    led.record(CallRecord(call_id="after", tier="t", model="m", cost_usd=0.25))
    assert led.flush(timeout_s=30) == 0 and led.count() == 3
    led.close()


def test_every_text_a_ledger_method_sends_may_hold_a_nul(pg_url: str, tmp_path: Path) -> None:
    led = _pg(pg_url, tmp_path)
    user, tag = "u\x00v", "t\x00g"
    led.record(CallRecord(call_id="c\x00d", tier="t", model="m", cost_usd=0.5, user=user,
                          tags=(tag,)))
    assert led.flush(timeout_s=30) == 0
    assert led.knows_call("c\x00d") is True
    assert led.knows_call(NUL_ID) is False
    assert [r.call_id for r in led.records_of(["c\x00d"])] == ["c\x00d"]
    assert len(led.records(tag=tag)) == 1
    for scope in (f"user:{user}", f"tag:{tag}"):
        assert led.spend(scope, 0.0) == pytest.approx(0.5)
        assert led.spend(scope, time.time() - 60) == pytest.approx(0.5)  # partial-day path
        assert led.held(scope, 0.0) == pytest.approx(0.5)
    refusal = led.reserve("r\x00s", 0.4, [LimitCheck(f"user:{user}", 0.0, 1.0)], 60.0)
    assert refusal is None and led.reserved(f"user:{user}") == pytest.approx(0.4)
    refusal = led.reserve("r2", 0.4, [LimitCheck(f"user:{user}", 0.0, 1.0)], 60.0)
    assert refusal is not None and refusal.held_usd == pytest.approx(0.9)
    led.release("r\x00s")
    assert led.flush(timeout_s=30) == 0 and led.reserved(f"user:{user}") == 0.0
    assert led.claim_alert(f"user:{user}", "day", 0.0, 0.5) is True
    assert led.claim_alert(f"user:{user}", "day", 0.0, 0.5) is False
    assert led.put_state("k\x00", {"v": "x\x00y"}, 0) is True
    assert led.get_state("k\x00") == ({"v": "x\x00y"}, 1)
    led.close()


async def test_the_async_reads_and_reservations_take_a_nul_too(pg_url: str, tmp_path: Path) -> None:
    led = _pg(pg_url, tmp_path)
    led.record(CallRecord(call_id="c", tier="t", model="m", cost_usd=0.5, user="u\x00v"))
    assert led.flush(timeout_s=30) == 0
    assert await led.aspend("user:u\x00v", 0.0) == pytest.approx(0.5)
    assert await led.aheld("user:u\x00v", 0.0) == pytest.approx(0.5)
    refusal = await led.areserve("r", 0.6, [LimitCheck("user:u\x00v", 0.0, 1.0)], 60.0)
    assert refusal is not None and refusal.held_usd == pytest.approx(0.5)
    assert await led.areserved("user:u\x00v") == 0.0
    await led.aclose()
    led.close()


def test_a_query_error_is_not_an_outage(pg_url: str, tmp_path: Path) -> None:
    """A statement the server refuses (here a number compared with a text column) fails that
    read alone: the ledger is not marked down, so the next call is checked as usual."""
    led = _pg(pg_url, tmp_path, retry_after_s=60.0)
    with pytest.raises(LedgerUnavailableError):
        led.knows_call(12345)  # type: ignore[arg-type]
    assert led.spend("global", 0.0) == 0.0  # not "server unreachable (retrying)" for 60 s
    assert led.reserve("r", 0.1, [LimitCheck("global", 0.0, 1.0)], 60.0) is None
    led.close()


def test_open_ledger_on_the_same_url_reads_what_was_written(pg_url: str, tmp_path: Path) -> None:
    led = _pg(pg_url, tmp_path)
    led.record(CallRecord(call_id="x", tier="t", model="m", cost_usd=0.1, user="a\x00"))
    led.close()
    other = open_ledger(pg_url)
    assert [r.user for r in other.records()] == ["a\x00"]
    assert other.spend("user:a\x00", 0.0) == pytest.approx(0.1)
    other.close()
