"""What close() does with items queued while it writes, and with queued releases."""

from __future__ import annotations

import asyncio

from shared_core.ledger import CallRecord, SQLiteLedger

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
