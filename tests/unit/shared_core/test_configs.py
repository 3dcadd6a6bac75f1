"""Shipped configs load; YAML/TOML round trips; validation errors name field, value, allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_core.config import RouterConfig
from shared_core.errors import ConfigError
from shared_core.pricing import PriceTable

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE_CONFIGS = sorted((ROOT / "examples" / "configs").glob("*.*"))
BUNDLED = ROOT / "shared_core" / "data" / "default_config.yaml"


def test_there_are_example_configs() -> None:
    names = {p.name for p in EXAMPLE_CONFIGS}
    assert {"difficulty-4tier.yaml", "task-routes.yaml"} <= names


@pytest.mark.parametrize("path", [*EXAMPLE_CONFIGS, BUNDLED], ids=lambda p: p.name)
def test_config_loads_and_every_model_is_priced(path: Path) -> None:
    cfg = RouterConfig.from_file(path)
    assert cfg.tiers
    prices = PriceTable()
    for t in cfg.tiers:
        assert prices.price(t.model, tier=t) is not None, f"{path.name}: {t.model} has no price"
        assert t.system_prompt and t.max_tokens
    if cfg.baseline_model:
        assert prices.price(cfg.baseline_model) is not None


def test_bundled_default_is_the_4tier_example() -> None:
    bundled = RouterConfig.from_file(BUNDLED)
    example = RouterConfig.from_file(ROOT / "examples" / "configs" / "difficulty-4tier.yaml")
    assert bundled.tier_names == ["simple", "medium", "complex", "frontier"]
    assert bundled.to_dict() == example.to_dict()
    assert bundled.baseline_model == bundled.tiers[-1].model
    assert bundled.classifier.type == "embedded"
    prices = PriceTable()
    blended = [prices.price(t.model).output for t in bundled.tiers]  # type: ignore[union-attr]
    assert blended == sorted(blended), "tiers must be ordered cheapest to strongest"


def test_task_config_routes() -> None:
    cfg = RouterConfig.from_file(ROOT / "examples" / "configs" / "task-routes.yaml")
    assert cfg.mode == "task" and cfg.classifier.type == "task"
    assert set(cfg.tier_names) == {"coding", "creative", "factual", "reasoning"}
    assert len({t.model for t in cfg.tiers}) == 4
    assert len({t.system_prompt for t in cfg.tiers}) == 4
    assert cfg.policy.fallback_tier in cfg.tier_names


@pytest.mark.parametrize("path", [*EXAMPLE_CONFIGS, BUNDLED], ids=lambda p: p.name)
@pytest.mark.parametrize("suffix", [".yaml", ".toml", ".json"])
def test_round_trip(path: Path, suffix: str, tmp_path: Path) -> None:
    cfg = RouterConfig.from_file(path)
    out = cfg.to_file(tmp_path / f"cfg{suffix}")
    assert RouterConfig.from_file(out).to_dict() == cfg.to_dict()


def _base() -> dict:
    return {"tiers": [{"name": "a", "model": "gpt-4o-mini"}, {"name": "b", "model": "gpt-4o"}]}


def _error(data: dict, tmp_path: Path, fmt: str = "yaml") -> ConfigError:
    import tomli_w
    import yaml

    p = tmp_path / f"bad.{fmt}"
    p.write_text(yaml.safe_dump(data) if fmt == "yaml" else tomli_w.dumps(data))
    with pytest.raises(ConfigError) as info:
        RouterConfig.from_file(p)
    assert str(p) in str(info.value)
    return info.value


@pytest.mark.parametrize("fmt", ["yaml", "toml"])
def test_negative_price_names_field_and_value(tmp_path: Path, fmt: str) -> None:
    data = _base()
    data["tiers"][0]["input_price"] = -1.5
    e = _error(data, tmp_path, fmt)
    assert e.field == "tiers.0.input_price" and e.value == -1.5
    assert (
        "tiers.0.input_price" in str(e)
        and "-1.5" in str(e)
        and "greater than or equal to 0" in str(e)
    )


def test_threshold_out_of_range(tmp_path: Path) -> None:
    data = {**_base(), "policy": {"threshold": 1.7}}
    e = _error(data, tmp_path)
    assert e.field == "policy.threshold" and "1.7" in str(e) and "less than or equal to 1" in str(e)


def test_duplicate_tier_names(tmp_path: Path) -> None:
    data = {"tiers": [{"name": "a", "model": "x"}, {"name": "a", "model": "y"}]}
    e = _error(data, tmp_path)
    assert e.field == "tiers" and "duplicate tier name 'a'" in str(e)


def test_empty_tiers(tmp_path: Path) -> None:
    e = _error({"tiers": []}, tmp_path)
    assert e.field == "tiers" and "at least one tier" in str(e)


def test_unknown_fallback_tier(tmp_path: Path) -> None:
    e = _error({**_base(), "policy": {"fallback_tier": "zzz"}}, tmp_path)
    assert "'zzz'" in str(e) and "known" in str(e) and "'a'" in str(e)
    e = _error({**_base(), "fallback": {"chain": ["a", "nope"]}}, tmp_path)
    assert "'nope'" in str(e) and "fallback.chain" in str(e)


def test_unknown_field_and_bad_enum_say_what_is_allowed(tmp_path: Path) -> None:
    e = _error({**_base(), "policy": {"treshold": 0.5}}, tmp_path)
    assert "policy.treshold" in str(e) and "did you mean 'threshold'" in str(e)
    e = _error({**_base(), "policy": {"rule": "magic"}}, tmp_path)
    assert "'magic'" in str(e) and "threshold" in str(e) and "utility" in str(e)


def test_unparseable_and_unknown_format(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tiers: [unclosed")
    with pytest.raises(ConfigError, match="cannot parse"):
        RouterConfig.from_file(bad)
    ini = tmp_path / "c.ini"
    ini.write_text("x")
    with pytest.raises(ConfigError, match="allowed"):
        RouterConfig.from_file(ini)
    with pytest.raises(ConfigError, match="not found"):
        RouterConfig.from_file(tmp_path / "missing.yaml")


def test_readme_style_fallback_on_key_loads_from_yaml(tmp_path):
    """YAML 1.1 reads a bare `on:` as True; the config still understands it."""
    p = tmp_path / "c.yaml"
    p.write_text(
        "tiers: [{name: a, model: gpt-4o-mini}, {name: b, model: gpt-4o}]\n"
        "fallback: {on: [rate_limit, timeout], cooldown_failures: 3}\n",
        encoding="utf-8",
    )
    from shared_core import RouterConfig

    cfg = RouterConfig.from_file(p)
    assert cfg.fallback.on == ["rate_limit", "timeout"]


def test_the_readme_config_example_loads(repo_root):
    """The YAML block under README's Configuration section is a working config."""
    import re

    import yaml

    from shared_core import RouterConfig

    text = (repo_root / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# after examples/configs/difficulty-4tier.yaml.*?)```", text, re.S)
    assert block, "README lost its configuration example"
    cfg = RouterConfig.build(yaml.safe_load(block.group(1)))
    assert cfg.tier_names == ["simple", "frontier"] and "rate_limit" in cfg.fallback.on


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("c.yaml", "tiers:\n  - {name: a, model: gpt-4o-mini}\npolicy: {threshold: 0.5}\npolicy: {threshold: 0.3}\n"),
        ("c.yaml", "tiers:\n  - name: a\n    model: gpt-4o-mini\n    model: o1\n"),
        ("c.json", '{"tiers": [{"name": "a", "model": "gpt-4o-mini"}], "tiers": []}'),
    ],
)
def test_a_key_given_twice_is_refused_not_last_wins(tmp_path, name: str, text: str) -> None:
    """A probe found `calibrate` editing the first of two `policy:` blocks while the loader
    used the second, and a tier's `model` given twice silently routing to the last."""
    from shared_core import RouterConfig
    from shared_core.errors import ConfigError

    p = tmp_path / name
    p.write_text(text)
    with pytest.raises(ConfigError, match="given twice"):
        RouterConfig.from_file(p)


def test_merge_keys_may_still_override_what_they_merge(tmp_path) -> None:
    from shared_core import RouterConfig

    p = tmp_path / "c.yaml"
    p.write_text(
        "tiers:\n"
        "  - &base {name: a, model: gpt-4o-mini, max_tokens: 100}\n"
        "  - {<<: *base, name: b, model: gpt-4o, max_tokens: 50}\n"
    )
    cfg = RouterConfig.from_file(p)
    assert [(t.name, t.model, t.max_tokens) for t in cfg.tiers] == [("a", "gpt-4o-mini", 100), ("b", "gpt-4o", 50)]


def test_a_folder_named_as_the_config_is_a_config_error(tmp_path) -> None:
    from shared_core import RouterConfig
    from shared_core.errors import ConfigError

    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(ConfigError, match="is a folder"):
        RouterConfig.from_file(tmp_path / "dir.yaml")


def test_an_unhashable_yaml_key_is_still_a_config_error(tmp_path) -> None:
    """The duplicate-key check must not turn YAML's complex keys into a raw TypeError."""
    from shared_core import RouterConfig
    from shared_core.errors import ConfigError

    p = tmp_path / "c.yaml"
    p.write_text("? [a, b]\n: 1\ntiers: []\n")
    with pytest.raises(ConfigError, match="cannot parse"):
        RouterConfig.from_file(p)


@pytest.mark.parametrize("suffix", [".yaml", ".toml", ".json"])
def test_a_written_config_reads_back_with_the_same_fields_given(suffix: str, tmp_path: Path) -> None:
    """``to_file`` wrote every default (``supports_vision: false``, ``supports_tools: true``), so
    the file read back *set* them: an adapter then kept ``false`` instead of reading vision
    from the model's profile, and routing changed after a save and load."""
    from shared_core.tier_defaults import Capabilities, with_capabilities

    cfg = RouterConfig.build({"tiers": [{"name": "a", "model": "gpt-4o-mini", "max_tokens": 100},
                                        {"name": "b", "model": "gpt-4o", "supports_vision": False}]})
    again = RouterConfig.from_file(cfg.to_file(tmp_path / f"c{suffix}"))
    assert again.to_dict() == cfg.to_dict()
    caps = {"a": Capabilities(supports_vision=True), "b": Capabilities(supports_vision=True)}
    for c in (cfg, again):
        filled = with_capabilities(c, caps)
        assert [t.supports_vision for t in filled.tiers] == [True, False]  # b's own false stays


def test_an_unpriced_baseline_is_refused_and_unpriced_tiers_are_named_when_built(caplog) -> None:
    """``baseline_model: gpt-9`` was accepted and every saving read against $0; a tier with no
    price was only logged at its first call, and the summary's cost read $0.00."""
    from shared_core import ConfigError, Router

    tiers = [{"name": "cheap", "model": "my-local-llama"}, {"name": "strong", "model": "gpt-4o"}]
    with pytest.raises(ConfigError, match=r"baseline_model.*gpt-9") as err:
        Router(RouterConfig.build({"tiers": tiers, "baseline_model": "gpt-9", "allow_unordered": True}))
    assert err.value.field == "baseline_model"
    caplog.set_level("WARNING", logger="tier_router")
    Router(RouterConfig.build({"tiers": tiers}))
    named = [r.getMessage() for r in caplog.records if "no known price" in r.getMessage()]
    assert len(named) == 1 and "cheap" in named[0] and "my-local-llama" in named[0]
    from shared_core.pricing import PriceTable, Usage

    assert PriceTable().cost("my-local-llama", Usage(10, 10)) is None  # no second warning at the call
    assert not [r for r in caplog.records if "no price known for model 'my-local-llama'" in r.getMessage()]
    caplog.clear()  # priced by hand: no warning, and a hand-priced baseline is fine
    priced = [{**tiers[0], "input_price": 0.0, "output_price": 0.0}, tiers[1]]
    Router(RouterConfig.build({"tiers": priced, "baseline_model": "my-local-llama", "allow_unordered": True}))
    assert not [r for r in caplog.records if "no known price" in r.getMessage()]


def test_config_errors_say_how_to_fix_them() -> None:
    """From a new user's walkthrough: an unknown field did not say which fields exist
    (``ledger: {path: ...}`` where the field is ``url``), a bad scope said "got ..." twice, and a
    bad ``policy.fallback_tier`` was reported at "(top level)" with the whole config quoted."""
    from shared_core import ConfigError

    base = [{"name": "a", "model": "gpt-4o"}]
    with pytest.raises(ConfigError) as err:
        RouterConfig.build({"tiers": base, "ledger": {"path": "x.sqlite"}})
    assert "url" in str(err.value) and err.value.field == "ledger.path"
    with pytest.raises(ConfigError) as err:
        RouterConfig.build({"tiers": [{**base[0], "max_token": 5}]})
    assert "did you mean 'max_tokens'" in str(err.value)
    with pytest.raises(ConfigError) as err:
        RouterConfig.build({"tiers": base, "budget": {"limits": [{"scope": "usr:bob", "period": "day", "limit_usd": 1}]}})
    assert str(err.value).count("usr:bob") == 1
    with pytest.raises(ConfigError, match=r"max_tokens.*got 0"):  # a number is always shown
        RouterConfig.build({"tiers": [{**base[0], "max_tokens": 0}]})
    with pytest.raises(ConfigError) as err:
        RouterConfig.build({"tiers": base, "policy": {"fallback_tier": "zzz"}})
    assert "(top level)" not in str(err.value) and "{'tiers'" not in str(err.value)
    assert "policy.fallback_tier" in str(err.value)


def test_a_field_set_after_building_is_written_even_in_a_section_not_given(tmp_path: Path) -> None:
    """``cfg.policy.threshold = 0.77`` on a config with no ``policy:`` section was left out of the
    file (the section as a whole was "not given")."""
    cfg = RouterConfig.build({"tiers": [{"name": "a", "model": "gpt-4o-mini"}, {"name": "b", "model": "gpt-4o"}]})
    cfg.policy.threshold = 0.77
    cfg.escalation.buffer_streams = True
    back = RouterConfig.from_file(cfg.to_file(tmp_path / "c.yaml"))
    assert back.policy.threshold == 0.77 and back.escalation.buffer_streams is True
    assert back.to_dict() == cfg.to_dict()
