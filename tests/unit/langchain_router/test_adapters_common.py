"""config_from_tiers: the config an adapter runs on, and clear errors when names disagree."""

from __future__ import annotations

import pytest

from shared_core import ConfigError, RouterConfig
from shared_core.adapters_common import config_from_tiers, model_id


class _M:
    def __init__(self, **kw: object) -> None:
        self.__dict__.update(kw)


def test_model_id_reads_the_usual_attributes() -> None:
    assert model_id(_M(model_name="gpt-4o")) == "gpt-4o"
    assert model_id(_M(model="m")) == "m"
    assert model_id(_M(model_name="", model="m2")) == "m2"
    assert model_id(_M(), "fallback") == "fallback"


def test_no_config_builds_embedded_default_in_given_order() -> None:
    cfg = config_from_tiers({"small": "gpt-4o-mini", "mid": None, "big": "gpt-4o"})
    assert cfg.tier_names == ["small", "mid", "big"]
    assert [t.model for t in cfg.tiers] == ["gpt-4o-mini", "mid", "gpt-4o"]
    assert cfg.classifier.type == "embedded"


def test_config_names_must_match() -> None:
    cfg = RouterConfig.build({"tiers": [{"name": "a", "model": "x"}, {"name": "b", "model": "y"}]})
    assert config_from_tiers({"b": "y", "a": "x"}, cfg) is cfg
    assert config_from_tiers({"a": "x", "b": "y"}, cfg.to_dict()).tier_names == ["a", "b"]
    with pytest.raises(ConfigError, match=r"\['b'\] with no inner model") as err:
        config_from_tiers({"a": "x"}, cfg)
    assert err.value.field == "tiers"
    with pytest.raises(ConfigError, match=r"\['c'\] that the config does not define"):
        config_from_tiers({"a": "x", "b": "y", "c": "z"}, cfg)
    with pytest.raises(ConfigError, match="tiers is empty"):
        config_from_tiers({})
    with pytest.raises(ConfigError, match="config must be"):
        config_from_tiers({"a": "x"}, 42)  # type: ignore[arg-type]


def test_config_from_path(tmp_path: object) -> None:
    from pathlib import Path

    p = Path(str(tmp_path)) / "c.yaml"
    RouterConfig.build({"tiers": [{"name": "a", "model": "x"}]}).to_file(p)
    assert config_from_tiers({"a": "x"}, p).tier_names == ["a"]
