"""The LlamaIndex examples run offline and show what they promise."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


TESTED = {"llamaindex_query_engine", "llamaindex_agent"}


def test_every_llamaindex_example_has_a_test_here() -> None:
    """A new ``llamaindex_*.py`` example fails here until a test below runs it."""
    assert {p.stem for p in EXAMPLES.glob("llamaindex_*.py")} == TESTED


def test_query_engine_example(capsys) -> None:
    assert _load("llamaindex_query_engine").main([]) == 0
    out = capsys.readouterr().out
    tiers = re.findall(r"^\[\s*(\w+)\]", out, re.M)
    assert tiers == ["cheap", "cheap", "strong", "stream"]
    assert "(tier cheap)" in out
    spent, baseline = map(
        float, re.search(r"\$([\d.]+) spent, \$([\d.]+) on the baseline", out).groups()
    )
    assert 0 < spent < baseline


def test_agent_example(capsys) -> None:
    assert _load("llamaindex_agent").main([]) == 0
    out = capsys.readouterr().out
    assert "-> 12 + 30 = 42." in out
    assert "LLM calls on: cheap, cheap " in out
    assert "LLM calls on: strong, strong, strong " in out
