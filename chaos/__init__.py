"""Chaos: the fault model, fault drivers, the safety net, and the embedded fault proxy.

A fault type (catalog entry, `chaos.faults`, or a plugin through `chaos.plugins`) turns a
declared target (`chaos.targets`: what a name means, as a `chaos.model.TargetRef`) and typed
parameters into a driver (`chaos.drivers`) that can `inject()` and `revert()`. Every
injection is written to the run's journal first (`chaos.journal`), so the conductor, a
watchdog process (`chaos.watchdog`) or `livefire chaos revert` can always undo it, the same
way (`chaos.safety`): revert, else the driver's fallback, and the outcome journaled.
"""
