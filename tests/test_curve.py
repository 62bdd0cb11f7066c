"""The answer as a curve, on cases whose truth is known: the fit and its optimum, c = 0 as a
point of its own, loose bounds left out, the refinement rounds, the budget view, and the
simulation that checks the interval's confidence. No TensorFlow, no Snakemake."""

import math

import numpy as np
import pandas as pd
import pytest

from vaestudy import budget, conclusion, criteria, curve, refinement, simulation
from vaestudy.criteria import CRITERIA

PRIOR, IW = CRITERIA
GRID = (0.0, 0.02, 0.1, 0.5, 1.0, 2.0, 10.0, 20.0)
DENSE = (0.0, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0)


def models(truth, coefficients, seeds, sd, key="prior_kid", rng=None, **columns):
    """One row per model of truth(c) + e, e ~ N(0, sd²), each with its own error 0."""
    rng = rng or np.random.default_rng(0)
    rows = [
        {
            "coefficient": float(c),
            "seed": s,
            "diverged": False,
            key: truth(c) + sd * rng.standard_normal(),
            f"{key}_se": 0.0,
            **columns,
        }
        for c in coefficients
        for s in seeds(c)
    ]
    return pd.DataFrame(rows)


def bowl(best, floor=1.0, depth=0.5, zero=2.0):
    """Lowest at `best`, rising by `depth` per decade squared; c = 0 at `zero`."""
    return lambda c: zero if c == 0 else floor + depth * math.log10(c / best) ** 2


def every(*seeds):
    return lambda c: seeds


# --- the fit and its optimum ------------------------------------------------------------------


@pytest.mark.parametrize("best", [0.3, 1.5, 6.0])
def test_the_curve_finds_a_known_optimum_and_its_interval_holds_it(best):
    frame = models(bowl(best), DENSE, every(0, 1, 2), 0.01)
    found = criteria.answer(frame, PRIOR)
    assert found.best == pytest.approx(best, rel=0.15)
    low, high = found.interval
    assert low <= best <= high and high / low < 2.5
    assert found.edge is None and found.at_zero == 0.0


def test_the_fitted_curve_passes_through_precise_points():
    truth = bowl(1.0)
    found = criteria.answer(models(truth, DENSE, every(0, 1, 2), 0.001), PRIOR)
    for point in found.points[1:]:
        assert point.fitted == pytest.approx(truth(point.coefficient), rel=0.01)


def test_a_flat_truth_gives_a_wide_interval_not_a_confident_point():
    found = criteria.answer(models(lambda c: 1.0, GRID, every(0, 1, 2), 0.02), PRIOR)
    low, high = found.interval
    assert math.log10(high / max(low, 0.02)) > 1.5  # more than half the range's 3 decades
    # every coefficient's expected value is within a margin of one seed spread
    found = criteria.answer(models(lambda c: 1.0, GRID, every(0, 1, 2), 0.02), PRIOR, margin=0.05)
    assert found.within == (0.0, 20.0) and {p.verdict for p in found.points} == {"within"}


def test_the_margin_marks_what_is_within_it_of_the_best():
    found = criteria.answer(models(bowl(1.0), DENSE, every(0, 1, 2), 0.001), PRIOR, margin=0.02)
    # 0.5 · log10(c)² ≤ 0.02: c within a factor 10^0.2 = 1.58 of the best
    low, high = found.within
    assert low == pytest.approx(10**-0.2, rel=0.1) and high == pytest.approx(10**0.2, rel=0.1)
    assert found.point(1.5).verdict == "within" and found.point(3.0).verdict == "beyond"


def test_c_zero_is_a_point_of_its_own_and_can_be_the_best():
    frame = models(bowl(1.0, zero=0.2), GRID, every(0, 1, 2), 0.01)
    found = criteria.answer(frame, PRIOR)
    assert found.best == 0.0 and found.interval == (0.0, 0.0) and found.at_zero == 1.0
    assert found.point(0.0).fitted == pytest.approx(found.point(0.0).value)


def test_a_monotone_criterion_says_its_interval_reaches_an_end():
    frame = models(lambda c: 3.0 if c == 0 else 2.0 - math.log10(c), GRID, every(0, 1), 0.02)
    found = criteria.answer(frame, PRIOR)
    assert found.interval[1] == pytest.approx(20.0) and found.edge == "upper"


def test_one_seed_gives_the_curve_but_no_interval():
    found = criteria.answer(models(bowl(1.0), GRID, every(0), 0.01), PRIOR)
    assert found.best == pytest.approx(1.0, rel=0.5) and found.interval is None
    assert not found.spread.measured


def test_fewer_than_three_coefficients_give_no_curve():
    found = criteria.answer(models(bowl(1.0), (0.0, 1.0, 2.0), every(0, 1), 0.01), PRIOR)
    assert found.best is None and found.curve is None


def test_a_diverged_coefficient_is_a_point_of_its_own():
    frame = models(bowl(1.0), GRID, every(0, 1), 0.01)
    lost = {"coefficient": 1e38, "seed": 0, "diverged": True, "prior_kid": np.nan}
    found = criteria.answer(pd.concat([frame, pd.DataFrame([lost])]), PRIOR)
    assert found.point(1e38).verdict == "diverged" and found.best < 20


def iw_models(drift_at=None, value_at=None):
    """IW NLL models of a bowl; at `drift_at` the bound still falls by 5 nats from K/2 to K,
    more than its error of 1, and its value is `value_at`."""
    frame = models(
        bowl(1.0, floor=140.0, depth=5.0, zero=150.0),
        DENSE,
        every(0, 1, 2),
        0.1,
        key="iw_nll",
        iw_half_k_excess=0.1,
        iw_ess_low=False,
    )
    frame["iw_nll_se"] = 1.0
    if drift_at is not None:
        at = frame["coefficient"] == drift_at
        frame.loc[at, "iw_half_k_excess"] = 5.0
        frame.loc[at, "iw_nll"] = value_at
    return frame


def test_a_loose_bound_is_unresolved_and_never_decides():
    clean = criteria.answer(iw_models(), IW)
    for value in (100.0, 140.0, 200.0):  # far better, as good, far worse than the best
        loose = criteria.answer(iw_models(drift_at=0.5, value_at=value), IW)
        assert loose.point(0.5).verdict == "unresolved" and loose.point(0.5).fitted is None
        assert loose.best == pytest.approx(clean.best, rel=0.2)
    assert criteria.answer(iw_models(drift_at=0.5, value_at=100.0), IW).loose == {0.5}
    flagged = iw_models().assign(iw_ess_low=lambda f: f["coefficient"] == 0.0)
    assert criteria.answer(flagged, IW).loose == {0.0}


def paired_iw_models(drift_at, drift, images=500, seeds=(0, 1, 2)):
    """IW NLL models of a bowl, three seeds each, all evaluated on the same test images: the
    images' own spread (30 nats) is shared, so one model's error is about 1.3 nats but a
    difference between coefficients has an error of about 0.15; at `drift_at` the bound
    still falls by `drift` from K/2 to K, elsewhere by 0.01."""
    rng = np.random.default_rng(1)
    shared = 30.0 * rng.standard_normal(images)
    truth, rows, units = bowl(1.0, floor=140.0, depth=5.0, zero=150.0), [], {}
    for c in DENSE:
        for seed in seeds:
            per_image = truth(c) + 0.1 * rng.standard_normal() + shared
            per_image += 2.0 * rng.standard_normal(images)
            units[(c, seed)] = per_image
            rows.append(
                {
                    "coefficient": c,
                    "seed": seed,
                    "diverged": False,
                    "iw_nll": per_image.mean(),
                    "iw_nll_se": per_image.std(ddof=1) / math.sqrt(images),
                    "iw_half_k_excess": drift if c == drift_at else 0.01,
                    "iw_ess_low": False,
                }
            )
    return pd.DataFrame(rows), units


@pytest.mark.parametrize("drift, flagged", [(0.05, False), (0.6, True)])
def test_a_drift_is_judged_against_the_paired_error_of_a_comparison(drift, flagged):
    frame, units = paired_iw_models(0.5, drift)
    found = criteria.answer(frame, IW, units)
    assert (frame["iw_nll_se"] > 1.0).all()  # each model's own error is larger than either drift
    assert (found.point(0.5).verdict == "unresolved") == flagged
    assert found.loose == ({0.5} if flagged else set())


def test_until_the_seed_spread_is_measured_a_drift_is_judged_by_its_own_error():
    # one seed each: the paired error would hold no seed noise, so the model's own stands in
    frame, units = paired_iw_models(0.5, 0.6, seeds=(0,))
    found = criteria.answer(frame, IW, units)
    assert not found.spread.measured and found.loose == set()


# --- the refinement rounds --------------------------------------------------------------------


def next_round(frame, budget=8, seeds=(0, 1, 2)):
    """The refinement's (additions, left out, status) for the prior criterion on `frame`."""
    return refinement.additions([criteria.answer(frame, PRIOR)], seeds, budget=budget)


def test_the_first_round_measures_the_seed_spread_near_the_optimum():
    added, left, status = next_round(models(bowl(1.5), GRID, every(0), 0.01))
    # a second seed at the four trained coefficients nearest c* ≈ 1.5
    assert sorted((a.coefficient, a.seeds) for a in added) == [
        (0.5, (1,)),
        (1.0, (1,)),
        (2.0, (1,)),
        (10.0, (1,)),
    ]
    assert not left and status is None


def test_then_each_edge_is_bracketed_between_its_trained_neighbours():
    frame = models(bowl(1.5, depth=0.2), GRID, every(0, 1), 0.02)
    found = criteria.answer(frame, PRIOR)
    added, _, status = next_round(frame)
    assert added and status is None
    for a in added:
        assert a.seeds == (0,) and "edge" in a.why
        below, above = refinement.bracket([p.coefficient for p in found.points], a.coefficient)
        assert below < a.coefficient < above
    edges = {name: (low, high) for name, _, (low, high) in refinement.edges(found)}
    wanted = {refinement.midpoint(*pair) for pair in edges.values() if pair[1] / pair[0] > 1.5}
    assert {a.coefficient for a in added} == wanted


def test_rounds_end_when_every_edge_is_bracketed():
    # trained densely enough that every edge sits between coefficients within a factor 1.5
    fine = np.round(np.geomspace(0.02, 20, 19), 3)
    frame = models(bowl(1.0, depth=0.3), (0.0, *fine), every(0, 1), 0.01)
    assert refinement.bracketed(criteria.answer(frame, PRIOR))
    assert next_round(frame) == ([], [], "bracketed")


def test_the_budget_caps_the_models_and_says_what_it_left_out():
    added, left, status = next_round(models(bowl(1.5), GRID, every(0), 0.01), budget=3)
    assert len(added) == 3 and len(left) == 1 and status == "budget spent"


def test_without_a_second_seed_there_is_nothing_to_add():
    assert next_round(models(bowl(1.5), GRID, every(0), 0.01), seeds=(0,))[2] == "nothing to add"


def test_midpoints_have_two_significant_digits():
    assert refinement.midpoint(1, 2) == 1.4 and refinement.midpoint(0.02, 0.1) == 0.045
    assert refinement.midpoint(2, 10) == 4.5


# --- the reconstruction-budget view -----------------------------------------------------------


def reconstruction(coefficients=GRID):
    """The noise model of D(c) = 140 + 10 c: with a 5 % budget of D(1) = 150, the largest c
    is 1.75."""
    frame = models(
        lambda c: 140.0 + 10.0 * c, coefficients, every(0, 1, 2), 0.05, key="reconstruction"
    )
    return budget.reconstruction_model(frame)


def test_the_budget_view_finds_the_crossing_on_the_fitted_curve():
    (view,), fitted = budget.budget_views(reconstruction(DENSE), [0.05])
    assert view.anchor == 1.0 and view.anchor_value == pytest.approx(150, abs=0.2)
    assert view.largest == pytest.approx(1.75, rel=0.05)
    assert view.low <= view.largest <= view.high and view.beyond is None
    # no end of the range contradicts the fitted curve: D there is on either side of the line
    assert fitted.at(view.low) <= 1.05 * 150 + 0.5 and fitted.at(view.high) >= 1.05 * 150 - 0.5


def test_a_budget_no_trained_coefficient_exceeds_says_it_lies_beyond():
    (view,), _ = budget.budget_views(reconstruction(), [10.0])
    assert view.largest is None and view.beyond == "upper"


def test_no_anchor_no_budget_view():
    assert budget.budget_views(reconstruction((0.5, 2.0, 5.0)), [0.05]) == ([], None)


# --- the stated confidence, checked by simulation ---------------------------------------------


@pytest.mark.parametrize("shape", simulation.SHAPES)
def test_the_95_percent_interval_holds_the_true_optimum_95_percent_of_the_time(shape):
    # the whole procedure (initial grid, rounds, budget of 8) on 200 truths with the noise of
    # generation from the prior as a full default run measured it
    found = simulation.coverage("prior_kid", shape, runs=200)
    assert 0.92 <= found["coverage"] <= 0.98
    assert found["median_width_decades"] < (2.0 if shape == "flat-bottomed" else 1.5)


def test_the_simulated_truths_have_their_optimum_where_they_say():
    for shape in simulation.SHAPES:
        truth = simulation.SETTINGS["prior_kid"].truth(shape, 1.3)
        grid = np.geomspace(0.02, 20, 2001)
        assert grid[np.argmin([truth(c) for c in grid])] == pytest.approx(1.3, rel=0.01)
        assert truth(0.0) > truth(0.02)


@pytest.mark.parametrize("shape", simulation.POWERS)
def test_the_budget_views_95_percent_range_holds_the_true_crossing(shape):
    # 100 rising reconstructions with the noise of a full default run, its models, and the
    # view's four budgets: the range holds each truth's crossing as often as it says
    found = simulation.budget_coverage(shape, runs=100)
    assert [row["budget"] for row in found][:2] == [0.02, 0.05]  # every truth crosses these
    assert all(row["runs"] == 100 for row in found[:2])
    held = sum(row["coverage"] * row["runs"] for row in found)
    assert 0.92 <= held / sum(row["runs"] for row in found) <= 0.98
    assert all(row["coverage"] >= 0.88 for row in found)
    assert all(row["median_width_decades"] < 0.5 for row in found)


def test_levels_with_one_optimum_are_not_said_to_differ_and_a_tenfold_move_is_seen():
    # the across-level rule (intervals apart: the answer moves with the problem) on pairs of
    # simulated levels under the likelihood's noise: none of 30 with the same optimum, most
    # of 30 with optima ten times apart
    assert simulation.apart_rate("iw_nll", 1.0, runs=30)["apart"] <= 0.05
    assert simulation.apart_rate("iw_nll", 10.0, runs=30)["apart"] >= 0.8


def test_the_simulated_reconstructions_cross_where_they_say():
    for shape in simulation.POWERS:
        truth = simulation.Rising(shape, 5.0)
        assert truth.crossing(0.05) == pytest.approx(5.0)
        assert truth(truth.crossing(0.2)) == pytest.approx(1.2 * truth(1.0))
        assert truth(0.0) == simulation.FLOOR and truth(2.0) > truth(1.0)


def test_the_curve_draws_are_reproducible():
    frame = models(bowl(1.0), GRID, every(0, 1), 0.02)
    first, second = criteria.answer(frame, PRIOR), criteria.answer(frame, PRIOR)
    assert first.interval == second.interval and first.best == second.best
    assert curve.DRAWS >= 1000


def test_the_k_sweep_reads_the_spread_in_nats_with_or_without_a_curve():
    # two coefficients, two seeds: a seed spread, but too few coefficients for a curve
    frame = models(lambda c: 150.0 - c, (0.5, 1.0), every(0, 1), 1.0, key="iw_nll")
    frame["iw_nll_se"], frame["iw_half_k_excess"] = 1.0, 0.0
    record = conclusion.answer_record(criteria.answer(frame, IW), {0.5, 1.0})
    assert record["best"] is None and record["seed_spread"]["relative"]
    sweep = {"rows": [{"k": 10, "excess_over_largest_k": 0.001, "excess_over_largest_k_se": 0.0}]}
    found = conclusion.sweep_record(sweep, 10, record)
    lowest = min(p["value"] for p in record["points"])
    assert found["seed_sd"] == pytest.approx(record["seed_spread"]["sd"] * lowest)
    assert found["converged"]


def test_a_relative_curve_reads_its_values_back_through_the_shift():
    # a KL-like number fitted as log(v + r), r = 0.0005 for R's 3 decimals: the curve's own
    # scale is v again, down to a collapsed model's 1e-6 nats (exp(log(v + r)) alone is 5e-4)
    frame = models(lambda c: 1e-6 if c >= 10 else 5.0 / (1 + c), GRID[1:], every(0, 1), 0.0, "kl")
    model = conclusion.seed_model(frame, "kl")
    fitted = curve.fit(model)
    assert fitted.relative and fitted.shift == model.shift == pytest.approx(0.0005)
    assert fitted.raw(model.fitted(np.array([1e-6, 5.0]))) == pytest.approx([1e-6, 5.0])
    assert fitted.at(20.0) == pytest.approx(1e-6, abs=1e-4)
