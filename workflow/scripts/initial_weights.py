"""Rule initial_weights: the weights (and RNG state) every model of one seed starts from."""

from vaestudy.jobs import start_job

smk = start_job(snakemake, tensorflow=True)  # noqa: F821

from vaestudy.model import build_vae, model_settings  # noqa: E402

settings = model_settings(smk.params.model, smk.wildcards.latent_dim, 0.0, smk.wildcards.seed)
build_vae(**settings).save_weights(smk.output[0])
print(f"initial weights for seed {settings['seed']} -> {smk.output[0]}")
