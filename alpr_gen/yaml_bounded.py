"""YAML from untrusted files, with limits: the one place alpr-gen turns YAML text into data.

libyaml composes the node tree (C, and it refuses more than 1000 nesting levels itself); the
data is then built here, walking that tree once with a bounded depth and a bounded number of
values, where an alias counts again each time it is used. A "billion laughs" alias bomb, a
recursive anchor or a 10 000-level document ends in a `YamlProblem` with a line number instead
of a hang, memory exhaustion or a RecursionError. Duplicate mapping keys (YAML keeps the last
one silently) are refused, merge keys (`<<: *defaults`) are honoured, and only the standard
tags are accepted (no `!!python/...`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from alpr_gen.errors import AlprGenError

# libyaml's composer when PyYAML was built with it (PyPI's wheels are): ~10x faster, and it
# limits nesting itself; the pure-Python composer recurses (caught as RecursionError below).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"

MAX_DEPTH = 32
MAX_VALUES = 200_000


class YamlProblem(AlprGenError):
    """YAML that cannot be read as data: `line` (1-based, 0 when unknown) and `problem`."""

    def __init__(self, line: int, problem: str, *, column: int = 0) -> None:
        super().__init__(f"line {line}: {problem}" if line else problem)
        self.line = line
        self.column = column
        self.problem = problem


@dataclass
class Limits:
    depth: int = MAX_DEPTH
    values: int = MAX_VALUES


def compose(text: str) -> yaml.Node | None:
    """The node tree of a single-document YAML text (None for an empty document)."""
    try:
        loader = _Loader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "YAML syntax error"
        if "maximum nesting depth" in problem:
            problem = "nested too deeply"
        raise YamlProblem(
            mark.line + 1 if mark else 0, problem, column=mark.column + 1 if mark else 0
        ) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(0, str(exc).splitlines()[0]) from None
    except RecursionError:
        raise YamlProblem(0, "nested too deeply") from None


# Record the source line of each value: called with the path parts (keys and list indexes).
OnValue = Callable[[tuple[str | int, ...], int], None]


def build(
    node: yaml.Node | None, *, limits: Limits | None = None, on_value: OnValue | None = None
) -> object:
    """Plain Python data (dict/list/scalars) from a node tree, within `limits`."""
    if node is None:
        return None
    return _Builder(limits or Limits(), on_value).value(node, (), 1)


def check(node: yaml.Node | None, *, limits: Limits | None = None) -> None:
    """Raise YamlProblem when building `node` would exceed `limits` or meet a duplicate key."""
    build(node, limits=limits)


class _Builder:
    def __init__(self, limits: Limits, on_value: OnValue | None) -> None:
        self.limits = limits
        self.on_value = on_value
        self.count = 0
        self.scalars = SafeConstructor()

    def value(self, node: yaml.Node, path: tuple[str | int, ...], depth: int) -> object:
        line = node.start_mark.line + 1
        self.count += 1
        if self.count > self.limits.values:
            raise YamlProblem(
                line,
                f"more than {self.limits.values} values (an alias bomb?); aliases (*name) are "
                "expanded each time they are used",
            )
        if depth > self.limits.depth:
            raise YamlProblem(
                line, f"nested more than {self.limits.depth} levels deep (or a recursive alias)"
            )
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise YamlProblem(line, f"tag {node.tag} is not supported here")
            out = []
            for i, item in enumerate(node.value):
                child = (*path, i)
                if self.on_value is not None:
                    self.on_value(child, item.start_mark.line + 1)
                out.append(self.value(item, child, depth + 1))
            return out
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        raise YamlProblem(line, "unsupported YAML node")  # pragma: no cover - yaml has 3 kinds

    def scalar(self, node: yaml.ScalarNode) -> object:
        try:
            return self.scalars.construct_object(node, deep=True)
        except ConstructorError as exc:
            mark = exc.problem_mark or node.start_mark
            problem = exc.problem or "cannot read this value"
            raise YamlProblem(
                mark.line + 1, problem if node.tag in problem else f"{problem} (tag {node.tag})"
            ) from None
        except (ValueError, OverflowError):  # a 5000-digit integer, a date like 2024-02-31
            raise YamlProblem(
                node.start_mark.line + 1, "a value YAML cannot convert (too large, or not a date)"
            ) from None

    def mapping(
        self, node: yaml.MappingNode, path: tuple[str | int, ...], depth: int
    ) -> dict[str, object]:
        line = node.start_mark.line + 1
        if node.tag != _MAP:
            raise YamlProblem(line, f"tag {node.tag} is not supported here")
        out: dict[str, object] = {}
        first_line: dict[str, int] = {}
        merges: list[yaml.Node] = []
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(key_line, "a mapping key must be a plain name, not a list or map")
            # Keys are names as written (`on:` stays "on", `1:` stays "1"), never booleans.
            key = str(key_node.value)
            if key in first_line:
                raise YamlProblem(
                    key_line,
                    f"duplicate key {key!r} (first at line {first_line[key]}); YAML would keep "
                    "only the last one: remove one of them",
                )
            first_line[key] = key_line
            child = (*path, key)
            if self.on_value is not None:
                self.on_value(child, key_line)
            out[key] = self.value(value_node, child, depth + 1)
        # Merge keys: explicit keys win, then earlier merged mappings over later ones.
        for merge in merges:
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            merge_line = merge.start_mark.line + 1
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    raise YamlProblem(
                        source.start_mark.line + 1, "`<<` merges a mapping (or a list of them)"
                    )
                on_value, self.on_value = self.on_value, None  # merged values: the `<<` line
                try:
                    merged = self.value(source, path, depth + 1)
                finally:
                    self.on_value = on_value
                assert isinstance(merged, dict)
                for key, value in merged.items():
                    if key not in out:
                        out[key] = value
                        if on_value is not None:
                            on_value((*path, key), merge_line)
        return out
