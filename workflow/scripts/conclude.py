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
records = []
for (dataset, latent_dim), sweep in zip(smk.params.levels, smk.input.sweeps, strict=True):
    level = Level(dataset, latent_dim)
    part = f"/{dataset}/z{latent_dim}/"
    frame = per_model[(per_model["dataset"] == dataset) & (per_model["latent_dim"] == latent_dim)]
    units = read_units([p for p in smk.input.paired if part in p])
    rounds = [json.loads(Path(p).read_text()) for p in smk.input.rounds if part in p]
    rounds.sort(key=lambda r: r["round"])
    sweep = json.loads(Path(sweep).read_text())
    records.append(level_record(frame, units, settings, level, rounds, sweep))
result = study_record(records)
result["provenance"] = {
    "workflow": workflow_version(script_root(smk)),
    "settings_hash": settings_hash(settings),
}
with open(smk.output[0], "w") as handle:
    json.dump(result, handle, indent=2)
for record in records:
    print(f"{record['level']}: {record['summary']}")
