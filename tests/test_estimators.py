"""I(x; z) and KL(q(z) || N(0, I)) against cases whose answer is known from the mathematics."""

import math

import numpy as np
import pytest

from vaestudy import estimators, summaries


def split_of_rate(z_mean, z_log_var, samples, seed=0):
    """(I(x; z), its standard error, KL(q(z) || N(0, I)) = R - I), as a model's metrics."""
    found = summaries.latent_summary(z_mean, z_log_var, samples, seed)
    return found["mutual_information"], found["mutual_information_se"], found["prior_kl"]


def test_an_encoder_that_outputs_the_prior_carries_no_information():
    z_mean, z_log_var = np.zeros((500, 2)), np.zeros((500, 2))
    information, error, prior_kl = split_of_rate(z_mean, z_log_var, 2000)
    assert information == pytest.approx(0.0, abs=1e-12) and error == pytest.approx(0.0, abs=1e-12)
    assert prior_kl == pytest.approx(0.0, abs=1e-12)


def test_codes_far_apart_with_tiny_variances_reach_log_n_on_every_seed():
    # like c = 0: codes up to |z| ~ 140, log-variances down to -52 (std 5e-12)
    rng = np.random.default_rng(0)
    n = 1000
    z_mean = (rng.standard_normal((n, 2)) * 50).astype("float32")
    z_log_var = np.full((n, 2), -52.0, dtype="float32")
    rate = estimators.kl_to_prior(z_mean, z_log_var).mean()
    for seed in range(4):
        information, error, prior_kl = split_of_rate(z_mean, z_log_var, 2000, seed)
        assert information == pytest.approx(np.log(n), abs=1e-9)
        assert prior_kl == pytest.approx(rate - np.log(n), rel=1e-6)


def test_two_far_clusters_carry_one_bit_whatever_the_spread_inside():
    # half the images encode to N((-40, 0), I), half to N((40, 0), I): I(x; z) = log 2
    n = 400
    z_mean = np.zeros((n, 2))
    z_mean[: n // 2, 0], z_mean[n // 2 :, 0] = -40.0, 40.0
    information, error, _ = split_of_rate(z_mean, np.zeros((n, 2)), 4000, seed=1)
    assert information == pytest.approx(np.log(2), abs=1e-6)


def test_overlapping_codes_sit_between_the_bounds_and_agree_across_seeds():
    rng = np.random.default_rng(2)
    n = 800
    z_mean = rng.standard_normal((n, 2)) * 2.0
    z_log_var = np.full((n, 2), np.log(0.25))
    estimates = [split_of_rate(z_mean, z_log_var, 4000, seed)[:2] for seed in range(3)]
    for information, error in estimates:
        assert 0.0 < information < np.log(n) and 0 < error < 0.05
    values = [i for i, _ in estimates]
    assert max(values) - min(values) < 4 * estimates[0][1]
    # a Gaussian channel: z = m + noise, m ~ N(0, 4 I) (approximately), noise N(0, I/4):
    # I = log(1 + 4 / 0.25) per dimension, minus the finite-sample shortfall
    assert values[0] == pytest.approx(2 * 0.5 * np.log(1 + 4 / 0.25), abs=0.3)


def test_every_term_respects_the_log_n_ceiling():
    # one draw per call is one term: log q(z | x_n) - log q(z) <= log N, as q(z) >= q(z|x_n) / N
    z_mean = np.array([[0.0, 0.0], [0.5, 0.0], [3.0, 3.0]])
    z_log_var = np.array([[-4.0, -4.0], [0.0, 0.0], [2.0, 2.0]])
    terms = np.array(
        [
            estimators.mutual_information_terms(z_mean, z_log_var, 1, seed)[1][0]
            for seed in range(300)
        ]
    )
    assert terms.max() <= np.log(3) + 1e-12
    # the ceiling is reached (a narrow code drawn far from the others), not merely respected
    assert terms.max() > np.log(3) - 1e-3 and terms.min() < np.log(3) - 0.5


def test_aggregate_moments_add_the_posterior_variances():
    rng = np.random.default_rng(3)
    z_mean = rng.standard_normal((20000, 2)) * [0.6, 0.3]
    z_log_var = np.log(np.full((20000, 2), [0.64, 0.91]))
    mean, cov = estimators.aggregate_moments(z_mean, z_log_var)
    assert mean == pytest.approx([0, 0], abs=0.02)
    assert np.diag(cov) == pytest.approx([0.36 + 0.64, 0.09 + 0.91], abs=0.02)


def test_standard_error_of_the_mean():
    assert estimators.standard_error([1.0, 3.0]) == pytest.approx(1.0)
    assert estimators.standard_error([5.0]) == 0.0


def _normal_cdf(x):
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x) / math.sqrt(2.0)))


def test_coverage_gap_of_two_shifted_normals_read_in_bins_matches_the_exact_answer():
    # the "classifier" reads z in ten bins; prior z ~ N(0, 1), the model's codes z ~ N(0.5, 1)
    edges = np.array([-np.inf, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, np.inf])
    shift, n = 0.5, 40_000
    rng = np.random.default_rng(1)
    prior = np.digitize(rng.standard_normal(n), edges[1:-1])
    codes = np.digitize(rng.standard_normal(n) + shift, edges[1:-1])
    exact = 0.5 * np.sum(np.abs(np.diff(_normal_cdf(edges)) - np.diff(_normal_cdf(edges - shift))))
    gap, draws = estimators.coverage_gap(prior, codes, resamples=200)
    error = np.std(draws, ddof=1)
    assert 0.15 < exact < 0.2  # a non-trivial answer
    assert abs(gap - exact) < 3 * error and error < 0.01
    # data processing: reading through bins cannot exceed TV(N(0, 1), N(0.5, 1))
    assert gap <= 2 * _normal_cdf(shift / 2) - 1


def test_coverage_gap_bootstrap_error_matches_the_spread_over_fresh_samples():
    p = np.array([0.3, 0.3, 0.2, 0.2])
    q = np.array([0.1, 0.4, 0.3, 0.2])  # TV 0.2
    rng = np.random.default_rng(2)
    fresh = [
        estimators.total_variation(
            estimators.read_histogram(rng.choice(4, 2000, p=p), 4),
            estimators.read_histogram(rng.choice(4, 2000, p=q), 4),
        )
        for _ in range(300)
    ]
    gap, draws = estimators.coverage_gap(rng.choice(4, 2000, p=p), rng.choice(4, 2000, p=q))
    assert gap == pytest.approx(0.2, abs=4 * np.std(fresh))
    assert np.std(draws, ddof=1) == pytest.approx(np.std(fresh, ddof=1), rel=0.3)


def test_coverage_gap_is_zero_where_prior_and_codes_read_alike():
    reads = np.repeat(np.arange(10), 100)
    gap, draws = estimators.coverage_gap(reads, reads[::-1].copy())
    assert gap == 0.0 and 0 < np.mean(draws) < 0.1  # the bootstrap's own noise floor


def test_paired_bootstrap_draws_by_hand():
    # prior reads [0, 1], reconstructions [0, 0]: gap 0.5; in a resample of the prior the
    # gap is the share of index 1 drawn, since the reconstructions always read [1, 0]
    prior, reconstructions = np.array([0, 1]), np.array([0, 0])
    gap, draws = estimators.coverage_gap(prior, reconstructions, resamples=50, seed=3)
    rows = np.random.default_rng([3, 6]).integers(0, 2, size=(50, 2))
    assert gap == 0.5
    np.testing.assert_array_equal(draws, rows.mean(axis=1))
    # another model of the same seed draws the same resamples: its draws move with these,
    # so the paired error of the difference is 0, far below the unpaired one
    _, other = estimators.coverage_gap(np.array([2, 3]), np.array([2, 2]), resamples=50, seed=3)
    assert np.std(draws - other, ddof=1) == 0.0
    assert np.hypot(np.std(draws, ddof=1), np.std(other, ddof=1)) > 0.4
    # another seed draws other resamples
    _, elsewhere = estimators.coverage_gap(prior, reconstructions, resamples=50, seed=4)
    assert not np.array_equal(draws, elsewhere)
