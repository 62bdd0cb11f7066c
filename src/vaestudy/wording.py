"""The answer in words, from the records of conclusion.py: every sentence of the conclusion
is written here, and every number in it is read from a record."""

import math
import re

from vaestudy.inference import error_bars


def names(coefficients):
    """'c = 0, 0.02 and 0.1' style."""
    shown = [f"{c:g}" for c in coefficients]
    if not shown:
        return "no coefficient"
    text = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"c = {text}"


def number(c):
    """A coefficient to two significant digits: 0, 0.02, 1.6, 14, 16,000 (from 10⁴ to 10⁶
    written out), 1e+38."""
    if c == 0:
        return "0"
    if 1e4 <= abs(c) < 1e6:
        return f"{float(f'{c:.2g}'):,.0f}"
    return f"{c:.2g}"


def estimate(value, error, most_decimals, bounds=(None, None)):
    """'value ± error' with the error to two significant digits and the value to the same
    decimal place, so that no digit is printed that the error swamps: 420.8 ± 9.2,
    0.567 ± 0.046, 396 ± 57; at most most_decimals decimals (0.655 ± 0.009 at 3), unless
    the error needs more to show its first digit (0.0010 ± 0.0003 at 3, never ± 0.000). A
    number wholly below most_decimals that would need more than one more is written with a
    power of ten, (8 ± 3)e-7, which keeps its column narrow. An error that reaches past a
    bound of the number (bounds: (lower, upper), either None) stops there, written above and
    below: 10.0 +0.0/−0.8 for 10 classes of 10. The value alone, at most_decimals, where the
    error is 0 or not finite; '–' where there is no value. A value that rounds to zero is 0,
    never -0."""
    if value is None or not math.isfinite(value):
        return "–"
    if error is None or not math.isfinite(error) or error <= 0:
        return fixed(value, most_decimals)
    decimals = min(max(1 - math.floor(math.log10(error)), 0), most_decimals)
    while float(f"{error:.{decimals}f}") == 0:
        decimals += 1
    bars = error_bars(value, error, bounds)
    power = math.floor(math.log10(max(abs(value), error)))
    if decimals > most_decimals + 1 and power < -most_decimals:
        # a number below the column's decimals altogether, as a power of ten
        digits = max(power - math.floor(math.log10(error)), 0)
        scale = 10.0**power
        shown = _error_text([bar / scale for bar in bars], digits)
        return f"({fixed(value / scale, digits)} {shown})e{power}"
    return f"{fixed(value, decimals)} {_error_text(bars, decimals)}"


def _error_text(bars, decimals):
    """'± 0.8' for equal bars (below, above), '+0.0/−0.8' for bars cut at a bound (CUT)."""
    below, above = (f"{bar:.{decimals}f}" for bar in bars)
    return f"± {below}" if below == above else f"+{above}/−{below}"


# the bars of an error cut at a bound as `estimate` writes them: (above, below)
CUT = re.compile(r" \+([0-9.]+)/−([0-9.]+)")


def fixed(value, decimals):
    """A number at a fixed number of decimals, '0.000' rather than '-0.000': the sign of a
    value that rounds to zero is noise."""
    shown = f"{value:.{decimals}f}"
    return shown[1:] if shown.startswith("-") and float(shown) == 0 else shown


def span(interval):
    """'0.7–3.9', or '1' for an interval of one coefficient."""
    low, high = interval
    return number(low) if number(low) == number(high) else f"{number(low)}–{number(high)}"


def cells(criterion):
    """A criterion's (best, interval) as a table's cells: ('1.6', '0.7–3.9'), with '–' and
    'unknown' where there is none."""
    best = "–" if criterion["best"] is None else number(criterion["best"])
    return best, span(criterion["interval"]) if criterion["interval"] else "unknown"


# how a model's epochs ran, by training.graph_epoch
EPOCH_PROGRAMS = {
    False: "one XLA program",
    True: "a TensorFlow graph with oneDNN's bfloat16 kernels",
    None: "not recorded",
}

# what each verdict on a trained coefficient says, for tables and figures
VERDICTS = {
    "within": "within the margin of the best",
    "beyond": "beyond the margin",
    "unresolved": "left out: a loose bound",
    "diverged": "diverged",
    "not trained": "not trained here",
}


def headline(criterion):
    """'c ≈ 1.6 (0.7–3.9)': c* and the interval that holds the true optimum."""
    if criterion["best"] is None:
        return "no curve: fewer than three finished coefficients"
    if not criterion["interval"]:
        return f"c ≈ {number(criterion['best'])} (interval unknown: seed spread not measured)"
    return f"c ≈ {number(criterion['best'])} ({span(criterion['interval'])})"


def _spread(criterion):
    spread = criterion["seed_spread"]
    scale = " of the value" if spread.get("relative") else ""
    how = "paired over seeds" if spread["paired"] else "unpaired (too few seeded coefficients)"
    dof = f"{spread['dof']} degree{'s' if spread['dof'] != 1 else ''} of freedom"
    # two significant digits, as every spread and error: 11%, 0.65%, 4.7
    shown = f"{number(100 * spread['sd'])}%" if spread.get("relative") else number(spread["sd"])
    text = (
        f"a seed-to-seed spread of {shown}{scale} ({how}, {dof}, on {names(spread['measured_on'])}"
    )
    p = spread.get("same_everywhere_p")
    if p is not None:
        text += f"; Bartlett's test that it is the same at each of them: p = {p:.2g}"
    return text + ")"


def criterion_sentence(criterion):
    """What one criterion says: where its optimum lies, how sure, and what lies within its
    margin."""
    name = criterion["name"].capitalize()
    if criterion["best"] is None:
        return f"{name}: too few finished coefficients to fit a curve."
    text = (
        f"{name} ({criterion['measure']}), fitted as a smooth curve over log c, is lowest at "
        f"c ≈ {number(criterion['best'])}"
    )
    if not criterion["interval"]:
        return (
            text + "; with one seed per coefficient the seed-to-seed spread is not measured, so "
            "there is no interval for the optimum yet; run more seeds (contender_seeds) to decide."
        )
    text += (
        f"; the true optimum lies in c = {span(criterion['interval'])} at "
        f"{criterion['confidence']:.0%} confidence (the curve's noise includes "
        f"{_spread(criterion)} and the evaluation's own noise, paired over the same test "
        "images and draws)"
    )
    if criterion["at_zero"] > (1 - criterion["confidence"]) / 2:
        text += ", and c = 0 may be best"
    text += "."
    if criterion["within"]:
        text += (
            f" Within {criterion['margin']:g} of the best value: c = {span(criterion['within'])}."
        )
    if criterion["edge"]:
        # the curve's end, which is not the trained range's where loose bounds are left out
        end = "smallest positive" if criterion["edge"] == "lower" else "largest"
        text += f" The interval reaches the {end} c in the fit: the optimum may lie beyond."
    if criterion["unresolved"]:
        text += (
            f" Left out of the fit as a loose bound: {names(criterion['unresolved'])}"
            " (a larger iw_samples tightens it)."
        )
    return text


def budget_sentence(view, density=False):
    """The reconstruction-budget view in words (density: the level's D is a density's)."""
    if density:
        return (
            "No reconstruction-budget view: under a Gaussian decoder D is a density's -log, "
            "with no zero, so a share of it means nothing."
        )
    if view is None:
        return (
            "The reconstruction-budget view needs a finished model at c = 1, its anchor; "
            "this level has none."
        )
    share, anchor = f"{view['budget']:.0%}", f"{view['anchor_reconstruction']:.1f}"
    if view["largest"] is None:
        return (
            f"Every trained coefficient keeps the reconstruction within {share} of c = 1's "
            f"({anchor} nats): the budget does not bound c in this range."
        )
    return (
        f"With the reconstruction at most {share} worse than c = 1's ({anchor} nats), c can "
        f"grow to about {budget_range(view)}."
    )


def budget_range(view):
    """'4.6 (3.9–5.5)': the budget view's largest c and its range."""
    if view["largest"] is None:
        return "beyond the range"
    low = "?" if view["low"] is None else number(view["low"])
    high = "beyond the range" if view["high"] is None else number(view["high"])
    return f"{number(view['largest'])} ({low}–{high})"


def agreement_sentence(criteria, view):
    """Where the criteria agree, where they do not, and how the budget view relates."""
    known = [c for c in criteria if c["interval"]]
    if len(known) < 2:
        text = "The criteria cannot be compared until each has a measured interval."
    else:
        low = max(c["interval"][0] for c in known)
        high = min(c["interval"][1] for c in known)
        if low <= high:
            text = f"The criteria agree: every one's interval contains c = {span((low, high))}."
        else:
            parts = "; ".join(f"{c['name']} {headline(c)}" for c in known)
            text = f"The criteria disagree, their intervals do not overlap: {parts}."
    if view and view["largest"] is not None:
        inside = [c["name"] for c in known if c["best"] <= view["largest"]]
        outside = [c["name"] for c in known if c["best"] > view["largest"]]
        if inside:
            text += (
                f" The best c of {' and '.join(inside)} is within the {view['budget']:.0%} budget"
            )
        if outside:
            text += (
                "; that" if inside else " The best c"
            ) + f" of {' and '.join(outside)} is beyond it"
        text += "."
    return text


def mean_clause(criteria):
    """How the answer's table averages each criterion over seeds: geometrically where the
    noise model fits it as a share of its value (positive at every model), else as is."""
    shares = [c["name"] for c in criteria if c["seed_spread"]["relative"]]
    amounts = [c["name"] for c in criteria if not c["seed_spread"]["relative"]]
    if not amounts:
        return "a geometric mean, as each criterion is positive at every model"
    if not shares:
        return "an arithmetic mean, as no criterion is positive at every model"
    return (
        f"a geometric mean for {' and '.join(shares)}, positive at every model, an arithmetic "
        f"one for {' and '.join(amounts)}, which is not"
    )


def loose_sentence(coefficients):
    """Which coefficients' IW NLL may be a loose bound, why, and what the answer does."""
    return (
        f"IW NLL of {names(coefficients)}: the importance weights' effective sample size is "
        "below 1 % of K, or the bound still falls from K/2 to K by more than the error of its "
        "comparisons, so the estimate may be a loose bound; the answer leaves it out of the "
        "curve."
    )


def ceiling_sentence(coefficients):
    """Where I(x; z) is within log 2 of log N, and what that means for it."""
    return (
        f"At {names(coefficients)}, I(x; z) is within log 2 of its ceiling log N: most codes' "
        "own test image dominates q(z), so I(x; z), and KL(q(z) ‖ N(0, I)) = R − I(x; z) with "
        "it, is bounded by the number of test images there rather than measured."
    )


def sweep_sentence(sweep):
    """What a K-sweep of the IW NLL (conclusion's iw_sweeps record) says: how far the bound
    still falls from the study's K to the largest, against the criterion's seed spread, and
    what follows."""
    falls = (
        f"From K = {sweep['k']} to {sweep['largest_k']} it "
        f"{'falls' if sweep['converged'] else 'still falls'} by "
        f"{estimate(sweep['excess'], sweep['excess_se'], 3)} nats"
    )
    spread = f" ({number(sweep['seed_sd'])} nats)" if sweep["seed_sd"] else ""
    if sweep["converged"]:
        return (
            f"{falls}, less than half the seed-to-seed spread of the criterion, the noise no "
            f"pairing removes{spread}: at K = {sweep['k']} the bound has converged for the "
            "comparison."
        )
    consequence = (
        "its bound is flagged as loose, so it is left out of the fit and shown as unresolved."
        if sweep["loose"]
        else "raise iw_samples."
    )
    return (
        f"{falls}, which is not small against the criterion's seed-to-seed spread{spread}: "
        f"{consequence}"
    )


def level_summary(record):
    """The level's answer: one sentence per criterion, the budget view and the agreement."""
    parts = [criterion_sentence(c) for c in record["criteria"]]
    parts.append(budget_sentence(record["budget"], record["definition"]["density"]))
    parts.append(agreement_sentence(record["criteria"], record["budget"]))
    return " ".join(parts)


def scope(levels):
    """Where the models are trained, for the report's first sentence."""
    if len(levels) > 1:
        return (
            "at each level of the study (each dataset at each latent dimension under each "
            "loss definition)"
        )
    return f"on the dataset {levels[0].dataset}, with the {levels[0].loss} loss definition"


def both_units(criterion, definition):
    """'c ≈ 0.002 (0.0009–0.005) as you would type it (pixel_mean), c ≈ 1.6 (0.7–3.9) in
    canonical units'; the canonical headline alone where the two units are one."""
    if definition["factor"] == 1:
        return headline(criterion)
    return (
        f"{headline(criterion['typed'])} as you would type it ({definition['loss']}), "
        f"{headline(criterion)} in canonical units"
    )


def factor_text(factor):
    """A conversion factor: '× 784', '× 0.5', '× 1'."""
    return f"× {factor:g}"


def rescaled_sentence(row):
    """Whether a rescaled definition's canonical interval agrees with sum's."""
    name = f"{row['loss']}, {row['name']}"
    if row["overlap"] is None:
        return f"{name}: not compared, an interval is unknown."
    verb = "overlaps" if row["overlap"] else "does not overlap"
    verdict = (  # overlap is no proof of one optimum: a threefold move mostly overlaps
        "once converted, the two cannot be told apart"
        if row["overlap"]
        else "the definition matters beyond its scale"
    )
    return (
        f"{name}: c = {span(row['interval'])} {verb} the sum level's "
        f"{span(row['reference_interval'])} (canonical): {verdict}."
    )


def calibrated_sentence(row):
    """What a learned decoder variance implies for the weight of the KL."""
    if row["variance"] is None:
        return f"{row['level']}: no finished model at c = 1, so no learned variance to read."
    seeds = f"{row['seeds']} seed{'s' if row['seeds'] != 1 else ''}"
    text = (
        f"{row['level']}: its c = 1 models learned "
        f"σ² = {estimate(row['variance'], row['variance_se'], 6)} ({seeds}), a weight of the "
        "KL of c_eff = 2σ² = "
        f"{number(row['effective'])} ({span(row['effective_interval'])}) in the fixed-variance "
        "level's units"
    )
    if not row["reference"]:
        return text + "; no fixed-variance level to compare it with."
    parts = [
        f"{'inside' if c['inside'] else 'outside'} its interval for {c['name']} "
        f"({span(c['reference_interval'])})"
        for c in row["criteria"]
        if c["inside"] is not None
    ]
    if not parts:
        return text + f"; {row['reference']} has no measured interval."
    replaces = all(c["inside"] for c in row["criteria"] if c["inside"] is not None)
    verdict = (
        "a calibrated decoder finds a weight the sweep would choose"
        if replaces
        else "a calibrated decoder does not replace the sweep here"
    )
    return f"{text}: {'; '.join(parts)} of {row['reference']}. So {verdict}."


def published_sentence(row):
    """Where the published grid, typed under a definition, lands in canonical units."""
    typed, canonical = row["typed"], row["canonical"]
    text = (
        f"{row['loss']}: the published c = {number(typed[0])}–{number(typed[-1])}, typed under "
        f"this definition, is canonical c = {number(canonical[0])}–{number(canonical[-1])}"
    )
    parts = [
        f"{names(c['coefficients']) if c['coefficients'] else 'none'} inside the {c['name']} "
        "interval"
        for c in row["inside"]
    ]
    if row["beyond"]:
        parts.insert(
            0,
            f"{names(row['beyond'])} beyond the largest c trained here "
            f"({number(row['largest_trained'])})",
        )
    return f"{text}; of it, {'; '.join(parts)}."


# what an overlap of two levels' intervals does not show (simulation.apart_rate)
OVERLAP_CAVEAT = (
    "Overlapping intervals show no move, not one answer: simulated on known optima, the rule "
    "never reported a move that was not there but missed most small ones (docs/method.md)."
)


def across_sentence(across, levels):
    """Whether the answer moves with the problem, per criterion: only where two levels'
    intervals do not overlap."""
    if levels < 2:
        return "One level: the answer is not compared across problems."
    parts = []
    for criterion in across["criteria"]:
        name = criterion["name"].capitalize()
        if criterion["unresolved"]:
            parts.append(
                f"{name}: not compared, as {', '.join(criterion['unresolved'])} "
                "has no measured interval."
            )
        elif criterion["common"]:
            parts.append(
                f"{name}: the levels cannot be told apart; every level's interval contains "
                f"c = {span(criterion['common'])}."
            )
        else:
            pairs = "; ".join(f"{a} and {b}" for a, b in criterion["apart"])
            parts.append(
                f"{name}: the answer moves with the problem, "
                f"the intervals of {pairs} do not overlap."
            )
    return " ".join(parts)


def _placement(judged, placement):
    """How the published verdict sits in one criterion's interval."""
    name, interval, inside = placement["name"], placement["interval"], placement["inside"]
    if not interval:
        return f"{name} has no measured interval"
    where = f"the interval of {name} (c = {span(interval)})"
    if len(inside) == len(judged):
        return f"all lie inside {where}"
    if inside:
        return f"of them {names(inside)} lie inside {where}"
    return f"none lies inside {where}"


def reference_sentence(comparison):
    """A run's test losses against the published ones (reference.compare), in words."""
    reconstruction, kl = (f"{comparison.tolerance[k]:.0%}" for k in ("reconstruction", "kl"))
    if comparison.reproduces:
        verdict = (
            "This run reproduces the published test losses: every reconstruction within "
            f"{reconstruction} and every KL within {kl} (c > 0)."
        )
    else:
        verdict = (
            f"This run does not reproduce the published test losses at "
            f"{names(comparison.missed)} (tolerance: reconstruction {reconstruction}, KL {kl})."
        )
    if not comparison.judged or not comparison.placements:
        return verdict
    relation = "; ".join(_placement(comparison.judged, p) for p in comparison.placements)
    return (
        f"{verdict} The published study judged {names(comparison.judged)} best by eye; {relation}."
    )
