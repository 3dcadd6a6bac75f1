"""The spill file a ledger claims when it opens: a damaged line costs that line only."""

from __future__ import annotations

import errno
import json
import logging
import os
from typing import Any

from shared_core.ledger import CallRecord, SQLiteLedger, spill
from shared_core.ledger.limits import LimitCheck


def _rec(call_id: str) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=0.01, user="zoë")


def test_a_line_torn_inside_a_character_costs_that_line_only(tmp_path, caplog):
    path = str(tmp_path / "l.db")
    SQLiteLedger(path).close()
    assert spill.write(path, [_rec(f"g{i}") for i in range(3)], [])
    line = json.dumps({"record": _rec("torn").to_dict()}, ensure_ascii=False).encode()
    with open(path + spill.SUFFIX, "ab") as f:  # an append torn inside the two bytes of "ë"
        f.write(line[: line.index("ë".encode()) + 1])
    with caplog.at_level(logging.WARNING):
        ledger = SQLiteLedger(path)
    assert sorted(r.call_id for r in ledger.records()) == ["g0", "g1", "g2"]
    assert ledger.pending == 0
    assert any("skipped line 4" in r.getMessage() for r in caplog.records)
    assert not list(tmp_path.glob("*.claim"))
    kept = (tmp_path / "l.db.rejected.jsonl").read_text()
    assert '"call_id": "torn"' in json.loads(kept)["spill_line"]
    ledger.close()


def test_an_append_that_opened_the_file_before_a_claim_is_not_lost(tmp_path, monkeypatch):
    path = str(tmp_path / "l.db")
    assert spill.write(path, [_rec("first")], [])
    real_open, claimed = os.open, []

    def open_then_claimed(file: Any, *args: Any, **kw: Any) -> int:
        fd = real_open(file, *args, **kw)
        if str(file).endswith(spill.SUFFIX) and not claimed:  # another process claims meanwhile
            claimed.append(spill.claim(path)[0])
        return fd

    monkeypatch.setattr(os, "open", open_then_claimed)
    assert spill.write(path, [_rec("second")], [])
    monkeypatch.setattr(os, "open", real_open)
    assert [r.call_id for r in claimed[0]] == ["first"]
    assert [r.call_id for r in spill.claim(path)[0]] == ["second"]  # not in the unlinked file


def test_an_error_closing_a_written_spill_file_does_not_write_it_twice(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = str(tmp_path / "l.db")
    real_close, failed = os.close, []

    def close_fails_once(fd: int) -> None:
        real_close(fd)
        if not failed:
            failed.append(fd)
            raise OSError(errno.EIO, "I/O error on close")

    monkeypatch.setattr(os, "close", close_fails_once)
    assert spill.write(path, [_rec(f"r{i}") for i in range(5)], [])
    monkeypatch.setattr(os, "close", real_close)
    assert failed
    assert [r.call_id for r in spill.claim(path)[0]] == [f"r{i}" for i in range(5)]  # once


def test_a_running_ledger_counts_a_spill_file_written_since_it_opened(tmp_path):
    """Another worker exited while the file was locked and spilled its call ($0.90 of a $1.00
    limit): a worker already running counts it before it admits the next call."""
    path = str(tmp_path / "l.db")
    ledger = SQLiteLedger(path)  # running since before
    spent = CallRecord(call_id="a-call", tier="t", model="m", cost_usd=0.90)
    assert spill.write(path, [spent], [], releases=["a-call"])
    limits = [LimitCheck("global", 0.0, 1.00)]
    assert ledger.reserve("b-call", 0.90, limits, 60) is not None  # refused: $0.90 spent
    assert ledger.pending == 0 and [r.call_id for r in ledger.records()] == ["a-call"]
    assert not (tmp_path / "l.db.pending.jsonl").exists()
    ledger.close()
