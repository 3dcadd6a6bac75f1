"""Shared state in a SQLite ledger file: the feedback loop's knob, one value for every process.

:class:`SQLiteState` keeps a versioned log per key; :meth:`~SQLiteState.put_state` is a
compare-and-set across processes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from typing import TYPE_CHECKING, Any

from .base import StateChange

# the logger the ledger has always warned on (callers filter by its name)
logger = logging.getLogger("shared_core.ledger.sqlite")


class SQLiteState:
    """Versioned shared state of :class:`~shared_core.ledger.sqlite.SQLiteLedger` (a mixin:
    the connection and lock it uses are the ledger's own)."""

    if TYPE_CHECKING:
        path: str
        _lock: threading.RLock
        _writing: threading.Lock

        def _live_connection(self, write: bool = False) -> sqlite3.Connection: ...
        def _drop_connection(self, write: bool = False) -> None: ...
        def _shared_connection(self) -> contextlib.AbstractContextManager[Any]: ...
        def _query(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]: ...

    # -- shared state (the feedback loop's knob) -----------------------------------------
    def get_state(self, key: str) -> tuple[dict[str, Any] | None, int]:
        rows = self._query(
            "SELECT value, version FROM state_log WHERE key = ? ORDER BY version DESC LIMIT 1",
            (key,),
        )
        if not rows:
            return None, 0
        return dict(json.loads(rows[0]["value"])), int(rows[0]["version"])

    def put_state(self, key: str, value: dict[str, Any], expected_version: int) -> bool:
        """Compare-and-set across processes: the (key, version) primary key admits one writer."""
        with self._writing, self._shared_connection():  # the write connection (sqlite_writer)
            try:
                conn = self._live_connection(write=True)
                try:  # BEGIN inside: a Ctrl-C right after it must not leave the file write-locked
                    conn.execute("BEGIN IMMEDIATE")
                    top = conn.execute(
                        "SELECT MAX(version) FROM state_log WHERE key = ?", (key,)
                    ).fetchone()[0]
                    if int(top or 0) != expected_version:
                        conn.execute("ROLLBACK")
                        return False
                    conn.execute(
                        "INSERT INTO state_log (key, version, value, ts) VALUES (?, ?, ?, ?)",
                        (key, expected_version + 1, json.dumps(value), time.time()),
                    )
                    conn.execute("COMMIT")
                    return True
                except BaseException:
                    if conn.in_transaction:
                        with contextlib.suppress(sqlite3.Error):
                            conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                logger.warning("cost ledger %s: state write failed (%s)", self.path, exc)
                self._drop_connection(write=True)
                return False

    def state_history(self, key: str) -> list[StateChange]:
        rows = self._query(
            "SELECT value, version, ts FROM state_log WHERE key = ? ORDER BY version", (key,)
        )
        return [StateChange(key, json.loads(r["value"]), int(r["version"]), r["ts"]) for r in rows]
