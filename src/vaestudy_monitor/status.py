"""`vaestudy-status`: what a study's run is doing, as plain text, once: snakesee's reading of
`.snakemake/`, each running or failed job's epochs from its log (the last log line of a job
that failed), and the time left.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from snakesee import TimeEstimator, WorkflowStatus, format_duration, parse_workflow_state

from vaestudy_monitor.epochs import epoch_progress
from vaestudy_monitor.plan import read_levels, read_plan
from vaestudy_monitor.snakemake_log import (
    finished_jobs,
    job_durations,
    planned_jobs,
    provided_slots,
)
from vaestudy_monitor.time_left import Pace, Running, estimate, rules_never_timed


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
    """The run's TimeLeft (see vaestudy_monitor.time_left), or None without a plan or a
    timed epoch."""
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
        planned_jobs(log_text),
        finished_jobs(log_text),
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
    """The study's time left as a line: the range of vaestudy_monitor.time_left, or snakesee's
    estimate from finished jobs before the run's plan is read or an epoch is timed."""
    left = time_left_estimate(workdir, state)
    if left is not None:
        return time_left_line(left)
    estimator = TimeEstimator()
    metadata = workdir / ".snakemake" / "metadata"
    if metadata.is_dir():
        estimator.load_from_metadata(metadata)
    estimate_ = estimator.estimate_remaining(state)
    untimed = untimed_by_snakesee(state, estimator.rule_stats)
    if untimed and estimate_.seconds_remaining <= 0:
        return f"time left: not known until a job of each rule has finished ({', '.join(untimed)})"
    caveat = f"; not yet timed, so not counted: {', '.join(untimed)}" if untimed else ""
    return f"time left: {estimate_.format_eta()} (snakesee's estimate from finished jobs{caveat})"


def untimed_by_snakesee(state, timed):
    """The rules with jobs still to run of which no job has finished here (`timed`: rules
    with recorded durations), whose time snakesee can only guess from other rules'."""
    log_text = read(state.log_file)
    return rules_never_timed(planned_jobs(log_text), finished_jobs(log_text), timed)


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
