"""Test-set yardsticks computed from encoder outputs and decoder logits, in NumPy.

Every Monte Carlo estimate returns its standard error. Conventions: z_mean and z_log_var are
(N, d) arrays, one row per image; q(z | x_n) = N(z_mean[n], diag(exp(z_log_var[n]))); q(z)
is the equal mixture of those N Gaussians (the aggregate posterior of the images given).
"""

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


def sigmoid(logits):
    """Pixel probabilities from decoder logits, without overflow."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(logits, dtype=np.float64)))


def binary_cross_entropy(x, logits):
    """Per image: 784 * mean pixel BCE of targets x under Bernoulli(sigmoid(logits)).

    Computed from the logits without clipping, as Keras computes it for a sigmoid output in
    training: sum over pixels of softplus(l) - x * l.
    """
    logits = np.asarray(logits, dtype=np.float64)
    return np.sum(np.logaddexp(0.0, logits) - x * logits, axis=-1)


def standard_error(values):
    """Standard error of the mean of independent draws (0 for a single value)."""
    values = np.asarray(values, dtype=np.float64)
    return float(np.std(values, ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


def _logsumexp(a, axis):
    peak = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(peak, axis) + np.log(np.sum(np.exp(a - peak), axis=axis))


def log_mean_exp(a, axis=-1):
    """log(mean(exp(a))) along axis, without overflow."""
    return _logsumexp(a, axis=axis) - np.log(a.shape[axis])


def _gaussian_log_density(offset, log_var):
    """log N(mu + offset; mu, diag(exp(log_var))) from the offset, over the last axis."""
    return -0.5 * np.sum(offset**2 * np.exp(-log_var) + log_var + LOG_2PI, axis=-1)


def mutual_information_terms(z_mean, z_log_var, samples, seed=0, chunk=128):
    """The draws of the estimate of I(x; z) for x uniform over the N images and z ~ q(z | x):
    (picks, terms), the image n of each draw and its term log q(z | x_n) - log q(z), whose
    mean is the estimate.

    Draw n's z = mean_n + std_n * eps. Offsets z - mean_m are formed as
    (mean_n - mean_m) + std_n * eps in float64, so a tiny variance loses nothing, and the
    image's own term log q(z | x_n) comes from eps. Since q(z) >= q(z | x_n) / N, every term
    is at most log N: the estimate lies in (-inf, log N] and its expectation in [0, log N].
    Images are drawn in a seeded order, each once per N draws."""
    mean, log_var = z_mean.astype(np.float64), z_log_var.astype(np.float64)
    std, inverse_var = np.exp(0.5 * log_var), np.exp(-log_var)
    log_norm = -0.5 * np.sum(log_var + LOG_2PI, axis=1)
    rng = np.random.default_rng([seed, 4])
    picks = np.resize(rng.permutation(len(mean)), samples)
    eps = rng.standard_normal((samples, mean.shape[1]))
    terms = np.empty(samples)
    for start in range(0, samples, chunk):
        own, e = picks[start : start + chunk], eps[start : start + chunk]
        # one latent dimension at a time: (draws, N) slabs, not a (draws, N, d) block
        squares = np.zeros((len(own), len(mean)))
        for u in range(mean.shape[1]):
            offsets = (mean[own, u, None] - mean[None, :, u]) + (std[own, u] * e[:, u])[:, None]
            squares += offsets**2 * inverse_var[None, :, u]
        log_components = log_norm[None, :] - 0.5 * squares
        log_own = log_norm[own] - 0.5 * np.sum(e**2, axis=1)  # (std * e)^2 / var = e^2
        log_components[np.arange(len(own)), own] = log_own
        terms[start : start + chunk] = log_own - log_mean_exp(log_components, axis=1)
    return picks, terms


def aggregate_moments(z_mean, z_log_var):
    """Mean vector and covariance matrix of the aggregate posterior q(z): the covariance is
    Cov(z_mean) + diag(E[exp(z_log_var)]) by the law of total variance."""
    d = z_mean.shape[1]
    cov = np.cov(z_mean, rowvar=False).reshape(d, d) + np.diag(np.mean(np.exp(z_log_var), axis=0))
    return np.mean(z_mean, axis=0), cov


def kl_per_dimension(z_mean, z_log_var):
    """Test-set mean of KL(q(z_u|x) || N(0, 1)) for each latent dimension u."""
    return np.mean(_kl_terms(z_mean, z_log_var), axis=0)


def active_units(z_mean, threshold=0.01):
    """Latent dimensions whose encoder mean varies over the images: Cov_x E[z_u|x] > threshold."""
    return int(np.sum(np.var(z_mean, axis=0) > threshold))


# The importance sampler's proposal for -log p(x): an equal mixture of the encoder's Gaussian
# and Gaussians around the same mean whose standard deviation per dimension is at least
# these fractions of the spread of z_mean over the test set (defensive importance sampling:
# at small c the encoder's Gaussians are far narrower than the posterior, so the encoder alone
# would leave the bound loose; tests/test_model_metrics.py checks the mixture beats it).
PROPOSAL_WIDTHS = (0.03, 0.1, 0.3, 1.0)


def proposal_scales(z_log_var, spread, widths=PROPOSAL_WIDTHS):
    """Per image, the standard deviations of the proposal's components: (J, N, d)."""
    std = np.exp(0.5 * z_log_var.astype(np.float64))
    return np.stack([std] + [np.maximum(std, w * spread) for w in widths])


def proposal_draws(scales, k, rng):
    """K offsets z - mean per image, K / J from each component in turn: (N, K, d) offsets and
    the log density of the mixture at them, (N, K)."""
    j, n, d = scales.shape
    component = np.arange(k) % j
    eps = rng.standard_normal((n, k, d))
    offsets = scales[component].transpose(1, 0, 2) * eps
    log_scales = 2.0 * np.log(scales)  # log variances, (J, N, d)
    log_each = np.stack(
        [_gaussian_log_density(offsets, log_scales[i][:, None, :]) for i in range(j)]
    )
    return offsets, log_mean_exp(log_each, axis=0)


def importance_weights(log_px_given_z, z, log_proposal):
    """log w = log p(x | z) + log N(z; 0, I) - log r(z), per image and sample: (N, K)."""
    return log_px_given_z + prior_log_density(z.astype(np.float64)) - log_proposal


def importance_weighted_nll(log_w):
    """Per image: -log (1/K) sum_k w_k, an upper bound on -log p(x) in expectation that
    tightens as K grows; with the encoder as proposal and K = 1, the one-sample negative ELBO."""
    return -log_mean_exp(log_w, axis=1)


def effective_sample_size(log_w):
    """Per image: (sum w)^2 / sum w^2, from 1 (one sample carries all weight) to K."""
    return np.exp(2.0 * _logsumexp(log_w, axis=1) - _logsumexp(2.0 * log_w, axis=1))


def class_histogram(probabilities, classes=10):
    """Share of images whose most probable class is each digit."""
    winners = np.argmax(probabilities, axis=1)
    return np.bincount(winners, minlength=classes) / len(winners)


def total_variation(p, q):
    """Total variation distance between two histograms: 0 (equal) to 1 (disjoint)."""
    return 0.5 * float(np.sum(np.abs(np.asarray(p) - np.asarray(q))))


def _histogram_numbers(share, reference, min_share):
    """Classes winning at least min_share, entropy (bits) and TV from the reference."""
    nonzero = share[share > 0]
    return {
        "classes": int(np.sum(share >= min_share)),
        "entropy_bits": float(-np.sum(nonzero * np.log2(nonzero)) + 0.0),
        "tv": total_variation(share, reference),
    }


def read_histogram(reads, classes=10):
    """Share of each class among integer readings (the classifier's winning class per image)."""
    return np.bincount(np.asarray(reads, dtype=np.int64), minlength=classes) / len(reads)


def bootstrap_indices(n, resamples, seed, stream):
    """`resamples` rows of n indices drawn with replacement from range(n), from a generator
    seeded by (seed, stream) alone: every model of one seed draws the same rows, so their
    bootstrap draws are paired."""
    return np.random.default_rng([seed, stream]).integers(0, n, size=(resamples, n))


def coverage_gap(prior_reads, reconstruction_reads, resamples=200, seed=0):
    """TV between the class histogram the classifier reads in decodes of N(0, I) samples and the
    one it reads in the same decoder's reconstructions of the test images: (gap, its
    bootstrap draws). Both sets go through the same decoder and classifier, so the classifier's bias
    on that decoder's blur is in both; what remains is what the prior's decodes draw
    differently. It is at most TV(q(z), N(0, I)) (data processing), and 0 where the two match.
    Draws resample both sets with bootstrap_indices, paired across a seed's models."""
    prior_reads = np.asarray(prior_reads)
    reconstruction_reads = np.asarray(reconstruction_reads)
    gap = total_variation(read_histogram(prior_reads), read_histogram(reconstruction_reads))
    prior_rows = bootstrap_indices(len(prior_reads), resamples, seed, 6)
    reconstruction_rows = bootstrap_indices(len(reconstruction_reads), resamples, seed, 7)
    draws = np.array(
        [
            total_variation(read_histogram(prior_reads[p]), read_histogram(reconstruction_reads[r]))
            for p, r in zip(prior_rows, reconstruction_rows, strict=True)
        ]
    )
    return gap, draws


def class_coverage(probabilities, reference, min_share, resamples=200, seed=0):
    """How a classifier sees a set of decoded images (rows of class probabilities), each
    number with its standard error over the decodes.

    classes: how many digits win at least `min_share` of the images; entropy_bits: of the
    winning-class histogram; tv: its total variation from `reference` (the test labels'
    histogram; 0 = the same mix of digits); confidence: the mean top-class probability. The
    errors of the histogram numbers come from a multinomial bootstrap of the histogram.
    """
    share = class_histogram(probabilities, len(reference))
    top = np.max(probabilities, axis=1)
    rng = np.random.default_rng([seed, 5])
    boot = rng.multinomial(len(probabilities), share, size=resamples) / len(probabilities)
    spread = [_histogram_numbers(b, reference, min_share) for b in boot]
    found = _histogram_numbers(share, reference, min_share)
    for key in list(found):
        found[f"{key}_se"] = float(np.std([s[key] for s in spread], ddof=1))
    return {**found, "confidence": float(np.mean(top)), "confidence_se": standard_error(top)}
