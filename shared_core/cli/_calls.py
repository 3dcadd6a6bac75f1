"""Simulated calls for ``tier-router demo --calls``: the whole per-call engine, offline.

Every prompt goes through the router's call plan (fallback, escalation, ledger) with a
simulated model per tier instead of a provider. A few deterministic faults show the
engine at work: ~4% of cheapest-tier attempts hit a simulated rate limit (fallback) and
~4% of answers on the two cheapest tiers are refusals (escalation). Every attempt lands
in a SQLite ledger that ``tier-router stats`` can read.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RouterError
from ._common import PromptItem, progress

if TYPE_CHECKING:
    from ..config import RouterConfig


class SimulatedModel:
    """Answers with plausible token usage; faults are a pure function of the prompt id."""

    def __init__(self, output_tokens: int) -> None:
        self.output_tokens = output_tokens
        self.item: PromptItem | None = None
        self.index: dict[str, int] = {}

    def _roll(self, *parts: object) -> int:
        return zlib.crc32(":".join(map(str, parts)).encode()) % 100

    def __call__(self, attempt: Any) -> Any:
        from ..dispatch import AttemptResult
        from ..faults import SimulatedRateLimitError
        from ..pricing import Usage, estimate_tokens
        from ..quality import Answer

        assert self.item is not None
        tier = attempt.tier
        rank = self.index.get(tier.name, 0)
        roll = self._roll(self.item.id, attempt.number, tier.name)
        if rank == 0 and roll < 4:
            raise SimulatedRateLimitError("simulated 429: rate limit reached")
        n_in = estimate_tokens(self.item.text) + estimate_tokens(tier.system_prompt or "")
        scale = 0.5 + self._roll("len", self.item.id) / 100.0
        n_out = max(1, int(self.output_tokens * scale))
        if tier.max_tokens:
            n_out = min(n_out, tier.max_tokens)
        if rank <= 1 and 4 <= roll < 8:
            text = "I'm sorry, but I can't help with that."
        else:
            text = f"(simulated answer from {tier.name}) " + "lorem ipsum " * (n_out // 3)
        return AttemptResult(value=text, usage=Usage(n_in, n_out), answer=Answer(text))


DEMO_MARK = "demo_ledger"
"""The ledger state key that marks a ledger ``demo --calls`` wrote (and may replace)."""


def check_replaceable(ledger_path: Path) -> None:
    """Refuse to replace a ledger at ``ledger_path`` that an earlier demo did not write (a
    project's own ``ledger.db`` in the folder given as ``--output``)."""
    from ..errors import ConfigError, InputError
    from ..ledger import SQLiteLedger

    if not ledger_path.exists():
        return
    refuse = InputError(
        f"{ledger_path} exists and was not written by `tier-router demo --calls` (or by a demo "
        "before 2026-12-05, which did not mark its ledger): the demo starts a fresh ledger there, "
        "so it would delete this one. Give another --output folder, or delete it yourself"
    )
    try:
        ledger = SQLiteLedger(ledger_path)
    except (ConfigError, InputError, OSError):
        raise refuse from None
    try:
        mark, _ = ledger.get_state(DEMO_MARK)
    finally:
        ledger.close()
    if mark is None:
        raise refuse


def run_calls(
    config: RouterConfig,
    items: Sequence[PromptItem],
    ledger_path: Path,
    output_tokens: int,
) -> Any:
    """Send every prompt through the call engine into a fresh SQLite ledger; its summary.

    ``config``: the one the demo decided with (``--config``, else ``$TIER_ROUTER_CONFIG``,
    else the bundled one). Each call is sent with its tier's ``max_tokens``: under a
    per-request cap a tier with none is a :class:`~shared_core.errors.ConfigError` here,
    before the ledger is touched (each call there would be refused)."""
    from ..dispatch import execute
    from ..ledger import SQLiteLedger
    from ..router import Router
    from ._common import check_calls_bounded

    check_calls_bounded(config, "tier-router demo --calls")
    check_replaceable(ledger_path)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{ledger_path}{suffix}").unlink(missing_ok=True)
    ledger = SQLiteLedger(ledger_path)
    try:
        ledger.put_state(DEMO_MARK, {"written_by": "tier-router demo --calls"}, 0)
        router = Router(config, ledger=ledger)
        model = SimulatedModel(output_tokens)
        model.index = {t.name: i for i, t in enumerate(router.config.tiers)}
        with progress(len(items), "simulated calls") as advance:
            for n, item in enumerate(items):
                model.item = item
                request = router.request(item.messages, tags=(item.kind,) if item.kind else ())
                decision = router.decide_request(request, record_as="core")
                plan = router.plan(decision, request, prompt_text=item.text)
                try:
                    execute(plan, model)
                except RouterError:
                    pass  # recorded as failed attempts; the summary counts them
                if n % 4 == 0:  # some users leave feedback
                    score = 0.6 + 0.4 * (model._roll("fb", item.id) / 99.0)
                    router.record_feedback(decision.call_id, round(score, 2))
                advance()
        return ledger.summary()
    finally:
        ledger.close()
