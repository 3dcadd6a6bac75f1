"""The SQLite ledger is opened when the model is built, and its records outlive the process.

Issue 14, items 2 and 3: a ledger path that cannot be written fails at construction (before
any provider is paid); a file locked at the first call does not lose the paid answer nor its
record; records still waiting in memory at a normal exit reach the file once it is free again.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI
from llama_index.core.base.llms.types import ChatMessage
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import ConfigError
from shared_core.ledger import SQLiteLedger

pytestmark = pytest.mark.integration

CFG = {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}], "classifier": {"type": "rules"}}
ROOT = Path(__file__).resolve().parents[2]


def _unwritable_paths(tmp_path: Path) -> list[Path]:
    a_file = tmp_path / "plain-file"
    a_file.write_text("not a folder")
    a_dir = tmp_path / "a-folder.sqlite"
    a_dir.mkdir()
    not_sqlite = tmp_path / "garbage.sqlite"
    not_sqlite.write_bytes(b"this is not a database" * 100)
    # (permissions cannot make a file unwritable for root, which runs CI)
    return [a_file / "ledger.sqlite", a_dir, not_sqlite]


def _langchain(server, ledger):
    inner = ChatOpenAI(model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", max_retries=0)
    return RoutedChatModel(tiers={"cheap": inner}, config=CFG, ledger=ledger)


def _llamaindex(server, ledger):
    inner = OpenAI(model="gpt-4o-mini", api_base=server.base_url, api_key="sk-test", max_retries=0)
    return RoutedLLM(tiers={"cheap": inner}, config=CFG, ledger=ledger)


@pytest.mark.parametrize("build", [_langchain, _llamaindex], ids=["langchain", "llamaindex"])
def test_unwritable_ledger_path_fails_when_the_model_is_built(openai_server, tmp_path, build):
    for path in _unwritable_paths(tmp_path):
        with pytest.raises(ConfigError) as err:
            build(openai_server, str(path))
        assert err.value.field == "ledger.path"
        assert str(path) in str(err.value)
    assert openai_server.chat_requests == []  # nothing was paid for


def _lock(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


@pytest.mark.parametrize("build", [_langchain, _llamaindex], ids=["langchain", "llamaindex"])
def test_ledger_locked_at_first_call_keeps_the_answer_and_the_record(openai_server, tmp_path, build):
    path = tmp_path / "costs.sqlite"
    llm = build(openai_server, str(path))
    lock = _lock(path)
    try:
        if build is _langchain:
            text = llm.invoke("hello").content
        else:
            text = llm.chat([ChatMessage(role="user", content="hello")]).message.content
        assert text.startswith("Reply from gpt-4o-mini")
        ledger = llm.router.ledger
        assert ledger.pending == 1  # kept in memory while the file is locked
    finally:
        lock.rollback()
        lock.close()
    assert ledger.flush() == 0
    [rec] = SQLiteLedger(path).records()
    assert (rec.tier, rec.status) == ("cheap", "ok")


def test_sqlite_ledger_locked_at_open_says_it_is_locked(tmp_path):
    """A file that opening must write to (its tables, its salt) and another process holds
    locked. (An existing ledger file is only read when opened: it opens under a lock.)"""
    path = tmp_path / "costs.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")  # begun, not yet a ledger
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    lock = _lock(path)
    try:
        with pytest.raises(ConfigError) as err:
            SQLiteLedger(path, busy_timeout_s=0.1)
    finally:
        lock.rollback()
        lock.close()
    msg = str(err.value)
    assert "is locked by another connection or process (waited 0.1 s)" in msg
    assert "writable" not in msg


CHILD = textwrap.dedent(
    """
    import sys
    from shared_core.ledger import CallRecord, SQLiteLedger

    ledger = SQLiteLedger(sys.argv[1], busy_timeout_s=0.2)
    print("open", flush=True)
    sys.stdin.readline()  # the parent holds the lock now
    for i in range(50):
        ledger.record(CallRecord(call_id=f"c{i}", tier="cheap", model="m", cost_usd=0.001))
        ledger.record_feedback(f"c{i}", 1.0) if i == 0 else None
    print("pending", ledger.pending, flush=True)
    # a normal exit: no flush(), no close()
    """
)


def test_records_pending_at_exit_reach_the_ledger_once_the_lock_is_released(tmp_path):
    path = tmp_path / "costs.sqlite"
    SQLiteLedger(path).close()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline().strip() == "open"
    lock = _lock(path)
    try:
        child.stdin.write("go\n")
        child.stdin.flush()
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert out.strip() == "pending 51"  # 50 records + 1 feedback, none written
        assert "written the next time this ledger is opened" in err
    finally:
        lock.rollback()
        lock.close()
    spill = Path(str(path) + ".pending.jsonl")
    assert spill.exists()
    ledger = SQLiteLedger(path)
    assert sorted(r.call_id for r in ledger.records()) == sorted(f"c{i}" for i in range(50))
    assert [f.call_id for f in ledger.feedback()] == ["c0"]
    assert ledger.pending == 0  # written to the file, not just read back from the spill
    assert not spill.exists()
    ledger.close()
    assert len(SQLiteLedger(path).records()) == 50  # exactly once
