"""The study's conclusion, computed from the metrics table by a rule stated in words.

RULE, applied to each coefficient's mean over seeds (diverged models left out):
1. reconstruction: its test reconstruction is within `margin` (a fraction) of the best one;
2. coverage: its coverage gap is at most `max_gap`. The gap is the total variation between
   the digit classes a classifier reads in the decoder's images of N(0, I) samples and in the
   same decoder's reconstructions of the test digits (metrics.coverage_gap): both go through
   the same blur and the same classifier, so what remains is what the decoder fails to draw
   from the prior that it draws from the encoder's codes;
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
    "one, and whose coverage gap is at most {max_gap:.2f}: the total variation between the "
    "digit classes the judge reads in the decoder's images of N(0, I) samples and in the same "
    "decoder's reconstructions of the test digits (0 = the prior's decodes show the same mix "
    "of digits as the reconstructions). Among those, recommend the ones whose encoder output "
    "is closest to N(0, I), measured by KL(q(z) || N(0, I)) of the test set's aggregate "
    "posterior q(z). A test passes when it is met within one standard error; a coefficient "
    "ties with the closest one when their difference is within one standard error of the "
    "difference. Diverged models are left out."
)
ONE_SEED = (
    "With one seed the spread over seeds is unknown: the standard errors are those of the test "
    "images and the Monte Carlo draws alone, so a difference smaller than the seed-to-seed "
    "spread can still decide the outcome. Measure it with --config 'seeds=[0,1,2]'."
)
SEVERAL_SEEDS = (
    "Standard errors are those of the mean over each coefficient's seeds ({seeds}); "
    "differences in KL(q(z) || N(0, I)) are paired by seed, as a seed's models share their "
    "initial weights."
)
AVERAGED = ("reconstruction", "kl", "prior_kl", "coverage_gap", "reconstruction_accuracy")
# the sensitivity grid: each threshold over a sensible range around its default
MARGINS = (0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.10)
MAX_GAPS = (0.1, 0.15, 0.2, 0.25, 0.3)


@dataclass
class Thresholds:
    margin: float = 0.05
    max_gap: float = 0.2

    @classmethod
    def from_settings(cls, settings):
        return cls(settings["reconstruction_margin"], settings["max_coverage_gap"])


@dataclass
class Conclusion:
    rule: str
    recommended: list
    verdicts: pd.DataFrame
    summary: str
    reasons: dict = field(default_factory=dict)
    coverage_decides: bool = True


def _checks(table, thresholds):
    """Per coefficient: does it pass the reconstruction and the coverage test?"""
    best = table["reconstruction"].min()
    limit = best * (1.0 + thresholds.margin)
    checks = pd.DataFrame(index=table.index)
    checks["reconstruction_ok"] = table["reconstruction"] - table["reconstruction_err"] <= limit
    checks["coverage_ok"] = table["coverage_gap"] - table["coverage_gap_err"] <= thresholds.max_gap
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


def _numbers(row, best_rec):
    seeds = int(row["seeds"])
    return (
        f"reconstruction {row['reconstruction']:.1f} ({row['reconstruction'] / best_rec - 1:+.1%} "
        f"vs best), coverage gap {row['coverage_gap']:.3f} ± {row['coverage_gap_err']:.3f}, "
        f"KL(q(z) ‖ N(0, I)) {row['prior_kl']:.3f} ± {row['prior_kl_err']:.3f}; "
        f"{seeds} seed{'s' if seeds > 1 else ''}"
    )


def _reason(row, check, best_rec, chosen, best_prior, thresholds, coverage_decides):
    """Why one coefficient is in or out, with its numbers. Without any covering coefficient
    (coverage_decides False) the prior match decides among all that reconstruct well."""
    numbers = _numbers(row, best_rec)
    if not check["reconstruction_ok"]:
        return f"out: reconstruction beyond the {thresholds.margin:.0%} margin; {numbers}"
    if chosen:
        return f"in: {numbers}"
    if coverage_decides and not check["coverage_ok"]:
        return f"out: coverage gap above {thresholds.max_gap:.2f}; {numbers}"
    return f"out: prior mismatch above the best candidate's {best_prior:.3f}; {numbers}"


def conclude(metrics, thresholds=None):
    """Apply RULE to a metrics table (one row per model); returns the recommendation and a
    reason per coefficient."""
    thresholds = thresholds or Thresholds()
    table = over_seeds(metrics, AVERAGED)
    seeds = sorted({int(n) for n in table["seeds"]}) if not table.empty else [0]
    errors = (
        SEVERAL_SEEDS.format(seeds=", ".join(str(n) for n in seeds)) if seeds[-1] > 1 else ONE_SEED
    )
    rule = RULE.format(**vars(thresholds)) + " " + errors
    diverged = sorted(set(metrics.loc[metrics["diverged"].astype(bool), "coefficient"]))
    reasons = {
        c: "out: diverged (loss became NaN or infinite)" for c in diverged if c not in table.index
    }
    if table.empty:
        return Conclusion(rule, [], table, "Every model diverged.", reasons)
    checks, best_rec, limit = _checks(table, thresholds)
    close = list(table.index[checks["reconstruction_ok"]])
    covering = [c for c in close if checks.loc[c, "coverage_ok"]]
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
    verdicts["limit"] = limit
    reasons.update(verdicts["reason"].to_dict())
    recommended = [float(c) for c in recommended]
    summary = _summary(table, recommended, close, covering, best_rec, limit, thresholds)
    return Conclusion(rule, recommended, verdicts, summary, reasons, bool(covering))


def _summary(table, recommended, close, covering, best_rec, limit, thresholds):
    names = ", ".join(f"c = {c:g}" for c in recommended)
    best_c = table["reconstruction"].idxmin()
    failing = [c for c in close if c not in covering]
    coverage = (
        f"{len(covering)} of those decode N(0, I) into the same mix of digits as their "
        f"reconstructions (coverage gap at most {thresholds.max_gap:.2f})"
        + (f", and {_names(failing)} do not" if failing else "")
        if covering
        else f"none of those has a coverage gap of at most {thresholds.max_gap:.2f}, so the "
        "choice rests on reconstruction and prior match alone"
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


def _names(coefficients):
    """'c = 0, 0.02 and 0.1' style."""
    shown = [f"{c:g}" for c in coefficients]
    text = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"c = {text}"


def contenders(metrics, thresholds):
    """The coefficients worth more seeds: those the conclusion recommends (with its ties)
    and the closest runner-up, i.e. what the rule recommends once those are left out."""
    named = conclude(metrics, thresholds).recommended
    rest = metrics[~metrics["coefficient"].isin(named)]
    runner_up = conclude(rest, thresholds).recommended if not rest.empty else []
    return sorted(set(named) | set(runner_up))


def contender_round(metrics, thresholds, extra_seeds):
    """One round of the contenders checkpoint: the contenders of the models so far, those of
    them that already have the extra seeds, and the new ones that still need them. A round
    with no new contender ends the rounds: every coefficient the rule names has its seeds."""
    named = contenders(metrics, thresholds)
    extra = metrics[metrics["seed"].isin(extra_seeds)]
    seeded = sorted(float(c) for c in set(extra["coefficient"]))
    return {
        "contenders": named,
        "seeded": seeded,
        "new": [c for c in named if c not in seeded] if extra_seeds else [],
        "extra_seeds": list(extra_seeds),
    }


def sensitivity(metrics, thresholds, margins=MARGINS, max_gaps=MAX_GAPS):
    """The recommendation at every point of a grid of the two thresholds (the configured
    values included): a list of {"margin", "max_gap", "recommended", "coverage_met"}, where
    coverage_met is False when no coefficient inside the margin passes the coverage test, so
    that the prior match alone decided there."""
    margins = sorted(set(margins) | {thresholds.margin})
    max_gaps = sorted(set(max_gaps) | {thresholds.max_gap})
    points = []
    for m in margins:
        for g in max_gaps:
            result = conclude(metrics, Thresholds(m, g))
            points.append(
                {
                    "margin": m,
                    "max_gap": g,
                    "recommended": result.recommended,
                    "coverage_met": result.coverage_decides,
                }
            )
    return points


def _runs(points, key, unit):
    """'c = 1 for 2–4 %, c = 2 for 5–10 %' along one axis of the grid."""
    groups = []
    for point in points:
        answer = tuple(point["recommended"])
        if groups and groups[-1][0] == answer:
            groups[-1][2] = point[key]
        else:
            groups.append([answer, point[key], point[key]])
    parts = []
    for answer, low, high in groups:
        name = _names(answer) if answer else "nothing"
        span = unit(low) if low == high else f"{unit(low)}–{unit(high)}"
        parts.append(f"{name} for {span}")
    return ", ".join(parts)


def sensitivity_sentence(grid, thresholds):
    """Which part of the answer holds over the grid, in words computed from it."""
    along_margin = [p for p in grid if p["max_gap"] == thresholds.max_gap]
    along_gap = [p for p in grid if p["margin"] == thresholds.margin]
    counts = {}
    for point in grid:
        for c in point["recommended"]:
            counts[c] = counts.get(c, 0) + 1
    always = sorted(c for c, n in counts.items() if n == len(grid))
    tally = "; ".join(
        f"{_names([c])} at {n} of {len(grid)}"
        for c, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    )
    robust = (
        f"{_names(always)} is recommended at every point of the grid."
        if always
        else f"No coefficient is recommended at every point of the grid ({tally})."
    )
    waived = sum(not point.get("coverage_met", True) for point in grid)
    if waived:
        robust += (
            f" At {waived} of {len(grid)} points no coefficient inside the margin passes the "
            "coverage test, so the prior match alone decides there (marked †)."
        )
    return (
        f"With the coverage gap at most {thresholds.max_gap:.2f}, the recommendation is "
        f"{_runs(along_margin, 'margin', lambda m: f'{m:.0%}')} of reconstruction margin. "
        f"With the {thresholds.margin:.0%} margin, it is "
        f"{_runs(along_gap, 'max_gap', lambda g: f'{g:.3g}')} of coverage threshold. " + robust
    )


def _number(value):
    return None if pd.isna(value) else float(value)


def record(conclusion, grid, thresholds):
    """The conclusion as plain data for results/tables/conclusion.json."""
    coefficients = []
    for c, reason in sorted(conclusion.reasons.items()):
        entry = {"coefficient": float(c), "reason": reason}
        if c in conclusion.verdicts.index:
            row = conclusion.verdicts.loc[c]
            numbers = {
                key: _number(row[key]) for column in AVERAGED for key in (column, f"{column}_err")
            }
            numbers["reconstruction_limit"] = _number(row["limit"])
            entry.update(
                seeds=int(row["seeds"]),
                tests={
                    "reconstruction": bool(row["reconstruction_ok"]),
                    "coverage": bool(row["coverage_ok"]),
                    "closest_to_prior": bool(row["recommended"]),
                },
                verdict="in" if row["recommended"] else "out",
                numbers=numbers,
            )
        else:
            entry.update(seeds=0, tests={}, verdict="out", numbers={})
        coefficients.append(entry)
    return {
        "recommended": conclusion.recommended,
        "summary": conclusion.summary,
        "rule": conclusion.rule,
        "thresholds": {
            "reconstruction_margin": thresholds.margin,
            "max_coverage_gap": thresholds.max_gap,
        },
        "coefficients": coefficients,
        "sensitivity": {
            "margins": sorted({p["margin"] for p in grid}),
            "max_coverage_gaps": sorted({p["max_gap"] for p in grid}),
            "grid": grid,
            "sentence": sensitivity_sentence(grid, thresholds),
        },
    }


def level_record(metrics, thresholds, level):
    """One level's conclusion as plain data (see record), with the level it is of."""
    conclusion = conclude(metrics, thresholds)
    grid = sensitivity(metrics, thresholds)
    return {
        "dataset": level.dataset,
        "latent_dim": level.latent_dim,
        "level": level.label,
        **record(conclusion, grid, thresholds),
    }


def status(entry):
    """What the rule made of one coefficient at one level, in a word or two."""
    if not entry["tests"]:
        return "diverged"
    if entry["verdict"] == "in":
        return "recommended"
    if not entry["tests"]["reconstruction"]:
        return "reconstruction beyond the margin"
    if not entry["tests"]["coverage"]:
        return "coverage gap too large"
    return "further from N(0, I)"


def across_levels(records):
    """Per level its recommended coefficients and the seeds behind them, and a sentence
    computed from them on whether the answer moves with the problem."""
    rows = []
    for rec in records:
        seeds = {e["coefficient"]: e["seeds"] for e in rec["coefficients"]}
        rows.append(
            {
                "dataset": rec["dataset"],
                "latent_dim": rec["latent_dim"],
                "level": rec["level"],
                "recommended": rec["recommended"],
                "seeds": [seeds[c] for c in rec["recommended"]],
                "statuses": {e["coefficient"]: status(e) for e in rec["coefficients"]},
            }
        )
    return {"rows": rows, "sentence": across_sentence(rows)}


def _moves_along(rows, held, varied):
    """How many groups of rows sharing `held` have more than one answer as `varied` changes,
    out of the groups with more than one level."""
    groups = {}
    for row in rows:
        groups.setdefault(row[held], set()).add(tuple(row["recommended"]))
    several = [key for key in groups if sum(r[held] == key for r in rows) > 1]
    return sum(len(groups[key]) > 1 for key in several), len(several)


def across_sentence(rows):
    """Whether the recommendation is the same at every level, and if not, along which axis it
    moves and which coefficient is recommended most often."""
    if len(rows) < 2:
        return "One level: the answer is not compared across problems."
    answers = [tuple(row["recommended"]) for row in rows]
    if len(set(answers)) == 1:
        name = _names(answers[0]) if answers[0] else "nothing"
        return f"Every level recommends {name}: the answer does not move with the problem."
    each = "; ".join(
        f"{_names(row['recommended']) if row['recommended'] else 'nothing'} for {row['level']}"
        for row in rows
    )
    moves = []
    for held, varied, word in (
        ("dataset", "latent_dim", "the latent dimension"),
        ("latent_dim", "dataset", "the dataset"),
    ):
        changed, groups = _moves_along(rows, held, varied)
        if groups:
            held_word = "dataset" if held == "dataset" else "latent dimension"
            moves.append(
                f"with the {held_word} held, {word} changes it for {changed} of {groups} "
                f"{held_word}{'s' if groups > 1 else ''}"
            )
    counts = {}
    for answer in answers:
        for c in answer:
            counts[c] = counts.get(c, 0) + 1
    common = sorted(c for c, n in counts.items() if n == len(rows))
    if common:
        shared = f"{_names(common)} is recommended at every level."
    elif counts:
        best = max(counts.values())
        top = sorted(c for c, n in counts.items() if n == best)
        shared = (
            f"No coefficient is recommended at every level; {_names(top)} at {best} of {len(rows)}."
        )
    else:
        shared = "No level recommends any coefficient."
    joined = "; ".join(moves)
    moves_text = f" {joined[0].upper()}{joined[1:]}." if moves else ""
    return f"The answer moves with the problem: {each}.{moves_text} {shared}"
