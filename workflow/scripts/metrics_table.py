"""Rule metrics_table: one row per model, from the evaluation metrics."""

from vaestudy.jobs import log_to
from vaestudy.tables import read_metrics

log_to(snakemake.log[0])  # noqa: F821
read_metrics(snakemake.input).to_csv(snakemake.output[0], index=False)  # noqa: F821
