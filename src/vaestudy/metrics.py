"""Test-set numbers computed from encoder outputs, in NumPy (no TensorFlow needed)."""

import numpy as np

LOG_2PI = np.log(2.0 * np.pi)


def _kl_terms(z_mean, z_log_var):
    """Per image and latent dimension: KL(N(mean, exp(log_var)) || N(0, 1))."""
    return -0.5 * (1.0 + z_log_var - z_mean**2 - np.exp(z_log_var))


def kl_to_prior(z_mean, z_log_var):
    """Per image: KL(N(mean, exp(log_var)) || N(0, I)) in closed form."""
    return np.sum(_kl_terms(z_mean, z_log_var), axis=-1)


def prior_log_density(z):
    """log N(z; 0, I) over the last axis."""
    return -0.5 * np.sum(z**2 + LOG_2PI, axis=-1)


def binary_cross_entropy(x, x_decoded, eps=1e-7):
    """Per image: 784 * mean pixel BCE, clipped as Keras clips it."""
    p = np.clip(x_decoded, eps, 1.0 - eps)
    return -np.sum(x * np.log(p) + (1.0 - x) * np.log(1.0 - p), axis=-1)


def gaussian_log_density(z, mean, log_var):
    """log N(z; mean, diag(exp(log_var))) for every pair: z (S, d), mean (N, d) -> (S, N)."""
    inv_var = np.exp(-log_var)
    quad = (
        (z**2) @ inv_var.T
        - 2.0 * z @ (mean * inv_var).T
        + np.sum(mean**2 * inv_var, axis=1)[None, :]
    )
    return -0.5 * (quad + np.sum(log_var, axis=1)[None, :] + z.shape[1] * LOG_2PI)


def _logsumexp(a, axis):
    peak = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(peak, axis) + np.log(np.sum(np.exp(a - peak), axis=axis))


def log_mean_exp(a, axis=-1):
    """log(mean(exp(a))) along axis, without overflow."""
    return _logsumexp(a, axis=axis) - np.log(a.shape[axis])


def aggregate_posterior_log_density(z, z_mean, z_log_var, chunk=512):
    """log q(z) for q = the equal mixture of the images' Gaussians, exact, in chunks of z."""
    z_mean = z_mean.astype(np.float64)
    z_log_var = z_log_var.astype(np.float64)
    out = np.empty(len(z))
    for start in range(0, len(z), chunk):
        block = gaussian_log_density(z[start : start + chunk], z_mean, z_log_var)
        out[start : start + chunk] = log_mean_exp(block, axis=1)
    return out


def aggregate_kl_to_prior(z_mean, z_log_var, n_samples, seed=0):
    """Monte Carlo KL(q(z) || N(0, I)) with q(z) the test set's aggregate posterior."""
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(z_mean), n_samples)
    z = z_mean[pick] + np.exp(0.5 * z_log_var[pick]) * rng.standard_normal(
        (n_samples, z_mean.shape[1])
    )
    z = z.astype(np.float64)
    log_q = aggregate_posterior_log_density(z, z_mean, z_log_var)
    return float(np.mean(log_q - prior_log_density(z)))


def moments(z_mean):
    """Mean vector and covariance matrix of the encoder means."""
    return np.mean(z_mean, axis=0), np.cov(z_mean, rowvar=False).reshape(
        z_mean.shape[1], z_mean.shape[1]
    )


def kl_per_dimension(z_mean, z_log_var):
    """Test-set mean of KL(q(z_u|x) || N(0, 1)) for each latent dimension u."""
    return np.mean(_kl_terms(z_mean, z_log_var), axis=0)


def active_units(z_mean, threshold=0.01):
    """Latent dimensions whose encoder mean varies over the images: Cov_x E[z_u|x] > threshold."""
    return int(np.sum(np.var(z_mean, axis=0) > threshold))


def importance_weighted_nll(log_px_given_z, z, eps, z_log_var):
    """Per image: -log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x), for K samples (N, K, d)
    z = mean + exp(log_var / 2) * eps. log q comes from eps, exact even where a tiny variance
    makes z round to its mean. With K = 1 it is the one-sample negative ELBO; it tightens as K
    grows.
    """
    log_var = z_log_var[:, None, :].astype(np.float64)
    log_q = -0.5 * np.sum(eps.astype(np.float64) ** 2 + log_var + LOG_2PI, axis=-1)
    log_p = prior_log_density(z.astype(np.float64))
    return -log_mean_exp(log_px_given_z.astype(np.float64) + log_p - log_q, axis=1)


def class_coverage(probabilities, min_share, classes=10):
    """How a classifier sees a set of decoded images (rows of class probabilities).

    Returns the number of classes that win at least `min_share` of the images, the entropy
    (bits) of the winning-class histogram, the mean top-class probability, and the histogram.
    """
    winners = np.argmax(probabilities, axis=1)
    share = np.bincount(winners, minlength=classes) / len(winners)
    nonzero = share[share > 0]
    return {
        "classes": int(np.sum(share >= min_share)),
        "entropy_bits": float(-np.sum(nonzero * np.log2(nonzero)) + 0.0),
        "confidence": float(np.mean(np.max(probabilities, axis=1))),
        "share": share.tolist(),
    }
