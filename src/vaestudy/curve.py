"""A number of the models of one level as a smooth function of log c, and where its
optimum lies.

The values of the coefficients, with their full covariance, come from the one noise model
(inference.SeedModel: seeds paired, evaluation units shared, on the log scale for a positive
number). A Gaussian process in x = log10 c (scikit-learn's GaussianProcessRegressor, a
constant times a Matérn kernel, ν = 3/2, whose two hyperparameters maximise the marginal
likelihood) takes that covariance as the noise of the observed points, so that shared noise
is not mistaken for signal. Matérn's kernel is smooth, but not so smooth that a curve steep
on one side of its optimum and flat on the other is pulled towards a symmetric bowl. c = 0
has no logarithm: it is a point of its own, its value and error those of the noise model.

The optimum's interval comes from the posterior: each of DRAWS functions drawn from it on a
dense grid of log c has its own argmin, c = 0 taking part with a draw of its own value (drawn
apart from the curve's: its covariance with the other coefficients is left out); c*
is the argmin of the posterior mean, and the interval holds the central `confidence` share
of the draws' argmins. So it accounts for the best being picked from the same noisy data.
The seed spread enters as measured; simulation.py checks on known curves, with the noise and
the rounds of a full default run, that the interval holds the optimum as often as it says
(docs/method.md).
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Kernel, Matern

GRID_POINTS = 241  # the dense grid of log10 c between the smallest and largest c trained
DRAWS = 2000  # functions drawn from the posterior
LENGTH_SCALE_BOUNDS = (0.3, 3.0)  # decades of c: no wiggle much finer than the trained grid
SEED = 20  # the draws' random state, so that a conclusion is reproducible


class ObservedNoise(Kernel):
    """The known covariance `cov` of the observations at `x`: added only between the
    observed points themselves, never to a prediction (a fixed kernel, no
    hyperparameters)."""

    def __init__(self, x, cov):
        self.x = x
        self.cov = cov

    def __call__(self, X, Y=None, eval_gradient=False):
        X = np.asarray(X)
        observed = Y is None and X.shape == self.x.shape and np.array_equal(X, self.x)
        K = (
            self.cov.copy()
            if observed
            else np.zeros((X.shape[0], (X if Y is None else Y).shape[0]))
        )
        return (K, np.empty(K.shape + (0,))) if eval_gradient else K

    def diag(self, X):
        return np.zeros(np.asarray(X).shape[0])

    def is_stationary(self):
        return False


@dataclass(frozen=True)
class Curve:
    """The posterior of one number over log10 c: the grid (c), the posterior mean and its
    pointwise standard deviation on the number's own scale, the draws (grid × DRAWS), and
    c = 0's value, error and draws where it was trained. `relative`: the scale is
    log(v + shift) (inference.SeedModel)."""

    grid: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    draws: np.ndarray
    zero: tuple | None
    zero_draws: np.ndarray | None
    relative: bool
    length_scale: float
    shift: float = 0.0

    def raw(self, values):
        """Values on the fit's scale (log(v + shift) where relative) back on the number's own
        scale."""
        return np.exp(values) - self.shift if self.relative else values

    def band(self, confidence=0.95, every=2):
        """{c, mean, low, high}: the posterior mean and its pointwise band at the
        confidence on every `every`-th grid point, in the number's units."""
        z = stats.norm.ppf(0.5 + confidence / 2)
        pick = slice(None, None, every)
        return {
            "c": self.grid[pick].tolist(),
            "mean": self.raw(self.mean[pick]).tolist(),
            "low": self.raw(self.mean[pick] - z * self.sd[pick]).tolist(),
            "high": self.raw(self.mean[pick] + z * self.sd[pick]).tolist(),
        }

    def at(self, c):
        """The posterior mean at c, in the number's units (c = 0: its own value)."""
        if c == 0:
            return float(self.raw(self.zero[0]))
        return float(self.raw(np.interp(math.log10(c), np.log10(self.grid), self.mean)))


def fit(model, exclude=()):
    """The Curve of a SeedModel's number, leaving out the coefficients in `exclude`
    (None with fewer than three positive coefficients left)."""
    kept = [c for c in model.coefficients if c not in set(exclude)]
    positive = [c for c in kept if c > 0]
    if len(positive) < 3:
        return None
    means, cov = model.covariance(kept)
    on_curve = [i for i, c in enumerate(kept) if c > 0]
    x = np.log10(np.array(positive))[:, None]
    y, noise = means[on_curve], cov[np.ix_(on_curve, on_curve)]
    centre, scale = float(np.mean(y)), float(np.std(y)) or 1.0
    kernel = ConstantKernel(1.0, (1e-3, 1e3)) * Matern(
        1.0, LENGTH_SCALE_BOUNDS, nu=1.5
    ) + ObservedNoise(x, noise / scale**2)
    gp = GaussianProcessRegressor(kernel, alpha=1e-8, n_restarts_optimizer=1, random_state=SEED)
    with warnings.catch_warnings():
        # a length scale at its bound is a choice of LENGTH_SCALE_BOUNDS, not a failure
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(x, (y - centre) / scale)
    grid = np.linspace(x[0, 0], x[-1, 0], GRID_POINTS)[:, None]
    mean, sd = gp.predict(grid, return_std=True)
    draws = gp.sample_y(grid, DRAWS, random_state=SEED)
    zero = zero_draws = None
    if 0.0 in kept:
        i = kept.index(0.0)
        zero = (float(means[i]), float(math.sqrt(cov[i, i])))
        zero_draws = np.random.default_rng(SEED).normal(zero[0], zero[1], DRAWS)
    coefficients = 10 ** grid[:, 0]
    coefficients[[0, -1]] = positive[0], positive[-1]  # the trained ends, exactly
    return Curve(
        coefficients,
        centre + scale * mean,
        scale * sd,
        centre + scale * draws,
        zero,
        zero_draws,
        model.relative,
        float(gp.kernel_.k1.k2.length_scale),
        model.shift,
    )


@dataclass(frozen=True)
class Optimum:
    """Where the curve's minimum lies: c* (the posterior mean's argmin), the interval of
    the draws' argmins at the confidence, the share of draws whose argmin is c = 0, and the
    span of c whose expected value is within `margin` of the expected value at c*."""

    best: float
    interval: tuple
    at_zero: float
    within: tuple
    margin: float
    best_value: float


def optimum(curve, confidence=0.95, margin=0.0):
    """The Optimum of a Curve (lower is better)."""
    grid = curve.grid
    argmins = grid[np.argmin(curve.draws, axis=0)]
    best = float(grid[np.argmin(curve.mean)])
    lowest = float(np.min(curve.mean))
    if curve.zero is not None:
        zero_wins = curve.zero_draws < np.min(curve.draws, axis=0)
        argmins = np.where(zero_wins, 0.0, argmins)
        if curve.zero[0] < lowest:
            best, lowest = 0.0, curve.zero[0]
    tail = (1 - confidence) / 2
    low = float(np.quantile(argmins, tail, method="inverted_cdf"))
    high = float(np.quantile(argmins, 1 - tail, method="inverted_cdf"))
    expected = curve.raw(curve.mean)
    best_value = float(curve.raw(lowest))
    near = grid[expected - best_value <= margin]
    within = [float(near.min()), float(near.max())] if len(near) else [best, best]
    if curve.zero is not None and float(curve.raw(curve.zero[0])) - best_value <= margin:
        within[0] = 0.0
    return Optimum(
        best,
        (low, high),
        float(np.mean(argmins == 0.0)),
        tuple(within),
        margin,
        best_value,
    )


def first_crossing(curve, anchor, share, confidence=0.95):
    """For a rising number, the c above `anchor` where it first exceeds (1 + share) times
    its value at the anchor: (on the posterior mean, and the central `confidence` share of
    the draws' crossings), None where a crossing lies beyond the grid; each draw is compared
    with its own value at the anchor."""
    x = np.log10(curve.grid)
    start = int(np.searchsorted(x, math.log10(anchor)))

    def crossing(values):
        own = curve.raw(values)
        above = own[start:] - own[start] > share * own[start]
        index = np.argmax(above)
        return float(curve.grid[start + index]) if above[index] else math.inf

    central = crossing(curve.mean)
    found = np.array([crossing(curve.draws[:, j]) for j in range(curve.draws.shape[1])])
    tail = (1 - confidence) / 2
    low, high = np.quantile(found, [tail, 1 - tail], method="inverted_cdf")
    finite = lambda v: None if math.isinf(v) else float(v)  # noqa: E731
    return finite(central), finite(low), finite(high)
