"""The capacity stub's limits, computed exactly from its parameters (no I/O).

With exponential service times (mean `1/mu`), `slots` servers and Poisson arrivals at `rate`,
the stub is an M/M/c queue (FCFS): the response time T = W + S, where W is 0 with
probability 1 - C (C = Erlang C) and otherwise Exp(c·mu - rate), and S ~ Exp(mu). So the
p-th percentile of T, and the load where it crosses an SLO, follow by bisection on closed
forms. With contention σ and coherency κ the stub stretches each service time by the USL
factor 1 + σ(k-1) + κk(k-1) at k busy slots, so a closed loop of N ≤ c clients sees the
Universal Scalability Law X(N) = N·mu / (1 + σ(N-1) + κN(N-1)) exactly (minus the
loopback round trip); the open-arrival crossing is exact only for σ = κ = 0.
"""

from __future__ import annotations

import math


def erlang_c(slots: int, offered: float) -> float:
    """Probability an arrival waits (offered = rate/mu < slots), summed stably."""
    if offered <= 0:
        return 0.0
    term, total = 1.0, 1.0  # a^k/k! for k = 0..c-1, scaled as we go
    for k in range(1, slots):
        term *= offered / k
        total += term
    last = term * offered / slots  # a^c / c!
    rho = offered / slots
    tail = last / (1 - rho)
    return tail / (total + tail)


def response_tail(t: float, rate: float, mu: float, slots: int) -> float:
    """P(T > t) in the M/M/c queue."""
    wait = erlang_c(slots, rate / mu)
    theta = slots * mu - rate
    if abs(theta - mu) < 1e-12 * mu:
        both = math.exp(-mu * t) * (1 + mu * t)
    else:
        both = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
    return (1 - wait) * math.exp(-mu * t) + wait * both


def response_percentile(q: float, rate: float, mu: float, slots: int) -> float:
    """The q-th percentile (seconds) of the response time at `rate` (< slots·mu)."""
    if rate >= slots * mu:
        return math.inf
    target, lo, hi = 1 - q / 100, 0.0, 1.0 / mu
    while response_tail(hi, rate, mu, slots) > target:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if response_tail(mid, rate, mu, slots) > target else (lo, mid)
    return (lo + hi) / 2


def crossing_rate(q: float, slo_s: float, mu: float, slots: int) -> float:
    """The arrival rate at which the q-th percentile equals `slo_s`: the true capacity."""
    if response_percentile(q, 0.0, mu, slots) >= slo_s:
        return 0.0
    lo, hi = 0.0, slots * mu
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if response_percentile(q, mid, mu, slots) < slo_s else (lo, mid)
    return (lo + hi) / 2


def usl_factor(busy: int, sigma: float, kappa: float) -> float:
    """How much longer a service takes at `busy` busy slots (itself included)."""
    return 1 + sigma * (busy - 1) + kappa * busy * (busy - 1)


def usl_throughput(clients: float, mu: float, sigma: float, kappa: float) -> float:
    """Closed-loop throughput of `clients` (≤ slots) with zero think time."""
    return clients * mu / usl_factor(int(clients), sigma, kappa) if clients else 0.0
