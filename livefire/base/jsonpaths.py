"""JSON paths (`$.data[*].id`, jsonpath-ng's extended dialect) for reading a platform's own
response shapes: a login's token, a gift's id, a ledger page's items and cursor."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext import parse


class JsonPathError(ValueError):
    """A path that does not parse."""


@lru_cache(maxsize=256)
def compiled(path: str) -> Any:
    """The parsed path; JsonPathError with the parser's reason when it is not one."""
    try:
        return parse(path)
    except (JsonPathLexerError, JsonPathParserError, Exception) as exc:  # the lexer raises bare
        raise JsonPathError(f"{path!r} is not a JSON path: {exc}") from None


def find_all(path: str, document: Any) -> list[Any]:
    """Every value the path matches in `document`, in document order."""
    return [match.value for match in compiled(path).find(document)]


def find_first(path: str, document: Any) -> Any | None:
    """The first value the path matches, or None."""
    matches = compiled(path).find(document)
    return matches[0].value if matches else None
