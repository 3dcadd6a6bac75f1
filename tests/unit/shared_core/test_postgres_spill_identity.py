"""A PostgreSQL ledger's spill file is keyed by the database it names, not by the URL's text.

Spellings of one database (``application_name`` per worker, an added ``sslmode``, a move to a
conninfo string, ``localhost`` for ``127.0.0.1``) are one store (:mod:`.pg_identity`), but each
had its own spill file: records a worker spilled at exit were claimed only by a ledger opened
with byte-identical text, so they were never written and hard limits under-counted (review
#9). Files an older version spilled under the raw-URL key are still claimed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from shared_core.ledger import CallRecord
from shared_core.ledger.spill import SUFFIX, server_spill_base

SPELLINGS = [
    "postgresql://app@127.0.0.1:5432/ledger",
    "postgres://app@localhost/ledger",
    "postgresql://app:secret@127.0.0.1:5432/ledger?sslmode=require&application_name=worker-7",
    "host=localhost user=app password=other dbname=ledger",
]


def test_every_spelling_of_one_database_spills_to_one_file(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    assert len({server_spill_base(u, tmp_path) for u in SPELLINGS}) == 1
    assert server_spill_base("postgresql://app@localhost/other", tmp_path) != server_spill_base(
        SPELLINGS[0], tmp_path
    )


def _old_key(url: str, spill_dir: Path) -> Path:
    """Where the version before this one spilled: a hash of the URL text, password removed."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")
    user = netloc[0].partition(":")[0]
    key = urlunsplit(parts._replace(netloc=f"{user}@{netloc[2]}" if netloc[1] else netloc[2]))
    return spill_dir / ("pg-" + hashlib.sha256(key.encode()).hexdigest()[:24] + SUFFIX)


def _spill_line(call_id: str) -> str:
    rec = CallRecord(call_id=call_id, tier="t", model="m", cost_usd=0.25)
    return json.dumps({"record": rec.to_dict()}) + "\n"


def test_a_spill_of_another_spelling_and_one_under_the_old_key_are_both_written(
    pg_url: str, tmp_path: Path
) -> None:
    from shared_core.ledger import PostgresLedger

    other = pg_url + ("&" if "?" in pg_url else "?") + "application_name=worker-7"
    Path(server_spill_base(other, tmp_path) + SUFFIX).write_text(_spill_line("by-worker-7"))
    _old_key(pg_url, tmp_path).write_text(_spill_line("by-an-older-version"))
    led = PostgresLedger(pg_url, spill_dir=tmp_path)
    try:
        assert led.flush(timeout_s=30) == 0
        assert sorted(r.call_id for r in led.records()) == ["by-an-older-version", "by-worker-7"]
        assert led.spend("global", 0.0) == pytest.approx(0.5)
        assert list(tmp_path.iterdir()) == []
    finally:
        led.close()
