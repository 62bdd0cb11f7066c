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
from dataclasses import dataclass
from pathlib import Path

from snakesee.estimator import TimeEstimator
from snakesee.models import WorkflowStatus, format_duration
from snakesee.parser import parse_workflow_state
from snakesee.parser.core import parse_job_stats_counts_from_log, parse_rules_from_log
from snakesee.plugins.base import ToolProgress, ToolProgressPlugin

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


def training_left(workdir, state):
    """(seconds, models, seconds per epoch, jobs at a time) of VAE training still to do: the
    running training jobs' epochs left and every waiting one's, at the running jobs' median time
    per epoch, shared among as many jobs as train now; None while no epoch has been timed."""
    training = [job for job in state.running_jobs if job.rule == "train_vae"]
    logs = [workdir / job.log_file for job in training if job.log_file]
    timed = [p for p in map(epoch_progress, (read(log) for log in logs)) if p]
    timed = [p for p in timed if p.seconds_per_epoch is not None]
    if not timed:
        return None
    per_epoch = statistics.median(p.seconds_per_epoch for p in timed)
    planned = parse_job_stats_counts_from_log(state.log_file).get("train_vae", 0)
    finished = parse_rules_from_log(state.log_file).get("train_vae", 0)
    failed = sum(job.rule == "train_vae" for job in state.failed_jobs_list)
    untimed = max(0, planned - finished - failed - len(timed))
    work = sum(p.seconds_left for p in timed) + untimed * timed[0].total * per_epoch
    return work / len(training), len(timed) + untimed, per_epoch, len(training)


def time_left(workdir, state):
    """The study's time left, roughly: snakesee's estimate from the jobs finished so far (per
    rule), raised to the training still to do where that is larger (training_left). Neither is
    a bound: jobs speed up as others finish, and evaluations after training are not counted."""
    estimator = TimeEstimator()
    metadata = workdir / ".snakemake" / "metadata"
    if metadata.is_dir():
        estimator.load_from_metadata(metadata)
    estimate = estimator.estimate_remaining(state)
    training = training_left(workdir, state)
    untimed = untimed_rules(state, estimator.rule_stats)
    caveat = f"; not yet timed, so not counted: {', '.join(untimed)}" if untimed else ""
    if training is None and untimed and estimate.seconds_remaining <= 0:
        return f"time left: not known until a job of each rule has finished ({', '.join(untimed)})"
    if training is None or training[0] <= estimate.seconds_remaining:
        return (
            f"time left: {estimate.format_eta()} (snakesee's estimate from finished jobs{caveat})"
        )
    seconds, models, per_epoch, at_once = training
    return (
        f"time left: about {format_duration(seconds)}, the training still to do "
        f"({models} model(s) at {per_epoch:.1f} s per epoch, {at_once} at a time; snakesee's "
        f"estimate from finished jobs alone: {estimate.format_eta()}{caveat})"
    )


def untimed_rules(state, timed):
    """The rules with jobs still to run of which no job has finished here (`timed`: rules
    with recorded durations), whose time snakesee can only guess from other rules'."""
    planned = parse_job_stats_counts_from_log(state.log_file)
    finished = parse_rules_from_log(state.log_file)
    return sorted(
        rule
        for rule, count in planned.items()
        if rule != "all"
        and count > finished.get(rule, 0)
        and rule not in timed
        and not finished.get(rule)
    )


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
