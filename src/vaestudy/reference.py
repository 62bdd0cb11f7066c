"""The published study's test losses beside a run's, when the run's settings match."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass
class Comparison:
    applies: bool
    differences: list = field(default_factory=list)  # why not, when it does not apply
    rows: list = field(default_factory=list)
    reproduces: bool = False
    summary: str = ""


def load_reference(path):
    """The reference file (report/published.yaml) as a dict."""
    return yaml.safe_load(Path(path).read_text())


def setting_differences(config, reference):
    """Human-readable differences between the run's settings and the reference's."""
    return [
        f"{key} {config[key]} (published: {value})"
        for key, value in reference["settings"].items()
        if config[key] != value
    ]


def _row(c, measured, published, tolerance):
    rec, kl = published
    rec_off = measured["reconstruction"] / rec - 1.0
    kl_off = measured["kl"] / kl - 1.0
    judged = c > 0
    rec_ok = bool(abs(rec_off) <= tolerance["reconstruction"])
    kl_ok = bool(abs(kl_off) <= tolerance["kl"]) or not judged
    return {
        "coefficient": c,
        "reconstruction": measured["reconstruction"],
        "published_reconstruction": rec,
        "reconstruction_off": rec_off,
        "kl": measured["kl"],
        "published_kl": kl,
        "kl_off": kl_off,
        "ok": rec_ok and kl_ok,
        "kl_judged": judged,
    }


def compare(config, per_model, reference, intervals=None):
    """Measured test losses of the first seed's models (the published study ran one model
    per coefficient; diverged models left out) against the published ones for the
    coefficients both have, judged by the reference's tolerances; intervals maps each
    criterion's name to its interval of c (or None), set against the published verdict."""
    differences = setting_differences(config, reference)
    if differences:
        return Comparison(False, differences)
    first = per_model[per_model["seed"] == per_model["seed"].min()]
    finished = first[~first["diverged"].astype(bool)]
    means = finished.groupby("coefficient")[["reconstruction", "kl"]].mean()
    published = {float(c): v for c, v in reference["losses"].items()}
    rows = [
        _row(c, means.loc[c], published[c], reference["tolerance"])
        for c in means.index
        if c in published
    ]
    if not rows:
        return Comparison(False, ["no coefficient of this run is in the published study"])
    reproduces = all(row["ok"] for row in rows)
    return Comparison(
        True, [], rows, reproduces, _summary(rows, reproduces, reference, intervals or {})
    )


def _relation(judged, name, interval):
    """How the published verdict sits in one criterion's interval, in words."""
    if not interval:
        return f"{name} has no measured interval"
    low, high = interval
    inside = [c for c in judged if low <= c <= high]
    shown = f"{low:g}–{high:g}" if low != high else f"{low:g}"
    if len(inside) == len(judged):
        return f"all lie inside the interval of {name} (c = {shown})"
    if inside:
        names = ", ".join(f"{c:g}" for c in inside)
        return f"of them c = {names} lie inside the interval of {name} (c = {shown})"
    return f"none lies inside the interval of {name} (c = {shown})"


def _summary(rows, reproduces, reference, intervals):
    tolerance = reference["tolerance"]
    missed = [f"c = {row['coefficient']:g}" for row in rows if not row["ok"]]
    verdict = (
        f"This run reproduces the published test losses: every reconstruction within "
        f"{tolerance['reconstruction']:.0%} and every KL within {tolerance['kl']:.0%} (c > 0)."
        if reproduces
        else f"This run does not reproduce the published test losses at {', '.join(missed)} "
        f"(tolerance: reconstruction {tolerance['reconstruction']:.0%}, KL {tolerance['kl']:.0%})."
    )
    judged = sorted(float(c) for c in reference.get("judged_best", []))
    if not judged or not intervals:
        return verdict
    names = ", ".join(f"{c:g}" for c in judged)
    relation = "; ".join(_relation(judged, name, i) for name, i in intervals.items())
    return f"{verdict} The published study judged c = {names} best by eye; {relation}."
