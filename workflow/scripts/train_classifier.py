"""Rule train_classifier: the digit classifier that judges the decoders, its temperature,
accuracy, calibration and bias."""

import json

from vaestudy.jobs import start_job

smk = start_job(snakemake, tensorflow=True)  # noqa: F821

from vaestudy import classifier  # noqa: E402
from vaestudy.data import load_split  # noqa: E402
from vaestudy.summaries import floor_summary  # noqa: E402

x_train, y_train = load_split(smk.input.data, "train", smk.params.train_limit)
x_test, y_test = load_split(smk.input.data, "test", smk.params.test_limit)
judge, fit_images, held_out = classifier.train_judge(x_train, y_train, smk.params.epochs, seed=0)
(_, _), (x_held_out, _) = classifier.split_held_out(x_train, y_train)
result = {
    **classifier.assess(judge, x_test, y_test),
    **floor_summary(judge.read(x_held_out)[1], judge.read(x_test)[1]),
    "train_images": fit_images,
    "held_out_images": held_out,
    "test_images": len(x_test),
    "epochs": smk.params.epochs,
}
judge.model.save_weights(smk.output.weights)
with open(smk.output.accuracy, "w") as handle:
    json.dump(result, handle, indent=2)
print(json.dumps(result))
