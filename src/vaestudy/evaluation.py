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


def log_likelihoods(decoder, x, z):
    """log p(x | z_k) under the Bernoulli decoder, for z of shape (N, K, d): (N, K)."""
    import tensorflow as tf

    from vaestudy.model import reconstruction_loss

    n, k, d = z.shape
    decoded = decoder(z.reshape(n * k, d), training=False)
    bce = reconstruction_loss(tf.repeat(tf.constant(x), k, axis=0), decoded)
    return -np.asarray(bce).reshape(n, k)


def importance_weighted_nll(decoder, x, z_mean, z_log_var, k, seed=0, max_decodes=10_000):
    """Per image: the K-sample importance-weighted estimate of -log p(x), in chunks of images
    so that at most max_decodes images are decoded at once."""
    rng = np.random.default_rng([seed, 1])
    chunk = max(1, max_decodes // k)
    out = []
    for start in range(0, len(x), chunk):
        mean, log_var = z_mean[start : start + chunk], z_log_var[start : start + chunk]
        eps = rng.standard_normal((len(mean), k, mean.shape[1]))
        z = (mean[:, None, :] + np.exp(0.5 * log_var)[:, None, :] * eps).astype("float32")
        log_px = log_likelihoods(decoder, x[start : start + chunk], z)
        out.append(metrics.importance_weighted_nll(log_px, z, eps, log_var))
    return np.concatenate(out)


def iw_subset(n, size, seed=0):
    """A seeded random choice of test images for the IW estimate (all of them if size is 0)."""
    if not size or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng([seed, 3]).choice(n, size, replace=False))


def prior_decodes(decoder, n, seed=0):
    """Decoded images of n samples of N(0, I), in one batched call."""
    latent_dim = decoder.inputs[0].shape[-1]
    z = np.random.default_rng([seed, 2]).standard_normal((n, latent_dim)).astype("float32")
    return np.asarray(decoder.predict_on_batch(z))


def manifold_cells(image, size=MANIFOLD_SIZE):
    """The size*size digits of a manifold image as rows of 784 pixels, row-major."""
    tiles = image.reshape(size, 28, size, 28).transpose(0, 2, 1, 3)
    return tiles.reshape(size * size, 28 * 28)


def coverage(probabilities, min_share):
    """How many digit classes a classifier's probabilities show, and how sure they are."""
    found = metrics.class_coverage(probabilities, min_share)
    return {key: value for key, value in found.items() if key != "share"}


def grid_classes(judge, manifold, size=MANIFOLD_SIZE):
    """Class probabilities of every manifold cell, shaped (size, size, 10)."""
    from vaestudy.classifier import predict

    return predict(judge, manifold_cells(manifold, size)).reshape(size, size, -1)


EVALUATION_KEYS = ("prior_samples", "iw_samples", "iw_images", "coverage_samples", "class_share")


def summarise_model(vae, judge, x, z_mean, z_log_var, grid, settings, seed=0):
    """All test-set numbers of one model; grid holds the classifier's probabilities of the
    manifold cells (see grid_classes), settings the EVALUATION_KEYS of the config."""
    from vaestudy.classifier import predict

    reconstruction, kl = test_losses(vae, x, z_mean, z_log_var, seed=seed)
    summary = summarise(
        reconstruction, kl, vae.kl_coefficient, z_mean, z_log_var, settings["prior_samples"], seed
    )
    pick = iw_subset(len(x), settings["iw_images"], seed)
    nll = importance_weighted_nll(
        vae.decoder, x[pick], z_mean[pick], z_log_var[pick], settings["iw_samples"], seed
    )
    summary["iw_nll"] = float(np.mean(nll))
    summary["iw_gap"] = float(np.mean(reconstruction[pick] + kl[pick] - nll))
    summary["iw_images"] = len(pick)
    samples = predict(judge, prior_decodes(vae.decoder, settings["coverage_samples"], seed))
    for name, probabilities in (("grid", grid.reshape(-1, grid.shape[-1])), ("prior", samples)):
        for key, value in coverage(probabilities, settings["class_share"]).items():
            summary[f"{name}_{key}"] = value
    return summary


def summarise(reconstruction, kl, coefficient, z_mean, z_log_var, prior_samples, seed=0):
    """The numbers the loss table and the conclusion use, as plain floats."""
    mean, cov = metrics.moments(z_mean)
    prior_kl = metrics.aggregate_kl_to_prior(z_mean, z_log_var, prior_samples, seed)
    kl_dims = metrics.kl_per_dimension(z_mean, z_log_var)
    return {
        "loss": float(np.mean(reconstruction + coefficient * kl)),
        "reconstruction": float(np.mean(reconstruction)),
        "kl": float(np.mean(kl)),
        "d_plus_r": float(np.mean(reconstruction + kl)),
        "prior_kl": prior_kl,
        "mutual_information": float(np.mean(kl)) - prior_kl,
        "active_units": metrics.active_units(z_mean),
        **{f"kl_z{u}": float(v) for u, v in enumerate(kl_dims)},
        "z_mean_mean": mean.tolist(),
        "z_mean_cov": cov.tolist(),
    }
