"""Training a VAE fast on CPU: images as one uint8 tensor, each epoch one compiled call."""

import json
import math
import os
import signal
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

from vaestudy.files import sha256_of, write_durably

HISTORY_COLUMNS = ("epoch", "loss", "reconstruction", "kl", "seconds")


# TensorFlow's XLA auto-clustering held to element-wise operations, for the epoch's graph
# (graph_epoch): each step's activations, losses, casts and their gradients run as a few
# compiled clusters while its products stay oneDNN's kernels, which run them on the CPU's
# bfloat16 units (bench/README.md)
ELEMENTWISE_CLUSTERS = (
    "--tf_xla_auto_jit=2",
    "--tf_xla_cpu_global_jit",
    "--tf_xla_ops_to_cluster=FUSIBLE",
)


# Installed for the study's other jobs, and imported by TensorFlow and Keras, when present, for
# features training never uses (pandas and scikit-learn inputs, image galleries, tf.keras's
# sparse inputs): hidden while TensorFlow is imported, a training job holds about 100 MB less
# (bench/README.md)
TENSORFLOW_EXTRAS = ("pandas", "sklearn", "matplotlib", "scipy")


def import_tensorflow():
    """TensorFlow (with Keras) imported with TENSORFLOW_EXTRAS not yet imported hidden from it;
    they import as usual afterwards, for a job's own use."""
    hidden = [name for name in TENSORFLOW_EXTRAS if name not in sys.modules]
    sys.modules.update(dict.fromkeys(hidden))  # None: "import name" raises ImportError
    try:
        import keras  # noqa: F401
        import tensorflow as tf
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
    return tf


def configure_tensorflow(threads, deterministic=True, graph=False):
    """Size TensorFlow's thread pools (it ignores OMP_NUM_THREADS) and let each process take
    GPU memory as it needs it, not the whole device, so that several jobs can share one GPU;
    for epochs that run as a TensorFlow graph (graph_epoch), turn ELEMENTWISE_CLUSTERS on.
    Call before importing TensorFlow, which reads TF_XLA_FLAGS once, on import (RuntimeError
    for a graph otherwise)."""
    if graph:
        flags = os.environ.get("TF_XLA_FLAGS", "").split()
        if "tensorflow" in sys.modules and not set(ELEMENTWISE_CLUSTERS) <= set(flags):
            raise RuntimeError("configure_tensorflow(graph=True) after importing it")
        os.environ["TF_XLA_FLAGS"] = " ".join(dict.fromkeys([*flags, *ELEMENTWISE_CLUSTERS]))
    tf = import_tensorflow()
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def reproducible_graphs():
    """Set Grappler for the epoch's graph (graph_epoch), before it first runs: constant folding
    off, with which the same graph trained to one of several results from process to process
    (TensorFlow 2.21, op determinism on), without it to one (tested); remapping off, which
    fused each layer's product, bias and activation into a kernel that ran the products
    without AMX (bench/README.md). XLA-compiled functions do not go through Grappler: the
    float32 weights are unchanged."""
    import tensorflow as tf

    tf.config.optimizer.set_experimental_options({"constant_folding": False, "remapping": False})


def bfloat16_units(cpuinfo="/proc/cpuinfo"):
    """Whether this CPU has bfloat16 matrix instructions that oneDNN's kernels use: AMX
    (Linux's flag amx_bf16) or AVX512-BF16 (avx512_bf16), the CPUs on which the bfloat16
    epoch measured faster than float32 (bench/README.md); None where unknown (no such
    file)."""
    from vaestudy.jobs import cpu_fields

    fields = cpu_fields(cpuinfo)
    if not fields:
        return None
    return not {"amx_bf16", "avx512_bf16"}.isdisjoint(fields.get("flags", "").split())


def graph_epoch(precision, units=None):
    """Whether compiled_epoch runs a model of this precision as a TensorFlow graph, whose
    oneDNN kernels run its products on the CPU's bfloat16 units (units: bfloat16_units()
    unless given): bfloat16 on a CPU with AMX or AVX512-BF16. Anywhere else the epoch is one
    XLA loop, in bfloat16 too, which ran it faster than the graph on a CPU without them
    (bench/README.md)."""
    return precision == "bfloat16" and (bfloat16_units() if units is None else units) is True


def epoch_permutation(n, seed, epoch):
    """The image order of one epoch, a pure function of (seed, epoch) so resuming is exact."""
    return np.random.default_rng([seed, epoch]).permutation(n)


def pixel_values():
    """The float32 value of each uint8 pixel level, divided by 255 in numpy exactly as
    load_split does."""
    return np.arange(256, dtype=np.float32) / np.float32(255)


def unit_pixels():
    """A function turning a batch of uint8 pixels into their pixel_values, inside an
    XLA-compiled program or a TensorFlow graph: a division by 255 held in a captured tensor,
    which rounds as NumPy's in both (tested). A literal 255 would not: XLA and Grappler turn
    x / 255 into x * (1 / 255). A 256-entry table gathered per pixel gives the same values,
    more slowly in XLA (bench/README.md)."""
    import tensorflow as tf

    divisor = tf.constant(255.0)
    return lambda batch: tf.math.divide(tf.cast(batch, tf.float32), divisor)


def images_tensor(images):
    """The images as a tensor that shares the memory of a 64-byte-aligned NumPy copy
    (DLPack), so they are held once: tf.constant took twice their size here (91 MB more RSS
    for MNIST's 47 MB of uint8 training images)."""
    import tensorflow as tf

    images = np.asarray(images)
    buffer = np.empty(images.nbytes + 64, np.uint8)
    start = -buffer.ctypes.data % 64  # TensorFlow's kernels need aligned memory
    aligned = buffer[start : start + images.nbytes].view(images.dtype).reshape(images.shape)
    aligned[...] = images
    return tf.experimental.dlpack.from_dlpack(aligned.__dlpack__())


def compiled_epoch(model, n, batch_size, graph=None):
    """One training epoch over n images as one compiled loop over the full batches, each
    gathered from the images in the epoch's order and converted to [0, 1] inside the loop,
    then one compiled step for the short last batch, if any (compiled apart, which keeps the
    compiler's peak memory lower than one program holding both).

    One XLA program, or where graph (graph_epoch(model.precision) unless given) a TensorFlow
    graph, whose oneDNN kernels run the bfloat16 products on the CPU's bfloat16 units (XLA's
    dots do not use them), updating with model.fused_adam, its element-wise work in XLA
    clusters where configure_tensorflow set ELEMENTWISE_CLUSTERS (bench/README.md compares
    the two).
    Returns a function of (images, order) giving the epoch's image-weighted means of (loss,
    reconstruction, KL).
    """
    import tensorflow as tf

    full_batches, rest = divmod(n, batch_size)
    graph = graph_epoch(model.precision) if graph is None else graph
    to_unit = unit_pixels()
    if graph:
        reproducible_graphs()

    def batch_terms(images, indices):
        with tf.name_scope("batch"):  # its gather and conversion, named for bench/breakdown.py
            batch = tf.gather(images, indices)
            if batch.dtype == tf.uint8:
                batch = to_unit(batch)
        return tf.stack(model.train_batch(batch, fused=graph)) * float(batch.shape[0])

    def full_batch_loop(images, order):
        def step(i, totals):
            indices = tf.slice(order, [i * batch_size], [batch_size])
            return i + 1, totals + batch_terms(images, indices)

        start = (tf.constant(0), tf.zeros(3))
        return tf.while_loop(lambda i, _: i < full_batches, step, start)[1]

    # the loop is tf.while_loop already: autograph would only add 0.2 s of tracing
    loop = tf.function(full_batch_loop, jit_compile=not graph, autograph=False)
    last_batch = tf.function(batch_terms, jit_compile=not graph, autograph=False)

    def epoch(images, order):
        totals = loop(images, order) if full_batches else tf.zeros(3)
        if rest:
            totals += last_batch(images, order[full_batches * batch_size :])
        return totals / n

    return epoch


def train_epoch(run_epoch, x, order):
    """One pass over the images x (a tensor) in the given order, by a compiled_epoch
    function; returns the image-weighted means (loss, reconstruction, KL) as numpy."""
    import tensorflow as tf

    return run_epoch(x, tf.constant(order, tf.int32)).numpy()


class Checkpoint:
    """Everything needed to continue after the last finished epoch, in one file replaced
    atomically (written, fsynced, renamed): model and optimiser variables by name (RNG state
    included) and the history.

    `fingerprint` (a JSON-able dict: training settings, data and initial-weights hashes,
    library versions) must match for a resume. A checkpoint that cannot be read, belongs to
    another run or does not fit the model is set aside (renamed, never deleted), with one
    line in the log, and training starts again from the initial weights.
    """

    def __init__(self, directory, fingerprint):
        self.directory = Path(directory)
        self.path = self.directory / "checkpoint.npz"
        self.partial = self.directory / "checkpoint.npz.part"  # see files.write_durably
        self.fingerprint = fingerprint

    def save(self, model, history):
        self.directory.mkdir(parents=True, exist_ok=True)
        arrays = {f"var:{v.path}": v.numpy() for v in _state_variables(model)}
        meta = json.dumps({"fingerprint": self.fingerprint, "history": history})

        def write(partial):
            with open(partial, "wb") as handle:  # a handle: np.savez would add ".npz"
                np.savez(handle, **arrays, meta=np.array(meta))

        write_durably(write, self.path)

    def _read(self, model, max_epochs):
        """(values by variable, history) of the saved state; ValueError if it does not fit."""
        with np.load(self.path, allow_pickle=False) as saved:
            meta = json.loads(str(saved["meta"]))
            values = {k[4:]: saved[k] for k in saved.files if k.startswith("var:")}
        if meta.get("fingerprint") != self.fingerprint:
            raise ValueError("it was written by a run with other settings, data or versions")
        if len(meta["history"]) > max_epochs:
            raise ValueError(f"it holds more than {max_epochs} epochs")
        for variable in _state_variables(model):
            value = values.get(variable.path)
            if value is None or value.shape != tuple(variable.shape):
                raise ValueError(f"variable {variable.path} is missing or has another shape")
        return values, meta["history"]

    def restore(self, model, max_epochs, log=print):
        """Load the saved state into model by variable name; return its history ([] if there
        is none, or if it was set aside)."""
        if not self.path.is_file():
            return []
        try:
            values, history = self._read(model, max_epochs)
        except Exception as error:  # unreadable for any reason: never fail the job on it
            log(f"checkpoint set aside as {self.set_aside()} ({error}); training from the start")
            return []
        for variable in _state_variables(model):
            variable.assign(values[variable.path])
        return history

    def set_aside(self):
        """Rename the checkpoint out of the way (kept for inspection); returns the new path."""
        aside = self.path.with_name(f"checkpoint.unusable-{time.strftime('%Y%m%dT%H%M%S')}.npz")
        os.replace(self.path, aside)
        return aside

    def remove(self):
        self.path.unlink(missing_ok=True)
        self.partial.unlink(missing_ok=True)
        if self.directory.is_dir() and not any(self.directory.iterdir()):
            self.directory.rmdir()


def run_fingerprint(settings, batch_size, images, data_path, init_path):
    """What makes a checkpoint belong to one run: its settings, the data's and the initial
    weights' sha256, the TensorFlow and Keras versions and, in bfloat16, which epoch trains
    it (graph_epoch: the two round differently, so a run resumes only in its own)."""
    bfloat16 = settings.get("precision") == "bfloat16"
    return {
        **settings,
        **({"graph_epoch": graph_epoch("bfloat16")} if bfloat16 else {}),
        "batch_size": batch_size,
        "images": images,
        "data_sha256": sha256_of(data_path),
        "init_sha256": sha256_of(init_path),
        "tensorflow": version("tensorflow"),
        "keras": version("keras"),
    }


def _state_variables(model):
    """Every variable a resume needs: the model's (weights, RNG state) and the optimiser's."""
    return model.variables + model.optimizer.variables


class StopRequest:
    """Notes a SIGTERM (SLURM's time limit or preemption) without acting on it, so that
    training stops after the epoch it is in, with that epoch checkpointed, instead of dying
    mid-write.

    A job should hold SIGTERM from its start (jobs.block_sigterm, before TensorFlow starts its
    threads), since a SIGTERM handled by a thread while an XLA-compiled epoch ran corrupted
    glibc's heap: the job aborted with "corrupted size vs. prev_size". Inside the block the
    signal is held in this thread too, noted by a handler if a thread started earlier takes it,
    and otherwise left pending, which `requested` reads.
    """

    def __enter__(self):
        self.signal = None
        self.previous_handler = signal.signal(signal.SIGTERM, self._note)
        self.previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        return self

    def _note(self, number, frame):
        self.signal = number

    def requested(self):
        """Whether a SIGTERM came: noted by the handler, or held pending (then taken)."""
        if self.signal is None and signal.SIGTERM in signal.sigpending():
            self.signal = signal.sigwait({signal.SIGTERM})  # pending: returns at once
        return self.signal is not None

    def __exit__(self, *exc):
        # the mask first: a SIGTERM still pending then meets this handler, not the default
        signal.pthread_sigmask(signal.SIG_SETMASK, self.previous_mask)
        signal.signal(signal.SIGTERM, self.previous_handler)


class TrainingStopped(RuntimeError):
    """Training stopped early on request; its last finished epoch is checkpointed."""


def train(
    model, x, epochs, batch_size, seed, checkpoint=None, log=print, on_epoch=None, graph=None
):
    """Train for `epochs` on images x (uint8 pixels, or floats in [0, 1]); resume from
    `checkpoint` if it holds finished epochs. `on_epoch` is called with each epoch's history
    row, the resumed ones first (events.EpochEvents); graph as for compiled_epoch.

    Returns the history (one dict per epoch) and whether training diverged (NaN/inf loss).
    """
    import tensorflow as tf

    history = checkpoint.restore(model, epochs, log) if checkpoint else []
    if history:
        log(f"resuming after epoch {history[-1]['epoch']} from {checkpoint.directory}")
    on_epoch = on_epoch or (lambda row: None)
    for row in history:
        on_epoch(row)
    x = x if tf.is_tensor(x) else images_tensor(x)
    run_epoch = compiled_epoch(model, len(x), batch_size, graph)
    with StopRequest() as stop:
        loop = (run_epoch, x, epochs, seed, history, checkpoint, log, on_epoch, stop)
        return _epochs(model, *loop)


def _epochs(model, run_epoch, x, epochs, seed, history, checkpoint, log, on_epoch, stop):
    """The epoch loop of train; raises TrainingStopped after a SIGTERM."""
    for epoch in range(len(history) + 1, epochs + 1):
        start = time.perf_counter()
        loss, reconstruction, kl = train_epoch(run_epoch, x, epoch_permutation(len(x), seed, epoch))
        row = {
            "epoch": epoch,
            "loss": float(loss),
            "reconstruction": float(reconstruction),
            "kl": float(kl),
            "seconds": time.perf_counter() - start,
        }
        history.append(row)
        on_epoch(row)
        log(
            f"epoch {epoch}/{epochs}  loss {loss:.3f}  reconstruction {reconstruction:.3f}  "
            f"kl {kl:.3f}  {row['seconds']:.2f} s"
        )
        if not math.isfinite(loss):
            log(f"loss became {loss} in epoch {epoch}: training diverged, stopping")
            return history, True
        if checkpoint:
            checkpoint.save(model, history)
        if stop.requested() and epoch < epochs:
            resume = ", which is checkpointed; run the same command again to resume"
            raise TrainingStopped(
                f"stopped by SIGTERM after epoch {epoch}/{epochs}{resume if checkpoint else ''}"
            )
    return history, False
