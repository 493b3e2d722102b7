"""The Universal Scalability Law fitted to (concurrency, throughput) points.

    X(N) = λN / (1 + σ(N-1) + κN(N-1))        N* = √((1-σ)/κ), where X peaks

Fitted by Levenberg–Marquardt on relative residuals (throughputs span decades, so each point
counts by its share, not its size) with σ, κ ≥ 0, written here in numpy (scipy is not a
dependency, and three parameters need no more). Intervals come from a residual bootstrap.
Predictions past 2× the largest measured concurrency are refused: the curve there is the
model's guess, not a measurement.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from livefire.capacity.bounds import Bound

EXTRAPOLATION_LIMIT = 2.0
Array = npt.NDArray[np.float64]


class ExtrapolationRefused(ValueError):
    """A prediction was asked for past `EXTRAPOLATION_LIMIT` × the largest measured load."""


def usl(n: Array | float, lam: float, sigma: float, kappa: float) -> Array:
    n = np.asarray(n, float)
    return np.asarray(lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1)), float)


@dataclass(frozen=True)
class UslFit:
    """λ (throughput of one), σ (contention), κ (coherency), with intervals and fit quality."""

    lam: Bound
    sigma: Bound
    kappa: Bound
    r_squared: float
    points: int
    max_measured: float

    @property
    def peak_concurrency(self) -> float | None:
        """N*, where throughput peaks (None when κ = 0: it never turns down)."""
        k, s = self.kappa.value, self.sigma.value
        return math.sqrt((1 - s) / k) if k > 0 and s < 1 else None

    def predict(self, n: float) -> float:
        if n > EXTRAPOLATION_LIMIT * self.max_measured:
            raise ExtrapolationRefused(
                f"N={n:g} is past {EXTRAPOLATION_LIMIT:g}× the largest measured "
                f"N={self.max_measured:g}; measure there instead"
            )
        return float(usl(n, self.lam.value, self.sigma.value, self.kappa.value))


def _lm(n: Array, x: Array, start: Array, iterations: int = 200) -> Array:
    """Levenberg–Marquardt on r = model/x - 1 with p = (λ, σ, κ) kept ≥ 0."""

    def residual(p: Array) -> Array:
        return np.asarray(usl(n, *p) / x - 1, float)

    p, damping = start.copy(), 1e-3
    cost = float(residual(p) @ residual(p))
    for _ in range(iterations):
        r = residual(p)
        steps = np.maximum(np.abs(p) * 1e-6, 1e-9)
        jac = np.column_stack(
            [(residual(p + np.eye(3)[i] * steps[i]) - r) / steps[i] for i in range(3)]
        )
        normal = jac.T @ jac
        grad = jac.T @ r
        trial = np.maximum(
            p - np.linalg.solve(normal + damping * np.diag(np.diag(normal) + 1e-12), grad), 0
        )
        trial_cost = float(residual(trial) @ residual(trial))
        if trial_cost < cost:
            converged = cost - trial_cost < 1e-15 * max(cost, 1e-30)
            p, cost, damping = trial, trial_cost, damping / 3
            if converged:
                break
        else:
            damping *= 4
            if damping > 1e12:
                break
    return p


def _start(n: Array, x: Array) -> Array:
    """λ from the smallest load's throughput per unit of it; σ, κ from the linearised law
    λN/X - 1 = σ(N-1) + κN(N-1), solved by least squares."""
    lam = float(np.max(x[n == n.min()] / n.min()))
    design = np.column_stack([n - 1, n * (n - 1)])
    coef, *_ = np.linalg.lstsq(design, lam * n / x - 1, rcond=None)
    return np.array([lam, max(coef[0], 0.0), max(coef[1], 0.0)])


def fit(
    concurrency: Sequence[float],
    throughput: Sequence[float],
    *,
    resamples: int = 200,
    level: float = 0.90,
    seed: int = 0,
) -> UslFit:
    """Fit at least 3 points with distinct concurrencies; raise ValueError otherwise."""
    n, x = np.asarray(concurrency, float), np.asarray(throughput, float)
    keep = (n > 0) & (x > 0)
    n, x = n[keep], x[keep]
    if np.unique(n).size < 3:
        raise ValueError(
            f"a USL fit needs 3 distinct loads with throughput, got {np.unique(n).size}"
        )
    best = _lm(n, x, _start(n, x))
    fitted = usl(n, *best)
    relative = x / fitted - 1
    rng = np.random.default_rng(seed)
    draws = np.array(
        [_lm(n, fitted * (1 + rng.choice(relative, n.size)), best, 60) for _ in range(resamples)]
    )
    tail = (1 - level) / 2
    low, high = np.quantile(draws, [tail, 1 - tail], axis=0)
    ss_res = float(((x - fitted) ** 2).sum())
    ss_tot = float(((x - x.mean()) ** 2).sum()) or 1.0
    bounds = [Bound(float(best[i]), float(low[i]), float(high[i])) for i in range(3)]
    lam, sigma, kappa = bounds
    return UslFit(lam, sigma, kappa, 1 - ss_res / ss_tot, int(n.size), float(n.max()))
