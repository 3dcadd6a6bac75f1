"""Every example runs offline; the core ones are run here, the adapter ones beside their tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).resolve().parents[1]
CORE_EXAMPLES = ["core_quickstart.py"]


def test_every_example_is_run_by_some_test():
    """A new example without a test fails here instead of rotting."""
    this = Path(__file__).resolve()  # its own patterns below must not count as coverage
    test_text = "\n".join(
        p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py") if p.resolve() != this
    )
    for script in sorted((ROOT / "examples").rglob("*.py")):
        name = script.name
        if name.startswith("_"):
            continue  # a helper the examples import (examples/_offline.py), run with them
        covered = (
            name in CORE_EXAMPLES
            or name in test_text
            or (name.startswith("langchain_") and "langchain_*.py" in test_text)
            or (name.startswith("llamaindex_") and "llamaindex_*.py" in test_text)
        )
        assert covered, f"{script.relative_to(ROOT)} is not run by any test"


@pytest.mark.parametrize("name", CORE_EXAMPLES)
def test_core_example_runs_offline(name: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / name)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "answered by complex after 3 attempts" in proc.stdout
