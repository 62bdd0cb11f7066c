"""Rule get_data: fetch or copy one dataset, validate it, and record where it came from."""

import json

from vaestudy.jobs import start_job, user_errors_as_messages
from vaestudy.levels import Dataset, fetch

smk = start_job(snakemake)  # noqa: F821
source, params = smk.params.source, smk.params
dataset = Dataset(source["name"], source["local_path"], source["url"], source["sha256"])
with user_errors_as_messages():
    provenance = fetch(dataset, smk.output.npz, params.train_limit, params.test_limit)
with open(smk.output.info, "w") as handle:
    json.dump(provenance, handle, indent=2)
print(f"{dataset.name} from {provenance['source']}, sha256 {provenance['sha256']}")
