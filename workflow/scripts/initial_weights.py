"""Rule initial_weights: the weights (and RNG state) every model of one seed starts from."""

from vaestudy.jobs import log_to, model_settings
from vaestudy.training import configure_tensorflow

log_to(snakemake.log[0])  # noqa: F821
configure_tensorflow(snakemake.threads)  # noqa: F821

from vaestudy.model import build_vae  # noqa: E402

settings = model_settings(snakemake.config, 0.0, snakemake.wildcards.seed)  # noqa: F821
settings["precision"] = "float32"  # the same starting point whatever precision trains it
build_vae(**settings).save_weights(snakemake.output[0])  # noqa: F821
print(f"initial weights for seed {settings['seed']} -> {snakemake.output[0]}")  # noqa: F821
