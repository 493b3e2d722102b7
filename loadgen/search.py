"""What one searcher asks and how its answers are judged, by the scenario's search template:
pure, so the rotation of queries and the success rule are tested without a socket. The
Searcher user fetches; this says where, and whether what came back counts as found."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from livefire.base import jsonpaths
from livefire.base.http_templates import SearchTemplate, fill_url


class SearchQueries:
    """The template's queries in turn, from `start`, and its rule for a successful answer."""

    def __init__(self, template: SearchTemplate, start: int = 0) -> None:
        self.template = template
        self.next = start % len(template.queries)
        self.name = urlsplit(template.url).path or template.url  # Locust's statistics row

    def url(self, base: str, identity: Mapping[str, str]) -> str:
        """The next search's absolute URL (TemplateError when a value is missing)."""
        query = self.template.queries[self.next]
        self.next = (self.next + 1) % len(self.template.queries)
        return fill_url(base, self.template.url, {**identity, "query": query})

    def succeeded(self, status: int, error: str | None, body: bytes) -> bool:
        """A complete answer with a success status (any 2xx/3xx when the template names
        none) whose JSON matches the template's `results` path, when it has one."""
        statuses = self.template.success
        if error is not None or not (
            status in statuses if statuses is not None else 200 <= status < 400
        ):
            return False
        if self.template.results is None:
            return True
        try:
            return bool(jsonpaths.find_all(self.template.results, json.loads(body)))
        except ValueError:  # not JSON (UnicodeDecodeError is one too)
            return False
