"""Change one value of a YAML file in place, keeping everything else byte for byte.

``tier-router calibrate`` writes a new knob into the user's config: the file should change
by that one value, not be rewritten with every default expanded and the comments lost.
PyYAML's node positions say where the value is; only that span of text is replaced.
"""

from __future__ import annotations

from typing import Any

import yaml

from .errors import ConfigError


def _flow(value: Any) -> str:
    """``value`` as a one-line YAML flow value."""
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=1 << 30, sort_keys=False
    )
    return text.strip().removesuffix("...").strip()


def _find(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def set_value(text: str, path: tuple[str, ...], value: Any) -> str:
    """``text`` with ``path`` (e.g. ``("policy", "threshold")``) set to ``value``.

    A missing key is added: a line in a block mapping (at the indentation of its siblings),
    ``, key: value`` in a flow mapping, or a new top-level entry at the end of the file.
    An existing block value (a nested mapping or list) is replaced by one flow value.
    """
    root = yaml.compose(text)
    if root is None:
        return _append(text, path, value)
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError("the config's top level is not a mapping", field="(top level)", value=None)
    node: yaml.Node = root
    for depth, key in enumerate(path):
        found = _find(node, key)
        if found is None:
            if node is root:
                return _append(text, path[depth:], value)
            return _add(text, node, path[depth:], value)
        k, v = found
        last = depth == len(path) - 1
        if not last and isinstance(v, yaml.MappingNode):
            node = v
            continue
        new = _flow(value if last else _nest(path[depth:], value))
        if isinstance(v, (yaml.ScalarNode, yaml.MappingNode, yaml.SequenceNode)) and (
            getattr(v, "flow_style", False) or isinstance(v, yaml.ScalarNode)
        ) and v.start_mark.index < v.end_mark.index:
            return text[: v.start_mark.index] + new + text[v.end_mark.index :]
        # an empty value or a block collection: from after the colon to the end of the value
        colon = text.index(":", k.end_mark.index)
        end = max(v.end_mark.index, colon + 1)
        eol = text.find("\n", colon)
        if end <= (eol if eol != -1 else len(text)):  # empty value on the key's own line
            end = eol if eol != -1 else len(text)
            return text[: colon + 1] + " " + new + text[end:]
        return text[: colon + 1] + " " + new + "\n" + text[end:]
    return text  # pragma: no cover - the loop always returns


def _nest(path: tuple[str, ...], value: Any) -> Any:
    for key in reversed(path[1:]):
        value = {key: value}
    return value


def _append(text: str, path: tuple[str, ...], value: Any) -> str:
    body = text if not text or text.endswith("\n") else text + "\n"
    return body + f"{path[0]}: {_flow(_nest(path, value))}\n"


def _add(text: str, parent: yaml.MappingNode, path: tuple[str, ...], value: Any) -> str:
    """Add ``path[0]`` to a nested mapping that lacks it."""
    entry = f"{path[0]}: {_flow(_nest(path, value))}"
    if parent.flow_style:
        close = parent.end_mark.index - 1  # the "}"
        sep = ", " if parent.value else ""
        return text[:close].rstrip() + sep + entry + text[close:]
    indent = " " * parent.value[0][0].start_mark.column
    last = parent.value[-1][1]
    # the line after the mapping's last value (a block value already ends on a line start)
    at = last.end_mark.index
    if at > 0 and text[at - 1] == "\n":
        return text[:at] + indent + entry + "\n" + text[at:]
    eol = text.find("\n", at)
    if eol == -1:
        return text + "\n" + indent + entry + "\n"
    return text[: eol + 1] + indent + entry + "\n" + text[eol + 1 :]
