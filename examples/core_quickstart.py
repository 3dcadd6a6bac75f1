"""The core on its own: decide, call (scripted models here), escalate, fall back, account.

    python examples/core_quickstart.py

Runs offline: the "models" are shared_core.testing.ScriptedModel, which you would replace
with calls to your provider (see shared_core.dispatch.execute's docstring).
"""

from __future__ import annotations

from shared_core import Router
from shared_core.dispatch import execute
from shared_core.testing import FakeRateLimitError, ScriptedModel

router = Router()  # bundled 4-tier ladder on the embedded default classifier

prompts = [
    "hey, thanks a lot!",
    "What's the boiling point of water at sea level in Fahrenheit?",
    "Write a Python function that returns the n-th Fibonacci number iteratively, with tests.",
    "Prove that every finite integral domain is a field, then generalise to finite rings "
    "without zero divisors and explain where commutativity is (not) needed.",
]
for text in prompts:
    d = router.decide(text)
    print(f"{d.tier:>9} {d.model:<13} conf={d.confidence:.2f} {d.latency_us:7.0f}µs  {text[:60]}")

# The simple tier refuses once (escalation), the medium tier is rate-limited (fallback).
model = ScriptedModel(
    replies={
        "simple": ["I'm sorry, I can't help with that."],
        "medium": [FakeRateLimitError("429 Too Many Requests")],
    }
)
text = "Give me three synonyms for 'happy'."
decision = router.decide(text, force="simple", tags=["demo"])
plan = router.plan(decision, router.request(text, tags=["demo"]))
result = execute(plan, model)
meta = plan.metadata()
print(f"\nanswer: {result.value!r}")
print(
    f"answered by {meta['tier']} after {meta['attempts']} attempts; escalated={meta['escalated']}, "
    f"fallbacks tried={meta['fallbacks_tried']}"
)
for rec in router.ledger.records():
    print(
        f"  attempt {rec.attempt}: {rec.tier:<8} {rec.status:<8} {rec.error_kind or '':<10} "
        f"cost=${rec.cost_usd or 0:.8f}"
    )
summary = router.ledger.summary()
print(
    f"\nledger: {summary.calls} call, {summary.records} attempt records, "
    f"cost ${summary.cost_usd:.8f} vs baseline ${summary.baseline_cost_usd:.8f}"
)
assert meta["tier"] == "complex" and meta["escalated"] and meta["fallbacks_tried"] == ["medium"]
