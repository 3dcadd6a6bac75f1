"""A user id, thread id or tag keeps a lone surrogate from a JSON body until a ledger stores it
(see ``test_ledger_keys``). Whatever shows or hashes such a key must still work: the HTML
report and ``tier-router stats`` print it escaped (``\\ud800``), the A/B split puts the user
where it always did, and an OpenTelemetry span carries text it can export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared_core import Router, RouterConfig
from shared_core.cli.main import main
from shared_core.dispatch import execute
from shared_core.ledger import CallRecord, InMemoryLedger, SQLiteLedger
from shared_core.report import build, render, write_report
from shared_core.testing import ScriptedModel
from shared_core.variants import VariantRouter
from tests.otel_support import captured

from .helpers import router_with

EVE = json.loads('"eve\\ud800"')  # what a JSON body can carry
CONFIG = {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]}


def _fill(led: object) -> None:
    for i, who in enumerate((EVE, "eve\\ud800", "alice")):
        led.record(CallRecord(call_id=f"c{i}", tier="cheap", model="gpt-4o-mini", cost_usd=0.01 * (i + 1),  # type: ignore[attr-defined]
                              user=who, tags=(who,), thread_id=who, ts=1.767e9 + i))


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_report_shows_such_a_key_escaped(backend: str, tmp_path: Path) -> None:
    led = InMemoryLedger() if backend == "memory" else SQLiteLedger(tmp_path / "r.db")
    _fill(led)
    page = render(build(led))
    page.encode("utf-8")  # UnicodeEncodeError when the surrogate reached the page
    assert "eve\\ud800" in page
    out = tmp_path / "r.html"
    write_report(led, out)
    assert "eve\\ud800" in out.read_text(encoding="utf-8")


def test_stats_prints_such_a_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.db"
    led = SQLiteLedger(db)
    _fill(led)
    led.close()
    assert main(["stats", str(db)]) == 0
    assert "eve\\ud800" in capsys.readouterr().out
    assert main(["stats", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["calls"] == 3 and EVE in json.dumps(out, ensure_ascii=False)  # read back as given


def test_the_ab_split_of_such_a_user_is_the_one_it_had() -> None:
    """The split hashes the user id; it used to see the escaped text (and raised on the
    surrogate itself): the same users still go to the same variant."""
    led = InMemoryLedger()
    ab = VariantRouter(Router(RouterConfig.build(CONFIG), ledger=led), Router(RouterConfig.build(CONFIG), ledger=led), share=0.5)
    users = [json.loads(f'"u{i}\\ud800"') for i in range(40)]
    got = [ab.variant_for(user=u) for u in users]
    assert got == [ab.variant_for(user=u.encode("utf-8", "backslashreplace").decode()) for u in users]
    assert len(set(got)) == 2
    d = ab.decide("hi", user=EVE)
    assert d.variant in ab.names


def test_a_span_carries_such_a_thread_id_as_text_it_can_export() -> None:
    from shared_core.otel import OpenTelemetry

    cap = captured()
    tel = OpenTelemetry(tracer_provider=cap.tracer_provider, meter_provider=cap.meter_provider)
    router = router_with(default="cheap", telemetry=tel)
    d = router.decide("hi")
    execute(router.plan(d, router.request("hi", thread_id=EVE)), ScriptedModel(replies={"cheap": ["ok"]}))
    [span] = cap.spans()
    conv = dict(span.attributes or {})["gen_ai.conversation.id"]
    assert conv == "eve\\ud800" and conv.encode("utf-8")
