"""Training a VAE fast on CPU: data as one tensor, one XLA-compiled step per batch, resumable."""

import json
import math
import os
import time
from pathlib import Path

import numpy as np

HISTORY_COLUMNS = ("epoch", "loss", "reconstruction", "kl", "seconds")


def configure_tensorflow(threads, deterministic=True):
    """Size TensorFlow's thread pools (it ignores OMP_NUM_THREADS); call before any op."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def epoch_permutation(n, seed, epoch):
    """The image order of one epoch, a pure function of (seed, epoch) so resuming is exact."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def _compiled_step(model):
    """One training step as a graph: XLA-compiled in float32; in bfloat16 TensorFlow's own
    (oneDNN) kernels, which measured faster than XLA's here (bench/benchmark.py --precision)."""
    import tensorflow as tf

    jit = model.precision == "float32"
    return tf.function(lambda batch: tf.stack(model.train_batch(batch)), jit_compile=jit)


def train_epoch(step, x, batch_size, order):
    """One pass over x in the given order; returns image-weighted means (loss, rec, kl)."""
    import tensorflow as tf

    shuffled = tf.gather(x, order)
    totals = []
    for start in range(0, len(order), batch_size):
        batch = shuffled[start : start + batch_size]
        totals.append(step(batch) * float(batch.shape[0]))
    return (tf.add_n(totals) / len(order)).numpy()


class Checkpoint:
    """Everything needed to continue after the last finished epoch, in one file replaced
    atomically: model and optimiser variables (RNG state included) and the history.

    `fingerprint` (a JSON-able dict of the training settings) must match for a resume, so a
    checkpoint left by a run with other settings is never continued.
    """

    def __init__(self, directory, fingerprint):
        self.directory = Path(directory)
        self.path = self.directory / "checkpoint.npz"
        self.fingerprint = fingerprint

    def save(self, model, history):
        self.directory.mkdir(parents=True, exist_ok=True)
        values = [v.numpy() for v in model.variables + model.optimizer.variables]
        meta = json.dumps({"fingerprint": self.fingerprint, "history": history})
        tmp = self.directory / "checkpoint.tmp.npz"
        np.savez(tmp, *values, meta=np.array(meta))
        os.replace(tmp, self.path)

    def restore(self, model, max_epochs):
        """Load the saved state into model; return its history ([] if none fits)."""
        if not self.path.is_file():
            return []
        variables = model.variables + model.optimizer.variables
        with np.load(self.path) as saved:
            meta = json.loads(str(saved["meta"]))
            values = [saved[f"arr_{i}"] for i in range(len(saved.files) - 1)]
        history = meta["history"]
        if (
            meta["fingerprint"] != self.fingerprint
            or len(history) > max_epochs
            or len(values) != len(variables)
        ):
            return []
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)
        return history

    def remove(self):
        self.path.unlink(missing_ok=True)
        if self.directory.is_dir() and not any(self.directory.iterdir()):
            self.directory.rmdir()


def train(model, x, epochs, batch_size, seed, checkpoint=None, log=print):
    """Train for `epochs`; resume from `checkpoint` if it holds finished epochs.

    Returns the history (one dict per epoch) and whether training diverged (NaN/inf loss).
    """
    import tensorflow as tf

    history = checkpoint.restore(model, epochs) if checkpoint else []
    if history:
        log(f"resuming after epoch {history[-1]['epoch']} from {checkpoint.directory}")
    x = tf.constant(x)
    step = _compiled_step(model)
    for epoch in range(len(history) + 1, epochs + 1):
        start = time.perf_counter()
        loss, reconstruction, kl = train_epoch(
            step, x, batch_size, epoch_permutation(len(x), seed, epoch)
        )
        row = {
            "epoch": epoch,
            "loss": float(loss),
            "reconstruction": float(reconstruction),
            "kl": float(kl),
            "seconds": time.perf_counter() - start,
        }
        history.append(row)
        log(
            f"epoch {epoch}/{epochs}  loss {loss:.3f}  reconstruction {reconstruction:.3f}  "
            f"kl {kl:.3f}  {row['seconds']:.2f} s"
        )
        if not math.isfinite(loss):
            log(f"loss became {loss} in epoch {epoch}: training diverged, stopping")
            return history, True
        if checkpoint:
            checkpoint.save(model, history)
    return history, False
