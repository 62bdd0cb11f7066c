"""Shared fixtures: the pre-staged MNIST copy, small synthetic npz files, quiet TensorFlow."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
LOCAL_MNIST = os.environ.get("MNIST_PATH", "")


def readme_commands():
    """The README's two commands for a fresh machine: (set up and run the study, set up and
    run the tests), from its first code block."""
    lines = (ROOT / "README.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("    "))
    block = []
    for line in lines[start:]:
        if not line.startswith("    "):
            break
        block.append(line.strip())
    study = next(c for c in block if "snakemake" in c)
    tests = next(c for c in block if "pytest" in c)
    return study, tests


def readme_snakemake_arguments():
    """The arguments the README's study command gives snakemake (`--cores all`)."""
    last = shlex.split(readme_commands()[0].split("&&")[-1])
    assert last[0].endswith("snakemake"), last
    return last[1:]


@pytest.fixture(scope="session")
def mnist_path():
    if not LOCAL_MNIST or not Path(LOCAL_MNIST).is_file():
        pytest.skip(f"no local MNIST at MNIST_PATH={LOCAL_MNIST!r} (set it to a copy)")
    return Path(LOCAL_MNIST)


def write_npz(path, n_train=20, n_test=60, **overrides):
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
# the default level's part of the paths under results/: MNIST, a 2-D latent space
LEVEL = "mnist/z2/sum"


def model_dir(workdir, coefficient, seed=0, level=LEVEL):
    """A model's folder of results, e.g. results/models/mnist/z2/sum/seed0/c1."""
    return Path(workdir) / f"results/models/{level}/seed{seed}/c{coefficient}"


def log_of(rule, coefficient, seed=0, level=LEVEL):
    """A model job's log, relative to the study's directory."""
    return f"results/logs/{rule}/{level}/seed{seed}/c{coefficient}.log"


def study_config(name, mnist_path, **overrides):
    """Snakemake arguments for the test configuration tests/configs/<name>.yaml, with the
    local MNIST copy and any overrides (key=value on the command line)."""
    values = [f"{key}={value}" for key, value in overrides.items()]
    return [
        "--configfile",
        str(ROOT / "tests" / "configs" / f"{name}.yaml"),
        "--config",
        f"mnist_path={mnist_path}",
        *values,
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
    """The tiny study, made by the README's study command with the tiny config and the local
    MNIST the README says to add offline."""
    workdir = tmp_path_factory.mktemp("study")
    snakemake(workdir, *readme_snakemake_arguments(), *study_config("tiny", mnist_path))
    return workdir


# Tests that share a study (or the trained models of test_training.py) run on one worker
# (pytest-xdist's --dist loadgroup, set in pyproject.toml), so that each is made once; the
# SLURM tests, which mostly wait for the scheduler, run beside the rest. Every other test goes
# wherever a worker is free.
GROUPS = {"study": "study", "unbroken": "faults", "levels_study": "levels"}


def pytest_configure(config):
    """Grouping must work, or each worker makes its own copy of every study: xdist 3.8.0's
    loadgroup silently stops grouping under pytest 9.2 (pytest-xdist#1386)."""
    if config.getoption("dist", "no") == "loadgroup" and pytest.version_tuple >= (9, 2):
        raise pytest.UsageError(
            f"pytest {pytest.__version__} breaks pytest-xdist's --dist loadgroup; install the "
            "pinned versions: .venv/bin/pip install -r envs/requirements-dev.txt"
        )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        group = next((g for f, g in GROUPS.items() if f in item.fixturenames), None)
        if group is None and item.get_closest_marker("slurm"):
            group = "slurm"
        if group is None and item.module.__name__ == "test_training":
            group = "training"
        if group:
            item.add_marker(pytest.mark.xdist_group(group))


def results_page(results):
    """docs/generate_results.py's page for a finished run's results/ directory."""
    return subprocess.run(
        [sys.executable, str(ROOT / "docs/generate_results.py"), str(results)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def read_events(directory):
    """What TensorBoard would read from a folder of event files: {tag: {step: value}} of the
    scalars, and the HParams of a session start (None without)."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import plugin_data_pb2

    scalars, hparams = {}, None
    for path in sorted(Path(directory).glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                plugin = value.metadata.plugin_data
                if plugin.plugin_name == "hparams":
                    data = plugin_data_pb2.HParamsPluginData.FromString(plugin.content)
                    if data.HasField("session_start_info"):
                        hparams = {
                            key: v.WhichOneof("kind") and getattr(v, v.WhichOneof("kind"))
                            for key, v in data.session_start_info.hparams.items()
                        }
                elif value.HasField("tensor"):
                    number = float(tf.make_ndarray(value.tensor))
                    scalars.setdefault(value.tag, {})[event.step] = number
    return scalars, hparams
