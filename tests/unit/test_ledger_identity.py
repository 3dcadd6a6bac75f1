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
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_postgres_spellings_with_default_port_and_loopback_names_are_one_store(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The port left out is libpq's default (5432), ``localhost`` / ``127.0.0.1`` / ``::1``
    are one loopback server, and options that do not pick the store (``application_name``,
    ``connect_timeout``, ``sslmode``) are left out: each was a store of its own, so a route
    with the caller's handler on another spelling wrote every record twice."""
    monkeypatch.delenv("PGPORT", raising=False)
    url = database_identity("postgresql://u@localhost:5432/db")
    assert database_identity("postgres://u@127.0.0.1/db?application_name=x") == url
    assert database_identity("host=localhost dbname=db user=u") == url
    assert database_identity("host=::1 port=5432 dbname=db user=u sslmode=require connect_timeout=2") == url
    assert database_identity("postgresql://u@LocalHost./db") == url
    assert database_identity("postgresql://u@127.0.0.1:5433/db") != url
    assert database_identity("postgresql://u@db.internal/db") != url  # no DNS: another name
    assert database_identity("postgresql://u@localhost/db2") != url
    assert database_identity("postgresql://v@localhost/db") != url


def test_postgres_libpq_defaults_fill_what_a_spelling_leaves_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """libpq's defaults (``PGPORT``, ``PGUSER``, a database named after its user) are what a
    spelling that leaves them out connects to; a Unix socket is not taken for TCP loopback."""
    monkeypatch.setenv("PGPORT", "6543")
    monkeypatch.setenv("PGUSER", "app")
    monkeypatch.delenv("PGDATABASE", raising=False)
    assert database_identity("postgresql://localhost") == database_identity(
        "host=127.0.0.1 port=6543 user=app dbname=app")
    assert database_identity("postgresql://localhost") != database_identity("postgresql://app@localhost:5432/app")
    assert database_identity("host=/var/run/postgresql dbname=app") != database_identity("postgresql://localhost")
    assert database_identity("host=/var/run/postgresql/ dbname=app") == database_identity(
        "postgresql://%2Fvar%2Frun%2Fpostgresql/app")


@settings(max_examples=150, deadline=None)
@given(
    host=st.sampled_from(["localhost", "127.0.0.1", "db.internal", "10.1.2.3"]),
    port=st.sampled_from([None, 5432, 6000]),
    db=st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
    user=st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
    extra=st.dictionaries(
        st.sampled_from(["application_name", "connect_timeout", "sslmode", "password"]),
        st.sampled_from(["x", "5", "prefer", "disable"]), max_size=3),
)
def test_a_url_and_its_key_value_spelling_are_one_store(
    host: str, port: int | None, db: str, user: str, extra: dict[str, str]
) -> None:
    query = "&".join(f"{k}={v}" for k, v in extra.items())
    url = f"postgresql://{user}@{host}{'' if port is None else f':{port}'}/{db}{'?' + query if query else ''}"
    kv = f"host={host} port={port or 5432} dbname={db} user={user}"
    assert database_identity(url) == database_identity(kv)
    assert database_identity(url) != database_identity(f"host={host} port={port or 5432} dbname={db}x user={user}")
