"""Checkpoint contenders, one round: the coefficients the rule names from the models so far,
and those of them that still need the extra seeds."""

import json

from vaestudy.conclusion import Thresholds, contender_round
from vaestudy.jobs import start_job
from vaestudy.tables import read_metrics


def names(coefficients):
    return ", ".join(f"c = {c:g}" for c in coefficients) or "none"


smk = start_job(snakemake)  # noqa: F821
thresholds = Thresholds.from_settings(smk.params.thresholds)
result = contender_round(read_metrics(smk.input), thresholds, smk.params.extra_seeds)
result = {"round": int(smk.wildcards.round), **result}
with open(smk.output[0], "w") as handle:
    json.dump(result, handle, indent=2)
print(
    f"round {result['round']}: contenders {names(result['contenders'])}; "
    f"new, to get seeds {smk.params.extra_seeds}: {names(result['new'])}"
)
