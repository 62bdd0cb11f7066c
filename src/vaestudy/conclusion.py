"""The study's answer as data, for results/tables/conclusion.json: per level each criterion's
answer (criteria.py) and the reconstruction-budget view (budget.py), with the numbers behind
them; across levels, whether the criteria's intervals overlap. Sentences come from
wording.py; nothing here is words but the names the criteria carry."""

import json
import math
from dataclasses import asdict
from pathlib import Path

import numpy as np

from vaestudy import wording
from vaestudy.budget import budget_views, reconstruction_model
from vaestudy.carryover import carryover, definition_record, typed_answer
from vaestudy.criteria import CRITERIA, answer, overlap
from vaestudy.inference import finished_models, seed_model
from vaestudy.levels import Level

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
        "fitted": _number(point.fitted),
        "verdict": point.verdict,
    }


def estimate_points(model):
    """Each coefficient's value and standard error under a noise model (None: none)."""
    if model is None:
        return []
    values = {c: model.value(c) for c in model.coefficients}
    return [{"coefficient": float(c), "value": v.value, "se": v.se} for c, v in values.items()]


def variance_points(frame, level):
    """A learned decoder variance per coefficient under the noise model, with its count of
    seeds; [] where the level's decoder does not learn its variance."""
    key = "decoder_variance"
    if (
        not level.definition.likelihood.learned
        or key not in frame
        or finished_models(frame, key).empty
    ):
        return []
    seeds = finished_models(frame, key).groupby("coefficient").size()
    return [
        {**point, "seeds": int(seeds[point["coefficient"]])}
        for point in estimate_points(seed_model(frame, key))
    ]


def spread_record(spread):
    """The seed-to-seed spread of a noise model as plain data."""
    if spread is None:
        return {"sd": None, "dof": 0, "paired": False, "relative": False, "measured_on": []}
    return {
        "sd": _number(spread.sd),
        "dof": spread.dof,
        "paired": spread.paired,
        "relative": spread.relative,
        "measured_on": list(spread.measured_on),
        "same_everywhere_p": spread.same_everywhere_p,
    }


def answer_record(result, configured):
    """One criterion's answer as plain data."""
    fitted = result.curve
    return {
        "criterion": result.criterion.key,
        "name": result.criterion.name,
        "measure": result.criterion.measure,
        "best": result.best,
        "interval": list(result.interval) if result.interval else None,
        "within": list(result.within) if result.within else None,
        "margin": result.margin,
        "at_zero": result.at_zero,
        "edge": result.edge,
        "confidence": result.confidence,
        "seed_spread": spread_record(result.spread),
        "curve": fitted.band(result.confidence) if fitted else None,
        "length_scale": fitted.length_scale if fitted else None,
        "unresolved": [p.coefficient for p in result.points if p.verdict == "unresolved"],
        "points": [point_record(p, configured) for p in result.points],
    }


def budget_record(view):
    return {
        "budget": view.budget,
        "anchor": view.anchor,
        "anchor_reconstruction": view.anchor_value,
        "largest": _number(view.largest),
        "low": _number(view.low),
        "high": _number(view.high),
        "beyond": view.beyond,
    }


def level_answers(frame, units, settings):
    """The Answer of every criterion at one level (criteria.CRITERIA, in order)."""
    margins, per_metric = settings.get("margins", {}), by_metric(units)
    return [
        answer(frame, c, per_metric.get(c.key), settings["confidence"], margins.get(c.key, 0.0))
        for c in CRITERIA
    ]


def near_ceiling(frame):
    """Coefficients whose I(x; z) is within log 2 of its ceiling log N: there most codes'
    own image dominates q(z), so I(x; z), and KL(q(z) || N(0, I)) = R - I(x; z) with it, is
    bounded by the test set's size rather than measured."""
    done = frame[~frame["diverged"].astype(bool)]
    close = done["mutual_information"] >= done["mutual_information_max"] - math.log(2)
    return sorted({float(c) for c in done.loc[close, "coefficient"]})


def sweep_record(sweep, iw_samples, iw_answer):
    """The K-sweep with a verdict: the bound has converged at the study's K when it moves
    less from K to the sweep's largest K than half the IW criterion's seed-to-seed spread in
    nats, the noise that no pairing removes from a comparison. A sweep of a model that did
    not finish has no rows and has not converged."""
    rows = {row["k"]: row for row in sweep.get("rows", [])}
    at = rows.get(iw_samples)
    spread, seed_sd = iw_answer["seed_spread"], iw_answer["seed_spread"]["sd"]
    if seed_sd is not None and spread["relative"]:  # a share of the value: in nats at the best
        fitted = [p["fitted"] for p in iw_answer["points"] if p["fitted"] is not None]
        values = [p["value"] for p in iw_answer["points"] if p["value"] is not None]
        seed_sd *= min(fitted or values)
    converged = bool(at and seed_sd and at["excess_over_largest_k"] < 0.5 * seed_sd)
    return {
        **sweep,
        "rows": list(rows.values()),
        "k": iw_samples,
        "excess": at["excess_over_largest_k"] if at else None,
        "excess_se": at["excess_over_largest_k_se"] if at else None,
        "seed_sd": _number(seed_sd),
        "converged": converged,
    }


def level_record(frame, units, settings, level, rounds=(), sweeps=()):
    """One level's answer as plain data: frame holds its models (one row each), units
    their values per evaluation unit, rounds the refinement's round records, sweeps the
    IW K-sweeps of some of its models."""
    configured = {float(c) for c in settings["coefficients"]}
    confidence = settings["confidence"]
    answers = level_answers(frame, units, settings)
    criteria = [answer_record(a, configured) for a in answers]
    criteria = [{**c, "typed": typed_answer(c, level)} for c in criteria]
    reconstruction = reconstruction_model(frame, by_metric(units).get("reconstruction"))
    budgets = sorted(set(BUDGETS) | {settings["reconstruction_budget"]})
    # a share of D is a share of a probability's -log only under a Bernoulli decoder: a
    # density's D has no zero and may be negative
    density = level.definition.likelihood.density
    found, fitted = budget_views(None if density else reconstruction, budgets, confidence)
    views = [budget_record(view) for view in found]
    iw = next(c for c in criteria if c["criterion"] == "iw_nll")
    loose = sorted(next(a for a in answers if a.criterion.key == "iw_nll").loose)
    record = {
        **asdict(level),
        "level": level.label,
        "definition": definition_record(level),
        "criteria": criteria,
        "budget": next(
            (v for v in views if v and v["budget"] == settings["reconstruction_budget"]), None
        ),
        "budgets": [v for v in views if v],
        "reconstruction": {
            "points": estimate_points(reconstruction),
            "curve": fitted.band(confidence) if fitted else None,
        },
        "rounds": list(rounds),
        "iw_sweeps": [
            {
                **sweep_record(sweep, settings["iw_samples"], iw),
                "loose": sweep["coefficient"] in loose,
            }
            for sweep in sweeps
        ],
        "loose_iw": loose,
        "decoder_variance": variance_points(frame, level),
        "near_ceiling": near_ceiling(frame),
        "diverged": sorted(
            {float(c) for c in frame.loc[frame["diverged"].astype(bool), "coefficient"]}
        ),
    }
    return {**record, "summary": wording.level_summary(record)}


def across_levels(records):
    """Per criterion, each level's best and interval, the range of c common to every
    level's interval (None if some pair of intervals do not overlap) and the pairs that do
    not overlap: only those show the answer moving with the problem."""
    per_criterion = []
    for i, criterion in enumerate(CRITERIA):
        rows = [
            {
                "level": rec["level"],
                **asdict(Level.of(rec)),
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
            if not overlap(a["interval"], b["interval"])
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


def study_record(records, confidence):
    """What results/tables/conclusion.json holds (before its provenance)."""
    return {
        "levels": records,
        "across": across_levels(records),
        "losses": carryover(records, confidence),
    }


def read_units(paths):
    """{Level: {(coefficient, seed): {name: values per unit}}} from evaluations'
    paired.npz files, each file beside its model's metrics.json (the model's level,
    coefficient and seed read from there)."""
    units = {}
    for path in paths:
        path = Path(path)
        metrics = json.loads((path.parent / "metrics.json").read_text())
        level = Level.of(metrics)
        with np.load(path) as saved:
            model = (float(metrics["coefficient"]), int(metrics["seed"]))
            units.setdefault(level, {})[model] = {key: saved[key] for key in saved.files}
    return units


def by_metric(units):
    """{(coefficient, seed): {name: values}} of one level as {name: {(coefficient, seed):
    values}}, as tables.over_seeds takes them."""
    found = {}
    for model, arrays in units.items():
        for name, values in arrays.items():
            found.setdefault(name, {})[model] = values
    return found
