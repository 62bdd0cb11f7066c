"""Rule plot_levels: every criterion's verdict on every coefficient at every level."""

import json

from vaestudy import answer_plots
from vaestudy.jobs import start_job

smk = start_job(snakemake)  # noqa: F821
with open(smk.input[0]) as handle:
    answer_plots.level_verdicts(smk.output[0], json.load(handle)["levels"])
