"""Plumbing shared by the workflow's script entry points."""

import contextlib
import os
import sys

from vaestudy.config import ConfigError
from vaestudy.data import DataError

USER_ERRORS = (ConfigError, DataError)


def log_to(path):
    """Send this process's stdout and stderr (also TensorFlow's C++ logs) to the rule's log."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    handle = open(path, "a", buffering=1)
    for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
        stream.flush()
        os.dup2(handle.fileno(), fd)
    sys.stdout = sys.stderr = handle


def start_job(smk, tensorflow=False):
    """Every script's first step: its output to the rule's log and, for jobs that use
    TensorFlow, its thread pools sized to the job's threads before any op runs."""
    log_to(smk.log[0])
    if tensorflow:
        from vaestudy.training import configure_tensorflow

        configure_tensorflow(smk.threads)
    return smk


@contextlib.contextmanager
def user_errors_as_messages():
    """A user error ends the job with its one-line message, not a traceback."""
    try:
        yield
    except USER_ERRORS as error:
        print(f"ERROR: {error}", file=sys.stderr, flush=True)
        sys.exit(1)


def model_settings(config, coefficient, seed):
    """The arguments of build_vae for one model of the study."""
    return {
        "latent_dim": config["latent_dim"],
        "intermediate_dim": config["intermediate_dim"],
        "kl_coefficient": float(coefficient),
        "seed": int(seed),
        "learning_rate": config["learning_rate"],
        "precision": config["precision"],
    }
