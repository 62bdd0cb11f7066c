"""Rule plot_answer: one level's criteria against c, the intervals shaded."""

import json

from vaestudy import answer_plots
from vaestudy.jobs import start_job
from vaestudy.levels import Level

smk = start_job(snakemake)  # noqa: F821
with open(smk.input[0]) as handle:
    levels = json.load(handle)["levels"]
level = Level.of(smk.wildcards)
record = next(r for r in levels if Level.of(r) == level)
answer_plots.answer_figure(smk.output[0], record)
