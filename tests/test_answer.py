"""The answer's measurements and noise model on cases whose truth is known: the image
distances, the additive seed model (one noise model for every number) and the comparison
across levels. The curve, the rounds and the budget view are in test_curve.py. No
TensorFlow, no Snakemake."""

import numpy as np
import pandas as pd
import prdc
import pytest
from scipy import special, stats

from vaestudy import conclusion, distances, inference
from vaestudy.criteria import CRITERIA

GRID = (0.0, 0.02, 0.1, 0.5, 1.0, 2.0, 10.0, 20.0)


# --- image distances ------------------------------------------------------------------------


def clusters(n, rng, classes=range(10), d=32, spread=0.35):
    """n features of a mixture of ten well-separated Gaussian 'digit classes' (positive, as
    ReLU features are)."""
    centres = np.random.default_rng(99).uniform(0, 2, (10, d))
    labels = rng.choice(list(classes), n)
    return centres[labels] + spread * rng.standard_normal((n, d))


def blocks_of(features, m):
    return features[: distances.BLOCKS * m].reshape(distances.BLOCKS, m, -1)


def summary(generated, real, m=100):
    """KID, density and coverage (x_kid, x_kid_se, ...) over 10 blocks of m rows."""
    scale = distances.feature_scale(real)
    found = distances.distance(blocks_of(generated, m) / scale, blocks_of(real, m) / scale)
    return found.summary("x")


def with_holes(data, share, rng):
    """A share of the images replaced by points off the data."""
    holes = data.copy()
    every = round(1 / share)
    holes[::every] = rng.uniform(0, 3, holes[::every].shape)
    return holes


@pytest.fixture(scope="module")
def known_cases():
    """Each defect of a decoder at three severities, and the data itself: {name: summary}."""
    rng = np.random.default_rng(0)
    real = clusters(1000, rng)
    data = clusters(1000, rng)
    cases = {"same distribution": data, "a constant image": np.repeat(data[:1], 1000, axis=0)}
    for weak in (0.7, 0.5, 0.3):  # a blurry digit fires the classifier's units weakly
        cases[f"blurred {weak}"] = weak * data
    for share in (0.125, 0.25, 0.5):
        cases[f"holes {share}"] = with_holes(data, share, rng)
    for kinds in (5, 2, 1):
        cases[f"{kinds} classes"] = clusters(1000, rng, classes=range(kinds))
    return {name: summary(features, real) for name, features in cases.items()}


def worse(cases, better, worse):
    """Whether `worse` has the larger KID by more than three standard errors."""
    a, b = cases[better], cases[worse]
    return b["x_kid"] - a["x_kid"] > 3 * np.hypot(a["x_kid_se"], b["x_kid_se"])


def test_the_same_distribution_is_at_zero_within_its_error(known_cases):
    same = known_cases["same distribution"]
    assert abs(same["x_kid"]) < 3 * same["x_kid_se"]


def expected_coverage(m, n, k=distances.NEIGHBOURS):
    """Coverage of m generated rows drawn like n real rows (Naeem et al., 2020, eq. 8)."""
    return 1 - special.comb(n - 1, k) / special.comb(m + n - 1, k)


def test_density_and_coverage_of_the_data_itself_meet_their_expectations():
    rng = np.random.default_rng(5)
    generated, real = rng.standard_normal((2, 2000, 8))
    found = summary(generated, real, m=200)
    assert abs(found["x_density"] - 1) < 3 * found["x_density_se"]
    assert abs(found["x_coverage"] - expected_coverage(200, 200)) < 3 * found["x_coverage_se"]


def test_density_and_coverage_match_the_authors_implementation():
    rng = np.random.default_rng(6)
    real, fake = rng.standard_normal((300, 6)), 0.8 * rng.standard_normal((250, 6)) + 0.3
    ours = distances.density_coverage_from_grams(fake @ fake.T, real @ real.T, fake @ real.T)
    theirs = prdc.compute_prdc(real, fake, distances.NEIGHBOURS)
    assert ours == pytest.approx((theirs["density"], theirs["coverage"]), abs=1e-12)


@pytest.mark.parametrize(
    "defect", [("blurred", (0.7, 0.5, 0.3)), ("holes", (0.125, 0.25, 0.5)), ("classes", (5, 2, 1))]
)
def test_each_defect_is_worse_than_the_data_and_worse_the_more_of_it(known_cases, defect):
    kind, severities = defect
    names = [f"{kind} {s}" if kind != "classes" else f"{s} classes" for s in severities]
    assert worse(known_cases, "same distribution", names[0])
    for milder, stronger in zip(names, names[1:], strict=False):
        assert worse(known_cases, milder, stronger)
    assert worse(known_cases, names[-1], "a constant image")


def test_density_and_coverage_tell_holes_from_collapse(known_cases):
    same, holes = known_cases["same distribution"], known_cases["holes 0.25"]
    # a quarter of the images off the data: density falls by a quarter, coverage stays
    assert holes["x_density"] == pytest.approx(0.75 * same["x_density"], abs=0.05)
    assert holes["x_coverage"] > 0.9
    # one kind of digit: every image is on the data, about a tenth of the data is covered
    one_class = known_cases["1 classes"]
    assert one_class["x_density"] > 0.8 and 0.05 < one_class["x_coverage"] < 0.15
    # one image lies in about k of the 100 balls of its block
    assert known_cases["a constant image"]["x_coverage"] < 0.1
    # blur that only weakens the features is KID's to see: on the sphere it is the data
    for key in ("x_density", "x_coverage"):
        assert known_cases["blurred 0.3"][key] == pytest.approx(same[key])


def test_kid_of_known_gaussians_matches_the_cubic_kernel_mmd():
    # MMD² = E k(x, x') + E k(y, y') - 2 E k(x, y) between N(0, I) and N(0.5, I), written
    # out independently from pairs of separate draws under the same cubic kernel
    rng = np.random.default_rng(1)
    d, n = 8, 1500
    x, y = rng.standard_normal((n, d)), rng.standard_normal((n, d)) + 0.5
    xx, yy, xy = x @ x.T, y @ y.T, x @ y.T
    value = distances.kid_from_grams(xx, yy, xy, d)
    kernel = lambda g: (g / d + 1) ** 3  # noqa: E731
    far = rng.standard_normal((4000, d)), rng.standard_normal((4000, d)) + 0.5
    direct = (
        kernel(np.sum(far[0][:2000] * far[0][2000:], 1)).mean()
        + kernel(np.sum(far[1][:2000] * far[1][2000:], 1)).mean()
        - 2 * kernel(np.sum(far[0] * far[1], 1)).mean()
    )
    assert value > 0 and value == pytest.approx(direct, rel=0.3)


def test_the_kid_standard_error_matches_its_spread_over_repetitions():
    rng = np.random.default_rng(2)
    estimates, errors = [], []
    for _ in range(40):
        real = clusters(500, rng)
        generated = clusters(500, rng, spread=0.5)
        found = summary(generated, real, m=50)
        estimates.append(found["x_kid"])
        errors.append(found["x_kid_se"])
    assert np.std(estimates, ddof=1) == pytest.approx(np.sqrt(np.mean(np.square(errors))), rel=0.3)


def test_blocks_are_disjoint_and_too_few_rows_are_refused():
    rows = distances.block_rows(1000, 10, 100)
    assert rows.shape == (10, 100) and len(np.unique(rows)) == 1000
    with pytest.raises(ValueError, match="cannot give 10 blocks"):
        distances.block_rows(40)


# --- Student's t ----------------------------------------------------------------------------


# --- the additive seed model ----------------------------------------------------------------


def synthetic(mu, seeds_of, sd, seed_effect=5.0, rng=None, key="prior_kid"):
    """One row per model of v(c, s) = mu(c) + a(s) + e, e ~ N(0, sd²): the truth known."""
    rng = rng or np.random.default_rng(0)
    offsets = seed_effect * rng.standard_normal(10)
    rows = [
        {
            "coefficient": c,
            "seed": s,
            "diverged": False,
            key: mu[c] + offsets[s] + sd * rng.standard_normal(),
            f"{key}_se": 0.0,
        }
        for c in mu
        for s in seeds_of(c)
    ]
    return pd.DataFrame(rows)


def u_shape(coefficients=GRID, best=1.0, depth=1.0):
    """A criterion with its optimum at `best`, rising in log c on both sides."""
    return {c: depth * np.log((c + 0.01) / best) ** 2 for c in coefficients}


def fit(frame, key="prior_kid", relative=False):
    indexed = frame.set_index(["coefficient", "seed"])
    return inference.SeedModel(indexed[key], None, indexed[f"{key}_se"], relative)


def contenders_three_seeds(c):
    return (0, 1, 2) if c in (0.5, 1.0, 2.0) else (0,)


def test_the_seed_spread_is_measured_on_the_replicated_coefficients():
    mu = u_shape()
    variances = [
        fit(synthetic(mu, contenders_three_seeds, 0.2, rng=np.random.default_rng(k))).spread.sd ** 2
        for k in range(300)
    ]
    model = fit(synthetic(mu, contenders_three_seeds, 0.2))
    # 3 coefficients x 3 seeds, less 3 means and 2 seed offsets: 4 degrees of freedom
    assert model.spread.dof == 4 and model.spread.paired
    assert model.spread.measured_on == (0.5, 1.0, 2.0)
    assert np.mean(variances) == pytest.approx(0.04, rel=0.1)


def test_differences_are_paired_over_seeds_so_a_large_seed_effect_cancels():
    mu = u_shape()
    frame = synthetic(mu, contenders_three_seeds, 0.01, seed_effect=100.0)
    model = fit(frame)
    difference = model.combination({2.0: 1.0, 1.0: -1.0})
    assert difference.value == pytest.approx(mu[2.0] - mu[1.0], abs=0.05)
    assert difference.se < 0.05
    # unpaired, the seeds' means would differ by the seed effect's noise, not 0.01
    means = frame.groupby("coefficient")["prior_kid"].mean()
    assert abs(means[2.0] - means[1.0] - (mu[2.0] - mu[1.0])) < 1.0


@pytest.mark.parametrize("c", [1.0, 10.0], ids=["three seeds", "one seed"])
def test_intervals_cover_the_true_difference_at_their_confidence(c):
    mu = u_shape()
    t = stats.t.ppf(0.975, 4)
    covered = []
    for k in range(400):
        model = fit(synthetic(mu, contenders_three_seeds, 0.3, rng=np.random.default_rng(k)))
        difference = model.combination({c: 1.0, 0.5: -1.0})
        covered.append(abs(difference.value - (mu[c] - mu[0.5])) <= t * difference.se)
    assert np.mean(covered) == pytest.approx(0.95, abs=0.035)


def test_one_seed_everywhere_measures_no_spread():
    model = fit(synthetic(u_shape(), lambda c: (0,), 0.1))
    assert not model.spread.measured and model.spread.sd is None
    assert model.spread.same_everywhere_p is None


@pytest.mark.parametrize("relative", [True, False], ids=["share of the value", "own units"])
def test_seeds_that_agree_exactly_measure_a_spread_of_zero(relative):
    # a fixed decoder variance, or all ten classes at every seed: no seed spread at all, not
    # the least-squares fit's round-off, so no coefficient carries a ± that is only noise
    values = {0.1: 0.5, 0.5: 0.5, 1.0: 0.5, 10.0: 0.5} if relative else {0.1: 2, 1.0: 2, 10.0: 0}
    rows = [
        {"coefficient": c, "seed": s, "prior_kid": v, "prior_kid_se": 0.0}
        for c, v in values.items()
        for s in ((0, 1) if c in (0.5, 1.0, 10.0) else (0,))
    ]
    model = fit(pd.DataFrame(rows), relative=None)
    assert model.relative == relative and model.spread.measured
    assert model.spread.sd == 0.0
    for c, v in values.items():
        assert model.value(c) == inference.Estimate(pytest.approx(v), 0.0)
    # each model's own error of such a number (a bootstrap of equal values) is round-off too
    frame = pd.DataFrame(rows).assign(prior_kid_se=lambda t: 2e-16 * (1 + t["seed"]))
    assert all(fit(frame, relative=None).value(c).se == 0.0 for c in values)
    assert fit(frame.assign(prior_kid_se=1e-6), relative=None).value(1.0).se > 0


@pytest.mark.parametrize("relative", [True, False], ids=["share of the value", "own units"])
def test_a_seed_filled_in_keeps_within_the_numbers_bounds(relative):
    # digit classes, at most 10: seed 1 draws fewer than seed 0 where both ran, so the seed
    # c = 0.1 lacks is filled in above its measured 10, which no model can reach
    rows = [
        {"coefficient": c, "seed": s, "prior_kid": v, "prior_kid_se": 0.0}
        for c, seeds in {0.1: {1: 10.0}, 1.0: {0: 9.0, 1: 8.0}, 2.0: {0: 10.0, 1: 9.0}}.items()
        for s, v in seeds.items()
    ]
    frame = pd.DataFrame(rows)
    free = fit(frame, relative=relative).value(0.1).value
    assert free > 10.4  # 10 + half the seeds' offset of about 1 class
    indexed = frame.set_index(["coefficient", "seed"])
    bounded = inference.SeedModel(
        indexed["prior_kid"], None, indexed["prior_kid_se"], relative, bounds=(1, 10)
    )
    assert bounded.value(0.1).value == 10.0
    # its error on the model's scale is the same
    share = bounded.value(0.1).se / (10.0 if relative else 1.0)
    assert share == pytest.approx(fit(frame, relative=relative).combination({0.1: 1.0}).se)
    # coefficients every seed measured, and fill-ins within the bounds, are unchanged
    for c in (1.0, 2.0):
        assert bounded.value(c) == fit(frame, relative=relative).value(c)
    loose = inference.SeedModel(
        indexed["prior_kid"], None, indexed["prior_kid_se"], relative, bounds=(0, 20)
    )
    assert loose.value(0.1) == fit(frame, relative=relative).value(0.1)


def test_a_collapsed_model_does_not_decide_the_seeds_offsets_and_spread():
    # a KL-like number: 3 % apart from seed to seed where the posterior is used, and at
    # collapse (c = 10) round-off of 1e-6 nats that differs sixfold between the seeds. On the
    # log scale that ratio would set the seeds' offsets and the spread: c = 0.1's one model
    # of 8.79 nats would read 7.1 ± 4.7. Below its resolution a number spreads as an amount.
    kl = {0.1: {0: 8.79}, 0.5: {0: 5.53, 1: 5.82}, 1.0: {0: 4.69, 1: 4.73}}
    kl |= {2.0: {0: 3.68, 1: 3.51}, 10.0: {0: 1.85e-6, 1: 3.1e-7}}
    rows = [
        {"coefficient": c, "seed": s, "kl": v, "kl_se": 0.01 * v, "diverged": False}
        for c, seeds in kl.items()
        for s, v in seeds.items()
    ]
    frame = pd.DataFrame(rows)
    model = inference.seed_model(frame, "kl")
    assert model.relative and model.shift == pytest.approx(0.0005)  # R prints 3 decimals
    assert model.value(0.1).value == pytest.approx(8.79, rel=0.02)
    assert model.value(0.1).se / model.value(0.1).value < 0.05
    assert model.value(1.0).value == pytest.approx(4.71, rel=0.002)
    assert model.value(10.0).value == pytest.approx(1.08e-6, rel=0.01)  # the two models' mean
    assert model.value(10.0).se < 1e-4
    blind = fit(frame, "kl", relative=None)  # every ratio a share of the value
    assert blind.value(0.1).value < 7.5 and blind.value(0.1).se > 4


def test_a_nonnegative_number_at_zero_is_filled_in_as_a_share_of_its_value():
    # I(x; z) of the gaussian decoder (measured): the posterior is used up to c = 2, and at
    # c = 10 and 20 collapsed, its estimates round-off on either side of 0. In own units the
    # seed offsets of 0.1 nats measured at c = 0.5-2 filled c = 20's one model of -2e-7 in to
    # 0.02 ± 0.13 nats, above its R of 4e-7, which no I(x; z) can pass.
    mi = {0.1: {0: 7.211}, 0.5: {0: 5.210, 1: 5.465}, 1.0: {0: 4.486, 1: 4.537}}
    mi |= {2.0: {0: 3.572, 1: 3.413}, 10.0: {0: 4.3e-6, 1: -1.85e-6}, 20.0: {0: -1.8e-7}}
    rows = [
        {"coefficient": c, "seed": s, "mutual_information": v, "diverged": False}
        for c, seeds in mi.items()
        for s, v in seeds.items()
    ]
    frame = pd.DataFrame(rows)
    frame["mutual_information_se"] = np.where(frame["coefficient"] < 10, 0.013, 5e-6)
    model = inference.seed_model(frame, "mutual_information")
    assert model.relative and model.shift == pytest.approx(0.0005)
    assert 0 <= model.value(20.0).value < 1e-4 and model.value(20.0).se < 1e-4
    assert 0 <= model.value(10.0).value < 1e-5
    assert model.value(0.1).value == pytest.approx(7.211, rel=0.05)
    # estimates below 0 by more than the resolution are not round-off: own units, as before
    below = inference.seed_model(frame.replace(-1.85e-6, -0.01), "mutual_information")
    assert not below.relative and below.value(20.0).value > 0.01
    # a number that may be negative (KID's unbiased estimate) stays in own units at 0 too
    kid = frame.rename(columns=lambda k: k.replace("mutual_information", "prior_kid"))
    assert not inference.seed_model(kid, "prior_kid").relative


def sum_of_parts(rng, offsets, parts_sd=(0.005, 0.03), correlation=-0.6):
    """One row per model of D, R and D + R, each part a share of its value apart from the
    seeds' offsets (`offsets` times the noise's size) and the seeds' noise (log-normal,
    correlated), no evaluation noise: at c = 0, R is most of D + R, at the coefficients with
    seeds a few percent of it. Returns the rows and the truth at c = 0, the parts' geometric
    means over the seeds summed."""
    d = {0.0: 140.0, 0.5: 141.0, 1.0: 142.0, 2.0: 144.0, 10.0: 160.0}
    r = {0.0: 400.0, 0.5: 7.0, 1.0: 6.0, 2.0: 5.0, 10.0: 2.5}
    cov = np.outer(parts_sd, parts_sd) * [[1, correlation], [correlation, 1]]
    offset = rng.multivariate_normal([0, 0], offsets**2 * cov, size=3)
    rows = []
    for c in d:
        for s in contenders_three_seeds(c):
            e = offset[s] + rng.multivariate_normal([0, 0], cov)
            part = d[c] * np.exp(e[0]), r[c] * np.exp(e[1])
            rows.append(
                {
                    "coefficient": c,
                    "seed": s,
                    "diverged": False,
                    "reconstruction": part[0],
                    "kl": part[1],
                    "d_plus_r": sum(part),
                }
            )
    frame = pd.DataFrame(rows)
    for key in ("reconstruction", "kl", "d_plus_r"):
        frame[f"{key}_se"] = 0.0
    mean = offset.mean(axis=0)
    return frame, d[0.0] * np.exp(mean[0]) + r[0.0] * np.exp(mean[1])


@pytest.mark.parametrize("offsets", [0.0, 1.0], ids=["no seed offsets", "seed offsets"])
def test_a_sum_is_its_parts_with_their_seed_noise_where_their_shares_differ(offsets):
    # D + R measured at c = 0.5-2, where D is 96 % of it, spreads 0.45 % of its value; at c = 0,
    # with one seed, R is 74 % of it and spreads 3 %, as R itself says. D + R is its parts'
    # values summed, each filled in by its own seed offsets, with their seed noise
    t = stats.t.ppf(0.975, 4)
    errors, ses, covered, at_one, own_errors, own_ses = [], [], [], [], [], []
    for k in range(400):
        frame, truth = sum_of_parts(np.random.default_rng(k), offsets)
        model = inference.seed_model(frame, "d_plus_r")
        own = fit(frame, "d_plus_r", relative=True)  # its own offsets and spread, as a share
        value = model.value(0.0)
        parts = [inference.seed_model(frame, p).value(0.0).value for p in ("reconstruction", "kl")]
        assert value.value == pytest.approx(sum(parts))
        errors.append(value.value - truth)
        ses.append(value.se)
        covered.append(abs(value.value - truth) <= t * value.se)
        at_one.append(model.value(1.0).se / own.value(1.0).se)
        own_errors.append(own.value(0.0).value - truth)
        own_ses.append(own.value(0.0).se)
    assert np.sqrt(np.mean(np.square(ses))) == pytest.approx(np.std(errors), rel=0.15)
    assert abs(np.mean(errors)) < 0.1 * np.std(errors)
    assert np.mean(covered) == pytest.approx(0.95, abs=0.035)
    # where the shares are those the spread was measured at, its own ± comes back
    assert np.median(at_one) == pytest.approx(1.0, abs=0.1)
    # its own spread carried as a share is 5 times too small, and its own offsets, carried
    # as a share too, fill c = 0 in further from the truth than its parts' do
    assert np.sqrt(np.mean(np.square(own_ses))) < 0.25 * np.std(errors)
    assert np.sqrt(np.mean(np.square(own_errors))) > (0.8 + 0.3 * offsets) * np.std(errors)


def test_error_bars_stop_at_the_bounds():
    assert inference.error_bars(10.0, 0.8, (1, 10)) == (0.8, 0.0)
    assert inference.error_bars(9.6, 1.1, (1, 10)) == (1.1, pytest.approx(0.4))
    assert inference.error_bars(0.02, 0.13, (0, None)) == (0.02, 0.13)
    assert inference.error_bars(5.0, 0.8, (1, 10)) == inference.error_bars(5.0, 0.8) == (0.8, 0.8)


def test_two_seeds_of_every_coefficient_still_pair_the_differences():
    model = fit(synthetic(u_shape(), lambda c: (0, 1), 0.1))
    assert model.spread.paired and model.spread.dof == len(GRID) - 1


def test_shared_evaluation_units_enter_the_error_of_a_difference_paired():
    # two models evaluated on the same 100 units, which vary a lot but equally for both: the
    # difference's error is that of the per-unit differences, not of either value
    rng = np.random.default_rng(3)
    common = 10 * rng.standard_normal(100)
    units = {(0.0, 0): common + 1.0, (1.0, 0): common + 0.1 * rng.standard_normal(100)}
    values = pd.Series({key: float(np.mean(v)) for key, v in units.items()})
    values.index = pd.MultiIndex.from_tuples(values.index)
    model = inference.SeedModel(values, units, relative=False)
    assert model.combination({0.0: 1.0, 1.0: -1.0}).value == pytest.approx(1.0, abs=0.05)
    assert model.combination({0.0: 1.0, 1.0: -1.0}).se == pytest.approx(0.01, rel=0.3)
    assert model.value(0.0).se == pytest.approx(1.0, rel=0.3)
    # the covariance of the two values: each one's variance, and nearly all of it shared
    _, cov = model.covariance([0.0, 1.0])
    assert cov[0, 0] == pytest.approx(model.value(0.0).se ** 2)
    assert cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]) > 0.99


def test_a_positive_number_spreads_as_a_share_of_its_value():
    # every seed 10 % above or below, at values a hundredfold apart: on the log scale the
    # spread is one number, and each coefficient's error is that share of its own value
    mu = {0.1: 1.0, 1.0: 10.0, 10.0: 100.0}
    rows = [
        {"coefficient": c, "seed": s, "prior_kid": v * f, "prior_kid_se": 0.0}
        for c, v in mu.items()
        for s, f in zip((0, 1, 2), (1.1, 1.0, 0.9) if c != 1.0 else (0.9, 1.0, 1.1), strict=True)
    ]
    frame = pd.DataFrame(rows)
    model = fit(frame, relative=None)
    assert model.relative and model.spread.relative
    for c, v in mu.items():
        value = model.value(c)
        assert value.value == pytest.approx(v * (1.1 * 0.9) ** (1 / 3))  # the geometric mean
        assert value.se / value.value == pytest.approx(model.value(0.1).se / model.value(0.1).value)
    # a number that can be zero or negative stays on its own scale
    assert not fit(frame.assign(prior_kid=frame["prior_kid"] - 5), relative=None).relative


def test_bartlett_tells_a_spread_that_differs_between_coefficients():
    rng = np.random.default_rng(5)
    same = synthetic(u_shape(), lambda c: tuple(range(10)), 0.1, rng=rng)
    assert fit(same).spread.same_everywhere_p > 0.01
    wide = same.copy()
    noisy = wide["coefficient"] == 20
    wide.loc[noisy, "prior_kid"] += rng.normal(0, 1.0, noisy.sum())
    assert fit(wide).spread.same_everywhere_p < 0.01


# --- across levels --------------------------------------------------------------------------


def level(name, interval):
    return {
        "level": name,
        "dataset": name,
        "latent_dim": 2,
        "criteria": [{"best": interval[0], "interval": interval} for _ in CRITERIA],
    }


def test_levels_whose_intervals_overlap_cannot_be_told_apart():
    across = conclusion.across_levels([level("a", [0.5, 2.0]), level("b", [1.0, 10.0])])
    first = across["criteria"][0]
    assert first["common"] == [1.0, 2.0] and first["apart"] == []


def test_only_intervals_that_do_not_overlap_move_the_answer():
    across = conclusion.across_levels([level("a", [0.5, 1.0]), level("b", [2.0, 10.0])])
    first = across["criteria"][0]
    assert first["common"] is None and first["apart"] == [["a", "b"]]
