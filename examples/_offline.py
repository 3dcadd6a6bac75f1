"""What every framework example shares: the loopback fake OpenAI server, or the real API.

Offline (the default) means no real LLM and no network: the OpenAI clients talk to
``tests/fake_openai_server.py`` on 127.0.0.1. Importing this module also puts the
repository root on ``sys.path``, so the examples run from a clone without installing::

    python examples/langchain_chain.py
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a clone without installing

if TYPE_CHECKING:
    from tests.fake_openai_server import FakeOpenAIServer


def live_from_env() -> bool:
    """Call the real OpenAI API: ``OPENAI_API_KEY`` is set and ``TIER_ROUTER_OFFLINE`` is not."""
    return bool(os.environ.get("OPENAI_API_KEY")) and not os.environ.get("TIER_ROUTER_OFFLINE")


@contextlib.contextmanager
def fake_openai(live: bool) -> Iterator[FakeOpenAIServer | None]:
    """The running loopback server (script it before the first call), ``None`` when ``live``."""
    if live:
        yield None
        return
    from tests.fake_openai_server import FakeOpenAIServer

    with FakeOpenAIServer() as server:
        yield server


def langchain_kwargs(server: FakeOpenAIServer | None) -> dict[str, Any]:
    """Keyword arguments for ``langchain_openai.ChatOpenAI`` (none for the real API)."""
    if server is None:
        return {}
    return {"base_url": server.base_url, "api_key": "sk-offline"}


def llamaindex_kwargs(server: FakeOpenAIServer | None) -> dict[str, Any]:
    """Keyword arguments for LlamaIndex's ``OpenAI`` LLM (none for the real API)."""
    if server is None:
        return {}
    return {"api_base": server.base_url, "api_key": "sk-offline", "max_retries": 0}
