"""The HTML cost report: ``tier-router report LEDGER -o report.html``.

One self-contained file (inline CSS and server-drawn SVG; nothing is fetched when it is
opened): spend and savings over time against the baseline, the tier mix over time,
escalation and fallback rates per tier, cost per tag and per user, the most expensive
calls. It reads any :class:`~shared_core.ledger.CostLedger` through its public API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..atomic_files import write_atomic
from .data import ReportData, build
from .html import render

__all__ = ["ReportData", "build", "render", "write_report"]


def write_report(
    ledger: Any,
    path: str | Path,
    *,
    title: str = "tier-router cost report",
    source: str = "",
    **kw: Any,
) -> Path:
    """Build the report of ``ledger`` and write it to ``path``; keywords go to :func:`build`."""
    p = Path(path)
    write_atomic(p, render(build(ledger, **kw), title=title, source=source))
    return p
