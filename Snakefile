# The KL-coefficient VAE study: see README.md. Rules live in workflow/rules/, one file per stage.
import os

from snakemake.utils import min_version

min_version("9.0")


# The study's defaults, next to this file (also when run with --directory elsewhere).
configfile: os.path.join(workflow.basedir, "config.yaml")


report: "report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/plots.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        "results/report.html",
        # each level's first round: Snakemake would not rerun a finished run's report for a
        # level added to it (a missing checkpoint output below an existing file), so ask
        [level.path(ROUND, round=0) for level in LEVELS],
