"""The scenario schema: YAML becomes these frozen models at the door, nothing downstream
handles untyped dicts. Every field is documented where it is declared."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from chaos.targets import TargetDecl
from livefire.base.units import Duration, Fraction, parse_duration, parse_fraction
from livefire.slis import SLIS
from loadgen.kinds import USER_KINDS


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EmbeddedTarget(Model):
    """Run against the reference platform that livefire starts itself."""

    topology: str = "default"  # a name under target-stubs topologies, or a YAML file path
    sabotage: tuple[
        str, ...
    ] = ()  # switches that break one documented recovery (negative controls)
    streams: int = Field(default=1, ge=1, le=16)  # live streams the synthetic creators publish


class StagingTarget(Model):
    """Run against an already running platform; only what is given here is exercised."""

    hls: str | None = None  # one plain stream: its master playlist URL
    router: str | None = None  # GSLB base URL (GET /route?region=&stream=)
    regions: dict[str, float] = Field(default_factory=dict)  # router regions → viewer share
    streams: tuple[str, ...] = ()  # stream names viewers ask the router for (= chat rooms)
    chat: tuple[str, ...] = ()  # chat WebSocket URLs
    gifts: str | None = None  # gift API base URL (POST /gifts, GET /ledger)
    discovery: str | None = None  # discovery base URL (GET /search?q=)
    origin: str | None = None  # where creators ask GET /ingest-route?stream=
    proxy_api: str | None = None  # Toxiproxy API that fronts the staging links
    targets: dict[str, TargetDecl] = Field(default_factory=dict)  # what faults may touch

    def description(self) -> dict[str, Any]:
        """The same shape an embedded platform describes itself in (chaos.targets format)."""
        masters = {"staging": [self.hls]} if self.hls else {}
        shares = dict(self.regions) or ({"staging": 1.0} if self.hls else {})
        targets = {
            name: t.model_dump(exclude_none=True, exclude_defaults=True)
            for name, t in self.targets.items()
        }
        return {
            "proxy_api": self.proxy_api or "",
            "router": self.router,
            "chat": list(self.chat),
            "gifts": self.gifts,
            "discovery": self.discovery,
            "origin": self.origin,
            "streams": list(self.streams),
            "master_playlists": masters,
            "region_shares": shares,
            "fault_targets": targets,
            "components": {},
        }


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
    per kind in `loadgen.kinds.USER_KINDS`, the one list of them."""

    @property
    def total(self) -> int:
        return sum(int(getattr(self, kind)) for kind in USER_KINDS)


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


class FaultSpec(Model):
    """One entry of the fault timeline."""

    at: Duration  # when to inject, from the start of load
    fault: str  # a name from the fault catalog (`livefire chaos list`)
    target: str  # a declared target: a platform component or staging link name
    for_: Duration | None = Field(default=None, alias="for")  # sustained faults: when to revert
    ttl: Duration | None = None  # hard deadline for the watchdog; default `for` + 30 s
    params: dict[str, Any] = Field(default_factory=dict)  # checked against the fault's own model


class PhaseSlos(Model):
    """Promises checked inside a window (e.g. while faults are active)."""

    stream_latency_avg: Duration | None = None  # documented: avg 185 ms in production
    stream_latency_p95: Duration | None = None
    stream_latency_p99: Duration | None = None
    viewer_error_rate: Fraction | None = None
    stream_connection_success: Fraction | None = None
    startup_time_p95: Duration | None = None
    streams_preserved: Fraction | None = None
    chat_delivered_within_100ms: Fraction | None = None
    chat_loss: Fraction | None = None
    gift_success: Fraction | None = None
    search_latency_p95: Duration | None = None  # documented: p95 < 150 ms
    search_success: Fraction | None = None
    segments_valid: Fraction | None = None  # of the segments viewers decoded (decode_sample)
    quality_held: Fraction | None = None  # documented: 99.5% of streams (no drop, no stall)
    rebuffering_ratio: Fraction | None = None  # stalled time / watched time
    viewers_playing: Fraction | None = None  # viewer-seconds not stalled (sampled each second)


class GiftSlos(Model):
    """Reconciliation after the run: acknowledged gifts against the platform's ledger."""

    eventual_consistency: Fraction = 0.9998  # acknowledged gifts booked once within deadline
    deadline: Duration = 30.0  # from acknowledgement to the ledger
    max_lost: int = Field(default=0, ge=0)  # acknowledged gifts never booked
    max_doubled: int = Field(default=0, ge=0)  # gifts booked more than once


class Slos(PhaseSlos):
    """Promises over the whole run, plus per-phase overrides and recovery budgets."""

    before_faults: PhaseSlos | None = None  # from the start until the first injection
    during_faults: PhaseSlos | None = None  # while any fault is in effect
    after_faults: PhaseSlos | None = None  # from the last revert to the end
    recovery: dict[str, Duration] = Field(default_factory=dict)  # fault name → recovery budget
    gifts: GiftSlos | None = None  # reconcile the gifters' journal with the ledger
    stable_for: Duration = 10.0  # an SLI must stay inside its SLO this long to count as recovered
    max_schedule_lag_p99: Duration = 0.05  # generator lateness beyond this: INCONCLUSIVE
    # (over the whole run, and per worker and second: each worker marks its late seconds)
    max_event_loop_stall: Duration = 0.25  # a worker's event loop stalled longer: INCONCLUSIVE
    # (a stall delays every timestamp taken during it, so latencies read high; a second with a
    # brief hiccup, common while users spawn on a busy machine, does not void the run)
    max_stall: Duration = 8.0  # a viewer stalled longer than this lost its stream
    # a generator clock provably further than this from the platform's: INCONCLUSIVE (stream
    # latency subtracts the platform's timestamps from the generator's)
    max_clock_offset: Duration = 0.05


class Guard(Model):
    """A stop condition: the run is aborted (exit 3, every fault reverted) when `sli` is past
    `limit` for `for` seconds in a row — a game day must not take the target down for good."""

    sli: str  # an SLI name, e.g. viewer_error_rate
    limit: float  # the SLI's unit: a duration for latencies, a percentage for ratios
    for_: Duration = Field(default=10.0, alias="for")

    @field_validator("sli")
    @classmethod
    def _known_sli(cls, name: str) -> str:
        if name not in SLIS:
            raise ValueError(SLIS.unknown(name))
        return name

    @field_validator("limit", mode="before")
    @classmethod
    def _in_the_slis_unit(cls, value: Any, info: ValidationInfo) -> float:
        sli = info.data.get("sli")
        unit = SLIS.get(sli).unit if isinstance(sli, str) and sli in SLIS else "ratio"
        return parse_duration(value) if unit == "s" else parse_fraction(value)


class Expect(Model):
    """What a negative control must produce: `livefire suite` counts it green only then."""

    result: Literal["pass", "fail"] = "pass"
    broken: tuple[str, ...] = ()  # promises that must be among the broken ones


class Scenario(Model):
    name: str = Field(min_length=1)
    description: str = ""
    duration: Duration
    target: Target
    load: Load
    faults: tuple[FaultSpec, ...] = ()
    slos: Slos
    guards: tuple[Guard, ...] = ()
    expect: Expect = Expect()
    version: Literal[1] = 1
