"""Rule plot_prior: the reference scatter of N(0, I) samples."""

from vaestudy import plots
from vaestudy.jobs import log_to

log_to(snakemake.log[0])  # noqa: F821
plots.prior_scatter(snakemake.output[0])  # noqa: F821
