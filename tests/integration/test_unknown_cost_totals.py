"""A total over costs of which any is unknown is unknown, or says so.

With unpriced models (fakes, a local model), a call's ``router`` metadata showed
``cost_usd: None`` but ``total_cost_usd: 0.0``, and ``tier-router stats`` showed "baseline
cost $0.00000" as if the baseline were known to be free. Now ``total_cost_usd`` is ``None``
when an attempt (or the LLM judge) used tokens at an unknown price, and ``stats`` / its JSON /
the report count the records whose baseline is unknown and say "unknown" when none is known.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import MockLLM

from langchain_router import RoutedChatModel
from llamaindex_router import RoutedLLM
from shared_core.cli.main import main
from shared_core.ledger import SQLiteLedger

Q = "What is the capital of France?"
CFG = {"tiers": [{"name": "cheap", "model": "fake-small"}, {"name": "strong", "model": "fake-big"}]}
PRICED = {"tiers": [
    {"name": "cheap", "model": "fake-small", "input_price": 1.0, "output_price": 2.0},
    {"name": "strong", "model": "fake-big", "input_price": 10.0, "output_price": 20.0},
]}


def _fake(n: int = 3) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter([AIMessage("Paris.") for _ in range(n)]))


def test_langchain_total_of_an_unpriced_call_is_unknown() -> None:
    llm = RoutedChatModel(tiers={"cheap": _fake(), "strong": _fake()}, config=CFG)
    meta = llm.invoke(Q).response_metadata["router"]
    assert meta["cost_usd"] is None
    assert meta["total_cost_usd"] is None


def test_langchain_total_of_a_priced_call_is_its_cost() -> None:
    llm = RoutedChatModel(tiers={"cheap": _fake(), "strong": _fake()}, config=PRICED)
    meta = llm.invoke(Q).response_metadata["router"]
    assert meta["cost_usd"] is not None and meta["cost_usd"] > 0
    assert meta["total_cost_usd"] == pytest.approx(meta["cost_usd"])


def test_llamaindex_total_of_an_unpriced_call_is_unknown() -> None:
    llm = RoutedLLM(tiers={"cheap": MockLLM(max_tokens=8), "strong": MockLLM(max_tokens=8)}, config=CFG)
    meta = llm.chat([ChatMessage(role="user", content=Q)]).additional_kwargs["router"]
    assert meta["cost_usd"] is None
    assert meta["total_cost_usd"] is None


def test_cost_handler_counts_what_its_totals_leave_out() -> None:
    from langchain_router import CostCallbackHandler
    from shared_core.ledger import InMemoryLedger

    handler = CostCallbackHandler(InMemoryLedger(), baseline_model="fake-big")
    _fake(1).invoke(Q, config={"callbacks": [handler]})
    assert (handler.calls, handler.total_cost_usd) == (1, 0.0)
    assert (handler.unknown_cost_calls, handler.unknown_baseline_calls) == (1, 1)


def _unpriced_ledger(path: Path, calls: int = 2) -> SQLiteLedger:
    led = SQLiteLedger(path)
    llm = RoutedChatModel(tiers={"cheap": _fake(calls), "strong": _fake(calls)}, config=CFG, ledger=led)
    for _ in range(calls):
        llm.invoke(Q, model="cheap")
    led.flush()
    return led


def test_stats_says_an_unknown_baseline_is_unknown(tmp_path: Path, capsys) -> None:
    path = tmp_path / "u.sqlite"
    led = _unpriced_ledger(path)
    s = led.summary()
    assert s.unknown_cost_records == 2
    assert s.unknown_baseline_records == 2
    assert main(["stats", str(path)]) == 0
    out = capsys.readouterr().out
    for label in ("cost", "baseline cost", "savings"):
        value = _row(out, label)
        assert "$0.00000" not in value and "unknown" in value, (label, value)
    assert main(["stats", str(path), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["unknown_baseline_records"] == 2 and d["unknown_cost_records"] == 2


def _row(out: str, label: str) -> str:
    """The value of the stats table's row ``label``."""
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if len(cells) >= 2 and cells[0] == label:
            return cells[1]
    raise AssertionError(f"no row {label!r} in:\n{out}")


def test_stats_tables_say_unknown_where_nothing_is_priced(tmp_path: Path, capsys) -> None:
    path = tmp_path / "t.sqlite"
    _unpriced_ledger(path)
    assert main(["stats", str(path)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("│ cheap"))
    assert "$0.00000" not in row and row.count("unknown") == 3


def test_report_says_an_unknown_baseline_is_unknown(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    _unpriced_ledger(path)
    out = tmp_path / "report.html"
    assert main(["report", str(path), "-o", str(out)]) == 0
    html = out.read_text()
    assert "<span>spend</span><b>unknown (2 unpriced record(s))</b>" in html
    assert "<b>unknown (2 answer(s) of unknown baseline)</b>" in html
    assert "<span>saved</span><b>unknown</b>" in html
    assert "<td>$0.00000</td>" not in html


def test_priced_stats_are_unchanged(tmp_path: Path, capsys) -> None:
    path = tmp_path / "p.sqlite"
    led = SQLiteLedger(path)
    llm = RoutedChatModel(tiers={"cheap": _fake(), "strong": _fake()}, config=PRICED, ledger=led)
    llm.invoke(Q, model="cheap")
    led.flush()
    assert main(["stats", str(path)]) == 0
    out = capsys.readouterr().out
    assert "unknown" not in _row(out, "cost") and _row(out, "cost").startswith("$")
    assert _row(out, "baseline cost").startswith("$") and "unknown" not in _row(out, "savings")
