"""The shape of an embedded platform: which components, how many, in which regions."""

from __future__ import annotations

from dataclasses import dataclass

# Share of viewers per region, from the capacity model (DESIGN.md).
REGION_SHARES = {"apac": 0.50, "na": 0.24, "eu": 0.16, "other": 0.10}


@dataclass(frozen=True)
class Topology:
    regions: tuple[str, ...] = tuple(REGION_SHARES)
    streams: tuple[str, ...] = ("live1",)
    ladder: str = "default"

    def with_streams(self, count: int) -> Topology:
        names = tuple(f"live{i + 1}" for i in range(count))
        return Topology(self.regions, names, self.ladder)

    def fault_targets(self) -> tuple[str, ...]:
        """Names a scenario may aim a fault at: each link that runs through the fault proxy."""
        return tuple(f"edge-{r}" for r in self.regions) + tuple(f"origin-{r}" for r in self.regions)


TOPOLOGIES = {"default": Topology()}
