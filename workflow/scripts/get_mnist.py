"""Rule get_mnist: fetch or copy MNIST, validate it, and record where it came from."""

import json

from vaestudy.data import fetch_mnist
from vaestudy.jobs import start_job, user_errors_as_messages

smk = start_job(snakemake)  # noqa: F821
out, params = smk.output, smk.params
with user_errors_as_messages():
    provenance = fetch_mnist(out.npz, params.url, params.sha256, params.local_path)
with open(out.info, "w") as handle:
    json.dump(provenance, handle, indent=2)
print(f"MNIST from {provenance['source']}, sha256 {provenance['sha256']}")
