"""A model's JSON and its ``.npz`` weights are one save: a pair from two saves is refused.

Each file is written atomically, the weights first; a save interrupted between the two (or
two ``tier-router train`` runs writing the same output at once) used to leave a JSON beside
another save's weights, which loaded silently and routed with weights the JSON does not
describe. The JSON now records the sha256 of its weights; the loader checks it and raises
:class:`~shared_core.errors.MismatchedWeightsError` naming both files. Files saved before
the hash was recorded (the shipped ones) load as before.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from shared_core.classifiers import embedded as emb
from shared_core.classifiers.embedded import TaskModel
from shared_core.classifiers.files import read_weights, write_json, write_npz
from shared_core.classifiers.ladder_model import LadderModel
from shared_core.classifiers.trained import TrainedRouter
from shared_core.errors import DataFormatError, MismatchedWeightsError, UnsafeFormatError

KINDS: dict[str, tuple[Callable[[Path], Any], str]] = {
    "trained-router": (TrainedRouter.load, "difficulty.json"),
    "ladder": (LadderModel.load, "ladder.json"),
    "task": (TaskModel.load, "task.json"),
}


@pytest.fixture(scope="module", params=sorted(KINDS))
def kind(request: pytest.FixtureRequest) -> tuple[str, Any]:
    load, shipped = KINDS[request.param]
    return request.param, load(emb.MODELS_DIR / shipped)


def _save_two(kind: tuple[str, Any], tmp_path: Path) -> tuple[Path, Path, np.ndarray]:
    """Save A to ``a/m.json`` and B (other bias) to ``b/m.json``; B's bias is returned."""
    _, model = kind
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = model.save(tmp_path / "a" / "m.json")
    saved_b = model.b
    model.b = np.asarray(saved_b) + 1.0
    try:
        b = model.save(tmp_path / "b" / "m.json")
        other_b = np.asarray(model.b).copy()
    finally:
        model.b = saved_b
    return a, b, other_b


def test_a_json_beside_another_save_s_weights_is_refused(kind: tuple[str, Any], tmp_path: Path) -> None:
    """Pair A written, then B's weights only (B's save stopped before its JSON)."""
    name, _ = kind
    a, b, _ = _save_two(kind, tmp_path)
    shutil.copyfile(b.with_suffix(".npz"), a.with_suffix(".npz"))

    with pytest.raises(MismatchedWeightsError) as info:
        KINDS[name][0](a)

    err = info.value
    assert isinstance(err, DataFormatError)
    assert (err.path, err.weights_path) == (str(a), str(a.with_suffix(".npz")))
    text = str(err)
    assert str(a) in text and "m.npz" in text and "save" in text and "***" not in text


def test_a_pair_from_one_save_loads_and_records_its_weights_hash(
    kind: tuple[str, Any], tmp_path: Path
) -> None:
    name, model = kind
    p = model.save(tmp_path / "m.json")
    meta = json.loads(p.read_text())
    assert meta["weights_sha256"] == hashlib.sha256(p.with_suffix(".npz").read_bytes()).hexdigest()
    again = KINDS[name][0](p)
    assert np.array_equal(np.asarray(again.b), np.asarray(model.b))


def test_the_same_model_saved_twice_gives_the_same_bytes(kind: tuple[str, Any], tmp_path: Path) -> None:
    _, model = kind
    one = model.save(tmp_path / "one.json")
    two = model.save(tmp_path / "two.json")
    assert one.with_suffix(".npz").read_bytes() == two.with_suffix(".npz").read_bytes()
    meta_one, meta_two = json.loads(one.read_text()), json.loads(two.read_text())
    assert meta_one.pop("weights_file") == "one.npz" and meta_two.pop("weights_file") == "two.npz"
    assert meta_one == meta_two


def test_a_pair_saved_before_the_hash_was_recorded_still_loads(
    kind: tuple[str, Any], tmp_path: Path
) -> None:
    """Files without ``weights_sha256`` (the shipped ones, older saves) are not checked."""
    name, model = kind
    a, b, other_b = _save_two(kind, tmp_path)
    meta = json.loads(a.read_text())
    del meta["weights_sha256"]
    a.write_text(json.dumps(meta))
    assert np.array_equal(np.asarray(KINDS[name][0](a).b), np.asarray(model.b))
    shutil.copyfile(b.with_suffix(".npz"), a.with_suffix(".npz"))  # unchecked, as before
    assert np.array_equal(np.asarray(KINDS[name][0](a).b), other_b)


def test_the_shipped_files_load_and_a_recorded_hash_is_their_weights(kind: tuple[str, Any]) -> None:
    """Shipped files saved before the hash was recorded (the difficulty and task models) have none
    and load unchecked; one retrained since (the ladder, 2026-12-05) records the hash of the very
    weights shipped beside it."""
    name, model = kind
    path = emb.MODELS_DIR / KINDS[name][1]
    meta = json.loads(path.read_text())
    assert model is not None
    if "weights_sha256" in meta:
        assert meta["weights_sha256"] == hashlib.sha256(path.with_suffix(".npz").read_bytes()).hexdigest()
    else:
        assert name != "ladder"


def test_a_task_model_s_weights_file_outside_its_folder_is_refused(tmp_path: Path) -> None:
    meta = json.loads((emb.MODELS_DIR / "task.json").read_text())
    meta["weights_file"] = "../elsewhere.npz"
    p = tmp_path / "task.json"
    p.write_text(json.dumps(meta))
    with pytest.raises(UnsafeFormatError, match="weights_file"):
        TaskModel.load(p)


_arrays = st.dictionaries(
    st.sampled_from(["W", "b", "q"]),
    hnp.arrays(np.float32, hnp.array_shapes(max_dims=2, max_side=4), elements=st.floats(-4, 4, width=32)),
    min_size=1,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=_arrays, second=_arrays)
def test_weights_load_only_beside_the_json_of_their_own_save(
    tmp_path: Path, first: dict[str, np.ndarray], second: dict[str, np.ndarray]
) -> None:
    p = tmp_path / "m.json"
    npz = p.with_suffix(".npz")
    meta = {"weights_file": npz.name, "weights_sha256": write_npz(npz, first)}
    write_json(p, meta)
    got = read_weights(p, meta)
    assert sorted(got) == sorted(first) and all(np.array_equal(got[k], first[k]) for k in first)
    digest = write_npz(npz, second)  # the next save's weights, its JSON not written yet
    if digest == meta["weights_sha256"]:  # the same arrays: the same bytes
        assert read_weights(p, meta).keys() == first.keys()
    else:
        with pytest.raises(MismatchedWeightsError):
            read_weights(p, meta)
