"""What close() does with items queued while it writes, and with queued releases."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.ledger.limits import LimitCheck

from ...sqlite_files import rows


def _rec(call_id: str) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=0.25)


def test_close_writes_a_record_queued_during_its_write_when_the_file_is_free(tmp_path):
    path = tmp_path / "l.db"
    ledger = SQLiteLedger(path)
    ledger.record(_rec("first"))
    write = ledger._write_pending

    def write_then_a_call_ends(*, patient: bool = False) -> None:
        write(patient=patient)
        if not ledger.records_of(["late"]):  # a call ending on a loop right after the commit

            async def ends() -> None:
                ledger.record(_rec("late"))

            asyncio.run(ends())

    ledger._write_pending = write_then_a_call_ends  # type: ignore[method-assign]
    ledger.close()
    assert rows(path, "SELECT COUNT(*) FROM calls") == 2
    assert not (tmp_path / "l.db.pending.jsonl").exists()
    assert ledger.spend("global", 0.0) == 0.5


def _locked(path: Path, hold_s: float) -> subprocess.Popen[str]:
    """Another process holding the file's write lock for ``hold_s`` seconds."""
    code = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)\n"
        "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True)\n"
        "time.sleep(float(sys.argv[2])); c.execute('ROLLBACK')\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(path), str(hold_s)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.timeout(30)
def test_a_queued_release_is_pending_and_spilled_at_close_then_written_by_the_next_ledger(tmp_path):
    path = tmp_path / "l.db"
    ledger = SQLiteLedger(path, busy_timeout_s=0.2, retry_after_s=0.2)
    assert ledger.reserve("r1", 0.5, [LimitCheck("global", 0.0, 1.0)], 600) is None
    lock = _locked(path, 1.0)
    try:

        async def call_ends() -> None:
            ledger.release("r1")

        asyncio.run(call_ends())
        assert ledger.flush() == 1  # the hold is still in the file
        ledger.close()
    finally:
        lock.wait(10)
    assert rows(path, "SELECT COUNT(*) FROM reservations") == 1
    again = SQLiteLedger(path)  # claims the spilled release and writes it
    assert again.pending == 0
    assert again.reserved("global") == 0.0
    assert rows(path, "SELECT COUNT(*) FROM reservations") == 0
    again.close()


@pytest.mark.timeout(30)
def test_a_ledger_opens_an_existing_file_while_another_process_writes(tmp_path):
    path = tmp_path / "l.db"
    SQLiteLedger(path, salt="kept").close()
    lock = _locked(path, 1.0)
    try:
        start = time.monotonic()
        ledger = SQLiteLedger(path, busy_timeout_s=0.5)  # no write needed: the salt is stored
        assert time.monotonic() - start < 0.4
    finally:
        lock.wait(10)
    assert ledger.salt != "" and ledger.flush() == 0
    ledger.close()
