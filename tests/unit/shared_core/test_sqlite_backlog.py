"""A backlog (records queued while the file was locked) is written in bounded transactions:
each holds the ledger's lock, which every read and every enqueue of an event loop waits for."""

from __future__ import annotations

import asyncio
from typing import Any

from shared_core.ledger import CallRecord, SQLiteLedger, sqlite_writer
from shared_core.ledger.sqlite_batch import insert_batch

from ...sqlite_files import rows


def test_a_backlog_is_written_in_batches_and_no_release_before_its_record(tmp_path, monkeypatch):
    path = tmp_path / "b.db"
    ledger = SQLiteLedger(path)
    batches: list[tuple[list[str], list[str]]] = []

    def spy(conn: Any, records: list[CallRecord], releases: list[str], feedback: list[Any]) -> Any:
        batches.append(([r.call_id for r in records], list(releases)))
        return insert_batch(conn, records, releases, feedback)

    monkeypatch.setattr(sqlite_writer, "insert_batch", spy)

    async def calls() -> None:
        for i in range(1200):
            ledger.record(CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=0.001))
            ledger.release(f"c{i}")

    with ledger._writing:  # a write under way: all of it queued
        asyncio.run(calls())
    assert ledger.flush() == 0
    assert rows(path, "SELECT COUNT(*) FROM calls") == 1200
    assert max(len(recs) for recs, _ in batches) <= 500
    written: set[str] = set()
    for recs, releases in batches:
        written.update(recs)
        assert set(releases) <= written  # a release goes with or after its call's record
    ledger.close()
