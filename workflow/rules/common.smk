# Shared set-up: the validated config, the study's levels, and path helpers.
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
    DATASET_NAME,
    EXECUTION_KEYS,
    MODEL_KEYS,
    ConfigError,
    coefficient_label,
    load_schema,
    validate_config,
)
from vaestudy.data import DataError
from vaestudy.evaluation import EVALUATION_KEYS
from vaestudy.files import sha256_of
from vaestudy.levels import check_files, datasets, latent_dims, levels


def _validated(config):
    """The config with defaults, or a one-line error before any job starts. Local data files
    are read and checked (0.4 s for MNIST) only in the process the user started, not again
    in every job, which re-reads this Snakefile."""
    schema = load_schema(workflow.source_path("../schemas/config.schema.yaml"))
    try:
        validate_config(config, schema)
        if workflow.is_main_process:
            check_files(config)
    except (ConfigError, DataError) as error:
        print(f"Invalid configuration: {error}", file=sys.stderr)
        sys.exit(1)
    return config


config = _validated(config)

COEFFICIENTS = [coefficient_label(c) for c in config["coefficients"]]
SEEDS = [str(s) for s in config["seeds"]]
DATASETS = {dataset.name: dataset for dataset in datasets(config)}
LATENT_DIMS = [str(d) for d in latent_dims(config)]
LEVELS = levels(config)
# seeds after the configured ones that bring the conclusion's contenders up to
# contender_seeds (see checkpoint contenders)
EXTRA_SEEDS = [
    str(max(config["seeds"]) + 1 + i)
    for i in range(max(0, config["contender_seeds"] - len(SEEDS)))
]
LEVEL = "{dataset}/z{latent_dim}"
MODEL = f"results/models/{LEVEL}/seed{{seed}}/c{{coefficient}}"
DATA = "results/data/{dataset}.npz"
JUDGE = "results/classifier/{dataset}"
MODEL_SETTINGS = {key: config[key] for key in MODEL_KEYS}
# what a job that reads the study's settings may depend on: all but how jobs run
STUDY_SETTINGS = {k: v for k, v in config.items() if k not in EXECUTION_KEYS}
THRESHOLDS = {key: config[key] for key in ("reconstruction_margin", "max_coverage_gap")}


wildcard_constraints:
    dataset=DATASET_NAME,
    latent_dim=r"\d+",
    seed=r"\d+",
    round=r"\d+",
    # one spelling per coefficient (see coefficient_label): 1 not 1.0, 0.5 not .5
    coefficient=r"(0|[1-9]\d*)(\.\d*[1-9])?(e[-+]\d+)?",


def expected_sha256(wildcards):
    """The sha256 a dataset's file must have: its download's, or the local file's own."""
    dataset = DATASETS[wildcards.dataset]
    return dataset.sha256 if not dataset.path else sha256_of(dataset.path)


def level_files(pattern, **wildcards):
    """pattern filled in for every level (and any other wildcards given as lists)."""
    return [
        path
        for level in LEVELS
        for path in expand(
            pattern, dataset=level.dataset, latent_dim=level.latent_dim, **wildcards
        )
    ]


def figure_files(kind):
    """Every configured model's figure of one kind, over all levels."""
    return level_files(
        f"results/figures/{LEVEL}/seed{{seed}}/{kind}_c{{coefficient}}.png",
        seed=SEEDS,
        coefficient=COEFFICIENTS,
    )


def seeded_contenders(dataset, latent_dim, rounds=None):
    """The coefficients of one level given the extra seeds, over the checkpoint's rounds
    (the first `rounds` of them, or until a round names no new contender)."""
    seeded, round_ = [], 0
    while rounds is None or round_ < rounds:
        named = checkpoints.contenders.get(
            dataset=dataset, latent_dim=latent_dim, round=str(round_)
        )
        with open(named.output[0]) as handle:
            new = json.load(handle)["new"]
        if not new:
            break
        seeded += new
        round_ += 1
    return seeded


def studied_models(dataset, latent_dim, rounds=None):
    """(seed, coefficient) of every model of one level: each configured seed and coefficient,
    then the extra seeds of the contenders, as checkpoint contenders names them round by round.
    """
    models = [(s, c) for s in SEEDS for c in COEFFICIENTS]
    if EXTRA_SEEDS:
        seeded = seeded_contenders(dataset, latent_dim, rounds)
        models += [(s, coefficient_label(c)) for s in EXTRA_SEEDS for c in seeded]
    return models


def studied_files(name, every_level=False, before_round=False):
    """An input function: one path per studied model of the job's level (or of every level),
    e.g. studied_files('metrics.json'); with before_round, the configured models and the
    extra seeds named by the rounds of checkpoint contenders before the job's own round.
    """
    path = os.path.join(MODEL, name)

    def files(wildcards):
        chosen = LEVELS if every_level else [wildcards]
        rounds = int(wildcards.round) if before_round else None
        return [
            path.format(
                dataset=lv.dataset, latent_dim=lv.latent_dim, seed=s, coefficient=c
            )
            for lv in chosen
            for s, c in studied_models(lv.dataset, lv.latent_dim, rounds)
        ]

    return files


def models_of(paths):
    """(seed, coefficient) of each model path among paths, for a job's params."""
    found = [re.search(r"seed(\d+)/c([^/]+)/", str(path)) for path in paths]
    return [(int(m.group(1)), m.group(2)) for m in found if m]
