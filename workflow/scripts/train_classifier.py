"""Rule train_classifier: the digit classifier that reads the decoders' images, its temperature,
accuracy, calibration and bias."""

import json

from vaestudy.jobs import start_job

smk = start_job(snakemake, tensorflow=True)  # noqa: F821

from vaestudy.classifier import assess, split_held_out, train_classifier  # noqa: E402
from vaestudy.data import load_split  # noqa: E402
from vaestudy.summaries import floor_summary  # noqa: E402

x_train, y_train = load_split(smk.input.data, "train", smk.params.train_limit)
x_test, y_test = load_split(smk.input.data, "test", smk.params.test_limit)
classifier, fit_images, held_out = train_classifier(x_train, y_train, smk.params.epochs, seed=0)
(_, _), (x_held_out, _) = split_held_out(x_train, y_train)
result = {
    **assess(classifier, x_test, y_test),
    **floor_summary(classifier.read(x_held_out)[1], classifier.read(x_test)[1]),
    "train_images": fit_images,
    "held_out_images": held_out,
    "test_images": len(x_test),
    "epochs": smk.params.epochs,
}
classifier.model.save_weights(smk.output.weights)
with open(smk.output.record, "w") as handle:
    json.dump(result, handle, indent=2)
print(json.dumps(result))
