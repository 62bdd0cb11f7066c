"""Which coefficient is best, by each criterion, and which cannot be told apart from it.

A criterion is a number of every model, lower being better, whose optimum can lie anywhere in
the range of c: how far the decodes of N(0, I) are from the test digits (KID), and the
held-out likelihood (IW NLL). For one level, `answer` fits the criterion's values with the
additive seed model (inference.SeedModel), takes as best the coefficient with the lowest
value, and compares every other coefficient with it by their paired difference: it cannot
be told apart from the best when the difference is within t · its standard error, t the
Student quantile of the confidence at the seed spread's degrees of freedom. Pure: it returns
data (Answer), and wording.py says it in words.
"""

import enum
from dataclasses import dataclass

import numpy as np
import pandas as pd

from vaestudy.inference import SeedModel, Spread, t_quantile


@dataclass(frozen=True)
class Criterion:
    """key: the metrics table's column (and `<key>_se`) and the paired units' name;
    name: what a user wants of the VAE; measure: how it is measured."""

    key: str
    name: str
    measure: str


CRITERIA = (
    Criterion(
        "prior_kid",
        "generation from the prior",
        "KID of the decodes of N(0, I) against the test digits",
    ),
    Criterion("iw_nll", "held-out likelihood", "importance-weighted NLL of the test images"),
)


class Verdict(enum.Enum):
    BEST = "best"
    TIED = "not distinguishable from the best"
    WORSE = "worse than the best"
    UNRESOLVED = "not compared: seed spread not measured"
    DIVERGED = "diverged"


@dataclass(frozen=True)
class Point:
    """One coefficient under one criterion: its value (mean over seeds, see
    SeedModel.value) and the difference from the best, each with its standard error."""

    coefficient: float
    seeds: tuple
    value: float | None
    se: float | None
    difference: float | None
    difference_se: float | None
    verdict: Verdict


@dataclass(frozen=True)
class Answer:
    """A criterion's answer at one level: the best coefficient, the interval of those not
    distinguishable from it (None without a measured seed spread), every point, the seed
    spread and the t that decided. `edge` says whether the best is the lowest or highest
    coefficient trained (then the optimum may lie beyond); `gaps` lists coefficients
    inside the interval that are worse than the best."""

    criterion: Criterion
    best: float | None
    interval: tuple | None
    points: tuple
    spread: Spread
    t: float | None
    confidence: float
    edge: str | None
    gaps: tuple

    def point(self, c):
        return next(p for p in self.points if p.coefficient == c)

    def neighbours(self):
        """The trained coefficients just below and above the best (None at an end)."""
        trained = [p.coefficient for p in self.points if p.verdict is not Verdict.DIVERGED]
        i = trained.index(self.best)
        return (trained[i - 1] if i > 0 else None, trained[i + 1] if i + 1 < len(trained) else None)


def finished_models(frame, key):
    """The models of one level with a finite value of `key` (diverged models have none)."""
    done = frame[~frame["diverged"].astype(bool)]
    return done[np.isfinite(pd.to_numeric(done[key], errors="coerce"))]


def answer(frame, criterion, units=None, confidence=0.95):
    """The criterion's Answer for one level. frame: one row per model (coefficient, seed,
    diverged, the criterion's key and `<key>_se`); units: {(coefficient, seed): the model's
    values per evaluation unit} for pairing over units (or None)."""
    key = criterion.key
    done = finished_models(frame, key)
    if done.empty:
        return Answer(
            criterion, None, None, _diverged(frame, set()), None, None, confidence, None, ()
        )
    indexed = done.set_index(["coefficient", "seed"])
    model = SeedModel(indexed[key], units, indexed.get(f"{key}_se"))
    values = {c: model.value(c) for c in model.coefficients}
    best = min(values, key=lambda c: values[c].value)
    t = t_quantile(0.5 + confidence / 2, model.spread.dof) if model.spread.measured else None
    points = []
    for c in model.coefficients:
        seeds = tuple(int(s) for s in sorted(done.loc[done["coefficient"] == c, "seed"]))
        difference = model.difference(c, best)
        points.append(
            Point(
                float(c),
                seeds,
                values[c].value,
                values[c].se,
                difference.value,
                difference.se,
                _verdict(c == best, difference, t),
            )
        )
    points += _diverged(frame, set(model.coefficients))
    points.sort(key=lambda p: p.coefficient)
    return Answer(
        criterion,
        float(best),
        _interval(points) if t is not None else None,
        tuple(points),
        model.spread,
        t,
        confidence,
        _edge(model.coefficients, best),
        _gaps(points),
    )


def _verdict(is_best, difference, t):
    if is_best:
        return Verdict.BEST
    if t is None:
        return Verdict.UNRESOLVED
    return Verdict.TIED if difference.value <= t * difference.se else Verdict.WORSE


def _diverged(frame, finished):
    """A point for each coefficient of which no model finished."""
    lost = sorted(set(frame["coefficient"].astype(float)) - {float(c) for c in finished})
    return [Point(c, (), None, None, None, None, Verdict.DIVERGED) for c in lost]


def _interval(points):
    """The lowest and highest coefficient not distinguishable from the best."""
    inside = [p.coefficient for p in points if p.verdict in (Verdict.BEST, Verdict.TIED)]
    return (min(inside), max(inside))


def _gaps(points):
    """Coefficients inside the interval's span that are worse than the best."""
    inside = [p.coefficient for p in points if p.verdict in (Verdict.BEST, Verdict.TIED)]
    if not inside:
        return ()
    low, high = min(inside), max(inside)
    return tuple(
        p.coefficient for p in points if low < p.coefficient < high and p.verdict is Verdict.WORSE
    )


def _edge(coefficients, best):
    if len(coefficients) > 1 and best == min(coefficients):
        return "lower"
    if len(coefficients) > 1 and best == max(coefficients):
        return "upper"
    return None
