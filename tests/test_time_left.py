"""The time left of a run: the scheduler against known cases, and the range on synthetic runs."""

import json
from pathlib import Path

import pytest

from vaestudy_monitor.plan import plan_record, read_levels
from vaestudy_monitor.snakemake_log import job_durations
from vaestudy_monitor.time_left import Pace, Running, Task, estimate, makespan


def test_independent_tasks_fill_the_slots():
    tasks = [Task(str(i), 1.0) for i in range(3)]
    assert makespan(tasks, slots=2) == 2.0  # two at once, then the third
    assert makespan(tasks, slots=3) == 1.0
    assert makespan(tasks, slots=1) == 3.0
    assert makespan([], slots=2) == 0.0


def test_a_task_waits_for_the_tasks_it_depends_on():
    tasks = [Task("a", 3.0), Task("b", 1.0), Task("c", 2.0, ("a",)), Task("d", 1.0, ("b",))]
    # slot 1: a 0-3, c 3-5; slot 2: b 0-1, d 1-2
    assert makespan(tasks, slots=2) == 5.0
    # a chain takes its length however many slots there are
    chain = [Task("x", 1.0), Task("y", 2.0, ("x",)), Task("z", 4.0, ("y",))]
    assert makespan(chain, slots=8) == 7.0


def test_a_task_waiting_for_one_that_never_runs_is_an_error():
    with pytest.raises(ValueError, match="never run"):
        makespan([Task("a", 1.0, ("missing",))], slots=2)


PLAN = {
    "levels": ["mnist/z2/sum"],
    "seeds": [0],
    "coefficients": ["0.1", "1"],
    "epochs": 10,
    "train_threads": 1,
    "refine_models": 2,
    "round_size": 2,
}
PACE = Pace(per_epoch=1.0, epochs=10, rules={"evaluate_vae": 5.0}, untimed=3.0)


def write_round(workdir, number, add, budget_left):
    path = Path(workdir) / f"results/tables/refine/mnist/z2/sum/round{number}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"round": number, "add": add, "budget_left": budget_left}))


def finish(workdir, model, *names):
    folder = Path(workdir) / "results/models" / model
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text("{}")


def left_of(workdir, running=(), planned=None, slots=2, pace=PACE):
    levels = read_levels(workdir, PLAN)
    return estimate(levels, list(running), pace, planned or {}, {}, slots)


def test_before_any_model_the_range_runs_from_no_rounds_to_a_spent_budget(tmp_path):
    left = left_of(tmp_path)
    # two trainings side by side (10 s), their evaluations (5 s); the round may add 2 more
    assert (left.low, left.high) == (15.0, 30.0)
    assert (left.models_to_train, left.models_the_rounds_may_add) == (2, 2)
    # on one slot, everything one after the other
    assert (left_of(tmp_path, slots=1).low, left_of(tmp_path, slots=1).high) == (30.0, 60.0)


def test_a_running_training_counts_the_epochs_its_log_says_are_left(tmp_path):
    running = [Running("train_vae", "train_vae", "mnist/z2/sum/seed0/c1", 4.0, seconds_left=6.0)]
    left = left_of(tmp_path, running)
    # c = 1 ends at 6 s, c = 0.1 at 10 s; each evaluation 5 s after its training
    assert left.low == 15.0
    finish(tmp_path, "mnist/z2/sum/seed0/c0.1", "training.json", "metrics.json")
    assert left_of(tmp_path, running).low == 11.0


def test_a_round_that_added_models_counts_them_and_a_round_that_added_none_ends(tmp_path):
    for model in ("mnist/z2/sum/seed0/c0.1", "mnist/z2/sum/seed0/c1"):
        finish(tmp_path, model, "training.json", "metrics.json")
    write_round(tmp_path, 0, [{"coefficient": 1.0, "seeds": [1, 2]}], budget_left=0)
    levels = read_levels(tmp_path, PLAN)
    assert levels[0].models[-2:] == ("mnist/z2/sum/seed1/c1", "mnist/z2/sum/seed2/c1")
    assert levels[0].rounds_ended  # the budget is spent
    left = left_of(tmp_path)
    assert (left.low, left.high, left.models_the_rounds_may_add) == (15.0, 15.0, 0)
    write_round(tmp_path, 0, [], budget_left=2)
    assert read_levels(tmp_path, PLAN)[0].rounds_ended
    assert (left_of(tmp_path).low, left_of(tmp_path).high) == (0.0, 0.0)


def test_a_rule_not_yet_timed_counts_in_the_high_end_only(tmp_path):
    for model in ("mnist/z2/sum/seed0/c0.1", "mnist/z2/sum/seed0/c1"):
        finish(tmp_path, model, "training.json", "metrics.json")
    write_round(tmp_path, 0, [], budget_left=2)
    left = left_of(tmp_path, planned={"report": 1, "plot_model": 2, "all": 1})
    assert (left.low, left.high) == (0.0, 6.0)  # three untimed jobs of 3 s on two slots
    assert left.untimed_rules == ("plot_model", "report")
    timed = Pace(1.0, 10, {"evaluate_vae": 5.0, "report": 4.0}, untimed=3.0)
    left = left_of(tmp_path, planned={"report": 1}, pace=timed)
    assert (left.low, left.high) == (4.0, 4.0)


def test_evaluations_not_yet_timed_count_at_the_median_job_in_the_high_end(tmp_path):
    untimed = Pace(per_epoch=1.0, epochs=10, rules={}, untimed=3.0)
    left = left_of(tmp_path, pace=untimed)
    assert (left.low, left.high) == (10.0, 26.0)  # 10 + 3, then 10 + 3 for the round
    assert left.untimed_rules == ("evaluate_vae",)


def test_the_printed_line_is_the_range_and_says_what_its_high_end_assumes(tmp_path):
    from vaestudy_monitor.status import time_left_line

    untimed = Pace(per_epoch=1.0, epochs=10, rules={}, untimed=3.0)
    assert time_left_line(left_of(tmp_path, pace=untimed)) == (
        "time left: 10s to 26s; the high end if the refinement adds the 2 models it may and "
        "each job of evaluate_vae (none finished yet) takes the run's median job, 3s "
        "(2 model(s) to train at 1.0 s per epoch, evaluations untimed, 2 job(s) at a time)"
    )
    for model in ("mnist/z2/sum/seed0/c0.1", "mnist/z2/sum/seed0/c1"):
        finish(tmp_path, model, "training.json")
    write_round(tmp_path, 0, [], budget_left=2)
    assert time_left_line(left_of(tmp_path)) == (
        "time left: about 5s (0 model(s) to train at 1.0 s per epoch, 5 s per evaluation, "
        "2 job(s) at a time)"
    )


def test_each_finished_job_counts_once_however_many_outputs_it_has(tmp_path):
    metadata = tmp_path / ".snakemake/metadata"
    metadata.mkdir(parents=True)
    job = {"rule": "plot_model", "starttime": 100.0, "endtime": 106.0}
    for name in ("a", "b", "c"):  # one record per output file
        (metadata / name).write_text(json.dumps(job))
    (metadata / "d").write_text(json.dumps({**job, "starttime": 200.0, "endtime": 202.0}))
    (metadata / "e").write_text("{not json")
    assert sorted(job_durations(tmp_path)["plot_model"]) == [2.0, 6.0]
    pace = Pace.measured(1.0, 10, job_durations(tmp_path))
    assert (pace.job("plot_model", high=False), pace.untimed) == (4.0, 4.0)


def test_a_missing_broken_or_partial_plan_reads_as_none(tmp_path):
    from vaestudy_monitor.plan import PLAN as PLAN_PATH
    from vaestudy_monitor.plan import read_plan

    assert read_plan(tmp_path) is None
    path = tmp_path / PLAN_PATH
    path.parent.mkdir(parents=True)
    path.write_text('{"levels": ["mnist/z2/sum"')  # cut off mid-write
    assert read_plan(tmp_path) is None
    path.write_text(json.dumps({"epochs": 6}))
    assert read_plan(tmp_path) is None
    path.write_text(json.dumps(PLAN))
    assert read_plan(tmp_path) == PLAN


def test_the_plan_names_every_level_and_model_of_the_config():
    from vaestudy.levels import Level

    config = {
        "seeds": [0],
        "epochs": 40,
        "train_threads": 1,
        "refine_models": 8,
        "contender_seeds": 3,
    }
    record = plan_record(config, [Level("mnist", 2), Level("binary", 8)], ["0", "0.02"])
    assert record["levels"] == ["mnist/z2/sum", "binary/z8/sum"]
    # a round adds one model at the least: a second seed, or one coefficient at one seed
    assert (record["epochs"], record["refine_models"], record["round_size"]) == (40, 8, 1)


def test_the_plan_a_run_writes_is_one_the_status_reads(tmp_path):
    from vaestudy.levels import Level
    from vaestudy_monitor.plan import PLAN as PLAN_PATH
    from vaestudy_monitor.plan import read_plan

    config = {"seeds": [0], "epochs": 2, "train_threads": 1, "refine_models": 4}
    record = plan_record({**config, "contender_seeds": 2}, [Level("mnist", 2)], ["0", "1"])
    (tmp_path / PLAN_PATH).parent.mkdir(parents=True)
    (tmp_path / PLAN_PATH).write_text(json.dumps(record))
    assert read_plan(tmp_path) == record


SNAKEMAKE_LOG = """Building DAG of jobs...
Using shell: /usr/bin/bash
Provided cores: 2
Rules claiming more threads will be scaled down.
Job stats:
job                          count
-------------------------  -------
vaestudy_get_data                1
vaestudy_train_vae               8
all                              1
total                           10

Select jobs to execute...
localrule vaestudy_get_data:
    jobid: 5
Finished jobid: 5 (Rule: vaestudy_get_data)
1 of 10 steps (10%) done
Finished jobid: 7 (Rule: vaestudy_train_vae)
Finished jobid: 8 (Rule: vaestudy_train_vae)
"""


def test_snakemakes_log_gives_the_planned_and_finished_jobs_and_the_slots():
    from vaestudy_monitor.snakemake_log import finished_jobs, planned_jobs, provided_slots

    assert planned_jobs(SNAKEMAKE_LOG) == {
        "vaestudy_get_data": 1,
        "vaestudy_train_vae": 8,
        "all": 1,
    }
    assert finished_jobs(SNAKEMAKE_LOG) == {"vaestudy_get_data": 1, "vaestudy_train_vae": 2}
    assert provided_slots(SNAKEMAKE_LOG) == 2
    assert planned_jobs("Building DAG of jobs...\n") == {} and finished_jobs("") == {}
