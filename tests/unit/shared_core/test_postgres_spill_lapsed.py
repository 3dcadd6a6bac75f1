"""A call spilled at exit is counted once: its real records, not also its lapsed hold.

A worker closing while PostgreSQL is down spilled its records but dropped the releases of
their holds; since lapsed holds are spend, the next reservation made each hold a
``lapsed_hold`` record at its worst case while the next ledger wrote the spilled records too:
$0.31 for a $0.01 call (review #1). The releases are spilled with the records now; replayed,
in one transaction with them, they release the holds still there and delete the lapsed record
of a hold another worker had already made spend (its day counters too)."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import pytest

from shared_core.ledger import CallRecord, LimitCheck

pytestmark = pytest.mark.slow

CHECKS = [LimitCheck("global", 0.0, 1.0), LimitCheck("user:alice", 0.0, 1.0)]


@pytest.fixture
def own_server(pg_server):
    from ... import pg_server as pg

    try:
        server = pg.start(own=True)
    except Exception as exc:  # pragma: no cover - binaries absent
        pytest.skip(f"cannot start a PostgreSQL server of our own to stop: {exc}")
    yield server
    pg.remove(server)


def _spill_a_call(server, url: str, spill_dir: Path) -> None:
    """A worker holds $0.30 for a call, the database goes down, the call answers ($0.01)
    and the worker exits: record and release go to the spill file."""
    from shared_core.ledger import PostgresLedger

    a = PostgresLedger(url, spill_dir=spill_dir, retry_after_s=0.05)
    assert a.reserve("call-1", 0.30, CHECKS, 1.0) is None
    server.stop()
    a.record(CallRecord(call_id="call-1", tier="t", model="m", cost_usd=0.01, user="alice"))
    a.release("call-1")
    a.close(timeout_s=0.5)
    assert list(spill_dir.iterdir()) != []
    server.start()
    time.sleep(1.2)  # the hold's TTL passes before the worker's replacement starts


def _expire_now(led) -> None:
    assert led.reserve("probe", 0.0, [LimitCheck("user:nobody", 0.0, 1.0)], 60) is None
    led.release("probe")


def _counted_once(led) -> None:
    assert led.flush(timeout_s=30) == 0
    assert [(r.call_id, r.error_kind, r.cost_usd) for r in led.records()] == [("call-1", None, 0.01)]
    assert led.spend("global", 0.0) == pytest.approx(0.01)
    assert led.spend("user:alice", 0.0) == pytest.approx(0.01)
    assert led.held("global", 0.0) == pytest.approx(0.01)


def test_the_spill_releases_its_holds_before_they_lapse(own_server, tmp_path: Path) -> None:
    from shared_core.ledger import PostgresLedger

    from ... import pg_server as pg

    url = pg.fresh_database(own_server.url)
    _spill_a_call(own_server, url, tmp_path)
    b = PostgresLedger(url, spill_dir=tmp_path)  # claims the spill
    try:
        _expire_now(b)  # the next reservation: the hold is released, not made spend
        _counted_once(b)
    finally:
        b.close()


def test_the_spill_undoes_a_lapse_another_worker_made_first(
    own_server, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another host's worker expires the hold (made spend) before this host's replacement
    claims the spill: the claim deletes that lapsed record with the records it writes."""
    from shared_core.ledger import PostgresLedger

    from ... import pg_server as pg

    url = pg.fresh_database(own_server.url)
    spilled = tmp_path / "spill"
    spilled.mkdir()
    _spill_a_call(own_server, url, spilled)
    aside = tmp_path / "aside"
    shutil.move(str(spilled), str(aside))  # (elsewhere: on the host that is not up yet)
    (tmp_path / "none").mkdir()
    other = PostgresLedger(url, spill_dir=tmp_path / "none")
    with caplog.at_level(logging.WARNING):
        _expire_now(other)
    assert other.spend("global", 0.0) == pytest.approx(0.30)  # the lapse, made spend
    other.close()
    shutil.move(str(aside), str(spilled))
    b = PostgresLedger(url, spill_dir=spilled)
    try:
        _counted_once(b)
        _expire_now(b)
        _counted_once(b)
    finally:
        b.close()
