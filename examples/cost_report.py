"""Two weeks of simulated traffic through the real call engine, then the HTML cost report.

    python examples/cost_report.py [OUTPUT_DIR]        # default: report_output/

Offline: the bundled sample prompts are routed by the embedded classifier on the bundled
4-tier ladder, and each tier is a simulated model (plausible token counts, a few refusals
that escalate, a provider incident on day 5 that makes the cheapest tier fall back).
Every attempt lands in ``OUTPUT_DIR/costs.sqlite``, which is then written as
``OUTPUT_DIR/report.html`` (the same as ``tier-router report costs.sqlite -o report.html``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import sys
import time
from pathlib import Path

from shared_core import Router
from shared_core.dispatch import AttemptResult, execute
from shared_core.errors import RouterError
from shared_core.ledger import InMemoryLedger, SQLiteLedger
from shared_core.pricing import Usage
from shared_core.quality import Answer
from shared_core.report import write_report
from shared_core.testing import FakeRateLimitError

ROOT = Path(__file__).resolve().parent
DAYS = 14
FEATURES = {  # kind of prompt -> the product feature that sends it (a tag)
    "greeting": "support-chat", "short_qa": "support-chat", "fact": "search",
    "translation": "search", "formatting": "docs-assistant", "summarization": "docs-assistant",
    "extraction": "docs-assistant", "creative": "marketing", "explanation": "search",
    "coding": "code-review", "debugging": "code-review", "system_design": "code-review",
    "math": "analytics", "reasoning": "analytics", "proof": "analytics",
}
USERS = [f"team-{n}" for n in ("alpha", "berlin", "core", "data", "growth", "infra", "mobile")]


class SimulatedTiers:
    """A call function for ``execute``: token counts grow with the tier, a few faults."""

    def __init__(self, rng: random.Random, order: list[str]) -> None:
        self.rng = rng
        self.rank = {name: i for i, name in enumerate(order)}
        self.incident = False

    def __call__(self, attempt):  # type: ignore[no-untyped-def]
        rank = self.rank[attempt.tier.name]
        if rank == 0 and self.incident and self.rng.random() < 0.35:
            raise FakeRateLimitError("429 Too Many Requests (simulated incident)")
        if rank <= 1 and self.rng.random() < 0.05:
            text = "I'm sorry, but I can't help with that."
        else:
            text = "simulated answer " * 20
        n_in = int(self.rng.uniform(300, 2500))
        n_out = int(self.rng.uniform(150, 500) * (1 + rank))
        if attempt.tier.max_tokens:
            n_out = min(n_out, attempt.tier.max_tokens)
        return AttemptResult(value=text, usage=Usage(n_in, n_out), answer=Answer(text))


def simulate(path: Path, seed: int = 7) -> int:
    """Write two weeks of calls into a fresh SQLite ledger at ``path``; the number of calls.

    On day 10 the team lowers the knob (``policy.threshold``) from 0.5 to 0.25, as
    ``tier-router calibrate`` might suggest, and more calls go to cheaper tiers.
    """
    rng = random.Random(seed)
    # the simulated faults are expected: do not log a WARNING for each fallback and escalation
    logging.getLogger("tier_router").setLevel(logging.ERROR)
    prompts = [json.loads(line) for line in (ROOT / "workload" / "sample_prompts.jsonl").open()]
    memory = InMemoryLedger()
    base = Router(ledger=memory)
    config = base.config.model_dump()
    model = SimulatedTiers(rng, base.config.tier_names)
    start = (time.time() // 86400 - DAYS) * 86400
    stamps: dict[str, float] = {}
    for day in range(DAYS):
        # one router per simulated day: its cool-downs (wall-clock seconds) start afresh
        config["policy"]["threshold"] = 0.5 if day < 9 else 0.25
        router = Router(config, ledger=memory, classifier=base.classifier)
        model.incident = day == 5
        for _ in range(60 + 6 * day + rng.randrange(20)):
            p = rng.choice(prompts)
            user = USERS[min(int(rng.expovariate(0.6)), len(USERS) - 1)]
            request = router.request(p["prompt"], tags=[FEATURES[p["kind"]]], user=user)
            decision = router.decide_request(request)
            try:
                execute(router.plan(decision, request, prompt_text=p["prompt"]), model)
            except RouterError:
                pass  # every attempt is in the ledger, failed ones too
            stamps[decision.call_id] = start + day * 86400 + rng.uniform(7, 20) * 3600
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    rank = model.rank
    with SQLiteLedger(path) as ledger:
        for rec in memory.records():
            ts = stamps[rec.call_id] + rec.attempt * 2.0
            latency = rng.lognormvariate(0, 0.4) * (400, 900, 1800, 7000)[min(rank[rec.tier], 3)]
            ledger.record(dataclasses.replace(rec, ts=ts, latency_ms=round(latency, 1)))
    return len(stamps)


def main(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    calls = simulate(out / "costs.sqlite")
    with SQLiteLedger(out / "costs.sqlite") as ledger:
        report = write_report(ledger, out / "report.html", source="costs.sqlite")
        s = ledger.summary()
    print(
        f"{calls} calls over {DAYS} days: spent ${s.cost_usd:.2f}, baseline "
        f"${s.baseline_cost_usd:.2f}, saved {s.savings_pct:.0f}%"
    )
    print(f"wrote {report}")
    return report


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("report_output"))
