"""Rule train_vae: train one VAE from the seed's initial weights, resuming a checkpoint."""

import json
import os
import shutil
import sys

from vaestudy.jobs import peak_rss_mb, start_job
from vaestudy.provenance import digest, script_root, workflow_version
from vaestudy.training import (
    HISTORY_COLUMNS,
    Checkpoint,
    TrainingStopped,
    bfloat16_units,
    graph_epoch,
    images_tensor,
    run_fingerprint,
    train,
)

smk = start_job(
    snakemake,  # noqa: F821
    tensorflow=True,
    hold_sigterm=True,
    precision=snakemake.params.model["precision"],  # noqa: F821
)

from vaestudy.data import load_pixels  # noqa: E402
from vaestudy.events import EpochEvents  # noqa: E402
from vaestudy.model import build_vae, model_settings  # noqa: E402

wildcards = smk.wildcards
settings = model_settings(
    smk.params.model, wildcards.latent_dim, wildcards.coefficient, wildcards.seed, wildcards.loss
)
vae = build_vae(**settings)
vae.load_initial(smk.input.init)
# the uint8 images once, as a tensor; the array they are read into is dropped at once
x_train = images_tensor(load_pixels(smk.input.data, "train", smk.params.train_limit)[0])
fingerprint = run_fingerprint(
    settings, smk.params.batch_size, len(x_train), smk.input.data, smk.input.init
)
checkpoint = Checkpoint(smk.params.checkpoint, fingerprint)
print(
    f"training c={wildcards.coefficient} ({settings['loss']} loss: "
    f"c={settings['kl_coefficient']:g} as typed) seed={settings['seed']} on {len(x_train)} "
    f"{wildcards.dataset} images, "
    f"{settings['latent_dim']}-D latent, {smk.params.epochs} epochs, {smk.threads} thread(s)"
)
if settings["precision"] == "bfloat16" and bfloat16_units() is False:
    print(
        "note: this CPU has no bfloat16 units (AMX or AVX512-BF16), so bfloat16 trains a "
        "little slower than float32 here"
    )
shutil.rmtree(smk.params.events, ignore_errors=True)  # rewritten whole, resumed epochs first
events = EpochEvents(smk.params.events)
try:
    history, diverged = train(
        vae,
        x_train,
        smk.params.epochs,
        smk.params.batch_size,
        settings["seed"],
        checkpoint,
        on_epoch=events,
    )
except TrainingStopped as stopped:
    print(stopped, flush=True)
    sys.exit(1)
events.close()
vae.save_weights(smk.output.weights)
import pandas as pd  # noqa: E402 (after training: TensorFlow imports without it)

pd.DataFrame(history, columns=HISTORY_COLUMNS).to_csv(smk.output.history, index=False)
status = {
    "diverged": diverged,
    "epochs": len(history),
    "train_seconds": sum(row["seconds"] for row in history),
    "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
    "peak_rss_mb": peak_rss_mb(),
    "typed_coefficient": settings["kl_coefficient"],
    # how its epochs ran here: a TensorFlow graph (bfloat16 with bfloat16 units) or XLA's loop
    "graph_epoch": graph_epoch(settings["precision"]),
    **{f"workflow_{key}": value for key, value in workflow_version(script_root(smk)).items()},
    # what made this model: its settings, data, initial weights and library versions
    "training_hash": digest(fingerprint),
}
with open(smk.output.status, "w") as handle:
    json.dump(status, handle, indent=2)
checkpoint.remove()
print(f"done: {json.dumps(status)}")
