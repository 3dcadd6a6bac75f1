"""A SQLite ledger opened with a relative path keeps its file when the process changes directory
(a daemonizing server, a job runner)."""

from __future__ import annotations

from shared_core.ledger import CallRecord, SQLiteLedger

from ...sqlite_files import rows


def test_a_relative_path_names_the_same_file_after_a_chdir(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    ledger = SQLiteLedger("costs.db")
    ledger.record(CallRecord(call_id="before", tier="t", model="m"))
    monkeypatch.chdir(tmp_path / "b")
    ledger.record(CallRecord(call_id="after", tier="t", model="m"))
    assert [r.call_id for r in ledger.records()] == ["before", "after"]
    assert rows(tmp_path / "a" / "costs.db", "SELECT COUNT(*) FROM calls") == 2
    assert not (tmp_path / "b" / "costs.db").exists()
    ledger.close()
