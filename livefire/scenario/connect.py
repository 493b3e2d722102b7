"""How a staging scenario connects: per-endpoint settings (`connect:`), several HLS streams with
shares, and identities (`identities:`). Validated here, carried to the load generator as
`livefire.base.connect` data with secrets still as references."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from livefire.base.connect import ENDPOINTS, EndpointSettings, Identities, Login, Tls
from livefire.base.units import Duration
from livefire.scenario.model import Model

EndpointName = Literal["default", "hls", "router", "chat", "gifts", "discovery", "origin", "login"]
assert set(EndpointName.__args__) == {"default", *ENDPOINTS}  # type: ignore[attr-defined]


class TlsSpec(Model):
    verify: bool = True  # false: no certificate check (printed in the summary and report)
    ca: str | None = None  # CA bundle file (PEM) to verify against instead of the system store
    cert: str | None = None  # client certificate file (PEM), for mTLS
    key: str | None = None  # its private key file (PEM); default: inside `cert`
    server_name: str | None = None  # SNI and the name verified, when not the URL's host

    def settings(self) -> Tls:
        return Tls(**self.model_dump())


class EndpointSpec(Model):
    """One endpoint's connection settings; `connect.default` is merged under each endpoint's."""

    headers: dict[str, str] = Field(default_factory=dict)  # ${column}/${token}, env:, file:
    cookies: bool | None = None  # keep cookies per simulated user (default: yes)
    tls: TlsSpec | None = None
    timeout: Duration | None = None  # connect + whole response; default: the user kind's

    def merged_over(self, default: EndpointSpec | None) -> EndpointSettings:
        base = default or EndpointSpec()
        tls = self.tls or base.tls or TlsSpec()
        cookies = self.cookies if self.cookies is not None else base.cookies
        return EndpointSettings(
            headers={**base.headers, **self.headers},
            cookies=True if cookies is None else cookies,
            tls=tls.settings(),
            timeout=self.timeout if self.timeout is not None else base.timeout,
        )


class HlsStream(Model):
    """One HLS stream viewers watch, with its share of the viewers."""

    url: str  # its master (or media) playlist URL
    share: float = Field(default=1.0, gt=0)  # relative weight among `hls` entries
    name: str | None = None  # how the report names it (default: hls1, hls2, …)


class LoginSpec(Model):
    url: str  # template: ${column} of the credential pool
    token: str  # JSON path of the token in the response, e.g. $.access_token
    method: Literal["GET", "POST", "PUT"] = "POST"
    body: str | None = None  # template, e.g. '{"user": "${username}", "pass": "${password}"}'
    headers: dict[str, str] = Field(default_factory=dict)
    refresh_every: Duration | None = None  # also refreshed on any 401

    def settings(self) -> Login:
        return Login(**self.model_dump())


class IdentitiesSpec(Model):
    pool: str | None = None  # CSV credential pool, one row per simulated user (header row)
    login: LoginSpec | None = None

    def settings(self) -> Identities:
        return Identities(pool=self.pool, login=self.login.settings() if self.login else None)
