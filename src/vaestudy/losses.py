"""How a VAE's loss is defined: the `loss` axis of the study's levels.

A definition says how the reconstruction term is reduced over the pixels, how the KL term is
reduced over the latent dimensions, and which likelihood p(x | z) the decoder's outputs
parametrise. Its coefficient c "as you would type it" converts to the canonical scale, the
KL's weight against the per-image negative log-likelihood in nats, both summed (pixels and
latent dimensions): canonical c = typed c * factor(latent_dim). A level's configured
coefficients are canonical, so every level is studied over the same range; its models train
at the typed c its definition needs. Adding a definition is one entry of DEFINITIONS.

Each likelihood's per-pixel log-density is written once, in keras.ops, and serves training
(on tensors), the importance-weighted bound (inside a compiled TensorFlow function) and the
evaluation (on float64 NumPy arrays).
"""

import math
from dataclasses import dataclass

import numpy as np

IMAGE_PIXELS = 28 * 28
# the learned decoder variance's floor: a learned-variance likelihood is unbounded without one
# (Mattei and Frellsen, 2018); sigma >= 0.032
VARIANCE_FLOOR = 1e-3


@dataclass(frozen=True)
class Bernoulli:
    """Each pixel Bernoulli(sigmoid(logit)): the published decoder. Its NLL is a probability's,
    at least 0."""

    family = "bernoulli"
    density = False
    learned = False
    variance = None

    def pixel_log_likelihood(self, x, logits, variance=None):
        """log p(x | z) per pixel, from the logits without clipping: x * l - softplus(l)."""
        from keras import ops

        return x * logits - (ops.relu(logits) + ops.log1p(ops.exp(-ops.abs(logits))))

    def nll(self, x, logits, variance=None):
        """Per image in float64: -log p(x | z) in nats (estimators.binary_cross_entropy)."""
        from vaestudy.estimators import binary_cross_entropy

        return binary_cross_entropy(x, logits)

    def mean_pixel_loss(self, x, logits, variance=None):
        """The negative log-likelihood's mean over pixels, as Keras's binary_crossentropy
        computes it (the published loss: 784 times this)."""
        import keras

        return keras.losses.binary_crossentropy(x, logits, from_logits=True)


@dataclass(frozen=True)
class Gaussian:
    """Each pixel N(sigmoid(logit), variance): the decoder's output is the mean. `variance`
    is fixed, or None where it is learned (one variance shared by every pixel, at least
    VARIANCE_FLOOR). Its NLL is a density's, unbounded below, so it is not compared with a
    Bernoulli NLL."""

    variance: float | None = 0.5

    family = "gaussian"
    density = True

    @property
    def learned(self):
        return self.variance is None

    def pixel_log_likelihood(self, x, logits, variance=None):
        """log N(x; sigmoid(l), variance) per pixel (variance: the learned one, else fixed)."""
        from keras import ops

        squared = ops.square(x - ops.sigmoid(logits))
        variance = ops.cast(self.variance if variance is None else variance, squared.dtype)
        return -squared / (2.0 * variance) - 0.5 * ops.log(2.0 * math.pi * variance)

    def nll(self, x, logits, variance=None):
        """Per image in float64: -log p(x | z) in nats, the whole NLL (its constant too)."""
        from keras import ops

        pixels = self.pixel_log_likelihood(
            np.asarray(x, np.float64), np.asarray(logits, np.float64), variance
        )
        return -np.sum(ops.convert_to_numpy(pixels), axis=-1)

    def mean_pixel_loss(self, x, logits, variance=None):
        """The training term's mean over pixels: with a fixed variance the squared error over
        2 * variance (the NLL less its constant: with variance 1/2 the summed squared error),
        with a learned one the whole NLL, whose log-variance term trains the variance."""
        from keras import ops

        if not self.learned:
            return ops.mean(ops.square(x - ops.sigmoid(logits)), axis=-1) / (2.0 * self.variance)
        return -ops.mean(self.pixel_log_likelihood(x, logits, variance), axis=-1)


@dataclass(frozen=True)
class Definition:
    """One loss definition. pixels: the reconstruction term summed over the pixels or their
    mean; latents: the KL summed over the latent dimensions or their mean; likelihood: the
    decoder's p(x | z); words: what a user's code looks like with it."""

    name: str
    likelihood: object
    words: str
    pixels: str = "sum"
    latents: str = "sum"

    def factor(self, latent_dim):
        """Canonical c per typed c: the KL's weight against the per-image NLL, both summed."""
        pixels = IMAGE_PIXELS if self.pixels == "mean" else 1
        latents = latent_dim if self.latents == "mean" else 1
        return pixels / latents

    def typed(self, canonical, latent_dim):
        """The coefficient to train with (as a user of this definition types it) for a
        canonical c; exactly c itself where the factor is 1."""
        factor = self.factor(latent_dim)
        return float(canonical) if factor == 1 else float(canonical) / factor

    def canonical(self, typed, latent_dim):
        return float(typed) * self.factor(latent_dim)


DEFINITIONS = {
    d.name: d
    for d in (
        Definition(
            "sum",
            Bernoulli(),
            "784 * mean binary cross-entropy + c * KL summed over latent dimensions "
            "(the published loss)",
        ),
        Definition(
            "pixel_mean",
            Bernoulli(),
            "mean binary cross-entropy over pixels (Keras's binary_crossentropy alone) "
            "+ c * KL summed over latent dimensions",
            pixels="mean",
        ),
        Definition(
            "latent_mean",
            Bernoulli(),
            "784 * mean binary cross-entropy + c * KL averaged over latent dimensions",
            latents="mean",
        ),
        Definition(
            "gaussian",
            Gaussian(0.5),
            "summed squared error of the decoder's mean + c * KL (a Gaussian decoder, "
            "fixed variance 1/2)",
        ),
        Definition(
            "gaussian_learned",
            Gaussian(None),
            "Gaussian NLL with one learned variance for every pixel (at least "
            f"{VARIANCE_FLOOR:g}) + c * KL",
        ),
    )
}
DEFAULT = "sum"


def effective_coefficient(coefficient, variance, reference=0.5):
    """The weight of the KL that a learned variance implies in a fixed-variance level's units:
    loss = SE / (2 variance) + c KL is, times 2 * reference, SE / (2 reference) + c_eff KL,
    with c_eff = 2 * variance * c / (2 * reference) (2 * variance * c for reference 1/2)."""
    return coefficient * variance / reference
