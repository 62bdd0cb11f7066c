"""Evaluate a trained VAE on the test set: losses, latent codes and the decoded manifold."""

import numpy as np

from vaestudy import metrics

MANIFOLD_SIZE = 30
MANIFOLD_LIMIT = 3.0


def encode(model, x):
    """Encoder means and log-variances for all images, in one batched call."""
    z_mean, z_log_var = model.encoder.predict_on_batch(x)
    return np.asarray(z_mean), np.asarray(z_log_var)


def test_losses(model, x, z_mean, z_log_var, seed=0):
    """Per-image reconstruction (one seeded z sample each) and closed-form KL."""
    rng = np.random.default_rng(seed)
    z = z_mean + np.exp(0.5 * z_log_var) * rng.standard_normal(z_mean.shape).astype("float32")
    x_decoded = np.asarray(model.decoder.predict_on_batch(z.astype("float32")))
    return metrics.binary_cross_entropy(x, x_decoded), metrics.kl_to_prior(z_mean, z_log_var)


def manifold_grid(size=MANIFOLD_SIZE, limit=MANIFOLD_LIMIT):
    """The z values of the manifold: row 0 is the top (largest z1), column 0 the left."""
    values = np.linspace(-limit, limit, size)
    z0, z1 = np.meshgrid(values, values[::-1])
    return np.stack([z0.ravel(), z1.ravel()], axis=1).astype("float32")


def decode_manifold(decoder, size=MANIFOLD_SIZE, limit=MANIFOLD_LIMIT):
    """All size*size digits of the manifold, decoded in one call, as one image.

    With more than two latent dimensions the grid spans the first two; the others are 0.
    """
    z = manifold_grid(size, limit)
    latent_dim = decoder.inputs[0].shape[-1]
    z = np.pad(z, ((0, 0), (0, latent_dim - 2))) if latent_dim > 2 else z[:, :latent_dim]
    digits = np.asarray(decoder.predict_on_batch(z))
    tiles = digits.reshape(size, size, 28, 28)
    return tiles.transpose(0, 2, 1, 3).reshape(size * 28, size * 28)


def summarise(reconstruction, kl, coefficient, z_mean, z_log_var, prior_samples, seed=0):
    """The numbers the loss table and the conclusion use, as plain floats."""
    mean, cov = metrics.moments(z_mean)
    return {
        "loss": float(np.mean(reconstruction + coefficient * kl)),
        "reconstruction": float(np.mean(reconstruction)),
        "kl": float(np.mean(kl)),
        "prior_kl": metrics.aggregate_kl_to_prior(z_mean, z_log_var, prior_samples, seed),
        "z_mean_mean": mean.tolist(),
        "z_mean_cov": cov.tolist(),
    }
