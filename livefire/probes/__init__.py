"""Reading probes: the conductor's I/O with the platform's own signals.

    readers.py     one reader per probe kind, registered by name: a reading is a float, or
                   ProbeFailed saying why there is none
    http.py        the HTTP request both `prometheus` and `http` probes make (headers with
                   secrets resolved only here, TLS, timeout)
    prometheus.py  an instant PromQL query: `/api/v1/query`, one series or a scalar
    command.py     an argv list, never a shell: exit code or the number printed
    sampler.py     one thread per probe, sampling on its schedule into probes.jsonl

Nothing here judges: the verdict reads the samples (`livefire.verdict.probes`).
"""

from livefire.probes.readers import READERS, read_once

__all__ = ["READERS", "read_once"]
