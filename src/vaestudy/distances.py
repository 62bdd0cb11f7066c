"""How far a set of images is from the test digits in the classifier's feature space: the kernel
inception distance (KID) and density and coverage, each with its standard error (NumPy only).

The sets are compared block by block: block j of m generated rows against block j of m real
rows, disjoint blocks, each giving an unbiased KID and a density and coverage; the estimate
is the mean over blocks with the standard error of that mean, as the blocks are independent.
Every model's blocks hold the same test images and the same draws of N(0, I), so two models'
block values are paired.

KID is computed on the features as they are (scaled so that the test digits' a·a / d is 1 on
average): a blurry digit fires the classifier's units weakly, and KID counts it. Density and
coverage are computed on the features scaled to unit length: in the raw features, blurry and
blank images sit near the origin, inside the large balls of the least typical real digits,
and would count as on the data; on the sphere what counts is which units fire.

Density and coverage (Naeem et al., 2020) use only balls around real rows. Improved recall
(Kynkäänniemi et al., 2019) uses balls around generated rows, and a decoder from a 2-D latent
space draws its images on a 2-D surface whose k-th neighbours are 5 to 20 times closer than a
real digit's: recall then measures how densely the images pile up, not which digits they reach
(docs/method.md).
"""

from dataclasses import dataclass

import numpy as np

BLOCKS = 10
NEIGHBOURS = 5  # k of the real rows' k-nearest-neighbour balls (Naeem et al.'s choice)
MIN_BLOCK = NEIGHBOURS + 2  # the fewest rows per block
MEASURES = ("kid", "density", "coverage")
# what the distances' numbers depend on besides the settings: a rule's params, so that jobs
# computed under another definition run again
DEFINITION = {"measures": list(MEASURES), "neighbours": NEIGHBOURS, "blocks": BLOCKS}


def feature_scale(reference):
    """The root mean square of the reference features per dimension: dividing by it gives
    the reference a·a / d = 1 on average, the scale KID's kernel expects."""
    reference = np.asarray(reference, dtype=np.float64)
    return float(np.sqrt(np.mean(np.sum(reference**2, axis=1)) / reference.shape[1])) or 1.0


def gram(a, b):
    """The matrix of dot products of the rows of a and b: multiplied in float32 (the
    features' own precision, several times faster), returned in float64 for the sums."""
    return (np.asarray(a, dtype=np.float32) @ np.asarray(b, dtype=np.float32).T).astype(np.float64)


def kid_from_grams(xx, yy, xy, d):
    """The unbiased squared MMD of two sets of d features, from their Gram matrices, under
    KID's cubic kernel k(a, b) = (a·b / d + 1)³ (Bińkowski et al., 2018): 0 in expectation
    when both sets come from one distribution, so an estimate can be slightly negative."""
    kxx, kyy, kxy = ((g / d + 1.0) ** 3 for g in (xx, yy, xy))
    within = sum((k.sum() - np.trace(k)) / (len(k) * (len(k) - 1)) for k in (kxx, kyy))
    return float(within - 2.0 * kxy.mean())


def on_sphere(xx, yy, xy):
    """The Gram matrices of the same rows scaled to unit length."""
    nx, ny = (np.sqrt(np.maximum(np.diag(g), 1e-300)) for g in (xx, yy))
    return xx / np.outer(nx, nx), yy / np.outer(ny, ny), xy / np.outer(nx, ny)


def squared_distances(ab, aa, bb):
    return np.maximum(np.diag(aa)[:, None] + np.diag(bb)[None, :] - 2.0 * ab, 0.0)


def ball_radii(aa, k):
    """Each row's squared distance to its k-th nearest other row, from the rows' Gram."""
    d2 = squared_distances(aa, aa, aa)
    np.fill_diagonal(d2, np.inf)
    return np.partition(d2, k - 1, axis=1)[:, k - 1]


def density_coverage_from_grams(xx, yy, xy, k=NEIGHBOURS):
    """Density and coverage (Naeem et al., 2020) of generated rows x against real rows y, from
    their Gram matrices, with each real row's ball reaching its k-th nearest real row.
    Density is the mean number of real balls holding a generated row, over k: 1 in expectation
    when both sets come from one distribution, lower with holes (images off the data), higher
    where images pile up on dense parts of it. Coverage is the share of real rows whose ball
    holds some generated row: 1 - C(n - 1, k) / C(m + n - 1, k) in expectation for one
    distribution (m generated, n real rows), lower when the images collapse onto a few kinds."""
    inside = squared_distances(xy, xx, yy) <= ball_radii(yy, k)[None, :]
    return float(inside.sum(axis=1).mean() / k), float(inside.any(axis=0).mean())


@dataclass(frozen=True)
class Distance:
    """Per block: KID, density and coverage."""

    kid: np.ndarray
    density: np.ndarray
    coverage: np.ndarray

    def summary(self, name):
        """{name_kid, name_kid_se, name_density, ...}: mean and standard error over blocks."""
        numbers = {}
        for key in MEASURES:
            values = getattr(self, key)
            numbers[f"{name}_{key}"] = float(np.mean(values))
            numbers[f"{name}_{key}_se"] = float(np.std(values, ddof=1) / np.sqrt(len(values)))
        return numbers


def block_rows(n, blocks=BLOCKS, m=None, seed=0):
    """`blocks` disjoint blocks of m row indices (n // blocks if not given) out of n, from
    one seeded permutation: (blocks, m)."""
    m = m or n // blocks
    if m < MIN_BLOCK or m * blocks > n:
        raise ValueError(f"{n} rows cannot give {blocks} blocks of {m} (at least {MIN_BLOCK})")
    return np.random.default_rng([seed, 8]).permutation(n)[: m * blocks].reshape(blocks, m)


def distance(generated, real, real_grams=None):
    """KID, density and coverage of each block of generated features against the same block
    of real features: both (blocks, m, d), the caller choosing which rows form a block;
    real_grams are the real blocks' Gram matrices, if the caller has them already."""
    d = real.shape[-1]
    kid, density, coverage = [], [], []
    for j, (x, y) in enumerate(zip(generated, real, strict=True)):
        xx, yy, xy = gram(x, x), gram(y, y) if real_grams is None else real_grams[j], gram(x, y)
        kid.append(kid_from_grams(xx, yy, xy, d))
        dense, covered = density_coverage_from_grams(*on_sphere(xx, yy, xy))
        density.append(dense)
        coverage.append(covered)
    return Distance(np.array(kid), np.array(density), np.array(coverage))
