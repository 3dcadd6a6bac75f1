"""Mutation score per module from a finished (or partial) ``mutmut run`` (``make mutation``).

Reads mutmut 3's result files (``mutants/<module>.py.meta``) and prints, per module, how
many mutants were killed (a test failed or timed out), survived, had no test reaching them
or were not checked yet, then the score: killed / checked, and (killed + explained) /
checked, where "explained" are survivors judged harmless in ``mutation_harmless.toml``
beside this script (each with the reason). Survivors not explained are listed by name:
``mutmut show <name>`` prints the diff.

    python benchmarks/mutation_score.py [--markdown]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
HARMLESS = Path(__file__).with_name("mutation_harmless.toml")
KILLED = {1, 3, 36, 24, -24, 152, 255, 37}  # test failure, pytest error, timeout, type check
SURVIVED = {0}
NO_TESTS = {5, 33}


def _status(code: int | None) -> str:
    if code is None:
        return "not checked"
    if code in KILLED:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    return "other"


def collect(root: Path) -> dict[str, dict[str, str]]:
    """``{module path: {mutant name: status}}`` from ``root/mutants/**/*.py.meta``."""
    out: dict[str, dict[str, str]] = {}
    for meta in sorted((root / "mutants").rglob("*.py.meta")):
        module = str(meta.relative_to(root / "mutants"))[: -len(".meta")]
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data.get("exit_code_by_key") or {}
        out[module] = {name: _status(code) for name, code in codes.items()}
    return out


def harmless() -> dict[str, str]:
    if not HARMLESS.exists():
        return {}
    return {k: str(v) for k, v in tomllib.loads(HARMLESS.read_text(encoding="utf-8")).items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--markdown", action="store_true", help="a Markdown table for BENCHMARKS.md")
    args = ap.parse_args(argv)
    results = collect(ROOT)
    if not results:
        print("no mutmut results under mutants/: run `make mutation` first", file=sys.stderr)
        return 1
    explained = harmless()
    rows = []
    unexplained: list[str] = []
    total = Counter[str]()
    for module, statuses in results.items():
        c = Counter(statuses.values())
        expl = sum(1 for n, s in statuses.items() if s == "survived" and n in explained)
        unexplained += [n for n, s in statuses.items() if s == "survived" and n not in explained]
        c["explained"] = expl
        total.update(c)
        rows.append((module, c))
    rows.append(("total", total))
    head = ("module", "mutants", "killed", "survived", "explained", "no tests", "not checked",
            "killed %", "killed or explained %")
    lines = []
    for module, c in rows:
        checked = c["killed"] + c["survived"] + c["no tests"] + c["other"]
        pct = 100.0 * c["killed"] / checked if checked else float("nan")
        pct2 = 100.0 * (c["killed"] + c["explained"]) / checked if checked else float("nan")
        lines.append((module, sum(v for k, v in c.items() if k != "explained"), c["killed"],
                      c["survived"], c["explained"], c["no tests"], c["not checked"],
                      f"{pct:.1f}", f"{pct2:.1f}"))
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in lines:
            print("| " + " | ".join(str(x) for x in line) + " |")
    else:
        widths = [max(len(str(x)) for x in col) for col in zip(head, *lines)]
        for line in (head, *lines):
            print("  ".join(str(x).ljust(w) for x, w in zip(line, widths)))
    if unexplained:
        print(f"\n{len(unexplained)} survivors not explained (mutmut show <name>):")
        for name in unexplained:
            print("  " + name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
