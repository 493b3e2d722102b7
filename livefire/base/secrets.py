"""Setting values that point at a secret instead of holding it: `env:NAME` or `file:PATH`.

A scenario names where a token or password lives; the value itself is read only where it is
used (`resolve`, in the worker that sends the request), so it never travels in Locust's options,
the journal, the report or a log. `check` is the conductor's validation: the variable is set, the
file readable, without reading the value into anything that is written down.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "env:"
FILE = "file:"

_resolved: set[str] = set()
"""Every secret value this process has read: what `redact` hides wherever text is written."""


class SecretMissing(ValueError):
    """A reference whose variable is unset or whose file cannot be read."""


def is_reference(value: str) -> bool:
    return value.startswith((ENV, FILE))


def resolve(value: str) -> str:
    """The value itself: `env:NAME` → $NAME, `file:PATH` → the file's text without its final
    newline, anything else as given. Raises SecretMissing naming the reference (never a value)."""
    if value.startswith(ENV):
        name = value[len(ENV) :]
        if name not in os.environ:
            raise SecretMissing(f"{value}: environment variable {name} is not set")
        secret = os.environ[name]
    elif value.startswith(FILE):
        path = Path(value[len(FILE) :]).expanduser()
        try:
            secret = path.read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")
        except (OSError, UnicodeDecodeError) as exc:
            raise SecretMissing(f"{value}: cannot read {path}: {exc}") from None
    else:
        return value
    if secret:
        _resolved.add(secret)
    return secret


def check(value: str) -> str | None:
    """Why `value` could not be resolved here, or None when it can (or is no reference)."""
    if value.startswith(ENV):
        name = value[len(ENV) :]
        if not name:
            return f"{value!r}: no variable name after env:"
        return None if name in os.environ else f"environment variable {name} is not set"
    if value.startswith(FILE):
        path = Path(value[len(FILE) :]).expanduser()
        if not path.is_file():
            return f"{path}: no such file"
        if not os.access(path, os.R_OK):
            return f"{path}: not readable"
    return None


def redact(text: str) -> str:
    """`text` with every secret value this process resolved replaced by `***`."""
    for secret in sorted(_resolved, key=len, reverse=True):
        if len(secret) >= 4:  # shorter values would mangle ordinary text
            text = text.replace(secret, "***")
    return text
