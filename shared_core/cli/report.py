"""``tier-router report``: a cost ledger as one self-contained HTML page.

tier-router report ledger.db -o report.html [--since 7d] [--until ...] [--tag TAG]
                   [--config router.yaml] [--top 15] [--title TEXT]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._common import open_ledger_arg
from .stats import parse_time


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "report",
        help="write a cost ledger as one self-contained HTML report (charts, no network)",
        description="Spend and savings over time against the baseline, tier mix over time, "
        "escalation and fallback rates per tier, cost per tag and per user, and the most "
        "expensive calls, in one HTML file that needs no network to view.",
    )
    p.add_argument("ledger", help="the SQLite ledger file, or a postgresql:// URL")
    p.add_argument("-o", "--output", default="report.html", help="HTML file to write")
    p.add_argument("--since", help="start: ISO date/time (UTC), 'today', or 30m / 12h / 7d / 2w")
    p.add_argument("--until", help="end (exclusive), same forms as --since")
    p.add_argument("--tag", help="only calls with this tag")
    p.add_argument("-c", "--config", help="router config, to list tiers in ladder order")
    p.add_argument("--top", type=int, default=15, help="most expensive calls to list (default 15)")
    p.add_argument("--title", default="tier-router cost report", help="the page's title")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..report import write_report

    if args.top < 0:
        raise InputError(f"--top must be >= 0, got {args.top}")
    since = parse_time(args.since, "--since")
    until = parse_time(args.until, "--until")
    tiers = None
    if args.config:
        from ..config import RouterConfig

        tiers = RouterConfig.from_file(args.config).tier_names
    out = Path(args.output)
    if out.is_dir():
        raise InputError(f"--output {args.output!r} is a folder; give a file name such as report.html")
    ledger = open_ledger_arg(args.ledger)
    try:
        try:
            path = write_report(
                ledger, out, title=args.title, source=_source(args.ledger),
                since=since, until=until, tag=args.tag, tier_order=tiers, top=args.top,
            )
        except OSError as exc:
            raise InputError(f"cannot write {args.output!r}: {exc.strerror or exc}") from None
    finally:
        ledger.close()
    print(f"wrote {path}")
    return 0


def _source(value: str) -> str:
    """How the page names its ledger: a file's name, or a URL's database (never its password)."""
    from ..ledger import is_postgres_url

    if is_postgres_url(value):
        from urllib.parse import urlsplit

        parts = urlsplit(value.strip())
        return f"PostgreSQL {parts.hostname or 'localhost'}/{parts.path.lstrip('/') or '(default)'}"
    return Path(value).name
