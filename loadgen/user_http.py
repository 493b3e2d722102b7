"""One simulated user's side of every HTTP endpoint: its identity's headers, the cookies each
host set for it, and its login token (fetched before the first request, refreshed on schedule
or after a 401). `EndpointClient` wraps the lean client with all of it for one endpoint, so a
viewer session fetches through it exactly as through the lean client.

With no staging settings (the embedded platform) nothing is added to a request: the lean
client keeps its cached, header-less fast path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from http.cookiejar import DefaultCookiePolicy
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

import requests

from livefire.base import jsonpaths, secrets
from livefire.base.connect import EndpointSettings, Identities, Login, TemplateError
from loadgen.chat_wire import ChatDial
from loadgen.config import LoadConfig
from loadgen.http import HttpResult, LeanHttpClient
from loadgen.identity import Identity, next_row
from loadgen.tls import client_context

log = logging.getLogger(__name__)
LOGIN_RETRY_S = 1.0


class UserHttp:
    """Identity, cookies and login of one simulated user, shared by all its endpoints."""

    def __init__(
        self,
        config: LoadConfig,
        user: str,
        request_event: Any | None = None,
        worker_index: int = 0,
    ) -> None:
        identities = Identities.from_json(config.identities) if config.identities else None
        pool = identities.pool if identities else None
        self.identity = Identity(user, next_row(pool, worker_index, config.workers))
        self.login_spec: Login | None = identities.login if identities else None
        self._endpoints = config.endpoints
        self._settings: dict[str, EndpointSettings] = {}
        self._cookies: dict[str, dict[str, str]] = {}  # host → cookie name → value
        self._logged_in_at: float | None = None
        self._login_failed_at: float | None = None
        self._request_event = request_event

    def settings(self, endpoint: str) -> EndpointSettings:
        found = self._settings.get(endpoint)
        if found is None:
            data = self._endpoints.get(endpoint)
            found = EndpointSettings.from_json(data) if data else EndpointSettings()
            self._settings[endpoint] = found
        return found

    def configured(self, endpoint: str) -> bool:
        """Whether the scenario set anything for this endpoint (staging always does)."""
        return endpoint in self._endpoints

    def headers(self, endpoint: str, host: str) -> dict[str, str]:
        """Headers for a request to `host` on `endpoint`: the endpoint's, rendered for this
        identity (logging in first if it must), and the cookies `host` set."""
        self.ensure_login()
        headers = self.identity.headers(self.settings(endpoint))
        jar = self._cookies.get(host)
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        return headers

    def remember(self, endpoint: str, host: str, response_headers: Mapping[str, str]) -> None:
        """Keep what a response's Set-Cookie lines set (cookies are per user, per host)."""
        if not self.settings(endpoint).cookies:
            return
        raw = response_headers.get("set-cookie")
        if not raw:
            return
        jar = self._cookies.setdefault(host, {})
        for line in raw.split("\n"):
            try:
                parsed = SimpleCookie(line)
            except CookieError:
                continue
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0":
                    jar.pop(name, None)
                else:
                    jar[name] = morsel.value

    def session(self) -> requests.Session:
        """A `requests` session for this user's calls whose own cookie jar keeps nothing: the
        user's cookies are kept here, per host, and only when the endpoint says so."""
        session = requests.Session()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        return session

    def remember_response(self, endpoint: str, url: str, response: requests.Response) -> None:
        """`remember` the Set-Cookie lines of a `requests` response to `url`."""
        raw = response.raw
        lines = raw.headers.getlist("Set-Cookie") if raw is not None else []
        if lines:
            host = urlsplit(url).hostname or ""
            self.remember(endpoint, host, {"set-cookie": "\n".join(lines)})

    def requests_options(self, endpoint: str, url: str) -> dict[str, Any]:
        """Keyword arguments for a `requests` call to `url` on `endpoint`: headers (cookies
        included), TLS verification and client certificate, timeout if the scenario set one."""
        settings = self.settings(endpoint)
        tls = settings.tls
        options: dict[str, Any] = {
            "headers": self.headers(endpoint, urlsplit(url).hostname or ""),
            "verify": (tls.ca or True) if tls.verify else False,
        }
        if tls.cert:
            options["cert"] = (tls.cert, tls.key) if tls.key else tls.cert
        if settings.timeout is not None:
            options["timeout"] = settings.timeout
        return options

    def ensure_login(self) -> None:
        spec = self.login_spec
        if spec is None:
            return
        now = time.time()
        due = self._logged_in_at is None or (
            spec.refresh_every is not None and now - self._logged_in_at >= spec.refresh_every
        )
        if due and (self._login_failed_at is None or now - self._login_failed_at >= LOGIN_RETRY_S):
            self.login()

    def unauthorized(self) -> None:
        """A 401: the token expired or was revoked; the next request logs in again."""
        self._logged_in_at = None

    def login(self) -> bool:
        """Ask the login endpoint for a token; False (and "" as the token) when it fails."""
        spec = self.login_spec
        assert spec is not None
        settings = self.settings("login")
        started = time.time()
        error: Exception | None = None
        try:
            url = self.identity.render(spec.url)
            headers = {k: self.identity.render(v) for k, v in spec.headers.items()}
            headers.update(self.identity.headers(settings))
            body = self.identity.render(spec.body) if spec.body is not None else None
            tls = settings.tls
            response = requests.request(
                spec.method,
                url,
                data=body.encode() if body is not None else None,
                headers=headers,
                timeout=settings.timeout or 10.0,
                verify=(tls.ca or True) if tls.verify else False,
                cert=(tls.cert, tls.key) if tls.cert and tls.key else tls.cert,
            )
            if response.status_code >= 400:
                raise RuntimeError(f"HTTP {response.status_code}")
            token = jsonpaths.find_first(spec.token, response.json())
            if token is None:
                raise RuntimeError(f"no {spec.token} in the login response")
            self.identity.set_token(str(token))
            self._logged_in_at, self._login_failed_at = time.time(), None
        except (requests.RequestException, ValueError, RuntimeError, TemplateError) as exc:
            error = RuntimeError(secrets.redact(str(exc)))  # Locust's failure table is a file
            self.identity.set_token("")
            self._logged_in_at, self._login_failed_at = None, time.time()
            log.warning("login failed: %s", error)
        if self._request_event is not None:
            self._request_event.fire(
                request_type=spec.method,
                name="login",
                response_time=(time.time() - started) * 1000,
                response_length=0,
                exception=error,
                context={},
            )
        return error is None


class EndpointClient:
    """The lean client as one endpoint of one user sees it: same `get` and `timeout`."""

    def __init__(self, lean: LeanHttpClient, user: UserHttp, endpoint: str) -> None:
        self.lean, self.user, self.endpoint = lean, user, endpoint
        settings = user.settings(endpoint)
        self.timeout = settings.timeout if settings.timeout is not None else lean.timeout
        self._plain = not user.configured(endpoint) and user.login_spec is None

    def get(
        self,
        url: str,
        *,
        name: str | None = None,
        timeout: float | None = None,
        intended: float | None = None,
    ) -> HttpResult:
        timeout = self.timeout if timeout is None else timeout
        if self._plain:
            return self.lean.get(url, name=name, timeout=timeout, intended=intended)
        host = urlsplit(url).hostname or ""
        headers = self.user.headers(self.endpoint, host)
        result = self.lean.get(
            url, name=name, headers=headers or None, timeout=timeout, intended=intended
        )
        if result.status == 401 and self.user.login_spec is not None:
            self.user.unauthorized()
        elif result.status:
            self.user.remember(self.endpoint, host, result.headers)
        return result

    def close(self) -> None:
        self.lean.close()


def chat_dial(user: UserHttp, url: str, room: str) -> ChatDial:
    """One chat connection's settings for `user`: the chat endpoint's headers (its cookies
    too), TLS and timeout, and the identity's template values (logging in first if needed)."""
    settings = user.settings("chat")
    headers = user.headers("chat", urlsplit(url).hostname or "")
    tls = settings.tls
    return ChatDial(
        url,
        room,
        dict(user.identity.values),
        headers,
        client_context(tls) if url.startswith("wss:") else None,
        tls.server_name,
        settings.timeout if settings.timeout is not None else 5.0,
    )


__all__ = ["EndpointClient", "UserHttp", "chat_dial"]
