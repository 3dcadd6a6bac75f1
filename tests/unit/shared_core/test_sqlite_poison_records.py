"""One record the database cannot take never holds back the records queued after it.

Every batch of a SQLite ledger is one transaction: a record that fails it (a lone surrogate in
a text column, a value SQLite cannot bind) used to stay at the head of the queue, so every
later record of the process waited in memory behind it, then went to the spill file, and the
next process claiming the spill was stuck the same way.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from shared_core.ledger import CallRecord, SQLiteLedger

from ...sqlite_files import rows

TEXT_FIELDS = ("call_id", "tier", "model", "error_kind", "baseline_model", "classifier", "prompt_hash", "variant")


def _rec(call_id: str, **kw: object) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=0.01, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_a_lone_surrogate_in_any_text_column_is_stored_escaped(tmp_path, name):
    kw: dict[str, object] = {"call_id": "c", "tier": "t", "model": "m", name: "x\udc80"}
    rec = CallRecord(**kw)  # type: ignore[arg-type]
    assert getattr(rec, name) == "x\\udc80"
    ledger = SQLiteLedger(tmp_path / "l.db")

    async def calls() -> None:
        ledger.record(rec)
        ledger.record(_rec("after"))

    asyncio.run(calls())
    assert ledger.flush() == 0
    assert rows(tmp_path / "l.db", "SELECT COUNT(*) FROM calls") == 2
    ledger.close()


def _poison(call_id: str) -> CallRecord:
    """A record the database refuses (built past CallRecord's checks, as a subclass or an older
    spill file might): its tier cannot be encoded."""
    rec = _rec(call_id)
    object.__setattr__(rec, "tier", "t\udc80")
    return rec


@pytest.mark.parametrize("on_loop", [True, False], ids=["event loop", "plain thread"])
def test_a_record_the_database_refuses_is_set_aside_and_the_others_written(tmp_path, caplog, on_loop):
    path = tmp_path / "l.db"
    ledger = SQLiteLedger(path, busy_timeout_s=0.2, retry_after_s=0.05)

    def calls() -> None:
        ledger.record(_rec("before"))
        ledger.record(_poison("bad"))
        for i in range(20):
            ledger.record(_rec(f"after{i}"))
        ledger.release("hold")

    async def on_a_loop() -> None:
        calls()

    with caplog.at_level(logging.WARNING, logger="shared_core.ledger.sqlite"):
        asyncio.run(on_a_loop()) if on_loop else calls()
        assert ledger.flush() == 0
    assert rows(path, "SELECT COUNT(*) FROM calls") == 21
    rejected = (tmp_path / "l.db.rejected.jsonl").read_bytes().decode("utf-8", "surrogatepass")
    lines = [json.loads(line) for line in rejected.splitlines()]
    assert [line["record"]["call_id"] for line in lines] == ["bad"]
    assert any("rejected.jsonl" in r.getMessage() and "bad" in r.getMessage() for r in caplog.records)
    ledger.record(_rec("later"))  # the queue moves on
    assert ledger.flush() == 0 and rows(path, "SELECT COUNT(*) FROM calls") == 22
    ledger.close()
    assert not (tmp_path / "l.db.pending.jsonl").exists()
