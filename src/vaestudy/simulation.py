"""Does the answer's 95 % mean 95 %? The whole procedure (the initial grid, the refinement
rounds within their budget, the final answer) run on synthetic truths whose optimum is
known, with the noise measured on a full default run, and no training.

`python -m vaestudy.simulation [runs]` prints the coverage table of docs/method.md.
"""

import math
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from vaestudy.criteria import CRITERIA, answer
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
    """One synthetic level: the models trained so far, each with its value, error and
    values per evaluation unit, drawn from the truth and the noise."""

    def __init__(self, setting, truth, rng):
        self.setting, self.truth, self.noise, self.rng = setting, truth, setting.noise, rng
        noise = self.noise
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
        key = self.setting.criterion.key
        self.rows.append(
            {
                "coefficient": float(c),
                "seed": seed,
                "diverged": False,
                key: float(per_unit.mean()),
                f"{key}_se": float(per_unit.std(ddof=1) / math.sqrt(noise.units)),
            }
        )

    def answer(self, confidence=0.95):
        frame, setting = pd.DataFrame(self.rows), self.setting
        return answer(frame, setting.criterion, self.units, confidence, setting.margin)


def run(setting, truth, rng, confidence=0.95):
    """The procedure once: (the final Answer, its rounds' status)."""
    study = Study(setting, truth, rng)
    for c in GRID:
        study.train(c, SEEDS[0])
    budget, status = BUDGET, None
    while status is None:
        result = study.answer(confidence)
        added, _, status = additions([result], SEEDS, budget)
        for item in added:
            for seed in item.seeds:
                study.train(item.coefficient, seed)
        budget -= sum(len(item.seeds) for item in added)
    return study.answer(confidence), status


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


def main(runs=200):
    """The coverage table, each criterion's noise with each shape."""
    cases = [(criterion, shape) for criterion in SETTINGS for shape in SHAPES]
    with ProcessPoolExecutor(min(len(cases), os.cpu_count() or 1)) as pool:
        rows = pool.map(coverage, *zip(*cases, strict=True), [runs] * len(cases))
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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
