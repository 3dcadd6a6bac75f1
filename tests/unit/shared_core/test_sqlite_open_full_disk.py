"""A ledger file opened on a full disk says the disk is full.

A worker restarted while the ledger's disk was full could not open the existing file (SQLite must
create its ``-wal`` and ``-shm`` files beside it) and was told ``disk I/O error; check the path is
a writable file in a writable folder``: the path was fine. The error now names the full disk.
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from shared_core.errors import ConfigError
from shared_core.ledger import SQLiteLedger, sqlite_connection


def _full_statvfs(real: object) -> object:
    def statvfs(path: object) -> os.statvfs_result:
        st = real(path)  # type: ignore[operator]
        fields = list(st)
        fields[4] = fields[5] = 0  # f_bfree, f_bavail: nothing left
        return os.statvfs_result(fields)

    return statvfs


def test_a_ledger_opened_on_a_full_disk_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "costs.sqlite"
    SQLiteLedger(path).close()  # an existing ledger; closed cleanly: no -wal, no -shm left
    real_connect = sqlite_connection.sqlite3.connect

    def connect(*args: object, **kwargs: object) -> object:
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        conn.close()  # what SQLite answers when it cannot create the -shm file (ENOSPC)
        raise sqlite_connection.sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite_connection.sqlite3, "connect", connect)
    monkeypatch.setattr(sqlite_connection.os, "statvfs", _full_statvfs(os.statvfs))
    with pytest.raises(ConfigError, match="disk holding it is full") as err:
        SQLiteLedger(path)
    assert "check the path is a writable file" not in str(err.value)


def test_a_ledger_opened_on_a_real_full_disk_says_so(tmp_path: Path) -> None:
    """The same on a real full tmpfs (root only)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    folder = tmp_path / "small"
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        SQLiteLedger(folder / "costs.sqlite").close()
        fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
        finally:
            os.close(fd)
        with pytest.raises(ConfigError, match="disk holding it is full"):
            SQLiteLedger(folder / "costs.sqlite")
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
