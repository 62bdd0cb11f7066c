"""Rule explorer_decoder: one model's decoder, compact, for the report's latent explorer."""

import json

import numpy as np

from vaestudy.jobs import start_job
from vaestudy.levels import Level

smk = start_job(snakemake, tensorflow=True)  # noqa: F821

from vaestudy import explorer  # noqa: E402
from vaestudy.model import job_vae  # noqa: E402

vae, _ = job_vae(smk.params.model, smk.wildcards, smk.input.weights)
with np.load(smk.input.latent) as latent:
    plane = latent["plane"]
record = explorer.embedded_decoder(vae.decoder, plane)
summary = {
    **vars(Level.of(smk.wildcards)),
    "seed": int(smk.wildcards.seed),
    "coefficient": smk.wildcards.coefficient,
    "decoder": record,
}
if record is not None:
    summary["largest_difference"] = explorer.largest_difference(record, vae.decoder, plane)
    summary["bytes"] = explorer.payload_bytes(record)
with open(smk.output[0], "w") as handle:
    json.dump(summary, handle)
print({k: v for k, v in summary.items() if k != "decoder"})
