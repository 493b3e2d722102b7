"""The conductor: the only code that knows both load and chaos.

It resolves the scenario against the target, starts the target and the load generator, plays
the fault timeline through the safety net, and always — on success, on failure, on Ctrl-C,
on SIGTERM — reverts every fault and stops every process it started, in that order.

A fault that cannot be injected is journaled and the run goes on, but a run is only
`completed` if it lasted its `duration` and every planned fault was injected: a fault that
never happened must never let a run pass. If the final revert leaves faults active on a
target that outlives the run (staging), a detached watchdog stays behind to retry them.
A fault on the embedded platform is journaled with the platform's processes as its owner, so
that after a kill -9 (the platform dies with us) the watchdog finds it void, not stuck.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livefire_stubs.launcher import start_platform

from chaos import watchdog
from chaos.catalog import FAULTS
from chaos.journal import INJECTED, NOT_INJECTED, Entry, Journal, now
from chaos.model import TargetRef
from chaos.safety import FaultSession
from chaos.targets import platform_processes, resolve_targets
from livefire.base.connect import EndpointSettings
from livefire.base.description import TargetDescription
from livefire.base.errors import LivefireError, RunAborted
from livefire.base.merging import read_run
from livefire.base.processes import MARKER, ProcessGroup
from livefire.base.telemetry import Second
from livefire.ledger import check_ledger_access, ledger_access, plugin_ledger, settled_ledger
from livefire.live import LiveSeries, breached
from livefire.loadrunner import LoadRunner
from livefire.outcome import RunOutcome
from livefire.probes import hypothesis
from livefire.probes.sampler import Sampler
from livefire.progress import Tick, Tracker
from livefire.scenario import LoadedScenario
from livefire.scenario.probe_checks import unverified_probes
from livefire.scenario.probes import ProbeGuard
from livefire.scenario.staging_checks import pool_rows, unverified
from livefire.target import check_targets, topology_for
from livefire.timeline import PlannedFault, plan
from livefire.verdict import probes as probe_verdict
from loadgen.config import LoadConfig
from loadgen.shape import fraction_at
from loadgen.tls import TlsSettingsError, client_context


@dataclass(frozen=True)
class RunOptions:
    run_dir: Path
    workers: int | None = None  # local Locust workers; default: the scenario's, else cores
    remote_workers: int = 0  # workers joining from other machines (`livefire worker`)
    master_bind: str = "127.0.0.1:0"  # where the Locust master listens for workers
    web: str | None = None  # HOST:PORT for Locust's (read-only) web UI; None: headless


class Conductor:
    def __init__(
        self,
        loaded: LoadedScenario,
        options: RunOptions,
        progress: Callable[[Tick], None] = lambda tick: None,
    ) -> None:
        self.loaded = loaded
        self.scenario = loaded.scenario
        self.options = options
        self.progress = progress
        self.run_dir = options.run_dir
        self.journal = Journal(self.run_dir)
        self.session = FaultSession(self.journal)
        self.outcome = RunOutcome(status="failed")
        self.targets: dict[str, TargetRef] = {}
        self.inject_errors: dict[str, str] = {}  # fault id → why it could not be injected
        self.sampler = Sampler(self.scenario.probes, self.run_dir / "telemetry" / "probes.jsonl")
        self.hypothesis_checked = False  # the steady state, just before the first fault
        self.tracker = Tracker(self.scenario.duration, 0)  # planned faults: set by run()
        self.shape = [step.model_dump() for step in self.scenario.load.shape]

    def preflight(self) -> list[PlannedFault]:
        staging = self.scenario.target.staging
        if staging is None:
            kinds = topology_for(self.loaded).target_kinds()
        else:
            refs = resolve_targets(staging.description())
            kinds = {name: set(ref.kinds()) for name, ref in refs.items()}
            if self.scenario.slos.gifts is not None and staging.gifts:
                check_ledger_access(staging)  # not only after the whole run
            _load_tls_files(staging.endpoints())
        check_targets(self.loaded, kinds)
        return plan(self.scenario)

    def run(self) -> RunOutcome:
        planned = self.preflight()
        self.tracker = Tracker(self.scenario.duration, len(planned))
        self.run_dir.mkdir(parents=True, exist_ok=True)
        processes = ProcessGroup(self.run_dir)
        with ExitStack() as cleanup:
            cleanup.callback(_restore_signals, {s: signal.getsignal(s) for s in _SIGNALS})
            cleanup.callback(processes.stop_all)
            self.outcome.target = self._start_target(cleanup)
            self.targets = resolve_targets(self.outcome.target)
            self.outcome.setup_warnings = self._setup_warnings()
            for warning in self.outcome.setup_warnings:
                self.progress(Tick(0.0, self.scenario.duration, (), f"WARNING: {warning}"))
            self._start_watchdog(processes)
            cleanup.callback(self._revert_all)
            self.sampler.start()  # from before the load: the platform's own baseline
            cleanup.callback(self.sampler.stop)
            host, _, port = self.options.master_bind.rpartition(":")
            load = LoadRunner(
                processes,
                self._load_config(),
                self._workers(),
                bind=host or "127.0.0.1",
                port=int(port or 0) or None,
                remote=self.options.remote_workers,
                web=self.options.web,
            )
            load.start()
            if load.web_url:
                self.progress(
                    Tick(0.0, self.scenario.duration, (), f"Locust web UI: {load.web_url}")
                )
            cleanup.callback(load.stop)
            cleanup.callback(_ignore_signals)  # runs first: a second Ctrl-C can't cut cleanup
            try:
                self.outcome.started = load.wait_started()
                self._play(planned, load)
                self.outcome.error = self._shortfall(planned, load)
                self.outcome.status = "failed" if self.outcome.error else "completed"
            except KeyboardInterrupt:
                self.outcome.status = "interrupted"
            except RunAborted as exc:
                self.outcome.status = "aborted"
                self.outcome.error = str(exc)
            finally:
                _ignore_signals()
                self.outcome.ended = time.time()
                self._revert_all()
                self._tick_ended()
                load.wait_finished(timeout=15 if self.outcome.status == "completed" else 5)
            self._read_probes_after()
            self._collect()
            if self.outcome.status == "completed":
                self._read_ledger()
        self.outcome.journal = self.journal.entries()
        return self.outcome

    def _start_target(self, cleanup: ExitStack) -> TargetDescription:
        """Start the embedded platform (stopped by `cleanup`), or describe staging."""
        embedded, staging = self.scenario.target.embedded, self.scenario.target.staging
        if staging is not None:
            return staging.description()
        assert embedded is not None
        platform = start_platform(self.run_dir, topology_for(self.loaded), embedded.sabotage)
        cleanup.callback(platform.stop)
        return platform.describe()

    def _start_watchdog(self, processes: ProcessGroup) -> None:
        processes.spawn(
            "watchdog",
            [
                sys.executable,
                "-m",
                "chaos.watchdog",
                "--journal",
                str(self.run_dir),
                "--parent",
                str(os.getpid()),
            ],
            die_with_parent=False,
        )

    def _leave_watchdog(self) -> None:
        """A watchdog that outlives us (no run marker, not our child for long): it retries
        the faults our last revert could not undo until none is active, or gives up."""
        log = self.run_dir / "logs" / "watchdog-detached.log"
        self.outcome.revert_watchdog = watchdog.detach(self.run_dir, os.getpid(), log, [MARKER])

    def _shortfall(self, planned: list[PlannedFault], load: LoadRunner) -> str:
        """Why a run whose load ended is not complete, or "" when it is."""
        problems = []
        ran = time.time() - self.outcome.started
        if ran < self.scenario.duration - EARLY_END_SLACK_S:
            code = load.master.popen.returncode if load.master else None
            problems.append(
                f"the load generator stopped after {ran:.0f} s of the planned "
                f"{self.scenario.duration:g} s (Locust master exit code {code}; see "
                f"{self.run_dir / 'logs' / 'locust-master.log'})"
            )
        injected = {e.fault_id for e in self.journal.entries() if e.event == INJECTED}
        for fault in planned:
            if fault.fault_id not in injected:
                why = self.inject_errors.get(fault.fault_id, "the run ended before its time")
                problems.append(
                    f"fault {fault.fault_id} ({fault.fault} on {fault.target}) was never "
                    f"injected: {why}"
                )
        return "; ".join(problems)

    def _workers(self) -> int:
        if self.options.workers is not None:
            return self.options.workers
        return self.scenario.load.workers or (os.cpu_count() or 1)

    def _load_config(self) -> LoadConfig:
        load = self.scenario.load
        found = self.outcome.target
        return LoadConfig(
            run_dir=str(self.run_dir),
            duration=self.scenario.duration,
            users=load.users.model_dump(),
            shape=self.shape,
            spawn_jitter=load.spawn_jitter,
            decode_sample=load.decode_sample,
            master_urls=dict(found.master_playlists),
            region_shares=dict(found.region_shares),
            streams=list(found.streams),
            router=found.router,
            max_stall=self.scenario.slos.max_stall,
            quality_target=load.quality_target,
            max_schedule_lag_p99=self.scenario.slos.max_schedule_lag_p99,
            max_event_loop_stall=self.scenario.slos.max_event_loop_stall,
            chat_urls=list(found.chat),
            gifts_url=found.gifts,
            discovery_url=found.discovery,
            origin_url=found.origin,
            chat_interval=load.chat_interval,
            creator_protocol=load.creator_protocol,
            creator_url=load.creator_url,
            gift_interval=load.gift_interval,
            search_interval=load.search_interval,
            gift_timeout=load.gift_timeout,
            workers=self._workers() + self.options.remote_workers,
            **self._staging_load(),
        )

    def _setup_warnings(self) -> list[str]:
        """Settings that weaken what this run proves, said in the summary and every report."""
        warnings = [
            f"TLS certificates are NOT verified for probe {name} (tls.verify: false)"
            for name in unverified_probes(self.scenario.probes)
        ]
        staging = self.scenario.target.staging
        if staging is None:
            return warnings
        unchecked = unverified(staging)
        if unchecked:
            warnings.append(
                "TLS certificates are NOT verified for "
                + ", ".join(unchecked)
                + " (tls.verify: false): a man in the middle would go unnoticed"
            )
        rows = pool_rows(staging)
        users = self.scenario.load.users.total
        if rows is not None and rows < users:
            warnings.append(
                f"the credential pool has {rows} row(s) for {users} simulated users: rows are "
                "shared round-robin, so several users act as one identity"
            )
        return warnings

    def _staging_load(self) -> dict[str, Any]:
        """What a staging target adds: endpoint settings, identities, protocols."""
        staging = self.scenario.target.staging
        if staging is None:
            return {}
        identities = staging.identities.settings().to_json() if staging.identities else None
        return {
            "endpoints": staging.endpoints(),
            "identities": identities,
            "protocols": staging.protocols.to_load(),
        }

    def _play(self, planned: list[PlannedFault], load: LoadRunner) -> None:
        pending, active = list(planned), []
        live = LiveSeries(self.run_dir / "telemetry" / "batches.jsonl")
        next_tick = 0.0
        while load.running():
            elapsed = time.time() - self.outcome.started
            due = [f for f in pending if f.inject_at <= elapsed]
            if (due or not planned) and not self.hypothesis_checked:
                self._check_steady_state(elapsed)
            for fault in due:
                pending.remove(fault)
                event = f"inject {fault.fault_id} {fault.fault} on {fault.target}"
                ok = self._inject(fault)
                self.tracker.injected(fault, time.time(), ok)
                if ok:
                    active.append(fault)
                else:
                    event += f" FAILED: {self.inject_errors[fault.fault_id]}"
                self._tick(elapsed, active, event)
            for fault in [f for f in active if f.revert_at <= elapsed]:
                active.remove(fault)
                self.session.revert(fault.fault_id)
                self.tracker.reverted(fault.fault_id, time.time())
                self._tick(
                    elapsed, active, f"revert {fault.fault_id} {fault.fault} on {fault.target}"
                )
            if elapsed >= next_tick:
                next_tick = elapsed + 1.0
                live.poll()
                for news in self.sampler.news():
                    self._tick(elapsed, active, news)
                self._check_guards(live)
                self._tick(elapsed, active, "", live.settled(time.time(), 5))
            time.sleep(0.05)

    def _tick(
        self,
        elapsed: float,
        active: list[PlannedFault],
        event: str,
        recent: list[Second] | None = None,
    ) -> None:
        planned = round(self.scenario.load.users.total * fraction_at(self.shape, elapsed))
        ids = [f.fault_id for f in active]
        self.progress(self.tracker.tick(elapsed, ids, event, recent, planned))

    def _tick_ended(self) -> None:
        """The load is over and every fault reverted (or left to the watchdog): say so."""
        elapsed = time.time() - self.outcome.started if self.outcome.started else 0.0
        tick = self.tracker.ended(elapsed, time.time(), self.outcome.revert_failures)
        self.progress(tick)

    def _check_guards(self, live: LiveSeries) -> None:
        samples = self.sampler.samples() if self.scenario.probes else []
        for guard in self.scenario.guards:
            if isinstance(guard, ProbeGuard):
                unit = self.scenario.probes[guard.probe].shown_as
                reason = probe_verdict.breached(guard, samples, time.time(), unit)
            else:
                reason = breached(guard, live, time.time())
            if reason:
                raise RunAborted(reason)

    def _check_steady_state(self, elapsed: float) -> None:
        """The hypothesis, just before the first fault: RunAborted (exit 3, nothing broken
        yet) naming each probe that does not hold and what it read."""
        self.hypothesis_checked = True
        if self.scenario.steady_state:
            self._tick(elapsed, [], "checking the steady-state hypothesis")
            why = hypothesis.before(self.sampler, self.scenario.steady_state, self.scenario.probes)
            if why:
                raise RunAborted(why)

    def _read_probes_after(self) -> None:
        """Stop sampling; then, every fault reverted, read the steady-state probes once more
        (the verdict's `steady_state:after` also looks at the last regular readings)."""
        self.sampler.stop()
        if self.outcome.status == "completed":
            hypothesis.after(self.sampler, self.scenario.steady_state)
        self.outcome.probe_samples = self.sampler.samples()

    def _inject(self, fault: PlannedFault) -> bool:
        """Inject one planned fault; on failure journal it and go on (False): the run is
        then not `completed` (`_shortfall`), but the other faults and the load still run."""
        spec = self.scenario.faults[fault.index]
        try:
            driver = FAULTS.get(fault.fault).create(
                self.targets[fault.target], spec.params, fault.fault_id
            )
        except Exception as exc:  # nothing was touched: the driver could not even be built
            self.inject_errors[fault.fault_id] = _reason(exc)
            self.journal.append(
                Entry(
                    fault.fault_id,
                    NOT_INJECTED,
                    now(),
                    fault.fault,
                    fault.target,
                    error=_reason(exc),
                )
            )
            return False
        owner = platform_processes(self.outcome.target)  # None unless embedded
        try:
            self.session.inject(fault.fault_id, fault.fault, fault.target, driver, fault.ttl, owner)
        except Exception as exc:  # journaled and reverted by the session
            self.inject_errors[fault.fault_id] = _reason(exc)
            return False
        return True

    def _revert_all(self) -> None:
        """Revert everything still active. What stays active on a target that outlives the
        run (staging) is left to a detached watchdog; an embedded platform is stopped next,
        which ends every fault on it."""
        self.outcome.revert_failures = self.session.revert_all()
        staging = self.scenario.target.staging is not None
        if self.outcome.revert_failures and staging and self.outcome.revert_watchdog is None:
            self._leave_watchdog()

    def _collect(self) -> None:
        telemetry = self.run_dir / "telemetry"
        warnings = self.outcome.telemetry_warnings
        run = read_run(telemetry, warnings)  # the master's merged series, or batches.jsonl
        self.outcome.series = run.series
        self.outcome.records = run.records
        self.outcome.clocks = run.clocks
        self.outcome.measured_by = run.measured_by

    def _read_ledger(self) -> None:
        gifts = self.outcome.target.gifts
        if self.scenario.slos.gifts is None or not gifts:
            return
        acked = [r["key"] for r in self.outcome.records if r.get("state") == "acked"]
        self.progress(
            Tick(
                time.time() - self.outcome.started,
                self.scenario.duration,
                (),
                f"reconciling {len(acked)} acknowledged gifts with the ledger",
            )
        )
        deadline = self.scenario.slos.gifts.deadline
        staging = self.scenario.target.staging
        template, settings = ledger_access(staging)
        read = plugin_ledger(staging, gifts)
        self.outcome.ledger = settled_ledger(gifts, acked, deadline, template, settings, read)


_SIGNALS = (signal.SIGINT, signal.SIGTERM)
EARLY_END_SLACK_S = 1.0  # the load may stop this much before `duration` and still be whole


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, LivefireError) else f"{type(exc).__name__}: {exc}"


def _ignore_signals() -> dict[int, Any]:
    """While cleaning up, more Ctrl-Cs must not interrupt the reverts."""
    return {sig: signal.signal(sig, signal.SIG_IGN) for sig in _SIGNALS}


def _restore_signals(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _load_tls_files(endpoints: dict[str, dict[str, Any]]) -> None:
    """Load every endpoint's CA, certificate and key now: one that exists (validation checked)
    but is not PEM, or no longer reads, is refused before anything starts, not in each user."""
    for name, settings in endpoints.items():
        try:
            client_context(EndpointSettings.from_json(settings).tls)
        except TlsSettingsError as exc:
            reason = str(exc).removeprefix("TLS settings: ")
            raise TlsSettingsError(f"target.staging.connect.{name}.tls: {reason}") from None
