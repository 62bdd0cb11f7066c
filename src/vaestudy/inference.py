"""One noise model for every number of a model: each coefficient's value over its seeds, the
covariance of those values, and whether the seed spread is the same at every coefficient.

A model's number v(c, s) varies with its coefficient c, with its seed s (a seed's models
share their initial weights, and every model shares the evaluation's draws), and with noise
of its own. It is fitted by least squares as the additive model y(c, s) = mu(c) + a(s) + e,
with y = log(v + r) for a number positive at every model, or bounded below by 0 and nowhere
below 0 by r or more (those estimates held at 0), and y = v otherwise: on the log scale its
spread is a share of its value, as numbers that span orders of magnitude over c have, down to
its resolution r, below which values differ by amounts (a collapsed model's KL). A
coefficient's value is its mean over the seeds (those it lacks filled in from the seeds'
offsets, within the number's bounds); the spread of e is measured on the coefficients with
several seeds and carried by every coefficient, except by a number that is a sum of others
(D + R), whose value is theirs summed and whose e at each model is the sum of theirs: their
spreads carried as before, at their values there, correlated as their residuals are; and the
evaluation's own noise (test images, draws) comes from the values per unit that every model has
for the same units, so that it is paired between coefficients, or from each model's standard
error where there are none. Every ± the study prints for a coefficient comes from here.
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from vaestudy import registry

# a residual or an error within this many machine epsilons of the values' size is round-off
_ROUND_OFF = 1e3 * np.finfo(np.float64).eps


def _without_round_off(spread, size):
    """A standard deviation or error, 0 where it is only round-off of numbers of `size`."""
    return 0.0 if spread <= _ROUND_OFF * max(1.0, size) else spread


def error_bars(value, error, bounds=(None, None)):
    """(below, above): a standard error's bars around a value, each stopping at the bound the
    number cannot pass (bounds: (lower, upper), either None): 10 classes of 10 with an error
    of 0.8 has bars of 0.8 below and 0 above."""
    lower, upper = bounds
    below = error if lower is None else min(error, max(value - lower, 0.0))
    above = error if upper is None else min(error, max(upper - value, 0.0))
    return below, above


@dataclass(frozen=True)
class Spread:
    """The seed-to-seed spread of one number (on the model's scale: a share of the value
    where `relative`): its standard deviation, the degrees of freedom it is measured with,
    whether paired (seed effects fitted) or not (too few coefficients with seeds to pair),
    on which coefficients, and the p-value of Bartlett's test that it is the same at each
    of them (None with fewer than two such coefficients)."""

    sd: float | None
    dof: int
    paired: bool
    measured_on: tuple
    relative: bool = False
    same_everywhere_p: float | None = None

    @property
    def measured(self):
        return self.dof > 0


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float


@dataclass(frozen=True)
class SeedComponent:
    """One source of a number's seed noise: the e of a fitted number (its own, or a part's)
    with standard deviation `sd` on that number's scale and `residuals` over the models, which
    moves the number by amounts[c] per unit of e at coefficient c."""

    sd: float
    residuals: np.ndarray
    amounts: dict

    def weighted(self, weight):
        return SeedComponent(
            self.sd, self.residuals, {c: weight * a for c, a in self.amounts.items()}
        )


class SeedModel:
    """The additive model of one number over the models of one level.

    values: a Series indexed by (coefficient, seed); units: {(coefficient, seed): the values
    per evaluation unit whose mean is the model's value}, the same units for every model
    (None where there are none); errors: each model's own standard error (used where a model
    has no units); relative: fit log(v + resolution) (None: when every value is positive,
    or the lower bound is 0 and no value is below it by the resolution or more);
    bounds: (lower, upper), what a model's value cannot pass (either None), which the seeds a
    coefficient lacks are filled in within; resolution: the least amount of the number that
    matters (half its last printed decimal), so that on the log scale values far above it
    spread as a share and values below it, a collapsed model's KL of 1e-6 nats, as an amount
    instead of deciding the seeds' offsets and spread with their ratios; components: the
    SeedComponents of its seed noise, amounts in own units, over the same models, where they
    are not its own residuals' (a sum of other numbers: its parts'); centres: {coefficient:
    its value in own units} where it is not the fit's (a sum's: its parts' values summed)."""

    def __init__(
        self,
        values,
        units=None,
        errors=None,
        relative=None,
        bounds=(None, None),
        resolution=0.0,
        components=None,
        centres=None,
    ):
        values = values.dropna().sort_index()
        # the bounds as numbers, ±inf where there is none
        self.limits = (
            -np.inf if bounds[0] is None else bounds[0],
            np.inf if bounds[1] is None else bounds[1],
        )
        raw = values.to_numpy(dtype=np.float64)
        # a number bounded below by 0 whose estimates fall below 0 by less than its
        # resolution (a collapsed model's I(x; z) of -2e-6 nats) is 0 at every printed
        # decimal: those values are held at 0, and the number is positive to the fit
        nonnegative = self.limits[0] == 0 and resolution > 0 and bool((raw > -resolution).all())
        if relative is None:
            relative = bool((raw > 0).all()) or nonnegative
        if relative and nonnegative:
            raw = np.maximum(raw, 0.0)
        self.relative = relative
        self.shift = resolution if self.relative else 0.0
        self.keys = list(values.index)
        self.values = self.fitted(raw)
        # the delta method's d log(v + shift) / dv
        scale = raw + self.shift if self.relative else np.ones_like(raw)
        self.coefficients = sorted({c for c, _ in self.keys})
        self.seeds = sorted({s for _, s in self.keys})
        self.units = {
            key: np.asarray(units[key], dtype=np.float64) / scale[k]
            for k, key in enumerate(self.keys)
            if units and units.get(key) is not None
        }
        errors = errors if errors is not None else pd.Series(0.0, index=values.index)
        self.errors = {
            key: float(errors.get(key, 0.0)) / scale[k] for k, key in enumerate(self.keys)
        }
        self.design, paired = self._design(with_seeds=True), True
        self.beta, dof, residuals = self._fit()
        if dof == 0:
            self.design, paired = self._design(with_seeds=False), False
            self.beta, dof, residuals = self._fit()
        replicated = [c for c in self.coefficients if self.seed_count(c) > 1]
        size = float(np.abs(self.values).max())  # seeds that agree leave the fit's round-off
        sd = (
            _without_round_off(math.sqrt(float(residuals @ residuals) / dof), size) if dof else None
        )
        self.spread = Spread(
            sd,
            dof,
            paired,
            tuple(float(c) for c in replicated),
            self.relative,
            self._same_everywhere(residuals, replicated),
        )
        # a sum's value is its parts' values summed, which fill in the seeds each lacks
        self.centred = set()
        for c, centre in (centres or {}).items():
            held = float(np.clip(centre, *self.limits))
            if not self.relative or held + self.shift > 0:
                self.beta[self.coefficients.index(c)] = float(self.fitted(held))
                self.centred.add(c)
        # the seed noise's components, amounts in own units, and their correlations
        sizes = self._sizes()
        own = SeedComponent(sd or 0.0, residuals, dict(zip(self.coefficients, sizes, strict=True)))
        self.components = components or [own]
        self.correlation = _correlation([b.residuals for b in self.components])

    def _sizes(self):
        """d(v + shift) / d y at each coefficient's value, in the order of self.coefficients:
        an amount in own units over it is on the model's scale."""
        means = self.beta[: len(self.coefficients)]
        return np.exp(means) if self.relative else np.ones_like(means)

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
        """(coefficients of the fit, residual degrees of freedom, residuals)."""
        self.pseudo_inverse = np.linalg.pinv(self.design)
        beta = self.pseudo_inverse @ self.values
        dof = len(self.values) - np.linalg.matrix_rank(self.design)
        return beta, int(dof), self.values - self.design @ beta

    def _same_everywhere(self, residuals, replicated):
        """Bartlett's test that the residuals' spread is the same at every coefficient with
        several seeds (Levene's median-centred test is degenerate with two seeds a
        coefficient, whose two residuals mirror each other)."""
        groups = [
            [r for r, key in zip(residuals, self.keys, strict=True) if key[0] == c]
            for c in replicated
        ]
        if len(groups) < 2 or not all(np.ptp(g) > 1e-12 for g in groups):
            return None
        return float(stats.bartlett(*groups).pvalue)

    def seed_count(self, c):
        return sum(key[0] == c for key in self.keys)

    def _seed(self, combinations):
        """The seed noise's covariance of the combinations (rows: weights of each coefficient's
        mu(c), in the order of self.coefficients) on the model's scale. A model's e moves
        mu(c) by its amount at c where c's value is its parts' (whose own fits fill in the
        seeds c lacks), else by its amount at the model's own coefficient."""
        means = self.pseudo_inverse[: len(self.coefficients)]  # mu(c) = means[c] @ values
        built = np.array([c in self.centred for c in self.coefficients])
        model_of = [self.coefficients.index(c) for c, _ in self.keys]
        sizes = self._sizes()
        moved = []
        for b in self.components:
            amounts = np.array([b.amounts[c] for c in self.coefficients]) / sizes
            at_c, at_model = np.where(built, amounts, 0.0), amounts[model_of]
            weights = (combinations * at_c) @ means + (combinations * ~built) @ (means * at_model)
            moved.append(b.sd * weights)
        return sum(
            self.correlation[i, j] * moved[i] @ moved[j].T
            for i in range(len(moved))
            for j in range(len(moved))
        )

    def _weights(self, combination):
        """The models' weights of sum_c combination[c] · mu(c)."""
        a = np.zeros(self.design.shape[1])
        for c, weight in combination.items():
            a[self.coefficients.index(c)] = weight
        return a, self.pseudo_inverse.T @ a

    def covariance(self, coefficients):
        """(means, covariance) of mu(c) on the model's scale (log v where relative) for the
        given coefficients: the seed spread's share plus the evaluation's, paired over the
        units where every model involved has them."""
        weights = np.array([self._weights({c: 1.0})[1] for c in coefficients])
        means = np.array([self.beta[self.coefficients.index(c)] for c in coefficients])
        picked = np.array([[float(c == d) for d in self.coefficients] for c in coefficients])
        return means, self._seed(picked) + self._evaluation(weights)

    def _evaluation(self, weights):
        """The evaluation covariance of the combinations weights @ v: from the models'
        values per unit (shared units, so paired) where every model involved has them, else
        from their own errors as if independent."""
        used = np.flatnonzero(np.any(np.abs(weights) > 1e-12, axis=0))
        keys = [self.keys[k] for k in used]
        if len(used) and all(key in self.units for key in keys):
            per_unit = weights[:, used] @ np.array([self.units[key] for key in keys])
            return np.atleast_2d(np.cov(per_unit, ddof=1)) / per_unit.shape[1]
        errors = np.array([self.errors[key] for key in keys])
        return (weights[:, used] * errors**2) @ weights[:, used].T

    def combination(self, combination):
        """Estimate of sum_c combination[c] · mu(c) on the model's scale, with its standard
        error: the seed spread's share plus the evaluation noise of the same combination."""
        a, w = self._weights(combination)
        seed_part = float(self._seed(a[None, : len(self.coefficients)])[0, 0])
        variance = seed_part + float(self._evaluation(w[None, :])[0, 0])
        value = float(a @ self.beta)
        return Estimate(value, _without_round_off(math.sqrt(max(variance, 0.0)), abs(value)))

    def comparison_error(self, c):
        """The least standard error, in the number's own units, of c's value minus another
        coefficient's (c's own standard error where it is the only one)."""
        others = [o for o in self.coefficients if o != c]
        if not others:
            return self.value(c).se
        error = min(self.combination({c: 1.0, o: -1.0}).se for o in others)
        return error * (self.value(c).value + self.shift) if self.relative else error

    def value(self, c):
        """A coefficient's value in the number's own units: its mean over the seeds (where
        relative, the geometric mean of v + resolution, less the resolution), those it lacks
        filled in by the additive model from its other seeds and the seeds' offsets, within
        the number's bounds."""
        estimate = self.combination({c: 1.0})
        centre = self._within_bounds(c, estimate.value)
        value = float(self.own(centre))
        held = float(np.clip(value, *self.limits))  # the geometric mean's round-off
        return Estimate(held, (value + self.shift) * estimate.se if self.relative else estimate.se)

    def fitted(self, values):
        """Values of the number on the model's scale: log(v + shift) where relative."""
        return np.log(np.asarray(values) + self.shift) if self.relative else np.asarray(values)

    def own(self, values):
        """Values on the model's scale back in the number's own units."""
        return np.exp(values) - self.shift if self.relative else values

    def _within_bounds(self, c, centre):
        """mu(c) on the model's scale, `centre`, unless filling in a seed c lacks (mu(c) plus
        the seed's offset) passes a bound of the number: then the mean over the seeds of the
        values measured and the fill-ins held at the bound, as no model can score past it
        (where one seed's decodes show all 10 digit classes, another's are not 10.6)."""
        lower, upper = self.limits
        if not self.spread.paired or (lower, upper) == (-np.inf, np.inf) or c in self.centred:
            return centre
        fitted = self.beta[len(self.coefficients) :]
        offsets = dict(zip(self.seeds, [*fitted, -fitted.sum()], strict=True))
        measured = {s: y for (d, s), y in zip(self.keys, self.values, strict=True) if d == c}
        filled = np.array([centre + offsets[s] for s in self.seeds if s not in measured])
        raw = self.own(filled)
        if ((raw >= lower) & (raw <= upper)).all():
            return centre
        held = np.clip(raw, lower, upper)
        return float(np.mean([*measured.values(), *self.fitted(held)]))


def finished_models(frame, key):
    """The models of one level with a finite value of `key` (diverged models have none)."""
    done = frame[~frame["diverged"].astype(bool)]
    return done[np.isfinite(pd.to_numeric(done[key], errors="coerce"))]


def seed_model(frame, key, units=None):
    """The SeedModel of column `key` over the finished models of one level (frame: one row
    per model, with coefficient, seed, diverged and the optional `<key>_se`), with the
    bounds and the resolution the registry gives the metric, and, for a sum of other metrics,
    the value and seed noise it takes from theirs (borrowed)."""
    done = finished_models(frame, key)
    indexed = done.set_index(["coefficient", "seed"])
    errors = indexed[f"{key}_se"].astype(float) if f"{key}_se" in indexed else None
    metric = registry.by_key().get(key)
    resolution = metric.resolution if metric else 0.0
    centres, components = borrowed(frame, metric) if metric else (None, None)
    return SeedModel(
        indexed[key].astype(float),
        units,
        errors,
        None,
        number_bounds(frame, key),
        resolution,
        components,
        centres,
    )


def borrowed(frame, metric):
    """(centres, components) a sum of other metrics (registry.Metric.parts) takes from their
    SeedModels: {c: the weighted sum of the parts' values} and the parts' seed components,
    weighted; (None, None) for any other metric, or where a part lacks a model the sum has
    or has one the sum lacks."""
    parts = metric.parts
    if not parts or any(key not in frame or finished_models(frame, key).empty for key, _ in parts):
        return None, None
    models = [(weight, seed_model(frame, key)) for key, weight in parts]
    own = finished_models(frame, metric.key).set_index(["coefficient", "seed"]).index
    if any(m.keys != sorted(own) for _, m in models):
        return None, None
    components = [b.weighted(weight) for weight, m in models for b in m.components]
    coefficients = models[0][1].coefficients
    return {c: sum(w * m.value(c).value for w, m in models) for c in coefficients}, components


def _correlation(residuals):
    """The correlations of seed-noise components from their residuals over the same models
    (0 with a component whose residuals are all 0)."""
    residuals = np.array(residuals)
    norms = np.sqrt((residuals**2).sum(axis=1))
    norms[norms == 0] = np.inf
    correlation = residuals @ residuals.T / np.outer(norms, norms)
    np.fill_diagonal(correlation, 1.0)
    return correlation


def number_bounds(frame, key):
    """(lower, upper) of a metric in numbers for one level's models (frame): a bound named by
    another column (log N for I(x; z)) where that column has one value over the models, else
    None; (None, None) for a column the registry does not bound."""
    metric = registry.by_key().get(key)

    def resolved(bound):
        if not isinstance(bound, str):
            return bound
        values = frame[bound].dropna() if bound in frame else pd.Series(dtype=float)
        return float(values.iloc[0]) if values.nunique() == 1 else None

    return tuple(resolved(b) for b in metric.bounds) if metric else (None, None)
