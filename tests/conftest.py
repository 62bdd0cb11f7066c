"""Shared fixtures: the pre-staged MNIST copy, small synthetic npz files, quiet TensorFlow."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
SHARED_MNIST = Path(os.environ.get("MNIST_PATH", ROOT.parent / "shared" / "data" / "mnist.npz"))


@pytest.fixture(scope="session")
def mnist_path():
    if not SHARED_MNIST.is_file():
        pytest.skip(f"no local MNIST at {SHARED_MNIST} (set MNIST_PATH to a copy)")
    return SHARED_MNIST


def write_npz(path, n_train=20, n_test=10, **overrides):
    """A small MNIST-shaped npz; overrides replace or (with None) drop arrays."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }
    for key, value in overrides.items():
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = value
    np.savez_compressed(path, **arrays)
    return path


@pytest.fixture
def small_npz(tmp_path):
    return write_npz(tmp_path / "mnist.npz")


SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile")]


def tiny_config(mnist_path):
    return [
        f"mnist_path={mnist_path}",
        "coefficients=[0,1]",
        "epochs=2",
        "train_limit=1000",
        "test_limit=500",
        "prior_samples=200",
        "classifier_epochs=2",
        "iw_samples=50",
        "iw_images=100",
        "coverage_samples=500",
    ]


def snakemake(workdir, *args, check=True):
    command = SNAKEMAKE + ["--directory", str(workdir), *args]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=workdir,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
    if check and result.returncode != 0:
        pytest.fail(f"snakemake failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="session")
def study(tmp_path_factory, mnist_path):
    workdir = tmp_path_factory.mktemp("study")
    snakemake(workdir, "--cores", "2", "--config", *tiny_config(mnist_path))
    return workdir
