"""The reconstruction-budget view: how large c may grow if the reconstruction may be at
most a given share worse than that of the standard VAE, c = ANCHOR.

Not a criterion (reconstruction only grows with c, so it has no optimum inside the range),
but the trade-off a user weighs against the criteria. The anchor is fixed, so the answer does
not depend on which other coefficients were trained. For a budget b, g(c) = D(c) -
(1 + b) · D(ANCHOR) is estimated with the additive seed model (paired over seeds and test
images), and the largest c within budget is where g crosses 0, interpolated in log c between
the trained coefficients around the crossing; its range is where g ± t · se(g) cross 0.
"""

import math
from dataclasses import dataclass

from vaestudy.criteria import finished_models
from vaestudy.inference import SeedModel, t_quantile

ANCHOR = 1.0
KEY = "reconstruction"


@dataclass(frozen=True)
class BudgetView:
    """For one budget: the anchor's reconstruction, the largest c within budget and its
    range (None where a crossing lies beyond the trained coefficients: then `beyond` says
    which end), in the trained coefficients from the anchor up."""

    budget: float
    anchor: float
    anchor_value: float
    largest: float | None
    low: float | None
    high: float | None
    beyond: str | None


def _crossing(points):
    """The c where a function given at (c, value) points, c ascending, first turns positive,
    interpolated linearly in log c; None if it never does."""
    for (c0, v0), (c1, v1) in zip(points, points[1:], strict=False):
        if v0 <= 0 < v1:
            share = -v0 / (v1 - v0)
            return math.exp(math.log(c0) + share * (math.log(c1) - math.log(c0)))
    return None


def reconstruction_points(frame, units=None):
    """Each coefficient's reconstruction (mean over seeds, see SeedModel.value) with its
    standard error: [{"coefficient", "value", "se"}]."""
    done = finished_models(frame, KEY)
    if done.empty:
        return []
    indexed = done.set_index(["coefficient", "seed"])
    model = SeedModel(indexed[KEY], units, indexed[f"{KEY}_se"])
    return [
        {"coefficient": float(c), "value": model.value(c).value, "se": model.value(c).se}
        for c in model.coefficients
    ]


def budget_view(frame, budget, units=None, confidence=0.95):
    """The BudgetView of one level's models (rows with coefficient, seed, diverged,
    reconstruction and reconstruction_se), or None where c = ANCHOR has no finished model."""
    done = finished_models(frame, KEY)
    if ANCHOR not in set(done["coefficient"]):
        return None
    indexed = done.set_index(["coefficient", "seed"])
    model = SeedModel(indexed[KEY], units, indexed[f"{KEY}_se"])
    t = t_quantile(0.5 + confidence / 2, model.spread.dof) if model.spread.measured else 0.0
    above = [c for c in model.coefficients if c >= ANCHOR]
    excess = {
        c: model.combination({c: 1.0, ANCHOR: -(1.0 + budget)}) if c != ANCHOR else None
        for c in above
    }
    anchor = model.value(ANCHOR).value
    central, early, late = [(ANCHOR, -budget * anchor)], [(ANCHOR, -budget * anchor)], []
    late.append((ANCHOR, -budget * anchor))
    for c in above[1:]:
        central.append((c, excess[c].value))
        early.append((c, excess[c].value + t * excess[c].se))
        late.append((c, excess[c].value - t * excess[c].se))
    largest, low, high = (_crossing(points) for points in (central, early, late))
    beyond = "upper" if largest is None else None
    return BudgetView(budget, ANCHOR, anchor, largest, low, high, beyond)
