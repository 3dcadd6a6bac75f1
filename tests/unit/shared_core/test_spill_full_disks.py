"""Records pending when a ledger closes on a full disk outlive the process.

The spill file went beside the ledger, else to the cache folder (``~/.cache/tier-router``). Both
usually sit on one disk (``/home``): when that disk was full, a process ending with records not
yet written logged an ERROR and lost them (10 records sent and paid for, none stored). The system
temporary folder (often a RAM disk of its own) is now the last place tried, and the next ledger
opened on the file claims what is there; when no place takes them, the ERROR carries the records
themselves, so a person can still put them back.

The full disks are simulated where the spill writes: ``os.write`` in :mod:`spill` raises
``OSError(ENOSPC)`` for files in the folders made full.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest

from shared_core.ledger import CallRecord, SQLiteLedger, spill
from shared_core.ledger.sqlite_connection import SQLiteConnection


@pytest.fixture
def full(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """``full(folder, ...)``: every spill write to a file in those folders fails with ENOSPC."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    folders: set[str] = set()
    real_write = os.write

    def write(fd: int, data: bytes) -> int:
        where = os.path.dirname(os.readlink(f"/proc/self/fd/{fd}"))
        if where in folders:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(spill.os, "write", write)  # (the os module: the real write path)

    def make_full(*paths: Path) -> None:
        folders.update(str(p) for p in paths)

    return make_full


@pytest.fixture
def unwritable(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The ledger's database refuses writes (SQLite's own error, as on a full disk)."""
    real = SQLiteConnection._connect
    state = {"on": False}

    def connect(self: Any, write: bool = False) -> sqlite3.Connection:
        conn = real(self, write)
        conn.execute(f"PRAGMA query_only = {1 if write and state['on'] else 0}")
        return conn

    monkeypatch.setattr(SQLiteConnection, "_connect", connect)

    def switch(ledger: SQLiteLedger, on: bool) -> None:
        state["on"] = on
        ledger._drop_connection(write=True)

    return switch


def _records(n: int) -> list[CallRecord]:
    return [CallRecord(call_id=f"c{i}", tier="t", model="m", cost_usd=0.01) for i in range(n)]


def test_records_left_at_exit_on_a_full_disk_reach_the_next_ledger(
    tmp_path: Path, full: Any, unwritable: Any
) -> None:
    path = tmp_path / "led" / "costs.sqlite"
    ledger = SQLiteLedger(path)
    unwritable(ledger, True)
    for rec in _records(10):
        ledger.record(rec)
    assert ledger.pending == 10
    (tmp_path / "cache" / "tier-router").mkdir(parents=True, exist_ok=True)
    full(path.parent, tmp_path / "cache" / "tier-router")  # the ledger's disk, and the cache's
    ledger.close()  # what an exit does: flush, then spill what is left
    unwritable(ledger, False)

    again = SQLiteLedger(path)
    assert again.pending == 0
    assert sorted(r.call_id for r in again.records()) == sorted(f"c{i}" for i in range(10))
    assert again.spend("global", 0) == pytest.approx(0.10)
    again.close()
    assert not list((tmp_path / "tmp").iterdir())  # claimed: written once, not again


def test_records_no_place_takes_are_in_the_error(
    tmp_path: Path, full: Any, unwritable: Any, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "led" / "costs.sqlite"
    ledger = SQLiteLedger(path)
    unwritable(ledger, True)
    for rec in _records(3):
        ledger.record(rec)
    (tmp_path / "cache" / "tier-router").mkdir(parents=True, exist_ok=True)
    full(path.parent, tmp_path / "cache" / "tier-router", tmp_path / "tmp")
    with caplog.at_level(logging.ERROR):
        ledger.close()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and "they are lost" in errors[0]
    assert all(f'"call_id": "c{i}"' in errors[0] for i in range(3))  # a person can put them back


def test_a_spill_file_another_user_left_in_the_temporary_folder_is_not_claimed(
    tmp_path: Path, full: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temporary folder is shared by every user: a spill file there that this user does not
    own (planted to inflate the spend, or to link elsewhere) is left alone."""
    path = tmp_path / "led" / "costs.sqlite"
    planted = spill.places(str(path))[-1]
    assert Path(tempfile.gettempdir()) in planted.parents
    planted.write_text('{"record": {"call_id": "x", "tier": "t", "model": "m", "cost_usd": 1000.0}}\n')
    real_stat = os.stat

    def stat(p: Any, *a: Any, **kw: Any) -> os.stat_result:
        st = real_stat(p, *a, **kw)
        if str(p) == str(planted):
            fields = list(st)
            fields[4] = os.getuid() + 1  # st_uid: someone else's
            return os.stat_result(fields)
        return st

    monkeypatch.setattr(spill.os, "stat", stat)
    ledger = SQLiteLedger(path)
    assert ledger.spend("global", 0) == 0.0
    assert planted.exists()
    ledger.close()
