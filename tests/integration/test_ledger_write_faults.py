"""A ledger that can be read but not written (disk full, a read-only mount) keeps a hard limit.

Real ``ChatOpenAI`` models at the loopback server, routed by ``RoutedChatModel`` into a real
``SQLiteLedger``. The fault is SQLite's own: every write connection the ledger opens is made
read-only (``PRAGMA query_only``), so each write and each reservation fails in SQLite with
``attempt to write a readonly database``, as on a file system remounted read-only; a full disk
(``database or disk is full``) takes the same path (the real-tmpfs variant, root only, is below).

Before, with ``on_ledger_error: open`` (the default), a reservation that could not be written let
the call through unheld and unchecked: the process knew its spend (the records waiting in memory
are counted by ``spend()``), yet 40 calls of $0.0204 were all sent against a $0.50 limit ($0.816).
Now a call the ledger cannot hold is checked against what the ledger can still read plus this
process's calls let through meanwhile, and refused (recorded) when it does not fit.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_openai import ChatOpenAI

from langchain_router import RoutedChatModel
from shared_core.errors import BudgetExceededError
from shared_core.ledger import SQLiteLedger
from shared_core.ledger.sqlite_connection import SQLiteConnection
from tests.fake_openai_server import FakeOpenAIServer

LONG = "word " * 400  # cut to max_tokens: each answer is billed 50 output tokens
COST = (11 * 100 + 50 * 400) / 1e6  # $0.0211 at most (reserved), ~$0.0204 billed
LIMIT = 0.50


def _config(on_error: str = "open") -> dict[str, Any]:
    return {
        "tiers": [{"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 50,
                   "input_price": 100.0, "output_price": 400.0}],
        "classifier": {"type": "rules"},
        "budget": {"limits": [{"scope": "global", "period": "day", "limit_usd": LIMIT}],
                   "on_ledger_error": on_error},
    }


def _model(server: FakeOpenAIServer, ledger: Any, on_error: str = "open") -> RoutedChatModel:
    inner = ChatOpenAI(  # an async client of its own: asyncio.run's loop is this test's
        model="gpt-4o-mini", base_url=server.base_url, api_key="sk-test", max_retries=0,
        http_async_client=httpx.AsyncClient(),
    )
    return RoutedChatModel(tiers={"cheap": inner}, config=_config(on_error), ledger=ledger)


def _calls(model: RoutedChatModel, n: int, tag: str, *, on_loop: bool = False) -> tuple[int, int]:
    """``n`` calls one after another (``on_loop``: ``ainvoke`` on one event loop); (sent, refused)."""
    outcomes: list[bool] = []

    async def acalls() -> None:
        for i in range(n):
            try:
                await model.ainvoke(f"{tag} question {i}")
                outcomes.append(True)
            except BudgetExceededError:
                outcomes.append(False)

    if on_loop:
        asyncio.run(acalls())
    else:
        for i in range(n):
            try:
                model.invoke(f"{tag} question {i}")
                outcomes.append(True)
            except BudgetExceededError:
                outcomes.append(False)
    return outcomes.count(True), outcomes.count(False)


def _stored(path: Path) -> tuple[dict[str, int], int, float]:
    with sqlite3.connect(path) as conn:
        by_status = dict(conn.execute("SELECT status, COUNT(*) FROM calls GROUP BY status").fetchall())
        dups = conn.execute(
            "SELECT COUNT(*) FROM (SELECT call_id, attempt FROM calls GROUP BY 1, 2 HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        spent = conn.execute("SELECT TOTAL(cost_usd) FROM calls").fetchone()[0]
    return by_status, dups, spent


@pytest.fixture
def read_only_writes(monkeypatch: pytest.MonkeyPatch) -> Any:
    """While on, every write connection a SQLite ledger opens refuses writes (SQLite's own error)."""
    state = {"on": False}
    real = SQLiteConnection._connect

    def connect(self: Any, write: bool = False) -> sqlite3.Connection:
        conn = real(self, write)
        conn.execute(f"PRAGMA query_only = {1 if write and state['on'] else 0}")
        return conn

    monkeypatch.setattr(SQLiteConnection, "_connect", connect)

    def switch(ledger: SQLiteLedger, on: bool) -> None:
        state["on"] = on
        ledger._drop_connection(write=True)  # the next write opens a connection with the fault

    return switch


@pytest.mark.parametrize("on_loop", [False, True], ids=["invoke", "ainvoke"])
def test_a_ledger_that_cannot_be_written_still_keeps_the_hard_limit(
    openai_server: FakeOpenAIServer, tmp_path: Path, read_only_writes: Any, on_loop: bool
) -> None:
    openai_server.script(None, LONG)
    path = tmp_path / "costs.sqlite"
    ledger = SQLiteLedger(path)
    model = _model(openai_server, ledger)
    assert _calls(model, 5, "before") == (5, 0)

    read_only_writes(ledger, True)
    ok, refused = _calls(model, 40, "during", on_loop=on_loop)
    served = len(openai_server.chat_requests)
    spent = ledger.spend("global", 0)
    assert spent <= LIMIT, f"{served} calls sent, ${spent:.4f} spent against a ${LIMIT} limit"
    assert served * COST <= LIMIT + COST  # at most the calls that fit were sent
    assert refused > 0 and ok + 5 == served

    read_only_writes(ledger, False)
    ledger._retry_at = ledger._hold_retry_at = 0.0  # (no 2 s back-off wait in a test)
    assert ledger.flush() == 0
    by_status, dups, stored_spend = _stored(path)
    assert by_status == {"ok": served, "refused": refused}  # every call once, none lost
    assert dups == 0
    assert stored_spend == pytest.approx(spent)
    ledger.close()


def test_closed_still_refuses_every_call_it_cannot_hold(
    openai_server: FakeOpenAIServer, tmp_path: Path, read_only_writes: Any
) -> None:
    """``on_ledger_error: closed`` is unchanged: nothing is sent while no hold can be written."""
    openai_server.script(None, LONG)
    ledger = SQLiteLedger(tmp_path / "costs.sqlite")
    model = _model(openai_server, ledger, "closed")
    read_only_writes(ledger, True)
    assert _calls(model, 5, "during") == (0, 5)
    assert openai_server.chat_requests == []
    ledger.close()


def _mount_tmpfs(where: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs")
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def _fill(folder: Path) -> None:
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


def test_a_full_disk_keeps_the_hard_limit_and_loses_nothing(
    openai_server: FakeOpenAIServer, tmp_path: Path
) -> None:
    """The same on a real full disk (a 2 MB tmpfs filled up mid-run; root only)."""
    folder = tmp_path / "small"
    _mount_tmpfs(folder, "2m")
    try:
        openai_server.script(None, LONG)
        ledger = SQLiteLedger(folder / "costs.sqlite")
        model = _model(openai_server, ledger)
        assert _calls(model, 5, "before") == (5, 0)
        _fill(folder)
        ok, refused = _calls(model, 40, "during")
        served = len(openai_server.chat_requests)
        assert ledger.spend("global", 0) <= LIMIT
        assert refused > 0 and ok + 5 == served
        (folder / "filler").unlink()
        ledger._retry_at = ledger._hold_retry_at = 0.0
        assert ledger.flush() == 0
        by_status, dups, _ = _stored(folder / "costs.sqlite")
        assert by_status == {"ok": served, "refused": refused} and dups == 0
        ledger.close()
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_ledger_folder_removed_mid_run_warns_once_not_twice_a_call(
    openai_server: FakeOpenAIServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The ledger's folder removed under a running service: every call read the file twice (the
    budget's pressure, its spend) and each read logged a WARNING, 61 of them for 30 calls. One
    now says the reads fail, until a read succeeds again; the calls are still recorded."""
    import shutil

    openai_server.script(None, LONG)
    folder = tmp_path / "led"
    ledger = SQLiteLedger(folder / "costs.sqlite")
    model = _model(openai_server, ledger)
    assert _calls(model, 3, "before") == (3, 0)
    shutil.rmtree(folder)
    with caplog.at_level(logging.WARNING):
        ok, refused = _calls(model, 30, "after")
    reads = [r for r in caplog.records if "read failed" in r.getMessage()]
    assert len(reads) == 1, [r.getMessage() for r in reads]
    assert ok + refused == 30 and ledger.count() == 30  # kept in memory, none lost
    folder.mkdir()
    assert ledger.flush() == 0 or (ledger._retry_at and ledger.flush() == 0)
    ledger.close()


def test_llamaindex_keeps_the_hard_limit_on_a_ledger_that_cannot_be_written(
    openai_server: FakeOpenAIServer, tmp_path: Path, read_only_writes: Any
) -> None:
    """The same rule behind ``RoutedLLM`` (LlamaIndex's ``OpenAI`` at the loopback server)."""
    from llama_index.core.base.llms.types import ChatMessage
    from llama_index.llms.openai import OpenAI

    from llamaindex_router import RoutedLLM

    openai_server.script(None, LONG)
    ledger = SQLiteLedger(tmp_path / "costs.sqlite")
    inner = OpenAI(model="gpt-4o-mini", api_base=openai_server.base_url, api_key="sk-test", max_retries=0)
    llm = RoutedLLM(tiers={"cheap": inner}, config=_config(), ledger=ledger)
    read_only_writes(ledger, True)
    ok = refused = 0
    for i in range(40):
        try:
            llm.chat([ChatMessage(role="user", content=f"question {i}")])
            ok += 1
        except BudgetExceededError:
            refused += 1
    assert ledger.spend("global", 0) <= LIMIT
    assert len(openai_server.chat_requests) == ok and refused > 0
    read_only_writes(ledger, False)
    ledger._retry_at = ledger._hold_retry_at = 0.0
    assert ledger.flush() == 0
    assert _stored(tmp_path / "costs.sqlite")[:2] == ({"ok": ok, "refused": refused}, 0)
    ledger.close()
