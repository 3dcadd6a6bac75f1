"""The ``tier-router`` command: route / simulate / stats / demo, and clean errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from shared_core.cli import main as cli_main
from shared_core.cli.main import main
from shared_core.ledger import CallRecord, SQLiteLedger

ROOT = Path(__file__).resolve().parents[3]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """4 tiers on a fake classifier: deterministic decisions by keyword."""
    data = {
        "tiers": [
            {"name": "simple", "model": "gpt-4o-mini", "max_tokens": 256},
            {"name": "medium", "model": "gpt-4.1-mini", "max_tokens": 512},
            {"name": "complex", "model": "gpt-4o", "max_tokens": 1024},
            {"name": "frontier", "model": "o1", "max_tokens": 2048},
        ],
        "classifier": {
            "type": "fake",
            "options": {
                "rules": {"hello": "simple", "prove": "frontier", "code": "medium"},
                "default": "complex",
            },
        },
        "baseline_model": "o1",
    }
    p = tmp_path / "cfg.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    p = tmp_path / "p.jsonl"
    rows = [
        {"id": "g", "prompt": "hello there", "kind": "greeting"},
        {"id": "m", "messages": [{"role": "user", "content": "prove that 2 is prime"}]},
        {"id": "c", "prompt": "write code for fizzbuzz"},
        {"id": "x", "prompt": "explain the french revolution"},
    ]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    return p


def lines(out: str) -> list[dict]:
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    for cmd in ("route", "simulate", "stats", "demo"):
        assert cmd in out


def test_missing_command_module_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_main, "COMMANDS", ["route", "not_written_yet"])
    parser = cli_main.build_parser()
    assert "route" in parser.format_help() and "not_written_yet" not in parser.format_help()


def test_route_arguments_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "--json", "-c", str(config), "hello", "prove it", "what?"]) == 0
    got = lines(capsys.readouterr().out)
    assert [d["tier"] for d in got] == ["simple", "frontier", "complex"]
    assert [d["id"] for d in got] == ["1", "2", "3"]
    assert got[0]["model"] == "gpt-4o-mini" and "confidence" in got[0] and "scores" in got[0]


def test_route_file_and_table(
    config: Path, prompts: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: a terminal, so the table is drawn
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["route", "-c", str(config), "--file", str(prompts), "--reasons"]) == 0
    out = capsys.readouterr().out
    assert "4 decision(s)" in out
    assert "the classifier loaded first, in" in out
    for tier in ("simple", "frontier", "medium", "complex"):
        assert tier in out


def test_route_reasons_piped_are_plain_lines(
    config: Path, prompts: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not a terminal: one tab-separated line per decision, each reason on its own line."""
    assert main(["route", "-c", str(config), "--file", str(prompts), "--reasons"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [ln.split("\t") for ln in out if not ln.startswith("    ")]
    assert [r[1] for r in rows] == ["simple", "frontier", "medium", "complex"]
    assert all(len(r) == 7 and r[5].endswith(" µs") for r in rows)
    assert out[1] == "    fake: simple"
    assert not any(c in "".join(out) for c in "│┃━─")


def test_route_stdin(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("hello\n\nprove fermat\n"))
    assert main(["route", "--json", "-c", str(config)]) == 0
    assert [d["tier"] for d in lines(capsys.readouterr().out)] == ["simple", "frontier"]


def test_route_stdin_jsonl(
    config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"id": "a", "prompt": "some code"}\n'))
    assert main(["route", "--json", "-c", str(config)]) == 0
    got = lines(capsys.readouterr().out)
    assert got[0]["id"] == "a" and got[0]["tier"] == "medium"


def test_route_without_prompts_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Tty())
    assert main(["route"]) == 2
    assert "no prompts" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"prompt": "ok"}\n{not json}\n', ":2: invalid JSON"),
        ('{"prompt": "ok"}\n{"text": "wrong key"}\n', ":2: each row needs 'prompt'"),
        ('["a list"]\n', ":1: expected an object"),
        ("\n\n", "no prompts found"),
        ('{"prompt": 5}\n', ":1: each row needs"),
    ],
)
def test_bad_prompt_file_gives_clear_error(
    content: str, expected: str, tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content)
    for argv in (
        ["route", "-c", str(config), "--file", str(bad)],
        ["simulate", "-c", str(config), str(bad)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert expected in err and str(bad) in err
        assert "Traceback" not in err


def test_missing_and_binary_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(tmp_path / "nope.jsonl")]) == 2
    assert "not found" in capsys.readouterr().err
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["simulate", str(binary)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


def test_bad_config_gives_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["route", "-c", str(tmp_path / "missing.yaml"), "hi"]) == 2
    assert "not found" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("tiers:\n  - {name: a, model: x, input_price: -1}\n")
    assert main(["route", "-c", str(bad), "hi"]) == 2
    err = capsys.readouterr().err
    assert "tiers.0.input_price" in err and "Traceback" not in err


def test_simulate_projection_and_plot(
    config: Path, prompts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    png = tmp_path / "out" / "chart.png"
    dec = tmp_path / "out" / "decisions.jsonl"
    assert (
        main(
            [
                "simulate",
                str(prompts),
                "-c",
                str(config),
                "--json",
                "--plot",
                str(png),
                "--decisions",
                str(dec),
                "--output-tokens",
                "200",
            ]
        )
        == 0
    )
    proj = json.loads(capsys.readouterr().out)
    assert proj["prompts"] == 4
    assert {t: v["count"] for t, v in proj["tiers"].items()} == {
        "simple": 1,
        "medium": 1,
        "complex": 1,
        "frontier": 1,
    }
    assert sum(v["cost_usd"] for v in proj["tiers"].values()) == pytest.approx(
        proj["routed_cost_usd"]
    )
    assert 0 < proj["routed_cost_usd"] < proj["baseline_cost_usd"]
    assert 0 < proj["savings_pct"] < 100
    assert png.read_bytes()[:8] == PNG_MAGIC and proj["chart"] == str(png)
    assert len(dec.read_text().splitlines()) == 4


def test_simulate_table(config: Path, prompts: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(prompts), "-c", str(config)]) == 0
    out = capsys.readouterr().out
    assert "Tier distribution" in out and "baseline: everything on o1" in out and "savings" in out


def _ledger(path: Path) -> None:
    led = SQLiteLedger(path)
    now = time.time()
    led.record(
        CallRecord(
            call_id="1",
            tier="simple",
            model="gpt-4o-mini",
            cost_usd=0.01,
            baseline_cost_usd=0.5,
            latency_ms=120,
            tags=("chat",),
            ts=now - 3600,
        )
    )
    led.record(
        CallRecord(
            call_id="2",
            tier="frontier",
            model="o1",
            cost_usd=0.4,
            baseline_cost_usd=0.4,
            latency_ms=900,
            ts=now - 60,
        )
    )
    led.record_feedback("1", 0.8)
    led.close()


def test_stats_reads_a_ledger_another_process_is_writing_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``stats`` opened the file as a writer (schema, salt, WAL, spill claim): while another
    process held the write lock for more than 2 s it failed ("database is locked"), where a
    read-only connection reads the rows (WAL readers are not blocked). It now falls back to
    reading, and says so; and an existing ledger file now opens without a write (its salt is
    read), so the writer's open no longer waits for the lock at all."""
    import sqlite3

    db = tmp_path / "l.db"
    _ledger(db)
    before = db.stat().st_mtime_ns
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO meta (key, value) VALUES ('lock', '1')")
    try:
        assert main(["stats", str(db), "--json"]) == 0
        captured = capsys.readouterr()
        assert json.loads(captured.out)["calls"] == 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert db.stat().st_mtime_ns == before  # reading wrote nothing


def test_stats_reads_a_ledger_on_a_read_only_mount(tmp_path: Path) -> None:
    """A ledger closed cleanly (no -wal / -shm beside it) on a read-only mount: neither the
    writer nor a ``mode=ro`` connection can open it ("unable to open database file"); it is
    read as immutable. Needs a private mount namespace (root, ``unshare``)."""
    import os
    import shutil

    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare to make a read-only bind mount")
    src, mnt = tmp_path / "src", tmp_path / "mnt"
    src.mkdir()
    mnt.mkdir()
    _ledger(src / "l.db")
    cli = Path(sys.executable).with_name("tier-router")
    script = (f"mount --bind {src} {mnt} && mount -o remount,bind,ro {mnt} && "
              f"{cli} stats {mnt / 'l.db'} --json")
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind {src} {mnt}"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr.decode()[:100]}")
    out = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["calls"] == 2
    assert "read-only" in out.stderr


def test_the_read_only_ledger_reads_the_same_rows_and_refuses_writes(tmp_path: Path) -> None:
    from shared_core.errors import InputError
    from shared_core.ledger.sqlite_readonly import ReadOnlySQLiteLedger

    db = tmp_path / "l.db"
    _ledger(db)
    writer = SQLiteLedger(db)
    ro = ReadOnlySQLiteLedger(db)
    assert ro.records() == writer.records() and ro.feedback() == writer.feedback()
    assert ro.salt == writer.salt
    with pytest.raises(InputError, match="read-only"):
        ro.record(CallRecord(call_id="x", tier="a", model="m"))
    with pytest.raises(InputError, match="read-only"):
        ro.record_feedback("1", 1.0)
    ro.close()
    writer.close()


def test_stats_json_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "l.db"
    _ledger(db)
    assert main(["stats", str(db), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["calls"] == 2 and s["cost_usd"] == pytest.approx(0.41)
    assert s["savings_usd"] == pytest.approx(0.49)
    assert s["quality"]["simple"][0]["mean_score"] == pytest.approx(0.8)
    assert main(["stats", str(db), "--since", "30m", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == 1
    assert main(["stats", str(db), "--tag", "chat", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == 1
    assert main(["stats", str(db), "--window", "hour"]) == 0
    out = capsys.readouterr().out
    assert "By tier" in out and "Quality drift" in out and "0.80" in out
    by_tier = out[out.index("By tier") :]
    assert by_tier.index("simple") < by_tier.index("frontier")  # cheapest first


def test_stats_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", str(tmp_path / "none.db")]) == 2
    assert "not found" in capsys.readouterr().err
    db = tmp_path / "l.db"
    _ledger(db)
    # a window that ends before it starts said "no records", as if the ledger were empty
    assert main(["stats", str(db), "--since", "2026-12-01", "--until", "2026-11-01"]) == 2
    assert "--since" in capsys.readouterr().err
    junk = tmp_path / "junk.db"
    junk.write_text("hello")
    assert main(["stats", str(junk)]) == 2
    assert "not a SQLite database" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()  # stats never creates a ledger
    db = tmp_path / "l.db"
    _ledger(db)
    assert main(["stats", str(db), "--since", "last tuesday"]) == 2
    assert "--since" in capsys.readouterr().err


def test_stats_time_parsing() -> None:
    from shared_core.cli.stats import parse_time

    assert parse_time("2026-01-02", "--since") == 1767312000.0
    assert parse_time("2026-01-02T01:00:00+01:00", "--since") == 1767312000.0
    assert parse_time("7d", "--since", now=1_000_000.0) == 1_000_000.0 - 7 * 86400
    assert parse_time("today", "--since", now=1767312000.0 + 5000) == 1767312000.0


def test_demo_writes_chart_and_prints_savings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "demo"
    assert main(["demo", "--output", str(out_dir), "--rows", "8"]) == 0
    out = capsys.readouterr().out
    for needle in (
        "A sample of the decisions",
        "Tier distribution",
        "Projected cost vs baseline",
        "Where each kind of prompt went",
        "cost_by_tier.png",
    ):
        assert needle in out
    assert (out_dir / "cost_by_tier.png").read_bytes()[:8] == PNG_MAGIC
    proj = json.loads((out_dir / "projection.json").read_text())
    assert proj["prompts"] >= 250
    assert proj["baseline_model"] == "o1"
    assert proj["routed_cost_usd"] <= proj["baseline_cost_usd"] + 1e-12
    assert len((out_dir / "decisions.jsonl").read_text().splitlines()) == proj["prompts"]


def test_demo_bad_workload(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "w.jsonl"
    bad.write_text("oops\n")
    assert main(["demo", "--workload", str(bad), "--output", str(tmp_path / "o")]) == 2
    assert "invalid JSON" in capsys.readouterr().err


def test_python_dash_m_entry_point() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "shared_core", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0 and "simulate" in r.stdout


def test_workload_is_varied() -> None:
    rows = [
        json.loads(x)
        for x in (ROOT / "examples/workload/sample_prompts.jsonl").read_text().splitlines()
    ]
    assert 250 <= len(rows) <= 400
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["prompt"] for r in rows}) == len(rows)
    assert len({r["kind"] for r in rows}) >= 12
    assert max(len(r["prompt"]) for r in rows) > 2000  # long pasted documents included


def test_workload_file_is_what_the_generator_writes(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "examples/workload/make_workload.py", str(tmp_path / "w.jsonl")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    committed = (ROOT / "examples/workload/sample_prompts.jsonl").read_text(encoding="utf-8")
    assert (tmp_path / "w.jsonl").read_text(encoding="utf-8") == committed


def test_demo_calls_fill_a_ledger_that_stats_reads(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workload = tmp_path / "w.jsonl"
    rows = [
        {"id": f"p{i}", "prompt": p, "kind": k}
        for i, (p, k) in enumerate(
            [("hello", "greeting"), ("prove it", "proof"), ("write code", "coding")] * 10
        )
    ]
    workload.write_text("\n".join(json.dumps(r) for r in rows))
    out_dir = tmp_path / "demo"
    argv = ["demo", "-c", str(config), "--workload", str(workload), "-o", str(out_dir), "--calls"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Simulated calls" in out and "Ledger summary" in out and "tier-router stats" in out
    assert main(["stats", str(out_dir / "ledger.db"), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["calls"] == 30
    assert s["records"] >= 30
    assert set(s["by_tag"]) == {"greeting", "proof", "coding"}
    assert 0 < s["cost_usd"] < s["baseline_cost_usd"]
    assert s["quality"]  # some simulated feedback was recorded
    # a second run starts a fresh ledger instead of appending to the old one
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["stats", str(out_dir / "ledger.db"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == 30


def test_demo_calls_leave_a_ledger_they_did_not_write_alone(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``demo --calls -o .`` in a project folder deleted the project's own ``ledger.db`` (and
    its ``-wal``) to start a fresh one. It replaces only a ledger an earlier demo wrote."""
    workload = tmp_path / "w.jsonl"
    workload.write_text(json.dumps({"id": "p0", "prompt": "hello", "kind": "greeting"}))
    own = SQLiteLedger(tmp_path / "ledger.db")
    own.record(CallRecord(call_id="mine", tier="t", model="m", status="ok"))
    own.close()
    argv = ["demo", "-c", str(config), "--workload", str(workload), "-o", str(tmp_path), "--calls"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "ledger.db" in err and "not written by" in err
    kept = SQLiteLedger(tmp_path / "ledger.db")
    assert [r.call_id for r in kept.records()] == ["mine"]
    kept.close()


def test_config_from_environment_when_no_flag(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TIER_ROUTER_CONFIG", str(config))
    assert main(["route", "--json", "hello", "prove it"]) == 0
    assert [d["tier"] for d in lines(capsys.readouterr().out)] == ["simple", "frontier"]
    # the flag wins over the environment
    monkeypatch.setenv("TIER_ROUTER_CONFIG", str(tmp_path / "elsewhere.yaml"))
    assert main(["route", "--json", "-c", str(config), "hello"]) == 0
    capsys.readouterr()
    # a missing file named by the environment says where the path came from
    assert main(["route", "hello"]) == 2
    assert "$TIER_ROUTER_CONFIG" in capsys.readouterr().err


def test_stats_says_when_costs_are_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A tier with no price recorded cost None; the summary read "cost $0.00" with the count of
    unpriced records six rows further down."""
    db = tmp_path / "l.db"
    led = SQLiteLedger(db)
    led.record(CallRecord(call_id="1", tier="cheap", model="my-llama", input_tokens=100, output_tokens=50,
                          cost_usd=None, baseline_model="gpt-4o", baseline_cost_usd=0.002))
    led.close()
    assert main(["stats", str(db)]) == 0
    out = capsys.readouterr().out
    cost_line = next(line for line in out.splitlines() if line.strip().startswith("│ cost") or " cost " in line[:20])
    assert "unpriced" in cost_line, out


def test_an_unpriced_answer_adds_nothing_to_the_baseline_either(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An answer with no known cost counted $0 spent against its full baseline: an unpriced
    call "saved" 100%, and the headline savings (said to be over priced records only) took it in.
    The report's KPIs did not mention unpriced records at all."""
    db = tmp_path / "l.db"
    led = SQLiteLedger(db)
    led.record(CallRecord(call_id="1", tier="cheap", model="gpt-4o-mini", cost_usd=0.001, baseline_model="gpt-4o",
                          baseline_cost_usd=0.01, input_tokens=10, output_tokens=10))
    led.record(CallRecord(call_id="2", tier="cheap", model="my-llama", cost_usd=None, baseline_model="gpt-4o",
                          baseline_cost_usd=0.03, input_tokens=10, output_tokens=10))
    led.close()
    assert main(["stats", str(db), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["baseline_cost_usd"] == pytest.approx(0.01) and s["savings_usd"] == pytest.approx(0.009)
    out = tmp_path / "r.html"
    assert main(["report", str(db), "-o", str(out)]) == 0
    assert "unpriced" in out.read_text(encoding="utf-8")


def test_demo_decisions_hold_each_prompt_as_routed(tmp_path: Path) -> None:
    """``decisions.jsonl`` held a one-line preview (newlines collapsed, cut at 200 characters):
    routing that file again gave another tier for 9 of the 304 bundled prompts (w240: medium in
    the demo, frontier from its decisions.jsonl text). It now holds the prompt as routed."""
    from shared_core.cli._common import PromptItem, load_prompts, make_router
    from shared_core.cli.demo import default_workload

    out_dir = tmp_path / "demo"
    assert main(["demo", "--output", str(out_dir), "--rows", "4"]) == 0
    workload = default_workload()
    assert workload is not None
    originals = {item.id: item.prompt for item in load_prompts(workload)}
    rows = [json.loads(line) for line in (out_dir / "decisions.jsonl").read_text("utf-8").splitlines()]
    assert len(rows) == len(originals)
    assert sum("\n" in r["prompt"] for r in rows if isinstance(r["prompt"], str)) > 0
    router = make_router(None)
    moved = []
    for r in rows:
        assert r["prompt"] == originals[r["id"]], r["id"]
        again = router.decide(PromptItem(r["id"], r["prompt"]).messages)
        if again.tier != r["tier"]:
            moved.append((r["id"], r["tier"], again.tier))
    assert moved == []


def test_demo_decisions_keep_chat_messages_and_odd_text(tmp_path: Path) -> None:
    """A chat-message prompt stays a message list; a lone surrogate (a JSON ``\\ud800``) is
    kept as its escape, so the file is valid UTF-8 and reads back to the same text."""
    workload = tmp_path / "w.jsonl"
    msgs = [{"role": "system", "content": "Be brief.\n\nVery brief."}, {"role": "user", "content": "hi\nthere"}]
    workload.write_text(
        json.dumps({"id": "m", "prompt": msgs}) + "\n"
        + '{"id": "s", "prompt": "odd \\ud800 text\\n\\nsecond line"}\n',
        encoding="utf-8",
    )
    out_dir = tmp_path / "o"
    assert main(["demo", "--workload", str(workload), "--output", str(out_dir), "--rows", "2"]) == 0
    rows = {
        r["id"]: r
        for r in map(json.loads, (out_dir / "decisions.jsonl").read_text("utf-8").splitlines())
    }
    assert rows["m"]["prompt"] == msgs
    assert rows["s"]["prompt"] == "odd \ud800 text\n\nsecond line"


def test_route_and_simulate_run_on_a_capped_config_whose_tiers_have_no_max_tokens(
    tmp_path: Path, prompts: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    """They make no provider call, so an output bound the tiers lack matters to none of them:
    they ran before the cap's check was added to Router and failed with a ConfigError since.
    They run, and without the WARNING a Router that calls gets (test_cli_cap_paths.py)."""
    cfg = tmp_path / "cap.yaml"
    cfg.write_text(yaml.safe_dump({
        "tiers": [{"name": "simple", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}],
        "classifier": {"type": "fake", "options": {"rules": {"hello": "simple"}, "default": "strong"}},
        "budget": {"per_request_cap_usd": 0.01},
    }))
    assert main(["route", "--json", "-c", str(cfg), "hello", "prove it"]) == 0
    out, _ = capsys.readouterr()
    assert [row["tier"] for row in lines(out)] == ["simple", "strong"]
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == []
    assert main(["simulate", str(prompts), "-c", str(cfg)]) == 0
    out, _ = capsys.readouterr()
    assert "savings" in out
