"""Rule iw_sweep: how one model's importance-weighted NLL moves with K."""

import json

import numpy as np

from vaestudy.jobs import start_job
from vaestudy.levels import Level

smk = start_job(snakemake, tensorflow=True)  # noqa: F821

from vaestudy import evaluation  # noqa: E402
from vaestudy.data import load_split  # noqa: E402
from vaestudy.model import job_vae  # noqa: E402

wildcards = {**smk.wildcards, "seed": smk.params.seed}
vae, settings = job_vae(smk.params.model, wildcards, smk.input.weights)
x_test, _ = load_split(smk.input.data, "test", smk.params.test_limit)
with np.load(smk.input.latent) as latent:
    z_mean, z_log_var = latent["z_mean"], latent["z_log_var"]
k = smk.params.iw_samples
ks = sorted(set(evaluation.SWEEP_KS) | {k, 4 * k})
if np.isfinite(z_mean).all():
    sweep = evaluation.iw_sweep(
        vae.decoder,
        x_test,
        z_mean,
        z_log_var,
        smk.params.iw_images,
        ks,
        log_likelihood=vae.log_likelihood(),
    )
else:
    sweep = {}
sweep = {
    **vars(Level.of(smk.wildcards)),
    "coefficient": float(smk.wildcards.coefficient),
    "seed": settings["seed"],
    **sweep,
}
with open(smk.output[0], "w") as handle:
    json.dump(sweep, handle, indent=2)
print(json.dumps(sweep))
