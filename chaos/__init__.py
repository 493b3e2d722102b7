"""Chaos: the fault model, fault drivers, the safety net, and the embedded fault proxy.

A fault type (catalog entry, `chaos.faults`) turns a declared target and typed parameters
into a driver (`chaos.drivers`) that can `inject()` and `revert()`. Every injection is written
to the run's journal first (`chaos.journal`), so the conductor, a watchdog process or
`livefire chaos revert` can always undo it.
"""
