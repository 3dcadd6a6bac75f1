"""Every LangChain example runs offline and finishes cleanly (their own asserts check results)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("langchain_*.py"))

pytestmark = pytest.mark.integration


def test_examples_are_found() -> None:
    assert {p.name for p in EXAMPLES} >= {
        "langchain_chain.py",
        "langchain_agent.py",
        "langchain_task_routes.py",
    }


def run_example(script: Path, env: dict[str, str]) -> str:
    """Run one example as a user would; its own asserts check its results. Its stdout."""
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_offline(script: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env["TIER_ROUTER_OFFLINE"] = "1"
    out = run_example(script, env)
    # the offline server's answers, or (task routes) one line per routed request
    marker = "route=" if script.name == "langchain_task_routes.py" else "Reply from"
    assert marker in out


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_live_variant(script: Path) -> None:
    """With ``OPENAI_API_KEY`` set an example takes its real-provider path: plain
    ``ChatOpenAI`` from the environment. Here the environment points the OpenAI client at a
    loopback server (``OPENAI_BASE_URL``), which is how a real run would reach the API."""
    from tests.fake_openai_server import FakeOpenAIServer

    with FakeOpenAIServer() as server:
        env = {k: v for k, v in os.environ.items() if k != "TIER_ROUTER_OFFLINE"}
        env.update(OPENAI_API_KEY="sk-live-variant", OPENAI_BASE_URL=server.base_url)
        run_example(script, env)
        reqs = server.chat_requests
        assert reqs, "the live variant sent nothing to the endpoint the environment names"
        assert {r.headers.get("authorization") for r in reqs} == {"Bearer sk-live-variant"}
