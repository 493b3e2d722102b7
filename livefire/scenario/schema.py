"""The scenario schema: YAML becomes these frozen models at the door, nothing downstream
handles untyped dicts. Every field is documented where it is declared. The promises (SLOs,
guards, expectations) live in `slos.py`, which the verdict reads without the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    create_model,
    model_validator,
)

from chaos.targets import TargetDecl
from livefire.base.connect import ENDPOINTS
from livefire.base.description import TargetDescription
from livefire.base.units import Duration, Fraction
from livefire.scenario.compare import CompareSpec
from livefire.scenario.connect import EndpointName, EndpointSpec, HlsStream, IdentitiesSpec
from livefire.scenario.cost import CostSpec
from livefire.scenario.probes import ProbeCondition, ProbeGuard, ProbeSpec
from livefire.scenario.protocols import Protocols
from livefire.scenario.slos import Expect, GiftSlos, Guard, Model, PhaseSlos, Slos
from loadgen.kinds import USER_KINDS


class EmbeddedTarget(Model):
    """Run against the reference platform that livefire starts itself."""

    topology: str = "default"  # a name under target-stubs topologies, or a YAML file path
    sabotage: tuple[
        str, ...
    ] = ()  # switches that break one documented recovery (negative controls)
    streams: int = Field(default=1, ge=1, le=16)  # live streams the synthetic creators publish


class StagingTarget(Model):
    """Run against an already running platform; only what is given here is exercised."""

    # one stream's master playlist URL, or several streams: [{url, share, name}]
    hls: str | tuple[HlsStream, ...] | None = None
    router: str | None = None  # GSLB base URL (GET /route?region=&stream=)
    regions: dict[str, float] = Field(default_factory=dict)  # router regions → viewer share
    streams: tuple[str, ...] = ()  # stream names viewers ask the router for (= chat rooms)
    chat: tuple[str, ...] = ()  # chat WebSocket URLs
    gifts: str | None = None  # gift API base URL (POST /gifts, GET /ledger; or protocols.gifts)
    discovery: str | None = None  # discovery base URL (GET /search?q=; or protocols.search)
    origin: str | None = None  # where creators ask GET /ingest-route?stream=
    proxy_api: str | None = None  # Toxiproxy API that fronts the staging links
    targets: dict[str, TargetDecl] = Field(default_factory=dict)  # what faults may touch
    # per endpoint (hls, router, chat, gifts, discovery, origin, login; `default` for all):
    # headers, cookies, TLS, timeout
    connect: dict[EndpointName, EndpointSpec] = Field(default_factory=dict)
    identities: IdentitiesSpec | None = None  # credential pool and login
    protocols: Protocols = Protocols()  # the platform's own chat, gift and search protocols

    def hls_streams(self) -> tuple[HlsStream, ...]:
        """`hls` as a list of streams, each named."""
        if self.hls is None:
            return ()
        if isinstance(self.hls, str):
            return (HlsStream(url=self.hls, name="staging"),)
        return tuple(
            s if s.name else s.model_copy(update={"name": f"hls{i}"})
            for i, s in enumerate(self.hls, start=1)
        )

    def endpoints(self) -> dict[str, dict[str, Any]]:
        """Endpoint → its settings (default merged under), as `LoadConfig.endpoints`."""
        connect = cast(dict[str, EndpointSpec], self.connect)  # keys are EndpointName
        default = connect.get("default")
        return {
            name: connect.get(name, EndpointSpec()).merged_over(default).to_json()
            for name in ENDPOINTS
        }

    def description(self) -> TargetDescription:
        """The same description an embedded platform gives of itself."""
        streams = self.hls_streams()
        masters = {str(s.name): [s.url] for s in streams}
        shares = dict(self.regions) or {str(s.name): s.share for s in streams}
        targets = {
            name: t.model_dump(exclude_none=True, exclude_defaults=True)
            for name, t in self.targets.items()
        }
        return TargetDescription(
            proxy_api=self.proxy_api or "",
            router=self.router,
            chat=tuple(self.chat),
            gifts=self.gifts,
            discovery=self.discovery,
            origin=self.origin,
            streams=tuple(self.streams),
            master_playlists=masters,
            region_shares=shares,
            fault_targets=targets,
        )


class Target(Model):
    embedded: EmbeddedTarget | None = None
    staging: StagingTarget | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        if (self.embedded is None) == (self.staging is None):
            raise ValueError("expected exactly one of 'embedded' or 'staging'")
        return self


class _UserCounts(Model):
    """How many of each simulated user at full load (shape fraction 1.0): one integer >= 0
    per kind in `loadgen.kinds.USER_KINDS`, the one list of them, and per kind a plugin of
    `livefire.users` adds (checked installed and loadable by the loader, on their lines)."""

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _counts(self) -> _UserCounts:
        for kind, count in (self.model_extra or {}).items():
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"{kind}: expected an integer >= 0, got {count!r}")
        return self

    @property
    def plugin_kinds(self) -> dict[str, int]:
        """The counts of kinds that are not built in (plugins of `livefire.users`)."""
        return {kind: int(count) for kind, count in (self.model_extra or {}).items()}

    @property
    def total(self) -> int:
        builtin = sum(int(getattr(self, kind)) for kind in USER_KINDS)
        return builtin + sum(self.plugin_kinds.values())


if TYPE_CHECKING:
    Users = _UserCounts
else:
    Users = create_model(
        "Users",
        __base__=_UserCounts,
        **{kind: (int, Field(default=0, ge=0)) for kind in USER_KINDS},
    )


class RampStep(Model):
    """Move linearly from the current load fraction to `to` over `ramp`."""

    ramp: Duration
    to: float = Field(ge=0.0, le=100.0)


class HoldStep(Model):
    """Keep the current load fraction for `hold`."""

    hold: Duration


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "ramp" if "ramp" in value else "hold" if "hold" in value else None
    return (
        "ramp" if isinstance(value, RampStep) else "hold" if isinstance(value, HoldStep) else None
    )


ShapeStep = Annotated[
    Annotated[RampStep, Tag("ramp")] | Annotated[HoldStep, Tag("hold")],
    Discriminator(
        _step_kind,
        custom_error_type="shape_step",
        custom_error_message="expected {ramp: DURATION, to: FRACTION} or {hold: DURATION}",
    ),
]


class Load(Model):
    users: Users
    shape: tuple[ShapeStep, ...] = ()  # empty: ramp to full load over 10 s, then hold
    workers: int | None = Field(default=None, ge=1, le=64)  # local Locust workers; default: cores
    spawn_jitter: Duration = 5.0  # users start at random offsets within this window
    decode_sample: Fraction = 0.0  # share of segments each viewer decodes with PyAV (CPU!)
    # quality_held: the lowest rendition height (e.g. 480) a viewer may drop to; default: the
    # best rendition it had reached, so any downswitch counts
    quality_target: int | None = Field(default=None, ge=1)
    chat_interval: Duration = Field(default=2.0, gt=0)  # between one chatter's messages (±50%)
    gift_interval: Duration = Field(default=2.0, gt=0)  # between one gifter's gifts (±50%)
    search_interval: Duration = Field(default=1.0, gt=0)  # between one searcher's searches
    gift_timeout: Duration = Field(default=5.0, gt=0)  # retry a gift with its key this long
    # how creators push: "http" (MPEG-TS to the origin's /ingest-route node) or "rtmp" (FLV
    # to `creator_url`, a template such as rtmp://ingest.example/live/{stream})
    creator_protocol: Literal["http", "rtmp"] = "http"
    creator_url: str | None = Field(default=None, pattern=r"^rtmp://.*\{stream\}")

    @model_validator(mode="after")
    def _rtmp_has_a_url(self) -> Load:
        if self.creator_protocol == "rtmp" and self.creator_url is None:
            raise ValueError(
                "creator_protocol rtmp needs creator_url, e.g. rtmp://ingest.example/live/{stream}"
            )
        return self


class FaultSpec(Model):
    """One entry of the fault timeline."""

    at: Duration  # when to inject, from the start of load
    fault: str  # a name from the fault catalog (`livefire chaos list`)
    target: str  # a declared target: a platform component or staging link name
    for_: Duration | None = Field(default=None, alias="for")  # sustained faults: when to revert
    ttl: Duration | None = None  # hard deadline for the watchdog; default `for` + 30 s
    params: dict[str, Any] = Field(default_factory=dict)  # checked against the fault's own model
    severity: str | None = None  # priced at this severity of `cost.severities` (default: kind's)


def _guard_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "probe" if "probe" in value else "sli"
    return "probe" if isinstance(value, ProbeGuard) else "sli" if isinstance(value, Guard) else None


AnyGuard = Annotated[
    Annotated[Guard, Tag("sli")] | Annotated[ProbeGuard, Tag("probe")],
    Discriminator(
        _guard_kind,
        custom_error_type="guard",
        custom_error_message="expected {sli: NAME, limit: ...} or {probe: NAME, max: ...}",
    ),
]


class Scenario(Model):
    name: str = Field(min_length=1)
    description: str = ""
    duration: Duration
    target: Target
    load: Load
    faults: tuple[FaultSpec, ...] = ()
    slos: Slos
    guards: tuple[AnyGuard, ...] = ()  # on a user-side SLI or on a probe
    probes: dict[str, ProbeSpec] = Field(default_factory=dict)  # the platform's own signals
    # checked just before the first fault (failing: abort, exit 3, nothing broken) and, in the
    # verdict, on each probe's last sample after the last fault's revert
    steady_state: tuple[ProbeCondition, ...] = ()
    expect: Expect = Expect()
    compare: CompareSpec = CompareSpec()  # how far from a baseline run is a regression
    cost: CostSpec = CostSpec()  # what each fault's impact would cost in production
    version: Literal[1] = 1


__all__ = [
    "CostSpec",
    "EmbeddedTarget",
    "Expect",
    "FaultSpec",
    "GiftSlos",
    "Guard",
    "HoldStep",
    "Load",
    "Model",
    "PhaseSlos",
    "RampStep",
    "Scenario",
    "Slos",
    "StagingTarget",
    "Target",
    "Users",
]
