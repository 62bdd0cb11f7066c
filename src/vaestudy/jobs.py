"""Plumbing shared by the workflow's script entry points."""

import contextlib
import ctypes
import os
import resource
import signal
import sys

from vaestudy.config import ConfigError
from vaestudy.data import DataError

M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h

USER_ERRORS = (ConfigError, DataError)


def log_to(path):
    """Send this process's stdout and stderr (also TensorFlow's C++ logs) to the rule's log."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    handle = open(path, "a", buffering=1)
    for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
        stream.flush()
        os.dup2(handle.fileno(), fd)
    sys.stdout = sys.stderr = handle


def limit_malloc_arenas(arenas=1):
    """Have glibc's malloc keep one heap for all threads instead of one per thread (up to 8
    per core), so memory TensorFlow frees in one thread is reused by the next, not held
    twice: a training job peaked about 35 MB lower. Only on glibc (Linux); elsewhere a
    no-op. Call before the threads start, i.e. before importing TensorFlow. Returns
    whether glibc took the setting."""
    try:
        return ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas) == 1
    except (OSError, AttributeError):
        return False


def cpu_fields(cpuinfo="/proc/cpuinfo"):
    """The first processor's fields of Linux's cpuinfo ('model name', 'flags', ...) as
    strings; {} where there is no such file."""
    if not os.path.isfile(cpuinfo):
        return {}
    fields = {}
    with open(cpuinfo) as handle:
        for line in handle:
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    return fields


def peak_rss_mb():
    """This process's peak resident memory so far, in MB (getrusage: KiB on Linux, bytes
    on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024))


def block_sigterm():
    """Block SIGTERM in this thread, and so in every thread started after it (TensorFlow's),
    for training.StopRequest to read between epochs: a SIGTERM handled by a thread while an
    XLA-compiled epoch ran corrupted glibc's heap (tests/test_faults.py sends a burst). Call
    before importing TensorFlow."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})


def start_job(smk, tensorflow=False, hold_sigterm=False, precision="float32"):
    """Every script's first step: its output to the rule's log and, for jobs that use
    TensorFlow, one malloc heap and TensorFlow set up for the job's threads and precision
    before it is imported (training.configure_tensorflow); for training, SIGTERM held
    (block_sigterm)."""
    log_to(smk.log[0])
    if hold_sigterm:
        block_sigterm()
    if tensorflow:
        limit_malloc_arenas()
        from vaestudy.training import configure_tensorflow, graph_epoch

        configure_tensorflow(smk.threads, graph=graph_epoch(precision))
    return smk


@contextlib.contextmanager
def user_errors_as_messages():
    """A user error ends the job with its one-line message, not a traceback."""
    try:
        yield
    except USER_ERRORS as error:
        print(f"ERROR: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
