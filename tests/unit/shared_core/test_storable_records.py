"""One record a ledger cannot store must not hold back the ones after it: identifiers, text and
counts reach every ledger as storable values (a lone surrogate from a JSON body, a UUID object,
a token count no column holds)."""

from __future__ import annotations

import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared_core import Router, RouterConfig
from shared_core.ledger import CallRecord, SQLiteLedger
from shared_core.storable import MAX_COUNT, storable_text

EVE = json.loads('"eve\\ud800"')  # what a JSON body can carry: a lone surrogate
CONFIG = {"tiers": [{"name": "cheap", "model": "gpt-4o-mini"}, {"name": "strong", "model": "gpt-4o"}]}


def test_a_lone_surrogate_is_escaped_the_same_way_each_time() -> None:
    assert storable_text(EVE) == "eve\\ud800"
    assert storable_text(EVE).encode("utf-8")
    assert storable_text("café ☕") == "café ☕"  # valid text is left alone


def test_counts_no_column_holds_are_clamped() -> None:
    from shared_core.storable import storable_count

    assert [storable_count(x) for x in (5, 5.9, -3, 2**70, float("inf"), float("-inf"), None, float("nan"), "x")] == [
        5, 5, 0, MAX_COUNT, MAX_COUNT, 0, 0, 0, 0,
    ]


def test_requests_carry_storable_identifiers() -> None:
    router = Router(RouterConfig.build(CONFIG))
    user, thread = uuid.uuid4(), uuid.uuid4()
    req = router.request("hi", user=user, thread_id=thread, tags=["a", EVE], metadata={EVE: [EVE, 1, 2.5, None]})
    assert req.user == str(user) and req.thread_id == str(thread)
    assert req.tags == ("a", "eve\\ud800")
    assert req.metadata == {"eve\\ud800": ["eve\\ud800", 1, 2.5, None]}
    plain = router.request("hi", user="alice", tags=["x"])
    assert plain.user == "alice" and plain.tags == ("x",)


def test_a_surrogate_user_does_not_jam_a_sqlite_ledger(tmp_path) -> None:
    path = tmp_path / "costs.sqlite"
    router = Router(RouterConfig.build(CONFIG), ledger=str(path))
    for who in (EVE, "alice", EVE, uuid.UUID(int=7)):
        d = router.decide("hi", user=who, record_as="core")
        plan = router.plan(d, router.request("hi", user=who))
        attempt = plan.next_attempt()
        assert attempt is not None
        from shared_core.pricing import Usage

        plan.succeeded(attempt, usage=Usage(100, 10))
    assert router.ledger.pending == 0
    other = SQLiteLedger(str(path))
    users = [r.user for r in other.records()]
    assert users == ["eve\\ud800", "alice", "eve\\ud800", str(uuid.UUID(int=7))]
    eve_spend = other.spend("user:eve\\ud800", 0)
    assert eve_spend > 0 and abs(eve_spend - 2 * other.spend("user:alice", 0)) < 1e-12


_ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    user=st.one_of(st.none(), _ANY_TEXT, st.uuids(), st.integers()),
    thread=st.one_of(st.none(), _ANY_TEXT, st.uuids()),
    tags=st.lists(_ANY_TEXT, max_size=3),
    meta=st.dictionaries(_ANY_TEXT, st.one_of(_ANY_TEXT, st.floats(), st.integers(), st.uuids()), max_size=3),
    text=st.one_of(st.none(), _ANY_TEXT),
    tokens=st.integers(min_value=-(2**70), max_value=2**70),
)
def test_any_record_is_written_and_the_next_one_too(tmp_path, user, thread, tags, meta, text, tokens) -> None:
    ledger = SQLiteLedger(str(tmp_path / f"p{uuid.uuid4().hex}.sqlite"))
    rec = CallRecord(
        call_id="c1", tier="t", model="m", cost_usd=0.01, user=user, thread_id=thread, tags=tuple(tags),
        metadata=meta, error=text, prompt=text, input_tokens=tokens, output_tokens=tokens,
    )
    assert 0 <= rec.input_tokens <= MAX_COUNT
    ledger.record(rec)
    ledger.record(CallRecord(call_id="c2", tier="t", model="m", cost_usd=0.02))
    assert ledger.pending == 0
    stored = {r.call_id: r for r in ledger.records()}
    assert set(stored) == {"c1", "c2"}
    assert stored["c1"].user == rec.user and stored["c1"].tags == rec.tags
    assert json.loads(rec.to_json())["user"] == rec.user  # the spill file's form reads back the same
    ledger.close()
