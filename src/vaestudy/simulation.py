"""Does the answer's 95 % mean 95 %? The whole procedure (the initial grid, the refinement
rounds within their budget, the final answer) run on synthetic truths whose optimum is
known, with the noise measured on a full default run, and no training; the
reconstruction-budget view's 95 % range of the largest c, on rising truths whose crossings
are known; and how often two levels' intervals fall apart, so that the answer is said to
move with the problem, when their optima are the same and when they are not.

`python -m vaestudy.simulation [runs]` prints the tables of docs/method.md.
"""

import math
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from vaestudy.budget import ANCHOR, KEY, budget_views, reconstruction_model
from vaestudy.conclusion import BUDGETS
from vaestudy.criteria import CRITERIA, answer, overlap
from vaestudy.refinement import additions

GRID = (0.0, 0.02, 0.1, 0.5, 1.0, 2.0, 10.0, 20.0)
SEEDS = (0, 1, 2)
BUDGET = 8


@dataclass(frozen=True)
class Noise:
    """The noise of one criterion's number: the seed-to-seed spread left after pairing,
    the seeds' own offsets, the evaluation's standard error of one model, the share of it
    every model has in common (shared test images and draws), and the evaluation units per
    model."""

    seed_sd: float
    seed_offset_sd: float
    evaluation_se: float
    shared: float
    units: int


@dataclass(frozen=True)
class Truth:
    """A criterion's true curve over log10 c: lowest (`floor`) at `best`, rising by `depth`
    one and a half decades away in the shape's way; c = 0 is `zero_excess` worse than
    c = 0.02."""

    shape: str
    best: float
    floor: float
    depth: float
    zero_excess: float

    def __call__(self, c):
        if c == 0:
            return self(GRID[1]) + self.zero_excess
        u = (math.log10(c) - math.log10(self.best)) / 1.5
        rise = {
            "symmetric": u**2,
            # steep towards large c, nearly linear towards small c (a LINEX curve)
            "skewed": 2 * (math.exp(2 * u) - 2 * u - 1) / 4,
            "flat-bottomed": u**4,
        }[self.shape]
        return self.floor + self.depth * rise


SHAPES = ("symmetric", "skewed", "flat-bottomed")


@dataclass(frozen=True)
class Setting:
    """A criterion as a full default run measured it (docs/results.md): its noise, its
    curve's floor and depth and c = 0's excess, and the practical margin it is judged by."""

    criterion: object
    noise: Noise
    floor: float
    depth: float
    zero_excess: float
    margin: float

    def truth(self, shape, best):
        return Truth(shape, best, self.floor, self.depth, self.zero_excess)


SETTINGS = {
    # KID: the seed spread after pairing 0.0517; one model's evaluation error about 0.02 over
    # 10 blocks of the same draws of N(0, I)
    "prior_kid": Setting(CRITERIA[0], Noise(0.0517, 0.03, 0.0215, 0.5, 10), 0.57, 0.35, 0.1, 0.05),
    # IW NLL: the seed spread after pairing 0.79 nats; one model's evaluation error 1.15 nats
    # over 1,000 test images every model shares, so differences barely feel it
    "iw_nll": Setting(CRITERIA[1], Noise(0.79, 0.5, 1.15, 0.99, 1000), 145.8, 10.0, 60.0, 1.0),
}


class Study:
    """One synthetic level: the models trained so far, each with its value of the number
    `key`, error and values per evaluation unit, drawn from the truth and the noise."""

    def __init__(self, key, noise, truth, rng):
        self.key, self.truth, self.noise, self.rng = key, truth, noise, rng
        self.offsets = {s: rng.normal(0, noise.seed_offset_sd) for s in SEEDS}
        unit_sd = noise.evaluation_se * math.sqrt(noise.units)
        self.common = rng.normal(0, unit_sd, noise.units)
        self.rows, self.units = [], {}

    def train(self, c, seed):
        noise = self.noise
        value = self.truth(c) + self.offsets[seed] + self.rng.normal(0, noise.seed_sd)
        unit_sd = noise.evaluation_se * math.sqrt(noise.units)
        own = self.rng.normal(0, unit_sd, noise.units)
        per_unit = value + math.sqrt(noise.shared) * self.common + math.sqrt(1 - noise.shared) * own
        self.units[(float(c), seed)] = per_unit
        key = self.key
        self.rows.append(
            {
                "coefficient": float(c),
                "seed": seed,
                "diverged": False,
                key: float(per_unit.mean()),
                f"{key}_se": float(per_unit.std(ddof=1) / math.sqrt(noise.units)),
            }
        )

    @property
    def frame(self):
        return pd.DataFrame(self.rows)


def run(setting, truth, rng, confidence=0.95):
    """The procedure once: (the final Answer, its rounds' status)."""
    study = Study(setting.criterion.key, setting.noise, truth, rng)
    for c in GRID:
        study.train(c, SEEDS[0])

    def final():
        return answer(study.frame, setting.criterion, study.units, confidence, setting.margin)

    left, status = BUDGET, None
    while status is None:
        added, _, status = additions([final()], SEEDS, left)
        for item in added:
            for seed in item.seeds:
                study.train(item.coefficient, seed)
        left -= sum(len(item.seeds) for item in added)
    return final(), status


def coverage(criterion, shape, runs, seed=0):
    """Over `runs` truths of one shape with their optimum drawn log-uniformly in [0.1, 5],
    under one criterion's measured noise: the share of 95 % intervals that hold it, their
    median width in decades, and the share of runs whose rounds ended bracketed."""
    setting = SETTINGS[criterion]
    rng = np.random.default_rng(seed)
    held, widths, ended = 0, [], 0
    for _ in range(runs):
        truth = setting.truth(shape, float(10 ** rng.uniform(-1, math.log10(5))))
        with threadpool_limits(1):  # small matrices: one thread each, runs side by side
            result, status = run(setting, truth, rng)
        low, high = result.interval
        held += low <= truth.best <= high
        widths.append(math.log10(high / max(low, GRID[1])))
        ended += status == "bracketed"
    return {
        "criterion": criterion,
        "shape": shape,
        "runs": runs,
        "coverage": held / runs,
        "median_width_decades": float(np.median(widths)),
        "bracketed": ended / runs,
    }


# --- levels: when the answer is said to move ----------------------------------------------------

FACTORS = (1.0, 3.0, 10.0)  # how far apart two levels' true optima lie


def apart_rate(criterion, factor, runs, seed=0):
    """Over `runs` pairs of levels whose true optima (symmetric curves) lie `factor` apart,
    the smaller drawn log-uniformly in [0.1, 5 / factor], each level run through the whole
    procedure with its own noise: the share of pairs whose 95 % intervals do not overlap,
    which is when the report says the answer moves with the problem
    (conclusion.across_levels): at factor 1 how often it says so wrongly, above 1 how often
    it sees a real move."""
    setting = SETTINGS[criterion]
    rng = np.random.default_rng(seed)
    apart = 0
    for _ in range(runs):
        best = float(10 ** rng.uniform(-1, math.log10(5 / factor)))
        with threadpool_limits(1):
            first, _ = run(setting, setting.truth("symmetric", best), rng)
            second, _ = run(setting, setting.truth("symmetric", best * factor), rng)
        apart += not overlap(first.interval, second.interval)
    return {"criterion": criterion, "factor": factor, "runs": runs, "apart": apart / runs}


# --- the reconstruction-budget view ----------------------------------------------------------

# D as a full default run measured it: the seed spread after pairing 0.71 % of the value (1.0
# nats at c = 1), the seeds' offsets 0.1 nats, and each model's D the mean over 10,000 test
# images of sd 50.8 nats (a standard error of 0.51), 94 % of it common to every model
RECONSTRUCTION = Noise(1.0, 0.1, 0.508, 0.94, 10_000)
# the models a full default run ended with (docs/results.md): (coefficient, seed)
ENDED_WITH = (
    *((c, 0) for c in (0.0, 0.02, 0.045, 0.1, 0.5, 1.0, 2.0, 4.5, 10.0, 20.0)),
    *((c, 1) for c in (0.02, 0.1, 0.5, 1.0, 2.0, 10.0)),
)
# D(c) = floor + scale · c^power: rising slower than c (concave), as c, or faster (convex)
POWERS = {"concave": 0.7, "linear": 1.0, "convex": 1.5}
FLOOR = 141.0  # D at c = 0, nats


@dataclass(frozen=True)
class Rising:
    """A reconstruction's true curve, D(c) = FLOOR + scale · c^power, from its shape and the
    c at which it is 5 % worse than at c = 1."""

    shape: str
    at_five_percent: float

    @property
    def power(self):
        return POWERS[self.shape]

    @property
    def scale(self):
        return 0.05 * FLOOR / (self.at_five_percent**self.power - 1.05 * ANCHOR**self.power)

    def __call__(self, c):
        return FLOOR + self.scale * c**self.power

    def crossing(self, share):
        """The c above the anchor where D is first `share` worse than there."""
        return (((1 + share) * self(ANCHOR) - FLOOR) / self.scale) ** (1 / self.power)


def budget_coverage(shape, runs, seed=0):
    """Over `runs` truths of one shape, the 5 % budget's crossing drawn log-uniformly in
    [2, 12]: for each budget of the view (conclusion.BUDGETS), how many truths cross it
    within the trained range, the share of those whose 95 % range holds the true crossing (a
    range open above, "beyond the range", holds any crossing above its lower end), and its
    median width in decades where it is closed."""
    rng = np.random.default_rng(seed)
    found = {share: {"held": 0, "widths": [], "crossed": 0} for share in BUDGETS}
    for _ in range(runs):
        truth = Rising(shape, float(10 ** rng.uniform(math.log10(2), math.log10(12))))
        study = Study(KEY, RECONSTRUCTION, truth, rng)
        for c, s in ENDED_WITH:
            study.train(c, s)
        with threadpool_limits(1):
            views, _ = budget_views(reconstruction_model(study.frame, study.units), BUDGETS)
        for view in views:
            true, tally = truth.crossing(view.budget), found[view.budget]
            if true > GRID[-1]:
                continue
            low = math.inf if view.low is None else view.low
            high = math.inf if view.high is None else view.high
            tally["crossed"] += 1
            tally["held"] += low <= true <= high
            if math.isfinite(high):
                tally["widths"].append(math.log10(high / low))
    return [
        {
            "shape": shape,
            "budget": share,
            "runs": tally["crossed"],
            "coverage": tally["held"] / tally["crossed"],
            "median_width_decades": float(np.median(tally["widths"])),
        }
        for share, tally in found.items()
        if tally["crossed"]
    ]


def main(runs=200):
    """The tables: each criterion's coverage with each shape, the budget view's range on
    each rising shape, and how often two levels are said to differ."""
    cases = [(criterion, shape) for criterion in SETTINGS for shape in SHAPES]
    with ProcessPoolExecutor(min(len(cases), os.cpu_count() or 1)) as pool:
        rows = list(pool.map(coverage, *zip(*cases, strict=True), [runs] * len(cases)))
        budget_rows = list(pool.map(budget_coverage, POWERS, [runs] * len(POWERS)))
        pairs = [(criterion, factor) for criterion in SETTINGS for factor in FACTORS]
        apart_rows = list(pool.map(apart_rate, *zip(*pairs, strict=True), [runs] * len(pairs)))
    print(
        "| noise of | truth | runs | 95 % interval holds the optimum "
        "| median width (decades) | rounds ended bracketed |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['criterion']} | {row['shape']} | {runs} | {row['coverage']:.1%} "
            f"| {row['median_width_decades']:.2f} | {row['bracketed']:.0%} |"
        )
    print()
    print(
        "| D rises | budget | truths crossing it by c = 20 | 95 % range holds the crossing "
        "| median width (decades) |"
    )
    print("| --- | --- | --- | --- | --- |")
    for row in (row for rows_of_shape in budget_rows for row in rows_of_shape):
        print(
            f"| {row['shape']} | {row['budget']:.0%} | {row['runs']} | {row['coverage']:.1%} "
            f"| {row['median_width_decades']:.2f} |"
        )
    print()
    print('| noise of | true optima apart by | pairs of levels | intervals apart ("moves") |')
    print("| --- | --- | --- | --- |")
    for row in apart_rows:
        print(f"| {row['criterion']} | ×{row['factor']:g} | {runs} | {row['apart']:.1%} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
