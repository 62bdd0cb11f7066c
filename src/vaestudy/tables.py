"""The metrics table: one row per model in CSV, and its per-coefficient summary for reading."""

import json
from pathlib import Path

import numpy as np
import pandas as pd

from vaestudy import registry, wording
from vaestudy.inference import number_bounds, seed_model
from vaestudy.levels import Level

# what identifies a model, what its training job reports, and who made it
MODEL_COLUMNS = [*Level.axes(), "coefficient", "seed"]
RUN_COLUMNS = [
    "diverged",
    "epochs",
    "train_seconds",
    "graph_epoch",
    "workflow_commit",
    "workflow_dirty",
    "workflow_package",
    "training_hash",
]


def metric_columns():
    """The columns of the metrics table, in order, from the registry: the
    model, every metric (and its error), the run; vectors and matrices last."""
    plain = [m for m in registry.entries() if not m.json]
    vectors = [m.key for m in registry.entries() if m.json]
    return MODEL_COLUMNS + [c for m in plain for c in m.columns] + RUN_COLUMNS + vectors


def summary_columns():
    """What the report's table shows per coefficient (mean ± error): key -> (heading,
    decimals), in the order of its parts."""
    return {
        m.key: (m.heading, m.decimals) for group in registry.GROUPS for m in registry.grouped(group)
    }


def level_bounds(per_model):
    """{key: (lower, upper)} of every metric with a bound, in numbers for this level's models
    (inference.number_bounds)."""
    return {
        m.key: number_bounds(per_model, m.key)
        for m in registry.entries()
        if m.bounds != (None, None)
    }


def kl_dimension_columns(table):
    """The per-latent-dimension KL columns kl_z0, kl_z1, ... of a metrics table, in order."""
    return sorted((c for c in table if c.startswith("kl_z")), key=lambda c: int(c[4:]))


def read_metrics(paths):
    """One row per model from the evaluation JSON files (diverged models: numbers empty),
    level by level in the order the files first name them, then by coefficient and seed."""
    rows = [json.loads(Path(p).read_text()) for p in paths]
    vectors = [m.key for m in registry.entries() if m.json]
    for row in rows:
        for key in vectors:
            if key in row:
                row[key] = json.dumps(row[key])
    table = pd.DataFrame(rows)
    table = table.reindex(columns=metric_columns() + kl_dimension_columns(table))
    level = list(zip(*(table[axis] for axis in Level.axes()), strict=True))
    table["level_order"] = [level.index(item) for item in level]
    order = ["level_order", "coefficient", "seed"]
    return table.sort_values(order).drop(columns="level_order").reset_index(drop=True)


def over_seeds(per_model, columns, units=None):
    """Per coefficient, over its finished models: each column's value and `<column>_err`,
    its standard error, both from the one noise model (inference.seed_model: the seed
    spread measured on the coefficients with several seeds and carried by every
    coefficient, and the evaluation's own error, paired over the units in `units`, {column:
    {(coefficient, seed): values per unit}}, where given), and `seeds`, the number of
    finished models."""
    finished = per_model[~per_model["diverged"].astype(bool)]
    table = pd.DataFrame(index=pd.Index(sorted(set(finished["coefficient"])), name="coefficient"))
    for column in columns:
        values = pd.to_numeric(finished[column], errors="coerce")
        if not values.notna().any():
            table[column] = table[f"{column}_err"] = np.nan
            continue
        model = seed_model(finished, column, (units or {}).get(column))
        found = {c: model.value(c) for c in model.coefficients}
        table[column] = [found[c].value if c in found else np.nan for c in table.index]
        table[f"{column}_err"] = [found[c].se if c in found else np.nan for c in table.index]
    table["seeds"] = finished.groupby("coefficient").size()
    return table


def seed_spread_measured(per_model):
    """Whether some coefficient has several finished models, so that errors hold a seed
    spread."""
    finished = per_model[~per_model["diverged"].astype(bool)]
    return bool((finished.groupby("coefficient").size() > 1).any())


def _mean_error(mean, error, decimals, whole=False, bounds=(None, None)):
    """'mean ± error' (wording.estimate, its bars stopping at `bounds`), or the value alone
    where it has no error (a whole number without decimals)."""
    mean = None if pd.isna(mean) else float(mean)
    error = None if error is None or pd.isna(error) else float(error)
    if whole and mean is not None and not (error and error > 0):
        return f"{mean:.0f}"
    return wording.estimate(mean, error, decimals, bounds)


def informative_columns(per_model, latent_dim):
    """summary_columns() less active units where they cannot tell anything (every model uses
    every latent dimension), and less the metrics no finished model has (a decoder variance
    under a Bernoulli decoder)."""
    full = per_model["active_units"].dropna().eq(latent_dim).all()
    finished = per_model[~per_model["diverged"].astype(bool)]

    def has_values(key):
        return finished.empty or (key in finished and finished[key].notna().any())

    return {
        k: v
        for k, v in summary_columns().items()
        if not (k == "active_units" and full) and has_values(k)
    }


def summary_frame(per_model, columns, units=None, floor=None):
    """Per coefficient, value ± standard error of the columns (see over_seeds), and a last
    row of what real digits score where a column has such a value in `floor` (the classifier's
    record, see registry.Metric.floor)."""
    table = over_seeds(per_model, columns, units)
    bounds = level_bounds(per_model)
    counts = {m.key: m.count for m in registry.entries()}
    several = bool((table["seeds"] > 1).any())
    shown = pd.DataFrame({"c": [f"{c:g}" for c in table.index], "seeds": table["seeds"].values})
    for column, (heading, decimals) in columns.items():
        # one model's count is a whole number; its bootstrap error is not
        whole = counts.get(column, False) and not several
        shown[heading] = [
            _mean_error(m, e, decimals, whole, bounds.get(column, (None, None)))
            for m, e in zip(table[column], table[f"{column}_err"], strict=True)
        ]
    diverged = sorted(set(per_model["coefficient"]) - set(table.index))
    for c in diverged:
        shown.loc[len(shown)] = [f"{c:g}", 0] + ["diverged"] * len(columns)
    metrics = registry.by_key()
    floors = [metrics[column].floor for column in columns]
    if floor and any(key in floor for key in floors):
        shown["seeds"] = shown["seeds"].astype(object)
        shown.loc[len(shown)] = ["real digits", "–"] + [
            _mean_error(floor[key], floor[f"{key}_se"], decimals) if key in floor else "–"
            for key, (_, decimals) in zip(floors, columns.values(), strict=True)
        ]
    return shown


def summary_parts(per_model, latent_dim=2, units=None, floor=None):
    """(title, summary_frame) of each part of the yardstick table; units as in over_seeds,
    floor as in summary_frame."""
    columns = informative_columns(per_model, latent_dim)
    return [
        (group, summary_frame(per_model, {m.key: columns[m.key] for m in members}, units, floor))
        for group in registry.GROUPS
        if (members := [m for m in registry.grouped(group) if m.key in columns])
    ]


def template_table(title, frame):
    """A table for the report's template: its title, column headings and rows of text."""
    rows = [[str(cell) for cell in row] for row in frame.values.tolist()]
    return {"title": title, "columns": list(frame.columns), "rows": rows}


# the loss table's columns; headings and decimals of metrics come from the registry, of the
# model's and its training's columns from NOT_METRICS
LOSS_TABLE = (
    "coefficient",
    "seed",
    "objective",
    "reconstruction",
    "kl",
    "prior_kl",
    "epochs",
    "train_seconds",
)
NOT_METRICS = {
    "coefficient": ("c", "{:g}"),
    "seed": ("seed", "{}"),
    "epochs": ("epochs", "{:.0f}"),
    "train_seconds": ("training time (s)", "{:.0f}"),
}


def loss_table(per_model):
    """One row per model: the losses as trained, diverged models marked."""
    formats = {
        **{m.key: (m.heading, m.decimals) for m in registry.entries()},
        **NOT_METRICS,
    }
    rows = [
        ["–" if pd.isna(row[key]) else _cell(row[key], formats[key][1]) for key in LOSS_TABLE]
        + ["diverged" if row["diverged"] else "ok"]
        for _, row in per_model.iterrows()
    ]
    return {"columns": [formats[key][0] for key in LOSS_TABLE] + ["status"], "rows": rows}


def _cell(value, shown):
    """A loss table's cell: a metric at its decimals (an int), else by its format string."""
    return wording.fixed(value, shown) if isinstance(shown, int) else shown.format(value)


def moments_text(mean_json, cov_json, kl_per_dim):
    """The aggregate posterior's mean and covariance and the KL per latent dimension, e.g.
    'mean (0.01, -0.12); covariance [[0.95, 0.02], [0.02, 1.01]]; KL per dimension 3.10,
    3.03'; '' where the model has none (diverged)."""
    if not isinstance(mean_json, str) or not isinstance(cov_json, str):
        return ""
    mean = ", ".join(wording.fixed(v, 2) for v in json.loads(mean_json))
    rows = ", ".join(
        "[" + ", ".join(wording.fixed(v, 2) for v in row) + "]" for row in json.loads(cov_json)
    )
    kl = ", ".join(wording.fixed(v, 2) for v in kl_per_dim)
    return f"mean ({mean}); covariance [{rows}]; KL per dimension {kl}"
