"""Which coefficient is best, by each criterion, and how sure that is.

A criterion is a number of every model, lower being better, whose optimum can lie anywhere in
the range of c: how far the decodes of N(0, I) are from the test digits (KID), and the
held-out likelihood (IW NLL). For one level, `answer` fits the criterion as a smooth
function of log c (curve.py, on the noise model of inference.py) and returns where its
optimum lies: c*, the interval that holds the true optimum at the confidence, and the span of
c whose expected value is within the criterion's practical margin of the best. A model whose
number is a loose bound (an IW NLL whose importance weights are degenerate) is left out of
the fit and marked unresolved. Pure: it returns data (Answer), and wording.py says it in
words.
"""

from dataclasses import dataclass

from vaestudy import curve
from vaestudy.inference import Spread, finished_models, seed_model


@dataclass(frozen=True)
class Criterion:
    """key: the metrics table's column (and `<key>_se`) and the paired units' name;
    name: what a user wants of the VAE; measure: how it is measured; bound: whether the
    number is a bound that may be loose (see loose_bounds)."""

    key: str
    name: str
    measure: str
    bound: bool = False


CRITERIA = (
    Criterion(
        "prior_kid",
        "generation from the prior",
        "KID of the decodes of N(0, I) against the test digits",
    ),
    Criterion(
        "iw_nll",
        "held-out likelihood",
        "importance-weighted NLL of the test images",
        bound=True,
    ),
)


def overlap(a, b):
    """Whether two intervals (low, high) share a value."""
    return bool(max(a[0], b[0]) <= min(a[1], b[1]))


@dataclass(frozen=True)
class Point:
    """One coefficient under one criterion: its value (inference.SeedModel.value) with its
    standard error, the curve's expected value there, and its verdict: within the margin of
    the best, beyond it, unresolved (a loose bound, left out of the fit) or diverged."""

    coefficient: float
    seeds: tuple
    value: float | None
    se: float | None
    fitted: float | None
    verdict: str


@dataclass(frozen=True)
class Answer:
    """A criterion's answer at one level. best: c*, the curve's argmin (None without a
    curve); interval: where the true optimum lies at the confidence (None while the seed
    spread is unmeasured); within: the span of c within `margin` of the best; edge: "lower"
    or "upper" where the interval reaches an end of the fitted range of positive c (loose
    bounds left out), so that the optimum may lie beyond it; curve: the fitted curve.Curve."""

    criterion: Criterion
    best: float | None
    interval: tuple | None
    within: tuple | None
    margin: float
    at_zero: float
    points: tuple
    spread: Spread | None
    confidence: float
    edge: str | None
    curve: object
    loose: frozenset = frozenset()

    def point(self, c):
        return next(p for p in self.points if p.coefficient == c)

    def trained(self):
        """The coefficients whose models entered the fit."""
        return [p.coefficient for p in self.points if p.verdict in ("within", "beyond")]


def answer(frame, criterion, units=None, confidence=0.95, margin=0.0):
    """The criterion's Answer for one level. frame: one row per model (coefficient, seed,
    diverged, the criterion's key, `<key>_se` and its loose-bound flag); units:
    {(coefficient, seed): the model's values per evaluation unit} (or None)."""
    key = criterion.key
    done = finished_models(frame, key)
    if done.empty:
        points = _diverged(frame, set())
        return Answer(
            criterion, None, None, None, margin, 0.0, points, None, confidence, None, None
        )
    model = seed_model(done, key, units)
    loose = frozenset(loose_bounds(done, model) if criterion.bound else ())
    fitted = curve.fit(model, exclude=loose)
    found = curve.optimum(fitted, confidence, margin) if fitted else None
    points = []
    for c in model.coefficients:
        seeds = tuple(int(s) for s in sorted(done.loc[done["coefficient"] == c, "seed"]))
        value = model.value(c)
        expected = fitted.at(c) if fitted and c not in loose else None
        points.append(
            Point(
                float(c),
                seeds,
                value.value,
                value.se,
                expected,
                _verdict(c, loose, expected, found),
            )
        )
    points += _diverged(frame, set(model.coefficients))
    points.sort(key=lambda p: p.coefficient)
    if found is None:
        return Answer(
            criterion,
            None,
            None,
            None,
            margin,
            0.0,
            tuple(points),
            model.spread,
            confidence,
            None,
            None,
            loose,
        )
    interval = found.interval if model.spread.measured else None
    return Answer(
        criterion,
        found.best,
        interval,
        found.within,
        margin,
        found.at_zero,
        tuple(points),
        model.spread,
        confidence,
        _edge(found.interval, fitted),
        fitted,
        loose,
    )


def loose_bounds(done, model):
    """The coefficients whose IW NLL may be a loose bound, so that its bias could decide a
    comparison: a model's importance weights' effective sample size is below 1 % of K, or
    the bound still falls from K/2 to K (the mean over the coefficient's models, about the
    bias left at K) by more than the least standard error of its difference from another
    coefficient. model: the IW NLL's SeedModel, whose differences are paired over seeds and
    test images; until it has measured the seed spread, the coefficient's own error."""
    if "iw_half_k_excess" not in done:
        return set()
    flagged = set()
    for c, models in done.groupby("coefficient"):
        low_ess = "iw_ess_low" in models and models["iw_ess_low"].fillna(False).astype(bool).any()
        drift = float(models["iw_half_k_excess"].astype(float).mean())
        error = model.comparison_error(c) if model.spread.measured else model.value(c).se
        if low_ess or drift > error:
            flagged.add(float(c))
    return flagged


def _verdict(c, loose, expected, found):
    if c in loose:
        return "unresolved"
    if found is None or expected is None:
        return "unresolved"
    return "within" if expected - found.best_value <= found.margin else "beyond"


def _diverged(frame, finished):
    """A point for each coefficient of which no model finished."""
    lost = sorted(set(frame["coefficient"].astype(float)) - {float(c) for c in finished})
    return [Point(c, (), None, None, None, "diverged") for c in lost]


def _edge(interval, fitted):
    """Whether the interval reaches an end of the fitted range of log c."""
    low, high = interval
    if 0 < low <= fitted.grid[0]:
        return "lower"
    if high >= fitted.grid[-1]:
        return "upper"
    return None
