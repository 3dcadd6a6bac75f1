"""Reading a SQLite ledger file from outside the ledger, for the tests of its writer thread."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any


def rows(path: Path | str, sql: str) -> int:
    """The one number ``sql`` counts in the file at ``path``, on a connection of its own."""
    conn = sqlite3.connect(str(path), timeout=10)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def wait_for(check: Any, timeout_s: float = 15.0, step_s: float = 0.05) -> bool:
    """Whether ``check()`` turns true within ``timeout_s`` (polled every ``step_s``)."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(step_s)
    return bool(check())
