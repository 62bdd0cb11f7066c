"""The real workflow through Snakemake on a tiny config: files, numbers and the report."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import snakemake, tiny_config, write_npz

pytestmark = pytest.mark.slow


def test_loss_table_has_one_row_per_model_with_sane_numbers(study):
    losses = pd.read_csv(study / "results/tables/losses.csv")
    assert list(losses["coefficient"]) == [0.0, 1.0]
    assert {"coefficient", "seed", "loss", "reconstruction", "kl", "prior_kl"} <= set(losses)
    assert not losses["diverged"].any()
    # a 2-epoch model on 1,000 images reconstructs far better than a blank guess (~544)
    assert losses["reconstruction"].between(100, 400).all()
    c0, c1 = losses.iloc[0], losses.iloc[1]
    assert c0["loss"] == pytest.approx(c0["reconstruction"])
    assert c1["loss"] == pytest.approx(c1["reconstruction"] + c1["kl"], rel=1e-6)
    assert c1["kl"] < c0["kl"] and c1["prior_kl"] < c0["prior_kl"]


def test_the_table_holds_every_yardstick(study):
    losses = pd.read_csv(study / "results/tables/losses.csv")
    numbers = {column: losses[column].to_numpy() for column in losses}
    assert numbers["d_plus_r"] == pytest.approx(numbers["reconstruction"] + numbers["kl"])
    # 50 importance samples tighten the one-sample bound on the same images
    assert (losses["iw_gap"] > 0).all() and (losses["iw_nll"] > 50).all()
    assert numbers["mutual_information"] == pytest.approx(numbers["kl"] - numbers["prior_kl"])
    assert numbers["kl_z0"] + numbers["kl_z1"] == pytest.approx(numbers["kl"], rel=1e-4)
    assert losses["active_units"].between(0, 2).all()
    for name in ("grid", "prior"):
        assert losses[f"{name}_classes"].between(1, 10).all()
        assert losses[f"{name}_entropy_bits"].between(0, np.log2(10) + 1e-9).all()
        assert losses[f"{name}_confidence"].between(0.1, 1.0).all()
    mean = json.loads(losses.loc[1, "z_mean_mean"])
    metrics = json.loads((study / "results/models/seed0/c1/metrics.json").read_text())
    assert len(mean) == 2 and mean == metrics["z_mean_mean"]
    accuracy = json.loads((study / "results/classifier/accuracy.json").read_text())
    # two epochs on 1,000 images: well above chance, not the full study's 98 %
    assert 0.5 < accuracy["test_accuracy"] < 1 and accuracy["train_images"] == 1000


def test_every_model_has_weights_history_and_figures(study):
    for c in ("0", "1"):
        model = study / f"results/models/seed0/c{c}"
        history = pd.read_csv(model / "history.csv")
        assert list(history["epoch"]) == [1, 2]
        assert (model / "final.weights.h5").stat().st_size > 100_000
        with np.load(model / "latent.npz") as latent:
            assert latent["z_mean"].shape == (500, 2) and latent["labels"].shape == (500,)
        assert np.load(model / "manifold.npy").shape == (840, 840)
        assert np.load(model / "grid_classes.npy").shape == (30, 30, 10)
        for kind in ("encoder", "manifold", "classes"):
            png = study / f"results/figures/seed0/{kind}_c{c}.png"
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for figure in ("prior", "rate_distortion", "training_curves", "metrics_vs_c"):
        assert (study / f"results/figures/{figure}.png").stat().st_size > 10_000
    assert (study / "results/init/seed0.weights.h5").is_file()
    assert not (study / "results/checkpoints/seed0/c0").exists()


def test_report_is_self_contained_and_concludes_from_the_table(study):
    html = (study / "results/report.html").read_text()
    assert html.count("data:image/png;base64,") == 1 + 3 + 2 * 3
    assert "Recommended: c = " in html and "Rule: Keep the coefficients" in html
    assert "IW NLL" in html and "classes in N(0, I) decodes" in html
    assert "reached only" in html  # the tiny classifier is flagged as below 98 %
    assert "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64" in html
    losses = pd.read_csv(study / "results/tables/losses.csv")
    assert f"{losses['reconstruction'].min():.2f}" in html
    assert "tensorflow" in html and "<img" in html and 'src="http' not in html


def test_second_run_has_nothing_to_do(study, mnist_path):
    result = snakemake(study, "-n", "--config", *tiny_config(mnist_path))
    assert "Nothing to be done" in result.stdout + result.stderr


def test_dry_run_of_the_default_study_lists_one_training_job_per_model(tmp_path, mnist_path):
    result = snakemake(tmp_path, "-n", "--config", f"mnist_path={mnist_path}", "seeds=[0,1]")
    assert re.search(r"train_vae +16\n", result.stdout)


def test_zero_and_zero_point_zero_are_one_job(tmp_path, mnist_path):
    result = snakemake(
        tmp_path, "-n", "--config", f"mnist_path={mnist_path}", "coefficients=[0.0,1.0,2.5]"
    )
    out = result.stdout
    assert "results/models/seed0/c0/history.csv" in out
    assert "results/models/seed0/c1/history.csv" in out and "c1.0" not in out


def test_bad_config_fails_at_once_with_one_line(tmp_path):
    result = snakemake(tmp_path, "-n", "--config", "epochs=0", check=False)
    assert result.returncode == 1
    assert "Invalid configuration: config key 'epochs': got 0" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "results").exists()


def test_malformed_data_file_fails_clearly_and_leaves_no_data(tmp_path):
    bad = write_npz(tmp_path / "bad.npz", y_test=np.full(10, 42, np.uint8))
    result = snakemake(
        tmp_path,
        "--cores",
        "1",
        "--config",
        f"mnist_path={bad}",
        "train_limit=10",
        "test_limit=10",
        check=False,
    )
    assert result.returncode != 0
    assert "label 42; labels must be 0-9" in result.stdout + result.stderr
    assert not (tmp_path / "results/data/mnist.npz").exists()
    assert not Path(tmp_path / "results/data/mnist.npz.part").exists()


def test_replicates_train_every_coefficient_per_seed(tmp_path, mnist_path):
    config = [c for c in tiny_config(mnist_path) if not c.startswith("coefficients=")]
    snakemake(tmp_path, "--cores", "2", "--config", *config, "coefficients=[1]", "seeds=[0,1]")
    losses = pd.read_csv(tmp_path / "results/tables/losses.csv")
    assert list(losses["seed"]) == [0, 1] and list(losses["coefficient"]) == [1.0, 1.0]
    # each seed has its own initial weights, so the two models differ
    assert losses.loc[0, "reconstruction"] != losses.loc[1, "reconstruction"]
    assert (tmp_path / "results/init/seed1.weights.h5").is_file()
    html = (tmp_path / "results/report.html").read_text()
    mean, std = losses["reconstruction"].mean(), losses["reconstruction"].std()
    assert f"{mean:.2f} ± {std:.2f}" in html and "seed 1" in html
