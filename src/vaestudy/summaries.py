"""One model's test-set numbers, every metric of the registry, from the pieces of evaluation:
the losses, the latent space, the IW bound, the generation distances and what the classifier
reads."""

from dataclasses import dataclass

import numpy as np

from vaestudy import distances, estimators, registry
from vaestudy.evaluation import (
    MIN_ESS_FRACTION,
    decode_readings,
    importance_sampled_nll,
    iw_subset,
    mean_and_error,
    prior_codes,
    sampled_codes,
    sampled_losses,
)


def loss_summary(reconstruction, kl, coefficient):
    """Test-set means of the losses and their standard errors over the images."""
    return {
        "objective": float(np.mean(reconstruction + coefficient * kl)),
        **mean_and_error("reconstruction", reconstruction),
        **mean_and_error("kl", kl),
        **mean_and_error("d_plus_r", reconstruction + kl),
    }


def latent_summary(z_mean, z_log_var, samples, seed=0):
    """Rate split into I(x; z) and KL(q(z) || N(0, I)) = R - I(x; z), per-dimension KL and the
    aggregate posterior's moments. KL(q(z) || N(0, I))'s standard error is that of the draws'
    KL(q(z | x_n) || N(0, I)) - [log q(z | x_n) - log q(z)], so it holds the test images'
    noise in R as well as the Monte Carlo noise in I(x; z)."""
    rates = estimators.kl_to_prior(z_mean.astype(float), z_log_var.astype(float))
    picks, terms = estimators.mutual_information_terms(z_mean, z_log_var, samples, seed)
    mean, cov = estimators.aggregate_moments(z_mean, z_log_var)
    return {
        **mean_and_error("mutual_information", terms),
        "mutual_information_max": float(np.log(len(z_mean))),
        "prior_kl": float(np.mean(rates)) - float(np.mean(terms)),
        "prior_kl_se": estimators.standard_error(rates[picks] - terms),
        "active_units": estimators.active_units(z_mean),
        **{
            f"kl_z{u}": float(v)
            for u, v in enumerate(estimators.kl_per_dimension(z_mean, z_log_var))
        },
        "q_mean": mean.tolist(),
        "q_cov": cov.tolist(),
    }


def iw_summary(vae, x, z_mean, z_log_var, reconstruction, kl, settings):
    """IW NLL (under the VAE's own likelihood) on the study's fixed subset of test images,
    with D + R and the gap on the same images, standard errors, the effective sample size and
    how much the estimate moves from K / 2 to K draws; returns (numbers, the per-image
    estimates)."""
    pick = iw_subset(len(x), settings["iw_images"])
    spread = np.std(z_mean, axis=0)
    nll, ess, half = importance_sampled_nll(
        vae.decoder,
        x[pick],
        z_mean[pick],
        z_log_var[pick],
        settings["iw_samples"],
        spread,
        log_likelihood=vae.log_likelihood(),
    )
    elbo = reconstruction[pick] + kl[pick]
    ess_fraction = float(np.mean(ess)) / settings["iw_samples"]
    numbers = {
        **mean_and_error("iw_nll", nll),
        **mean_and_error("iw_d_plus_r", elbo),
        **mean_and_error("iw_gap", elbo - nll),
        **mean_and_error("iw_half_k_excess", half - nll),
        "iw_images": len(pick),
        "iw_ess": ess_fraction,
        "iw_ess_low": ess_fraction < MIN_ESS_FRACTION,
    }
    return numbers, nll


def test_blocks(test_features, n):
    """The test digits' blocks for comparing n generated images: (rows (blocks, m), the
    features' scale, the scaled blocks (blocks, m, d), their Gram matrices)."""
    m = min(n, len(test_features)) // distances.BLOCKS
    rows = distances.block_rows(len(test_features), distances.BLOCKS, m)
    scale = distances.feature_scale(test_features)
    real = test_features[rows] / scale
    return rows, scale, real, [distances.gram(block, block) for block in real]


def generation_summary(prior_features, reconstruction_features, test_features):
    """KID, density and coverage of the decodes of N(0, I) and of the reconstructions against
    the test digits, in the classifier's features, block by block (vaestudy.distances): the prior's
    block j against test block j, and the reconstructions of test block j - 1 against test
    block j, so that no reconstruction meets its own original. Returns (numbers, the prior's
    KID per block)."""
    rows, scale, real, grams = test_blocks(test_features, len(prior_features))
    prior = (prior_features[: rows.size] / scale).reshape(real.shape)
    reconstructions = reconstruction_features[np.roll(rows, 1, axis=0)] / scale
    from_prior = distances.distance(prior, real, grams)
    numbers = {
        **from_prior.summary("prior"),
        **distances.distance(reconstructions, real, grams).summary("reconstruction"),
    }
    return numbers, from_prior.kid


def floor_summary(other_features, test_features):
    """KID, density and coverage of other real digits (the classifier's held-out training digits)
    against the test digits: what a decoder that draws the data itself would score; {} with
    too few of them for the blocks (fewer than 70)."""
    if min(len(other_features), len(test_features)) < distances.BLOCKS * distances.MIN_BLOCK:
        return {}
    rows, scale, real, grams = test_blocks(test_features, len(other_features))
    other = (other_features[: rows.size] / scale).reshape(real.shape)
    return distances.distance(other, real, grams).summary("floor")


def coverage_summary(name, probabilities, label_shares, min_share, seed=0):
    """What the classifier reads in decoded images: counts, entropy, confidence, and the total
    variation from the test labels' class histogram with its standard error."""
    found = estimators.class_coverage(probabilities, label_shares, min_share, seed=seed)
    return {
        **{f"{name}_{key}": value for key, value in found.items()},
        f"{name}_shares": estimators.class_histogram(probabilities).tolist(),
    }


def gap_summary(prior_reads, reconstruction_reads, labels, seed=0):
    """The coverage gap (estimators.coverage_gap) with its bootstrap error, and the share of
    reconstructions the classifier reads as their own label."""
    gap, draws = estimators.coverage_gap(prior_reads, reconstruction_reads, seed=seed)
    return {
        "coverage_gap": gap,
        "coverage_gap_se": float(np.std(draws, ddof=1)),
        **mean_and_error("reconstruction_accuracy", reconstruction_reads == labels),
    }


@dataclass(frozen=True)
class ModelOutputs:
    """What a metric of its own (registry.Metric.compute) can read of one model: the
    model, the classifier, the test images x (floats in [0, 1]) and labels y, the codes of x,
    the per-image reconstruction and KL and the evaluation settings."""

    vae: object
    classifier: object
    x: np.ndarray
    y: np.ndarray
    z_mean: np.ndarray
    z_log_var: np.ndarray
    reconstruction: np.ndarray
    kl: np.ndarray
    settings: dict


def summarise_model(vae, classifier, x, y, codes, grid, settings):
    """All test-set numbers of one model; codes are its (z_mean, z_log_var) of x (see encode),
    grid the classifier's probabilities of the manifold cells (see grid_classes), settings the
    EVALUATION_KEYS of the config. Every random draw (the z per image, the samples of N(0, I),
    the IW images and draws, the bootstrap) is the same for every model, so that differences
    between models are paired. Returns (numbers, paired): paired holds values per evaluation
    unit, the same units for every model: the IW NLL per IW image, the prior decodes' KID
    per block and the reconstruction per test image (see inference.SeedModel)."""
    z_mean, z_log_var = codes
    likelihood, variance = vae.definition.likelihood, vae.decoder_variance()
    reconstruction, kl = sampled_losses(
        vae.decoder, x, z_mean, z_log_var, likelihood=likelihood, variance=variance
    )
    label_shares = np.bincount(y, minlength=10) / len(y)
    prior_z = prior_codes(settings["coverage_samples"], z_mean.shape[1])
    decodes, prior_features = decode_readings(vae.decoder, classifier, prior_z)
    reconstructions, reconstruction_features = decode_readings(
        vae.decoder, classifier, sampled_codes(z_mean, z_log_var)
    )
    _, test_features = classifier.read(x)
    gap = gap_summary(np.argmax(decodes, axis=1), np.argmax(reconstructions, axis=1), y)
    generation, prior_kid = generation_summary(
        prior_features, reconstruction_features, test_features
    )
    iw, iw_nll = iw_summary(vae, x, z_mean, z_log_var, reconstruction, kl, settings)
    share = settings["class_share"]
    numbers = {
        **loss_summary(
            reconstruction, kl, vae.definition.canonical(vae.kl_coefficient, vae.latent_dim)
        ),
        **({"decoder_variance": variance} if variance is not None else {}),
        **latent_summary(z_mean, z_log_var, settings["prior_samples"]),
        **iw,
        **coverage_summary("grid", grid.reshape(-1, grid.shape[-1]), label_shares, share),
        **coverage_summary("prior", decodes, label_shares, share),
        **gap,
        **generation,
    }
    outputs = ModelOutputs(vae, classifier, x, y, z_mean, z_log_var, reconstruction, kl, settings)
    for metric in registry.computed():
        numbers.update(metric.compute(outputs))
    return numbers, {"iw_nll": iw_nll, "prior_kid": prior_kid, "reconstruction": reconstruction}
