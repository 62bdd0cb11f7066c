"""Rule report: results/report.html from the answer, the metrics, the figures and
provenance."""

import json
from pathlib import Path

import pandas as pd

from vaestudy import report
from vaestudy.conclusion import read_units
from vaestudy.jobs import start_job
from vaestudy.levels import Level
from vaestudy.provenance import script_root, workflow_version
from vaestudy.reference import load_reference

smk = start_job(snakemake)  # noqa: F821
per_model = pd.read_csv(smk.input.metrics)
settings = smk.params.settings
levels = [Level.from_key(key) for key in smk.params.levels]
model_figures = zip(smk.input.encoders, smk.input.manifolds, smk.input.classes, strict=True)
figures = {
    "prior": smk.input.prior,
    "levels": smk.input.levels,
    "studies": {
        level: dict(zip(report.STUDY_FIGURES, paths, strict=True))
        for level, *paths in zip(
            levels, *(smk.input[name] for name in report.STUDY_FIGURES), strict=True
        )
    },
    "models": {
        (Level.of(m), int(m["seed"]), float(m["coefficient"])): dict(
            zip(report.MODEL_FIGURES, paths, strict=True)
        )
        for m, paths in zip(smk.params.models, model_figures, strict=True)
    },
}
decoders = [json.loads(Path(path).read_text()) for path in smk.input.explorer]
figures["explorers"] = {level: [d for d in decoders if Level.of(d) == level] for level in levels}
data, classifiers = {}, {}
for name, info, classifier in zip(
    smk.params.datasets, smk.input.data_info, smk.input.classifiers, strict=True
):
    with open(info) as handle:
        data[name] = json.load(handle)
    data[name]["train_images"] = settings["train_limit"] or data[name]["sizes"]["train"]
    data[name]["test_images"] = settings["test_limit"] or data[name]["sizes"]["test"]
    with open(classifier) as handle:
        classifiers[name] = json.load(handle)
with open(smk.input.conclusion) as handle:
    conclusion = json.load(handle)
published = load_reference(smk.input.published)
version = workflow_version(script_root(smk))
units = read_units(smk.input.paired)
context = report.build_context(
    settings, per_model, figures, data, classifiers, conclusion, published, version, units
)
with open(smk.output.html, "w") as handle:
    handle.write(report.render(smk.input.template, context))
print(f"report: {smk.output.html}")
