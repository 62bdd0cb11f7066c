"""The per-model yardsticks against cases with known answers: KL per dimension, active units,
the importance-weighted NLL and its proposal, and the decoder coverage."""

import numpy as np
import pytest

from vaestudy import estimators


@pytest.fixture
def rng():
    """A fresh generator per test, so no result depends on the order tests run in."""
    return np.random.default_rng(7)


def test_kl_per_dimension_adds_up_to_the_total(rng):
    z_mean, z_log_var = rng.standard_normal((300, 3)), rng.standard_normal((300, 3))
    per_dim = estimators.kl_per_dimension(z_mean, z_log_var)
    assert per_dim.shape == (3,)
    assert per_dim.sum() == pytest.approx(estimators.kl_to_prior(z_mean, z_log_var).mean())
    assert estimators.kl_per_dimension(np.zeros((5, 2)), np.zeros((5, 2))) == pytest.approx([0, 0])


def test_active_units_count_dimensions_whose_means_vary(rng):
    z_mean = np.stack([rng.normal(0, 1, 2000), rng.normal(5, 0.05, 2000)], axis=1)
    assert estimators.active_units(z_mean) == 1  # variance 0.0025 < 0.01 is inactive
    assert estimators.active_units(z_mean, threshold=0.001) == 2


def iw_estimate(z_mean, z_log_var, k, log_likelihood, rng, widths=(), spread=1.0):
    """Per image: the IW NLL and ESS for a decoder given as log p(x | z) of z (N, K, d)."""
    scales = estimators.proposal_scales(z_log_var, spread, widths)
    offsets, log_proposal = estimators.proposal_draws(scales, k, rng)
    z = z_mean[:, None, :] + offsets
    log_w = estimators.importance_weights(log_likelihood(z), z, log_proposal)
    return estimators.importance_weighted_nll(log_w), estimators.effective_sample_size(log_w)


def test_iw_nll_is_exact_when_the_encoder_is_the_prior_and_the_decoder_ignores_z(rng):
    # p(z) / q(z|x) = 1 for every sample, so the estimate is -log p(x|z) for any K
    z_mean, z_log_var = np.zeros((4, 2)), np.zeros((4, 2))
    nll, ess = iw_estimate(z_mean, z_log_var, 50, lambda z: np.full(z.shape[:2], -123.4), rng)
    assert nll == pytest.approx(123.4) and ess == pytest.approx(50.0)


def test_iw_nll_with_one_sample_from_the_encoder_is_the_negative_elbo(rng):
    z_mean, z_log_var = rng.standard_normal((20000, 2)), rng.normal(-1, 0.3, (20000, 2))
    nll, _ = iw_estimate(z_mean, z_log_var, 1, lambda z: np.full(z.shape[:2], -100.0), rng)
    assert nll.mean() == pytest.approx(
        100.0 + estimators.kl_to_prior(z_mean, z_log_var).mean(), rel=2e-3
    )


def test_a_tiny_posterior_variance_does_not_bias_the_estimate(rng):
    # std 1e-9 around 14: z rounds to the mean in float32, log q must still see eps
    z_mean, z_log_var = np.full((2000, 2), 14.0), np.full((2000, 2), -41.4)
    nll, _ = iw_estimate(z_mean, z_log_var, 1, lambda z: np.zeros(z.shape[:2]), rng)
    assert nll.mean() == pytest.approx(estimators.kl_to_prior(z_mean, z_log_var).mean(), abs=0.1)


def posterior_case(n=200):
    """A decoder whose exact posterior is known: p(x | z) = N(1; z, 0.5 I) per image, so with
    the N(0, I) prior, p(x) = N(1; 0, 1.5 I) in closed form. The encoder is a poor, narrow
    proposal centred at 0."""
    z_mean, z_log_var = np.zeros((n, 2)), np.full((n, 2), np.log(0.05))

    def log_likelihood(z):
        return -0.5 * np.sum((z - 1.0) ** 2 / 0.5 + np.log(2 * np.pi * 0.5), axis=-1)

    exact = np.full(n, 2 * 0.5 * (1.0 / 1.5 + np.log(2 * np.pi * 1.5)))  # two dimensions
    return z_mean, z_log_var, log_likelihood, exact


def test_more_samples_tighten_the_bound_towards_the_exact_value(rng):
    z_mean, z_log_var, log_likelihood, exact = posterior_case()
    estimates = [iw_estimate(z_mean, z_log_var, k, log_likelihood, rng)[0] for k in (1, 10, 1000)]
    means = [e.mean() for e in estimates]
    assert means[0] > means[1] > means[2] > exact.mean() - 0.05


def test_the_mixture_proposal_is_tighter_than_a_narrow_encoder_and_still_a_bound(rng):
    z_mean, z_log_var, log_likelihood, exact = posterior_case()
    narrow, _ = iw_estimate(z_mean, z_log_var, 200, log_likelihood, rng)
    mixture, _ = iw_estimate(
        z_mean, z_log_var, 200, log_likelihood, rng, estimators.PROPOSAL_WIDTHS, spread=1.0
    )
    assert mixture.mean() < narrow.mean() - 0.1
    # an upper bound in expectation: not below the exact value beyond its standard error
    assert mixture.mean() >= exact.mean() - 3 * estimators.standard_error(mixture)
    assert mixture.mean() == pytest.approx(exact.mean(), abs=0.05)


def test_the_mixture_density_integrates_the_draws_it_makes(rng):
    scales = estimators.proposal_scales(np.log(np.full((3, 2), 0.01)), np.array([1.0, 2.0]))
    assert scales.shape == (1 + len(estimators.PROPOSAL_WIDTHS), 3, 2)
    assert scales[-1, 0] == pytest.approx([1.0, 2.0])  # the widest: as wide as the spread
    # E_r[N(z; 0, I) / r(z)] = 1 for any proposal r: a check of the mixture density
    offsets, log_r = estimators.proposal_draws(scales, 20000, rng)
    weights = np.exp(estimators.prior_log_density(offsets) - log_r)
    assert weights.mean(axis=1) == pytest.approx([1, 1, 1], abs=0.05)


def test_effective_sample_size_bounds(rng):
    assert estimators.effective_sample_size(np.zeros((1, 40))) == pytest.approx([40.0])
    one = np.full((1, 40), -1e3)
    one[0, 3] = 0.0
    assert estimators.effective_sample_size(one) == pytest.approx([1.0])


UNIFORM = np.full(10, 0.1)


def test_coverage_of_a_single_class_and_of_all_ten():
    one = np.tile(np.eye(10)[3], (900, 1))
    found = estimators.class_coverage(one, UNIFORM, min_share=0.02)
    assert found["classes"] == 1 and found["entropy_bits"] == 0.0 and found["confidence"] == 1.0
    assert found["tv"] == pytest.approx(0.9)  # 90 % of the decodes would have to change class
    assert found["classes_se"] == found["entropy_bits_se"] == found["confidence_se"] == 0.0
    uniform_winners = np.eye(10)[np.arange(1000) % 10] * 0.5 + 0.05
    found = estimators.class_coverage(uniform_winners, UNIFORM, min_share=0.02)
    assert found["classes"] == 10 and found["tv"] == pytest.approx(0.0, abs=1e-12)
    assert found["entropy_bits"] == pytest.approx(np.log2(10))
    assert found["confidence"] == pytest.approx(0.55)


def test_a_class_below_the_share_does_not_count():
    winners = np.r_[np.zeros(990, int), np.ones(10, int)]  # class 1 wins 1 %
    assert estimators.class_coverage(np.eye(10)[winners], UNIFORM, min_share=0.02)["classes"] == 1
    assert estimators.class_histogram(np.eye(10)[winners])[1] == pytest.approx(0.01)


def test_a_class_at_the_share_threshold_has_an_uncertain_count():
    # class 1 wins exactly 2 % of 1,000 decodes: a resample puts it in or out about half the time
    winners = np.r_[np.zeros(980, int), np.ones(20, int)]
    found = estimators.class_coverage(np.eye(10)[winners], UNIFORM, min_share=0.02)
    assert found["classes"] == 2 and 0.3 < found["classes_se"] < 0.6


def test_class_divergence_is_zero_for_decodes_distributed_like_the_labels():
    labels = np.repeat(np.arange(10), [98, 113, 103, 101, 98, 89, 96, 103, 97, 102])
    reference = np.bincount(labels) / len(labels)
    found = estimators.class_coverage(np.eye(10)[labels], reference, min_share=0.02)
    assert found["tv"] == pytest.approx(0.0, abs=1e-12)
    assert 0 < found["tv_se"] < 0.05  # the bootstrap sees the sampling noise of 1,000 decodes
    assert estimators.total_variation([1, 0], [0, 1]) == 1.0
