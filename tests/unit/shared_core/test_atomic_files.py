"""Saves that are interrupted leave the old file working (models, configs)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from shared_core.atomic_files import write_atomic
from shared_core.classifiers import files
from shared_core.classifiers.trained import TrainedRouter
from shared_core.config_files import write_config_file
from shared_core.errors import ConfigError
from shared_core.training.train import train_router


@pytest.fixture(scope="module")
def router() -> TrainedRouter:
    from tests.unit.shared_core.test_trained import META, _rows

    return train_router(_rows(), META, dim=1 << 12, lams=(1.0,), seed=0)


def test_an_interrupted_model_save_leaves_the_old_files_loadable(
    router: TrainedRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C half-way through ``train --output`` over last week's model truncated its
    weights file: the old model no longer loaded, and the new one did not exist."""
    path = router.save(tmp_path / "router.json")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real = np.lib.format.write_array
    calls = {"n": 0}

    def interrupted(*a: object, **k: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(np.lib.format, "write_array", interrupted)
    with pytest.raises(KeyboardInterrupt):
        router.save(path)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temp files left
    assert TrainedRouter.load(path).models == router.models


def test_a_config_that_cannot_be_encoded_leaves_the_old_file(tmp_path: Path) -> None:
    """TOML keeps a lone surrogate (from a JSON escape) as it is; UTF-8 cannot encode it. The
    old file was emptied before the error (a raw ``UnicodeEncodeError``)."""
    p = tmp_path / "router.toml"
    p.write_text('[[tiers]]\nname = "cheap"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="UTF-8"):
        write_config_file({"tiers": [{"name": "x\ud800"}]}, p)
    assert p.read_text(encoding="utf-8") == '[[tiers]]\nname = "cheap"\n'
    assert os.listdir(tmp_path) == ["router.toml"]


def test_write_atomic_keeps_permissions_and_follows_links(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    old = os.umask(0o022)
    try:  # a new file gets what write_text would give it (mkstemp alone makes 0o600)
        fresh = write_atomic(tmp_path / "fresh.txt", b"x")
    finally:
        os.umask(old)
    assert fresh.read_bytes() == b"x" and stat.S_IMODE(fresh.stat().st_mode) == 0o644


def test_npz_bytes_are_the_same_as_before(tmp_path: Path) -> None:
    """The shipped files are byte-stable: a shipped weights file written again through the
    temporary file has the bytes it shipped with."""
    shipped = Path(files.__file__).resolve().parents[1] / "data" / "models" / "difficulty.npz"
    files.write_npz(tmp_path / "again.npz", files.read_npz(shipped))
    assert (tmp_path / "again.npz").read_bytes() == shipped.read_bytes()
