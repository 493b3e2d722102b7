"""The fault catalog, filled in one place. Importing this module registers every built-in
fault (one module each in `chaos.faults`); `load_plugins()` (chaos.plugins) adds installed
third-party faults after them, so a plugin can never shadow a built-in. Whoever looks a fault
up by name imports `FAULTS` from here; only the fault modules themselves register in
`chaos.model.FAULTS` directly."""

from __future__ import annotations

from chaos import faults  # noqa: F401  (importing it registers every built-in fault)
from chaos.model import FAULTS

__all__ = ["FAULTS"]
