"""Signals the mmlupro head does not have, through the shipped head's folds (issue 12).

    .venv/bin/python benchmarks/mmlupro_signals.py [--smoothing] [--own-solver 1e-4 1e-6]
        [--stack-own 1e-6]            # ~20 min here (+5, +20, +17), cached under --cache;
                                      # benchmarks/results/mmlupro_signals.json
    # the wordllama rows need the bench group (`make bench` installs it; weights in its wheel)

Builds the folds ``recipe.train_best`` builds for mmlupro (train + dev rows, near-duplicate
groups, seed 0, five folds; ``recipe_ablation.prepare``), scores the shipped recipe on them,
and beside it, each fitted on a fold's training rows only and scored on its held-out rows:

* engineered question signals (calculation vs recall, numeric options, units, formulas,
  option lengths and likeness, negations) in a logistic head per model;
* a *subject prior*: a linear classifier of the 14 MMLU-Pro subjects over the head's own
  hashed features, trained on the rows' ``task`` labels (the label is a training target
  only: at decision time the prior reads the prompt text), its probabilities times each
  subject's per-model mean score on the training rows; beside it the ceiling with the true
  subject (not allowed at decision time);
* wordllama sentence embeddings (logistic head, kNN, k-means cluster means), if installed;
* stackers: a logistic layer per model over the shipped head's and the prior's logits (and
  a variant with one shared difficulty, the mean logit, in place of the four: an item-
  response-style joint structure), fitted *nested*: fold f's stacker learns from inner
  4-fold out-of-fold predictions of f's training rows, never from f.

Blends are ``(1 - a) * shipped + a * candidate`` at fixed ``a`` (0.35, 0.5), not tuned per
row of the table. Figures: cost to reach 95% of the best model's quality as a share of its
cost, utility rule (the shipped rule), mean ± sd over the five folds and each fold.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import recipe_ablation as RA  # noqa: E402

from shared_core.classifiers.embedded import MODELS_DIR  # noqa: E402
from shared_core.classifiers.knn import KnnHead  # noqa: E402
from shared_core.features import FeatureExtractor  # noqa: E402
from shared_core.training import cv as CV  # noqa: E402
from shared_core.training.recipe import KNN, RECIPE_DIM  # noqa: E402
from shared_core.training.train import _apply, _fit  # noqa: E402

SRC = "mmlupro"
_OPT = re.compile(r"(?m)^\s*\(?([A-J])[\.\)]\s+(.*)$")
_NUM = re.compile(r"-?\d+(?:[.,]\d+)*")
_UNIT = re.compile(
    r"(?i)\b(m/s|km|kg|mol|moles|j|kj|ev|hz|khz|mhz|k|°c|°f|v|volts?|ohms?|Ω|w|kw|watts?|n|pa|kpa|"
    r"atm|mm|cm|nm|ml|l|g|mg|s|ms|sec|hr|hours?|minutes?|amps?|a|c|f|t|btu|lbm?|ft|in|psi|rpm|db|%|\$)\b"
)
_CALC = re.compile(
    r"(?i)\b(calculate|compute|find|determine|estimate|how (many|much|long|far|fast)|what is the "
    r"(value|magnitude|probability|number|rate|speed|energy|force|amount|total|area|volume|mass|"
    r"ratio|ph)|evaluate|solve)\b"
)
_RECALL = re.compile(
    r"(?i)\b(which of the following|according to|refers to|is known as|best describes|is defined|"
    r"was|who|why|primarily|most likely)\b"
)
_NEG = re.compile(r"\b(NOT|EXCEPT|LEAST|FALSE|INCORRECT)\b")
_FORMULA = re.compile(r"[=^√∫∑πθλμΔ]|\\frac|\\sqrt|\b[a-z]\s*\(\s*[a-z]\s*\)")


def engineered(prompt: str) -> list[float]:
    """23 question signals: stem length, option structure, calculation vs recall cues."""
    found = list(_OPT.finditer(prompt))
    q = prompt[: found[0].start()] if found else prompt
    opts = [m.group(2).strip() for m in found]
    lens = np.array([len(o) for o in opts], float) if opts else np.zeros(1)

    def share(test: Callable[[str], bool]) -> float:
        return float(np.mean([test(o) for o in opts])) if opts else 0.0

    sets = [set(re.findall(r"\w+", o.lower())) for o in opts]
    sims = [len(a & b) / max(1, len(a | b)) for i, a in enumerate(sets) for b in sets[i + 1 :]]
    common = next(
        (i for i, cs in enumerate(zip(*opts)) if len(set(cs)) > 1), min(map(len, opts or [""]))
    )
    prefix = common / max(1.0, float(lens.mean())) if len(opts) > 1 else 0.0
    words = re.findall(r"\w+", q.lower())
    return [
        math.log1p(len(q)) / 8,
        math.log1p(len(words)) / 6,
        len(q) / max(1, len(prompt)),
        len(opts) / 10,
        share(lambda o: bool(re.search(r"\d", o))),
        math.log1p(lens.mean()) / 6,
        float(lens.std() / max(1.0, lens.mean())),
        math.log1p(lens.max()) / 6,
        float(np.mean(sims)) if sims else 0.0,
        share(lambda o: bool(_UNIT.search(o)) and bool(re.search(r"\d", o))),
        min(1.0, len(_NUM.findall(q)) / 6),
        min(1.0, len(_UNIT.findall(q)) / 6),
        1.0 if _CALC.search(q) else 0.0,
        1.0 if _RECALL.search(q) else 0.0,
        1.0 if _NEG.search(q) else 0.0,
        1.0 if re.search(r"(?i)statement\s*(1|i)\b", q) else 0.0,
        min(1.0, len(_FORMULA.findall(q)) / 4),
        sum(c.isdigit() for c in q) / max(1, len(q)),
        share(lambda o: bool(re.search(r"\d\s*[×x*]\s*10|e-?\d|10\^", o))),
        share(lambda o: bool(re.fullmatch(r"[-+$]?\s*[\d.,/\s]+\s*\S{0,8}", o))),
        math.log1p(prompt.count("\n")) / 4,
        min(1.0, len(re.findall(r"[.?!](\s|$)", q)) / 10),
        min(1.0, prefix),
    ]


class Bench:
    """The folds, the shipped head's out-of-fold predictions, and cached candidates."""

    def __init__(self, data: Path, cache: Path) -> None:
        self.cache = cache
        d = RA.prepare(data, SRC, [1e-4], [40], cache)
        self.d, self.S, self.C, self.fold = d, d["S"], d["C"], d["fold"]
        self.M = self.S.shape[1]
        self.rel = self.C.mean(0) / self.C.mean(0).max()
        rows = [r for sp in ("train", "dev") for r in RA._read(data / f"{SRC}_{sp}.jsonl")]
        self.texts = [str(r["prompt"]) for r in rows]
        self.tasks = np.array([str(r["task"]) for r in rows])
        self.groups = CV.near_duplicate_groups(self.texts)
        self.X = FeatureExtractor(RECIPE_DIM).transform(self.texts)
        self.F = np.array([engineered(t) for t in self.texts])
        rec = json.loads((MODELS_DIR / f"source_{SRC}.json").read_text())["info"]["cv"]["recipe"]
        self.recipe = rec
        self.P0 = np.zeros(self.S.shape)
        for f in range(5):
            self.P0[self.fold == f] = RA._blend(
                d, f, rec["lam"], 40, rec["knn_weight"], rec["cost_weight"]
            )

    def csr(self):  # the hashed features for scikit-learn
        import scipy.sparse as sp

        X = self.X
        return sp.csr_matrix((X.data, X.indices, X.indptr), shape=(X.n_rows, X.dim))

    def figure(self, P: np.ndarray) -> dict:
        v = np.array(
            [
                min(
                    CV.fold_figure(
                        P[self.fold == f],
                        self.S[self.fold == f],
                        self.C[self.fold == f],
                        self.recipe["rule"],
                        self.rel,
                    ),
                    9.99,
                )
                for f in range(5)
            ]
        )
        return {
            "mean": float(v.mean()),
            "std": float(v.std(ddof=1)),
            "folds": [round(float(x), 4) for x in v],
        }

    def per_fold(self, name: str, fn: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
        path = self.cache / f"{SRC}_{name}.npy"
        if path.exists():
            return np.load(path)
        t0 = time.perf_counter()
        out = None
        for f in range(5):
            va, tr = np.flatnonzero(self.fold == f), np.flatnonzero(self.fold != f)
            got = fn(tr, va)
            out = np.zeros((len(self.S), got.shape[1])) if out is None else out
            out[va] = got
        assert out is not None
        np.save(path, out)
        print(f"  [{name}: {time.perf_counter() - t0:.0f}s]", flush=True)
        return out


def logistic_heads(b: Bench, Z: np.ndarray, c: float) -> Callable:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    def fn(tr: np.ndarray, va: np.ndarray) -> np.ndarray:
        sc = StandardScaler().fit(Z[tr])
        A, V = sc.transform(Z[tr]), sc.transform(Z[va])
        return np.stack(
            [
                LogisticRegression(C=c, max_iter=2000).fit(A, b.S[tr, j]).predict_proba(V)[:, 1]
                for j in range(b.M)
            ],
            1,
        )

    return fn


def subject_prior(b: Bench, Xc, temperature: float = 5.0) -> Callable:
    """Linear SVM over the hashed features -> softmax -> times per-subject mean scores."""
    from sklearn.svm import LinearSVC

    def fn(tr: np.ndarray, va: np.ndarray) -> np.ndarray:
        clf = LinearSVC(C=3.0).fit(Xc[tr], b.tasks[tr])
        D = clf.decision_function(Xc[va])
        pr = np.exp(temperature * (D - D.max(1, keepdims=True)))
        pr /= pr.sum(1, keepdims=True)
        means = np.stack([b.S[tr][b.tasks[tr] == t].mean(0) for t in clf.classes_])
        acc = float((clf.classes_[pr.argmax(1)] == b.tasks[va]).mean())
        return np.hstack([pr @ means, np.full((len(va), 1), acc)])

    return fn


def own_solver_prior(b: Bench, lam: float = 1e-4) -> Callable:
    """The subject prior with the project's own solver: one-vs-rest Adam logistic heads."""
    labels = sorted(set(b.tasks.tolist()))
    Y = (b.tasks[:, None] == np.array(labels)[None, :]).astype(float)

    def fn(tr: np.ndarray, va: np.ndarray) -> np.ndarray:
        W, bias = _fit(b.X.take(tr), Y[tr], lam, "logistic", None)
        pr = _apply(b.X.take(va).dot(W) + bias, "logistic")
        pr /= pr.sum(1, keepdims=True)
        means = np.stack([b.S[tr][b.tasks[tr] == t].mean(0) for t in labels])
        acc = float((pr.argmax(1) == Y[va].argmax(1)).mean())
        return np.hstack([pr @ means, np.full((len(va), 1), acc)])

    return fn


def smoothed_head(b: Bench, g: float) -> Callable:
    """The shipped linear head fitted on targets pulled toward the subject's mean, ``g`` of the way."""
    rec = b.recipe

    def fn(tr: np.ndarray, va: np.ndarray) -> np.ndarray:
        T = np.zeros((len(tr), b.M))
        for t in set(b.tasks[tr].tolist()):
            sel = b.tasks[tr] == t
            T[sel] = b.S[tr][sel].mean(0)
        W, bias = _fit(b.X.take(tr), (1 - g) * b.S[tr] + g * T, rec["lam"], "logistic", None)
        return _apply(b.X.take(va).dot(W) + bias, "logistic")

    return fn


def true_subject(b: Bench) -> Callable:
    def fn(tr: np.ndarray, va: np.ndarray) -> np.ndarray:
        out = np.zeros((len(va), b.M))
        for t in set(b.tasks.tolist()):
            out[b.tasks[va] == t] = b.S[tr][b.tasks[tr] == t].mean(0)
        return out

    return fn


def embedding_knn(b: Bench, E: np.ndarray, k: int = 40, power: float = 3.0) -> Callable:
    En = E / np.linalg.norm(E, axis=1, keepdims=True)

    def fn(tr: np.ndarray, va: np.ndarray) -> np.ndarray:
        sim = En[va] @ En[tr].T
        idx = np.argpartition(-sim, k, axis=1)[:, :k]
        w = np.take_along_axis(sim, idx, 1).clip(0) ** power + 1e-9
        return (w[:, :, None] * b.S[tr][idx]).sum(1) / w.sum(1, keepdims=True)

    return fn


def cluster_means(b: Bench, E: np.ndarray, k: int) -> Callable:
    from sklearn.cluster import KMeans

    En = E / np.linalg.norm(E, axis=1, keepdims=True)

    def fn(tr: np.ndarray, va: np.ndarray) -> np.ndarray:
        km = KMeans(k, random_state=0, n_init=3).fit(En[tr])
        lt, lv = km.labels_, km.predict(En[va])
        prior = b.S[tr].mean(0)
        means = np.stack(
            [(b.S[tr][lt == c].sum(0) + 5 * prior) / ((lt == c).sum() + 5) for c in range(k)]
        )
        return means[lv]

    return fn


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def nested_inputs(
    b: Bench, Xc, f: int, own_l2: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Inner 4-fold out-of-fold (shipped head, subject prior) on fold f's training rows.

    The prior is the SVM's, or with ``own_l2`` the project's own solver's at that L2 weight.
    """
    if own_l2 is not None:
        P, _ = nested_inputs(b, Xc, f)
        path = b.cache / f"{SRC}_inner_{f}_own_{own_l2:g}.npy"
        if path.exists():
            return P, np.load(path)
        tr = np.flatnonzero(b.fold != f)
        inner = CV.assign_folds(b.groups[tr], b.tasks[tr].tolist(), 4, 0)
        SV = np.zeros((len(tr), b.M))
        prior = own_solver_prior(b, own_l2)
        for g in range(4):
            t0 = time.perf_counter()
            SV[inner == g] = prior(tr[inner != g], tr[inner == g])[:, : b.M]
            print(
                f"  nested own prior: fold {f} inner {g} in {time.perf_counter() - t0:.0f}s",
                flush=True,
            )
        np.save(path, SV)
        return P, SV
    path = b.cache / f"{SRC}_inner_{f}.npz"
    if path.exists():
        z = np.load(path)
        return z["P"], z["SV"]
    rec, opts = b.recipe, {k: v for k, v in KNN.items() if k != "k"}
    tr = np.flatnonzero(b.fold != f)
    inner = CV.assign_folds(b.groups[tr], b.tasks[tr].tolist(), 4, 0)
    P, SV = np.zeros((len(tr), b.M)), np.zeros((len(tr), b.M))
    prior = subject_prior(b, Xc)
    for g in range(4):
        t0 = time.perf_counter()
        fit_rows, v = tr[inner != g], inner == g
        W, bias = _fit(b.X.take(fit_rows), b.S[fit_rows], rec["lam"], "logistic", None)
        lin = _apply(b.X.take(tr[v]).dot(W) + bias, "logistic")
        head = KnnHead.fit(b.X.take(fit_rows), b.S[fit_rows], costs=b.C[fit_rows], k=40, **opts)
        head.weight, head.cost_weight = rec["knn_weight"], rec["cost_weight"]
        P[v] = head._blend(lin, head._estimate_batch(b.X.take(tr[v])))
        SV[v] = prior(fit_rows, tr[v])[:, : b.M]
        print(f"  nested: fold {f} inner {g} in {time.perf_counter() - t0:.0f}s", flush=True)
    np.savez(path, P=P, SV=SV)
    return P, SV


def nested_stack(
    b: Bench, Xc, SV: np.ndarray, shared: bool, c: float = 0.1, own_l2: float | None = None
) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    def inputs(P: np.ndarray, prior: np.ndarray) -> np.ndarray:
        lp = _logit(P).mean(1, keepdims=True) if shared else _logit(P)
        return np.hstack([lp, _logit(prior)])

    Q = np.zeros(b.S.shape)
    for f in range(5):
        Pi, SVi = nested_inputs(b, Xc, f, own_l2)
        tr, va = b.fold != f, b.fold == f
        sc = StandardScaler().fit(inputs(Pi, SVi))
        A, V = sc.transform(inputs(Pi, SVi)), sc.transform(inputs(b.P0[va], SV[va]))
        for j in range(b.M):
            Q[va, j] = (
                LogisticRegression(C=c, max_iter=2000).fit(A, b.S[tr, j]).predict_proba(V)[:, 1]
            )
    return Q


def wordllama_vectors(b: Bench) -> np.ndarray | None:
    path = b.cache / f"{SRC}_wordllama.npy"
    if path.exists():
        return np.load(path)
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError:
        return None
    wl = WordLlama.load(cache_dir=os.path.dirname(wordllama.__file__), disable_download=True)
    E = np.asarray(wl.embed(b.texts), dtype=np.float64)
    np.save(path, E)
    return E


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=str(HERE.parent.parent / "shared" / "data"))
    ap.add_argument("--cache", default="/tmp/tier-router-recipe-ablation")
    ap.add_argument(
        "--stack-own",
        nargs="*",
        type=float,
        metavar="L2",
        help="also the nested stacker over the own solver's prior at these L2 weights (+30 min each)",
    )
    ap.add_argument(
        "--smoothing",
        action="store_true",
        help="also the head fitted on targets smoothed toward the subject's mean (+5 min)",
    )
    ap.add_argument(
        "--own-solver",
        nargs="*",
        type=float,
        metavar="L2",
        help="also the subject prior with the project's own logistic solver at these L2 weights "
        "(default 1e-4; +8-10 min each)",
    )
    args = ap.parse_args()
    data, cache = Path(args.data_dir), Path(args.cache)
    if not (data / f"{SRC}_dev.jsonl").exists():
        print(f"no benchmark data at {data}; skipped")
        return 0
    cache.mkdir(parents=True, exist_ok=True)
    b = Bench(data, cache)
    Xc = b.csr()
    out: dict[str, dict] = {}

    def row(name: str, P: np.ndarray, blends: tuple[float, ...] = ()) -> None:
        for a in (0.0, *blends):
            key = name if a == 0 else f"  shipped x {1 - a:g} + this x {a:g}"
            r = b.figure(P if a == 0 else (1 - a) * b.P0 + a * P)
            out[name if a == 0 else f"{name} | blend {a:g}"] = r
            print(
                f"{key:44s} {100 * r['mean']:5.1f}% ± {100 * r['std']:.1f}  folds "
                + " ".join(f"{100 * x:.1f}" for x in r["folds"]),
                flush=True,
            )

    subjects = {}
    for t in sorted(set(b.tasks.tolist())):
        m = b.S[b.tasks == t].mean(0)
        subjects[t] = [round(float(x), 3) for x in m]
        print(
            f"{t:18s} {int((b.tasks == t).sum()):4d} rows, mean scores cheapest first: {subjects[t]}"
        )
    out["per-subject mean scores (train + dev)"] = subjects
    row("shipped recipe " + str(b.recipe), b.P0)
    row(
        "true subject's mean scores (ceiling: label not allowed)",
        b.per_fold("truesubject", true_subject(b)),
        (0.5,),
    )
    row(
        "engineered question signals, logistic",
        b.per_fold("engineered", logistic_heads(b, b.F, 1.0)),
        (0.35,),
    )
    got = b.per_fold("subjectprior", subject_prior(b, Xc))
    SV = got[:, : b.M]
    out["subject classifier accuracy"] = {"mean": float(np.mean(got[:, b.M]))}
    print(f"subject classifier accuracy (held-out folds): {np.mean(got[:, b.M]):.3f}")
    row("subject prior (linear SVM over the hashed features)", SV, (0.35, 0.5))
    if args.smoothing:
        knn = np.zeros(b.S.shape)
        for f in range(5):
            knn[b.fold == f] = b.d[f"knn_{f}_40"][:, : b.M]
        w = b.recipe["knn_weight"]
        for g in (0.5, 0.8):
            lin = b.per_fold(f"smoothed_{g:g}", smoothed_head(b, g))
            row(
                f"targets smoothed {g:g} toward the subject mean, + kNN {w:g}",
                (1 - w) * lin + w * knn,
            )
    for lam in [] if args.own_solver is None else args.own_solver or [1e-4]:
        name = "subjectprior_own" + ("" if lam == 1e-4 else f"_{lam:g}")
        own = b.per_fold(name, own_solver_prior(b, lam))
        acc = float(np.mean(own[:, b.M]))
        out[f"own-solver (L2 {lam:g}) subject classifier accuracy"] = {"mean": acc}
        print(f"own-solver (L2 {lam:g}) subject classifier accuracy: {acc:.3f}")
        row(
            f"subject prior, own one-vs-rest logistic solver, L2 {lam:g}",
            own[:, : b.M],
            (0.35, 0.5),
        )
    E = wordllama_vectors(b)
    if E is None:
        print("wordllama not installed: its rows skipped")
    else:
        row(
            "wordllama + engineered, logistic",
            b.per_fold("wl_logistic", logistic_heads(b, np.hstack([E, b.F]), 0.1)),
            (0.35,),
        )
        row("wordllama kNN (k 40)", b.per_fold("wl_knn", embedding_knn(b, E)), (0.35,))
        row(
            "wordllama k-means (14 clusters) means",
            b.per_fold("wl_kmeans", cluster_means(b, E, 14)),
            (0.35,),
        )
    row("nested stack: shipped logits + prior logits", nested_stack(b, Xc, SV, shared=False))
    row("nested stack: shared difficulty + prior logits", nested_stack(b, Xc, SV, shared=True))
    for lam in args.stack_own or []:
        own = b.per_fold(f"subjectprior_own_{lam:g}", own_solver_prior(b, lam))[:, : b.M]
        row(
            f"nested stack: shipped logits + own-solver prior (L2 {lam:g}) logits",
            nested_stack(b, Xc, own, shared=False, own_l2=lam),
        )
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"{SRC}_signals.json").write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
