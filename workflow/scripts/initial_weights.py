"""Rule initial_weights: the weights (and RNG state) every model of one seed starts from."""

from vaestudy.jobs import model_settings, start_job

smk = start_job(snakemake, tensorflow=True)  # noqa: F821

from vaestudy.model import build_vae  # noqa: E402

settings = model_settings(smk.config, 0.0, smk.wildcards.seed)
settings["precision"] = "float32"  # the same starting point whatever precision trains it
build_vae(**settings).save_weights(smk.output[0])
print(f"initial weights for seed {settings['seed']} -> {smk.output[0]}")
