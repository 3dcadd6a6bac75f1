"""``CostCallbackHandler(ledger=...)`` takes what every other ``ledger=`` takes: a path or URL too.

A path string was kept as it was: every call then failed inside the callback
(``'str' object has no attribute 'record'``), LangChain logged it and went on, and the spend
was lost while the answer came back (a new user's trial, 2026-12-05).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_openai import ChatOpenAI

from langchain_router import CostCallbackHandler
from shared_core.errors import ConfigError
from shared_core.ledger import SQLiteLedger


@pytest.mark.parametrize("spell", ["path", "str", "url"])
def test_a_handler_given_a_ledger_path_records_into_that_file(openai_server, tmp_path: Path, spell: str) -> None:
    db = tmp_path / "costs.sqlite"
    spellings: dict[str, str | Path] = {"path": db, "str": str(db), "url": f"sqlite:///{db}"}
    target = spellings[spell]
    handler = CostCallbackHandler(ledger=target, baseline_model="gpt-4o")
    model = ChatOpenAI(model="gpt-4o-mini", base_url=openai_server.base_url, api_key="sk-test")  # type: ignore[arg-type]
    model.invoke("hi", config={"callbacks": [handler]})
    assert handler.calls == 1 and handler.total_cost_usd > 0
    handler.ledger.flush()
    with SQLiteLedger(db) as ledger:
        records = ledger.records()
    assert [(r.status, r.model) for r in records] == [("ok", "gpt-4o-mini")]
    assert records[0].cost_usd == pytest.approx(handler.total_cost_usd)


def test_a_handler_given_no_ledger_it_can_use_fails_when_built() -> None:
    with pytest.raises(ConfigError):
        CostCallbackHandler(ledger=42)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        CostCallbackHandler(ledger="ftp://somewhere/costs")
