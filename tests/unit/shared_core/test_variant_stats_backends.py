"""``stats --by variant`` gives the same figures on SQLite and on PostgreSQL for the same
records, including the small and odd samples a young A/B test has: a variant with 1 or 2
calls, one whose every call was refused, calls of unknown cost, feedback on some calls only,
and a shadow run (one variant, the candidate only in ``metadata["shadow"]``)."""

from __future__ import annotations

import argparse
import json

from shared_core.cli import stats as cli_stats
from shared_core.ledger import CallRecord, SQLiteLedger


def _stats(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli_stats.register(parser.add_subparsers())
    args = parser.parse_args(["stats", *argv])
    return int(args.func(args))


def _records() -> tuple[list[CallRecord], list[tuple[str, float]]]:
    recs, fb = [], []
    t = 1_790_000_000.0
    for i in range(25):  # control: some escalate, some fall back, all priced
        cid = f"c{i}"
        recs.append(CallRecord(call_id=cid, tier="cheap", model="gpt-4o-mini", cost_usd=0.001 + i * 1e-5,
                               ts=t + i, variant="control"))
        if i % 5 == 0:
            recs.append(CallRecord(call_id=cid, attempt=1, tier="strong", model="gpt-4o", cost_usd=0.01,
                                   ts=t + i + 0.5, escalated=True, variant="control"))
        if i % 7 == 0:
            recs.append(CallRecord(call_id=cid, attempt=2, tier="strong", model="gpt-4o", cost_usd=0.02,
                                   ts=t + i + 0.6, fallback=True, variant="control"))
        if i % 3 == 0:
            fb.append((cid, 1.0 if i % 2 else 0.5))
    recs.append(CallRecord(call_id="k0", tier="strong", model="gpt-4o", cost_usd=0.004, ts=t + 40,
                           variant="candidate"))  # one call
    recs += [CallRecord(call_id=f"two{i}", tier="cheap", model="gpt-4o-mini", cost_usd=0.002, ts=t + 50 + i,
                        variant="two") for i in range(2)]  # two calls of one cost
    recs += [CallRecord(call_id=f"r{i}", tier="cheap", model="gpt-4o-mini", status="refused", cost_usd=0.0,
                        error_kind="budget", ts=t + 60 + i, variant="refused") for i in range(3)]
    recs += [CallRecord(call_id=f"u{i}", tier="cheap", model="local", cost_usd=None, ts=t + 70 + i,
                        variant="unpriced") for i in range(4)]
    fb.append(("k0", 0.25))
    return recs, fb


def _figures(target: str, capsys) -> tuple[dict, str]:
    assert _stats(target, "--by", "variant", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert _stats(target, "--by", "variant") == 0
    return data, capsys.readouterr().out


def test_the_same_figures_on_sqlite_and_postgres(tmp_path, pg_url, capsys):
    from shared_core.ledger.postgres import PostgresLedger

    recs, fb = _records()
    for ledger in (SQLiteLedger(tmp_path / "ab.sqlite"), PostgresLedger(pg_url)):
        for r in recs:
            ledger.record(r)
        for cid, score in fb:
            ledger.record_feedback(cid, score)
        ledger.flush()
        ledger.close()
    lite, lite_text = _figures(str(tmp_path / "ab.sqlite"), capsys)
    pg, pg_text = _figures(pg_url, capsys)
    assert lite == pg
    assert lite_text == pg_text
    v = lite["variants"]
    assert lite["calls"] == {"candidate": 1, "control": 25, "refused": 3, "two": 2, "unpriced": 4}
    assert v["candidate"]["cost_per_call"] == {"mean": 0.004, "low": None, "high": None, "n": 1}
    assert v["two"]["cost_per_call"] == {"mean": 0.002, "low": 0.002, "high": 0.002, "n": 2}
    assert v["unpriced"]["cost_per_call"]["n"] == 0 and lite["unknown_cost_calls"] == {"unpriced": 4}
    assert v["control"]["escalation_rate"]["mean"] == 0.2 and v["control"]["fallback_rate"]["mean"] == 0.16
    assert v["control"]["feedback"]["n"] == 9 and v["candidate"]["feedback"]["n"] == 1
    assert not any(d["significant"] for ds in lite["differences"].values() for d in ds.values())
    assert "not yet significant, fewer than 10 calls" in lite_text


def test_a_shadow_run_has_one_variant_and_says_there_is_nothing_to_compare(tmp_path, capsys):
    db = tmp_path / "shadow.sqlite"
    with SQLiteLedger(db) as ledger:
        for i in range(5):
            ledger.record(CallRecord(call_id=f"s{i}", tier="cheap", model="gpt-4o-mini", cost_usd=0.001,
                                     variant="control",
                                     metadata={"shadow": {"variant": "candidate", "tier": "strong"}}))
    data, text = _figures(str(db), capsys)
    assert list(data["variants"]) == ["control"] and data["differences"] == {}
    assert "only one variant (control) in this range: nothing to compare" in text
