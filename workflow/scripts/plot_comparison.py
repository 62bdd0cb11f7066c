"""Rule plot_comparison: a level's encoder scatters and decoder manifolds side by side."""

import numpy as np

from vaestudy import plots
from vaestudy.jobs import start_job

smk = start_job(snakemake)  # noqa: F821
coefficients = [float(c) for c in smk.params.coefficients]
latents = {}
for c, path in zip(coefficients, smk.input.latents, strict=True):
    with np.load(path) as latent:
        codes, names = plots.in_plane(latent["z_mean"], latent["plane"])
        latents[c] = (codes, latent["labels"])
plots.encoder_comparison(smk.output.encoders, latents, names=names)
manifolds = {c: np.load(p) for c, p in zip(coefficients, smk.input.manifolds, strict=True)}
plots.manifold_comparison(smk.output.manifolds, manifolds)
