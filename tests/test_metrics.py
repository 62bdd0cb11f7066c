"""Aggregate-posterior numbers against cases with known answers."""

import numpy as np
import pytest

from vaestudy import metrics


def test_aggregate_kl_is_zero_when_every_image_encodes_to_the_prior():
    z_mean, z_log_var = np.zeros((500, 2)), np.zeros((500, 2))
    assert metrics.aggregate_kl_to_prior(z_mean, z_log_var, 2000) == pytest.approx(0.0, abs=1e-9)


def test_aggregate_kl_of_a_shifted_gaussian_matches_closed_form():
    # every image encodes to N((3, 0), I): q(z) is that Gaussian, KL = 3^2 / 2
    z_mean = np.tile([3.0, 0.0], (200, 1))
    kl = metrics.aggregate_kl_to_prior(z_mean, np.zeros((200, 2)), 20000, seed=1)
    assert kl == pytest.approx(4.5, abs=0.1)


def test_aggregate_kl_grows_as_codes_spread_out():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((1000, 2))
    small = np.full((1000, 2), np.log(0.01))
    near = metrics.aggregate_kl_to_prior(z, small, 2000)
    wide = metrics.aggregate_kl_to_prior(10 * z, small, 2000)
    assert near < 0.5 < 3.0 < wide


def test_mixture_density_matches_direct_sum():
    rng = np.random.default_rng(3)
    mean, log_var = rng.standard_normal((7, 2)), rng.standard_normal((7, 2))
    z = rng.standard_normal((5, 2))
    var = np.exp(log_var)
    direct = np.log(
        np.mean(
            np.exp(-0.5 * np.sum((z[:, None] - mean[None]) ** 2 / var[None], axis=2))
            / (2 * np.pi * np.sqrt(np.prod(var, axis=1)))[None],
            axis=1,
        )
    )
    got = metrics.aggregate_posterior_log_density(z, mean, log_var, chunk=2)
    np.testing.assert_allclose(got, direct, rtol=1e-10)
