"""Keras model round trips, reproducibility, and checkpoint resume equal to an unbroken run."""

import os
import shutil
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest

from vaestudy import training
from vaestudy.model import build_vae


@pytest.fixture(scope="module")
def images():
    # four whole batches of 64: no short last batch to compile (tests below take one)
    return np.random.default_rng(0).random((256, 784)).astype("float32")


def _model(c=1.0, precision="float32"):
    return build_vae(2, 32, kl_coefficient=c, seed=0, precision=precision)


def _weights(model):
    return [v.numpy() for v in model.weights]


def _unbroken(images, epochs):
    model = _model()
    history, _ = training.train(model, images, epochs, 64, seed=0, log=lambda m: None)
    return history, _weights(model)


@pytest.fixture(scope="module")
def three_epochs(images):
    """(history, weights) of the test model trained for three epochs without a break."""
    return _unbroken(images, 3)


@pytest.fixture(scope="module")
def two_epochs(images):
    return _unbroken(images, 2)


@pytest.fixture(scope="module")
def first_epoch(images, tmp_path_factory):
    """A checkpoint after one epoch (its folder, to copy) and the weights it holds."""
    folder = tmp_path_factory.mktemp("first_epoch")
    model = _model()
    _train(model, images, 1, folder)
    return folder / "checkpoint.npz", _weights(model)


def _with_checkpoint(first_epoch, folder):
    """folder, holding a copy of the one-epoch checkpoint."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(first_epoch[0], folder / "checkpoint.npz")
    return folder


def test_save_and_load_weights_round_trip(tmp_path):
    path = tmp_path / "vae.weights.h5"
    original = _model()
    original.save_weights(path)
    other = build_vae(2, 32, 1.0, seed=5)
    other.load_weights(path)
    for a, b in zip(_weights(original), _weights(other), strict=True):
        np.testing.assert_array_equal(a, b)


def test_same_seed_same_initial_weights_whatever_the_coefficient():
    for a, b in zip(_weights(_model(0.0)), _weights(_model(20.0)), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow  # trains or compiles models (seconds each)
def test_training_lowers_the_loss_and_is_reproducible(images, three_epochs):
    model = _model()
    history, diverged = training.train(model, images, 3, 64, seed=0, log=lambda m: None)
    assert not diverged and len(history) == 3
    assert history[-1]["loss"] < history[0]["loss"]
    for a, b in zip(_weights(model), three_epochs[1], strict=True):
        np.testing.assert_array_equal(a, b)
    assert [r["loss"] for r in history] == [r["loss"] for r in three_epochs[0]]


@pytest.mark.slow  # trains or compiles models (seconds each)
def test_resume_from_checkpoint_equals_an_unbroken_run(tmp_path, images, three_epochs):
    fingerprint = {"run": "test"}
    first = _model()
    training.train(
        first,
        images,
        2,
        64,
        seed=0,
        checkpoint=training.Checkpoint(tmp_path, fingerprint),
        log=lambda m: None,
    )
    resumed = _model()
    messages = []
    history, _ = training.train(
        resumed,
        images,
        3,
        64,
        seed=0,
        checkpoint=training.Checkpoint(tmp_path, fingerprint),
        log=messages.append,
    )
    assert messages[0].startswith("resuming after epoch 2")
    assert [row["epoch"] for row in history] == [1, 2, 3]
    for a, b in zip(three_epochs[1], _weights(resumed), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow  # trains full MNIST epochs in child processes (about 1 minute)
def test_bfloat16_graph_trains_the_same_in_every_process_and_resumes_exactly(tmp_path, mnist_path):
    # the bfloat16 epoch on bfloat16 units runs as a TensorFlow graph, optimised anew by each
    # process; with Grappler's constant folding on, three of four processes training one full
    # MNIST epoch from the same weights ended with different weights (smaller runs did not
    # show it). Two processes of two epochs and a third resuming its second epoch from a
    # checkpoint end bit for bit alike (training.reproducible_graphs)
    script = tmp_path / "train.py"
    script.write_text(BFLOAT16_RUN)
    runs = [("first", 2), ("second", 2), ("resumed", 1), ("resumed", 2)]
    for folder, epochs in runs:
        command = [sys.executable, str(script), str(mnist_path), str(tmp_path / folder)]
        subprocess.run([*command, str(epochs)], check=True, capture_output=True, timeout=900)
    outcomes = [np.load(tmp_path / folder / "weights.npz") for folder in ("first", "second")]
    outcomes.append(np.load(tmp_path / "resumed" / "weights.npz"))
    assert "resuming after epoch 1" in (tmp_path / "resumed.log").read_text()
    first = outcomes[0]
    for other in outcomes[1:]:
        assert other.files == first.files
        for name in first.files:
            np.testing.assert_array_equal(other[name], first[name])


def test_a_graph_epoch_clusters_its_elementwise_work_from_tensorflows_import_on():
    # TensorFlow reads TF_XLA_FLAGS once, on import: configure_tensorflow adds the clustering
    # flags to a user's own before it, once however often it is called, and refuses after it
    script = (
        "import os; from vaestudy import training\n"
        "training.configure_tensorflow(1, graph=True)\n"
        "training.configure_tensorflow(1, graph=True)\n"
        "print(os.environ['TF_XLA_FLAGS'])\n"
    )
    env = {**os.environ, "TF_XLA_FLAGS": "--tf_xla_clustering_debug"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    flags = done.stdout.split()
    assert flags == ["--tf_xla_clustering_debug", *training.ELEMENTWISE_CLUSTERS]


def test_a_graph_epoch_set_up_after_tensorflows_import_is_refused(monkeypatch):
    import tensorflow  # noqa: F401  the test process has it already

    monkeypatch.delenv("TF_XLA_FLAGS", raising=False)
    with pytest.raises(RuntimeError, match="after importing"):
        training.configure_tensorflow(1, graph=True)
    assert "TF_XLA_FLAGS" not in os.environ


BFLOAT16_RUN = """
import sys
from pathlib import Path
import numpy as np
from vaestudy import training
from vaestudy.data import load_pixels

training.configure_tensorflow(1, graph=True)  # before TensorFlow's import

from vaestudy.model import build_vae
mnist, folder, epochs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
images, _ = load_pixels(mnist, "train")
model = build_vae(2, 512, 1.0, seed=0, precision="bfloat16")
checkpoint = training.Checkpoint(folder, {"run": "bfloat16"})
with open(folder.parent / f"{folder.name}.log", "a") as log:
    training.train(model, images, epochs, 128, seed=0, checkpoint=checkpoint,
                   log=lambda line: print(line, file=log), graph=True)
state = model.weights + model.optimizer.variables
np.savez(folder / "weights.npz", **{f"v{i}": v.numpy() for i, v in enumerate(state)})
"""


@pytest.mark.slow  # trains or compiles models (seconds each)
def test_checkpoint_of_other_settings_is_not_resumed(tmp_path, images):
    _train(_model(), images, 1, tmp_path, fingerprint={"lr": 1})
    messages = []
    _train(_model(), images, 1, tmp_path, fingerprint={"lr": 2}, log=messages.append)
    assert not any(m.startswith("resuming") for m in messages)
    assert any(m.startswith("checkpoint set aside as ") and "other settings" in m for m in messages)
    assert len(list(tmp_path.glob("checkpoint.unusable-*.npz"))) == 1


def _train(model, images, epochs, checkpoint_dir, fingerprint=None, log=None):
    checkpoint = training.Checkpoint(checkpoint_dir, fingerprint or {"run": "test"})
    return training.train(
        model, images, epochs, 64, seed=0, checkpoint=checkpoint, log=log or (lambda m: None)
    )


@pytest.mark.slow  # trains or compiles models (seconds each)
@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"\x00" * 100),  # a node crashed while writing
        lambda path: path.write_bytes(path.read_bytes()[:1000]),  # the disk filled up
        lambda path: np.savez(path, meta=np.array("{}")),  # another version's layout
    ],
    ids=["garbage", "truncated", "other-layout"],
)
def test_an_unusable_checkpoint_is_set_aside_and_training_starts_over(
    tmp_path, images, damage, two_epochs, first_epoch
):
    _with_checkpoint(first_epoch, tmp_path)
    damage(tmp_path / "checkpoint.npz")
    messages = []
    history, _ = _train(_model(), images, 2, tmp_path, log=messages.append)
    assert [row["epoch"] for row in history] == [1, 2]
    assert messages[0].startswith("checkpoint set aside as ") and "\n" not in messages[0]
    assert len(list(tmp_path.glob("checkpoint.unusable-*.npz"))) == 1
    for a, b in zip(two_epochs[1], _weights(_model_after(images, tmp_path)), strict=True):
        np.testing.assert_array_equal(a, b)


def _model_after(images, checkpoint_dir):
    """A model restored from the checkpoint left in checkpoint_dir (2 epochs)."""
    model = _model()
    training.Checkpoint(checkpoint_dir, {"run": "test"}).restore(model, 2)
    return model


@pytest.mark.slow  # trains or compiles models (seconds each)
def test_checkpoint_restores_variables_by_name_not_position(tmp_path, first_epoch):
    path = _with_checkpoint(first_epoch, tmp_path) / "checkpoint.npz"
    with np.load(path) as saved:
        arrays = {key: saved[key] for key in reversed(saved.files)}
    np.savez(path, **arrays)  # the same state, stored in the opposite order
    restored = _model()
    history = training.Checkpoint(tmp_path, {"run": "test"}).restore(restored, 5)
    assert len(history) == 1
    for a, b in zip(first_epoch[1], _weights(restored), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_stray_temporary_file_does_not_block_cleaning_up(tmp_path, images):
    checkpoint = training.Checkpoint(tmp_path / "c1", {"run": "test"})
    checkpoint.directory.mkdir()
    checkpoint.partial.write_bytes(b"half a checkpoint")
    checkpoint.remove()
    assert not checkpoint.directory.exists()


@pytest.mark.slow  # trains or compiles models (seconds each)
def test_sigterm_stops_after_the_epoch_and_the_rerun_resumes_exactly(
    tmp_path, images, three_epochs
):
    def terminate_in_epoch_one(message):
        if message.startswith("epoch 1/"):
            os.kill(os.getpid(), signal.SIGTERM)  # as SLURM does at the time limit

    with pytest.raises(training.TrainingStopped, match="after epoch 1/3, which is checkpointed"):
        _train(_model(), images, 3, tmp_path, log=terminate_in_epoch_one)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handler put back
    assert signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # and the mask
    messages = []
    resumed = _model()
    history, _ = _train(resumed, images, 3, tmp_path, log=messages.append)
    assert messages[0].startswith("resuming after epoch")
    assert [row["epoch"] for row in history] == [1, 2, 3]
    for a, b in zip(three_epochs[1], _weights(resumed), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_sigterm_held_pending_is_read_as_a_stop_request():
    """The path of a training job, which blocks SIGTERM in all its threads: the signal
    stays pending, and StopRequest takes it."""
    with training.StopRequest() as stop:
        assert not stop.requested()
        signal.pthread_kill(threading.get_ident(), signal.SIGTERM)  # this thread holds it
        assert signal.SIGTERM in signal.sigpending() and stop.requested()
        assert signal.SIGTERM not in signal.sigpending()  # taken, not left for the exit
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.slow  # trains or compiles models (seconds each)
def test_divergence_stops_early_and_is_reported(images):
    model = build_vae(2, 32, 1.0, seed=0, learning_rate=1e12)
    history, diverged = training.train(model, images, 5, 64, seed=0, log=lambda m: None)
    assert diverged and len(history) < 5


@pytest.mark.slow  # trains or compiles models (seconds each)
def test_iw_nll_of_a_real_model_is_below_its_negative_elbo():
    from vaestudy import evaluation
    from vaestudy.model import build_vae

    vae = build_vae(latent_dim=2, intermediate_dim=32, kl_coefficient=1.0, seed=3)
    x = np.random.default_rng(0).random((40, 784)).astype("float32")
    z_mean, z_log_var = evaluation.encode(vae, x)
    rec, kl = evaluation.sampled_losses(vae.decoder, x, z_mean, z_log_var)
    spread = np.std(z_mean, axis=0)

    def estimate(k, widths=()):
        return evaluation.importance_sampled_nll(
            vae.decoder, x, z_mean, z_log_var, k, spread, widths=widths
        )[0]

    # the encoder as proposal with K = 1 is the one-sample negative ELBO
    assert estimate(1).mean() == pytest.approx(np.mean(rec + kl), rel=0.02)
    many = estimate(500, evaluation.estimators.PROPOSAL_WIDTHS)
    assert many.mean() < estimate(1).mean()
    # chunking over images (K = 500: a few images per call) gives the very numbers of one
    # pass over all 40 with the same generator, every chunk included
    assert 1 < evaluation.images_per_call(500) < 40
    chunked = estimate(500, evaluation.estimators.PROPOSAL_WIDTHS)
    log_likelihood = evaluation.decoder_log_likelihood(vae.decoder)
    rng = np.random.default_rng([0, 1])  # importance_sampled_nll's generator for seed 0
    log_w = evaluation.iw_log_weights(
        log_likelihood,
        x,
        z_mean,
        z_log_var,
        500,
        spread,
        rng,
        evaluation.estimators.PROPOSAL_WIDTHS,
    )
    whole = evaluation.estimators.importance_weighted_nll(log_w)
    np.testing.assert_array_equal(chunked, whole)


def test_the_iw_subset_is_seeded_and_spread_over_the_test_set():
    from vaestudy.evaluation import iw_subset

    pick = iw_subset(10_000, 1000, seed=0)
    assert len(set(pick)) == 1000 and pick.max() > 9000 and list(pick) == sorted(pick)
    assert list(iw_subset(10_000, 1000, seed=0)) == list(pick)
    assert list(iw_subset(50, 0)) == list(range(50)) == list(iw_subset(50, 100))


def test_manifold_cells_are_the_decoded_grid_in_order():
    from vaestudy import evaluation
    from vaestudy.model import build_decoder

    decoder = build_decoder(2, 16)
    image = evaluation.decode_manifold(decoder, size=4)
    cells = evaluation.manifold_cells(image, size=4)
    logits = np.asarray(decoder.predict_on_batch(evaluation.manifold_grid(4)))
    assert cells == pytest.approx(1.0 / (1.0 + np.exp(-logits.astype(float))))


@pytest.mark.slow  # trains or compiles models (seconds each)
@pytest.mark.parametrize("graph", [True, False])
def test_bfloat16_opt_in_trains_close_to_float32_from_the_same_weights(images, tmp_path, graph):
    full = _model()
    full.save_weights(tmp_path / "init.weights.h5")
    half = _model(precision="bfloat16")
    half.load_weights(tmp_path / "init.weights.h5")
    assert all(v.dtype == "float32" for v in half.weights)
    assert half.decoder.layers[-1].compute_dtype == "float32"  # the sigmoid
    histories = [
        training.train(full, images, 2, 100, seed=0, log=lambda _: None),
        training.train(half, images, 2, 100, seed=0, log=lambda _: None, graph=graph),
    ]
    (full_history, _), (half_history, diverged) = histories
    assert not diverged
    assert half_history[-1]["loss"] == pytest.approx(full_history[-1]["loss"], rel=0.02)
    assert half_history[-1]["loss"] != full_history[-1]["loss"]


@pytest.mark.slow  # trains or compiles models (seconds each)
def test_uint8_pixels_train_exactly_as_their_floats():
    # the workflow keeps images as uint8 and converts per batch; the numbers must not move
    pixels = np.random.default_rng(1).integers(0, 256, (300, 784), dtype=np.uint8)
    runs = []
    for images in (pixels, pixels.astype("float32") / 255.0):
        model = _model()
        history, _ = training.train(model, images, 2, 64, seed=0, log=lambda m: None)
        runs.append((history, _weights(model)))
    assert [r["loss"] for r in runs[0][0]] == [r["loss"] for r in runs[1][0]]
    for a, b in zip(runs[0][1], runs[1][1], strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow  # trains or compiles models (seconds each)
@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_one_compiled_epoch_equals_its_steps_taken_one_by_one(precision):
    # the epoch runs as one compiled loop (bfloat16 too, without bfloat16 units); it must take
    # exactly the batches, in the epoch's order, that a step-by-step loop takes, the last
    # short batch (300 = 2 * 128 + 44) included
    import tensorflow as tf

    pixels = np.random.default_rng(2).integers(0, 256, (300, 784), dtype=np.uint8)
    order = training.epoch_permutation(300, 0, 1)
    looped, stepped = _model(precision=precision), _model(precision=precision)
    run_epoch = training.compiled_epoch(looped, 300, 128, graph=False)
    means = training.train_epoch(run_epoch, pixels, order)
    step = tf.function(lambda batch: tf.stack(stepped.train_batch(batch)), jit_compile=True)
    floats = pixels.astype("float32") / 255.0
    terms = [
        step(floats[order[start : start + 128]]).numpy() * len(order[start : start + 128])
        for start in range(0, 300, 128)
    ]
    np.testing.assert_allclose(means, np.sum(terms, axis=0) / 300, rtol=1e-6)
    for a, b in zip(_weights(looped), _weights(stepped), strict=True):
        np.testing.assert_array_equal(a, b)
    assert int(looped.optimizer.iterations.numpy()) == 3


def test_glibc_takes_the_one_malloc_heap_setting():
    import platform

    from vaestudy.jobs import limit_malloc_arenas

    assert limit_malloc_arenas() is (platform.libc_ver()[0] == "glibc")


def test_the_compiled_log_likelihood_equals_the_float64_cross_entropy():
    # the IW estimate sums log p(x | z) in float32 inside XLA; it must agree with the float64
    # reference (estimators.binary_cross_entropy of the decoder's logits) to 1e-6 relative
    from vaestudy import evaluation
    from vaestudy.estimators import binary_cross_entropy
    from vaestudy.model import build_decoder

    decoder = build_decoder(2, 64)
    rng = np.random.default_rng(0)
    x = rng.random((6, 784)).astype("float32")
    z = rng.normal(0, 3, (6, 50, 2))
    fused = evaluation.decoder_log_likelihood(decoder)(x, z)
    logits = evaluation.decoder_logits(decoder, z.reshape(-1, 2)).reshape(6, 50, 784)
    reference = -binary_cross_entropy(x[:, None, :], logits)
    assert fused.shape == (6, 50) and fused.dtype == np.float64
    np.testing.assert_allclose(fused, reference, rtol=1e-6)
    assert np.all(fused < 0)


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
def test_images_tensor_holds_the_images_unchanged(dtype):
    images = (np.random.default_rng(3).random((37, 784)) * 255).astype(dtype)
    tensor = training.images_tensor(images[::2])  # a strided view is copied in order
    assert tensor.dtype.name == dtype and tuple(tensor.shape) == (19, 784)
    np.testing.assert_array_equal(tensor.numpy(), images[::2])


@pytest.mark.slow  # trains or compiles models (seconds each)
def test_peak_rss_is_reported_in_megabytes():
    from vaestudy.jobs import peak_rss_mb

    before = peak_rss_mb()
    # more memory touched than the whole process had at its peak: the peak must rise by it
    ballast = np.ones((before + 100) * 2**20 // 8)
    after = peak_rss_mb()
    assert ballast.sum() > 0
    assert before + 95 <= after <= 2 * before + 300  # MB, not KiB or bytes


@pytest.mark.parametrize("compiled", [True, False])
def test_uint8_levels_become_the_floats_load_split_divides_out(compiled):
    # the epoch converts each batch inside XLA (float32) or a TensorFlow graph (bfloat16); both
    # must give NumPy's k / 255 for every level, at the shape of a batch
    import tensorflow as tf

    levels = np.arange(256, dtype=np.uint8)
    batch = np.resize(np.random.default_rng(4).permutation(levels), (64, 784))
    convert = tf.function(training.unit_pixels(), jit_compile=compiled)
    np.testing.assert_array_equal(convert(tf.constant(levels)).numpy(), training.pixel_values())
    expected = batch.astype(np.float32) / np.float32(255)
    np.testing.assert_array_equal(convert(tf.constant(batch)).numpy(), expected)


@pytest.mark.slow  # compiles the optimiser's steps
def test_fused_adam_updates_as_keras_adam_does():
    # the bfloat16 epoch updates with TensorFlow's fused kernel: the same variables, moments
    # and step count as Keras's own Adam after several steps. Its float32 arithmetic takes
    # 1 - beta_2 as 0.000999987 where Keras takes 0.001, so the updates agree to 1e-4, not
    # to the last bit (each is about the learning rate, 1e-3, a step)
    import tensorflow as tf

    from vaestudy.model import fused_adam

    rng = np.random.default_rng(5)
    model = _model()
    steps = [
        [rng.normal(0, 1e-2, v.shape).astype("float32") for v in model.trainable_weights]
        for _ in range(4)
    ]
    states = []
    for update in ("keras", "fused"):
        model = _model()
        optimizer, variables = model.optimizer, model.trainable_weights
        if update == "keras":
            apply = tf.function(lambda g: optimizer.apply(g, variables))  # noqa: B023
        else:
            apply = tf.function(lambda g: fused_adam(optimizer, g, variables))  # noqa: B023
        for grads in steps:
            apply([tf.constant(g) for g in grads])
        states.append({v.path: v.numpy() for v in model.variables + optimizer.variables})
    keras_state, fused_state = states
    assert keras_state.keys() == fused_state.keys()
    assert fused_state["adam/iteration"] == keras_state["adam/iteration"] == len(steps)
    start = {v.path: v.numpy() for v in _model().variables}
    for path, value in keras_state.items():
        before = start.get(path, 0)
        assert np.all(value != before) or path.startswith("sampling")  # every weight moved
        np.testing.assert_allclose(fused_state[path] - before, value - before, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("cpu", [True, False, None])
def test_only_bfloat16_on_bfloat16_units_trains_as_a_graph(monkeypatch, cpu):
    # units given, or else read from the CPU (None: unknown, no /proc/cpuinfo)
    monkeypatch.setattr(training, "bfloat16_units", lambda: cpu)
    assert training.graph_epoch("bfloat16") is (cpu is True)
    assert training.graph_epoch("bfloat16", units=True) is True
    assert training.graph_epoch("bfloat16", units=False) is False
    assert training.graph_epoch("float32") is False
    assert training.graph_epoch("float32", units=True) is False


@pytest.mark.slow  # traces an epoch per CPU kind
@pytest.mark.parametrize("units", [True, False])
def test_an_epoch_trains_by_what_graph_epoch_decides(monkeypatch, units):
    # unless told, compiled_epoch asks graph_epoch: fused Adam in the graph on a CPU with
    # bfloat16 units, Keras's update in the XLA loop elsewhere
    monkeypatch.setattr(training, "bfloat16_units", lambda: units)
    model, updates = _model(precision="bfloat16"), []
    step = model.train_batch

    def traced(x, fused):
        updates.append(fused)
        return step(x, fused)

    monkeypatch.setattr(model, "train_batch", traced)
    pixels = np.random.default_rng(3).integers(0, 256, (300, 784), dtype=np.uint8)
    training.train_epoch(training.compiled_epoch(model, 300, 128), pixels, np.arange(300))
    assert updates and set(updates) == {units}


def test_a_bfloat16_checkpoint_resumes_only_in_the_epoch_that_wrote_it(tmp_path, monkeypatch):
    # the graph and the XLA loop round differently: a run moved between CPUs with and without
    # bfloat16 units starts again rather than mix them; float32 runs train by one epoch
    # everywhere
    data, init = tmp_path / "data.npz", tmp_path / "init.h5"
    data.write_bytes(b"d")
    init.write_bytes(b"i")

    def fingerprint(precision, units):
        monkeypatch.setattr(training, "bfloat16_units", lambda: units)
        return training.run_fingerprint({"precision": precision}, 128, 100, data, init)

    assert fingerprint("bfloat16", True) != fingerprint("bfloat16", False)
    assert fingerprint("bfloat16", False) == fingerprint("bfloat16", None)
    assert fingerprint("float32", True) == fingerprint("float32", False)


@pytest.mark.parametrize(
    "flags, units",
    [
        ("fpu avx2 fma", False),
        ("fpu avx512f avx512_vnni", False),
        ("fpu avx512f avx512_bf16", True),
        ("fpu avx512_bf16 amx_bf16 amx_tile", True),
        ("fpu amx_bf16 amx_tile", True),
        ("fpu avx512_bf16x", False),
    ],
)
def test_bfloat16_units_are_read_from_the_cpu_flags(tmp_path, flags, units):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\n")
    assert training.bfloat16_units(cpuinfo) is units


def test_bfloat16_units_are_unknown_without_cpuinfo(tmp_path):
    assert training.bfloat16_units(tmp_path / "absent") is None


@pytest.mark.parametrize("mode", ["eager", "graph", "xla"])
def test_standard_normal_draws_what_keras_draws(mode):
    # the sampler's draws with its optimisation barrier are keras.random.normal's, bit for bit,
    # draw after draw from the same generator state, at the sizes training uses
    import keras
    import tensorflow as tf

    from vaestudy.model import standard_normal

    def draws(draw, seed):
        generator = keras.random.SeedGenerator(seed)
        one = draw if mode == "eager" else tf.function(draw, jit_compile=mode == "xla")
        return [one(shape, generator).numpy() for shape in [(128, 2), (128, 2), (96, 2), (5, 8)]]

    def keras_normal(shape, generator):
        return keras.random.normal(shape, seed=generator)

    for seed in (0, 7, 2**31 + 5):  # the last beyond int32: Keras reduces it before use
        pairs = zip(draws(standard_normal, seed), draws(keras_normal, seed), strict=True)
        for mine, theirs in pairs:
            np.testing.assert_array_equal(mine, theirs)
            assert mine.std() > 0.5  # numbers, not a constant


TRAINING_IMPORTS = """
import sys
from vaestudy import training
training.configure_tensorflow(1)
from vaestudy.events import EpochEvents
from vaestudy.model import build_vae
print(" ".join(name for name in training.TENSORFLOW_EXTRAS if name in sys.modules))
import pandas, sklearn, matplotlib.pyplot, scipy.sparse
print("imported afterwards")
"""


@pytest.mark.slow  # imports TensorFlow in a child process (seconds)
def test_a_training_job_imports_tensorflow_without_the_extras_and_may_import_them_after():
    # a job that trains holds TensorFlow, Keras and its own modules only (pandas,
    # scikit-learn, matplotlib and SciPy cost it about 100 MB of RSS), yet can import them
    done = subprocess.run(
        [sys.executable, "-c", TRAINING_IMPORTS], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["", "imported afterwards"]
