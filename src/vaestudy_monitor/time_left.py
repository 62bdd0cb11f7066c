"""The time a study's run has left: its remaining jobs, timed from this run, scheduled on its cores.

What is known at a moment of a run: the plan the run started with (`results/logs/plan.json`,
written when it starts: levels, models, epochs, the refinement's budget), which models are
trained and evaluated (their output files), the epochs each running training job has done and
its seconds per epoch (its log), how long finished jobs of each rule took (Snakemake's
metadata) and how many jobs run at a time (`Provided cores` in Snakemake's log). The jobs still to
run are scheduled on that many slots, each ready job taking the first free one, as Snakemake
does; the time left is when the last ends.

Which models the refinement rounds will add is known only once each round has run. So the time
left is a range: its low end if the rounds still to come add no model, its high end if they
spend every model the budget has left, in the smallest rounds they can make (each round also
waits for its models' evaluations, so more rounds take longer). A rule none of whose jobs has
finished yet counts in the high end only, at the run's median job.
"""

import heapq
import statistics
from dataclasses import dataclass

MODELLED_RULES = ("train_vae", "evaluate_vae", "refine")


def modelled(rule):
    """Whether the model tasks stand for this rule's jobs (also under a module's prefix)."""
    return rule.endswith(MODELLED_RULES)


@dataclass(frozen=True)
class Task:
    """A job to schedule: its seconds to run and the tasks it waits for (their names)."""

    name: str
    seconds: float
    after: tuple = ()


def makespan(tasks, slots):
    """Seconds until the last task ends, each ready task (in list order) taking the first free
    slot of `slots`; a task is ready when every task it waits for has ended."""
    waiting = {task.name: task for task in tasks}
    order = {task.name: i for i, task in enumerate(tasks)}
    ended, running, now = set(), [], 0.0
    while waiting or running:
        ready = [t for t in waiting.values() if all(a in ended for a in t.after)]
        ready.sort(key=lambda t: order[t.name])
        for task in ready[: slots - len(running)]:
            heapq.heappush(running, (now + task.seconds, task.name))
            del waiting[task.name]
        if not running:
            raise ValueError(f"tasks wait for tasks that never run: {sorted(waiting)}")
        now, name = heapq.heappop(running)
        ended.add(name)
    return now


@dataclass(frozen=True)
class Running:
    """A running job: its rule as Snakemake names it, its kind (the rule without a module's
    prefix) and the model it is for (or None), the seconds it has run, and its seconds left and
    per epoch if its log tells (training jobs)."""

    rule: str
    kind: str
    model: str | None
    elapsed: float
    seconds_left: float | None = None
    seconds_per_epoch: float | None = None


@dataclass(frozen=True)
class Pace:
    """The measured times: seconds per training epoch, epochs per model, the mean seconds of
    each rule's jobs, and a stand-in for a rule none of whose jobs has finished: the median
    job of the run so far (counted in the range's high end only)."""

    per_epoch: float
    epochs: int
    rules: dict
    untimed: float

    @classmethod
    def measured(cls, per_epoch, epochs, durations):
        every = [s for seconds in durations.values() for s in seconds]
        means = {rule: statistics.fmean(seconds) for rule, seconds in durations.items()}
        return cls(per_epoch, epochs, means, statistics.median(every) if every else 0.0)

    def job(self, rule, high):
        """Seconds of one job of `rule`; the stand-in for an untimed rule if `high`, else 0."""
        return self.rules.get(rule, self.untimed if high else 0.0)

    def evaluation(self, high):
        found = [s for rule, s in self.rules.items() if rule.endswith("evaluate_vae")]
        return found[0] if found else (self.untimed if high else 0.0)


@dataclass(frozen=True)
class TimeLeft:
    """The range of seconds left, and what it rests on."""

    low: float
    high: float
    models_to_train: int
    models_the_rounds_may_add: int
    untimed_rules: tuple
    slots: int
    pace: Pace


def model_tasks(model, level, running, pace, high):
    """The tasks one model of `level` still needs: its training's epochs left, its evaluation.
    `running`: the running jobs by (kind, model)."""
    tasks = []
    if model not in level.trained:
        job = running.get(("train_vae", model))
        seconds = pace.epochs * pace.per_epoch
        if job is not None and job.seconds_left is not None:
            seconds = job.seconds_left
        tasks.append(Task(f"train {model}", seconds))
    if model not in level.evaluated:
        job = running.get(("evaluate_vae", model))
        seconds = pace.evaluation(high) - (job.elapsed if job else 0.0)
        tasks.append(Task(f"evaluate {model}", max(0.0, seconds), tuple(t.name for t in tasks)))
    return tasks


def level_tasks(level, running, pace, high):
    """A level's tasks: its models', its next refinement round, and if `high` the rounds that
    would spend the budget left, each adding `round_size` models; and how many those add."""
    tasks = [t for m in level.models for t in model_tasks(m, level, running, pace, high)]
    if level.rounds_ended:
        return tasks, 0
    previous = Task(f"refine {level.name} next", 0.0, tuple(t.name for t in tasks))
    tasks.append(previous)
    added = 0
    while high and added < level.budget_left:
        size = min(level.round_size, level.budget_left - added)
        names = []
        for i in range(added, added + size):
            train = Task(
                f"train {level.name} extra {i}", pace.epochs * pace.per_epoch, (previous.name,)
            )
            evaluate = Task(
                f"evaluate {level.name} extra {i}", pace.evaluation(high), (train.name,)
            )
            tasks += [train, evaluate]
            names.append(evaluate.name)
        added += size
        previous = Task(f"refine {level.name} after {added}", 0.0, tuple(names))
        tasks.append(previous)
    return tasks, added


def other_tasks(planned, finished, running, pace, high):
    """The jobs of the other rules still to run, at their rule's measured mean: the running
    ones' time left, then as many more as Snakemake's job stats planned and have neither
    finished nor started."""
    others = [job for job in running if not modelled(job.rule)]
    tasks = [
        Task(f"{job.rule} running {i}", max(0.0, pace.job(job.rule, high) - job.elapsed))
        for i, job in enumerate(others)
    ]
    for rule, count in planned.items():
        if modelled(rule) or rule == "all":
            continue
        started = finished.get(rule, 0) + sum(job.rule == rule for job in others)
        tasks += [Task(f"{rule} {i}", pace.job(rule, high)) for i in range(count - started)]
    return tasks


def rules_never_timed(planned, finished, timed):
    """The rules with jobs still to run (`planned` less `finished`, counts per rule) of which
    no job has finished here or has a recorded duration (`timed`)."""
    return sorted(
        rule
        for rule, count in planned.items()
        if rule != "all"
        and count > finished.get(rule, 0)
        and not finished.get(rule)
        and rule not in timed
    )


def untimed_rules(planned, finished, running, pace, evaluations_left):
    """The rules with jobs to run none of whose jobs has finished: counted at the stand-in."""
    rules = {r for r in rules_never_timed(planned, finished, pace.rules) if not modelled(r)}
    rules |= {job.rule for job in running if not modelled(job.rule) and job.rule not in pace.rules}
    if evaluations_left and pace.evaluation(high=False) == 0.0:
        rules.add("evaluate_vae")
    return tuple(sorted(rules))


def estimate(levels, running, pace, planned, finished, slots):
    """The TimeLeft of a run (`running`: a list of Running): the remaining tasks scheduled
    without and with the models the rounds may add."""
    by_model = {(job.kind, job.model): job for job in running if modelled(job.kind)}
    now = {f"train {m}" if k == "train_vae" else f"evaluate {m}" for k, m in by_model}

    def scheduled(high):
        tasks, added = [], 0
        for level in levels:
            found, extra = level_tasks(level, by_model, pace, high)
            tasks += found
            added += extra
        # what runs now first, then evaluations as they become ready, then the rest
        tasks.sort(key=lambda t: (t.name not in now, not t.name.startswith("evaluate")))
        others = other_tasks(planned, finished, running, pace, high)
        return makespan(tasks + others, slots), tasks, added

    low, tasks, _ = scheduled(False)
    high, _, added = scheduled(True)
    to_train = sum(t.name.startswith("train ") for t in tasks)
    evaluations_left = any(t.name.startswith("evaluate ") for t in tasks)
    untimed = untimed_rules(planned, finished, running, pace, evaluations_left)
    return TimeLeft(low, high, to_train, added, untimed, slots, pace)
