"""Where to put more training: the rounds of the `refine` checkpoint.

Each round reads every model of its level so far and adds the models that most narrow each
criterion's interval for c* (criteria.answer), at most `budget` models per level over all
rounds, taking the first step that has anything to add, for every criterion at once:

1. while no seed spread is measured, the SPREAD_POINTS trained coefficients nearest each
   criterion's c* get the study's second seed: the interval needs the spread, and a second
   seed at four coefficients measures it with three degrees of freedom at four models;
2. an edge of the interval that lies between two trained coefficients more than a factor
   REFINE_FACTOR apart gets a coefficient at their geometric midpoint (two significant
   digits), at the first seed (the additive seed model carries the spread to it).

The rounds end when every edge is bracketed by trained coefficients within REFINE_FACTOR, or
lies at an end of the trained range (`status` "bracketed"), when the budget is spent
("budget spent": what it left out is recorded), or when no step has anything to add
("nothing to add").
"""

import itertools
import math
from dataclasses import dataclass

# an edge is bracketed when the trained coefficients around it are within this factor: √2,
# with room for the rounding of a midpoint to two significant digits
REFINE_FACTOR = 1.5
# coefficients that get a second seed to measure the spread: 3 degrees of freedom
SPREAD_POINTS = 4


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


def bracket(trained, c):
    """The trained positive coefficients just below and above c (None beyond an end)."""
    positive = sorted(t for t in trained if t > 0)
    below = [t for t in positive if t <= c]
    above = [t for t in positive if t >= c]
    return (below[-1] if below else None, above[0] if above else None)


def edges(answer):
    """Each edge of the answer's interval with its bracket: [(name, edge, (below, above))],
    leaving out an edge at c = 0 or at an end of the trained range."""
    found = []
    for name, edge in zip(("lower", "upper"), answer.interval, strict=True):
        below, above = bracket(answer.trained(), edge)
        if edge > 0 and below is not None and above is not None:
            found.append((name, edge, (below, above)))
    return found


def bracketed(answer):
    """Whether every edge of the interval is within REFINE_FACTOR of trained coefficients."""
    return all(high / low <= REFINE_FACTOR for _, _, (low, high) in edges(answer))


def _spread(answer, seeds):
    """A second seed for the SPREAD_POINTS trained coefficients nearest c*."""
    trained = [c for c in answer.trained() if c > 0]
    best = answer.best or 1.0
    nearest = sorted(trained, key=lambda c: abs(math.log(c / best)))[:SPREAD_POINTS]
    return [
        Addition(c, tuple(seeds[1:2]), "to measure the seed spread near c*")
        for c in nearest
        if seeds[1:2] and seeds[1] not in answer.point(c).seeds
    ]


def _edges(answer, seeds):
    found = []
    trained = {p.coefficient for p in answer.points}
    for name, edge, (low, high) in edges(answer):
        c = midpoint(low, high)
        if high / low > REFINE_FACTOR and c not in trained:
            found.append(
                Addition(
                    c,
                    seeds[:1],
                    f"the interval's {name} edge {edge:.2g} lies between c = {low:g} and {high:g}",
                )
            )
    return found


def additions(answers, seeds, budget):
    """The next round's models for the answers of one level (one per criterion), within
    `budget` models: (additions, left out, status), the first two Addition lists, one entry
    per coefficient; status "bracketed", "budget spent", "nothing to add" (no seed to
    measure the spread with, or an edge's midpoint already trained) or None while rounds go
    on."""
    seeds = tuple(int(s) for s in seeds)
    fitted = [a for a in answers if a.best is not None]
    if any(not a.spread or not a.spread.measured for a in fitted):
        step = [_spread(a, seeds) for a in fitted]
    else:
        step = [_edges(a, seeds) for a in fitted]
    wanted = {}
    # the criteria in turn, so that a short budget is shared between them
    for turn in itertools.zip_longest(
        *[[(i, a) for i in s] for s, a in zip(step, fitted, strict=True)]
    ):
        for item, a in filter(None, turn):
            if item.seeds:
                _merge(wanted, item, f"{item.why} by {a.criterion.name}")
    if not wanted:
        done = fitted and all(a.interval and bracketed(a) for a in fitted)
        return [], [], "bracketed" if done else "nothing to add"
    taken, left = _afford(list(wanted.values()), budget)
    return taken, left, ("budget spent" if left else None)


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
