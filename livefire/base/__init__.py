"""The ground floor every other part of livefire stands on, and which stands on nothing of it.

`errors` (the one exception tree), `registry` (name → extension, with the one `suggest`),
`units` (durations and percentages as scenarios write them), `telemetry` (the per-second
currency between load generator and verdict), `processes` (children that never outlive
livefire) and `description` (the typed description every target gives of itself). `chaos`,
`loadgen` and the reference platform import only this package of `livefire`; the
import-linter contracts in pyproject.toml keep it so.
"""
