"""Rule plot_prior: the reference scatter of N(0, I) samples."""

from vaestudy import plots
from vaestudy.jobs import start_job

smk = start_job(snakemake)  # noqa: F821
plots.prior_scatter(smk.output[0])
