"""The verdict: a pure function of telemetry, fault windows and the SLOs.

    slis.py         every SLI by name: how it is measured from merged seconds, its unit
    recovery.py     recovery-time maths: when an SLI is back inside its SLO, and stays there
    reconcile.py    acknowledged gifts against the platform's ledger
    engine.py       checks per phase and per fault, recoveries, inconclusive reasons → Verdict
    expectation.py  whether a negative control came out as it must
    cost.py         each fault's impact priced with a severity table (information, not a promise)

No I/O and no chaos types here (the import-linter contracts say so); the journal becomes
fault windows in `livefire.journal_windows`, and `livefire.judge` puts it all together.
"""
