"""The shipped ladder model: everyday placement, calibrated confidence, out-of-distribution fallback."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core import Router
from shared_core.classifiers import embedded as emb
from shared_core.classifiers.embedded import OOD_CONFIDENCE, EmbeddedClassifier, load_ladder
from shared_core.classifiers.ladder_model import LadderModel, words_of
from shared_core.errors import UnsafeFormatError
from shared_core.training.ladder_data import (
    MULTILINGUAL_BATCHES,
    all_rows,
    heldout_rows,
    train_rows,
)
from shared_core.training.ladder_metrics import (
    expected_calibration_error,
    ladder_report,
    read_ladder_rows,
    request_of,
)

LADDER = ["simple", "medium", "complex", "frontier"]


def _report(rows: list[dict]) -> dict:
    router = Router()
    decisions = [router.decide(request_of(r)) for r in rows]
    return ladder_report(
        [r["tier"] for r in rows], [d.index for d in decisions], [d.confidence for d in decisions]
    )


@pytest.fixture(scope="module")
def heldout_report() -> dict:
    """The held-out templates of every batch but the two multilingual ones (below)."""
    return _report([r for r in heldout_rows() if r["template"] not in MULTILINGUAL_BATCHES])


def test_multilingual_heldout_templates_are_placed_well_if_not_yet_to_target() -> None:
    """The multilingual batches' held-out templates (about 260 requests in seven languages):
    what the model reaches on them (2026-12-04, 259 requests: exact 78.4%, within one 94.6%,
    tier 1 at the cheapest 74.0%, tier 4 at the top 73.1%), kept as a floor; below the English targets."""
    rep = _report([r for r in heldout_rows() if r["template"] in MULTILINGUAL_BATCHES])
    assert rep["n"] > 200
    assert rep["exact"] >= 0.75
    assert rep["within_one"] >= 0.93
    assert rep["tier1_cheapest"] >= 0.70
    assert rep["tier12_lower_half"] >= 0.93
    assert rep["tier4_top"] >= 0.70
    assert rep["ece"] <= 0.10


def test_heldout_templates_are_never_trained_on() -> None:
    train = {r["prompt"] for r in train_rows()}
    held = heldout_rows()
    assert len(held) > 150
    assert not [r for r in held if r["prompt"] in train and "messages" not in r]
    assert {r["tier"] for r in held} == {1, 2, 3, 4}
    assert len(all_rows()) == len(held) + len(train_rows())


def test_router_places_own_heldout_requests_as_people_do(heldout_report: dict) -> None:
    rep = heldout_report
    assert rep["exact"] >= 0.80
    assert rep["within_one"] >= 0.97
    assert rep["tier1_cheapest"] >= 0.88
    assert rep["tier12_lower_half"] >= 0.95
    assert rep["tier4_top"] >= 0.80


def test_confidence_is_calibrated_and_often_sure(heldout_report: dict) -> None:
    rep = heldout_report
    assert rep["ece"] <= 0.10
    assert rep["confident_share"] >= 1 / 3
    assert rep["confident_accuracy"] >= 0.90


@pytest.mark.parametrize(
    ("prompt", "tier"),
    [
        ("hi, how are you?", "simple"),
        ("How many centimetres are in 3 inches?", "simple"),
        ("Convert 100 °F to Celsius", "simple"),
        ("What does 'distributed system' mean, one sentence", "simple"),
        ("Prove Fermat's little theorem.", "frontier"),
    ],
)
def test_issue_examples_land_on_their_tier(prompt: str, tier: str) -> None:
    assert Router().decide(prompt).tier == tier


def test_shipped_calibration_loads_and_is_monotone() -> None:
    m = load_ladder()
    meta = json.loads((emb.MODELS_DIR / "ladder.json").read_text())
    assert meta["format"] == "tier-router.ladder-model"
    assert np.all(np.diff(m.cal_x) > 0) and np.all(np.diff(m.cal_y) >= 0)
    assert 0.0 <= m.cal_y[0] and m.cal_y[-1] <= 1.0
    clf = EmbeddedClassifier(LADDER)
    c = clf.classify("Summarise this email in two sentences: the meeting moved to Friday.")
    p = np.array(c.extra["levels"])
    chosen = int(np.argmax(np.cumsum(p) >= 0.5))
    assert c.confidence == pytest.approx(float(m.calibrate(p[chosen])))
    for x in (0.0, 0.3, 0.55, 0.77, 0.999, 1.0):
        assert m.calibrate_one(x) == pytest.approx(float(m.calibrate(x)))


def test_calibration_error_of_a_known_case() -> None:
    # two bins: conf 0.95 all right (error 0.05), conf 0.55 half right (error 0.05)
    conf = [0.95] * 4 + [0.55] * 4
    ok = [True] * 4 + [True, True, False, False]
    assert expected_calibration_error(conf, ok) == pytest.approx(0.05)


def test_unfamiliar_request_goes_one_level_up_with_low_confidence() -> None:
    clf = EmbeddedClassifier(LADDER)
    text = "zqxv blorptang quimfrazzle vexnodrup kappatronix ulmquor snertwazzle frobnagle"
    m = load_ladder()
    idx, val = m.featurize(text)
    raw = m.proba_sparse(idx, val)
    assert m.coverage(text) < m.ood_coverage
    c = clf.classify(text)
    assert c.extra["ood"] is True and c.confidence == OOD_CONFIDENCE
    assert max(c.extra["tier_confidence"]) <= OOD_CONFIDENCE  # whichever tier a knob picks
    raw_tier = int(np.argmax(np.cumsum(raw) >= 0.5))
    got = LADDER.index(next(t for t in LADDER if c.scores[t] >= 0.5))
    assert got == min(3, raw_tier + 1)
    familiar = clf.classify("What is the capital of France?")
    assert familiar.extra["ood"] is False


def test_ladder_file_with_weights_outside_its_folder_is_refused(tmp_path) -> None:
    meta = json.loads((emb.MODELS_DIR / "ladder.json").read_text())
    meta["weights_file"] = "../elsewhere.npz"
    p = tmp_path / "ladder.json"
    p.write_text(json.dumps(meta))
    with pytest.raises(UnsafeFormatError, match="weights_file"):
        LadderModel.load(p)
    meta["format"] = "pickle"
    p.write_text(json.dumps(meta))
    with pytest.raises(UnsafeFormatError):
        LadderModel.load(p)


def test_short_decision_stays_cheap() -> None:
    router = Router()
    router.decide("warm up")
    lat = []
    for _ in range(200):
        t = time.perf_counter()
        router.decide("hi, how are you?")
        lat.append(time.perf_counter() - t)
    assert statistics.median(lat) < 0.002  # loose bound; the benchmark gives the real figure


def test_training_prompts_share_no_request_with_the_everyday_dev_file() -> None:
    from pathlib import Path

    dev = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "everyday_dev.jsonl"
    if not dev.exists():
        pytest.skip(f"needs {dev} (the shared benchmark data beside the repo)")
    dev_prompts = {json.loads(line)["prompt"].strip().lower() for line in dev.read_text().splitlines() if line.strip()}
    own = {r["prompt"].strip().lower() for r in all_rows()}
    assert not dev_prompts & own


CHECK = Path(__file__).resolve().parents[3] / "benchmarks" / "data" / "everyday_check.jsonl"
MULTILINGUAL = CHECK.with_name("everyday_multilingual.jsonl")
"""196 requests, 28 in each of seven languages, written blind on 2026-12-04 (helper)."""
MULTILINGUAL_C = CHECK.with_name("everyday_multilingual_c.jsonl")
"""166 requests, 24 per language, written blind after the fourth round was committed."""
MULTILINGUAL_D = CHECK.with_name("everyday_multilingual_d.jsonl")
"""137 requests, about 20 per language, written blind while the last two batches were written."""
MULTILINGUAL_E = CHECK.with_name("everyday_multilingual_e.jsonl")
"""165 requests, about 24 per language, written blind on 2026-12-05 to judge one candidate model
(BENCHMARKS.md, "Fifth round"); three rows that were near-twins of own templates dropped."""
MULTILINGUAL_I = CHECK.with_name("everyday_multilingual_i.jsonl")
"""168 requests, 24 per language and 6 per tier, a quarter wrapped, written blind on 2026-12-05 (evening)
and read once, with the shipped model (the eighth round was not shipped)."""
BLIND_J = CHECK.with_name("everyday_blind_j.jsonl")
"""80 English requests, 20 per tier, a quarter wrapped, written blind with set I and read once."""
BLIND_K = CHECK.with_name("everyday_blind_k.jsonl")
"""100 English requests, 25 per tier, 30% wrapped (14 multi-turn), written blind on 2026-12-05 (late) while
the ninth round was built, and read once with the model before it and once with it."""
MULTILINGUAL_L = CHECK.with_name("everyday_multilingual_l.jsonl")
"""140 requests in the seven other languages, 5 per tier per language, a third wrapped, written with K."""
BLIND_M = CHECK.with_name("everyday_blind_m.jsonl")
"""100 English requests, 25 per tier, 30% wrapped (16 multi-turn), written blind on 2026-12-05 (night) while
the tenth round and the new user's rules were built, read once before and once after them."""
MULTILINGUAL_N = CHECK.with_name("everyday_multilingual_n.jsonl")
"""140 requests in the seven other languages, 5 per tier per language, a third wrapped, written with M."""
FINAL = CHECK.with_name("everyday_final.jsonl")
"""160 English requests written blind on 2026-12-04 and read twice: before and after the
multilingual batches."""


def _near_twins(own: set[str], others: list[str], limit: float = 0.8) -> list[tuple[str, str]]:
    """Pairs whose word sets overlap by ``limit`` or more (Jaccard; prompts of 4+ words)."""
    import re

    def words(s: str) -> frozenset[str]:
        return frozenset(re.findall(r"\w+", s.lower()))

    other_words = [(o, words(o)) for o in others]
    out = []
    for p in own:
        a = words(p)
        if len(a) < 4:
            continue
        out += [(p, o) for o, b in other_words if len(a & b) >= limit * len(a | b)]
    return out


def test_no_training_prompt_is_a_near_twin_of_an_evaluation_request() -> None:
    """Beyond exact copies: a training prompt sharing 80% of its words with a dev or check
    request would make that request's figure a memory test."""
    own = {r["prompt"] for r in all_rows()}
    for path in (CHECK, MULTILINGUAL, MULTILINGUAL_C, MULTILINGUAL_D, MULTILINGUAL_E, FINAL):
        assert not _near_twins(own, [r["prompt"] for r in read_ladder_rows(path)]), path.name
    # Sets written blind after the training prompts by helpers who never saw them: short canonical asks
    # coincide ("Prove there are infinitely many primes.", "what does HTTP 404 mean", a Hindi greeting): one
    # in 50 rows at most, three at least (I: 3 of 168, one famous problem and a greeting; J, K: 2; L: 0; N: 3
    # of 140, classic proofs: "√3 is irrational" against a training "√2 is irrational"), none trained on
    # after the set was written.
    for path in (MULTILINGUAL_I, BLIND_J, BLIND_K, MULTILINGUAL_L, BLIND_M, MULTILINGUAL_N):
        prompts = [r["prompt"] for r in read_ladder_rows(path)]
        twins = _near_twins(own, prompts)
        assert len(twins) <= max(3, len(prompts) // 50), (path.name, twins)
    dev = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "everyday_dev.jsonl"
    if dev.exists():
        assert not _near_twins(own, [r["prompt"] for r in read_ladder_rows(dev)])


def test_training_prompts_share_no_request_with_the_own_check_set() -> None:
    check = {r["prompt"].strip().lower() for r in read_ladder_rows(CHECK)}
    assert len(check) == 120
    assert not check & {r["prompt"].strip().lower() for r in all_rows()}


def test_router_places_the_own_check_set_as_people_do() -> None:
    """120 requests written apart from the training templates (8 languages, some wrapped)."""
    rows = read_ladder_rows(CHECK)
    router = Router()
    decisions = [router.decide(request_of(r)) for r in rows]
    rep = ladder_report([r["tier"] for r in rows], [d.index for d in decisions], [d.confidence for d in decisions])
    assert rep["exact"] >= 0.80
    assert rep["within_one"] >= 0.97
    assert rep["tier1_cheapest"] >= 0.88
    assert rep["tier12_lower_half"] >= 0.95
    assert rep["tier34_upper_half"] >= 0.90
    assert rep["tier4_top"] >= 0.80
    assert rep["ece"] <= 0.10


def test_calibration_folds_split_the_training_templates_evenly() -> None:
    """Folds and the held-out split hash the same template key: unsalted, fold 0 was empty."""
    from shared_core.training.train_ladder import _groups

    rows = train_rows()
    sizes = np.bincount(_groups(rows), minlength=5)
    assert sizes.min() >= 0.15 * len(rows)
    by_template: dict[str, set[int]] = {}
    for r, f in zip(rows, _groups(rows)):
        by_template.setdefault(r["template"], set()).add(int(f))
    assert all(len(fs) == 1 for fs in by_template.values())  # a template never straddles folds


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=120))
def test_ascii_words_are_the_unicode_class_words(text: str) -> None:
    """Coverage reads ASCII text with a plain [a-z] class: the same words as the Unicode
    letter class the ``seen`` bitmap was built with."""
    import re

    assert words_of(text) == set(re.findall(r"[^\W\d_]{2,}", text.lower()))


@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.5, 0.8, 1.0])
def test_confidence_is_about_the_tier_the_knob_chose(threshold: float) -> None:
    """``decision.confidence`` is the probability that the *chosen* tier is right, also when
    the knob moves the choice away from the classifier's own: a proof sent to the cheapest
    tier by ``threshold: 0`` is not reported as a sure decision."""
    import yaml

    from shared_core import RouterConfig
    from shared_core.router import default_config_path

    data = yaml.safe_load(default_config_path().read_text())
    data["policy"] = {**data.get("policy", {}), "threshold": threshold}
    knob = Router(RouterConfig.build(data))
    plain = Router()
    for text in ("Prove that the square root of 2 is irrational.", "hi there", "Summarise this email in two lines: the launch moved to Thursday."):
        d, own = knob.decide(text), plain.decide(text)
        if d.tier == own.tier:
            assert d.confidence == pytest.approx(own.confidence)
        else:
            scores = [own.scores[t] for t in LADDER]
            i = LADDER.index(d.tier)
            band = scores[i] - (scores[i - 1] if i else 0.0)
            assert d.confidence == pytest.approx(load_ladder().calibrate_one(band))
            assert d.confidence < 0.5, (text, d.tier, d.confidence)
    assert knob.decide("Prove that the square root of 2 is irrational.").tier == ("simple" if threshold == 0.0 else "frontier")


def test_router_places_the_blind_sets_as_measured() -> None:
    """The sets written blind on 2026-12-04/05 (BENCHMARKS.md, "Fourth round" and "Fifth round"):
    the English one meets every target; the multilingual ones what the model reached, as floors."""
    router = Router()
    for path, floor in (
        (FINAL, {"exact": 0.80, "within_one": 0.97, "tier1_cheapest": 0.88, "tier12_lower_half": 0.95,
                 "tier34_upper_half": 0.90, "tier4_top": 0.80}),
        (MULTILINGUAL, {"exact": 0.82, "within_one": 0.97, "tier1_cheapest": 0.75, "tier12_lower_half": 0.95,
                        "tier34_upper_half": 0.88, "tier4_top": 0.80}),
        (MULTILINGUAL_C, {"exact": 0.83, "within_one": 0.95, "tier1_cheapest": 0.75, "tier12_lower_half": 0.92,
                          "tier34_upper_half": 0.90, "tier4_top": 0.75}),
        (MULTILINGUAL_D, {"exact": 0.76, "within_one": 0.96, "tier1_cheapest": 0.62, "tier12_lower_half": 0.90,
                          "tier34_upper_half": 0.90, "tier4_top": 0.70}),
        (MULTILINGUAL_E, {"exact": 0.77, "within_one": 0.96, "tier1_cheapest": 0.72, "tier12_lower_half": 0.88,
                          "tier34_upper_half": 0.88, "tier4_top": 0.78}),
    ):
        _assert_floors(router, path, floor, 0.10)


def _assert_floors(router: Router, path: Path, floor: dict[str, float], ece: float) -> None:
    """Every figure of ``floor`` at least as measured on the set at ``path``, its calibration error at
    most ``ece`` (the blind sets' regression guards)."""
    rows = read_ladder_rows(path)
    decisions = [router.decide(request_of(r)) for r in rows]
    rep = ladder_report([r["tier"] for r in rows], [d.index for d in decisions], [d.confidence for d in decisions])
    for key, low in floor.items():
        assert rep[key] >= low, (path.name, key, rep[key])
    assert rep["ece"] <= ece, (path.name, rep["ece"])


def test_router_places_the_evening_blind_sets_as_measured() -> None:
    """Sets I and J (2026-12-05, evening), read once with the shipped model: floors one request or so under
    what it reached, several of them under the issue's targets (BENCHMARKS.md, "Sets I and J"): a
    regression guard, not a claim that the targets hold there. Raised with the ninth round's rules
    (a short debugging ask over the earlier turns, short competition problems; chosen on these two
    sets, so they are choosing sets now): I exact 78.0 -> 81.0%, tiers 3-4 upper 88.1 -> 94.0%, ECE
    0.090 -> 0.058; J exact 80.0 -> 83.8%, tiers 3-4 upper 82.5 -> 90.0%, ECE 0.114 -> 0.081. Raised
    with the tenth round's rules (light asks in heavy words, a short snippet to explain): I exact 81.0 ->
    82.7%, tiers 1-2 lower 85.7 -> 89.3% (three asks what an error message means)."""
    router = Router()
    for path, floor, ece in (
        (MULTILINGUAL_I, {"exact": 0.82, "within_one": 0.96, "tier1_cheapest": 0.88, "tier12_lower_half": 0.88,
                          "tier34_upper_half": 0.92, "tier4_top": 0.83}, 0.08),
        (BLIND_J, {"exact": 0.82, "within_one": 0.96, "tier1_cheapest": 0.90, "tier12_lower_half": 0.90,
                   "tier34_upper_half": 0.88, "tier4_top": 0.90}, 0.10),
    ):
        _assert_floors(router, path, floor, ece)


def test_router_places_the_late_blind_sets_as_measured() -> None:
    """Sets K and L (2026-12-05, late), written by a helper who read no project file while the ninth
    round was built elsewhere, read once before and once after it (BENCHMARKS.md, "Sets K and L"): the
    round fixed one request (a tier-4 follow-up of K, `simple` -> `complex`) and broke none. Floors about
    one request under what the shipped router reached (K exact 90.0%, L 84.3%; L's tiers 1-2 in the lower
    half, 90.0%, and K's, 94.0%, are under the issue's 95%). Raised with the tenth round's rules: K exact
    90.0 -> 91.0%, tiers 1-2 lower 94.0 -> 96.0% (a cron line); L exact 84.3 -> 85.7%, tiers 1-2 lower
    90.0 -> 92.9% (a spreadsheet function, an extraction into JSON)."""
    router = Router()
    for path, floor in (
        (BLIND_K, {"exact": 0.90, "within_one": 0.99, "tier1_cheapest": 0.92, "tier12_lower_half": 0.94,
                   "tier34_upper_half": 0.94, "tier4_top": 0.88}),
        (MULTILINGUAL_L, {"exact": 0.85, "within_one": 0.97, "tier1_cheapest": 0.88, "tier12_lower_half": 0.91,
                          "tier34_upper_half": 0.91, "tier4_top": 0.82}),
    ):
        _assert_floors(router, path, floor, 0.06)


def test_router_places_the_night_blind_sets_as_measured() -> None:
    """Sets M and N (2026-12-05, night), written by a helper who read no project file while the tenth round
    and the new user's rules were built, read once with the model before them and once after (BENCHMARKS.md,
    "Sets M and N"): one request fixed, none broken (the ninth round, read on them too: five fixed, none
    broken). Floors about one request under the figures; on N several are under the issue's targets
    (exact 77.9%, tiers 1-2 in the lower half 85.7%, tiers 3-4 in the upper half 85.7%, tier 4 at the top
    77.1%): a regression guard, not a claim that the targets hold there."""
    router = Router()
    for path, floor, ece in (
        (BLIND_M, {"exact": 0.89, "within_one": 0.99, "tier1_cheapest": 0.96, "tier12_lower_half": 0.94,
                   "tier34_upper_half": 0.94, "tier4_top": 0.76}, 0.07),
        (MULTILINGUAL_N, {"exact": 0.77, "within_one": 0.93, "tier1_cheapest": 0.88, "tier12_lower_half": 0.84,
                          "tier34_upper_half": 0.84, "tier4_top": 0.74}, 0.08),
    ):
        _assert_floors(router, path, floor, ece)


def test_the_readme_ladder_table_examples_route_as_shown() -> None:
    """The README's ladder table is what a new user tries first: a bare "Fix this traceback"
    (no traceback) went to medium and "Compare these options with numbers" to frontier while
    the table said complex. Each quoted example must land on its row's tier."""
    import re

    from shared_core import Router

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d) (simple|medium|complex|frontier) \|[^|]*\| (.+) \|$", readme, flags=re.M)
    assert len(rows) == 4
    router = Router()
    for _, tier, examples in rows:
        for text in re.findall(r'"([^"]+)"', examples):
            assert router.decide(text).tier == tier, text
