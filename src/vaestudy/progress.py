"""Epochs inside a running job, for snakesee, the passive monitor of Snakemake runs.

snakesee reads `.snakemake/` to show a study's jobs done, running and waiting and to estimate
the time left; what it cannot know is how far a training job has got. This module reads that
from the job's log: a VAE's training writes one line per epoch (`epoch 3/40  loss …  2.51 s`),
the classifier Keras's `Epoch 3/10` followed by `… - 2s - …`. `TrainingProgress` is registered
as a snakesee plugin (entry point group `snakesee.plugins` in pyproject.toml), so `snakesee watch`
shows them beside its own view; `vaestudy-status` prints the same as plain text, once, with the
last log line of a job that failed.
"""

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from snakesee.estimator import TimeEstimator
from snakesee.models import WorkflowStatus, format_duration
from snakesee.parser import parse_workflow_state
from snakesee.parser.core import parse_job_stats_counts_from_log, parse_rules_from_log
from snakesee.plugins.base import ToolProgress, ToolProgressPlugin

from vaestudy.time_left import (
    Pace,
    Running,
    estimate,
    job_durations,
    provided_slots,
    read_levels,
    read_plan,
    rules_never_timed,
)

VAE_EPOCH = re.compile(r"^epoch (\d+)/(\d+)\b.*?([\d.]+) s\s*$", re.MULTILINE)
KERAS_HEADER = re.compile(r"^Epoch (\d+)/(\d+)\s*$", re.MULTILINE)
KERAS_SUMMARY = re.compile(r"^\d+/\d+ - (\d+(?:\.\d+)?)s - ", re.MULTILINE)
RECENT_EPOCHS = 5  # the time per epoch is the median of this many latest epochs


@dataclass(frozen=True)
class EpochProgress:
    """Epochs done out of total, and the median seconds of the latest epochs (None if unknown)."""

    done: int
    total: int
    seconds_per_epoch: float | None

    @property
    def seconds_left(self):
        if self.seconds_per_epoch is None:
            return None
        return (self.total - self.done) * self.seconds_per_epoch


def _recent_median(seconds):
    return statistics.median(seconds[-RECENT_EPOCHS:]) if seconds else None


def vae_progress(log_text):
    """From a VAE training log: its last `epoch N/M … S s` line (a resumed job continues them)."""
    lines = VAE_EPOCH.findall(log_text)
    if not lines:
        return None
    done, total, _ = lines[-1]
    return EpochProgress(int(done), int(total), _recent_median([float(s) for *_, s in lines]))


def keras_progress(log_text):
    """From a Keras `fit(verbose=2)` log: `Epoch N/M` headers, one `… - Ss - …` line per epoch
    finished."""
    headers = KERAS_HEADER.findall(log_text)
    if not headers:
        return None
    seconds = [float(s) for s in KERAS_SUMMARY.findall(log_text)]
    return EpochProgress(len(seconds), int(headers[-1][1]), _recent_median(seconds))


def epoch_progress(log_text):
    """The progress a job's log shows, or None if it shows none."""
    return vae_progress(log_text) or keras_progress(log_text)


class TrainingProgress(ToolProgressPlugin):
    """Epochs of the study's training jobs (train_vae, train_classifier), from their logs."""

    RULES = ("train_vae", "train_classifier")

    @property
    def tool_name(self):
        return "vaestudy-training"

    def can_parse(self, rule_name, log_content):
        return rule_name in self.RULES or epoch_progress(log_content) is not None

    def parse_progress(self, log_content):
        progress = epoch_progress(log_content)
        if progress is None:
            return None
        return ToolProgress(
            items_processed=progress.done,
            items_total=progress.total,
            unit="epochs",
            estimated_remaining_seconds=progress.seconds_left,
        )


def last_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def read(log):
    return log.read_text(errors="replace") if log is not None and log.is_file() else ""


def job_line(workdir, job, state):
    """One job: its state, rule and log; the epochs its log shows, the log's last line if it
    failed."""
    text = read(workdir / job.log_file if job.log_file else None)
    line = f"{state:<10} {job.rule:<16} {job.log_file or '(no log)'}"
    progress = epoch_progress(text)
    if progress is not None:
        line += f"  epoch {progress.done}/{progress.total}"
        if progress.seconds_per_epoch is not None:
            line += f", {progress.seconds_per_epoch:.1f} s per epoch"
            if state == "running":
                line += f", about {format_duration(progress.seconds_left)} left"
    if state != "running" and text:
        line += f"\n{'':<10} last line: {last_line(text)}"
    return line


def job_reading(workdir, job, now):
    """A running job as time_left.Running: its rule and model from its log's path
    (`results/logs/RULE/MODEL.log`, so a module's rule prefix does not matter), and the
    seconds left its log tells."""
    parts = Path(job.log_file).with_suffix("").parts if job.log_file else ()
    kind, model = (parts[2], "/".join(parts[3:])) if len(parts) > 3 else (job.rule, None)
    elapsed = now - job.start_time if job.start_time else 0.0
    progress = epoch_progress(read(workdir / job.log_file if job.log_file else None))
    if progress is None:
        return Running(job.rule, kind, model, max(0.0, elapsed))
    return Running(
        job.rule, kind, model, max(0.0, elapsed), progress.seconds_left, progress.seconds_per_epoch
    )


def training_pace(workdir, running):
    """Seconds per epoch: the median over the running training jobs that have timed an epoch,
    or over the finished ones' logs while none has (None before any epoch is timed)."""
    timed = [job.seconds_per_epoch for job in running if job.seconds_per_epoch]
    if not timed:
        logs = sorted((workdir / "results/logs/train_vae").rglob("*.log"))
        found = (epoch_progress(read(log)) for log in logs)
        timed = [p.seconds_per_epoch for p in found if p and p.seconds_per_epoch]
    return statistics.median(timed) if timed else None


def time_left_estimate(workdir, state, now=None):
    """The run's TimeLeft (see vaestudy.time_left), or None without a plan or a timed epoch."""
    plan = read_plan(workdir)
    if plan is None:
        return None
    now = time.time() if now is None else now
    running = [job_reading(workdir, job, now) for job in state.running_jobs]
    per_epoch = training_pace(workdir, [job for job in running if job.kind == "train_vae"])
    if per_epoch is None:
        return None
    pace = Pace.measured(per_epoch, plan["epochs"], job_durations(workdir))
    log_text = read(state.log_file)
    cores = provided_slots(log_text) or max(1, len(running))
    return estimate(
        read_levels(workdir, plan),
        running,
        pace,
        parse_job_stats_counts_from_log(state.log_file),
        parse_rules_from_log(state.log_file),
        max(1, cores // plan["train_threads"]),
    )


def time_left_line(left):
    """A TimeLeft in words: the range, what each end assumes, what it rests on."""
    pace = left.pace
    evaluation = pace.evaluation(high=False)
    evaluation = f"{evaluation:.0f} s per evaluation" if evaluation else "evaluations untimed"
    basis = (
        f"{left.models_to_train} model(s) to train at {pace.per_epoch:.1f} s per epoch, "
        f"{evaluation}, {left.slots} job(s) at a time"
    )
    if left.high - left.low < 1.0:
        return f"time left: about {format_duration(left.low)} ({basis})"
    high = []
    if left.models_the_rounds_may_add:
        high.append(f"the refinement adds the {left.models_the_rounds_may_add} models it may")
    if left.untimed_rules:
        high.append(
            f"each job of {', '.join(left.untimed_rules)} (none finished yet) takes the run's "
            f"median job, {format_duration(pace.untimed)}"
        )
    return (
        f"time left: {format_duration(left.low)} to {format_duration(left.high)}; the high end "
        f"if {' and '.join(high)} ({basis})"
    )


def time_left(workdir, state):
    """The study's time left as a line: the range of vaestudy.time_left, or snakesee's estimate
    from finished jobs before the run's plan is read or an epoch is timed."""
    left = time_left_estimate(workdir, state)
    if left is not None:
        return time_left_line(left)
    estimator = TimeEstimator()
    metadata = workdir / ".snakemake" / "metadata"
    if metadata.is_dir():
        estimator.load_from_metadata(metadata)
    estimate_ = estimator.estimate_remaining(state)
    untimed = untimed_rules(state, estimator.rule_stats)
    if untimed and estimate_.seconds_remaining <= 0:
        return f"time left: not known until a job of each rule has finished ({', '.join(untimed)})"
    caveat = f"; not yet timed, so not counted: {', '.join(untimed)}" if untimed else ""
    return f"time left: {estimate_.format_eta()} (snakesee's estimate from finished jobs{caveat})"


def untimed_rules(state, timed):
    """The rules with jobs still to run of which no job has finished here (`timed`: rules
    with recorded durations), whose time snakesee can only guess from other rules'."""
    planned = parse_job_stats_counts_from_log(state.log_file)
    return rules_never_timed(planned, parse_rules_from_log(state.log_file), timed)


def snapshot(workdir):
    """What a study's run is doing (or did, if it stopped), as lines of text: snakesee's reading
    of `.snakemake/` and each running or failed job's epochs from its log."""
    workdir = Path(workdir)
    state = parse_workflow_state(workdir)
    running, failed = len(state.running_jobs), state.failed_jobs
    waiting = max(0, state.total_jobs - state.completed_jobs - running - failed)
    lines = [
        f"{state.status.value}: {state.completed_jobs} of {state.total_jobs} jobs done, "
        f"{running} running, {waiting} waiting, {failed} failed"
        f"  (Snakemake's log: {state.log_file})"
    ]
    jobs = [(job, "running") for job in state.running_jobs]
    jobs += [(job, "failed") for job in state.failed_jobs_list]
    jobs += [(job, "incomplete") for job in state.incomplete_jobs_list]
    lines += [job_line(workdir, job, kind) for job, kind in jobs]
    if state.status == WorkflowStatus.RUNNING:
        lines.append(time_left(workdir, state))
    return lines


def main(argv=None):
    """`vaestudy-status [DIRECTORY]`: print the snapshot of the run in DIRECTORY (default: here)."""
    parser = argparse.ArgumentParser(description=main.__doc__.split(": ", 1)[1])
    parser.add_argument("directory", nargs="?", default=".", help="the study's directory")
    workdir = Path(parser.parse_args(argv).directory)
    if not (workdir / ".snakemake" / "log").is_dir():
        sys.exit(f"{workdir}: no Snakemake run here (no .snakemake/log); start the study first")
    print("\n".join(snapshot(workdir)))


if __name__ == "__main__":
    main()
