"""Rule get_data: fetch or copy one dataset, validate it, and record where it came from."""

import json

from vaestudy.datasets import Dataset
from vaestudy.jobs import start_job, user_errors_as_messages

smk = start_job(snakemake)  # noqa: F821
dataset = Dataset(**smk.params.dataset)
with user_errors_as_messages():
    provenance = dataset.fetch(smk.output.npz, smk.params.train_limit, smk.params.test_limit)
with open(smk.output.info, "w") as handle:
    json.dump(provenance, handle, indent=2)
print(f"{dataset.name} from {provenance['source']}, sha256 {provenance['sha256']}")
