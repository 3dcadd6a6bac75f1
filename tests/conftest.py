"""Shared fixtures: the benchmark data folder (skips when absent) and small helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("TIER_ROUTER_DATA", ROOT.parent / "shared" / "data"))


def shared_data_available() -> bool:
    return (SHARED_DATA / "routellm_dev.jsonl").exists()


@pytest.fixture
def shared_data_dir() -> Path:
    """``../shared/data``; tests using it skip with a reason when it is not beside the clone."""
    if not shared_data_available():
        pytest.skip(f"benchmark data not found at {SHARED_DATA} (set TIER_ROUTER_DATA)")
    return SHARED_DATA


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(autouse=True)
def _no_config_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's ``$TIER_ROUTER_CONFIG`` must not change what the tests route on."""
    monkeypatch.delenv("TIER_ROUTER_CONFIG", raising=False)
