"""How a simulated user talks to one endpoint of the platform: headers, cookies, TLS, timeout,
and who it is. Plain data, built by the scenario (validated there) and read by the load
generator; it travels in `LoadConfig` as JSON with secrets still as `env:`/`file:` references.

Templates use `${name}` (`string.Template`): braces of JSON bodies stay literal, and a template
can only substitute names, never evaluate anything. The names a header may use are the
identity's: the credential pool's columns, `token` (from the login request) and `user` (the
simulated user's own name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from string import Template
from typing import Any

ENDPOINTS = ("hls", "router", "chat", "gifts", "discovery", "origin", "login")
"""Every endpoint a staging scenario can configure (`connect:`); `default` applies to all."""

IDENTITY_NAMES = ("user", "token")
"""Template names every identity has, besides its credential pool columns."""


class TemplateError(ValueError):
    """A template names something its context does not have, or is malformed."""


def identifiers(template: str) -> list[str]:
    """The `${names}` a template uses; TemplateError when it is malformed (a lone `$`)."""
    parsed = Template(template)
    if not parsed.is_valid():
        raise TemplateError(f"{template!r}: malformed template (write $$ for a literal $)")
    return parsed.get_identifiers()


def render(template: str, values: Mapping[str, str]) -> str:
    """`template` with each `${name}` replaced; TemplateError naming a missing name."""
    try:
        return Template(template).substitute(values)
    except KeyError as exc:
        raise TemplateError(f"{template!r}: nothing to put in ${{{exc.args[0]}}}") from None
    except ValueError as exc:
        raise TemplateError(f"{template!r}: {exc}") from None


@dataclass(frozen=True)
class Tls:
    """TLS for https:// and wss:// endpoints. `ca`, `cert` and `key` are file paths."""

    verify: bool = True  # False: no certificate check at all (printed in summary and report)
    ca: str | None = None  # CA bundle to verify against instead of the system store
    cert: str | None = None  # client certificate (mTLS), PEM
    key: str | None = None  # its private key, PEM (default: inside `cert`)
    server_name: str | None = None  # SNI and the name verified, when not the URL's host


@dataclass(frozen=True)
class EndpointSettings:
    """Connection settings of one endpoint, as each simulated user applies them."""

    headers: dict[str, str] = field(default_factory=dict)  # values: templates, env:/file: refs
    cookies: bool = True  # keep the cookies the endpoint sets, per simulated user
    tls: Tls = Tls()
    timeout: float | None = None  # seconds; None: the user kind's default

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EndpointSettings:
        values = dict(data)
        values["tls"] = Tls(**values.get("tls", {}))
        return cls(**values)


@dataclass(frozen=True)
class Login:
    """A request whose response yields the identity's token (JSON path), made before the
    user's first request and again every `refresh_every` seconds or on a 401."""

    url: str  # template
    token: str  # JSON path into the response body, e.g. $.access_token
    method: str = "POST"
    body: str | None = None  # template (JSON or form text), e.g. {"user": "${username}"}
    headers: dict[str, str] = field(default_factory=dict)  # templates, env:/file: refs
    refresh_every: float | None = None  # seconds; None: only on a 401


@dataclass(frozen=True)
class Identities:
    """Who the simulated users are: one credential pool row each (rows reused round-robin
    when there are fewer rows than users), optionally logged in."""

    pool: str | None = None  # CSV file with a header row; its columns are template names
    login: Login | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Identities:
        login = data.get("login")
        return cls(pool=data.get("pool"), login=Login(**login) if login else None)


def endpoint_settings(
    endpoints: Mapping[str, Mapping[str, Any]], endpoint: str
) -> EndpointSettings:
    """The settings one endpoint uses, from `LoadConfig.endpoints` (already merged with
    `default` by the scenario)."""
    data = endpoints.get(endpoint)
    return EndpointSettings.from_json(data) if data else EndpointSettings()
