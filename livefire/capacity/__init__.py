"""`livefire capacity`: breaking points with confidence, a fitted USL model, and a plan.

    spec (pydantic, `spec`) ─► runner (the only module with I/O: the stub and the load loop)
        each level ─► bounds (block bootstrap over per-second histograms) ─► search (next level)
    steps ─► usl (fit, N*) ─► plan (nodes, cost) ─► result (capacity.json)

Everything but `runner` and `openloop` is pure: data in, data out, unit-tested without sockets.
"""
