"""Watching a run: epochs read from the jobs' logs, in snakesee and in `vaestudy-status`."""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from snakesee.models import JobInfo
from snakesee.plugins import get_all_plugins, parse_tool_progress

from vaestudy_monitor.epochs import TrainingProgress, epoch_progress

VAE_LOG = """training c=1.0 seed=0 on 60000 images, 6 epochs, 1 thread(s)
epoch 1/6  loss 190.000  reconstruction 185.000  kl 5.000  9.00 s
epoch 2/6  loss 170.000  reconstruction 165.000  kl 5.000  2.00 s
resuming after epoch 2 from results/checkpoints/mnist/z2/sum/seed0/c1
epoch 3/6  loss 165.000  reconstruction 160.000  kl 5.000  3.00 s
"""

KERAS_LOG = """Epoch 1/10
E0000 some TensorFlow warning between the header and the epoch's summary
422/422 - 10s - 24ms/step - accuracy: 0.9211 - loss: 0.2634
Epoch 2/10
422/422 - 4s - 9ms/step - accuracy: 0.9680 - loss: 0.1043
Epoch 3/10
"""


def test_a_training_log_gives_its_last_epoch_and_the_median_recent_epoch_time():
    progress = epoch_progress(VAE_LOG)
    assert (progress.done, progress.total) == (3, 6)
    assert progress.seconds_per_epoch == 3.0  # median of 9, 2, 3: the compiling epoch weighs less
    assert progress.seconds_left == 9.0


def test_a_keras_log_counts_only_epochs_that_finished():
    progress = epoch_progress(KERAS_LOG)
    assert (progress.done, progress.total) == (2, 10)
    assert progress.seconds_per_epoch == 7.0
    assert progress.seconds_left == 56.0


def test_a_log_without_epochs_shows_no_progress():
    assert epoch_progress("downloading MNIST\nwritten results/data/mnist.npz\n") is None
    assert epoch_progress("") is None


def test_snakesee_finds_the_plugin_through_its_entry_point(tmp_path):
    assert any(isinstance(plugin, TrainingProgress) for plugin in get_all_plugins())
    log = tmp_path / "c1.log"
    log.write_text(VAE_LOG)
    progress = parse_tool_progress("train_vae", log)
    assert (progress.items_processed, progress.items_total, progress.unit) == (3, 6, "epochs")


@pytest.mark.slow
def test_a_finished_tiny_run_reads_as_completed_with_every_epoch_done(study):
    printed = subprocess.run(
        [sys.executable, "-m", "vaestudy_monitor.status", str(study)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    first = printed.splitlines()[0]
    done, total = first.split(": ")[1].split(" jobs done")[0].split(" of ")
    assert first.startswith("completed: ") and done == total
    logs = sorted((study / "results/logs/train_vae").glob("*/z*/*/seed*/c*.log"))
    assert len(logs) == len(pd.read_csv(study / "results/tables/metrics.csv"))
    for log in logs:
        progress = parse_tool_progress("train_vae", log)
        # the diverged model (c = 1e38) stopped after its first epoch
        assert (progress.items_processed, progress.items_total) == (
            (1, 2) if log.name == "c1e+38.log" else (2, 2)
        )


@pytest.mark.slow
def test_a_run_writes_the_plan_the_status_reads(study):
    from vaestudy_monitor.plan import read_plan

    # tests/configs/tiny.yaml: 5 coefficients, 2 epochs, seed 0, refine_models 4
    plan = read_plan(study)
    assert plan["levels"] == ["mnist/z2/sum"] and plan["seeds"] == [0]
    assert plan["coefficients"] == ["0", "0.5", "1", "2", "1e+38"]
    assert (plan["epochs"], plan["refine_models"], plan["round_size"]) == (2, 4, 1)


def test_a_module_s_rule_prefix_does_not_hide_what_a_job_is_for(tmp_path):
    from vaestudy_monitor.status import job_reading

    logs = tmp_path / "results/logs/train_vae/mnist/z2/sum/seed0"
    logs.mkdir(parents=True)
    (logs / "c1.log").write_text(VAE_LOG)
    job = JobInfo(
        rule="vaestudy_train_vae",
        log_file=Path("results/logs/train_vae/mnist/z2/sum/seed0/c1.log"),
        start_time=100.0,
    )
    reading = job_reading(tmp_path, job, now=130.0)
    assert (reading.rule, reading.kind, reading.model) == (
        "vaestudy_train_vae",
        "train_vae",
        "mnist/z2/sum/seed0/c1",
    )
    assert (reading.elapsed, reading.seconds_left, reading.seconds_per_epoch) == (30.0, 9.0, 3.0)


def test_status_outside_a_run_says_what_to_do(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "vaestudy_monitor.status", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "no Snakemake run here" in result.stderr and "Traceback" not in result.stderr


SNAKEMAKE_LOG = """Job stats:
job                 count
----------------  -------
evaluate_vae            4
train_vae               4
total                   8

localrule train_vae:
    log: results/logs/train_vae/mnist/z2/sum/seed0/c0.log
    jobid: 3
    wildcards: seed=0, coefficient=0
Finished jobid: 3 (Rule: train_vae)
"""


def test_status_schedules_the_running_and_waiting_models_on_the_runs_cores(tmp_path):
    # the plan: one level, 2 coefficients, 6 epochs, no refinement budget; c = 1 runs (epoch
    # 3/6 at 3 s: 9 s left), c = 2 waits (6 epochs at the running job's 3 s); evaluations
    # took 4 s and 6 s before
    from vaestudy_monitor.status import time_left_estimate, time_left_line

    plan = {"levels": ["mnist/z2/sum"], "seeds": [0], "coefficients": ["1", "2"], "epochs": 6}
    plan.update(train_threads=1, refine_models=0, round_size=1)
    (tmp_path / "results/logs").mkdir(parents=True)
    (tmp_path / "results/logs/plan.json").write_text(json.dumps(plan))
    logs = tmp_path / "results/logs/train_vae/mnist/z2/sum/seed0"
    logs.mkdir(parents=True)
    (logs / "c1.log").write_text(VAE_LOG)
    metadata = tmp_path / ".snakemake/metadata"
    metadata.mkdir(parents=True)
    for name, seconds in (("a", 4.0), ("b", 6.0)):
        record = {"rule": "evaluate_vae", "starttime": 0.0, "endtime": seconds}
        (metadata / name).write_text(json.dumps(record))
    (tmp_path / "snakemake.log").write_text("Provided cores: 2\n" + SNAKEMAKE_LOG)
    job = JobInfo(
        rule="train_vae", log_file=Path("results/logs/train_vae/mnist/z2/sum/seed0/c1.log")
    )
    state = SimpleNamespace(running_jobs=[job], log_file=tmp_path / "snakemake.log")
    left = time_left_estimate(tmp_path, state, now=0.0)
    # c = 1: 9 s, then its evaluation (5 s); c = 2: 18 s beside it, then 5 s
    assert (left.low, left.high, left.slots, left.models_to_train) == (23.0, 23.0, 2, 2)
    assert time_left_line(left) == (
        "time left: about 23s (2 model(s) to train at 3.0 s per epoch, 5 s per evaluation, "
        "2 job(s) at a time)"
    )


def test_status_without_a_plan_or_a_timed_epoch_has_no_schedule(tmp_path):
    from vaestudy_monitor.status import time_left_estimate

    (tmp_path / "snakemake.log").write_text(SNAKEMAKE_LOG)
    state = SimpleNamespace(running_jobs=[], log_file=tmp_path / "snakemake.log")
    assert time_left_estimate(tmp_path, state) is None  # no plan
    (tmp_path / "results/logs").mkdir(parents=True)
    plan = {"levels": ["mnist/z2/sum"], "seeds": [0], "coefficients": ["1"], "epochs": 6}
    plan.update(train_threads=1, refine_models=0, round_size=1)
    (tmp_path / "results/logs/plan.json").write_text(json.dumps(plan))
    assert time_left_estimate(tmp_path, state) is None  # no epoch timed yet


def test_rules_no_job_of_which_has_finished_are_named_as_untimed(tmp_path):
    from vaestudy_monitor.status import untimed_by_snakesee

    (tmp_path / "snakemake.log").write_text(SNAKEMAKE_LOG)
    state = SimpleNamespace(log_file=tmp_path / "snakemake.log")
    # one train_vae job finished (it is timed); no evaluate_vae job has
    assert untimed_by_snakesee(state, timed={}) == ["evaluate_vae"]
    assert untimed_by_snakesee(state, timed={"evaluate_vae": object()}) == []


def test_time_left_is_not_known_before_any_job_of_the_waiting_rules_has_finished(tmp_path):
    from snakesee import parse_workflow_state

    from vaestudy_monitor.status import time_left

    log = tmp_path / ".snakemake/log/2026-01-01T000000.000000.snakemake.log"
    log.parent.mkdir(parents=True)
    log.write_text(SNAKEMAKE_LOG.split("Finished")[0])
    line = time_left(tmp_path, parse_workflow_state(tmp_path))
    assert line == (
        "time left: not known until a job of each rule has finished (evaluate_vae, train_vae)"
    )
