"""Rule evaluate_vae: one model's test metrics, latent codes, manifold and what it draws."""

import json

import numpy as np

from vaestudy.jobs import start_job
from vaestudy.levels import Level

smk = start_job(snakemake, tensorflow=True)  # noqa: F821

from vaestudy import evaluation, summaries  # noqa: E402
from vaestudy.classifier import load_classifier  # noqa: E402
from vaestudy.data import load_split  # noqa: E402
from vaestudy.events import write_hparams  # noqa: E402
from vaestudy.model import job_vae  # noqa: E402

vae, settings = job_vae(smk.params.model, smk.wildcards, smk.input.weights)
with open(smk.input.classifier_record) as handle:
    classifier = load_classifier(smk.input.classifier_weights, json.load(handle)["temperature"])
with open(smk.input.status) as handle:
    status = json.load(handle)
x_test, y_test = load_split(smk.input.data, "test", smk.params.test_limit)

z_mean, z_log_var = evaluation.encode(vae, x_test)
plane = evaluation.latent_plane(z_mean)
manifold = evaluation.decode_manifold(vae.decoder, plane)
usable = not status["diverged"] and np.isfinite(z_mean).all() and np.isfinite(z_log_var).all()
size = evaluation.MANIFOLD_SIZE
grid = evaluation.grid_classes(classifier, manifold) if usable else np.zeros((size, size, 10))
summary, paired = (
    summaries.summarise_model(
        vae, classifier, x_test, y_test, (z_mean, z_log_var), grid, smk.params.evaluation
    )
    if usable
    else ({}, {})
)
metrics = {
    **vars(Level.of(smk.wildcards)),
    "coefficient": float(smk.wildcards.coefficient),
    "seed": settings["seed"],
    "test_images": len(x_test),
    **status,
    **summary,
}
with open(smk.output.metrics, "w") as handle:
    json.dump(metrics, handle, indent=2)
np.savez_compressed(
    smk.output.latent, z_mean=z_mean, z_log_var=z_log_var, labels=y_test, plane=plane
)
np.save(smk.output.manifold, manifold.astype("float32"))
np.save(smk.output.grid_classes, grid.astype("float32"))
np.savez_compressed(smk.output.paired, **paired)
write_hparams(smk.output.events, metrics)
print(json.dumps(metrics))
