"""The command line under ``budget.per_request_cap_usd`` over tiers with no ``max_tokens``.

A bare :class:`Router` on such a config logs a WARNING when it is built: its own calls there
have no known worst case and are refused under the cap. The commands that only decide
(``route``, ``simulate``, ``demo``, ``calibrate``; ``eval`` builds no Router) call nothing, so
that WARNING was noise there (``demo`` printed it twice). ``demo --calls`` does call (the
simulated models): it printed the WARNING, then refused every one of its 300 calls at run
time. It now fails at once, before deciding anything, with the adapters' ConfigError, as the
CLI's other config errors do (one line on stderr, exit code 2).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import yaml

from shared_core.cli.main import main
from shared_core.ledger import SQLiteLedger

from ._training_fakes import MODELS, make_rows

CAP = {"per_request_cap_usd": 0.01}
TIERS = [{"name": "simple", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]
FAKE = {"type": "fake", "options": {"rules": {"hello": "simple"}, "default": "strong"}}


def _config(tmp_path: Path, tiers: list[dict] = TIERS, **extra: object) -> Path:
    cfg = tmp_path / "cap.yaml"
    cfg.write_text(yaml.safe_dump({"tiers": tiers, "classifier": FAKE, "budget": CAP, **extra}))
    return cfg


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.fixture
def workload(tmp_path: Path) -> Path:
    path = tmp_path / "w.jsonl"
    path.write_text("".join(
        json.dumps({"id": str(i), "kind": "k", "prompt": p}) + "\n"
        for i, p in enumerate(["hello there", "prove it", "hello again", "explain it all"])
    ))
    return path


def test_route_and_simulate_decide_without_a_spending_warning(
    tmp_path: Path, workload: Path, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cfg = _config(tmp_path)
    caplog.set_level(logging.WARNING)
    assert main(["route", "--json", "-c", str(cfg), "hello", "prove it"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["tier"] for r in rows] == ["simple", "strong"]
    assert main(["simulate", str(workload), "-c", str(cfg)]) == 0
    assert "savings" in capsys.readouterr().out
    assert _warnings(caplog) == []


def test_demo_decides_without_a_spending_warning(
    tmp_path: Path, workload: Path, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    argv = ["demo", "-c", str(_config(tmp_path)), "--workload", str(workload), "--output",
            str(tmp_path / "out")]
    assert main(argv) == 0
    capsys.readouterr()
    assert _warnings(caplog) == []  # was the cap's WARNING (twice with --calls)


def test_demo_calls_fail_at_once_with_the_adapters_config_error(
    tmp_path: Path, workload: Path, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    out = tmp_path / "out"
    argv = ["demo", "--calls", "-c", str(_config(tmp_path)), "--workload", str(workload),
            "--output", str(out)]
    assert main(argv) == 2  # was 0, with every call refused
    std = capsys.readouterr()
    [line] = std.err.strip().splitlines()
    assert line.startswith("tier-router: error: budget.per_request_cap_usd is $0.010000, but ")
    assert "tier 'simple' (gpt-4o-mini), tier 'strong' (gpt-4o) have no max_tokens" in line
    assert "set max_tokens on the tier" in line and "max_tokens=...)" not in line
    assert "decision" not in std.out.lower()  # failed before deciding: nothing routed
    assert not out.exists()  # nothing written, no ledger replaced
    assert _warnings(caplog) == []


def test_demo_calls_run_once_the_tiers_are_bounded(
    tmp_path: Path, workload: Path, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With max_tokens on the tiers the calls are sent (none refused), and no WARNING."""
    caplog.set_level(logging.WARNING)
    tiers = [{**t, "max_tokens": 256} for t in TIERS]
    out = tmp_path / "out"
    argv = ["demo", "--calls", "-c", str(_config(tmp_path, tiers)), "--workload", str(workload),
            "--output", str(out), "--output-tokens", "50"]
    assert main(argv) == 0
    capsys.readouterr()
    with SQLiteLedger(out / "ledger.db") as ledger:
        s = ledger.summary()
    assert s.calls == 4 and s.refused_calls == 0 and s.sent_calls == 4
    assert _warnings(caplog) == []


def test_demo_calls_warn_once_about_a_tier_the_cap_refuses(
    tmp_path: Path, workload: Path, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A spending path keeps the build WARNINGs that concern its calls, once (the decide-only
    router the demo builds first gives none)."""
    caplog.set_level(logging.WARNING)
    tiers = [{**TIERS[0], "max_tokens": 256}, {**TIERS[1], "max_tokens": 100_000}]
    argv = ["demo", "--calls", "-c", str(_config(tmp_path, tiers)), "--workload", str(workload),
            "--output", str(tmp_path / "out"), "--output-tokens", "50"]
    assert main(argv) == 0
    capsys.readouterr()
    [warned] = _warnings(caplog)
    assert "tier 'strong' may write up to" in warned


def test_calibrate_scores_a_capped_config_without_a_spending_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    rows = make_rows(40, MODELS, 0)
    data, models = tmp_path / "dev.jsonl", tmp_path / "models.json"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    models.write_text(json.dumps(MODELS))
    tiers = [{"name": n, "model": m, "input_price": 1.0, "output_price": 2.0}
             for n, m in (("s", "small"), ("m", "medium"), ("l", "large"))]
    cfg = tmp_path / "rules.yaml"
    cfg.write_text(yaml.safe_dump({"tiers": tiers, "classifier": {"type": "rules"}, "budget": CAP}))
    caplog.set_level(logging.WARNING)
    code = main(["calibrate", "--data", str(data), "--models", str(models), "--max-strong-share",
                 "0.3", "--no-margin", "--config", str(cfg), "--output", str(tmp_path / "o.yaml")])
    assert code in (0, 1), capsys.readouterr().err
    assert _warnings(caplog) == []


def test_demo_calls_run_on_the_config_the_demo_decided_with(
    tmp_path: Path, workload: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no --config the demo decides on ``$TIER_ROUTER_CONFIG``'s config; its calls ran on
    the bundled 4-tier one (a ledger of tiers the decisions never named)."""
    tiers = [{"name": "lo", "model": "gpt-4o-mini", "max_tokens": 256},
             {"name": "hi", "model": "gpt-4o", "max_tokens": 256}]
    monkeypatch.setenv("TIER_ROUTER_CONFIG", str(_config(tmp_path, tiers)))
    out = tmp_path / "out"
    argv = ["demo", "--calls", "--workload", str(workload), "--output", str(out)]
    assert main(argv) == 0
    capsys.readouterr()
    with SQLiteLedger(out / "ledger.db") as ledger:
        assert set(ledger.summary().by_tier) <= {"lo", "hi"}
