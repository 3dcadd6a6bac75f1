"""The ladder's routing with this round's rules against a reference, side by side on every set.

    python benchmarks/ladder_side_by_side.py [--ref-models DIR] [--ref-rules] [--skip GLOB ...] [--speed] [--show]

``reference``: ``Router()`` with the ladder model of ``--ref-models`` (default: the shipped one)
and without the rules of the ninth round (``context_asks: false``: a short debugging ask over
the earlier turns' code, logs or tool calls; ``short_problems: false``: short competition problems;
``--ref-rules`` keeps both on) and without the tenth round's (``light_asks``: light asks in heavy
words; ``snippet_asks``: a short snippet to explain);
``candidate``: ``Router()`` as shipped in this tree. Sets: everyday_dev (``../shared/data``), the
own held-out templates, the own check set, each of them again after a heavy earlier exchange
(``everyday_routing.after_heavy``), and every ``benchmarks/data/*.jsonl`` not matched by a
``--skip`` glob. Per set: the issue's figures both ways and how many requests moved (fixed /
broken / other). ``--speed`` times ``decide`` both ways, alternately in one process.
"""

from __future__ import annotations

import argparse
import fnmatch
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from everyday_routing import CHECK, DEV, after_heavy  # noqa: E402

from shared_core import Router, RouterConfig  # noqa: E402
from shared_core.router import default_config_path  # noqa: E402
from shared_core.training.ladder_data import heldout_rows  # noqa: E402
from shared_core.training.ladder_metrics import ladder_report, read_ladder_rows, request_of  # noqa: E402

FIGURES = ("exact", "within_one", "tier1_cheapest", "tier12_lower_half", "tier34_upper_half", "tier4_top")


def routers(ref_models: str | None, ref_rules: bool = False) -> dict[str, Router]:
    import yaml

    data = yaml.safe_load(default_config_path().read_text(encoding="utf-8"))
    opts: dict[str, object] = {"context_asks": ref_rules, "short_problems": ref_rules}
    if ref_models:
        opts["models_dir"] = ref_models
    ref = Router(RouterConfig.build({**data, "classifier": {"type": "embedded", "options": opts}}))
    ref.classifier.light_asks = False  # type: ignore[attr-defined]  # (the tenth round's rules: off)
    ref.classifier.snippet_asks = False  # type: ignore[attr-defined]
    return {"reference": ref, "candidate": Router()}


def sets(skip: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    if DEV.exists():
        out["dev"] = read_ladder_rows(DEV)
    out["held-out"] = heldout_rows()
    out["check"] = read_ladder_rows(CHECK)
    for name in ("dev", "held-out", "check"):
        if name in out:
            out[f"{name}, after heavy"] = [after_heavy(r, i) for i, r in enumerate(out[name]) if not r.get("messages")]
    for path in sorted((ROOT / "benchmarks" / "data").glob("*.jsonl")):
        if path.name == CHECK.name or any(fnmatch.fnmatch(path.name, g) for g in skip):
            continue
        out[path.stem] = read_ladder_rows(path)
    return out


def decide_all(router: Router, rows: list[dict]) -> tuple[list[int], list[float]]:
    ds = [router.decide(request_of(r)) for r in rows]
    return [d.index for d in ds], [d.confidence for d in ds]


def cell(rep: dict, key: str) -> str:
    v = rep[key]
    return "—" if v is None else f"{100 * v:.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref-models", default=None, help="models dir of the reference (default: the shipped one)")
    ap.add_argument(
        "--ref-rules", action="store_true",
        help="keep the ninth round's rules on in the reference too (two models compared, same rules)",
    )
    ap.add_argument("--skip", action="append", default=[], help="file-name glob of benchmarks/data to leave out")
    ap.add_argument("--speed", action="store_true", help="time decide both ways instead")
    ap.add_argument("--show", action="store_true", help="print each request whose tier moved")
    args = ap.parse_args(argv)
    rs = routers(args.ref_models, args.ref_rules)
    data = sets(args.skip)
    if args.speed:
        print("| set | reference µs | candidate µs | ratio |\n|---|---|---|---|")
        for name, rows in data.items():
            msgs = [request_of(r) for r in rows]
            for r in rs.values():
                for m in msgs:
                    r.decide(m)
            per: dict[str, list[float]] = {"reference": [], "candidate": []}
            for m in msgs:
                for k, r in rs.items():
                    best = float("inf")
                    for _ in range(3):
                        t = time.perf_counter()
                        r.decide(m)
                        best = min(best, time.perf_counter() - t)
                    per[k].append(best * 1e6)
            a, b = statistics.median(per["reference"]), statistics.median(per["candidate"])
            print(f"| {name} | {a:.0f} | {b:.0f} | {b / a:.2f}× |")
        return 0
    head = " | ".join(f"{k} ref → cand" for k in ("exact", "within", "t1 cheapest", "t1–2 lower", "t3–4 upper",
                                                   "t4 top", "ECE"))
    print(f"| set | n | {head} | fixed / broken / moved |")
    print("|---" * 10 + "|")
    pooled: dict[str, list] = {"t": [], "reference": [], "candidate": [], "c_reference": [], "c_candidate": []}
    for name, rows in data.items():
        tiers = [int(r["tier"]) for r in rows]
        got = {k: decide_all(r, rows) for k, r in rs.items()}
        reps = {k: ladder_report(tiers, *got[k]) for k in rs}
        if "after heavy" not in name:
            pooled["t"] += tiers
            for k in rs:
                pooled[k] += got[k][0]
                pooled["c_" + k] += got[k][1]
        fixed = broken = moved = 0
        for i, t in enumerate(tiers):
            a, b = got["reference"][0][i] + 1, got["candidate"][0][i] + 1
            if a == b:
                continue
            fixed += b == t
            broken += a == t
            moved += a != t and b != t
            if args.show:
                text = str(rows[i].get("prompt", ""))[:100].replace("\n", " ")
                print(f"  {name}: label {t}, {a} -> {b} | {text}")
        cells = [f"{cell(reps['reference'], k)} → {cell(reps['candidate'], k)}" for k in FIGURES]
        cells.append(f"{reps['reference']['ece']:.3f} → {reps['candidate']['ece']:.3f}")
        print(f"| {name} | {len(rows)} | " + " | ".join(cells) + f" | {fixed} / {broken} / {moved} |")
    reps = {k: ladder_report(pooled["t"], pooled[k], pooled["c_" + k]) for k in rs}
    cells = [f"{cell(reps['reference'], k)} → {cell(reps['candidate'], k)}" for k in FIGURES]
    cells.append(f"{reps['reference']['ece']:.3f} → {reps['candidate']['ece']:.3f}")
    print(f"| pooled (not after heavy) | {len(pooled['t'])} | " + " | ".join(cells) + " | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
