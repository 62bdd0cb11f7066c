"""The metrics table: one row per model in CSV, and its per-coefficient summary for reading."""

import json
from pathlib import Path

import pandas as pd

METRIC_COLUMNS = [
    "coefficient",
    "seed",
    "loss",
    "reconstruction",
    "kl",
    "d_plus_r",
    "iw_nll",
    "iw_gap",
    "prior_kl",
    "mutual_information",
    "active_units",
    "grid_classes",
    "grid_entropy_bits",
    "grid_confidence",
    "prior_classes",
    "prior_entropy_bits",
    "prior_confidence",
    "diverged",
    "epochs",
    "train_seconds",
    "z_mean_mean",
    "z_mean_cov",
]
# what the report shows per coefficient (mean ± std over seeds), with headings and decimals
SUMMARY_COLUMNS = {
    "reconstruction": ("D (reconstruction)", 2),
    "kl": ("R (KL)", 3),
    "d_plus_r": ("D + R", 2),
    "iw_nll": ("IW NLL", 2),
    "iw_gap": ("ELBO gap", 2),
    "prior_kl": ("KL(q(z) ‖ N(0, I))", 3),
    "mutual_information": ("I(x; z)", 3),
    "active_units": ("active units", 1),
    "prior_classes": ("classes in N(0, I) decodes", 1),
    "prior_entropy_bits": ("class entropy (bits)", 2),
    "prior_confidence": ("confidence", 3),
    "grid_classes": ("classes in grid", 1),
    "grid_confidence": ("grid confidence", 3),
}


def kl_dimension_columns(table):
    """The per-latent-dimension KL columns kl_z0, kl_z1, ... of a metrics table, in order."""
    return sorted((c for c in table if c.startswith("kl_z")), key=lambda c: int(c[4:]))


def read_metrics(paths):
    """One row per model from the evaluation JSON files (diverged models: numbers empty)."""
    rows = [json.loads(Path(p).read_text()) for p in paths]
    for row in rows:  # vectors and matrices as JSON text in their CSV cells
        for key in ("z_mean_mean", "z_mean_cov"):
            if key in row:
                row[key] = json.dumps(row[key])
    table = pd.DataFrame(rows)
    table = table.reindex(columns=METRIC_COLUMNS + kl_dimension_columns(table))
    return table.sort_values(["coefficient", "seed"]).reset_index(drop=True)


def over_seeds(metrics, columns):
    """Per coefficient: the mean of each column over its finished models, `<column>_std` (the
    standard deviation, 0 with one seed) and `seeds`, the number of finished models."""
    finished = metrics[~metrics["diverged"].astype(bool)]
    grouped = finished.groupby("coefficient")[list(columns)]
    table = grouped.mean().join(grouped.std(ddof=1).fillna(0.0).add_suffix("_std"))
    table["seeds"] = finished.groupby("coefficient").size()
    return table.sort_index()


COUNTS = ("active_units", "prior_classes", "grid_classes")


def _mean_std(mean, std, decimals, with_std):
    """'mean ± std' over seeds, or with one seed the value alone."""
    if pd.isna(mean):
        return "–"
    return f"{mean:.{decimals}f} ± {std:.{decimals}f}" if with_std else f"{mean:.{decimals}f}"


def summary_html(metrics):
    """Per coefficient, mean ± std over seeds (just the value with one seed), for reading."""
    table = over_seeds(metrics, SUMMARY_COLUMNS)
    with_std = bool((table["seeds"] > 1).any())
    shown = pd.DataFrame({"c": [f"{c:g}" for c in table.index], "seeds": table["seeds"].values})
    for column, (heading, decimals) in SUMMARY_COLUMNS.items():
        decimals = 0 if column in COUNTS and not with_std else decimals
        shown[heading] = [
            _mean_std(m, s, decimals, with_std)
            for m, s in zip(table[column], table[f"{column}_std"], strict=True)
        ]
    diverged = sorted(set(metrics["coefficient"]) - set(table.index))
    for c in diverged:
        shown.loc[len(shown)] = [f"{c:g}", 0] + ["diverged"] * len(SUMMARY_COLUMNS)
    return shown.to_html(index=False, classes="summary", border=0)


PER_MODEL = {
    "coefficient": ("c", "{:g}"),
    "seed": ("seed", "{}"),
    "loss": ("loss (rec + c·KL)", "{:.2f}"),
    "reconstruction": ("reconstruction", "{:.2f}"),
    "kl": ("KL", "{:.3f}"),
    "prior_kl": ("KL(q(z) ‖ N(0, I))", "{:.3f}"),
    "epochs": ("epochs", "{:.0f}"),
    "train_seconds": ("training time (s)", "{:.0f}"),
}


def loss_table_html(metrics):
    """One row per model: the losses as trained, diverged models marked."""
    shown = metrics[list(PER_MODEL)].copy()
    formats = {heading: fmt.format for heading, fmt in PER_MODEL.values()}
    shown = shown.rename(columns={key: heading for key, (heading, _) in PER_MODEL.items()})
    shown["status"] = metrics["diverged"].map({True: "diverged", False: "ok"})
    return shown.to_html(index=False, formatters=formats, classes="losses", border=0, na_rep="–")


def moments_text(mean_json, cov_json, kl_per_dim):
    """z_mean's mean and covariance and the KL per latent dimension, for reading, e.g.
    'mean (0.01, -0.12); covariance [[0.95, 0.02], [0.02, 1.01]]; KL per dimension 3.10,
    3.03'; '' where the model has none (diverged)."""
    if not isinstance(mean_json, str) or not isinstance(cov_json, str):
        return ""
    mean = ", ".join(f"{v:.2f}" for v in json.loads(mean_json))
    rows = ", ".join("[" + ", ".join(f"{v:.2f}" for v in row) + "]" for row in json.loads(cov_json))
    kl = ", ".join(f"{v:.2f}" for v in kl_per_dim)
    return f"mean ({mean}); covariance [{rows}]; KL per dimension {kl}"
