"""Checkpoint contenders: after the configured seeds, the coefficients that get more seeds."""

import json

from vaestudy.conclusion import Thresholds, contenders
from vaestudy.jobs import start_job
from vaestudy.tables import read_metrics

smk = start_job(snakemake)  # noqa: F821
thresholds = Thresholds.from_settings(smk.params.thresholds)
named = contenders(read_metrics(smk.input), thresholds)
result = {"contenders": named, "extra_seeds": smk.params.extra_seeds}
with open(smk.output[0], "w") as handle:
    json.dump(result, handle, indent=2)
print(f"contenders: c = {', '.join(f'{c:g}' for c in named)}; extra seeds {smk.params.extra_seeds}")
