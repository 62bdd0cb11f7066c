"""Rule plot_model: one model's encoder scatter, decoder manifold and classified manifold."""

import numpy as np

from vaestudy import plots
from vaestudy.jobs import start_job

smk = start_job(snakemake)  # noqa: F821
coefficient = smk.wildcards.coefficient
with np.load(smk.input.latent) as latent:
    codes, names = plots.in_plane(latent["z_mean"], latent["plane"])
    plots.encoder_scatter(smk.output.encoder, codes, latent["labels"], coefficient, names)
plots.manifold(smk.output.manifold, np.load(smk.input.manifold), coefficient, names=names)
plots.class_grid(smk.output.classes, np.load(smk.input.grid_classes), coefficient, names=names)
