"""The plan a run started with (`results/logs/plan.json`, written by the workflow when it
starts: levels, seeds, coefficients, epochs, the refinement's budget), and how far each of its
levels has got (which models are trained and evaluated, from their output files)."""

import json
from dataclasses import dataclass
from pathlib import Path

from vaestudy.config import coefficient_label

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
        "levels": [f"{lv.dataset}/z{lv.latent_dim}" for lv in levels],
        "seeds": [int(s) for s in config["seeds"]],
        "coefficients": list(coefficients),
        "epochs": int(config["epochs"]),
        "train_threads": int(config["train_threads"]),
        "refine_models": int(config["refine_models"]),
        "round_size": SMALLEST_ROUND,
    }


@dataclass(frozen=True)
class Level:
    """One level's models (keys as in paths, `mnist/z2/seed0/c1`) and those of them trained and
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
    folder = Path(workdir) / "results/models"
    levels, size = [], plan["round_size"]
    for name in plan["levels"]:
        models = [f"{name}/seed{s}/c{c}" for s in plan["seeds"] for c in plan["coefficients"]]
        budget, ended = plan["refine_models"], False
        rounds = sorted(
            (Path(workdir) / "results/tables/refine" / name).glob("round*.json"),
            key=lambda path: int(path.stem.removeprefix("round")),
        )
        for path in rounds:
            record = json.loads(path.read_text())
            models += [
                f"{name}/seed{s}/c{coefficient_label(a['coefficient'])}"
                for a in record["add"]
                for s in a["seeds"]
            ]
            budget, ended = record["budget_left"], not record["add"]
        ended = ended or budget <= 0
        trained = frozenset(m for m in models if (folder / m / "training.json").is_file())
        evaluated = frozenset(m for m in models if (folder / m / "metrics.json").is_file())
        levels.append(Level(name, tuple(models), trained, evaluated, budget, ended, size))
    return levels
