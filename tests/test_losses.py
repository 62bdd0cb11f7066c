"""The loss terms: closed-form KL against Monte Carlo, the reconstruction scale, Keras vs NumPy."""

import math

import numpy as np
import pytest

from vaestudy import estimators


def test_closed_form_kl_matches_monte_carlo():
    rng = np.random.default_rng(1)
    mean = np.array([[0.7, -1.2]])
    log_var = np.array([[-0.5, 0.8]])
    std = np.exp(0.5 * log_var)
    z = mean + std * rng.standard_normal((400_000, 2))
    log_q = np.sum(-0.5 * ((z - mean) / std) ** 2 - np.log(std) - 0.5 * np.log(2 * np.pi), 1)
    log_p = np.sum(-0.5 * z**2 - 0.5 * np.log(2 * np.pi), axis=1)
    monte_carlo = np.mean(log_q - log_p)
    assert estimators.kl_to_prior(mean, log_var)[0] == pytest.approx(monte_carlo, abs=0.01)


def test_kl_is_zero_for_the_prior_itself():
    assert estimators.kl_to_prior(np.zeros((3, 2)), np.zeros((3, 2))) == pytest.approx(0.0)


def test_reconstruction_is_784_times_mean_pixel_bce():
    x = np.full((1, 784), 0.5)
    # logits 0 are probabilities 0.5: each pixel costs log 2
    assert estimators.binary_cross_entropy(x, np.zeros((1, 784)))[0] == pytest.approx(
        784 * math.log(2), rel=1e-12
    )


def test_reconstruction_from_logits_is_not_clipped():
    # a confident wrong pixel: logit -30 for a white pixel costs 30 nats, not -log(1e-7) = 16
    x, logits = np.ones((1, 784)), np.zeros((1, 784))
    logits[0, 0] = -30.0
    expected = 783 * math.log(2) + 30.0 + math.log1p(math.exp(-30.0))
    assert estimators.binary_cross_entropy(x, logits)[0] == pytest.approx(expected, rel=1e-12)
    assert estimators.sigmoid(np.array([-800.0, 0.0, 800.0])) == pytest.approx([0, 0.5, 1])


def test_keras_losses_match_numpy():
    from vaestudy.model import kl_divergence, reconstruction_loss

    rng = np.random.default_rng(2)
    x = rng.random((5, 784)).astype("float32")
    logits = (20 * rng.standard_normal((5, 784))).astype("float32")
    mean = rng.standard_normal((5, 2)).astype("float32")
    log_var = rng.standard_normal((5, 2)).astype("float32")
    np.testing.assert_allclose(
        np.asarray(reconstruction_loss(x, logits)),
        estimators.binary_cross_entropy(x, logits),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        np.asarray(kl_divergence(mean, log_var)), estimators.kl_to_prior(mean, log_var), rtol=1e-5
    )
