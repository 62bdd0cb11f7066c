"""Watching a run: epochs read from the jobs' logs, in snakesee and in `vaestudy-status`."""

import subprocess
import sys

import pytest
from snakesee.plugins import get_all_plugins, parse_tool_progress

from vaestudy.progress import TrainingProgress, epoch_progress

VAE_LOG = """training c=1.0 seed=0 on 60000 images, 6 epochs, 1 thread(s)
epoch 1/6  loss 190.000  reconstruction 185.000  kl 5.000  9.00 s
epoch 2/6  loss 170.000  reconstruction 165.000  kl 5.000  2.00 s
resuming after epoch 2 from results/checkpoints/seed0/c1
epoch 3/6  loss 165.000  reconstruction 160.000  kl 5.000  3.00 s
"""

KERAS_LOG = """Epoch 1/10
E0000 some TensorFlow warning between the header and the epoch's summary
422/422 - 10s - 24ms/step - accuracy: 0.9211 - loss: 0.2634
Epoch 2/10
422/422 - 4s - 9ms/step - accuracy: 0.9680 - loss: 0.1043
Epoch 3/10
"""


def test_a_training_log_gives_its_last_epoch_and_the_median_recent_epoch_time():
    progress = epoch_progress(VAE_LOG)
    assert (progress.done, progress.total) == (3, 6)
    assert progress.seconds_per_epoch == 3.0  # median of 9, 2, 3: the compiling epoch weighs less
    assert progress.seconds_left == 9.0


def test_a_keras_log_counts_only_epochs_that_finished():
    progress = epoch_progress(KERAS_LOG)
    assert (progress.done, progress.total) == (2, 10)
    assert progress.seconds_per_epoch == 7.0
    assert progress.seconds_left == 56.0


def test_a_log_without_epochs_shows_no_progress():
    assert epoch_progress("downloading MNIST\nwritten results/data/mnist.npz\n") is None
    assert epoch_progress("") is None


def test_snakesee_finds_the_plugin_through_its_entry_point(tmp_path):
    assert any(isinstance(plugin, TrainingProgress) for plugin in get_all_plugins())
    log = tmp_path / "c1.log"
    log.write_text(VAE_LOG)
    progress = parse_tool_progress("train_vae", log)
    assert (progress.items_processed, progress.items_total, progress.unit) == (3, 6, "epochs")


@pytest.mark.slow
def test_a_finished_tiny_run_reads_as_completed_with_every_epoch_done(study):
    printed = subprocess.run(
        [sys.executable, "-m", "vaestudy.progress", str(study)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    first = printed.splitlines()[0]
    done, total = first.split(": ")[1].split(" jobs done")[0].split(" of ")
    assert first.startswith("completed: ") and done == total
    for log in (study / "results/logs/train_vae").glob("seed*/c*.log"):
        progress = parse_tool_progress("train_vae", log)
        assert (progress.items_processed, progress.items_total) == (2, 2)


def test_status_outside_a_run_says_what_to_do(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "vaestudy.progress", str(tmp_path)], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "no Snakemake run here" in result.stderr and "Traceback" not in result.stderr
