"""The spill file a ledger claims when it opens: a damaged line costs that line only."""

from __future__ import annotations

import json
import logging

from shared_core.ledger import CallRecord, SQLiteLedger, spill


def _rec(call_id: str) -> CallRecord:
    return CallRecord(call_id=call_id, tier="t", model="m", cost_usd=0.01, user="zoë")


def test_a_line_torn_inside_a_character_costs_that_line_only(tmp_path, caplog):
    path = str(tmp_path / "l.db")
    SQLiteLedger(path).close()
    assert spill.write(path, [_rec(f"g{i}") for i in range(3)], [])
    line = json.dumps({"record": _rec("torn").to_dict()}, ensure_ascii=False).encode()
    with open(path + spill.SUFFIX, "ab") as f:  # an append torn inside the two bytes of "ë"
        f.write(line[: line.index("ë".encode()) + 1])
    with caplog.at_level(logging.WARNING):
        ledger = SQLiteLedger(path)
    assert sorted(r.call_id for r in ledger.records()) == ["g0", "g1", "g2"]
    assert ledger.pending == 0
    assert any("skipped line 4" in r.getMessage() for r in caplog.records)
    assert not list(tmp_path.glob("*.claim"))
    kept = (tmp_path / "l.db.rejected.jsonl").read_text()
    assert '"call_id": "torn"' in json.loads(kept)["spill_line"]
    ledger.close()
