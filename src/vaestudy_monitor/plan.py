"""The plan a run started with (`results/logs/plan.json`, written by the workflow when it
starts: levels, seeds, coefficients, epochs, the refinement's budget), and how far each of its
levels has got (which models are trained and evaluated, from their output files)."""

import json
from dataclasses import dataclass
from pathlib import Path

from vaestudy.levels import MODEL, ROUND, Level, added_models, configured_models, model_key

PLAN = "results/logs/plan.json"

PLAN_KEYS = "levels seeds coefficients epochs train_threads refine_models round_size".split()


def read_plan(workdir):
    """The run's plan, or None where there is none or it is not one (then the status falls
    back to snakesee's estimate rather than failing)."""
    try:
        plan = json.loads((Path(workdir) / PLAN).read_text())
    except (OSError, ValueError):
        return None
    complete = isinstance(plan, dict) and all(key in plan for key in PLAN_KEYS)
    return plan if complete else None


# the fewest models a refinement round adds (vaestudy.refinement): a second seed at one
# coefficient, or one new coefficient at one seed
SMALLEST_ROUND = 1


def plan_record(config, levels, coefficients):
    """What plan.json holds: what the estimate needs from the run's config."""
    return {
        "levels": [level.key for level in levels],
        "seeds": [int(s) for s in config["seeds"]],
        "coefficients": list(coefficients),
        "epochs": int(config["epochs"]),
        "train_threads": int(config["train_threads"]),
        "refine_models": int(config["refine_models"]),
        "round_size": SMALLEST_ROUND,
    }


@dataclass(frozen=True)
class LevelProgress:
    """One level's models (keys as in paths, `mnist/z2/sum/seed0/c1`) and those of them trained and
    evaluated, the refinement budget it has left, whether its rounds have ended, and the
    smallest number of models a round adds."""

    name: str
    models: tuple
    trained: frozenset
    evaluated: frozenset
    budget_left: int
    rounds_ended: bool
    round_size: int


def read_levels(workdir, plan):
    """Each level of the plan with the models its refinement rounds have added so far, and
    which of them have their training's and evaluation's outputs."""
    workdir = Path(workdir)
    found, size = [], plan["round_size"]
    for name in plan["levels"]:
        level = Level.from_key(name)
        rows = configured_models([level], plan["seeds"], plan["coefficients"])
        rows = rows.to_dict("records")
        budget, ended = plan["refine_models"], False
        round_ = 0
        while (path := workdir / level.path(ROUND, round=round_)).is_file():
            record = json.loads(path.read_text())
            rows += added_models(level, record, round_ + 1)
            budget, ended = record["budget_left"], not record["add"]
            round_ += 1
        ended = ended or budget <= 0
        folders = {model_key(row): workdir / MODEL.format(**row) for row in rows}
        trained = frozenset(m for m, f in folders.items() if (f / "training.json").is_file())
        evaluated = frozenset(m for m, f in folders.items() if (f / "metrics.json").is_file())
        found.append(LevelProgress(name, tuple(folders), trained, evaluated, budget, ended, size))
    return found
