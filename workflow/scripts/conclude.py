"""Rule conclude: results/tables/conclusion.json, every level's answer and the comparison
across levels."""

import json
from pathlib import Path

import pandas as pd

from vaestudy.conclusion import level_record, read_units, study_record
from vaestudy.jobs import start_job
from vaestudy.levels import Level
from vaestudy.provenance import script_root, workflow_version

smk = start_job(snakemake)  # noqa: F821
per_model = pd.read_csv(smk.input.metrics)
settings = smk.params.settings
units = read_units(smk.input.paired)
rounds, sweeps = {}, {}
for path in smk.input.rounds:
    found = json.loads(Path(path).read_text())
    rounds.setdefault(Level.of(found), []).append(found)
for path in smk.input.sweeps:
    found = json.loads(Path(path).read_text())
    sweeps.setdefault(Level.of(found), []).append(found)
records = []
for level in map(Level.from_key, smk.params.levels):
    records.append(
        level_record(
            level.rows(per_model),
            units.get(level, {}),
            settings,
            level,
            sorted(rounds.get(level, []), key=lambda r: r["round"]),
            sorted(sweeps.get(level, []), key=lambda s: s["coefficient"]),
        )
    )
result = study_record(records, settings["confidence"])
result["provenance"] = {
    "workflow": workflow_version(script_root(smk)),
    # the settings the answer depends on (the report's settings hash covers every setting)
    "answer_settings": settings,
}
with open(smk.output[0], "w") as handle:
    json.dump(result, handle, indent=2)
for record in records:
    print(f"{record['level']}: {record['summary']}")
