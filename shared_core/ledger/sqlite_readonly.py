"""Reading a SQLite ledger without writing to it: what ``tier-router stats`` / ``report`` fall
back to when the file cannot be opened as a writer.

:class:`~shared_core.ledger.sqlite.SQLiteLedger` opens its file as a writer: it creates the
tables, stores a salt, sets WAL mode and claims the spill file of earlier processes. That fails
while another process holds the file's write lock past ``busy_timeout_s``, or on a read-only
mount, although SQLite itself can read the rows (a WAL reader is not blocked by a writer).
:class:`ReadOnlySQLiteLedger` reads the same rows through a ``mode=ro`` connection (``immutable``
when even that cannot open the file: a read-only mount) and writes nothing; records still waiting in another process's memory or spill file are not in it until
a writer opens the ledger.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, NoReturn

from ..errors import ConfigError, InputError
from .sqlite import SQLiteLedger

SALT = "SELECT value FROM meta WHERE key = 'salt'"


class ReadOnlySQLiteLedger(SQLiteLedger):
    """The reads of :class:`SQLiteLedger` over a read-only connection; every write raises."""

    def __init__(self, path: str | Path, *, busy_timeout_s: float = 2.0) -> None:
        self._init_state(path, busy_timeout_s, retry_after_s=0.0)
        self._immutable = False
        try:
            try:
                row = self._connect().execute(SALT).fetchone()
            except sqlite3.OperationalError:
                # a WAL file closed cleanly on a read-only mount: no -shm can be made beside it,
                # and nothing can be writing to it either, so it is read as immutable
                self._drop_connection()
                self._immutable = True
                row = self._connect().execute(SALT).fetchone()
        except sqlite3.Error as exc:
            self._drop_connection()
            raise ConfigError(
                f"cannot read the SQLite ledger {self.path!r}: {exc}", field="ledger.path", value=self.path
            ) from None
        self.salt = str(row[0]) if row else ""

    def _connect(self, write: bool = False) -> sqlite3.Connection:  # never writes: one connection
        if self._conn is not None:
            return self._conn
        uri = Path(self.path).resolve().as_uri() + ("?immutable=1" if self._immutable else "?mode=ro")
        conn = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout_s, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        self._conn = conn
        self._inode = self._stat()
        return conn

    def _refuse(self, *_: Any, **__: Any) -> NoReturn:
        raise InputError(f"ledger {self.path!r} is open read-only: nothing can be written to it")

    record = record_feedback = release = reserve = claim_alert = put_state = _refuse  # type: ignore[assignment]

    async def arecord(self, rec: Any) -> NoReturn:
        self._refuse()

    def flush(self) -> int:
        return 0

    def close(self) -> None:
        with self._lock:
            self._drop_connection()

    def exit_flush(self, wait_s: float) -> None:
        return None

    @property
    def identity(self) -> tuple[Any, ...]:
        """Its own: it stores nothing, so no record is ever one written through it."""
        return ("object", id(self))

    def __repr__(self) -> str:
        return f"ReadOnlySQLiteLedger({self.path!r})"
