"""The study's conclusion, computed from the metrics table by a rule stated in words.

RULE, applied to each coefficient's mean over seeds (diverged models left out):
1. reconstruction: its test reconstruction is within `margin` (a fraction) of the best one;
2. coverage: its decodes of N(0, I) samples show at least `min_classes` digit classes, with a
   mean (calibrated) classifier confidence of at least `min_confidence`;
3. prior match: among those passing 1 and 2, recommend the smallest KL(q(z) || N(0, I)).
A test passes when it is met within one standard error of the mean; a coefficient ties with
the closest one when their difference in KL(q(z) || N(0, I)) is within one standard error of
that difference (paired by seed, as a seed's models share their initial weights). With
several seeds the errors are those over seeds; with one seed the spread over seeds is
unknown and the errors are the test-image and Monte Carlo ones alone (see over_seeds). If no
coefficient passes 2, step 3 is applied to those passing 1, and the conclusion says so.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vaestudy.tables import over_seeds

RULE = (
    "Keep the coefficients whose mean test reconstruction is within {margin:.0%} of the best "
    "one, and whose decodes of N(0, I) samples show at least {min_classes} digit classes with "
    "a mean calibrated classifier confidence of at least {min_confidence:.2f}; among those, "
    "recommend the ones whose encoder output is closest to N(0, I), measured by "
    "KL(q(z) || N(0, I)) of the test set's aggregate posterior q(z). A test passes when it is "
    "met within one standard error; a coefficient ties with the closest one when their "
    "difference is within one standard error of the difference. Diverged models are left out."
)
ONE_SEED = (
    "With one seed the spread over seeds is unknown: the standard errors are those of the test "
    "images and the Monte Carlo draws alone, so a difference smaller than the seed-to-seed "
    "spread can still decide the outcome (class counts near the threshold do move from seed to "
    "seed). Measure it with --config 'seeds=[0,1,2]'."
)
SEVERAL_SEEDS = (
    "Standard errors are those of the mean over {seeds} seeds; differences in "
    "KL(q(z) || N(0, I)) are paired by seed, as a seed's models share their initial weights."
)
AVERAGED = ("reconstruction", "kl", "prior_kl", "prior_classes", "prior_confidence")


@dataclass
class Thresholds:
    margin: float = 0.05
    min_classes: int = 10
    min_confidence: float = 0.8

    @classmethod
    def from_config(cls, config):
        return cls(config["reconstruction_margin"], config["min_classes"], config["min_confidence"])


@dataclass
class Conclusion:
    rule: str
    recommended: list
    verdicts: pd.DataFrame
    summary: str
    reasons: dict = field(default_factory=dict)


def _checks(table, thresholds):
    """Per coefficient: does it pass the reconstruction and the coverage test?"""
    best = table["reconstruction"].min()
    limit = best * (1.0 + thresholds.margin)
    checks = pd.DataFrame(index=table.index)
    checks["reconstruction_ok"] = table["reconstruction"] - table["reconstruction_err"] <= limit
    checks["classes_ok"] = (
        table["prior_classes"] + table["prior_classes_err"] >= thresholds.min_classes
    )
    checks["confidence_ok"] = (
        table["prior_confidence"] + table["prior_confidence_err"] >= thresholds.min_confidence
    )
    return checks, best, limit


def _difference_error(metrics, table, c, best):
    """Standard error of prior_kl(c) - prior_kl(best): paired over the seeds both have when
    there are two or more, otherwise from the two errors as independent."""
    finished = metrics[~metrics["diverged"].astype(bool)]
    per_seed = finished.pivot_table(index="seed", columns="coefficient", values="prior_kl")
    paired = per_seed[[c, best]].dropna() if c != best else per_seed[[c]].dropna()
    if c != best and len(paired) > 1:
        differences = paired[c] - paired[best]
        return float(differences.std(ddof=1) / np.sqrt(len(differences)))
    return float(np.hypot(table.loc[c, "prior_kl_err"], table.loc[best, "prior_kl_err"]))


def _closest_to_prior(metrics, table, pool):
    """The coefficients of pool whose prior mismatch ties the smallest within its error."""
    best = table.loc[pool, "prior_kl"].idxmin()
    return [
        c
        for c in pool
        if table.loc[c, "prior_kl"] - table.loc[best, "prior_kl"]
        <= _difference_error(metrics, table, c, best) + 1e-12
    ]


def _reason(row, check, best_rec, chosen, best_prior, thresholds, coverage_decides):
    """Why one coefficient is in or out, with its numbers. Without any covering coefficient
    (coverage_decides False) the prior match decides among all that reconstruct well."""
    numbers = (
        f"reconstruction {row['reconstruction']:.1f} ({row['reconstruction'] / best_rec - 1:+.1%} "
        f"vs best), {row['prior_classes']:.0f} digit classes at confidence "
        f"{row['prior_confidence']:.2f}, KL(q(z) ‖ N(0, I)) {row['prior_kl']:.3f}"
    )
    if not check["reconstruction_ok"]:
        return f"out: reconstruction beyond the {thresholds.margin:.0%} margin; {numbers}"
    if chosen:
        return f"in: {numbers}"
    if not coverage_decides:
        return f"out: prior mismatch above the best candidate's {best_prior:.3f}; {numbers}"
    if not check["classes_ok"]:
        return f"out: fewer than {thresholds.min_classes} digit classes; {numbers}"
    if not check["confidence_ok"]:
        return f"out: confidence below {thresholds.min_confidence:.2f}; {numbers}"
    return f"out: prior mismatch above the best candidate's {best_prior:.3f}; {numbers}"


def conclude(metrics, thresholds=None):
    """Apply RULE to a metrics table (one row per model); returns the recommendation and a
    reason per coefficient."""
    thresholds = thresholds or Thresholds()
    table = over_seeds(metrics, AVERAGED)
    seeds = int(table["seeds"].max()) if not table.empty else 0
    errors = SEVERAL_SEEDS.format(seeds=seeds) if seeds > 1 else ONE_SEED
    rule = RULE.format(**vars(thresholds)) + " " + errors
    diverged = sorted(set(metrics.loc[metrics["diverged"].astype(bool), "coefficient"]))
    reasons = {
        c: "out: diverged (loss became NaN or infinite)" for c in diverged if c not in table.index
    }
    if table.empty:
        return Conclusion(rule, [], table, "Every model diverged.", reasons)
    checks, best_rec, limit = _checks(table, thresholds)
    close = list(table.index[checks["reconstruction_ok"]])
    covering = [c for c in close if checks.loc[c, "classes_ok"] and checks.loc[c, "confidence_ok"]]
    recommended = _closest_to_prior(metrics, table, covering or close)
    best_prior = table.loc[recommended, "prior_kl"].min()
    verdicts = table.join(checks)
    verdicts["recommended"] = verdicts.index.isin(recommended)
    verdicts["reason"] = [
        _reason(
            row, checks.loc[c], best_rec, c in recommended, best_prior, thresholds, bool(covering)
        )
        for c, row in table.iterrows()
    ]
    reasons.update(verdicts["reason"].to_dict())
    recommended = [float(c) for c in recommended]
    summary = _summary(table, recommended, close, covering, best_rec, limit, thresholds)
    return Conclusion(rule, recommended, verdicts, summary, reasons)


def _summary(table, recommended, close, covering, best_rec, limit, thresholds):
    names = ", ".join(f"c = {c:g}" for c in recommended)
    best_c = table["reconstruction"].idxmin()
    coverage = (
        f"{len(covering)} of those decode N(0, I) into at least {thresholds.min_classes} digit "
        f"classes with confidence >= {thresholds.min_confidence:.2f}"
        if covering
        else f"none of those decodes N(0, I) into {thresholds.min_classes} confident digit "
        "classes, so the choice rests on reconstruction and prior match alone"
    )
    chosen = table.loc[recommended[0]]
    return (
        f"Recommended: {names}. The best test reconstruction is {best_rec:.1f} "
        f"(c = {best_c:g}); {len(close)} of {len(table)} coefficients stay within "
        f"{thresholds.margin:.0%} of it (reconstruction <= {limit:.1f}); {coverage}. "
        f"Among them, {names} {'has' if len(recommended) == 1 else 'have'} the encoder output "
        f"closest to N(0, I): KL(q(z) ‖ N(0, I)) = {chosen['prior_kl']:.3f} nats, against "
        f"{table['prior_kl'].max():.3f} for the worst coefficient "
        f"(c = {table['prior_kl'].idxmax():g})."
    )
