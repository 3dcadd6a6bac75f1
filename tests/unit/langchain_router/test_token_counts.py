"""``get_num_tokens`` works on a bare install (no ``transformers``, no tokenizer download)."""

from __future__ import annotations

import sys

from langchain_core.messages import HumanMessage, SystemMessage

from langchain_router import RoutedChatModel
from tests.unit.langchain_router.conftest import EchoChat


def _model(**kw) -> RoutedChatModel:
    return RoutedChatModel(tiers={"simple": EchoChat(), "complex": EchoChat()}, **kw)


def test_token_counts_need_no_transformers(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if not installed
    llm = _model()
    assert llm.get_num_tokens("What is the capital of France?") == 8  # 30 characters / 4, up
    msgs = [SystemMessage("Be brief."), HumanMessage("What is the capital of France?")]
    # LangChain counts "System: Be brief." (17 chars -> 5) and "Human: What is ..." (37 -> 10)
    assert llm.get_num_tokens_from_messages(msgs) == 15


def test_a_custom_token_counter_wins():
    llm = _model(custom_get_token_ids=lambda text: list(range(len(text.split()))))
    assert llm.get_num_tokens("What is the capital of France?") == 6
