"""Evaluate a trained VAE on the test set: its codes, its decodes, the manifold and the
importance-sampled likelihood (the pieces summaries.summarise_model combines)."""

import numpy as np

from vaestudy import estimators
from vaestudy.losses import Bernoulli

MANIFOLD_SIZE = 30
MANIFOLD_LIMIT = 3.0
# below this mean effective sample size (a fraction of K) the IW estimate is flagged
MIN_ESS_FRACTION = 0.01


def mean_and_error(name, values):
    """{name: mean, name_se: its standard error} for per-image values."""
    return {name: float(np.mean(values)), f"{name}_se": estimators.standard_error(values)}


def encode(model, x):
    """Encoder means and log-variances for all images, in one batched call."""
    z_mean, z_log_var = model.encoder.predict_on_batch(x)
    return np.asarray(z_mean), np.asarray(z_log_var)


def decoder_logits(decoder, z, max_decodes=10_000):
    """Decoder logits for codes z (n, d), at most max_decodes at once: (n, 784)."""
    z = np.asarray(z, dtype="float32")
    return np.concatenate(
        [
            np.asarray(decoder.predict_on_batch(z[start : start + max_decodes]))
            for start in range(0, len(z), max_decodes)
        ]
    )


def sampled_codes(z_mean, z_log_var, seed=0):
    """One seeded draw z ~ q(z | x) per image: together, a sample of the aggregate q(z)."""
    eps = np.random.default_rng(seed).standard_normal(z_mean.shape).astype("float32")
    return z_mean + np.exp(0.5 * z_log_var) * eps


def sampled_losses(decoder, x, z_mean, z_log_var, seed=0, likelihood=None, variance=None):
    """Per image: reconstruction (-log p(x | z) in nats under the decoder's likelihood, with
    its variance where it has one) with one seeded z sample, and the closed-form KL."""
    logits = decoder_logits(decoder, sampled_codes(z_mean, z_log_var, seed))
    reconstruction = (likelihood or Bernoulli()).nll(x, logits, variance)
    return reconstruction, estimators.kl_to_prior(z_mean, z_log_var)


def manifold_grid(size=MANIFOLD_SIZE, limit=MANIFOLD_LIMIT):
    """The z values of the manifold: row 0 is the top (largest z1), column 0 the left."""
    values = np.linspace(-limit, limit, size)
    z0, z1 = np.meshgrid(values, values[::-1])
    return np.stack([z0.ravel(), z1.ravel()], axis=1).astype("float32")


def latent_plane(z_mean):
    """The plane the scatters and the manifold show, as a (d, 2) orthonormal basis: with two
    latent dimensions the latent axes themselves; with more, the two principal directions of
    the test codes (each signed so that its largest component is positive), through z = 0,
    the prior's mean, so that the manifold spans the prior's ±3σ in that plane and N(0, I)'s
    circles stay centred. Codes that are not finite (a diverged model) get the first two
    latent axes."""
    d = z_mean.shape[1]
    if d == 2 or not np.isfinite(z_mean).all():
        return np.eye(d)[:, :2]
    centred = z_mean.astype(np.float64) - z_mean.mean(axis=0)
    basis = np.linalg.svd(centred, full_matrices=False)[2][:2].T
    return basis * np.sign(basis[np.argmax(np.abs(basis), axis=0), [0, 1]])


def decode_manifold(decoder, plane=None, size=MANIFOLD_SIZE, limit=MANIFOLD_LIMIT):
    """All size*size digits of the manifold, decoded in one call, as one image. With more
    than two latent dimensions the grid lies in `plane` (see latent_plane)."""
    z = manifold_grid(size, limit)
    if decoder.inputs[0].shape[-1] > 2:
        z = (z @ np.asarray(plane, dtype=np.float64).T).astype("float32")
    digits = estimators.sigmoid(decoder_logits(decoder, z))
    tiles = digits.reshape(size, size, 28, 28)
    return tiles.transpose(0, 2, 1, 3).reshape(size * 28, size * 28)


def decoder_log_likelihood(decoder, likelihood=None, variance=None):
    """A compiled function of images x (m, 784) and codes z (m, k, d) giving log p(x | z),
    (m, k): the decoder and the sum over pixels of the likelihood's log-density of its logits
    (for Bernoulli x * l - softplus(l)) in one XLA program, so the m * k * 784 logits never
    reach NumPy. Float32 throughout: within 1e-6 relative of the float64 sum of
    estimators.binary_cross_entropy (tested), and about 3x faster than decoding to NumPy."""
    import tensorflow as tf

    def log_likelihood(x, z):
        codes = tf.reshape(z, (-1, z.shape[-1]))
        logits = tf.reshape(decoder(codes), (tf.shape(z)[0], tf.shape(z)[1], -1))
        pixels = (likelihood or Bernoulli()).pixel_log_likelihood(x[:, None, :], logits, variance)
        return tf.reduce_sum(pixels, axis=-1)

    function = tf.function(log_likelihood, jit_compile=True, autograph=False)
    return lambda x, z: function(np.float32(x), np.float32(z)).numpy().astype(np.float64)


# codes decoded per call of the IW program (decoder_log_likelihood), as whole images of K
# codes (at least one), so that their logits stay in the CPU's caches: the same values as any
# other size (the draws and each image's sum do not depend on it, tested), and faster than
# 10,000 (bench/README.md).
IW_DECODES = 2_000


def images_per_call(k):
    """How many images of k codes each the IW program decodes per call."""
    return max(1, IW_DECODES // k)


def iw_log_weights(log_likelihood, x, z_mean, z_log_var, k, spread, rng, widths):
    """log importance weights (N, K) of the mixture proposal for images x, with
    log_likelihood a decoder_log_likelihood function of the decoder."""
    scales = estimators.proposal_scales(z_log_var, spread, widths)
    offsets, log_proposal = estimators.proposal_draws(scales, k, rng)
    z = z_mean.astype(np.float64)[:, None, :] + offsets
    return estimators.importance_weights(log_likelihood(x, z), z, log_proposal)


def importance_sampled_nll(
    decoder,
    x,
    z_mean,
    z_log_var,
    k,
    spread,
    seed=0,
    widths=estimators.PROPOSAL_WIDTHS,
    log_likelihood=None,
):
    """Per image: the K-sample importance-weighted estimate of -log p(x), its effective
    sample size, and the estimate from the first K / 2 of the same draws (how much the
    bound still moves with K), images_per_call(k) images at a time.
    log_likelihood: the decoder's (decoder_log_likelihood; None: Bernoulli)."""
    rng = np.random.default_rng([seed, 1])
    log_likelihood = log_likelihood or decoder_log_likelihood(decoder)
    chunk = images_per_call(k)
    nll, ess, half = [], [], []
    for start in range(0, len(x), chunk):
        part = slice(start, start + chunk)
        log_w = iw_log_weights(
            log_likelihood, x[part], z_mean[part], z_log_var[part], k, spread, rng, widths
        )
        nll.append(estimators.importance_weighted_nll(log_w))
        ess.append(estimators.effective_sample_size(log_w))
        half.append(estimators.importance_weighted_nll(log_w[:, : max(1, k // 2)]))
    return np.concatenate(nll), np.concatenate(ess), np.concatenate(half)


SWEEP_KS = (1, 10, 100, 1000, 5000)


def iw_sweep(decoder, x, z_mean, z_log_var, images, ks=SWEEP_KS, log_likelihood=None):
    """How the IW estimate moves with K on the study's IW images: one set of max(ks) draws
    per image, and each K's estimate from its first K draws, so that the estimates are
    paired. Per K: mean NLL and its standard error over the images, the mean excess over
    the largest K with its paired standard error, and the effective sample size over K.
    log_likelihood: the decoder's (decoder_log_likelihood; None: Bernoulli)."""
    pick = iw_subset(len(x), images)
    rng = np.random.default_rng([0, 1])
    log_likelihood = log_likelihood or decoder_log_likelihood(decoder)
    spread = np.std(z_mean, axis=0)
    largest = max(ks)
    per_k = {k: ([], []) for k in ks}
    chunk = images_per_call(largest)
    for start in range(0, len(pick), chunk):
        part = pick[start : start + chunk]
        log_w = iw_log_weights(
            log_likelihood,
            x[part],
            z_mean[part],
            z_log_var[part],
            largest,
            spread,
            rng,
            estimators.PROPOSAL_WIDTHS,
        )
        for k in ks:
            per_k[k][0].append(estimators.importance_weighted_nll(log_w[:, :k]))
            per_k[k][1].append(estimators.effective_sample_size(log_w[:, :k]) / k)
    final = np.concatenate(per_k[largest][0])
    rows = []
    for k in ks:
        nll, ess = np.concatenate(per_k[k][0]), np.concatenate(per_k[k][1])
        rows.append(
            {
                "k": k,
                **mean_and_error("iw_nll", nll),
                **mean_and_error("excess_over_largest_k", nll - final),
                "ess_fraction": float(np.mean(ess)),
            }
        )
    return {"images": len(pick), "largest_k": largest, "rows": rows}


def iw_subset(n, size, seed=0):
    """A seeded random choice of test images for the IW estimate (all of them if size is 0)."""
    if not size or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng([seed, 3]).choice(n, size, replace=False))


def decode_readings(decoder, classifier, z, chunk=10_000):
    """The classifier's class probabilities (len(z), 10) and features (len(z), 512) of the decodes
    of codes z, decoded and read `chunk` at a time so that memory does not grow with len(z)."""
    reads = [
        classifier.read(estimators.sigmoid(decoder_logits(decoder, z[start : start + chunk])))
        for start in range(0, len(z), chunk)
    ]
    return tuple(np.concatenate(parts) for parts in zip(*reads, strict=True))


def prior_codes(n, latent_dim, seed=0):
    """n samples of N(0, I), the same for every model of a latent dimension."""
    return np.random.default_rng([seed, 2]).standard_normal((n, latent_dim))


def manifold_cells(image, size=MANIFOLD_SIZE):
    """The size*size digits of a manifold image as rows of 784 pixels, row-major."""
    tiles = image.reshape(size, 28, size, 28).transpose(0, 2, 1, 3)
    return tiles.reshape(size * size, 28 * 28)


def grid_classes(classifier, manifold, size=MANIFOLD_SIZE):
    """Class probabilities of every manifold cell, shaped (size, size, 10)."""
    return classifier.probabilities(manifold_cells(manifold, size)).reshape(size, size, -1)


EVALUATION_KEYS = ("prior_samples", "iw_samples", "iw_images", "coverage_samples", "class_share")
