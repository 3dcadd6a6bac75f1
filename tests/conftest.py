"""Shared fixtures: the benchmark data folder (skips when absent) and small helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# `make mutation` runs the tests with `--hypothesis-profile=mutation`: mutmut's trampolines slow
# every call down, so wall-clock deadlines would fail clean code; examples are derandomized so a
# mutant is judged by the same inputs each time.
settings.register_profile("mutation", deadline=None, derandomize=True, max_examples=50)

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


@pytest.fixture(autouse=True)
def _router_logs_reach_caplog() -> None:
    """Every test sees the router's log records: a library or test that configures logging
    (``dictConfig`` disables existing loggers) left ``tier_router`` disabled for later tests,
    whose ``caplog`` then saw no WARNING (CI: the hold keeper's once-only warning, 0 of 1)."""
    import logging

    log = logging.getLogger("tier_router")
    log.disabled = False
    log.setLevel(logging.NOTSET)


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server for the PostgresLedger tests; skipped with the reason when none
    can be started, except under CI=true, where they must run."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("psycopg is not installed: the postgres extra is missing from the CI install")
        pytest.skip("psycopg not installed (pip install 'tier-router[postgres]')")
    from . import pg_server as pg

    try:
        server = pg.start()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests, but no server could be started: {exc}")
        pytest.skip(f"no PostgreSQL server could be started: {exc}")
    yield server
    pg.remove(server)


@pytest.fixture
def pg_url(pg_server) -> str:
    """The URL of a fresh, empty database on the test server."""
    from . import pg_server as pg

    return pg.fresh_database(pg_server.url)
