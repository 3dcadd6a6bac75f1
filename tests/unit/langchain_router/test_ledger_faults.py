"""What the LangChain adapter writes to a ledger when callers or providers misbehave: nothing is
lost and every record says what happened."""

from __future__ import annotations

import json
from typing import Any

from langchain_router import RoutedChatModel
from shared_core.ledger import SQLiteLedger

from .conftest import tier_config


def test_a_user_id_with_a_lone_surrogate_does_not_hold_back_later_records(
    two_tiers: Any, fake_classifier: Any, tmp_path
) -> None:
    path = tmp_path / "costs.sqlite"
    llm = RoutedChatModel(tiers=two_tiers, config=tier_config(), classifier=fake_classifier, ledger=str(path))
    mallory = json.loads('"mallory\\ud800"')  # as a JSON request body can carry it
    llm.invoke("hi", config={"metadata": {"user": mallory}})
    for who in ("alice", "bob", "carol"):
        llm.invoke("hi", config={"metadata": {"user": who}})
    assert llm.router.ledger.pending == 0
    other = SQLiteLedger(str(path))  # another worker, or `tier-router stats`
    assert [r.user for r in other.records()] == ["mallory\\ud800", "alice", "bob", "carol"]
    assert other.spend("global", 0) > 0
