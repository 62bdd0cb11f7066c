"""Figures of the study, drawn with matplotlib's Agg backend (no display needed)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 100


def _save(fig, path):
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def _latent_axes(ax, limit):
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")


def prior_scatter(path, n=5000, seed=0, limit=4.0):
    """Reference: n samples of N(0, I) in the plane."""
    z = np.random.default_rng(seed).standard_normal((n, 2))
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.scatter(z[:, 0], z[:, 1], s=2, alpha=0.5, color="tab:gray")
    ax.set_title(f"Reference: {n} samples of N(0, I)")
    _latent_axes(ax, limit)
    _save(fig, path)


def encoder_scatter(path, z_mean, labels, coefficient, limit=None):
    """Test-set encoder means coloured by digit, with a colour bar and c in the title."""
    fig, ax = plt.subplots(figsize=(6, 5))
    points = ax.scatter(
        z_mean[:, 0], z_mean[:, 1], c=labels, cmap="tab10", s=2, vmin=-0.5, vmax=9.5
    )
    fig.colorbar(points, ax=ax, ticks=range(10), label="digit")
    ax.set_title(f"Encoder z_mean on the test set, c = {coefficient}")
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    if limit:
        _latent_axes(ax, limit)
    _save(fig, path)


def manifold(path, image, coefficient, size=30, limit=3.0):
    """The decoded size x size grid, with ticks at the z values of the cells."""
    fig, ax = plt.subplots(figsize=(10, 10))
    pixels = image.shape[0] // size
    centres = np.arange(size) * pixels + pixels / 2
    values = np.linspace(-limit, limit, size)
    ticks = range(0, size, 4)
    ax.set_xticks(centres[list(ticks)], [f"{values[i]:.1f}" for i in ticks])
    ax.set_yticks(centres[list(ticks)], [f"{values[::-1][i]:.1f}" for i in ticks])
    ax.imshow(image, cmap="Greys_r", vmin=0, vmax=1)
    ax.set_xlabel("z[0]")
    ax.set_ylabel("z[1]")
    ax.set_title(f"Decoder manifold over [-{limit:g}, {limit:g}]^2, c = {coefficient}")
    _save(fig, path)
