"""The reference live-streaming platform: livefire's embedded target and test bed.

Every component is its own process (`python -m livefire_stubs.<component>`), so it can be
killed for real; each one binds 127.0.0.1 on a free port, serves `/healthz` and `/metrics`,
and announces itself by writing a ready file (see `component.py`).
"""
