"""Write a calibrated knob (and rule, trained-router path) into a router config.

A YAML config is edited in place of its values only (comments, order and every other line
kept); other formats are written whole from the validated config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..atomic_files import write_atomic
from ..config import RouterConfig
from ..errors import ConfigError


def check_tier_count(cfg: RouterConfig, n_models: int) -> None:
    """A difficulty config must have one tier per calibration model (else the knob would
    mean something else there): :class:`ConfigError` when it does not."""
    if cfg.mode == "difficulty" and len(cfg.tiers) != n_models:
        raise ConfigError(
            f"the config has {len(cfg.tiers)} tiers ({cfg.tier_names}) but the calibration data has "
            f"{n_models} models: calibrate on data whose models match the tiers, cheapest first",
            field="tiers",
            value=cfg.tier_names,
        )


def apply_to_config(
    config: RouterConfig | str | Path,
    knob: float,
    *,
    rule: str | None = None,
    router_path: str | Path | None = None,
    output: str | Path | None = None,
    n_models: int | None = None,
) -> RouterConfig:
    """A copy of ``config`` with ``policy.threshold`` (and ``rule``, classifier path) set.

    ``n_models``: the number of models the knob was calibrated on; a config with a
    different number of tiers is refused (the knob would mean something else there).
    Written to ``output`` when given (YAML/TOML/JSON by suffix).
    """
    cfg = config if isinstance(config, RouterConfig) else RouterConfig.from_file(config)
    if n_models is not None:
        check_tier_count(cfg, n_models)
    data = cfg.given_dict()  # defaults stay defaults (an adapter fills capabilities from models)
    data.setdefault("policy", {})["threshold"] = float(knob)
    if rule is not None:
        data["policy"]["rule"] = rule
    if router_path is not None:
        rp = Path(router_path).resolve()
        if output is not None:
            try:
                rp = rp.relative_to(Path(output).resolve().parent)
            except ValueError:
                pass
        data["classifier"] = {"type": "trained", "path": str(rp)}
    new = RouterConfig.build(data, source=str(output) if output else cfg.source_path)
    if output is not None:
        edits: list[tuple[tuple[str, ...], Any]] = [(("policy", "threshold"), float(knob))]
        if rule is not None and rule != cfg.policy.rule:
            edits.append((("policy", "rule"), rule))
        if router_path is not None:
            edits.append((("classifier",), data["classifier"]))
        if not _edit_yaml(cfg.source_path, output, edits):
            new.to_file(output)
    return new


def _edit_yaml(
    source: str | None, output: str | Path, edits: list[tuple[tuple[str, ...], Any]]
) -> bool:
    """Write ``output`` as the YAML ``source`` with only ``edits`` changed (comments, order
    and every other line kept); ``False`` when either file is not YAML."""
    yaml_suffixes = (".yaml", ".yml")
    if source is None or Path(source).suffix.lower() not in yaml_suffixes:
        return False
    if Path(output).suffix.lower() not in yaml_suffixes:
        return False
    from ..yaml_edit import set_value

    text = Path(source).read_text(encoding="utf-8")
    for path, value in edits:
        text = set_value(text, path, value)
    write_atomic(output, text)
    return True
