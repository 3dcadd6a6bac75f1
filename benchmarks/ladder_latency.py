"""The shipped ladder model against an earlier one, interleaved prompt by prompt, by length.

    .venv/bin/python benchmarks/ladder_latency.py --before 48e5e38 [--n 2000]

``--before`` is a commit whose ``shared_core/data/models/ladder.json/.npz`` are read with
``git show`` (into a temporary folder) and run by today's code, so what is compared is the
model file and the feature kind it names (``hashed-ngrams-v1`` takes the sorted numpy path,
``-v2`` the memoised word sums of ``shared_core/word_sums.py``). Each prompt goes through
both models' ``proba_list`` in alternating order. Two passes: ``cold`` (fresh models: each
new word is hashed and, for ``v2``, its product with the weights memoised) and ``warm``
(the same prompts again, as in a service whose vocabulary is known). Prompts as in
``decision_latency.py``: the bundled workload plus public dev prompts read at run time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decision_latency import load_prompts

from shared_core.classifiers.ladder_model import LadderModel

ROOT = Path(__file__).resolve().parent.parent
MODELS = "shared_core/data/models"
GROUPS = {
    "short (≤ 96 chars)": lambda n: n <= 96,
    "middle (97–480)": lambda n: 96 < n <= 480,
    "long (> 480)": lambda n: n > 480,
    "all": lambda n: True,
}


def model_at(commit: str, folder: Path) -> LadderModel:
    for name in ("ladder.json", "ladder.npz"):
        blob = subprocess.run(
            ["git", "show", f"{commit}:{MODELS}/{name}"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        (folder / name).write_bytes(blob)
    return LadderModel.load(folder / "ladder.json")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", required=True, help="commit whose ladder files to compare against")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    args = ap.parse_args(argv)
    prompts = load_prompts(Path(args.data_dir), args.n)
    with tempfile.TemporaryDirectory() as tmp:
        before = model_at(args.before, Path(tmp))
    now = LadderModel.load(ROOT / MODELS / "ladder.json")
    kinds = before.features["kind"], now.features["kind"]
    print(f"{len(prompts)} prompts; before ({args.before}): {kinds[0]}; now: {kinds[1]}")
    print("| pass | prompts | n | before: median | p90 | now: median | p90 | median ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for name in ("cold", "warm"):
        times: dict[str, list[tuple[int, float]]] = {"before": [], "now": []}
        for i, p in enumerate(prompts):
            order = (("before", before), ("now", now)) if i % 2 else (("now", now), ("before", before))
            for key, model in order:
                t = time.perf_counter()
                model.proba_list(p)
                times[key].append((len(p), time.perf_counter() - t))
        for group, keep in GROUPS.items():
            b = [t * 1e6 for n, t in times["before"] if keep(n)]
            a = [t * 1e6 for n, t in times["now"] if keep(n)]
            if len(b) < 10:
                continue
            mb, ma = statistics.median(b), statistics.median(a)
            pb, pa = statistics.quantiles(b, n=10)[-1], statistics.quantiles(a, n=10)[-1]
            print(f"| {name} | {group} | {len(b)} | {mb:.0f} µs | {pb:.0f} µs | {ma:.0f} µs | {pa:.0f} µs | {ma / mb:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
