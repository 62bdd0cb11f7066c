"""Rule evaluate_vae: test losses, latent codes and the decoded manifold of one model."""

import json

import numpy as np

from vaestudy.jobs import log_to, model_settings
from vaestudy.training import configure_tensorflow

smk = snakemake  # noqa: F821
log_to(smk.log[0])
configure_tensorflow(smk.threads)

from vaestudy import evaluation  # noqa: E402
from vaestudy.data import load_split  # noqa: E402
from vaestudy.model import build_vae  # noqa: E402

settings = model_settings(smk.config, smk.wildcards.coefficient, smk.wildcards.seed)
vae = build_vae(**settings)
vae.load_weights(smk.input.weights)
with open(smk.input.status) as handle:
    status = json.load(handle)
x_test, y_test = load_split(smk.input.data, "test", smk.params.test_limit)

z_mean, z_log_var = evaluation.encode(vae, x_test)
reconstruction, kl = evaluation.test_losses(vae, x_test, z_mean, z_log_var, seed=settings["seed"])
finite = np.all(np.isfinite(z_mean)) and np.all(np.isfinite(z_log_var))
summary = (
    evaluation.summarise(
        reconstruction,
        kl,
        settings["kl_coefficient"],
        z_mean,
        z_log_var,
        smk.params.prior_samples,
        seed=settings["seed"],
    )
    if finite and not status["diverged"]
    else {"loss": None, "reconstruction": None, "kl": None, "prior_kl": None}
)
metrics = {
    "coefficient": settings["kl_coefficient"],
    "seed": settings["seed"],
    "test_images": len(x_test),
    **status,
    **summary,
}
with open(smk.output.metrics, "w") as handle:
    json.dump(metrics, handle, indent=2)
np.savez_compressed(smk.output.latent, z_mean=z_mean, z_log_var=z_log_var, labels=y_test)
np.save(smk.output.manifold, evaluation.decode_manifold(vae.decoder).astype("float32"))
print(json.dumps(metrics))
