"""Read YAML keeping the line of every value, and refusing duplicate keys.

PyYAML silently keeps the last of two equal keys; in a contract that would hide a definition,
so a duplicate is an error here. Lines let every validation message point at the file.

Anchors and aliases are refused before anything is built: a contract never needs them, and
nested aliases expand exponentially (a "billion laughs" file grew past 1.6 GB in 90 s). Files
larger than MAX_BYTES are refused too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml


@dataclass
class Located:
    """Plain data plus the line (1-based) of each path inside it."""

    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    duplicates: list[tuple[tuple, int]] = field(default_factory=list)

    def line_of(self, path: tuple) -> int | None:
        """The line of `path`, or of its closest parent that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


MAX_BYTES = 1_000_000
"""A contract is a few hundred lines; anything near a megabyte is not one."""


class UnsafeYaml(yaml.YAMLError):
    """YAML the contract loader will not expand; `line` says where (1-based)."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def _refuse_aliases(text: str) -> None:
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise UnsafeYaml(
                "anchors and aliases (&name, *name) are not allowed in the contract", event.start_mark.line + 1
            )


def load(text: str) -> Located:
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise UnsafeYaml(f"the file is larger than {MAX_BYTES:,} bytes: not a contract", None)
    _refuse_aliases(text)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    located = Located(data=None)
    if node is None:
        located.data = {}
        return located
    located.data = _convert(node, (), located)
    return located


def _convert(node: yaml.Node, path: tuple, out: Located) -> Any:
    out.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in result:
                out.duplicates.append((path + (key,), key_node.start_mark.line + 1))
            result[key] = _convert(value_node, path + (key,), out)
            out.lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, path + (i,), out) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.YAMLError(f"line {node.start_mark.line + 1}: a key must be a plain value")
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
