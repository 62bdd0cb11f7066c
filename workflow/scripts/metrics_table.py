"""Rule metrics_table: one row per model, from the evaluation metrics."""

from vaestudy.jobs import start_job
from vaestudy.tables import read_metrics

smk = start_job(snakemake)  # noqa: F821
read_metrics(smk.input).to_csv(smk.output[0], index=False)
