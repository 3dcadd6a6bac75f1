"""Reading and writing router config files (YAML, TOML, JSON) as plain data, safely.

Parsing never executes code (``yaml.safe_load``); a YAML file whose aliases expand too far is
refused, and so is a key given twice in one mapping (YAML or JSON; TOML refuses it itself): the
last one would win silently, and ``calibrate`` would edit the first; pydantic validation errors become one :class:`~shared_core.errors.ConfigError` that
names every bad field. :class:`~shared_core.config.RouterConfig` validates what is read here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .atomic_files import write_atomic
from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MAX_YAML_NODES = 1_000_000
"""A YAML config may not expand (aliases followed) to more values than this."""


class _DuplicateKey(ValueError):
    def __init__(self, key: str, where: str) -> None:
        super().__init__(f"key {key!r} is given twice{where}; keep one (the last would win silently)")
        self.key = key


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses a key given twice in one mapping (a merge key's
    ``<<: *defaults`` entries may still be overridden)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in seen:
                    raise _DuplicateKey(str(key), f" (line {key_node.start_mark.line + 1})")
                seen.add(key)
            except TypeError:  # an unhashable key: SafeLoader's own error names it
                break
        return super().construct_mapping(node, deep=deep)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key, "")
        out[key] = value
    return out


def read_config_file(path: str | Path) -> Any:
    """The plain data of a YAML (``.yaml``/``.yml``), TOML (``.toml``) or JSON file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is no part of the config
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}", field="path", value=str(p)) from None
    except IsADirectoryError:
        raise ConfigError(f"{p} is a folder, not a config file", field="path", value=str(p)) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"{p}: not a UTF-8 text config (binary files such as pickles are never loaded)",
            field="path", value=str(p),
        ) from None
    suffix = p.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: runs no code
            check_expansion(data, p)
        elif suffix == ".toml":
            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text, object_pairs_hook=_unique_pairs)
        else:
            raise ConfigError(
                f"{p}: unknown config format {suffix!r}; allowed: .yaml, .yml, .toml, .json",
                field="path",
                value=str(p),
            )
    except _DuplicateKey as exc:
        raise ConfigError(f"{p}: {exc}", field=exc.key, value=exc.key) from None
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{p}: cannot parse: {exc}", field="(file)", value=str(p)) from None
    except RecursionError:
        raise ConfigError(
            f"{p}: cannot parse: nested too deeply", field="(file)", value=str(p)
        ) from None
    return data


def write_config_file(data: dict[str, Any], path: str | Path) -> Path:
    """Write ``data`` as YAML, TOML or JSON by the suffix of ``path``."""
    import tomli_w

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    elif suffix == ".toml":
        text = tomli_w.dumps(data)
    elif suffix == ".json":
        text = json.dumps(data, indent=2)
    else:
        raise ConfigError(
            f"unknown config format {suffix!r}; allowed: .yaml, .yml, .toml, .json",
            field="path",
            value=str(p),
        )
    try:
        return write_atomic(p, text)
    except UnicodeEncodeError as exc:
        raise ConfigError(
            f"cannot write {p.name}: a value holds a character UTF-8 cannot encode "
            f"({exc.object[exc.start:exc.end]!r}, a lone surrogate); the file is unchanged",
            field="path",
            value=str(p),
        ) from None


def _named_field(msg: str) -> str | None:
    """The dotted field a cross-field check's message starts with (``policy.fallback_tier 'x'
    is not a tier``), if it names one."""
    import re

    m = re.match(r"(?:Value error, )?([a-z_]+(?:\.[a-z_]+)+)\b", msg)
    return m.group(1) if m else None


def _unknown_field_hint(model: Any, loc: tuple[Any, ...]) -> str:
    """" (unknown field; did you mean 'x'? fields here: ...)" for the model at ``loc``."""
    import difflib
    import typing

    from pydantic import BaseModel

    here = model
    for part in loc[:-1]:
        if isinstance(part, int) or here is None:
            continue
        field = here.model_fields.get(part)
        if field is None:
            here = None
            break
        here = None
        stack = [field.annotation]
        while stack:  # the model inside Optional[...], list[...], dict[str, ...]
            t = stack.pop()
            if isinstance(t, type) and issubclass(t, BaseModel):
                here = t
                break
            stack.extend(typing.get_args(t))
    if here is None:
        return " (unknown field; check the spelling)"
    names = sorted(n for n, f in here.model_fields.items() if not f.exclude)
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    mean = f"did you mean {close[0]!r}? " if close else ""
    return f" (unknown field; {mean}fields here: {', '.join(names)})"


def check_expansion(data: Any, path: Path) -> None:
    """Refuse YAML whose aliases expand to more than :data:`MAX_YAML_NODES` values (an
    "alias bomb": a few lines that any later copy or walk would blow up) or refer to
    themselves. Shared values are sized once, so this takes time in the file's size."""
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()

    def size(obj: Any) -> int:
        key = id(obj)
        if key in sizes:
            return sizes[key]
        if isinstance(obj, dict):
            children: Any = list(obj.keys()) + list(obj.values())
        elif isinstance(obj, (list, tuple, set)):
            children = obj
        else:
            return 1
        if key in open_ids:
            raise ConfigError(
                f"{path}: a YAML alias refers to a value that contains it (a recursive config)",
                field="(file)", value=str(path),
            )
        open_ids.add(key)
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_YAML_NODES:
                raise ConfigError(
                    f"{path}: YAML aliases expand this config to more than {MAX_YAML_NODES:,} "
                    "values (an alias bomb?); write the values out or use fewer aliases",
                    field="(file)", value=str(path),
                )
        open_ids.discard(key)
        sizes[key] = total
        return total

    size(data)


def config_error(exc: ValidationError, source: str | None, model: Any = None) -> ConfigError:
    """The typed error for a config that failed validation; ``model`` (the validated class)
    lets an unknown field's message list the fields that exist there."""
    parts = []
    first_field = None
    first_value = None
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
        value = err.get("input")
        msg = err["msg"]
        if not err["loc"]:  # a check across fields: its message names them; the input is the whole config
            loc, value = _named_field(msg) or "(config)", None
            msg = msg.removeprefix("Value error, ")
        if first_field is None:
            first_field, first_value = loc, value
        shown = repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        quoted = isinstance(value, str) and shown in msg  # the check's own message quotes it
        got = "" if not err["loc"] or quoted else f"; got {shown}"
        allowed = ""
        ctx = err.get("ctx") or {}
        if "expected" in ctx:
            allowed = f" (allowed: {ctx['expected']})"
        elif err["type"] == "extra_forbidden":
            allowed = _unknown_field_hint(model, err["loc"])
        parts.append(f"{loc}: {msg}{got}{allowed}")
    prefix = f"{source}: " if source else ""
    return ConfigError(
        prefix + "invalid router config:\n  " + "\n  ".join(parts), field=first_field, value=first_value
    )
