"""The answer in words, from the records of conclusion.py: every sentence of the conclusion
is written here, and every number in it is read from a record."""


def names(coefficients):
    """'c = 0, 0.02 and 0.1' style."""
    shown = [f"{c:g}" for c in coefficients]
    if not shown:
        return "no coefficient"
    text = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"c = {text}"


def span(interval):
    """'1–2', or '1' for an interval of one coefficient."""
    low, high = interval
    return f"{low:g}" if low == high else f"{low:g}–{high:g}"


def headline(criterion):
    """'c ≈ 1.4 (1–2)': the best coefficient and the interval of those tied with it."""
    if criterion["best"] is None:
        return "no finished model"
    if not criterion["interval"]:
        return f"c ≈ {criterion['best']:g} (interval unknown: seed spread not measured)"
    return f"c ≈ {criterion['best']:g} ({span(criterion['interval'])})"


def _spread(criterion):
    spread = criterion["seed_spread"]
    how = "paired over seeds" if spread["paired"] else "unpaired (too few seeded coefficients)"
    dof = f"{spread['dof']} degree{'s' if spread['dof'] != 1 else ''} of freedom"
    return (
        f"the seed-to-seed spread {spread['sd']:.3g} ({how}, {dof}, "
        f"measured on {names(spread['measured_on'])})"
    )


def criterion_sentence(criterion):
    """What one criterion says: its best coefficient, those not distinguishable from it and
    how that was decided."""
    if criterion["best"] is None:
        return f"{criterion['name'].capitalize()}: every model diverged."
    best = next(p for p in criterion["points"] if p["coefficient"] == criterion["best"])
    text = (
        f"{criterion['name'].capitalize()} ({criterion['measure']}) is best at "
        f"c = {criterion['best']:g} ({best['value']:.4g} ± {best['se']:.2g}, "
        f"{len(best['seeds'])} seed{'s' if len(best['seeds']) != 1 else ''})"
    )
    if not criterion["interval"]:
        return (
            text + ", but with one seed per coefficient the seed-to-seed spread is not "
            "measured, so no other coefficient can be told apart from it; run more seeds "
            "(contender_seeds) to decide."
        )
    tied = [p["coefficient"] for p in criterion["points"] if p["verdict"] == "tied"]
    others = (
        f"{names(tied)} cannot be told apart from it"
        if tied
        else "every other coefficient is worse"
    )
    text += (
        f"; {others} at {criterion['confidence']:.0%} confidence (paired difference within "
        f"t = {criterion['t']:.2f} standard errors, which include {_spread(criterion)} and "
        f"the evaluation's own noise). The answer: {headline(criterion)}."
    )
    if criterion["edge"]:
        end = "smallest" if criterion["edge"] == "lower" else "largest"
        text += f" The best is the {end} coefficient trained, so the optimum may lie beyond it."
    if criterion["gaps"]:
        verb = "is" if len(criterion["gaps"]) == 1 else "are"
        text += f" Inside that range, {names(criterion['gaps'])} {verb} worse."
    return text


def budget_sentence(view):
    """The reconstruction-budget view in words."""
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
    low = "?" if view["low"] is None else f"{view['low']:.2g}"
    high = "beyond the largest c trained" if view["high"] is None else f"{view['high']:.2g}"
    return (
        f"With the reconstruction at most {share} worse than c = 1's ({anchor} nats), c can "
        f"grow to about {view['largest']:.2g} ({low}–{high})."
    )


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


def level_summary(record):
    """The level's answer: one sentence per criterion, the budget view and the agreement."""
    parts = [criterion_sentence(c) for c in record["criteria"]]
    parts.append(budget_sentence(record["budget"]))
    parts.append(agreement_sentence(record["criteria"], record["budget"]))
    return " ".join(parts)


def scope(levels):
    """Where the models are trained, for the report's first sentence."""
    if len(levels) > 1:
        return "at each level of the study (each dataset at each latent dimension)"
    return f"on the dataset {levels[0].dataset}"


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
