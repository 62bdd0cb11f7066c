"""Interrupted and repeated runs through the real workflow: resume, repeatability, reuse."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pandas as pd
import pytest
from conftest import LEVEL, SNAKEMAKE, log_of, model_dir, snakemake, study_config

from vaestudy_monitor.status import snapshot

pytestmark = pytest.mark.slow


# The fault tests need the trained model only, not the classifier, evaluation, figures and report.
TRAINED = ("--", f"results/models/{LEVEL}/seed0/c1/final.weights.h5")
TRAINING_LOG = log_of("train_vae", 1)
CHECKPOINT = f"results/checkpoints/{LEVEL}/seed0/c1/checkpoint.npz"


def training_started(workdir, config, after_epoch):
    """Start the one-model workflow in its own session; return it once the training log shows
    `after_epoch` (or fail the test after 5 minutes)."""
    command = SNAKEMAKE + ["--directory", str(workdir), "--cores", "1", *config, *TRAINED]
    run = subprocess.Popen(
        command,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    log = workdir / TRAINING_LOG
    deadline = time.time() + 300
    while not (log.is_file() and f"epoch {after_epoch}/" in log.read_text()):
        if time.time() > deadline:
            os.killpg(run.pid, signal.SIGKILL)
            pytest.fail("training never reached the epoch to interrupt at")
        time.sleep(0.1)
    return run


def killed_mid_training(workdir, config, after_epoch):
    """SIGKILL the workflow (Snakemake and its jobs) once `after_epoch` is logged; returns what
    `vaestudy-status` printed just before."""
    run = training_started(workdir, config, after_epoch)
    status = snapshot(workdir)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    return status


def terminated_mid_training(workdir, config, after_epoch):
    """SIGTERM the training job, as SLURM does at its time limit, once `after_epoch` is
    logged; returns Snakemake's exit code."""
    run = training_started(workdir, config, after_epoch)
    jobs = subprocess.run(
        ["pgrep", "-s", str(run.pid), "-f", "train_vae"], capture_output=True, text=True
    ).stdout.split()
    assert jobs, "no training job to terminate"
    for pid in jobs:
        os.kill(int(pid), signal.SIGTERM)
    return run.wait(timeout=300)


@pytest.fixture(scope="module")
def unbroken(tmp_path_factory, mnist_path):
    """The long config run without interruption, to compare interrupted runs with."""
    workdir = tmp_path_factory.mktemp("unbroken")
    snakemake(workdir, "--cores", "1", *study_config("long", mnist_path), *TRAINED)
    return workdir


def weights(workdir):
    """Every array of the trained model's weights file, by its path in the file."""
    arrays = {}
    with h5py.File(model_dir(workdir, 1) / "final.weights.h5") as handle:
        handle.visititems(
            lambda name, item: (
                arrays.__setitem__(name, item[()]) if isinstance(item, h5py.Dataset) else None
            )
        )
    return arrays


def assert_same_model(unbroken, other):
    """The same weights, bit for bit, and the same history but for the epochs' seconds."""
    a, b = weights(unbroken), weights(other)
    assert a.keys() == b.keys() and len(a) >= 8
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    history = [
        pd.read_csv(model_dir(d, 1) / "history.csv").drop(columns="seconds")
        for d in (unbroken, other)
    ]
    pd.testing.assert_frame_equal(*history)


# A training job as train_vae runs it, on random images: SIGTERM held from the start, then
# training with a StopRequest; exit code 3 once it has stopped.
SIGTERMED_TRAINING = """
import sys
from vaestudy import jobs
jobs.block_sigterm()
jobs.limit_malloc_arenas()
from vaestudy import training
training.configure_tensorflow(1)
import numpy as np
from vaestudy.model import build_vae
images = np.random.default_rng(0).integers(0, 256, (60_000, 784), dtype=np.uint8)
try:
    training.train(build_vae(2, 512, 1.0, seed=0), images, 20, 128, seed=0)
except training.TrainingStopped as stopped:
    print(stopped, flush=True)
    sys.exit(3)
"""


def test_a_burst_of_sigterms_during_compiled_epochs_stops_training_cleanly():
    """A SIGTERM handled while an XLA-compiled epoch runs can corrupt glibc's heap (the job
    aborts with "corrupted size vs. prev_size"); training holds SIGTERM, so none is."""
    job = subprocess.Popen(
        [sys.executable, "-c", SIGTERMED_TRAINING],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    for line in job.stdout:  # the first epoch compiles; the burst falls on the next ones
        output.append(line)
        if line.startswith("epoch 1/"):
            break
    for _ in range(100):  # about 1.2 s; an epoch takes 2.6 s here
        job.send_signal(signal.SIGTERM)
        time.sleep(0.01)
    output = "".join(output + job.stdout.readlines())
    # 3 once stopped; a signal still in flight when training has put SIGTERM's default back
    # may end it as SIGTERM does; a heap corruption ends it with SIGABRT or SIGSEGV
    assert job.wait(timeout=120) in (3, -signal.SIGTERM), output[-500:]
    assert re.search(r"stopped by SIGTERM after epoch \d+/20\n", output)  # no checkpoint here


def test_killed_training_resumes_and_ends_as_an_unbroken_run(tmp_path, mnist_path, unbroken):
    config = study_config("long", mnist_path)
    killed = tmp_path / "killed"
    killed.mkdir()

    status = killed_mid_training(killed, config, after_epoch=3)
    assert status[0].startswith("running: ")
    # the running job with the epoch its log had reached (3, or more by the time it was read)
    assert re.search(rf"^running +train_vae +{TRAINING_LOG}  epoch [3-6]/6, ", status[1])
    assert not (model_dir(killed, 1) / "final.weights.h5").exists()
    assert (killed / CHECKPOINT).is_file()
    snakemake(killed, "--unlock", *config)
    snakemake(killed, "--cores", "1", *config, *TRAINED)

    log = (killed / TRAINING_LOG).read_text()
    # killed once epoch 3 is logged: its checkpoint may or may not have been written yet
    assert re.search(r"resuming after epoch [2-5] ", log)
    assert_same_model(unbroken, killed)


def test_sigterm_stops_training_cleanly_and_the_rerun_resumes(tmp_path, mnist_path, unbroken):
    config = study_config("long", mnist_path)
    assert terminated_mid_training(tmp_path, config, after_epoch=2) != 0
    log = (tmp_path / TRAINING_LOG).read_text()
    assert re.search(r"stopped by SIGTERM after epoch [2-5]/6, which is checkpointed", log)
    assert "Traceback" not in log and "corrupted" not in log
    assert (tmp_path / CHECKPOINT).is_file()
    status = "\n".join(snapshot(tmp_path))  # what a user reads after the failure
    assert status.startswith("failed: ") and ", 1 failed" in status
    assert re.search(rf"failed +train_vae +{TRAINING_LOG}  epoch [2-5]/6", status)
    assert re.search(r"last line: stopped by SIGTERM after epoch [2-5]/6, which is", status)
    snakemake(tmp_path, "--cores", "1", *config, *TRAINED)
    assert "resuming after epoch" in (tmp_path / TRAINING_LOG).read_text()
    assert_same_model(unbroken, tmp_path)


def test_a_corrupt_checkpoint_is_set_aside_and_the_job_succeeds(tmp_path, mnist_path, unbroken):
    config = study_config("long", mnist_path)
    checkpoint = tmp_path / CHECKPOINT
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_bytes(b"PK\x03\x04 half-written by a node that crashed")
    snakemake(tmp_path, "--cores", "1", *config, *TRAINED)
    log = (tmp_path / TRAINING_LOG).read_text()
    assert "checkpoint set aside as " in log and "training from the start" in log
    assert len(list(checkpoint.parent.glob("checkpoint.unusable-*.npz"))) == 1
    assert_same_model(unbroken, tmp_path)


def test_the_same_config_again_gives_the_same_model_and_numbers(tmp_path, mnist_path, study):
    # one model of the shared tiny study made again in a new directory, from its initial
    # weights on, up to its metrics (with the study's data and classifier, which other tests make)
    for made in ("data", "classifier"):
        shutil.copytree(study / "results" / made, tmp_path / "results" / made)
    target = f"results/models/{LEVEL}/seed0/c1/metrics.json"
    snakemake(tmp_path, "--cores", "2", *study_config("tiny", mnist_path), "--", target)
    again, first = weights(tmp_path), weights(study)
    assert again.keys() == first.keys()
    for name in first:
        np.testing.assert_array_equal(again[name], first[name], err_msg=name)
    again, first = (
        json.loads((model_dir(d, 1) / "metrics.json").read_text()) for d in (tmp_path, study)
    )
    for measured in ("train_seconds", "peak_rss_mb"):  # the machine's, not the model's
        again.pop(measured), first.pop(measured)
    assert again == first


def test_adding_a_coefficient_trains_only_that_model(mnist_path, study):
    more = study_config("tiny", mnist_path, coefficients="[0,0.5,1,2,5,1e38]")
    result = snakemake(study, "-n", *more)
    stats = result.stdout[result.stdout.index("Job stats:") :]
    assert re.search(r"train_vae +1\n", stats) and re.search(r"evaluate_vae +1\n", stats)
    assert "initial_weights" not in stats and "get_data" not in stats
    assert "train_classifier" not in stats
