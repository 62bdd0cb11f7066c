"""The study's conclusion, computed from the loss table by a rule stated in words.

RULE: among the coefficients whose mean test reconstruction is within `margin` (a fraction)
of the best coefficient's, recommend the one(s) whose encoder output is closest to N(0, I),
measured by KL(q(z) || N(0, I)) of the test set's aggregate posterior q(z). Coefficients
whose prior mismatch is within one standard deviation over seeds of the smallest (or equal,
with one seed) are recommended together. Models that diverged are left out.
"""

from dataclasses import dataclass, field

import pandas as pd

RULE = (
    "Among the coefficients whose mean test reconstruction is within {margin:.0%} of the best "
    "one, recommend those whose encoder output is closest to N(0, I), measured by "
    "KL(q(z) || N(0, I)) of the test set's aggregate posterior q(z); differences smaller than "
    "the spread over seeds count as ties. Diverged models are left out."
)


@dataclass
class Conclusion:
    rule: str
    recommended: list
    verdicts: pd.DataFrame
    summary: str
    reasons: dict = field(default_factory=dict)


def per_coefficient(losses):
    """Mean and standard deviation over seeds of each coefficient's finished models."""
    finished = losses[~losses["diverged"].astype(bool)]
    grouped = finished.groupby("coefficient")[["reconstruction", "kl", "prior_kl"]]
    table = grouped.mean().join(grouped.std(ddof=1).fillna(0.0).add_suffix("_std"))
    table["seeds"] = finished.groupby("coefficient").size()
    return table.sort_index()


def _reason(c, row, best_rec, limit, best_prior, tie_limit):
    excess = row["reconstruction"] / best_rec - 1.0
    if row["reconstruction"] > limit:
        return False, (
            f"out: reconstruction {row['reconstruction']:.1f} is {excess:.1%} above the best "
            f"({best_rec:.1f}), beyond the margin"
        )
    if row["prior_kl"] > tie_limit:
        return False, (
            f"out: reconstruction {row['reconstruction']:.1f} is within the margin, but its "
            f"prior mismatch {row['prior_kl']:.3f} nats exceeds the best candidate's "
            f"{best_prior:.3f}"
        )
    return True, (
        f"in: reconstruction {row['reconstruction']:.1f} ({excess:+.1%} vs best) and the "
        f"smallest prior mismatch among candidates, {row['prior_kl']:.3f} nats"
    )


def conclude(losses, margin):
    """Apply RULE to a loss table with columns coefficient, seed, reconstruction, kl,
    prior_kl and diverged; returns the recommendation and a reason per coefficient."""
    table = per_coefficient(losses)
    diverged = sorted(set(losses.loc[losses["diverged"].astype(bool), "coefficient"]))
    reasons = {
        c: "out: diverged (loss became NaN or infinite)" for c in diverged if c not in table.index
    }
    if table.empty:
        return Conclusion(RULE.format(margin=margin), [], table, "Every model diverged.", reasons)
    best_rec = table["reconstruction"].min()
    limit = best_rec * (1.0 + margin)
    candidates = table[table["reconstruction"] <= limit]
    best = candidates["prior_kl"].idxmin()
    best_prior = candidates.loc[best, "prior_kl"]
    tie_limit = best_prior + candidates.loc[best, "prior_kl_std"] + 1e-12
    verdicts = table.copy()
    verdicts["recommended"] = False
    verdicts["reason"] = ""
    for c, row in table.iterrows():
        verdicts.loc[c, "recommended"], verdicts.loc[c, "reason"] = _reason(
            c, row, best_rec, limit, best_prior, tie_limit
        )
        reasons[c] = verdicts.loc[c, "reason"]
    recommended = [float(c) for c in verdicts.index[verdicts["recommended"]]]
    names = ", ".join(f"c = {c:g}" for c in recommended)
    best_c = table["reconstruction"].idxmin()
    summary = (
        f"Recommended: {names}. The best test reconstruction is {best_rec:.1f} (c = {best_c:g}); "
        f"{len(candidates)} of {len(table)} coefficients stay within {margin:.0%} of it "
        f"(reconstruction <= {limit:.1f}). Among those, "
        f"{names} {'has' if len(recommended) == 1 else 'have'} the encoder output closest to "
        f"N(0, I): KL(q(z) || N(0, I)) = {best_prior:.3f} nats, against "
        f"{table['prior_kl'].max():.3f} for the worst coefficient "
        f"(c = {table['prior_kl'].idxmax():g})."
    )
    return Conclusion(RULE.format(margin=margin), recommended, verdicts, summary, reasons)
