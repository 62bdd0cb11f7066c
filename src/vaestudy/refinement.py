"""Where to put more training: the rounds of the `refine` checkpoint.

Each round reads every model of its level so far and adds models where the answer is
decided, at most `budget` models per level over all rounds. It takes the first of these
that has anything to add, for every criterion (criteria.CRITERIA) at once:

1. the best coefficient gets every seed of the study (`seeds`), so that the answer rests on
   a measured seed spread;
2. its two trained neighbours get every seed, the closest competitor first;
3. between the best and a neighbour that can be told apart from it and lies more than a
   factor REFINE_FACTOR away, a coefficient at their geometric midpoint (two significant
   digits), with every seed.

The rounds end when none of these has anything to add (every criterion's best and its
neighbours have every seed, and each neighbour is within about √2 of the best or cannot be
told apart from it), or when the budget is spent; what the budget left out is recorded. The
coefficients far from the optimum keep one seed each.
"""

import itertools
import math
from dataclasses import dataclass

from vaestudy.criteria import Verdict

# neighbours closer than this are not refined between: √2, with room for the rounding of a
# midpoint to two significant digits (1 to 1.4 to 2 is 1.4 and 1.43)
REFINE_FACTOR = 1.5


@dataclass(frozen=True)
class Addition:
    """Models to train: one coefficient at some seeds, and why."""

    coefficient: float
    seeds: tuple
    why: str

    def record(self):
        return {"coefficient": self.coefficient, "seeds": list(self.seeds), "why": self.why}


def midpoint(a, b):
    """The geometric midpoint of two positive coefficients, to two significant digits."""
    value = math.sqrt(a * b)
    return round(value, 1 - math.floor(math.log10(value)))


def _missing(answer, c, seeds):
    return tuple(s for s in seeds if s not in answer.point(c).seeds)


def _closeness(answer, c):
    """How hard a neighbour is to tell from the best: its difference in standard errors
    (0 where the spread is not measured yet, which keeps the neighbours' order)."""
    point = answer.point(c)
    return point.difference / point.difference_se if point.difference_se else 0.0


def _bests(answer, seeds):
    return [Addition(answer.best, _missing(answer, answer.best, seeds), "best")]


def _neighbours(answer, seeds):
    near = [n for n in answer.neighbours() if n is not None]
    near.sort(key=lambda n: _closeness(answer, n))
    return [Addition(n, _missing(answer, n, seeds), "a neighbour of the best") for n in near]


def _between(answer, seeds):
    """Midpoints between the best and the neighbours it is told apart from, far enough."""
    found = []
    trained = {p.coefficient for p in answer.points}
    for n in answer.neighbours():
        if n is None or n == 0 or answer.best == 0:
            continue
        if answer.point(n).verdict is not Verdict.WORSE:
            continue
        low, high = sorted((n, answer.best))
        c = midpoint(low, high)
        if high / low > REFINE_FACTOR and c not in trained:
            found.append(Addition(c, tuple(seeds), f"between the best and c = {n:g}"))
    return found


STEPS = (_bests, _neighbours, _between)


def additions(answers, seeds, budget):
    """The next round's models for the answers of one level (one per criterion), within
    `budget` models: (additions, left out), each an Addition list, one entry per coefficient.
    No step runs while a criterion's seed spread is unmeasured but the first two."""
    seeds = tuple(int(s) for s in seeds)
    for step in STEPS:
        per_criterion = [
            [(item, answer.criterion.name) for item in step(answer, seeds) if item.seeds]
            for answer in answers
            if answer.best is not None and (step is not _between or answer.spread.measured)
        ]
        wanted = {}
        # the criteria in turn, so that a short budget is shared between them
        for turn in itertools.zip_longest(*per_criterion):
            for item, name in filter(None, turn):
                _merge(wanted, item, f"{item.why} by {name}")
        if wanted:
            return _afford(list(wanted.values()), budget)
    return [], []


def _merge(wanted, item, why):
    known = wanted.get(item.coefficient)
    if known is None:
        wanted[item.coefficient] = Addition(item.coefficient, item.seeds, why)
    else:
        merged = tuple(sorted(set(known.seeds) | set(item.seeds)))
        wanted[item.coefficient] = Addition(item.coefficient, merged, f"{known.why}; {why}")


def _afford(wanted, budget):
    """The additions that fit the budget, in order (the last one possibly with fewer
    seeds), and what is left out."""
    taken, left = [], []
    for item in wanted:
        fits = item.seeds[: max(0, budget)]
        budget -= len(fits)
        if fits:
            taken.append(Addition(item.coefficient, fits, item.why))
        if len(fits) < len(item.seeds):
            left.append(Addition(item.coefficient, item.seeds[len(fits) :], item.why))
    return taken, left
