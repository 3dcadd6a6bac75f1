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

from ...sqlite_files import rows

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
    assert req.tags == ("a", EVE)  # keys as given: each ledger stores them one-to-one
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
    assert users == [EVE, "alice", EVE, str(uuid.UUID(int=7))]  # read back as given
    assert rows(path, "SELECT COUNT(*) FROM calls WHERE user = 'eve\\ud800'") == 2  # stored as before
    eve_spend = other.spend(f"user:{EVE}", 0)
    assert other.spend("user:eve\\ud800", 0) == 0.0  # the text of the escape: another user
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


_FLAT_VALUES = st.one_of(
    _ANY_TEXT, st.floats(), st.integers(min_value=-(2**70), max_value=2**70), st.booleans(), st.none(),
    st.uuids(), st.lists(st.integers(), max_size=2), st.dictionaries(_ANY_TEXT, st.floats(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(meta=st.dictionaries(st.one_of(_ANY_TEXT, st.integers()), _FLAT_VALUES, max_size=4))
def test_flat_storable_metadata_is_what_storable_meta_keeps_as_it_is(meta) -> None:
    """The router's records keep a copy of metadata that ``is_flat_storable`` accepts instead
    of rebuilding it: that copy must be exactly what ``storable_meta`` gives."""
    from shared_core.storable import is_flat_storable, storable_meta

    if is_flat_storable(meta):  # (it may refuse what storable_meta keeps: non-ASCII text)
        out = storable_meta(meta)
        assert out == meta and list(out) == list(meta)
        assert [type(v) for v in out.values()] == [type(v) for v in meta.values()]


def test_flat_storable_refuses_what_storable_meta_changes_or_copies() -> None:
    from shared_core.storable import is_flat_storable

    assert is_flat_storable({}) and is_flat_storable({"a": "b", "n": 1, "f": 0.5, "t": True, "x": None})
    for bad in ({EVE: 1}, {"a": EVE}, {1: "a"}, {"f": float("nan")}, {"f": float("inf")},
                {"u": uuid.UUID(int=1)}, {"l": [1]}, {"d": {"a": 1}}, {"t": (1,)}):
        assert not is_flat_storable(bad), bad


def test_router_records_keep_their_metadata_storable() -> None:
    """A routed call's record: plain metadata and tier scores kept as they are, anything else
    (a lone surrogate, NaN, a UUID, a nested list) made storable as before."""
    from shared_core.dispatch import AttemptResult, execute
    from shared_core.testing import FakeClassifier

    router = Router(RouterConfig.build(CONFIG), classifier=FakeClassifier(default="cheap"))
    odd = {"team": "a", "n": 3, EVE: float("nan"), "id": uuid.UUID(int=7), "l": [1, EVE]}
    for meta in ({"team": "a", "n": 3, "ok": True, "x": None, "f": 0.5}, odd):
        request = router.request("hi", metadata=meta)
        request.metadata.update(meta)  # a caller may change the request's dict after the fact
        plan = router.plan(router.decide_request(request), request)
        execute(plan, lambda a: AttemptResult("ok"))
    plain, odd_rec = router.ledger.records()
    scores = plain.metadata.pop("router_scores")
    assert plain.metadata == {"team": "a", "n": 3, "ok": True, "x": None, "f": 0.5}
    assert scores == odd_rec.metadata["router_scores"] == {"cheap": 1.0}
    assert odd_rec.metadata["eve\\ud800"] == "nan" and odd_rec.metadata["id"] == str(uuid.UUID(int=7))
    assert odd_rec.metadata["l"] == [1, "eve\\ud800"]
    assert json.dumps(odd_rec.metadata)


def test_a_metadata_mapping_that_says_it_is_empty_is_still_made_storable(tmp_path) -> None:
    """Review: the record's metadata is a copy of the request's, but the check ran on the
    original; a mapping whose ``len`` said 0 while it held a lone surrogate passed as storable,
    and its record (and every one after it) stayed unwritten in SQLite."""
    import sqlite3
    from collections.abc import Mapping

    from shared_core import Router
    from shared_core.dispatch import execute
    from shared_core.ledger.sqlite import SQLiteLedger
    from shared_core.request import Request
    from shared_core.testing import ScriptedModel

    class FalsyMap(Mapping):
        def __init__(self, d):
            self.d = d

        def __getitem__(self, k):
            return self.d[k]

        def __iter__(self):
            return iter(self.d)

        def __len__(self):
            return 0

    path = tmp_path / "l.db"
    router = Router(ledger=SQLiteLedger(path))
    req = Request(text="hi", metadata=FalsyMap({"k": "\ud800"}))
    execute(router.plan(router.decide_request(req), req), ScriptedModel())
    execute(router.plan(router.decide("a clean call"), router.request("a clean call")), ScriptedModel())
    assert router.ledger.flush() == 0
    assert sqlite3.connect(path).execute("select count(*) from calls").fetchone()[0] == 2
