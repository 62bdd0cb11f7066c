"""Rule report: render results/report.html from the table, the figures and provenance."""

import json

import pandas as pd

from vaestudy import report
from vaestudy.jobs import log_to

smk = snakemake  # noqa: F821
log_to(smk.log[0])
losses = pd.read_csv(smk.input.losses)
figures = {
    "prior": smk.input.prior,
    "models": {
        (seed, float(c)): {"encoder": enc, "manifold": man}
        for (seed, c), enc, man in zip(
            smk.params.models, smk.input.encoders, smk.input.manifolds, strict=True
        )
    },
}
with open(smk.input.data_info) as handle:
    data = json.load(handle)
data["train_images"] = smk.config["train_limit"] or data["sizes"]["train"]
data["test_images"] = smk.config["test_limit"] or data["sizes"]["test"]
context = report.build_context(smk.config, losses, figures, data)
with open(smk.output[0], "w") as handle:
    handle.write(report.render(smk.input.template, context))
print(f"report: {smk.output[0]}; recommended c = {context['recommended']}")
