"""The per-model yardsticks against cases with known answers: KL per dimension, active units,
the importance-weighted NLL and the decoder coverage."""

import numpy as np
import pytest

from vaestudy import metrics

RNG = np.random.default_rng(7)


def test_kl_per_dimension_adds_up_to_the_total():
    z_mean, z_log_var = RNG.standard_normal((300, 3)), RNG.standard_normal((300, 3))
    per_dim = metrics.kl_per_dimension(z_mean, z_log_var)
    assert per_dim.shape == (3,)
    assert per_dim.sum() == pytest.approx(metrics.kl_to_prior(z_mean, z_log_var).mean())
    assert metrics.kl_per_dimension(np.zeros((5, 2)), np.zeros((5, 2))) == pytest.approx([0, 0])


def test_active_units_count_dimensions_whose_means_vary():
    z_mean = np.stack([RNG.normal(0, 1, 2000), RNG.normal(5, 0.05, 2000)], axis=1)
    assert metrics.active_units(z_mean) == 1  # variance 0.0025 < 0.01 is inactive
    assert metrics.active_units(z_mean, threshold=0.001) == 2


def _samples(z_mean, z_log_var, k):
    eps = RNG.standard_normal((len(z_mean), k, z_mean.shape[1]))
    return z_mean[:, None, :] + np.exp(0.5 * z_log_var)[:, None, :] * eps, eps


def test_iw_nll_is_exact_when_the_encoder_is_the_prior_and_the_decoder_ignores_z():
    # p(z) / q(z|x) = 1 for every sample, so the estimate is -log p(x|z) for any K
    z_mean, z_log_var = np.zeros((4, 2)), np.zeros((4, 2))
    z, eps = _samples(z_mean, z_log_var, 50)
    log_px = np.full((4, 50), -123.4)
    assert metrics.importance_weighted_nll(log_px, z, eps, z_log_var) == pytest.approx(123.4)


def test_iw_nll_with_one_sample_is_the_negative_elbo():
    z_mean, z_log_var = RNG.standard_normal((20000, 2)), RNG.normal(-1, 0.3, (20000, 2))
    z, eps = _samples(z_mean, z_log_var, 1)
    log_px = np.full((20000, 1), -100.0)
    iw = metrics.importance_weighted_nll(log_px, z, eps, z_log_var)
    # per image it is the one-sample estimate; on average, reconstruction + closed-form KL
    assert iw.mean() == pytest.approx(
        100.0 + metrics.kl_to_prior(z_mean, z_log_var).mean(), rel=2e-3
    )


def test_a_tiny_posterior_variance_does_not_bias_the_estimate():
    # std 1e-9 around 14: z rounds to the mean in float32, log q must still see eps
    z_mean, z_log_var = np.full((2000, 2), 14.0), np.full((2000, 2), -41.4)
    z, eps = _samples(z_mean, z_log_var, 1)
    log_px = np.zeros((2000, 1))
    iw = metrics.importance_weighted_nll(log_px, z.astype("float32"), eps, z_log_var)
    kl = metrics.kl_to_prior(z_mean, z_log_var)
    assert iw.mean() == pytest.approx(kl.mean(), abs=0.1)


def test_more_samples_tighten_the_bound():
    # a decoder that likes z near (1, 1); the encoder is a poor proposal
    z_mean, z_log_var = np.zeros((200, 2)), np.full((200, 2), np.log(0.5))
    estimates = []
    for k in (1, 10, 1000):
        z, eps = _samples(z_mean, z_log_var, k)
        log_px = -50.0 - 2.0 * np.sum((z - 1.0) ** 2, axis=-1)
        estimates.append(metrics.importance_weighted_nll(log_px, z, eps, z_log_var).mean())
    assert estimates[0] > estimates[1] > estimates[2]


def test_coverage_of_a_single_class_and_of_all_ten():
    one = np.tile(np.eye(10)[3], (900, 1))
    found = metrics.class_coverage(one, min_share=0.02)
    assert found["classes"] == 1 and found["entropy_bits"] == 0.0 and found["confidence"] == 1.0
    uniform_winners = np.eye(10)[np.arange(1000) % 10] * 0.5 + 0.05
    found = metrics.class_coverage(uniform_winners, min_share=0.02)
    assert found["classes"] == 10
    assert found["entropy_bits"] == pytest.approx(np.log2(10))
    assert found["confidence"] == pytest.approx(0.55)


def test_a_class_below_the_share_does_not_count():
    winners = np.r_[np.zeros(990, int), np.ones(10, int)]  # class 1 wins 1 %
    found = metrics.class_coverage(np.eye(10)[winners], min_share=0.02)
    assert found["classes"] == 1 and found["share"][1] == pytest.approx(0.01)
