"""A worker that exits while PostgreSQL is down keeps its unwritten records.

A deploy or a recycled gunicorn worker often exits during a database failover. Records waiting
in a :class:`PostgresLedger`'s queue were dropped at ``close()`` ("closing with N unwritten
item(s)"), so that spend vanished from every budget. Like the SQLite ledger's spill file, they
now go to a local spill file keyed by the database URL, and the next ``PostgresLedger`` opened on
that URL writes them (each record once: rows are keyed by ``(call_id, attempt)``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from shared_core.ledger import CallRecord

pytestmark = pytest.mark.slow


def _rec(call_id: str, cost: float = 0.25) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=cost)


def test_records_queued_when_the_database_is_down_at_close_reach_it_later(
    pg_server, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from shared_core.ledger import PostgresLedger

    from ... import pg_server as pg

    try:
        server = pg.start(own=True)
    except Exception as exc:  # pragma: no cover - binaries absent
        pytest.skip(f"cannot start a PostgreSQL server of our own to stop: {exc}")
    try:
        url = pg.fresh_database(server.url)
        led = PostgresLedger(url, retry_after_s=0.2, spill_dir=tmp_path)
        led.record(_rec("before"))
        led.record_feedback("before", 1.0)
        assert led.flush(timeout_s=30) == 0
        server.stop()
        for i in range(3):
            led.record(_rec(f"during{i}"))
        led.record_feedback("during0", 0.5)
        with caplog.at_level(logging.WARNING):
            led.close(timeout_s=0.5)
        assert "4 item(s) could not be written before exit" in caplog.text
        assert [p.name for p in tmp_path.iterdir()] != []

        server.start()
        again = PostgresLedger(url, spill_dir=tmp_path)
        assert again.flush(timeout_s=30) == 0
        assert sorted(r.call_id for r in again.records()) == ["before", "during0", "during1", "during2"]
        assert again.spend("global", 0.0) == pytest.approx(1.0, rel=1e-12)
        assert sorted((f.call_id, f.score) for f in again.feedback()) == [("before", 1.0), ("during0", 0.5)]
        assert list(tmp_path.iterdir()) == []  # claimed: a third ledger writes nothing twice
        again.close()
        third = PostgresLedger(url, spill_dir=tmp_path)
        assert third.flush(timeout_s=30) == 0
        assert len(third.records()) == 4
        third.close()
    finally:
        pg.remove(server)
