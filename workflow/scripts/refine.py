"""Checkpoint refine, one round: the models to add where they narrow the answer most."""

import json

from vaestudy import wording
from vaestudy.conclusion import level_answers, read_units
from vaestudy.jobs import start_job
from vaestudy.levels import Level
from vaestudy.refinement import additions
from vaestudy.tables import read_metrics

smk = start_job(snakemake)  # noqa: F821
frame = read_metrics(smk.input.metrics)
level = Level.of(smk.wildcards)
units = read_units(smk.input.paired).get(level, {})
answers = level_answers(frame, units, {"confidence": smk.params.confidence})
budget = smk.params.budget - (len(frame) - smk.params.configured)
added, left_out, status = additions(answers, smk.params.seeds, budget)
result = {
    **vars(level),
    "round": int(smk.wildcards.round),
    "models": len(frame),
    "budget_left": budget - sum(len(a.seeds) for a in added),
    "add": [a.record() for a in added],
    "left_out": [a.record() for a in left_out],
    "status": status,
    "answers": {a.criterion.key: {"best": a.best, "interval": a.interval} for a in answers},
}
with open(smk.output[0], "w") as handle:
    json.dump(result, handle, indent=2)
for a in answers:
    shown = wording.headline({"best": a.best, "interval": a.interval})
    print(f"round {result['round']}: {a.criterion.name} {shown}")
print(f"adds {json.dumps(result['add'])}; left out by the budget {json.dumps(result['left_out'])}")
