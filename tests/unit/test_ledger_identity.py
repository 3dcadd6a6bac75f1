"""``CostLedger.identity``: two ledger objects on one store compare equal, and only then.

``RunnableRouter`` leaves a routed call's records to a caller's cost handler that writes to
its ledger's store: a handler on another object of the same SQLite file was not recognised
(every call written twice), and one on a different store must never be taken for it (the
router's ledger would then miss the calls: its limits would not see them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shared_core.ledger import InMemoryLedger, SQLiteLedger
from shared_core.ledger.postgres import database_identity
from shared_core.ledger.sqlite_readonly import ReadOnlySQLiteLedger


def test_sqlite_ledgers_on_one_file_are_one_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "costs.db"
    first = SQLiteLedger(path)
    monkeypatch.chdir(tmp_path)
    assert SQLiteLedger("costs.db").identity == first.identity  # a relative spelling
    os.symlink(path, tmp_path / "link.db")
    assert SQLiteLedger(tmp_path / "link.db").identity == first.identity  # a link to it
    assert SQLiteLedger(tmp_path / "other.db").identity != first.identity


def test_private_and_read_only_ledgers_share_no_store(tmp_path: Path) -> None:
    path = tmp_path / "costs.db"
    writer = SQLiteLedger(path)
    assert ReadOnlySQLiteLedger(path).identity != writer.identity  # it writes nothing
    assert SQLiteLedger(":memory:").identity != SQLiteLedger(":memory:").identity
    memory = InMemoryLedger()
    assert memory.identity == memory.identity != InMemoryLedger().identity


def test_postgres_spellings_of_one_database_are_one_store() -> None:
    url = database_identity("postgresql://app:secret@db.internal:5432/costs")
    assert database_identity("postgresql://app:rotated@db.internal:5432/costs?connect_timeout=3") == url
    assert database_identity("host=db.internal port=5432 dbname=costs user=app password=x") == url
    assert database_identity("postgresql://app@db.internal:5432/other") != url
    assert database_identity("postgresql://app@db.internal:5433/costs") != url
    assert database_identity("postgresql://app@db.internal/costs?options=-csearch_path%3Dx") != url
