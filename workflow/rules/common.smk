# Shared set-up: the validated config, the study's levels, and path helpers.
import json
import math
import os
import sys

import pandas as pd

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
from vaestudy.data import DataError
from vaestudy.distances import DEFINITION as DISTANCES
from vaestudy.evaluation import EVALUATION_KEYS
from vaestudy.files import sha256_of
from vaestudy.losses import DEFINITIONS as LOSS_DEFINITIONS
from vaestudy.datasets import DATASET_NAME, check_local_files, configured
from vaestudy.levels import (
    CHECKPOINT,
    CLASSIFIER_RECORD,
    CLASSIFIER_WEIGHTS,
    DATA,
    DATA_INFO,
    EXPLORER,
    INIT,
    LEVEL,
    MODEL,
    MODEL_FIGURES,
    ROUND,
    SWEEP,
    Level,
    added_models,
    configured_models,
    level_figure,
    levels,
)
from vaestudy_monitor.plan import PLAN, plan_record


def _validated(config):
    """The config with defaults and its datasets, or a one-line error before any job starts.
    Local data files are read and checked (0.4 s for MNIST) only in the process the user
    started, not again in every job, which re-reads this Snakefile."""
    schema = load_schema(workflow.source_path("../schemas/config.schema.yaml"))
    try:
        validate_config(config, schema)
        datasets = configured(config)
        if workflow.is_main_process:
            check_local_files(datasets, config["train_limit"], config["test_limit"])
    except (ConfigError, DataError) as error:
        print(f"Invalid configuration: {error}", file=sys.stderr)
        sys.exit(1)
    return config, datasets


config, configured_datasets = _validated(config)

COEFFICIENTS = [coefficient_label(c) for c in config["coefficients"]]
SEEDS = [str(s) for s in config["seeds"]]
DATASETS = {dataset.name: dataset for dataset in configured_datasets}
LEVELS = levels(config, configured_datasets)
# every seed of the coefficients where the answer is decided: the configured ones, then as
# many more as bring them to contender_seeds (see checkpoint refine)
ANSWER_SEEDS = SEEDS + [
    str(max(config["seeds"]) + 1 + i)
    for i in range(max(0, config["contender_seeds"] - len(SEEDS)))
]
MODEL_SETTINGS = {key: config[key] for key in MODEL_KEYS}
# the initial weights are float32, the same starting point whatever precision trains them
INITIAL_SETTINGS = {**MODEL_SETTINGS, "precision": "float32"}
# what a job that reads the study's settings may depend on: all but how jobs run
STUDY_SETTINGS = {k: v for k, v in config.items() if k not in EXECUTION_KEYS}
# what the answer's rounds and record depend on
ANSWER_SETTINGS = {
    key: config[key]
    for key in (
        "coefficients",
        "confidence",
        "margins",
        "reconstruction_budget",
        "iw_samples",
    )
}


wildcard_constraints:
    dataset=DATASET_NAME,
    latent_dim=r"\d+",
    loss="|".join(LOSS_DEFINITIONS),
    seed=r"\d+",
    round=r"\d+",
    # one spelling per coefficient (see coefficient_label): 1 not 1.0, 0.5 not .5
    coefficient=r"(0|[1-9]\d*)(\.\d*[1-9])?(e[-+]\d+)?",


def expected_sha256(wildcards):
    """The sha256 a dataset's file must have: its download's, or the local file's own."""
    dataset = DATASETS[wildcards.dataset]
    return dataset.sha256 if not dataset.path else sha256_of(dataset.path)


# The table of the study's models (vaestudy.levels): the configured ones are round 0; round r
# of checkpoint refine adds round r + 1.
CONFIGURED_MODELS = configured_models(LEVELS, SEEDS, COEFFICIENTS)
# the models whose figures the report shows one by one: the first seed's
SHOWN_MODELS = CONFIGURED_MODELS[CONFIGURED_MODELS["seed"] == SEEDS[0]]
LEVEL_TABLE = pd.DataFrame([vars(level) for level in LEVELS], columns=Level.axes())


def paths(pattern, table):
    """pattern filled in from each row of a table (of models or of levels)."""
    return [pattern.format(**row) for row in table.to_dict("records")]


def round_record(level, round_):
    """What round `round_` of checkpoint refine added at one level."""
    done = checkpoints.refine.get(**vars(level), round=str(round_))
    with open(done.output[0]) as handle:
        return json.load(handle)


def level_models(wildcards, before_round=None):
    """One level's rows of the table (the level of the job's wildcards): its configured
    models, then those the rounds of checkpoint refine add, up to `before_round`, or through
    the last round (the first that adds nothing)."""
    level = Level.of(wildcards)
    rows = level.rows(CONFIGURED_MODELS).to_dict("records")
    round_ = 0
    while before_round is None or round_ < before_round:
        record = round_record(level, round_)
        if not record["add"]:
            break
        rows += added_models(level, record, round_ + 1)
        round_ += 1
    return pd.DataFrame(rows, columns=CONFIGURED_MODELS.columns)


def studied_models():
    """Every level's rows of the table, through each level's last round."""
    return pd.concat([level_models(level) for level in LEVELS], ignore_index=True)


def level_model_files(name):
    """An input function: the file `name` of every model of the job's level."""
    return lambda wildcards: paths(os.path.join(MODEL, name), level_models(wildcards))


def earlier_model_files(name):
    """An input function: the file `name` of the models of the job's level from before the
    job's own round of checkpoint refine."""
    return lambda wildcards: paths(
        os.path.join(MODEL, name), level_models(wildcards, int(wildcards.round))
    )


def studied_model_files(name):
    """An input function: the file `name` of every model of every level."""
    return lambda wildcards: paths(os.path.join(MODEL, name), studied_models())


def shown_model_files(name):
    """An input function: the file `name` of the shown models of the job's level."""
    return lambda wildcards: paths(
        os.path.join(MODEL, name), Level.of(wildcards).rows(SHOWN_MODELS)
    )


def round_files(wildcards):
    """Every level's round records, through its last round."""
    return [
        level.path(ROUND, round=round_)
        for level in LEVELS
        for round_ in range(int(level_models(level)["round"].max()) + 1)
    ]


# the models whose IW bound is swept over K: the first seed's, at the smallest configured
# coefficient (where the bound is loosest) and at the one closest to c = 1 on a log scale
SWEPT_SEED = SEEDS[0]
SWEPT = sorted(
    {
        min(COEFFICIENTS, key=float),
        min(
            COEFFICIENTS,
            key=lambda c: abs(math.log(float(c))) if float(c) > 0 else math.inf,
        ),
    },
    key=float,
)
SWEEPS = [level.path(SWEEP, coefficient=c) for level in LEVELS for c in SWEPT]


def swept_file(name):
    """An input function: a file of the swept model of the job's level and coefficient."""
    return lambda wildcards: os.path.join(
        Level.of(wildcards).path(
            MODEL, seed=SWEPT_SEED, coefficient=wildcards.coefficient
        ),
        name,
    )


onstart:
    # what vaestudy-status needs to foretell the time left (vaestudy_monitor.time_left)
    os.makedirs(os.path.dirname(PLAN), exist_ok=True)
    with open(PLAN, "w") as handle:
        json.dump(plan_record(config, LEVELS, COEFFICIENTS), handle, indent=2)
