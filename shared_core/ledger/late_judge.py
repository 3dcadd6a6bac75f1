"""The record of a shadow candidate's judge that answered after the live call stopped waiting.

A ``VariantRouter(mode="shadow", shadow_timeout_s=...)`` candidate that asks an LLM judge and
has not decided by the bound keeps running in its thread (:mod:`shared_core.shadow_wait`): its
judge is paid, but the live call's records were written without it. When it ends, its judge's
calls become one record of the live call (:mod:`shared_core.late_shadow`): its ``call_id``, at
:data:`LATE_JUDGE_ATTEMPT` (past any real attempt, short of a lapsed hold's), ``status
"abandoned"`` (no tier was called for it), ``error_kind`` :data:`LATE_JUDGE_KIND`, no tokens of
its own, ``cost_usd`` what the judge cost (``None`` for a judge on an unpriced model), the judge's
calls in ``metadata["classifier_calls"]``. Budgets and spend count it like any record; the summary
and the variant comparison count its cost in its call's, and never take it for where the call
ended (:func:`is_late_judge`).
"""

from __future__ import annotations

from typing import Any

LATE_JUDGE_KIND = "late_shadow_judge"
"""The ``error_kind`` of a late shadow judge's record."""
LATE_JUDGE_ATTEMPT = 1 << 39
"""Its ``attempt``: one per call (a shadow decides once), its ``(call_id, attempt)`` its own."""


def is_late_judge(rec: Any) -> bool:
    return getattr(rec, "error_kind", None) == LATE_JUDGE_KIND
