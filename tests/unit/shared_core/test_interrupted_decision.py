"""A call its caller stops while the router is still deciding is recorded, not lost.

Recorded when a call follows the decision (``record_as=``: the adapters pass their framework;
core users who ``plan`` after ``decide`` pass ``"core"``); decide-only use (``RunnableRouter``,
a bare ``decide``) records nothing, as its decisions never do. Deciding can wait: on an LLM judge's call (async: a cancelled task; sync: Ctrl-C in the
blocking call) and on the ledger (budget pressure). A caller stopped there never reaches a
plan, so before this nothing reached the ledger: not the call, not the judge's cost. Now the
call is recorded ``abandoned`` at attempt 0, with the judge's cost when the judge had
answered, and an unknown cost (``None``) when the judge's call was still in flight (its usage
was never reported, but the provider may bill it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest

from shared_core import Router
from shared_core.ledger import InMemoryLedger
from shared_core.pricing import Usage
from shared_core.testing import ScriptedJudge

JUDGE_COST = (200 * 0.15 + 3 * 0.60) / 1e6  # gpt-4o-mini: 200 tokens in, 3 out
TIERS = [
    {"name": "cheap", "model": "gpt-4o-mini", "max_tokens": 64},
    {"name": "strong", "model": "gpt-4o", "max_tokens": 64},
]


class HangingJudge:
    """A judge whose provider never answers (until the caller gives up)."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()

    def complete(self, prompt: str) -> str:  # the sync path: Ctrl-C during the blocking call
        raise KeyboardInterrupt

    async def acomplete(self, prompt: str) -> str:
        self.asked.set()
        await asyncio.sleep(3600)
        raise AssertionError("not reached")


class SlowHeldLedger(InMemoryLedger):
    """Answers the budget-pressure query late (a database round trip in flight)."""

    def __init__(self) -> None:
        super().__init__()
        self.querying = asyncio.Event()

    async def aheld(self, scope: str, since: float) -> float:
        self.querying.set()
        await asyncio.sleep(3600)
        return 0.0


async def _cancel_when(coro: Awaitable[object], reached: asyncio.Event) -> None:
    """Run ``coro`` as a task, cancel it once ``reached`` is set (the caller walking away)."""
    task = asyncio.ensure_future(coro)
    await asyncio.wait_for(reached.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def _router(judge: object, ledger: InMemoryLedger, **extra: object) -> Router:
    return Router(
        {"tiers": TIERS, "classifier": {"type": "judge", "options": {"clamp": None}}, **extra},
        judge_complete=judge.pair() if hasattr(judge, "pair") else (judge.complete, judge.acomplete),  # type: ignore[attr-defined]
        ledger=ledger,
    )


async def test_cancelled_while_the_judge_answers_is_recorded_with_an_unknown_cost() -> None:
    ledger = InMemoryLedger()
    judge = HangingJudge()
    router = _router(judge, ledger)
    await _cancel_when(router.adecide("hello", tags=["team-a"], user="u1", record_as="core"), judge.asked)

    [rec] = ledger.records()
    assert (rec.status, rec.attempt, rec.error_kind) == ("abandoned", 0, "abandoned")
    assert rec.cost_usd is None  # the judge may have been billed: unknown, not free
    assert (rec.input_tokens, rec.output_tokens) == (0, 0)
    assert "while it was being decided" in (rec.error or "")
    assert (rec.tags, rec.user, rec.framework) == (("team-a",), "u1", "core")
    assert rec.classifier == "judge(interrupted)"
    assert rec.tier in ("cheap", "strong")
    summary = ledger.summary()  # unknown, not $0; and no tier answered it
    assert (summary.unknown_cost_records, summary.tier_distribution) == (1, {})
    assert (summary.failed_calls, summary.failure_rate) == (0, None)  # no call sent: no rate


async def test_cancelled_after_the_judge_answered_pays_the_judge() -> None:
    ledger = SlowHeldLedger()
    judge = ScriptedJudge("cheap", model="gpt-4o-mini", usage=Usage(200, 3))
    router = _router(
        judge, ledger,
        budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 5.0}]},
    )
    await _cancel_when(router.adecide("hello", record_as="core"), ledger.querying)

    [rec] = ledger.records()
    assert (rec.status, rec.attempt) == ("abandoned", 0)
    assert rec.cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)
    assert [c["model"] for c in rec.metadata["classifier_calls"]] == ["gpt-4o-mini"]
    assert rec.classifier == "judge"
    assert ledger.spend("global", 0.0) == pytest.approx(JUDGE_COST, rel=1e-12)


def test_ctrl_c_during_a_sync_judge_call_is_recorded() -> None:
    ledger = InMemoryLedger()
    router = _router(HangingJudge(), ledger)
    with pytest.raises(KeyboardInterrupt):
        router.decide("hello", record_as="core")

    [rec] = ledger.records()
    assert (rec.status, rec.attempt, rec.error_kind) == ("abandoned", 0, "abandoned")
    assert rec.cost_usd is None


def test_an_offline_classifier_interrupted_costs_nothing() -> None:
    """Ctrl-C inside a CPU-only classifier: recorded, and no money can have gone."""

    class Boom:
        name = "boom"
        labels = ("cheap", "strong")

        def classify(self, request: object) -> object:
            raise KeyboardInterrupt

        async def aclassify(self, request: object) -> object:
            raise KeyboardInterrupt

    ledger = InMemoryLedger()
    router = Router({"tiers": TIERS}, classifier=Boom(), ledger=ledger)
    with pytest.raises(KeyboardInterrupt):
        router.decide("hello", record_as="core")
    [rec] = ledger.records()
    assert (rec.status, rec.cost_usd, rec.classifier) == ("abandoned", 0.0, "boom(interrupted)")


def test_the_recorded_interruption_leaves_no_sticky_floor_and_passes_the_next_call() -> None:
    ledger = InMemoryLedger()
    judge = HangingJudge()
    router = Router(
        {"tiers": TIERS, "classifier": {"type": "judge", "options": {"clamp": None}}, "sticky": True},
        judge_complete=(judge.complete, judge.acomplete), ledger=ledger,
    )
    with pytest.raises(KeyboardInterrupt):
        router.decide("hello", thread_id="t1", record_as="core")
    assert router.thread_floor("t1") == 0


@pytest.mark.parametrize("framework", ["langchain", "llamaindex"])
def test_adapters_record_their_framework(framework: str) -> None:
    ledger = InMemoryLedger()
    router = _router(HangingJudge(), ledger)
    request = router.request("hello")
    with pytest.raises(KeyboardInterrupt):
        router.decide_request(request, record_as=framework)  # type: ignore[arg-type]
    [rec] = ledger.records()
    assert rec.framework == framework



async def test_decide_only_use_records_nothing() -> None:
    """``RunnableRouter`` and a bare ``decide`` never write a call record, stopped or not (a
    ``CostCallbackHandler`` on the routes records the judge's model call there)."""
    ledger = InMemoryLedger()
    judge = HangingJudge()
    router = _router(judge, ledger)
    await _cancel_when(router.adecide("hello"), judge.asked)
    with pytest.raises(KeyboardInterrupt):
        router.decide("hello")
    assert ledger.records() == []


def _variants(mode: str, control_judge: object, candidate_judge: object, ledger: InMemoryLedger) -> object:
    from shared_core.variants import VariantRouter

    def judge_router(judge: object) -> Router:
        return _router(judge, ledger)

    embedded = Router({"tiers": TIERS}, ledger=ledger)
    control = judge_router(control_judge) if control_judge is not None else embedded
    candidate = judge_router(candidate_judge) if candidate_judge is not None else embedded
    return VariantRouter(control, candidate, mode=mode, share=1.0 if mode == "ab" else 0.0)


def test_an_ab_call_stopped_while_deciding_keeps_its_variant() -> None:
    ledger = InMemoryLedger()
    ab = _variants("ab", None, HangingJudge(), ledger)
    with pytest.raises(KeyboardInterrupt):
        ab.decide_request(ab.request("hello"), record_as="core")  # type: ignore[attr-defined]
    [rec] = ledger.records()
    assert (rec.status, rec.variant, rec.cost_usd) == ("abandoned", "candidate", None)


def test_a_shadow_judge_stopped_is_recorded_as_the_live_call_with_an_unknown_cost() -> None:
    ledger = InMemoryLedger()
    shadow = _variants("shadow", None, HangingJudge(), ledger)
    with pytest.raises(KeyboardInterrupt):
        shadow.decide_request(shadow.request("hello"), record_as="langchain")  # type: ignore[attr-defined]
    [rec] = ledger.records()
    assert (rec.status, rec.variant, rec.framework) == ("abandoned", "control", "langchain")
    assert rec.cost_usd is None  # the shadow's judge was asking: billed or not, unknown
    assert rec.classifier.endswith("(interrupted)")


@pytest.mark.parametrize("sync", [True, False])
async def test_a_control_judge_stopped_after_the_shadow_judge_answered_still_pays_the_shadow(sync: bool) -> None:
    """Judges on both sides: the shadow's judge answered (and is billed), then the caller
    stopped the control's. The record carries the shadow's known cost, tagged as the
    shadow's, so budgets count it."""
    ledger = InMemoryLedger()
    shadow_judge = ScriptedJudge("strong", model="gpt-4o-mini", usage=Usage(200, 3))
    control_judge = HangingJudge()
    shadow = _variants("shadow", control_judge, shadow_judge, ledger)
    request = shadow.request("hello")  # type: ignore[attr-defined]
    if sync:
        with pytest.raises(KeyboardInterrupt):
            shadow.decide_request(request, record_as="langchain")  # type: ignore[attr-defined]
    else:
        await _cancel_when(shadow.adecide_request(request, record_as="langchain"), control_judge.asked)  # type: ignore[attr-defined]
    [rec] = ledger.records()
    assert (rec.status, rec.variant, rec.framework) == ("abandoned", "control", "langchain")
    assert rec.cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)  # the control judge's cost: unknown
    assert "shadow variant's judge calls" in (rec.error or "")
    [call] = rec.metadata["classifier_calls"]
    assert (call["shadow"], call["variant"], call["model"]) == (True, "candidate", "gpt-4o-mini")
    assert ledger.spend("global", 0.0) == pytest.approx(JUDGE_COST, rel=1e-12)


async def test_a_judge_that_names_its_model_is_charged_what_was_sent() -> None:
    """Both adapters' judges name the model they ask: a call stopped while it answers is
    charged the judge prompt's estimated tokens on that model (nothing received), like an
    abandoned attempt, so budgets count it."""
    from shared_core.pricing import estimate_tokens

    class NamedHangingJudge(HangingJudge):
        judge_model = "gpt-4o-mini"

        async def acomplete(self, prompt: str) -> str:
            self.prompt = prompt
            return await super().acomplete(prompt)

    ledger = InMemoryLedger()
    judge = NamedHangingJudge()
    router = _router(judge, ledger, budget={"limits": [{"scope": "global", "period": "day", "limit_usd": 5.0}]})
    await _cancel_when(router.adecide("hello", record_as="core"), judge.asked)

    [rec] = ledger.records()
    tokens = estimate_tokens(judge.prompt)
    assert rec.cost_usd == pytest.approx(tokens * 0.15 / 1e6, rel=1e-12)
    assert [(c["model"], c["input_tokens"], c["output_tokens"]) for c in rec.metadata["classifier_calls"]] == [
        ("gpt-4o-mini", tokens, 0)
    ]
    assert ledger.spend("global", 0.0) == pytest.approx(rec.cost_usd)
    assert ledger.summary().unknown_cost_records == 0
    # the next call, answered normally, is not charged the stale ask
    judge2 = ScriptedJudge("cheap", model="gpt-4o-mini", usage=Usage(200, 3))
    router2 = _router(judge2, ledger)
    d = await router2.adecide("hello again", record_as="core")
    assert d.classifier_cost_usd == pytest.approx(JUDGE_COST, rel=1e-12)


def test_a_ledger_that_fails_too_never_hides_the_interruption(caplog: pytest.LogCaptureFixture) -> None:
    """A full disk or a broken ledger while recording the stop: the KeyboardInterrupt still
    reaches the caller, and the failure is logged (not swallowed silently)."""

    class BrokenLedger(InMemoryLedger):
        def record(self, rec: object) -> None:  # type: ignore[override]
            raise OSError(28, "No space left on device")

    router = _router(HangingJudge(), BrokenLedger())
    with caplog.at_level("ERROR", logger="tier_router"), pytest.raises(KeyboardInterrupt):
        router.decide("hello", record_as="core")
    assert "could not record" in caplog.text and "No space left on device" in caplog.text
