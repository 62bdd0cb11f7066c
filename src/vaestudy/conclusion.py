"""The study's answer as data, for results/tables/conclusion.json: per level each criterion's
answer (criteria.py) and the reconstruction-budget view (budget.py), with the numbers behind
them; across levels, whether the criteria's intervals overlap. Sentences come from
wording.py; nothing here is words but the names the criteria carry."""

import json
import math
from pathlib import Path

import numpy as np

from vaestudy import wording
from vaestudy.budget import budget_view, reconstruction_points
from vaestudy.criteria import CRITERIA, answer

BUDGETS = (0.02, 0.05, 0.1, 0.2)  # the budget view's sensitivity, with the configured one


def _number(value):
    return None if value is None or not math.isfinite(value) else float(value)


def point_record(point, configured):
    return {
        "coefficient": point.coefficient,
        "seeds": list(point.seeds),
        "refined": point.coefficient not in configured,
        "value": _number(point.value),
        "se": _number(point.se),
        "difference": _number(point.difference),
        "difference_se": _number(point.difference_se),
        "verdict": point.verdict.name.lower(),
    }


def answer_record(result, configured):
    """One criterion's answer as plain data."""
    spread = result.spread
    return {
        "criterion": result.criterion.key,
        "name": result.criterion.name,
        "measure": result.criterion.measure,
        "best": result.best,
        "interval": list(result.interval) if result.interval else None,
        "edge": result.edge,
        "gaps": list(result.gaps),
        "confidence": result.confidence,
        "t": _number(result.t),
        "seed_spread": {
            "sd": _number(spread.sd) if spread else None,
            "dof": spread.dof if spread else 0,
            "paired": spread.paired if spread else False,
            "measured_on": list(spread.measured_on) if spread else [],
        },
        "points": [point_record(p, configured) for p in result.points],
    }


def budget_record(view):
    if view is None:
        return None
    return {
        "budget": view.budget,
        "anchor": view.anchor,
        "anchor_reconstruction": view.anchor_value,
        "largest": _number(view.largest),
        "low": _number(view.low),
        "high": _number(view.high),
        "beyond": view.beyond,
    }


def level_units(units, key):
    """{(coefficient, seed): values per unit} of one quantity, for the models that have it."""
    return {model: arrays[key] for model, arrays in units.items() if key in arrays}


def _flagged(frame, column):
    rows = frame[frame[column].fillna(False).astype(bool)]
    return sorted({float(c) for c in rows["coefficient"]})


def near_ceiling(frame):
    """Coefficients whose I(x; z) is within log 2 of its ceiling log N: there most codes'
    own image dominates q(z), so I(x; z), and KL(q(z) || N(0, I)) = R - I(x; z) with it, is
    bounded by the test set's size rather than measured."""
    done = frame[~frame["diverged"].astype(bool)]
    close = done["mutual_information"] >= done["mutual_information_max"] - math.log(2)
    return sorted({float(c) for c in done.loc[close, "coefficient"]})


def sweep_record(sweep, iw_samples, iw_answer):
    """The K-sweep with a verdict: the bound has converged at the study's K when it moves
    less from K to the sweep's largest K than half the smallest paired standard error of a
    difference the IW criterion compares."""
    if not sweep:
        return None
    rows = {row["k"]: row for row in sweep["rows"]}
    at = rows.get(iw_samples)
    differences = [
        p["difference_se"]
        for p in iw_answer["points"]
        if p["difference_se"] and p["verdict"] != "best"
    ]
    smallest = min(differences) if differences else None
    converged = bool(at and smallest and at["excess_over_largest_k"] < 0.5 * smallest)
    return {
        **sweep,
        "k": iw_samples,
        "excess": at["excess_over_largest_k"] if at else None,
        "excess_se": at["excess_over_largest_k_se"] if at else None,
        "smallest_difference_se": smallest,
        "converged": converged,
    }


def level_record(frame, units, settings, level, rounds=(), sweep=None):
    """One level's answer as plain data: frame holds its models (one row each), units
    their values per evaluation unit, rounds the refinement's round records, sweep the
    IW K-sweep of one of its models."""
    configured = {float(c) for c in settings["coefficients"]}
    confidence = settings["confidence"]
    answers = [answer(frame, c, level_units(units, c.key), confidence) for c in CRITERIA]
    criteria = [answer_record(a, configured) for a in answers]
    reconstruction = level_units(units, "reconstruction")
    budgets = sorted(set(BUDGETS) | {settings["reconstruction_budget"]})
    views = [budget_record(budget_view(frame, b, reconstruction, confidence)) for b in budgets]
    iw = next(c for c in criteria if c["criterion"] == "iw_nll")
    record = {
        "dataset": level.dataset,
        "latent_dim": level.latent_dim,
        "level": level.label,
        "criteria": criteria,
        "budget": next(
            (v for v in views if v and v["budget"] == settings["reconstruction_budget"]), None
        ),
        "budgets": [v for v in views if v],
        "reconstruction": reconstruction_points(frame, reconstruction),
        "rounds": list(rounds),
        "iw_sweep": sweep_record(sweep, settings["iw_samples"], iw),
        "loose_iw": _flagged(frame, "iw_ess_low"),
        "near_ceiling": near_ceiling(frame),
        "diverged": sorted(
            {float(c) for c in frame.loc[frame["diverged"].astype(bool), "coefficient"]}
        ),
    }
    return {**record, "summary": wording.level_summary(record)}


def _overlap(a, b):
    return max(a[0], b[0]) <= min(a[1], b[1])


def across_levels(records):
    """Per criterion, each level's best and interval, the range of c common to every
    level's interval (None if some pair of intervals do not overlap) and the pairs that do
    not overlap: only those show the answer moving with the problem."""
    per_criterion = []
    for i, criterion in enumerate(CRITERIA):
        rows = [
            {
                "level": rec["level"],
                "dataset": rec["dataset"],
                "latent_dim": rec["latent_dim"],
                "best": rec["criteria"][i]["best"],
                "interval": rec["criteria"][i]["interval"],
            }
            for rec in records
        ]
        known = [r for r in rows if r["interval"]]
        apart = [
            [a["level"], b["level"]]
            for j, a in enumerate(known)
            for b in known[j + 1 :]
            if not _overlap(a["interval"], b["interval"])
        ]
        common = None
        if known and not apart:
            common = [max(r["interval"][0] for r in known), min(r["interval"][1] for r in known)]
        per_criterion.append(
            {
                "criterion": criterion.key,
                "name": criterion.name,
                "rows": rows,
                "common": common,
                "apart": apart,
                "unresolved": [r["level"] for r in rows if not r["interval"]],
            }
        )
    result = {"criteria": per_criterion}
    return {**result, "sentence": wording.across_sentence(result, len(records))}


def study_record(records):
    """What results/tables/conclusion.json holds (before its provenance)."""
    return {"levels": records, "across": across_levels(records)}


def read_units(paths):
    """{(coefficient, seed): {name: values per unit}} from evaluations' paired.npz files,
    each file beside its model's metrics.json (coefficient and seed read from there)."""
    units = {}
    for path in paths:
        path = Path(path)
        metrics = json.loads((path.parent / "metrics.json").read_text())
        with np.load(path) as saved:
            units[(float(metrics["coefficient"]), int(metrics["seed"]))] = {
                key: saved[key] for key in saved.files
            }
    return units
