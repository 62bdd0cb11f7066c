# Shared set-up: the validated config, and path helpers.
import json
import os
import re
import sys

# envs/vae.yaml installs the package from here when Snakemake builds the conda environment
os.environ.update(VAESTUDY_ROOT=workflow.basedir)
try:
    import vaestudy
except ImportError:
    sys.exit(
        "The study's package vaestudy is not installed in this Python environment: run "
        "`.venv/bin/pip install -r envs/requirements.txt` from the repository's top folder."
    )

from vaestudy.config import (
    EXECUTION_KEYS,
    MODEL_KEYS,
    ConfigError,
    coefficient_label,
    load_schema,
    validate_config,
)
from vaestudy.data import DataError, check_limits, check_local_mnist, CANONICAL_SIZES
from vaestudy.evaluation import EVALUATION_KEYS


def _validated(config):
    """The config with defaults, or a one-line error before any job starts. The data file is
    read and checked (0.4 s for MNIST) only in the process the user started, not again in
    every job, which re-reads this Snakefile."""
    schema = load_schema(workflow.source_path("../schemas/config.schema.yaml"))
    try:
        validate_config(config, schema)
        if workflow.is_main_process:
            sizes = (
                check_local_mnist(config["mnist_path"])
                if config["mnist_path"]
                else CANONICAL_SIZES
            )
            check_limits(sizes, config["train_limit"], config["test_limit"])
    except (ConfigError, DataError) as error:
        print(f"Invalid configuration: {error}", file=sys.stderr)
        sys.exit(1)
    return config


config = _validated(config)

COEFFICIENTS = [coefficient_label(c) for c in config["coefficients"]]
SEEDS = [str(s) for s in config["seeds"]]
# seeds after the configured ones that bring the conclusion's contenders up to
# contender_seeds (see rule contenders)
EXTRA_SEEDS = [
    str(max(config["seeds"]) + 1 + i)
    for i in range(max(0, config["contender_seeds"] - len(SEEDS)))
]
MODEL = "results/models/seed{seed}/c{coefficient}"
MODEL_SETTINGS = {key: config[key] for key in MODEL_KEYS}
# what a job that reads the study's settings may depend on: all but how jobs run
STUDY_SETTINGS = {k: v for k, v in config.items() if k not in EXECUTION_KEYS}
THRESHOLDS = {key: config[key] for key in ("reconstruction_margin", "max_coverage_gap")}


wildcard_constraints:
    seed=r"\d+",
    # one spelling per coefficient (see coefficient_label): 1 not 1.0, 0.5 not .5
    coefficient=r"(0|[1-9]\d*)(\.\d*[1-9])?(e[-+]\d+)?",


def model_files(name):
    """One path per seed and coefficient, e.g. model_files('metrics.json')."""
    return expand(f"{MODEL}/{name}", seed=SEEDS, coefficient=COEFFICIENTS)


def figure_files(kind):
    return expand(
        "results/figures/seed{seed}/{kind}_c{coefficient}.png",
        kind=kind,
        seed=SEEDS,
        coefficient=COEFFICIENTS,
    )


def studied_models():
    """(seed, coefficient) of every model: each configured seed and coefficient, then the
    extra seeds of the contenders, once checkpoint contenders has named them."""
    models = [(s, c) for s in SEEDS for c in COEFFICIENTS]
    if EXTRA_SEEDS:
        with open(checkpoints.contenders.get().output[0]) as handle:
            named = json.load(handle)["contenders"]
        models += [(s, coefficient_label(c)) for s in EXTRA_SEEDS for c in named]
    return models


def studied_files(name):
    """An input function: one path per studied model, e.g. studied_files('metrics.json')."""
    path = os.path.join(MODEL, name)
    return lambda wildcards: [
        path.format(seed=s, coefficient=c) for s, c in studied_models()
    ]


def models_of(paths):
    """(seed, coefficient) of each model path among paths, for a job's params."""
    found = [re.search(r"seed(\d+)/c([^/]+)/", str(path)) for path in paths]
    return [(int(m.group(1)), m.group(2)) for m in found if m]
