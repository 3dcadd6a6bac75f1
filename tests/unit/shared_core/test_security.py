"""Security (issue 6): keys never shown, configs and models load only as data."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import httpx
import numpy as np
import openai
import pytest

from shared_core import Router, RouterConfig
from shared_core.errors import (
    AllTiersFailedError,
    ConfigError,
    DataFormatError,
    RouterError,
    TierAttemptError,
    UnknownModelError,
    UnsafeFormatError,
    redact,
)
from shared_core.router import default_config_path

KEY = "sk-proj-Abc123def456GHI789jkl012"
SECRETS = [
    KEY,
    "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
    "Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
    "AIzaSyA1234567890abcdefghijklmnopq",
]


@pytest.mark.parametrize(
    "text",
    [
        f"Incorrect API key provided: {KEY}.",
        f"Authorization: Bearer {KEY}",
        "api_key=0123456789abcdef",
        'api-key: "0123456789abcdef"',
        "{'api_key': '0123456789abcdef'}",
        '{"openai_api_key": "0123456789abcdef"}',
        "key sk-ant-api03-abcdefghijklmnopqrstuvwxyz used",
        "google key AIzaSyA1234567890abcdefghijklmnopq",
    ],
)
def test_redact_scrubs_key_shapes(text: str) -> None:
    out = redact(text)
    assert "***" in out
    for secret in (KEY, "0123456789abcdef", "abcdefghijklmnopqrstuvwxyz", "AIzaSyA123"):
        assert secret not in out


@pytest.mark.parametrize(
    "text", ["the model gpt-4o-mini answered", "route to tier 'complex'", "skip 3 tiers", ""]
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


def _auth_error() -> openai.AuthenticationError:
    req = httpx.Request("POST", "https://api.openai.com/v1/chat/completions")
    return openai.AuthenticationError(
        f"Incorrect API key provided: {KEY}. You can find your API key at ...",
        response=httpx.Response(401, request=req),
        body=None,
    )


def _shown(exc: BaseException) -> str:
    return f"{exc}\n{exc!r}\n{exc.args!r}"


def test_errors_never_show_keys() -> None:
    attempt = TierAttemptError("cheap", _auth_error(), "other")
    errors = [
        attempt,
        AllTiersFailedError([attempt]),
        RouterError(f"provider said: bad key {KEY}"),
        UnknownModelError(KEY, ["simple"]),
        DataFormatError(f"/tmp/{KEY}.jsonl", "bad line"),
    ]
    for exc in errors:
        shown = f"{exc}\n{exc!r}"
        assert KEY not in shown, type(exc).__name__


def test_config_errors_do_not_echo_secret_values() -> None:
    data = RouterConfig.from_file(default_config_path()).to_dict()
    data["tiers"][0]["api_key"] = KEY  # a common mistake: keys do not belong in configs
    with pytest.raises(ConfigError, match="api_key") as info:
        RouterConfig.build(data)
    assert KEY not in str(info.value) and KEY not in repr(info.value)


def test_route_decision_never_shows_keys() -> None:
    data = RouterConfig.from_file(default_config_path()).to_dict()
    data["classifier"] = {"type": "rules"}
    router = Router(RouterConfig.build(data))
    messages = [
        {"role": "system", "content": f"use {KEY}"},
        {"role": KEY, "content": f"my key is {KEY}, Authorization: Bearer {KEY}"},
    ]
    decision = router.decide(
        messages, metadata={"api_key": KEY}, tags=(KEY,), user=KEY, thread_id=KEY
    )
    shown = f"{decision}\n{decision!r}\n{json.dumps(decision.to_dict())}"
    assert KEY not in shown


# -- loading only data ------------------------------------------------------------------------
class _Evil:
    """Unpickling this creates a marker file: proof that code ran."""

    marker: Path

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def evil_pickle(tmp_path: Path) -> tuple[bytes, Path]:
    marker = tmp_path / "PWNED"
    evil = _Evil()
    evil.marker = marker
    return pickle.dumps(evil), marker


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "tiers: !!python/object/apply:os.system ['touch {marker}']",
        "x: !!python/name:os.system\ntiers: []",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    ],
)
def test_yaml_python_tags_are_refused(tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "PWNED"
    path = tmp_path / "router.yaml"
    path.write_text(payload.format(marker=marker), encoding="utf-8")
    with pytest.raises(ConfigError):
        RouterConfig.from_file(path)
    with pytest.raises(ConfigError):
        Router(path)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["router.pkl", "router.pickle", "router.yaml", "router.json"])
def test_pickled_configs_are_refused(tmp_path: Path, evil_pickle, name: str) -> None:
    blob, marker = evil_pickle
    path = tmp_path / name
    path.write_bytes(blob)
    with pytest.raises(ConfigError):
        RouterConfig.from_file(path)
    assert not marker.exists()


def test_pickled_embedding_heads_are_refused(tmp_path: Path, evil_pickle) -> None:
    from shared_core.classifiers import HashingEncoder, HeadClassifier

    blob, marker = evil_pickle
    pkl = tmp_path / "head.pkl"
    pkl.write_bytes(blob)
    with pytest.raises(UnsafeFormatError, match="pickle"):
        HeadClassifier.load(pkl, HashingEncoder())
    # an .npz whose arrays are pickled objects is refused too (allow_pickle=False)
    npz = tmp_path / "head.npz"
    evil = _Evil()
    evil.marker = marker
    with npz.open("wb") as fh:
        np.savez(fh, weights=np.array([evil], dtype=object), bias=np.zeros(1), meta=b"{}")
    with pytest.raises(DataFormatError):
        HeadClassifier.load(npz, HashingEncoder())
    assert not marker.exists()


def test_router_with_a_pickled_classifier_path_fails_with_a_clear_error(
    tmp_path: Path, evil_pickle
) -> None:
    blob, marker = evil_pickle
    (tmp_path / "head.pkl").write_bytes(blob)
    data = RouterConfig.from_file(default_config_path()).to_dict()
    data["classifier"] = {"type": "embedding", "path": str(tmp_path / "head.pkl")}
    with pytest.raises(RouterError, match="pickle"):  # when the router is built, not later
        Router(RouterConfig.build(data))
    assert not marker.exists()


def test_pickled_trained_routers_are_refused(tmp_path: Path, evil_pickle) -> None:
    trained = pytest.importorskip("shared_core.classifiers.trained")
    blob, marker = evil_pickle
    for name in ("router.pkl", "router.joblib", "router.json"):
        path = tmp_path / name
        path.write_bytes(blob)
        with pytest.raises(DataFormatError):
            trained.TrainedRouter.load(path)
    assert not marker.exists()


@pytest.mark.parametrize("key", [
    "gsk_abcdefghijklmnopqrstuvwx", "hf_abcdefghijklmnopqrstuvwx", "ghp_abcdefghijklmnopqrstuvwx",
    "AKIAABCDEFGHIJKLMNOP", "xai-abcdefghijklmnopqrstuvwx", "sk-proj-abcdefghijklmnop",
])
def test_redact_knows_common_provider_key_shapes(key: str) -> None:
    from shared_core.errors import redact

    assert key not in redact(f"error: bad credentials {key} rejected")
