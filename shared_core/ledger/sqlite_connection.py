"""The file under a :class:`~shared_core.ledger.sqlite.SQLiteLedger` and its two connections.

:class:`SQLiteConnection` opens the file (creating its folder, its tables, the stored salt, and
upgrading an older file's schema), reports a file it cannot open as a :class:`ConfigError` that
says why, and re-opens a connection when the file was removed or replaced under it.

A ledger reads through one connection (guarded by its ``_lock``) and writes through another
(guarded by its ``_writing`` lock): a write waiting for another process's write lock holds
that connection, and SQLite's own mutex on it, for up to ``busy_timeout_s``, while reads (WAL:
never blocked by a writer) go on through theirs. A ``":memory:"`` database is private to its
connection, so there both are one (and nothing else can lock it).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from ..errors import ConfigError
from .base import new_salt
from .sqlite_sql import _SCHEMA, FEEDBACK_VARIANT_INDEX, _migrate

FULL_BYTES = 64 * 1024
"""Less free space than this on the ledger's disk: a failure to open is put down to a full disk
(SQLite needs its ``-shm`` file, 32 KiB, and room for the ``-wal`` one)."""


def _free_bytes(path: str) -> int | None:
    """Bytes an unprivileged user may still write on the disk holding ``path``; ``None`` when
    unknown (``":memory:"``, no ``statvfs``, no such folder)."""
    if path == ":memory:" or not hasattr(os, "statvfs"):
        return None
    try:
        st = os.statvfs(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


class SQLiteConnection:
    """Opening and re-opening the ledger file (a mixin of ``SQLiteLedger``; its lock guards
    the connection)."""

    path: str
    busy_timeout_s: float
    _lock: threading.RLock
    _conn: sqlite3.Connection | None
    _inode: tuple[int, int] | None
    _wconn: sqlite3.Connection | None = None
    _winode: tuple[int, int] | None = None

    def _open_file(self) -> str:
        """Create the folder and the tables if missing; the salt stored in the file."""
        self._conn = None
        self._inode = None
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"cannot create the ledger folder for {self.path!r}: {exc}",
                    field="ledger.path",
                    value=self.path,
                ) from None
        try:
            conn = self._connect()
            # read first: a file that has its salt needs no write (opening it while another
            # process holds the write lock, a ledger built on a loop, neither waits for it)
            row = conn.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('salt', ?)", (new_salt(),)
                )
                row = conn.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
            return str(row[0])
        except sqlite3.Error as exc:
            self._drop_connection()
            if "locked" in str(exc) or "busy" in str(exc):
                hint = (
                    f"the file is locked by another connection or process (waited "
                    f"{self.busy_timeout_s:g} s); retry when it is released, or pass a longer "
                    "busy_timeout_s"
                )
            elif "not a tier-router ledger" in str(exc):
                hint = "it belongs to something else and is left as it is; name a new file for the ledger"
            elif "not a database" in str(exc) or "malformed" in str(exc):
                hint = (
                    "the file is not a readable SQLite database (another format, or damaged, e.g. "
                    "truncated while open); move it aside to start a new ledger, or restore it"
                )
            elif (free := _free_bytes(self.path)) is not None and free < FULL_BYTES:
                # SQLite says "disk I/O error" when it cannot create the -wal / -shm files
                hint = (
                    f"the disk holding it is full ({free} bytes free); free space on it, then "
                    "open the ledger again"
                )
            else:
                hint = "check the path is a writable file in a writable folder"
            raise ConfigError(
                f"cannot open the SQLite ledger {self.path!r}: {exc}; {hint}",
                field="ledger.path",
                value=self.path,
            ) from None

    def _connect(self, write: bool = False) -> sqlite3.Connection:
        """The read connection, or (``write``) the write connection, opened if need be."""
        if write and self.path == ":memory:":
            write = False  # one private database: one connection
        if (self._wconn if write else self._conn) is not None:
            return self._wconn if write else self._conn  # type: ignore[return-value]
        conn = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout_s,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            # every ledger file ever written has a `meta` table: a database with tables and none
            # belongs to something else, and must not get the ledger's tables added to it
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            if tables and "meta" not in tables:
                shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
                raise sqlite3.DatabaseError(f"not a tier-router ledger: it holds other tables ({shown})")
            if self.path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(_SCHEMA)
            have = {r[1] for r in conn.execute("PRAGMA table_info(calls)")}
            if "variant" not in have:  # a ledger file from before A/B variants
                try:
                    conn.execute("ALTER TABLE calls ADD COLUMN variant TEXT")
                except sqlite3.OperationalError as exc:  # another process added it first
                    if "duplicate column" not in str(exc):
                        raise
            if "variant" not in {r[1] for r in conn.execute("PRAGMA table_info(feedback)")}:
                try:  # a ledger file from before the feedback loop read one variant's entries
                    conn.execute("ALTER TABLE feedback ADD COLUMN variant TEXT")
                except sqlite3.OperationalError as exc:
                    if "duplicate column" not in str(exc):
                        raise
            conn.execute(FEEDBACK_VARIANT_INDEX)
            _migrate(conn)
        except sqlite3.Error:
            conn.close()
            raise
        if write:
            self._wconn, self._winode = conn, self._stat()
        else:
            self._conn, self._inode = conn, self._stat()
        return conn

    def _stat(self) -> tuple[int, int] | None:
        if self.path == ":memory:":
            return None
        st = os.stat(self.path)
        return (st.st_dev, st.st_ino)

    def _live_connection(self, write: bool = False) -> sqlite3.Connection:
        """The read connection (callers hold ``_lock``), or the write connection (callers hold
        ``_writing``), re-opened when the file was removed or replaced under us."""
        if write and self.path == ":memory:":
            write = False
        conn, inode = (self._wconn, self._winode) if write else (self._conn, self._inode)
        if conn is not None and self.path != ":memory:":
            try:
                same = self._stat() == inode
            except OSError:
                same = False
            if not same:
                self._drop_connection(write)
        return self._connect(write)

    def _drop_connection(self, write: bool = False) -> None:
        if write and self.path == ":memory:":
            write = False
        conn = self._wconn if write else self._conn
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover
                pass
            if write:
                self._wconn = None
            else:
                self._conn = None
