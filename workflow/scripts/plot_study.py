"""Rule plot_study: a level's rate–distortion plane, training curves and metrics against c."""

import pandas as pd

from vaestudy import plots, registry
from vaestudy.conclusion import by_metric, read_units
from vaestudy.jobs import start_job
from vaestudy.levels import Level
from vaestudy.tables import level_bounds, over_seeds, read_metrics

smk = start_job(snakemake)  # noqa: F821
per_model = read_metrics(smk.input.metrics)
units = read_units(smk.input.paired).get(Level.of(smk.wildcards), {})
summary = over_seeds(per_model, [column for column, _ in registry.panels()], by_metric(units))
plots.rate_distortion(smk.output.rate_distortion, summary)
plots.metrics_against_coefficient(smk.output.metrics_vs_c, summary, level_bounds(per_model))
histories = {}
for (_, c), path in zip(smk.params.models, smk.input.histories, strict=True):
    histories.setdefault(float(c), []).append(pd.read_csv(path))
plots.training_curves(smk.output.training_curves, histories)
