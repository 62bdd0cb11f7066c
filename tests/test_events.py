"""TensorBoard event files: the loss terms per epoch, the yardsticks as HParams."""

import math

import numpy as np
from conftest import read_events

from vaestudy import events, training
from vaestudy.model import build_vae


def test_each_epoch_is_a_step_of_every_loss_term(tmp_path):
    writer = events.EpochEvents(tmp_path)
    rows = [
        {"epoch": e, "loss": 150.0 - e, "reconstruction": 140.0 - e, "kl": 10.0, "seconds": 0.5}
        for e in (1, 2, 3)
    ]
    for row in rows:
        writer(row)
    writer.close()
    scalars, hparams = read_events(tmp_path)
    assert hparams is None
    assert set(scalars) == {f"epoch/{tag}" for tag in events.EPOCH_TAGS}
    assert scalars["epoch/loss"] == {1: 149.0, 2: 148.0, 3: 147.0}
    assert scalars["epoch/kl"] == {1: 10.0, 2: 10.0, 3: 10.0}


def test_a_resumed_training_reports_its_restored_epochs_first(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (256, 784), dtype=np.uint8)
    fingerprint = {"test": 1}
    first = training.Checkpoint(tmp_path / "ck", fingerprint)  # kept after 2 epochs
    training.train(build_vae(2, 32, 1.0, seed=0), images, 2, 64, 0, first, log=lambda m: None)
    seen = []
    # the same checkpoint, asked for 3 epochs: epochs 1 and 2 are restored, then 3 runs
    history, _ = training.train(
        build_vae(2, 32, 1.0, seed=0),
        images,
        3,
        64,
        seed=0,
        checkpoint=training.Checkpoint(tmp_path / "ck", fingerprint),
        log=lambda m: None,
        on_epoch=seen.append,
    )
    assert [row["epoch"] for row in seen] == [1, 2, 3]
    assert seen == history


def test_the_yardsticks_go_beside_c_seed_and_level_as_hparams(tmp_path):
    metrics = {
        "dataset": "mnist",
        "latent_dim": 2,
        "loss": "gaussian",
        "coefficient": 0.5,
        "seed": 1,
        "iw_nll": 146.25,
        "prior_kid": 0.5,
        "reconstruction": 143.0,
        "q_mean": [0.1, 0.2],  # not a single number: left out
        "train_seconds": 240.0,  # not a yardstick of the report's table: left out
    }
    written = events.write_hparams(tmp_path, metrics)
    scalars, hparams = read_events(tmp_path)
    assert (
        hparams
        == written
        == {
            "c": 0.5,
            "seed": 1,
            "dataset": "mnist",
            "latent_dim": 2,
            "loss": "gaussian",
        }
    )
    assert scalars == {
        "yardstick/iw_nll": {0: 146.25},
        "yardstick/prior_kid": {0: 0.5},
        "yardstick/reconstruction": {0: 143.0},
    }


def test_a_diverged_model_has_hparams_and_no_yardsticks(tmp_path):
    metrics = {"dataset": "mnist", "latent_dim": 2, "coefficient": 1e38, "seed": 0}
    events.write_hparams(tmp_path, metrics)
    scalars, hparams = read_events(tmp_path)
    assert scalars == {} and math.isclose(hparams["c"], 1e38)


def test_only_single_finite_numbers_of_the_table_count():
    metrics = {"iw_nll": float("nan"), "active_units": 2, "iw_ess_low": True, "kl": 6.0}
    assert events.hparam_metrics(metrics) == {"active_units": 2.0, "kl": 6.0}
