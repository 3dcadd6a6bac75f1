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


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_offline(script: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env["TIER_ROUTER_OFFLINE"] = "1"
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"{script.name} failed:\n{proc.stdout}\n{proc.stderr}"
    assert "Reply from" in proc.stdout or "route=" in proc.stdout
