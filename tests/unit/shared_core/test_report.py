"""The HTML report: its numbers (from any ledger backend), its page, and its command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared_core.cli.main import main
from shared_core.ledger import CallRecord, CostLedger, InMemoryLedger, SQLiteLedger
from shared_core.report import build, render, write_report
from shared_core.report.data import DAY, HOUR, WEEK, choose_bucket
from shared_core.report.svg import nice_ticks

T0 = 1_767_225_600.0  # 2026-01-01 00:00 UTC


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> CostLedger:
    led: CostLedger = (
        InMemoryLedger() if request.param == "memory" else SQLiteLedger(tmp_path / "l.db")
    )
    yield led
    led.close()


def rec(call_id: str, **kw: object) -> CallRecord:
    base: dict[str, object] = {
        "tier": "simple", "model": "gpt-4o-mini", "cost_usd": 0.01, "baseline_model": "o1",
        "baseline_cost_usd": 0.5,
    }
    base.update(kw)
    return CallRecord(call_id=call_id, **base)  # type: ignore[arg-type]


def fill(ledger: CostLedger) -> None:
    """Three days: a plain call, an escalation, a fallback, a failed call, a tagged user."""
    ledger.record(rec("a", ts=T0 + 3600, tags=("search",), user="ann"))
    # b: simple's answer is rejected, medium answers (escalation)
    ledger.record(rec("b", ts=T0 + DAY, status="rejected", baseline_cost_usd=None, tags=("code",)))
    ledger.record(
        rec("b", ts=T0 + DAY + 1, attempt=1, tier="medium", model="gpt-4.1-mini", cost_usd=0.04,
            escalated=True, tags=("code",), user="bob")
    )
    # c: simple fails (429), complex answers (fallback)
    ledger.record(
        rec("c", ts=T0 + 2 * DAY, status="failed", error_kind="rate_limit", cost_usd=0.0,
            baseline_cost_usd=None)
    )
    ledger.record(
        rec("c", ts=T0 + 2 * DAY + 1, attempt=1, tier="complex", model="gpt-4o", cost_usd=0.2,
            fallback=True, user="bob")
    )
    # d: complex fails, nothing answered
    ledger.record(
        rec("d", ts=T0 + 2 * DAY + 5, tier="complex", model="gpt-4o", status="failed",
            cost_usd=0.0, baseline_cost_usd=None)
    )


def test_numbers_match_the_ledger(ledger: CostLedger) -> None:
    fill(ledger)
    d = build(ledger, tier_order=["simple", "medium", "complex", "frontier"])
    assert d.tiers == ["simple", "medium", "complex"]
    assert d.bucket_s == DAY
    assert d.baseline == "o1"
    assert [b.label for b in d.buckets] == ["Jan 01", "Jan 02", "Jan 03"]
    assert [round(b.cost_usd, 6) for b in d.buckets] == [0.01, 0.05, 0.2]
    assert [b.baseline_cost_usd for b in d.buckets] == [0.5, 0.5, 0.5]
    assert sum(b.cost_usd for b in d.buckets) == pytest.approx(d.summary.cost_usd)
    assert [b.calls_by_tier for b in d.buckets] == [
        {"simple": 1, "medium": 0, "complex": 0},
        {"simple": 0, "medium": 1, "complex": 0},
        {"simple": 0, "medium": 0, "complex": 1},
    ]
    rates = {r.tier: r for r in d.rates}
    assert (rates["simple"].attempts, rates["simple"].rejected, rates["simple"].failed) == (3, 1, 1)
    assert rates["simple"].escalation_rate == pytest.approx(1 / 3)
    assert rates["simple"].fallback_rate == pytest.approx(1 / 3)
    assert (rates["complex"].attempts, rates["complex"].failed) == (2, 1)
    assert rates["medium"].escalation_rate == 0.0
    assert [(s.name, s.calls, round(s.cost_usd, 6)) for s in d.by_tag] == [
        ("code", 1, 0.05), ("search", 1, 0.01)
    ]
    assert [(s.name, s.calls, round(s.cost_usd, 6), s.baseline_cost_usd) for s in d.by_user] == [
        ("bob", 2, 0.25, 1.0), ("ann", 1, 0.01, 0.5)
    ]
    top = d.top_calls[0]
    assert (top.call_id, top.path, top.model, top.status) == ("c", ("simple", "complex"), "gpt-4o", "ok")
    assert [c.call_id for c in d.top_calls] == ["c", "b", "a", "d"]
    assert d.top_calls[-1].status == "failed"


def test_filters_and_hidden_tags(ledger: CostLedger) -> None:
    fill(ledger)
    d = build(ledger, since=T0 + DAY, top=1, hidden_tag=lambda t: t == "code")
    assert d.summary.calls == 3
    assert d.by_tag == []
    assert len(d.top_calls) == 1
    only = build(ledger, tag="search")
    assert only.summary.calls == 1
    assert only.bucket_s == HOUR


def test_tiers_ordered_by_mean_cost_without_a_config(ledger: CostLedger) -> None:
    fill(ledger)
    assert build(ledger).tiers == ["simple", "medium", "complex"]


def test_bucket_size_follows_the_span() -> None:
    assert choose_bucket(T0, T0 + DAY) == HOUR
    assert choose_bucket(T0, T0 + 2 * DAY) == DAY
    assert choose_bucket(T0, T0 + 30 * DAY) == DAY
    assert choose_bucket(T0, T0 + 200 * DAY) == WEEK
    assert choose_bucket(None, None) == HOUR


def test_nice_ticks() -> None:
    assert nice_ticks(0.37) == [0.0, 0.1, 0.2, 0.3, 0.4]
    assert nice_ticks(9.0) == [0.0, 2.5, 5.0, 7.5, 10.0]
    assert nice_ticks(0.0) == [0.0, 1.0]


def test_page_is_self_contained_and_escapes_text(ledger: CostLedger) -> None:
    fill(ledger)
    ledger.record(rec("e", ts=T0 + 2 * DAY + 9, tags=("<script>alert(1)</script>",), user="a&b"))
    page = render(build(ledger))
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a&amp;b" in page
    # nothing is fetched when the page is opened: no external URL but the SVG namespace
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls == {"http://www.w3.org/2000/svg"}
    for needle in ("<link", "@import", "url(", "src="):
        assert needle not in page
    for chart in ("spend", "tier-mix", "rates", "by-tag", "by-user"):
        assert f'data-chart="{chart}"' in page


def test_an_empty_ledger_gives_a_page_that_says_so(tmp_path: Path) -> None:
    page = render(build(InMemoryLedger()))
    assert "the ledger holds no records for this selection" in page
    assert "data-chart" not in page


def test_no_tags_or_users_says_how_to_get_them() -> None:
    led = InMemoryLedger()
    led.record(rec("a", ts=T0))
    page = render(build(led))
    assert 'data-chart="by-tag"' not in page
    assert "no tags recorded: pass tags= / user= when calling" in page


def test_command_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SQLiteLedger(tmp_path / "costs.sqlite") as led:
        fill(led)
    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path / "costs.sqlite"), "-o", str(out), "--top", "2"]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}"
    page = out.read_text(encoding="utf-8")
    assert page.count("<tr title=\"call ") == 2
    assert "costs.sqlite" in page


def test_command_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "missing.db")]) == 2
    assert "file not found" in capsys.readouterr().err
    (tmp_path / "x.txt").write_text("not sqlite")
    assert main(["report", str(tmp_path / "x.txt")]) == 2
    assert "not a SQLite database" in capsys.readouterr().err
    with SQLiteLedger(tmp_path / "costs.sqlite") as led:
        fill(led)
    assert main(["report", str(tmp_path / "costs.sqlite"), "-o", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    bad = tmp_path / "no-such-dir" / "r.html"
    assert main(["report", str(tmp_path / "costs.sqlite"), "-o", str(bad)]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_write_report_returns_the_path(tmp_path: Path) -> None:
    led = InMemoryLedger()
    led.record(rec("a", ts=T0))
    p = write_report(led, tmp_path / "r.html", title="Team costs")
    assert "<title>Team costs</title>" in p.read_text(encoding="utf-8")


def test_framework_tags_are_not_the_users(ledger: CostLedger) -> None:
    """LangChain / LangGraph bookkeeping tags (seq:step:1, map:key:raw...) stay out of 'cost per tag'."""
    ledger.record(rec("a", ts=T0, tags=("seq:step:1", "map:key:raw", "search", "graph:step:2", "retry:attempt:2")))
    ledger.record(rec("b", ts=T0 + 5, tags=("nostream", "langsmith:hidden")))
    d = build(ledger)
    assert [s.name for s in d.by_tag] == ["search"]
    assert [c.tags for c in d.top_calls] == [("search",), ()]
    page = render(d)
    assert "seq:step:1" not in page
    assert "map:key:raw" not in page


def test_command_reads_a_postgres_ledger(pg_url: str, tmp_path: Path) -> None:
    """`tier-router report postgresql://...` reads the shared ledger, as `stats` does."""
    from shared_core.ledger import open_ledger

    led = open_ledger(pg_url)
    try:
        fill(led)
    finally:
        led.close()
    out = tmp_path / "report.html"
    assert main(["report", pg_url, "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page.count('<tr title="call ') == 4
    assert 'data-chart="by-user"' in page
    assert "postgresql://" not in page  # the URL (it may hold a password) is not written out


def test_a_kept_answer_and_a_refusal_are_not_counted_as_attempts() -> None:
    """The ``ok`` record of a kept answer (every escalation failed) and a refused record made
    the report read "cheap → strong → cheap", 50% escalated on a tier whose only attempt was
    rejected, and a refusal as an attempt of its tier."""
    from shared_core import Router
    from shared_core.dispatch import execute
    from shared_core.testing import FakeServerError, ScriptedModel

    led = InMemoryLedger()
    router = Router({"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}],
                     "escalation": {"min_length": 30}}, ledger=led)
    req = router.request("hi")
    execute(router.plan(router.decide_request(req, force="cheap"), req),
            ScriptedModel(replies={"cheap": ["too short"], "strong": [FakeServerError("down")]}))
    assert [r.status for r in led.records()] == ["rejected", "failed", "ok"]
    led.record(CallRecord(call_id="refused-1", tier="cheap", model="gpt-4o-mini", status="refused"))
    data = build(led)
    rates = {r.tier: r for r in data.rates}
    assert (rates["cheap"].attempts, rates["cheap"].rejected) == (1, 1)
    assert (rates["strong"].attempts, rates["strong"].failed) == (1, 1)
    kept = next(c for c in data.top_calls if c.call_id != "refused-1")
    assert kept.path == ("cheap", "strong")
