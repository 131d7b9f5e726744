"""YAML read strictly: bounded UTF-8 files, no repeated keys, only finite numbers, each key's line.

Scenario files, sweep specs and ``--set`` values are read with PyYAML's ``SafeLoader`` in its
two steps: compose the node tree (which knows each key's line), then construct the data from
it. Before anything is constructed the tree is walked once, within fixed bounds
(``sim.limits``): nesting depth, the number of values once aliases are expanded (an "alias
bomb" stops at the bound instead of exhausting memory), and no key repeated in a mapping.
Scalars the safe loader cannot turn into values (``2019-02-30``, ``!!int six``), numbers that
are not finite (``.nan``, ``.inf``) or larger than ``MAX_NUMBER`` are errors at their line.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from sim.errors import UserError
from sim.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, MAX_NUMBER

Lines = dict[tuple, int]
_MERGE = "tag:yaml.org,2002:merge"
NUMBER = re.compile(r"^[-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
"""A decimal number as YAML 1.2 reads it (PyYAML's YAML 1.1 reads ``1e3`` as a string)."""


class YAMLProblem(ValueError):
    """A problem in YAML text, with the 1-based line it is on (0 when unknown); ``syntax`` when
    the text is not YAML at all (rather than YAML with a value that cannot be taken)."""

    def __init__(self, message: str, line: int = 0, syntax: bool = False) -> None:
        super().__init__(message)
        self.line = line
        self.syntax = syntax


def read_text(path: str | Path, what: str, error: type[UserError] = UserError) -> str:
    """The UTF-8 text of ``path`` (a ``what``: "scenario file"), or one line saying why not."""
    path = Path(path)
    try:
        if not path.exists():
            raise error(f"{path}: no such {what}")
        if not path.is_file():
            raise error(f"{path}: not a file")
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as problem:
        raise error(f"{path}: cannot read the {what} ({problem.strerror or type(problem).__name__})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise error(f"{path}: larger than {MAX_FILE_BYTES:,} bytes, the limit for a {what}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as problem:
        line = raw[: problem.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not UTF-8 text (byte 0x{raw[problem.start]:02x}); save the {what} as UTF-8") from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise error(f"{path}:{line}: not UTF-8 text (it holds NUL bytes, as UTF-16 does); save the {what} as UTF-8")
    return text


def parse(text: str) -> tuple[yaml.Node | None, Any, Lines]:
    """The node tree, the data and the line of every key path of one YAML document.

    Raises ``YAMLProblem`` (with the line) for broken YAML, a repeated key, nesting or aliases
    beyond the bounds, and values that cannot be read or are not finite numbers."""
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        raise YAMLProblem(f"character {error.character!r} is not allowed in YAML", line) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as error:
            raise _problem(error) from None
        lines: Lines = {}
        if node is not None:
            _walk(node, (), 1, lines, [0])
        try:
            data = loader.construct_document(node) if node is not None else None
        except yaml.YAMLError as error:
            raise _problem(error) from None
        return node, data, lines
    finally:
        loader.dispose()


def parse_scalar(text: str) -> Any:
    """A ``--set`` or grid value: a YAML scalar or flow list, numbers read as YAML 1.2 does
    (``1e3`` is 1000.0). Text that is not YAML stays text; a value that is YAML but not
    acceptable (``.nan``, ``1e400``, ``!!int six``, ``{a: 1, a: 2}``) raises ``YAMLProblem``."""
    if NUMBER.match(text.strip()):
        value = float(text.strip().replace("_", "")) if any(c in text for c in ".eE") else int(text.strip().replace("_", ""))
        return check_number(value)
    try:
        _, value, _ = parse(text)
    except YAMLProblem as problem:
        if problem.syntax:
            return text
        raise
    return value


def check_number(value: float | int) -> float | int:
    """``value`` if finite and within ``MAX_NUMBER`` in magnitude, else ``YAMLProblem``."""
    if isinstance(value, float) and not math.isfinite(value):
        raise YAMLProblem(f"{value!r} is not a finite number")
    if abs(value) > MAX_NUMBER:
        raise YAMLProblem(f"{value:.6g} is larger in magnitude than {MAX_NUMBER:g}, the limit for a number")
    return value


def _problem(error: yaml.YAMLError) -> YAMLProblem:
    mark = getattr(error, "problem_mark", None)
    text = getattr(error, "problem", None) or str(error).splitlines()[0]
    syntax = not isinstance(error, ConstructorError | _Bound)
    return YAMLProblem(f"broken YAML: {text}" if syntax else text, mark.line + 1 if mark else 0, syntax)


class _Bound(yaml.MarkedYAMLError):
    """A bound of ``sim.limits`` exceeded while composing."""


def _walk(node: yaml.Node, prefix: tuple, depth: int, lines: Lines, count: list[int]) -> None:
    """Record each key path's line, following aliases, within the depth and size bounds; refuse
    repeated keys."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise YAMLProblem(f"more than {MAX_NODES:,} values once aliases are expanded (the limit)", node.start_mark.line + 1)
    if depth > MAX_DEPTH:
        raise YAMLProblem(f"nested deeper than {MAX_DEPTH} levels (the limit)", node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                _walk(value_node, prefix, depth + 1, lines, count)
                continue
            line = key_node.start_mark.line + 1
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    dotted = ".".join(str(p) for p in (*prefix, key_node.value))
                    raise YAMLProblem(f"{dotted}: the key is repeated (first at line {seen[key_node.value]}, again here)", line)
                seen[key_node.value] = line
            key = (*prefix, key_node.value)
            lines.setdefault(key, line)
            _walk(value_node, key, depth + 1, lines, count)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            key = (*prefix, index)
            lines.setdefault(key, item.start_mark.line + 1)
            _walk(item, key, depth + 1, lines, count)


class _StrictLoader(yaml.SafeLoader):
    """``SafeLoader`` that bounds nesting while composing and refuses unreadable or non-finite values."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Bound(None, None, f"nested deeper than {MAX_DEPTH} levels (the limit)", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, OverflowError, AttributeError, RecursionError) as error:
            tag = node.tag.rsplit(":", 1)[-1]
            shown = node.value if isinstance(node, yaml.ScalarNode) else tag
            raise ConstructorError(None, None, f"cannot read {str(shown)[:40]!r} as {tag} ({str(error)[:80] or type(error).__name__})",
                                   node.start_mark) from None

    def construct_yaml_int(self, node: yaml.Node) -> int:
        value = super().construct_yaml_int(node)
        return self._number(value, node)

    def construct_yaml_float(self, node: yaml.Node) -> float:
        value = super().construct_yaml_float(node)
        return self._number(value, node)

    @staticmethod
    def _number(value: Any, node: yaml.Node) -> Any:
        try:
            return check_number(value)
        except YAMLProblem as problem:
            raise ConstructorError(None, None, str(problem), node.start_mark) from None


_StrictLoader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9]+[eE][-+]?[0-9]+$"), list("-+0123456789"))
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)
