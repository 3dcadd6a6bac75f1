"""A caller's cost handler on another spelling of the router's PostgreSQL database records once.

``RunnableRouter`` leaves a routed call's records to a caller's ``CostCallbackHandler`` that
writes to its ledger's store (``CostLedger.identity``). For PostgreSQL the identity was the
parameters as written, so ``postgresql://u@127.0.0.1:P/db`` and ``host=localhost port=P
dbname=db user=u application_name=...`` (one database) were two stores: the router added its
own recorder and every call was written twice, through both ledger objects (the table's key
``(call_id, attempt)`` then kept the first row to arrive: the caller's or the router's, each
priced by its own handler). Now the spellings are normalised
(``shared_core.ledger.pg_identity``): the call is written once, by the caller's handler.

Real ``ChatOpenAI`` against the loopback server, a real PostgreSQL server (the project's
fixtures; skipped when none can be started).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from langchain_router import CostCallbackHandler, RunnableRouter
from tests.fake_openai_server import FakeOpenAIServer
from tests.integration.test_runnable_router_records import _chain, _config, _model

psycopg = pytest.importorskip("psycopg")

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]


def _spellings(url: str) -> list[str]:
    """Other spellings of the database ``url`` names (the fixture's ``postgresql://`` URL
    on 127.0.0.1)."""
    from psycopg.conninfo import conninfo_to_dict

    p = conninfo_to_dict(url)
    return [
        f"host=localhost port={p['port']} dbname={p['dbname']} user={p['user']} "
        "application_name=caller connect_timeout=5 sslmode=disable",
        f"postgres://{p['user']}@LOCALHOST:{p['port']}/{p['dbname']}?application_name=other",
    ]


def _counted(record: Any, name: str, written: list[str]) -> Any:
    def counted(rec: Any) -> None:
        written.append(name)
        record(rec)

    return counted


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
@pytest.mark.parametrize("spelling", [0, 1])
def test_the_callers_handler_on_another_spelling_of_the_database_records_each_call_once(
    openai_server: FakeOpenAIServer, pg_url: str, spelling: int, mode: str
) -> None:
    from shared_core.ledger import PostgresLedger

    openai_server.script(None, "word " * 6)
    router_ledger = PostgresLedger(pg_url)
    handler = CostCallbackHandler(PostgresLedger(_spellings(pg_url)[spelling]))
    written: list[str] = []
    for name, ledger in (("router", router_ledger), ("caller", handler.ledger)):
        ledger.record = _counted(ledger.record, name, written)  # type: ignore[method-assign]
    rr = RunnableRouter({"only": _chain(_model(openai_server))}, config=_config(), ledger=router_ledger)
    config: Any = {"callbacks": [handler]}
    if mode == "invoke":
        for i in range(2):
            rr.invoke({"input": f"question {i}"}, config=config)
    else:
        async def calls() -> None:
            for i in range(2):
                await rr.ainvoke({"input": f"question {i}"}, config=config)

        asyncio.run(calls())
    assert router_ledger.flush() == 0 and handler.ledger.flush() == 0
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT status, count(*) FROM tier_router_calls GROUP BY status").fetchall()
    assert len(openai_server.chat_requests) == 2
    assert written == ["caller", "caller"], f"2 calls served, records written through {written}"
    assert dict(rows) == {"ok": 2}
    router_ledger.close()
    handler.ledger.close()
