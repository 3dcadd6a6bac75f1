"""Integration fixtures: the loopback OpenAI-compatible server (``tests/fake_openai_server.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_openai_server import FakeOpenAIServer


@pytest.fixture(scope="session")
def _openai_server_session() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as server:
        yield server


@pytest.fixture
def openai_server(_openai_server_session: FakeOpenAIServer) -> Iterator[FakeOpenAIServer]:
    """A running fake OpenAI server with no rules and no recorded requests.

    ``openai_server.base_url`` is ``http://127.0.0.1:<port>/v1``.
    """
    _openai_server_session.reset()
    yield _openai_server_session
    _openai_server_session.reset()
