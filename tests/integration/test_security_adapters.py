"""API keys never reach ledger records, logs, exceptions or reprs through either adapter."""

from __future__ import annotations

import logging

import openai
import pytest
from langchain_openai import ChatOpenAI
from llama_index.llms.openai import OpenAI

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core import AllTiersFailedError
from shared_core.ledger import InMemoryLedger

KEY = "sk-test-SECRETSECRETSECRET0123456789"
CFG = {
    "tiers": [
        {"name": "cheap", "model": "gpt-4o-mini"},
        {"name": "strong", "model": "gpt-4o"},
    ],
    "classifier": {"type": "rules"},
}


def _no_key(*texts: str) -> None:
    for t in texts:
        assert KEY not in t and "SECRETSECRET" not in t, t[:500]


def _ledger_text(ledger: InMemoryLedger) -> str:
    return "\n".join(r.to_json() for r in ledger.records())


def test_langchain_keys_stay_out_of_reprs_errors_ledger_and_logs(openai_server, caplog):
    ledger = InMemoryLedger()
    llm = RoutedChatModel(
        tiers={
            t: ChatOpenAI(model=m, base_url=openai_server.base_url, api_key=KEY, max_retries=0)
            for t, m in (("cheap", "gpt-4o-mini"), ("strong", "gpt-4o"))
        },
        config=CFG,
        ledger=ledger,
    )
    caplog.set_level(logging.DEBUG)
    msg = llm.invoke("hello")
    _no_key(repr(llm), str(llm), repr(msg), str(msg.response_metadata))
    openai_server.fail(status=500, message=f"upstream said key={KEY}", times=4)
    with pytest.raises(AllTiersFailedError) as err:
        llm.invoke("hello again")
    assert [e.kind for e in err.value.errors] == ["server", "server"]
    _no_key(str(err.value), repr(err.value), _ledger_text(ledger), caplog.text)


def test_langchain_a_401_is_not_retried_and_its_key_stays_out_of_the_ledger_and_logs(
    openai_server, caplog
):
    """A 401 is the caller's own fault: the provider's ``AuthenticationError`` is raised with
    its own type (so ``except openai.AuthenticationError`` still works) but its message
    scrubbed of the key the provider echoed; the ledger record and logs hold no key either."""
    ledger = InMemoryLedger()
    llm = RoutedChatModel(
        tiers={
            t: ChatOpenAI(model=m, base_url=openai_server.base_url, api_key=KEY, max_retries=0)
            for t, m in (("cheap", "gpt-4o-mini"), ("strong", "gpt-4o"))
        },
        config=CFG,
        ledger=ledger,
    )
    caplog.set_level(logging.DEBUG)
    openai_server.fail(status=401, message=f"Incorrect API key provided: {KEY}", times=2)
    with pytest.raises(openai.AuthenticationError) as auth:
        llm.invoke("hello again")
    # the provider's error reaches the caller with its type, its message scrubbed
    _no_key(str(auth.value), repr(auth.value), str(auth.value.body), auth.value.message)
    assert len(openai_server.chat_requests) == 1, "a 401 is not retried on another tier"
    [rec] = ledger.records()
    assert (rec.status, rec.error_kind) == ("failed", "other")
    _no_key(_ledger_text(ledger), caplog.text)


@pytest.mark.parametrize(
    "secret",
    [
        "0123456789abcdef0123456789abcdef",  # a bare hex key (Azure, Mistral ...)
        "Zk3qL9vX2mP8rT5wY1aB4cD7eF0gH6jK",  # a bare base64-like key
        "gsk_SECRETSECRETSECRET0123456789",  # provider-prefixed (Groq)
    ],
    ids=["hex", "base64", "prefixed"],
)
def test_keys_echoed_in_provider_errors_are_redacted_by_pattern(openai_server, secret):
    ledger = InMemoryLedger()
    llm = RoutedChatModel(
        tiers={
            t: ChatOpenAI(model=m, base_url=openai_server.base_url, api_key=secret, max_retries=0)
            for t, m in (("cheap", "gpt-4o-mini"), ("strong", "gpt-4o"))
        },
        config=CFG,
        ledger=ledger,
    )
    openai_server.fail(status=500, message=f"bad upstream credentials {secret}", times=2)
    with pytest.raises(AllTiersFailedError) as err:
        llm.invoke("hello")
    text = str(err.value) + repr(err.value) + _ledger_text(ledger)
    assert secret not in text
    assert text.count("***") >= 2
    assert [r.error_kind for r in ledger.records()] == ["server", "server"]


def test_llamaindex_keys_stay_out_of_reprs_errors_ledger_and_logs(openai_server, caplog):
    from llama_index.core.llms import ChatMessage

    ledger = InMemoryLedger()
    llm = RoutedLLM(
        tiers={
            t: OpenAI(model=m, api_base=openai_server.base_url, api_key=KEY, max_retries=0)
            for t, m in (("cheap", "gpt-4o-mini"), ("strong", "gpt-4o"))
        },
        config=CFG,
        ledger=ledger,
    )
    caplog.set_level(logging.DEBUG)
    resp = llm.chat([ChatMessage(role="user", content="hello")])
    # (llama-index's own OpenAI repr shows its key; the router's repr must not)
    _no_key(repr(llm), str(llm), repr(resp.additional_kwargs), str(resp))
    openai_server.fail(status=500, message=f"upstream said key={KEY}", times=4)
    with pytest.raises(AllTiersFailedError) as err:
        llm.chat([ChatMessage(role="user", content="hello again")])
    _no_key(str(err.value), repr(err.value), _ledger_text(ledger), caplog.text)
