"""The metrics table: one row per model in CSV, and its per-coefficient summary for reading."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

METRIC_COLUMNS = [
    "coefficient",
    "seed",
    "loss",
    "reconstruction",
    "reconstruction_se",
    "kl",
    "kl_se",
    "d_plus_r",
    "d_plus_r_se",
    "iw_nll",
    "iw_nll_se",
    "iw_d_plus_r",
    "iw_d_plus_r_se",
    "iw_gap",
    "iw_gap_se",
    "iw_images",
    "iw_ess",
    "iw_ess_low",
    "mutual_information",
    "mutual_information_se",
    "mutual_information_max",
    "prior_kl",
    "prior_kl_se",
    "active_units",
    "grid_classes",
    "grid_classes_se",
    "grid_entropy_bits",
    "grid_entropy_bits_se",
    "grid_confidence",
    "grid_confidence_se",
    "grid_tv",
    "grid_tv_se",
    "prior_classes",
    "prior_classes_se",
    "prior_entropy_bits",
    "prior_entropy_bits_se",
    "prior_confidence",
    "prior_confidence_se",
    "prior_tv",
    "prior_tv_se",
    "coverage_gap",
    "coverage_gap_se",
    "reconstruction_accuracy",
    "reconstruction_accuracy_se",
    "diverged",
    "epochs",
    "train_seconds",
    "workflow_commit",
    "workflow_dirty",
    "workflow_package",
    "q_mean",
    "q_cov",
    "prior_shares",
]
# vectors and matrices, kept as JSON text in their CSV cells
JSON_COLUMNS = ("q_mean", "q_cov", "prior_shares")
# what the report shows per coefficient (mean ± error), with headings and decimals
SUMMARY_COLUMNS = {
    "reconstruction": ("D (reconstruction)", 2),
    "kl": ("R (KL)", 3),
    "d_plus_r": ("D + R", 2),
    "iw_d_plus_r": ("D + R, IW images", 2),
    "iw_nll": ("IW NLL", 2),
    "iw_gap": ("D + R − IW NLL", 2),
    "iw_ess": ("IW ESS / K", 3),
    "mutual_information": ("I(x; z)", 3),
    "prior_kl": ("KL(q(z) ‖ N(0, I))", 3),
    "active_units": ("active units", 1),
    "prior_classes": ("classes in N(0, I) decodes", 1),
    "prior_tv": ("class TV from labels", 3),
    "prior_entropy_bits": ("class entropy (bits)", 2),
    "prior_confidence": ("confidence", 3),
    "coverage_gap": ("coverage gap", 3),
    "reconstruction_accuracy": ("reconstructions read as their label", 3),
    "grid_classes": ("classes in grid", 1),
    "grid_confidence": ("grid confidence", 3),
}
COUNTS = ("active_units", "prior_classes", "grid_classes")
# the report's yardstick table, split so that each part reads on a laptop screen
SUMMARY_GROUPS = {
    "Fit: distortion, rate and likelihood": (
        "reconstruction",
        "kl",
        "d_plus_r",
        "iw_d_plus_r",
        "iw_nll",
        "iw_gap",
        "iw_ess",
    ),
    "Prior match: how the codes fill N(0, I)": ("mutual_information", "prior_kl", "active_units"),
    "Coverage: what the decoder draws from N(0, I)": (
        "coverage_gap",
        "reconstruction_accuracy",
        "prior_classes",
        "prior_tv",
        "prior_entropy_bits",
        "prior_confidence",
        "grid_classes",
        "grid_confidence",
    ),
}


def kl_dimension_columns(table):
    """The per-latent-dimension KL columns kl_z0, kl_z1, ... of a metrics table, in order."""
    return sorted((c for c in table if c.startswith("kl_z")), key=lambda c: int(c[4:]))


def read_metrics(paths):
    """One row per model from the evaluation JSON files (diverged models: numbers empty)."""
    rows = [json.loads(Path(p).read_text()) for p in paths]
    for row in rows:
        for key in JSON_COLUMNS:
            if key in row:
                row[key] = json.dumps(row[key])
    table = pd.DataFrame(rows)
    table = table.reindex(columns=METRIC_COLUMNS + kl_dimension_columns(table))
    return table.sort_values(["coefficient", "seed"]).reset_index(drop=True)


def over_seeds(metrics, columns):
    """Per coefficient, over its finished models: the mean of each column, `<column>_err` (its
    standard error) and `seeds`, the number of finished models.

    With several seeds the error is the standard error of the mean over seeds (which holds
    the Monte Carlo noise of each model's estimate too); with one seed it is that model's own
    `<column>_se` (test images and Monte Carlo draws), or 0 where the column has none, as
    the spread over seeds is then unknown.
    """
    finished = metrics[~metrics["diverged"].astype(bool)]
    grouped = finished.groupby("coefficient")
    table = grouped[list(columns)].mean()
    table["seeds"] = grouped.size()
    for column in columns:
        over = grouped[column].std(ddof=1) / np.sqrt(table["seeds"])
        own = grouped[f"{column}_se"].mean() if f"{column}_se" in finished else 0.0
        table[f"{column}_err"] = over.where(table["seeds"] > 1, own).fillna(0.0)
    return table.sort_index()


def _mean_error(mean, error, decimals, error_decimals=None):
    """'mean ± error', or the value alone where it has no error."""
    if pd.isna(mean):
        return "–"
    shown = f"{mean:.{decimals}f}"
    error_decimals = decimals if error_decimals is None else error_decimals
    return f"{shown} ± {error:.{error_decimals}f}" if error > 0 else shown


def informative_columns(metrics, latent_dim):
    """SUMMARY_COLUMNS less active units where they cannot tell anything: every model uses
    every latent dimension."""
    full = metrics["active_units"].dropna().eq(latent_dim).all()
    return {k: v for k, v in SUMMARY_COLUMNS.items() if not (k == "active_units" and full)}


def summary_frame(metrics, columns):
    """Per coefficient, mean ± standard error of the columns (see over_seeds)."""
    table = over_seeds(metrics, columns)
    several = bool((table["seeds"] > 1).any())
    shown = pd.DataFrame({"c": [f"{c:g}" for c in table.index], "seeds": table["seeds"].values})
    for column, (heading, decimals) in columns.items():
        # one model's count is a whole number; its bootstrap error is not
        whole = column in COUNTS and not several
        shown[heading] = [
            _mean_error(m, e, 0 if whole else decimals, decimals)
            for m, e in zip(table[column], table[f"{column}_err"], strict=True)
        ]
    diverged = sorted(set(metrics["coefficient"]) - set(table.index))
    for c in diverged:
        shown.loc[len(shown)] = [f"{c:g}", 0] + ["diverged"] * len(columns)
    return shown


def summary_html(metrics, latent_dim=2):
    """The yardstick table for reading: one part per SUMMARY_GROUPS entry, each a heading
    and a table of mean ± standard error per coefficient."""
    columns = informative_columns(metrics, latent_dim)
    parts = []
    for title, keys in SUMMARY_GROUPS.items():
        group = {key: columns[key] for key in keys if key in columns}
        table = summary_frame(metrics, group).to_html(index=False, classes="summary", border=0)
        parts.append(f"<h3>{title}</h3>\n{table}")
    return "\n".join(parts)


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
    """The aggregate posterior's mean and covariance and the KL per latent dimension, e.g.
    'mean (0.01, -0.12); covariance [[0.95, 0.02], [0.02, 1.01]]; KL per dimension 3.10,
    3.03'; '' where the model has none (diverged)."""
    if not isinstance(mean_json, str) or not isinstance(cov_json, str):
        return ""
    mean = ", ".join(f"{v:.2f}" for v in json.loads(mean_json))
    rows = ", ".join("[" + ", ".join(f"{v:.2f}" for v in row) + "]" for row in json.loads(cov_json))
    kl = ", ".join(f"{v:.2f}" for v in kl_per_dim)
    return f"mean ({mean}); covariance [{rows}]; KL per dimension {kl}"
