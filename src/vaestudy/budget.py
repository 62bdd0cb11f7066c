"""The reconstruction-budget view: how large c may grow if the reconstruction may be at
most a given share worse than that of the standard VAE, c = ANCHOR.

Not a criterion (reconstruction only grows with c, so it has no optimum inside the range),
but the trade-off a user weighs against the criteria. The anchor is fixed, so the answer does
not depend on which other coefficients were trained. The reconstruction D is fitted as a
smooth function of log c by the same machinery as the criteria (curve.py, on the noise model
of inference.py, on the log scale), and for a budget b the largest c within budget is where
the fitted D first exceeds (1 + b) · D(ANCHOR); its range comes from the same crossing in
the posterior's draws, each against its own D(ANCHOR), so that no end of it contradicts the
curve.
"""

from dataclasses import dataclass

from vaestudy import curve
from vaestudy.inference import finished_models, seed_model

ANCHOR = 1.0
KEY = "reconstruction"


@dataclass(frozen=True)
class BudgetView:
    """For one budget: the anchor's reconstruction, the largest c within budget and its
    range (None where a crossing lies beyond the trained coefficients: then `beyond` says
    which end)."""

    budget: float
    anchor: float
    anchor_value: float
    largest: float | None
    low: float | None
    high: float | None
    beyond: str | None


def reconstruction_model(frame, units=None):
    """The noise model of one level's reconstruction (frame: rows with coefficient, seed,
    diverged, reconstruction and reconstruction_se), None without a finished model."""
    done = finished_models(frame, KEY)
    return seed_model(done, KEY, units) if not done.empty else None


def budget_views(model, budgets, confidence=0.95):
    """(the BudgetView of each budget, the reconstruction's fitted curve.Curve) from its
    noise model (reconstruction_model); no views where c = ANCHOR has no finished model."""
    if model is None or ANCHOR not in model.coefficients:
        return [], None
    fitted = curve.fit(model)
    if fitted is None:
        return [], None
    anchor = model.value(ANCHOR).value
    views = []
    for budget in budgets:
        largest, low, high = curve.first_crossing(fitted, ANCHOR, budget, confidence)
        beyond = "upper" if largest is None else None
        views.append(BudgetView(budget, ANCHOR, anchor, largest, low, high, beyond))
    return views, fitted
