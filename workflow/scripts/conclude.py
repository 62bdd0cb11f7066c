"""Rule conclude: results/tables/conclusion.json, every level's answer and the comparison
across levels."""

import json
from pathlib import Path

import pandas as pd

from vaestudy.conclusion import level_record, read_units, study_record
from vaestudy.jobs import start_job
from vaestudy.levels import Level
from vaestudy.provenance import script_root, settings_hash, workflow_version

smk = start_job(snakemake)  # noqa: F821
per_model = pd.read_csv(smk.input.metrics)
settings = smk.params.settings
units = read_units(smk.input.paired)
rounds, sweeps = {}, {}
for path in smk.input.rounds:
    found = json.loads(Path(path).read_text())
    rounds.setdefault((found["dataset"], found["latent_dim"]), []).append(found)
for path in smk.input.sweeps:
    found = json.loads(Path(path).read_text())
    sweeps.setdefault((found["dataset"], found["latent_dim"]), []).append(found)
records = []
for dataset, latent_dim in smk.params.levels:
    level = Level(dataset, latent_dim)
    frame = per_model[(per_model["dataset"] == dataset) & (per_model["latent_dim"] == latent_dim)]
    level_rounds = sorted(rounds.get((dataset, latent_dim), []), key=lambda r: r["round"])
    records.append(
        level_record(
            frame,
            units.get((dataset, latent_dim), {}),
            settings,
            level,
            level_rounds,
            sorted(sweeps.get((dataset, latent_dim), []), key=lambda s: s["coefficient"]),
        )
    )
result = study_record(records)
result["provenance"] = {
    "workflow": workflow_version(script_root(smk)),
    "settings_hash": settings_hash(settings),
}
with open(smk.output[0], "w") as handle:
    json.dump(result, handle, indent=2)
for record in records:
    print(f"{record['level']}: {record['summary']}")
