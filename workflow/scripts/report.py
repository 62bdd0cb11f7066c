"""Rule report: render results/report.html from the metrics, the figures and provenance."""

import json

import pandas as pd

from vaestudy import report
from vaestudy.jobs import start_job
from vaestudy.provenance import script_root, workflow_version
from vaestudy.reference import load_reference

smk = start_job(snakemake)  # noqa: F821
metrics = pd.read_csv(smk.input.metrics)
per_model = zip(smk.input.encoders, smk.input.manifolds, smk.input.classes, strict=True)
figures = {
    "prior": smk.input.prior,
    **{name: smk.input[name] for name in report.STUDY_FIGURES},
    "models": {
        (seed, float(c)): dict(zip(report.MODEL_FIGURES, paths, strict=True))
        for (seed, c), paths in zip(smk.params.models, per_model, strict=True)
    },
}
with open(smk.input.data_info) as handle:
    data = json.load(handle)
settings = smk.params.settings
data["train_images"] = settings["train_limit"] or data["sizes"]["train"]
data["test_images"] = settings["test_limit"] or data["sizes"]["test"]
with open(smk.input.classifier) as handle:
    classifier = json.load(handle)
published = load_reference(smk.input.published)
version = workflow_version(script_root(smk))
context = report.build_context(settings, metrics, figures, data, classifier, published, version)
with open(smk.output.conclusion, "w") as handle:
    provenance = {"workflow": version, "settings_hash": context["settings_hash"]}
    json.dump({**context["conclusion"], "provenance": provenance}, handle, indent=2)
with open(smk.output.html, "w") as handle:
    handle.write(report.render(smk.input.template, context))
print(f"report: {smk.output.html}; recommended c = {context['recommended']}")
