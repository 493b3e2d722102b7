"""Where each value of a YAML document sits, so every problem can name its line."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from livefire.base.errors import Problem

Path = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Line numbers (1-based) of every key and value, by path from the document root.

    Recording also finds what YAML allows but a scenario must not have: a key given twice
    in one mapping (YAML keeps the last silently) and an alias inside its own anchor (a value
    that contains itself); each is added to `problems`, and `cyclic` is set by the second.
    """

    file: str
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    cyclic: bool = False

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its nearest ancestor that exists (a missing key's parent)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1

    def record(self, node: yaml.Node) -> None:
        """Walk the composed document (each anchored node once: aliases are not re-walked)."""
        self._record(node, (), set(), set())

    def _record(self, node: yaml.Node, path: Path, inside: set[int], seen: set[int]) -> None:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in inside:
            line = self.lines[path]
            message = "alias refers to a value that contains it (a recursive alias)"
            self.problems.append(Problem(self.file, line, format_path(path), message))
            self.cyclic = True
            return
        if id(node) in seen:  # an alias: its lines are the anchor's; problems show the use
            return
        seen.add(id(node))
        inside.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                name, line = str(key.value), key.start_mark.line + 1
                child = (*path, name)
                if name in first:
                    where = f"first on line {first[name]}; " if first[name] != line else ""
                    message = f"duplicate key ({where}YAML would keep only the last)"
                    self.problems.append(Problem(self.file, line, format_path(child), message))
                first.setdefault(name, line)
                self.lines[child] = line
                self._record(value, child, inside, seen)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._record(item, (*path, index), inside, seen)
        inside.discard(id(node))


def format_path(path: Path) -> str:
    """`faults[1].params.latency_ms` from ('faults', 1, 'params', 'latency_ms')."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
