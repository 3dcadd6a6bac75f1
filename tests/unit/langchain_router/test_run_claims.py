"""The router's recorder leaves a run to a handler recording into the same store, whatever
order LangChain calls the two in (it merges callback managers in no fixed order)."""

from __future__ import annotations

import itertools
from uuid import uuid4

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, LLMResult

from langchain_router import CostCallbackHandler
from langchain_router.route_records import RouteRecorder
from langchain_router.run_claims import _open
from shared_core.ledger import InMemoryLedger

_PARAMS = {"invocation_params": {"model_name": "gpt-4o"}}


def _answer() -> LLMResult:
    msg = AIMessage("hi", usage_metadata={"input_tokens": 5, "output_tokens": 2, "total_tokens": 7})
    return LLMResult(generations=[[ChatGeneration(message=msg)]])


@pytest.mark.parametrize("starts,ends", list(itertools.product(itertools.permutations((0, 1)), repeat=2)))
@pytest.mark.parametrize("fails", [False, True])
def test_one_record_in_any_order(starts: tuple[int, int], ends: tuple[int, int], fails: bool) -> None:
    ledger = InMemoryLedger()
    handlers = [RouteRecorder(ledger), CostCallbackHandler(ledger)]
    run_id = uuid4()
    for i in starts:
        handlers[i].on_chat_model_start({}, [[HumanMessage("q")]], run_id=run_id, **_PARAMS)
    for i in ends:
        if fails:
            handlers[i].on_llm_error(RuntimeError("boom"), run_id=run_id)
        else:
            handlers[i].on_llm_end(_answer(), run_id=run_id)
    assert len(ledger.records()) == 1
    assert (handlers[0].calls, handlers[1].calls) == (0, 1)  # the caller's handler recorded it
    assert not any(key[1] == run_id for key in _open)  # nothing left behind


def test_the_recorder_records_a_run_no_other_handler_of_its_store_saw() -> None:
    ledger = InMemoryLedger()
    recorder, elsewhere = RouteRecorder(ledger), CostCallbackHandler(InMemoryLedger())
    run_id = uuid4()
    for h in (recorder, elsewhere):
        h.on_chat_model_start({}, [[HumanMessage("q")]], run_id=run_id, **_PARAMS)
    for h in (elsewhere, recorder):
        h.on_llm_end(_answer(), run_id=run_id)
    assert len(ledger.records()) == 1 and recorder.calls == 1


def test_a_run_stopped_before_its_end_is_left_to_the_handler_that_saw_it() -> None:
    """``stop_open_runs`` (a cancelled route) on the recorder: the caller's handler records it."""
    ledger = InMemoryLedger()
    recorder, mine = RouteRecorder(ledger), CostCallbackHandler(ledger)
    run_id = uuid4()
    md = {"metadata": {"router_call_id": "c1"}, **_PARAMS}
    for h in (recorder, mine):
        h.on_chat_model_start({}, [[HumanMessage("q")]], run_id=run_id, **md)
    recorder.stop_open_runs("c1", KeyboardInterrupt())
    mine.stop_open_runs("c1", KeyboardInterrupt())
    assert [r.status for r in ledger.records()] == ["abandoned"] and mine.calls == 1
