"""Loading and validating routing data: every bad file names the file, the line, the problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_core.errors import DataFormatError
from shared_core.training.data import (
    load_dataset,
    load_models,
    load_rows,
    parse_models,
    parse_row,
    relative_costs,
)

from ._training_fakes import MODELS, write_files


def _models(tmp_path: Path, models: dict | None = None) -> Path:
    p = tmp_path / "m_models.json"
    p.write_text(json.dumps(MODELS if models is None else models), encoding="utf-8")
    return p


def _row(**over):
    row = {"id": "a", "prompt": "hi there", "scores": {"small": 1, "medium": 1, "large": 1}}
    row.update(over)
    return row


def _data(tmp_path: Path, lines: list) -> Path:
    p = tmp_path / "d_dev.jsonl"
    p.write_text(
        "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines),
        encoding="utf-8",
    )
    return p


def test_loads_synthetic_file_in_price_order(tmp_path):
    data, models = write_files(tmp_path, n=30)
    ds = load_dataset(data, models)
    assert len(ds) == 30
    assert ds.models.names == ["small", "medium", "large"]
    assert ds.scores.shape == ds.costs.shape == (30, 3)
    # estimated cost: chars / 4 input tokens + assumed output tokens
    prompt = ds.rows[0].prompt
    assert ds.costs[0, 2] == pytest.approx((len(prompt) / 4 * 10.0 + 100 * 30.0) / 1e6)
    rc = relative_costs(ds)
    assert rc[-1] == 1.0 and rc[0] < rc[1] < rc[2]


def test_models_sorted_by_tier_rank(tmp_path):
    models = {
        "big": {**MODELS["large"], "tier_rank": 1},
        "tiny": {**MODELS["small"], "tier_rank": 0},
    }
    assert load_models(_models(tmp_path, models)).names == ["tiny", "big"]


def test_row_costs_are_used_when_present(tmp_path):
    row = _row(costs={"small": 0.5, "medium": 0.25, "large": 2.0})
    ds = load_dataset(_data(tmp_path, [row]), _models(tmp_path))
    assert ds.costs.tolist() == [[0.5, 0.25, 2.0]]


def test_unicode_line_separators_inside_prompts_are_text(tmp_path):
    ds = load_dataset(_data(tmp_path, [_row(prompt="a\x85b\u2028c")]), _models(tmp_path))
    assert ds.rows[0].prompt == "a\x85b\u2028c"


@pytest.mark.parametrize(
    ("lines", "line", "needle"),
    [
        ([_row(), "{broken"], 2, "broken JSON on line 2"),
        ([_row(scores={"small": 1, "medium": 1})], 1, "missing models in 'scores': ['large']"),
        ([_row(scores={"small": 1.5, "medium": 1, "large": 1})], 1, "outside [0, 1]"),
        ([_row(scores={"small": -0.1, "medium": 1, "large": 1})], 1, "outside [0, 1]"),
        ([_row(scores={"small": 1, "medium": 1, "large": 1, "gpt-9": 1})], 1, "'gpt-9'"),
        ([_row(prompt="")], 1, "missing prompt"),
        ([{"id": "x", "scores": {"small": 1}}], 1, "missing prompt"),
        ([_row(), _row(scores=None)], 2, "missing scores"),
        ([_row(scores={"small": "yes", "medium": 1, "large": 1})], 1, "must be a number"),
        ([_row(costs={"small": 0.1})], 1, "missing models in 'costs'"),
        ([[1, 2]], 1, "expected a JSON object"),
        ([_row(), {**_row(), "task": ["a"]}], 2, "'task' must be a string"),
        ([{**_row(), "task": {"x": 1}}], 1, "'task' must be a string"),
        ([{**_row(), "task": True}], 1, "'task' must be a string"),
    ],
)
def test_bad_rows_name_file_line_and_problem(tmp_path, lines, line, needle):
    path = _data(tmp_path, lines)
    with pytest.raises(DataFormatError) as ei:
        load_rows(path, load_models(_models(tmp_path)))
    err = ei.value
    assert err.line == line and err.path == str(path)
    assert needle in str(err) and f"{path}:{line}" in str(err)


def test_model_absent_from_models_file_is_named(tmp_path):
    path = _data(tmp_path, [_row(scores={"small": 1, "medium": 1, "large": 1, "gpt-9": 1})])
    with pytest.raises(DataFormatError, match=r"'gpt-9'.*absent from the models file"):
        load_dataset(path, _models(tmp_path))


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "e_dev.jsonl"
    path.write_text(content)
    with pytest.raises(DataFormatError, match="empty file"):
        load_dataset(path, _models(tmp_path))


def test_missing_file(tmp_path):
    with pytest.raises(DataFormatError, match="file not found"):
        load_dataset(tmp_path / "nope.jsonl", _models(tmp_path))


@pytest.mark.parametrize(
    ("models", "needle"),
    [
        ({}, "non-empty JSON object"),
        (
            {"a": {"input_per_mtok": -1, "output_per_mtok": 1}},
            "'input_per_mtok' must be a number >= 0",
        ),
        ({"a": {"input_per_mtok": 1}}, "'output_per_mtok'"),
        ({"a": {**MODELS["small"]}, "b": {**MODELS["small"]}}, "duplicate tier_rank"),
        ({"a": {**MODELS["small"], "tier_rank": "0"}}, "'tier_rank' must be an integer"),
        ({"a": {**MODELS["small"], "assumed_output_tokens": -5}}, "assumed_output_tokens"),
        ([1, 2], "non-empty JSON object"),
    ],
)
def test_bad_models_file(tmp_path, models, needle):
    with pytest.raises(DataFormatError, match=None) as ei:
        load_models(_models(tmp_path, models))
    assert needle in str(ei.value)


def test_broken_models_json(tmp_path):
    p = tmp_path / "m.json"
    p.write_text('{"a": {\n "input_per_mtok": }')
    with pytest.raises(DataFormatError, match=r"m\.json:2: broken JSON"):
        load_models(p)


def test_no_costs_and_no_assumed_output_tokens(tmp_path):
    models = {
        "a": {
            "input_per_mtok": 1,
            "output_per_mtok": 1,
            "tier_rank": 0,
            "assumed_output_tokens": None,
        }
    }
    path = _data(tmp_path, [{"id": "x", "prompt": "p", "scores": {"a": 1}}])
    with pytest.raises(DataFormatError, match="assumed_output_tokens"):
        load_dataset(path, _models(tmp_path, models))


def test_subset_keeps_alignment(tmp_path):
    data, models = write_files(tmp_path, n=20)
    ds = load_dataset(data, models)
    sub = ds.subset([3, 7])
    assert sub.ids == [ds.ids[3], ds.ids[7]]
    assert (sub.scores == ds.scores[[3, 7]]).all()


@pytest.mark.needs_data
def test_every_public_file_loads(shared_data_dir):
    for models in sorted(shared_data_dir.glob("*_models.json")):
        source = models.name.removesuffix("_models.json")
        for split in ("train", "dev"):
            path = shared_data_dir / f"{source}_{split}.jsonl"
            ds = load_dataset(path, models)
            rows = sum(1 for line in path.read_text(encoding="utf-8").split("\n") if line.strip())
            assert len(ds) == rows >= 100, f"{path.name}: {len(ds)} of {rows} rows loaded"
            assert ((ds.scores >= 0) & (ds.scores <= 1)).all()
            assert (ds.costs >= 0).all()


_json = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda kids: (
        st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=6), kids, max_size=3)
    ),
    max_leaves=10,
)
_rowish = st.fixed_dictionaries(
    {},
    optional={
        "id": _json,
        "prompt": st.text(max_size=20) | _json,
        "scores": st.dictionaries(
            st.sampled_from(["small", "medium", "large", "x"]), _json, max_size=4
        )
        | _json,
        "costs": st.dictionaries(st.sampled_from(["small", "medium", "large"]), _json, max_size=3)
        | _json,
    },
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(_rowish, _json))
def test_any_json_row_is_a_row_or_a_data_format_error(obj):
    models = parse_models(MODELS, "m.json")
    try:
        row = parse_row(obj, models, "d.jsonl", 7)
    except DataFormatError as exc:
        assert exc.line == 7 and str(exc).startswith("d.jsonl:7: ")
    else:
        assert set(row.scores) == set(models.names)
        assert all(0.0 <= v <= 1.0 for v in row.scores.values())


def test_task_labels_are_strings_numbers_or_absent(tmp_path):
    rows = [{**_row(), "task": t} for t in ("billing", 3, None, "")]
    got = load_rows(_data(tmp_path, rows), load_models(_models(tmp_path)))
    assert [r.task for r in got] == ["billing", "3", "", ""]
