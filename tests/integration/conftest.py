"""Integration fixtures: the loopback OpenAI-compatible server (``tests/fake_openai_server.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_tests.conftest import CustomPersister, CustomSerializer, base_vcr_config
from vcr import VCR

from tests.fake_openai_server import FakeOpenAIServer

CASSETTES = Path(__file__).parent / "cassettes"


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    """VCR for the standard suite's recorded tests (``test_stream_time``).

    The cassettes were recorded against the loopback server (no real provider), whose port
    changes per run: requests match on method, path and body, not the full URI.
    """
    config = base_vcr_config()
    config["cassette_library_dir"] = str(CASSETTES)
    config["match_on"] = ["method", "path", "body"]
    config["serializer"] = "yaml.gz"  # LangChain's safe (yaml.safe_load) gzip serializer
    config["path_transformer"] = VCR.ensure_suffix(".yaml.gz")
    config["before_record_response"] = _without_headers
    return config


def _without_headers(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {}
    return response


def pytest_recording_configure(config: Any, vcr: VCR) -> None:
    vcr.register_serializer("yaml.gz", CustomSerializer())
    vcr.register_persister(CustomPersister())


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


@pytest.fixture
def docs_env(
    openai_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[FakeOpenAIServer]:
    """What a documentation block runs in: OpenAI clients built with no arguments reach the
    loopback server (``OPENAI_BASE_URL`` for the OpenAI SDK and LangChain, ``OPENAI_API_BASE``
    for llama-index), files land in a temporary folder, and llama-index's global
    ``Settings.llm`` is restored afterwards."""
    from llama_index.core import Settings

    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_BASE", openai_server.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-docs")
    monkeypatch.chdir(tmp_path)
    saved = Settings._llm
    try:
        yield openai_server
    finally:
        Settings._llm = saved
