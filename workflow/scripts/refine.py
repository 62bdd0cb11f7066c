"""Checkpoint refine, one round: the models to add where the answer is decided."""

import json

import pandas as pd

from vaestudy import wording
from vaestudy.conclusion import level_units, read_units
from vaestudy.criteria import CRITERIA, answer
from vaestudy.jobs import start_job
from vaestudy.refinement import additions

smk = start_job(snakemake)  # noqa: F821
frame = pd.DataFrame([json.loads(open(path).read()) for path in smk.input.metrics])
units = read_units(smk.input.paired)
answers = [answer(frame, c, level_units(units, c.key), smk.params.confidence) for c in CRITERIA]
budget = smk.params.budget - (len(frame) - smk.params.configured)
added, left_out = additions(answers, smk.params.seeds, budget)
result = {
    "round": int(smk.wildcards.round),
    "models": len(frame),
    "budget_left": budget - sum(len(a.seeds) for a in added),
    "add": [a.record() for a in added],
    "left_out": [a.record() for a in left_out],
    "answers": {a.criterion.key: {"best": a.best, "interval": a.interval} for a in answers},
}
with open(smk.output[0], "w") as handle:
    json.dump(result, handle, indent=2)
for a in answers:
    shown = wording.headline({"best": a.best, "interval": a.interval})
    print(f"round {result['round']}: {a.criterion.name} {shown}")
print(f"adds {json.dumps(result['add'])}; left out by the budget {json.dumps(result['left_out'])}")
