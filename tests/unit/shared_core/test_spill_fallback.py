"""Records a full disk keeps from the SQLite file are not lost at exit with it.

At exit (or ``close()``) a ledger that could not write its file keeps the pending records in
a spill file beside it. When that write fails too (the disk is still full, the folder is read
only) the records were dropped with an ERROR. They now go to a second spill file in the
user's cache folder (``$XDG_CACHE_HOME/tier-router``, else the temporary folder), keyed by the
ledger's path, which the next ledger opened on that file reads back as it reads the first.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from shared_core.ledger import CallRecord, SQLiteLedger, spill


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def test_a_spill_that_cannot_be_written_beside_the_ledger_goes_to_the_cache(
    tmp_path: Path, cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = str(tmp_path / "costs.sqlite")
    spill.spill_path(db).mkdir()  # the file beside the ledger cannot be written
    recs = [CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=0.5) for i in range(3)]

    with caplog.at_level(logging.WARNING):
        assert spill.write(db, recs, []) is True

    assert "they are lost" not in caplog.text
    [kept] = list((cache / "tier-router").iterdir())
    assert str(kept) in caplog.text
    assert spill.claim(db) == (recs, [])
    assert list((cache / "tier-router").iterdir()) == []


def test_a_locked_ledger_closed_with_a_blocked_spill_hands_its_records_on(
    tmp_path: Path, cache: Path
) -> None:
    db = tmp_path / "costs.sqlite"
    SQLiteLedger(db).close()
    ledger = SQLiteLedger(db, busy_timeout_s=0.1)
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        for i in range(5):
            ledger.record(CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=0.25))
        spill.spill_path(str(db)).mkdir()
        ledger.close()
    finally:
        lock.rollback()
        lock.close()
    spill.spill_path(str(db)).rmdir()

    again = SQLiteLedger(db)
    assert sorted(r.call_id for r in again.records()) == [f"c{i}" for i in range(5)]
    assert again.spend("global", 0.0) == pytest.approx(1.25)
    again.close()
    assert len(SQLiteLedger(db).records()) == 5  # exactly once


def test_a_ledger_dropped_with_records_it_could_not_write_hands_them_on(tmp_path: Path) -> None:
    """A model built per request (its ledger named by path) is dropped while the file is
    locked: the records it held go to the spill file when it is collected, not at exit."""
    import gc

    db = tmp_path / "costs.sqlite"
    SQLiteLedger(db).close()
    ledger = SQLiteLedger(db, busy_timeout_s=0.05)
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        ledger.record(CallRecord(call_id="kept", tier="t", model="m", cost_usd=0.25))
        assert ledger.pending == 1
        del ledger
        gc.collect()
    finally:
        lock.rollback()
        lock.close()
    assert spill.spill_path(str(db)).exists()
    again = SQLiteLedger(db)
    assert [r.call_id for r in again.records()] == ["kept"]
    assert again.spend("global", 0.0) == pytest.approx(0.25)


def test_a_dropped_ledger_with_nothing_pending_leaves_no_spill_file(tmp_path: Path) -> None:
    import gc

    db = tmp_path / "costs.sqlite"
    ledger = SQLiteLedger(db)
    ledger.record(CallRecord(call_id="a", tier="t", model="m", cost_usd=0.1))
    del ledger
    gc.collect()
    assert not spill.spill_path(str(db)).exists()
    assert [r.call_id for r in SQLiteLedger(db).records()] == ["a"]
