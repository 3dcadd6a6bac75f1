"""Everyday routing: does zero-config ``Router()`` place everyday requests as people do?

    python benchmarks/everyday_routing.py [--data ../shared/data/everyday_dev.jsonl] [--json OUT]
    python benchmarks/everyday_routing.py --heldout     # the project's own held-out ladder set
    python benchmarks/everyday_routing.py --check       # the own check set (benchmarks/data/everyday_check.jsonl)
    python benchmarks/everyday_routing.py --check --after-heavy   # each request after a heavy earlier exchange

Each row is a request labelled with the tier a practitioner would pick on the four-tier
ladder (1 simple ... 4 frontier). The request goes through ``Router().decide`` exactly as
an application sends it (``messages`` when the row has them); the chosen tier and its
confidence are scored by :func:`shared_core.training.ladder_metrics.ladder_report`.
The dev file is read at run time and never copied; nothing here trains on it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_core.training.ladder_metrics import (  # noqa: E402
    format_report,
    ladder_report,
    read_ladder_rows,
    request_of,
)

DEV = ROOT.parent / "shared" / "data" / "everyday_dev.jsonl"
CHECK = ROOT / "benchmarks" / "data" / "everyday_check.jsonl"
"""120 requests written separately from the training templates and never trained on."""


HEAVY_EXCHANGES = [
    (
        "Our Kubernetes pods restart every few minutes with exit code 137 and the liveness probe times "
        "out. Here is the deployment spec and the last events:\n```yaml\nresources:\n  limits:\n    "
        "memory: 256Mi\nlivenessProbe:\n  httpGet: {path: /health, port: 8080}\n  timeoutSeconds: 1\n```\n"
        "Events: OOMKilled (x14), Liveness probe failed: context deadline exceeded.",
        "Exit code 137 with OOMKilled means the container hit its 256Mi limit; the probe failures are a "
        "symptom (the JVM is in GC thrash before the kill). Raise the limit, set -XX:MaxRAMPercentage=75, "
        "give the probe a 5 s timeout and an initialDelaySeconds, and add a readiness probe so traffic ...",
    ),
    (
        "Derive the closed-form solution of ridge regression, show it is unique for any lambda > 0, and "
        "explain its bias-variance trade-off in terms of the SVD of X.",
        "Setting the gradient of ||y - Xb||^2 + lambda ||b||^2 to zero gives (X^T X + lambda I) b = X^T y; "
        "X^T X is positive semi-definite, so adding lambda I makes it positive definite and invertible ...",
    ),
]
"""Earlier turns written for this benchmark (not in the training data): with ``--after-heavy``
each request follows one of them, so a light ask must not be lifted by its context."""


def after_heavy(row: dict, i: int) -> dict:
    """``row`` as the last turn of a conversation that began with a heavy exchange."""
    u, a = HEAVY_EXCHANGES[i % len(HEAVY_EXCHANGES)]
    msgs = [{"role": "user", "content": u}, {"role": "assistant", "content": a}, *request_of(row)]
    return {**row, "messages": msgs}


def route_rows(rows: list[dict], threshold: float | None = None) -> tuple[list[int], list[float], float]:
    """Chosen tier index and confidence per row from ``Router()`` (with ``policy.threshold``
    set when given); mean µs per decision."""
    from shared_core import Router

    router = Router()
    if threshold is not None:
        import yaml

        from shared_core import RouterConfig
        from shared_core.router import default_config_path

        data = yaml.safe_load(default_config_path().read_text(encoding="utf-8"))
        data["policy"] = {**data.get("policy", {}), "threshold": threshold}
        router = Router(RouterConfig.build(data))
    router.decide("warm-up")
    chosen, conf = [], []
    t = time.perf_counter()
    for r in rows:
        d = router.decide(request_of(r))
        chosen.append(d.index)
        conf.append(d.confidence)
    us = (time.perf_counter() - t) * 1e6 / max(1, len(rows))
    return chosen, conf, us


BY_LANG_FIGURES = (
    ("exact", "exact"), ("within_one", "within one"), ("tier1_cheapest", "tier 1 cheapest"),
    ("tier12_lower_half", "tiers 1–2 lower"), ("tier34_upper_half", "tiers 3–4 upper"),
    ("tier4_top", "tier 4 top"),
)


def by_language(rows: list[dict], chosen: list[int], conf: list[float]) -> str:
    """A Markdown table: the main figures for each language's rows (``lang``, else "?")."""
    langs = sorted({str(r.get("lang", "?")) for r in rows})
    head = "| lang | n | " + " | ".join(label for _, label in BY_LANG_FIGURES) + " | mean conf |"
    lines = [head, "|---" * (len(BY_LANG_FIGURES) + 3) + "|"]
    for lang in langs:
        keep = [i for i, r in enumerate(rows) if str(r.get("lang", "?")) == lang]
        rep = ladder_report([int(rows[i]["tier"]) for i in keep], [chosen[i] for i in keep], [conf[i] for i in keep])
        cells = ["—" if rep.get(k) is None else f"{100 * rep[k]:.0f}%" for k, _ in BY_LANG_FIGURES]
        mean_conf = sum(conf[i] for i in keep) / len(keep)
        lines.append(f"| {lang} | {len(keep)} | " + " | ".join(cells) + f" | {mean_conf:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(DEV), help="ladder file (JSONL with prompt/messages, tier)")
    ap.add_argument("--heldout", action="store_true", help="use the project's own held-out ladder set")
    ap.add_argument("--check", action="store_true", help=f"use the own check set ({CHECK.name})")
    ap.add_argument("--json", dest="json_out", help="also write the figures as JSON here")
    ap.add_argument("--misses", type=int, default=0, help="print this many misplaced requests")
    ap.add_argument(
        "--after-heavy",
        action="store_true",
        help="send each request as the last turn after a heavy earlier exchange (context robustness)",
    )
    ap.add_argument(
        "--threshold", type=float, default=None,
        help="route with this policy.threshold (the knob) instead of the shipped one: is the "
        "confidence still calibrated when the knob moves the choice?",
    )
    ap.add_argument(
        "--by-lang", action="store_true",
        help="also print the main figures per language (the rows' `lang`)",
    )
    args = ap.parse_args(argv)
    if args.heldout:
        from shared_core.training.ladder_data import heldout_rows

        rows, name = heldout_rows(), "own held-out ladder set"
    elif args.check:
        rows, name = read_ladder_rows(CHECK), "own check set"
    else:
        path = Path(args.data)
        if not path.exists():
            print(f"everyday_routing skipped: no ladder file at {path}")
            return 0
        rows, name = read_ladder_rows(path), path.name
    if args.after_heavy:
        rows = [after_heavy(r, i) for i, r in enumerate(rows) if not r.get("messages")]
        name += ", each after a heavy earlier exchange (single-turn requests only)"
    chosen, conf, us = route_rows(rows, args.threshold)
    if args.threshold is not None:
        name += f", policy.threshold {args.threshold}"
    rep = ladder_report([int(r["tier"]) for r in rows], chosen, conf)
    rep["mean_decide_us"] = round(us, 1)
    print(format_report(f"Router() on {name}", rep))
    print(f"\nmean decide: {us:.0f} µs")
    if args.by_lang:
        print("\n" + by_language(rows, chosen, conf))
    shown = 0
    for r, c, p in zip(rows, chosen, conf):
        if shown >= args.misses:
            break
        if c + 1 != int(r["tier"]):
            shown += 1
            text = str(r.get("prompt", ""))[:110].replace("\n", " ")
            print(f"  label {r['tier']} chose {c + 1} conf {p:.2f} [{r.get('category', '')}] {text}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(rep, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
