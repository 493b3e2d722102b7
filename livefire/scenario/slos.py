"""The promises a scenario makes: SLOs over the run and its phases, recovery budgets, the
reconciliation of gifts, guards that abort a run, and what a negative control expects.

Kept apart from the rest of the schema so the verdict reads them without the target and fault
declarations (and so without `chaos`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from livefire.base.units import Duration, Fraction, parse_duration, parse_fraction
from livefire.scenario.model import Model
from livefire.scenario.probes import ProbeCondition
from livefire.verdict.slis import SLIS


class PhaseSlos(Model):
    """Promises checked inside a window (e.g. while faults are active)."""

    stream_latency_avg: Duration | None = None  # documented: avg 185 ms in production
    stream_latency_p95: Duration | None = None
    stream_latency_p99: Duration | None = None
    # read from the pixels (decode_sample; creators or cameras drawing livefire's timecode)
    glass_to_glass_p50: Duration | None = None  # documented target: 200 ms
    glass_to_glass_p95: Duration | None = None
    glass_to_glass_p99: Duration | None = None
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
    # the platform's own signals: every sample of each probe in the window inside its bounds
    probes: tuple[ProbeCondition, ...] = ()


SLI_FIELDS = tuple(name for name in PhaseSlos.model_fields if name != "probes")
"""The user-side SLIs a phase can promise (each a name in `verdict.slis.SLIS`)."""


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


PHASES = ("before_faults", "during_faults", "after_faults")


def unjudgeable(slos: Slos) -> list[tuple[tuple[str, ...], str]]:
    """Promises that cannot be judged, each with its path under `slos`: a scenario that makes
    them is invalid input, because a verdict over nothing would read as a pass."""
    problems: list[tuple[tuple[str, ...], str]] = []
    overall = _named(slos)
    phases = {name: getattr(slos, name) for name in PHASES if getattr(slos, name) is not None}
    probed = bool(slos.probes)
    if not overall and not probed and not phases and not slos.recovery and slos.gifts is None:
        problems.append(((), "no promise to judge: name an SLO (e.g. stream_latency_p95: 250ms)"))
    for phase, promises in phases.items():
        if not _named(promises) and not promises.probes:
            problems.append(((phase,), f"no promise to judge in {phase}: name an SLO or drop it"))
        for name in _named(promises):
            if not SLIS.get(name).per_second:
                problems.append(
                    (
                        (phase, name),
                        f"{name} is a share of viewer sessions, which start and break in "
                        f"different phases: promise it over the whole run (slos.{name})",
                    )
                )
    by_second = [name for name in overall if SLIS.get(name).per_second]
    for fault in slos.recovery if not by_second and not probed else ():
        problems.append(
            (
                ("recovery", fault),
                "a recovery budget needs an overall SLO judged second by second to recover "
                "(e.g. stream_latency_p95 or viewer_error_rate)"
                + (f"; {', '.join(overall)}: " if overall else "")
                + (
                    "a share of sessions"
                    if len(overall) == 1
                    else "shares of sessions"
                    if overall
                    else ""
                ),
            )
        )
    return problems


def _named(promises: PhaseSlos) -> list[str]:
    return [name for name in SLI_FIELDS if getattr(promises, name) is not None]
