"""YAML text → plain data plus the line and column of every key and value.

We compose nodes ourselves instead of calling ``load`` so that duplicate keys are reported
(all of them, not the first), alias expansion is counted before anything is built from it,
and each node's position survives for diagnostics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.spec.diagnostics import Code, Diagnostic, Location, error

YamlPath = tuple[str | int, ...]

# A billion-laughs document is a few hundred bytes that expands to gigabytes; no honest
# project file needs more than this many values produced through aliases and merge keys.
ALIAS_EXPANSION_BUDGET = 100_000
MAX_DEPTH = 64
MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class YamlDocument:
    """The data of one file and where each part of it was written."""

    data: Any
    keys: Mapping[YamlPath, tuple[int, int]]
    values: Mapping[YamlPath, tuple[int, int]]

    def key_at(self, path: YamlPath) -> tuple[int, int]:
        """Where the entry at ``path`` starts (its key), or the nearest enclosing entry."""
        return self._nearest(path, self.keys, self.values)

    def value_at(self, path: YamlPath) -> tuple[int, int]:
        """Where the value at ``path`` is written, or the nearest enclosing node."""
        return self._nearest(path, self.values, self.keys)

    @staticmethod
    def _nearest(
        path: YamlPath,
        first: Mapping[YamlPath, tuple[int, int]],
        second: Mapping[YamlPath, tuple[int, int]],
    ) -> tuple[int, int]:
        for end in range(len(path), -1, -1):
            found = first.get(path[:end]) or second.get(path[:end])
            if found:
                return found
        return (1, 1)


class _Abort(Exception):
    """Stops building a document whose shape makes further reading pointless or unsafe."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass
class _Builder:
    file: str
    constructor: Any
    diagnostics: list[Diagnostic] = field(default_factory=list)
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    values: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    built: dict[int, tuple[Any, int]] = field(default_factory=dict)
    active: set[int] = field(default_factory=set)
    expanded: int = 0

    def place(self, node: Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def loc(self, node: Node) -> Location:
        line, column = self.place(node)
        return Location(self.file, line, column)

    def build(self, node: Node, path: YamlPath, record: bool = True) -> tuple[Any, int]:
        """Return (value, number of values it stands for) and record positions under path."""
        if id(node) in self.active:
            raise _Abort(error(Code.ALIAS_BOMB, "alias refers to itself", self.loc(node)))
        if id(node) in self.built:  # an alias: reuse the value, but count what it stands for
            value, size = self.built[id(node)]
            self.expanded += size
            if self.expanded > ALIAS_EXPANSION_BUDGET:
                raise _Abort(
                    error(
                        Code.ALIAS_BOMB,
                        f"aliases expand to more than {ALIAS_EXPANSION_BUDGET:,} values",
                        self.loc(node),
                        "use fewer nested anchors and aliases",
                    )
                )
            return value, size
        if record:  # not for aliases: their node sits where the anchor was written
            self.values[path] = self.place(node)
        if len(path) > MAX_DEPTH:
            raise _Abort(
                error(Code.TOO_DEEP, f"nesting deeper than {MAX_DEPTH} levels", self.loc(node))
            )
        self.active.add(id(node))
        try:
            result = self._build_new(node, path, record)
        finally:
            self.active.discard(id(node))
        self.built[id(node)] = result
        return result

    def _build_new(self, node: Node, path: YamlPath, record: bool) -> tuple[Any, int]:
        if isinstance(node, MappingNode):
            return self._mapping(node, path, record)
        if isinstance(node, SequenceNode):
            items = [self.build(child, (*path, i), record) for i, child in enumerate(node.value)]
            return [value for value, _ in items], 1 + sum(size for _, size in items)
        return self.constructor.construct_object(node, deep=True), 1

    def _mapping(self, node: MappingNode, path: YamlPath, record: bool) -> tuple[Any, int]:
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        merged: list[Node] = []
        size = 1
        for key_node, value_node in node.value:
            if _tag(key_node) == MERGE_TAG:
                merged.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self.diagnostics.append(
                    error(Code.WRONG_TYPE, "keys must be plain names", self.loc(key_node))
                )
                continue
            key = str(key_node.value)
            line, _ = self.place(key_node)
            if key in first_seen:
                self.diagnostics.append(
                    error(
                        Code.DUPLICATE_KEY,
                        f"duplicate key '{key}'",
                        self.loc(key_node),
                        f"first defined on line {first_seen[key]}",
                    )
                )
                continue
            first_seen[key] = line
            if record:
                self.keys[(*path, key)] = self.place(key_node)
            result[key], child_size = self.build(value_node, (*path, key), record)
            size += child_size
        for source in merged:
            size += self._merge(result, source, path)
        return result, size

    def _merge(self, target: dict[str, Any], source: Node, path: YamlPath) -> int:
        """Apply a ``<<`` merge key: keys written explicitly win over merged ones."""
        sources = source.value if isinstance(source, SequenceNode) else [source]
        size = 0
        for item in sources:
            value, item_size = self.build(item, path, record=False)
            if not isinstance(value, dict):
                self.diagnostics.append(
                    error(Code.WRONG_TYPE, "'<<' must merge a mapping", self.loc(item))
                )
                continue
            size += item_size
            for key, merged_value in value.items():
                target.setdefault(key, merged_value)
        return size


def _tag(node: Node) -> str:
    tag = node.tag
    return str(getattr(tag, "value", tag))


def _yaml() -> YAML:
    return YAML(typ="safe")


def parse_yaml(text: str, file: str) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Parse one YAML document; on failure return None and diagnostics, never raise."""
    yaml = _yaml()
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as exc:
        return None, [_syntax_diagnostic(exc, text, file)]
    except YAMLError as exc:
        return None, [_reader_diagnostic(exc, text, file)]
    except RecursionError:
        return None, [error(Code.TOO_DEEP, "nesting too deep to read", Location(file, 1, 1))]
    if root is None:
        return YamlDocument(None, {}, {}), []
    builder = _Builder(file=file, constructor=yaml.constructor)
    try:
        data, _ = builder.build(root, ())
    except _Abort as abort:
        return None, [*builder.diagnostics, abort.diagnostic]
    except (YAMLError, ValueError, OverflowError) as exc:  # e.g. a timestamp like 2024-13-45
        return None, [*builder.diagnostics, error(Code.BAD_VALUE, str(exc), Location(file))]
    return YamlDocument(data, builder.keys, builder.values), builder.diagnostics


def _syntax_diagnostic(exc: MarkedYAMLError, text: str, file: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    last_line = text.count("\n") + 1
    if line > last_line:  # the parser reports the end of a file without a final newline past it
        line, column = last_line, len(text) - text.rfind("\n")
    problem = exc.problem or exc.context or "invalid YAML"
    hint = "check indentation and quoting"
    started = exc.context_mark
    if exc.context and started and started.line + 1 != line:
        hint = f"{exc.context} that starts on line {started.line + 1}"
    if "expected a single document" in str(exc):
        problem, hint = "more than one YAML document in the file", "remove the extra '---'"
    return error(
        Code.YAML_SYNTAX, f"YAML syntax error: {problem}", Location(file, line, column), hint
    )


def _reader_diagnostic(exc: YAMLError, text: str, file: str) -> Diagnostic:
    position = getattr(exc, "position", 0) or 0
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = getattr(exc, "character", None)
    what = f"character {character!r}" if character is not None else "character"
    return error(
        Code.YAML_SYNTAX,
        f"YAML syntax error: {what} is not allowed in YAML",
        Location(file, line, column),
        "remove control characters",
    )
