"""The published study's test losses beside a run's, when the run's settings match."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass
class Comparison:
    """Whether the reference applies (else `differences`: why not), each compared
    coefficient's row, whether every row is within the tolerance, and where the published
    verdict ("judged best") lies in each criterion's interval (`placements`: name,
    interval, the judged coefficients inside it)."""

    applies: bool
    differences: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    reproduces: bool = False
    tolerance: dict = field(default_factory=dict)
    judged: list = field(default_factory=list)
    placements: list = field(default_factory=list)

    @property
    def missed(self):
        """The compared coefficients outside the tolerance."""
        return [row["coefficient"] for row in self.rows if not row["ok"]]


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
    judged = sorted(float(c) for c in reference.get("judged_best", []))
    placements = [
        {
            "name": name,
            "interval": interval,
            "inside": [c for c in judged if interval and interval[0] <= c <= interval[1]],
        }
        for name, interval in (intervals or {}).items()
    ]
    reproduces = all(row["ok"] for row in rows)
    return Comparison(True, [], rows, reproduces, reference["tolerance"], judged, placements)
