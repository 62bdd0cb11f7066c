"""Estimates with every source of noise: each coefficient's value over its seeds, and the
difference between two coefficients, paired over seeds and over evaluation units.

A model's number v(c, s) varies with its coefficient c, with its seed s (a seed's models
share their initial weights, and every model shares the evaluation's draws), and with noise
of its own. The additive model v(c, s) = mu(c) + a(s) + e fits that by least squares: a
difference mu(c) - mu(b) is then paired over seeds (a(s) cancels), and the spread of e is
measured on the coefficients with several seeds and used for every coefficient, the
one-seed ones included. To it adds the evaluation's own noise (test images, draws), from the
values per unit that every model has for the same units, or from each model's standard
error where there are none.
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


def _incomplete_beta(x, a, b):
    """The regularised incomplete beta function I_x(a, b), by its continued fraction
    (modified Lentz), converging fast for x < (a + 1) / (a + b + 2)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):
        return 1.0 - _incomplete_beta(1.0 - x, b, a)
    log_front = a * math.log(x) + b * math.log1p(-x) - math.log(a)
    log_front -= math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 300):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return math.exp(log_front) * fraction


def t_cdf(t, dof):
    """P(T <= t) for Student's t with dof degrees of freedom."""
    tail = 0.5 * _incomplete_beta(dof / (dof + t * t), dof / 2.0, 0.5)
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p, dof):
    """The t with P(T <= t) = p for Student's t with dof degrees of freedom (bisection)."""
    low, high = -1e4, 1e4
    for _ in range(200):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if t_cdf(middle, dof) < p else (low, middle)
    return 0.5 * (low + high)


@dataclass(frozen=True)
class Spread:
    """The seed-to-seed spread of one number: its standard deviation, the degrees of freedom
    it is measured with, whether paired (the additive model's) or not (seed effects left
    out, when too few coefficients have seeds to pair), and on which coefficients."""

    sd: float | None
    dof: int
    paired: bool
    measured_on: tuple

    @property
    def measured(self):
        return self.dof > 0


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float


class SeedModel:
    """The additive model of one number over the models of one level.

    values: a Series indexed by (coefficient, seed); units: {(coefficient, seed): the values
    per evaluation unit whose mean is the model's value}, the same units for every model
    (None where there are none); errors: each model's own standard error (used where a model
    has no units)."""

    def __init__(self, values, units=None, errors=None):
        values = values.dropna().sort_index()
        self.keys = list(values.index)
        self.values = values.to_numpy(dtype=np.float64)
        self.coefficients = sorted({c for c, _ in self.keys})
        self.seeds = sorted({s for _, s in self.keys})
        self.units = units or {}
        self.errors = errors if errors is not None else pd.Series(0.0, index=values.index)
        self.design, paired = self._design(with_seeds=True), True
        self.beta, dof, residual = self._fit()
        if dof == 0:
            self.design, paired = self._design(with_seeds=False), False
            self.beta, dof, residual = self._fit()
        replicated = tuple(c for c in self.coefficients if self.seed_count(c) > 1)
        sd = math.sqrt(residual / dof) if dof else None
        self.spread = Spread(sd, dof, paired, tuple(float(c) for c in replicated))

    def _design(self, with_seeds):
        """One column per coefficient, then the seeds in effect coding (each seed but the
        last against the last), so that a coefficient's value is its mean over the seeds."""
        columns = [[float(c == key[0]) for key in self.keys] for c in self.coefficients]
        if with_seeds:
            last = self.seeds[-1]
            for seed in self.seeds[:-1]:
                columns.append([(s == seed) - (s == last) for _, s in self.keys])
        return np.array(columns, dtype=np.float64).T

    def _fit(self):
        """(coefficients of the fit, residual degrees of freedom, residual sum of squares)."""
        self.pseudo_inverse = np.linalg.pinv(self.design)
        beta = self.pseudo_inverse @ self.values
        dof = len(self.values) - np.linalg.matrix_rank(self.design)
        residual = float(np.sum((self.values - self.design @ beta) ** 2))
        return beta, int(dof), residual

    def seed_count(self, c):
        return sum(key[0] == c for key in self.keys)

    def combination(self, weights):
        """Estimate of sum_c weights[c] · mu(c), with its standard
        error: the seed spread's share plus the evaluation noise of the same combination."""
        a = np.zeros(self.design.shape[1])
        for c, weight in weights.items():
            a[self.coefficients.index(c)] = weight
        w = self.pseudo_inverse.T @ a  # the combination as weights of the models' values
        seed_part = (self.spread.sd or 0.0) ** 2 * float(w @ w)
        return Estimate(float(a @ self.beta), math.sqrt(seed_part + self._evaluation(w)))

    def _evaluation(self, w):
        """The evaluation noise of sum_k w_k v_k: from the models' values per unit (shared
        units, so paired) where every weighted model has them, else from their own errors as
        if independent."""
        used = [(k, key) for k, key in enumerate(self.keys) if abs(w[k]) > 1e-12]
        if used and all(self.units.get(key) is not None for _, key in used):
            combined = sum(w[k] * np.asarray(self.units[key], dtype=np.float64) for k, key in used)
            return float(np.var(combined, ddof=1) / len(combined))
        return float(sum(w[k] ** 2 * self.errors.get(key, 0.0) ** 2 for k, key in used))

    def value(self, c):
        """A coefficient's value: its mean over the seeds, those it lacks filled in by the
        additive model from its other seeds and the seeds' offsets (so a coefficient with
        every seed has its plain mean)."""
        return self.combination({c: 1.0})

    def difference(self, c, b):
        """mu(c) - mu(b), paired over seeds and evaluation units."""
        return self.combination({c: 1.0, b: -1.0}) if c != b else Estimate(0.0, 0.0)


def pooled_spread(frame, column):
    """The seed-to-seed variance of `column` pooled over the coefficients with several seeds
    (frame: one row per finished model, with coefficient and seed): (variance, degrees of
    freedom, relative). Relative when every value is positive: each coefficient's spread
    is taken as a share of its mean, since these numbers span orders of magnitude over c,
    and the pooled share is applied to each coefficient's own mean."""
    grouped = frame.groupby("coefficient")[column]
    counts, means, variances = grouped.count(), grouped.mean(), grouped.var(ddof=1)
    several = counts[counts > 1].index
    dof = int((counts[several] - 1).sum())
    if not dof:
        return None, 0, False
    relative = bool((frame[column] > 0).all())
    scaled = variances[several] / (means[several] ** 2 if relative else 1.0)
    return float(((counts[several] - 1) * scaled).sum() / dof), dof, relative


def coefficient_errors(frame, column, se_column=None):
    """Per coefficient: mean of `column` over its models and its standard error with every
    source: the seed spread (its own seeds' pooled with the other coefficients' with
    several seeds, see pooled_spread) over the number of seeds, plus the models' own
    evaluation error, which is shared by a coefficient's seeds (they are evaluated on the
    same draws) and so does not shrink with them. A DataFrame indexed by coefficient with
    `column`, `<column>_err`, `seeds` and `spread` (whether a seed spread is in the error)."""
    grouped = frame.groupby("coefficient")
    table = pd.DataFrame({column: grouped[column].mean(), "seeds": grouped[column].count()})
    variance, _, relative = pooled_spread(frame, column)
    own = grouped[se_column].apply(lambda s: float(np.mean(s**2))) if se_column else 0.0
    seed_part = 0.0
    if variance is not None:
        seed_part = variance * (table[column] ** 2 if relative else 1.0) / table["seeds"]
    table[f"{column}_err"] = np.sqrt(seed_part + own)
    table["spread"] = variance is not None
    return table
