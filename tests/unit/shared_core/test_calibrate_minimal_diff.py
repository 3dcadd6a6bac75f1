"""`tier-router calibrate` changes the knob in a YAML config and nothing else."""

from __future__ import annotations

import json

from shared_core import RouterConfig
from shared_core.cli.main import main
from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.yaml_edit import set_value

CONFIG = """\
# Our router: two tiers, cheapest first.
mode: difficulty
tiers:
  - name: small
    model: small-model      # our own deployment
    max_tokens: 512
  - name: large
    model: large-model
    max_tokens: 4096
policy:
  rule: threshold
  threshold: 0.5            # tuned by `tier-router calibrate`
  unsure_go_up: true
sticky: false
"""


def _ledger(path):
    led = SQLiteLedger(path)
    for i in range(60):
        p = (i + 0.5) / 60
        led.record(CallRecord(call_id=f"c{i}", tier="small", model="small-model",
                              metadata={"router_scores": {"small": p}}))
        led.record_feedback(f"c{i}", 1.0 if p >= 0.75 else 0.0)
    led.close()


def test_a_14_line_config_stays_14_lines_with_one_value_changed(tmp_path, capsys):
    assert len(CONFIG.splitlines()) == 14
    cfg_in, cfg_out, db = tmp_path / "in.yaml", tmp_path / "out.yaml", tmp_path / "l.sqlite"
    cfg_in.write_text(CONFIG)
    _ledger(db)
    argv = ["calibrate", "--from-ledger", str(db), "--target-success", "0.9", "--json"]
    assert main([*argv, "--config", str(cfg_in), "--output", str(cfg_out)]) == 0
    knob = json.loads(capsys.readouterr().out)["knob"]
    before, after = CONFIG.splitlines(), cfg_out.read_text().splitlines()
    assert len(after) == 14
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert changed == [
        ("  threshold: 0.5            # tuned by `tier-router calibrate`",
         f"  threshold: {knob}            # tuned by `tier-router calibrate`")
    ]
    assert RouterConfig.from_file(cfg_out).policy.threshold == knob


def test_missing_keys_are_added_where_they_belong():
    assert set_value("policy:\n  rule: margin\nsticky: false\n", ("policy", "threshold"), 0.7) == (
        "policy:\n  rule: margin\n  threshold: 0.7\nsticky: false\n"
    )
    assert set_value("policy: {rule: margin}\n", ("policy", "threshold"), 0.7) == (
        "policy: {rule: margin, threshold: 0.7}\n"
    )
    assert set_value("mode: difficulty\n", ("policy", "threshold"), 0.7) == (
        "mode: difficulty\npolicy: {threshold: 0.7}\n"
    )
    assert set_value("classifier:\n  type: embedded\nsticky: true\n", ("classifier",), {"type": "trained", "path": "r.json"}) == (
        "classifier: {type: trained, path: r.json}\nsticky: true\n"
    )
