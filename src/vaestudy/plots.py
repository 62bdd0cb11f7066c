"""Figures of the study, drawn with matplotlib's Agg backend (no display needed)."""

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from vaestudy import registry  # noqa: E402
from vaestudy.evaluation import MANIFOLD_LIMIT, MANIFOLD_SIZE  # noqa: E402
from vaestudy.inference import error_bars  # noqa: E402

DPI = 100


def save_figure(fig, path):
    """The figure as a PNG with no more channels than it uses: an opaque figure drops alpha,
    and one with only greys (the manifolds) is stored as one grey channel, the same pixels in
    about half the bytes (the report embeds every figure)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    Image.fromarray(fewest_channels(np.asarray(Image.open(buffer)))).save(path, optimize=True)


def fewest_channels(rgba):
    """An RGBA image as grey (h, w) where every pixel is grey and opaque, RGB where it is
    opaque, else unchanged: the same pixels either way."""
    if not (rgba[..., 3] == 255).all():
        return rgba
    rgb = rgba[..., :3]
    grey = (rgb[..., :1] == rgb).all()
    return np.ascontiguousarray(rgb[..., 0] if grey else rgb)


LATENT_AXES = ("z[0]", "z[1]")
# the half-width of the encoder comparison's zoomed row, where N(0, I) lies
ENCODER_ZOOM = 4.0
PLANE_AXES = ("principal direction 1", "principal direction 2")
PLANE_NOTE = "shown in the plane through z = 0 spanned by the test codes' two principal directions"


def in_plane(z, plane):
    """Codes z (n, d) as coordinates of the shown plane (evaluation.latent_plane), and the
    names of its axes: the codes themselves with two latent dimensions."""
    if z.shape[1] == 2:
        return z, LATENT_AXES
    return np.asarray(z, dtype=np.float64) @ plane, PLANE_AXES


def _latent_axes(ax, limit, names=LATENT_AXES):
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])


def prior_scatter(path, n=5000, seed=0, limit=4.0):
    """Reference: n samples of N(0, I) in the plane."""
    z = np.random.default_rng(seed).standard_normal((n, 2))
    fig, ax = plt.subplots(figsize=(6, 5))
    ax.scatter(z[:, 0], z[:, 1], s=2, alpha=0.5, color="tab:gray")
    ax.set_title(f"Reference: {n} samples of N(0, I)")
    _latent_axes(ax, limit)
    save_figure(fig, path)


def prior_contours(ax, legend=True):
    """N(0, I)'s 1-sigma and 2-sigma circles, on top of what the axes already show."""
    for radius, style in ((1, "--"), (2, ":")):
        ax.add_patch(
            plt.Circle((0, 0), radius, fill=False, color="black", linestyle=style, linewidth=1.2)
        )
    if legend:
        ax.plot([], [], "k--", label="N(0, I) 1σ")
        ax.plot([], [], "k:", label="N(0, I) 2σ")
        ax.legend(loc="upper right", fontsize=8)


def _digit_scatter(ax, z_mean, labels, size):
    """Codes in the (z[0], z[1]) plane coloured by digit; returns the artist for a colour bar."""
    return ax.scatter(
        z_mean[:, 0],
        z_mean[:, 1],
        c=labels,
        cmap="tab10",
        s=size,
        vmin=-0.5,
        vmax=9.5,
        rasterized=True,
    )


def encoder_scatter(path, z_mean, labels, coefficient, names=LATENT_AXES):
    """Test-set encoder means (or their plane coordinates, see in_plane) coloured by digit,
    with a colour bar and c in the title."""
    fig, ax = plt.subplots(figsize=(6, 5))
    points = _digit_scatter(ax, z_mean, labels, size=2)
    fig.colorbar(points, ax=ax, ticks=range(10), label="digit")
    ax.set_title(f"Encoder z_mean on the test set, c = {coefficient}")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    prior_contours(ax)
    save_figure(fig, path)


def manifold(path, image, coefficient, size=MANIFOLD_SIZE, limit=MANIFOLD_LIMIT, names=LATENT_AXES):
    """The decoded size x size grid, with ticks at the z values of the cells."""
    fig, ax = plt.subplots(figsize=(10, 10))
    pixels = image.shape[0] // size
    centres = np.arange(size) * pixels + pixels / 2
    values = np.linspace(-limit, limit, size)
    ticks = range(0, size, 4)
    ax.set_xticks(centres[list(ticks)], [f"{values[i]:.1f}" for i in ticks])
    ax.set_yticks(centres[list(ticks)], [f"{values[::-1][i]:.1f}" for i in ticks])
    ax.imshow(image, cmap="Greys_r", vmin=0, vmax=1)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(f"Decoder manifold over [-{limit:g}, {limit:g}]^2, c = {coefficient}")
    save_figure(fig, path)


def class_grid(path, probabilities, coefficient, limit=MANIFOLD_LIMIT, names=LATENT_AXES):
    """The manifold's cells coloured by the classifier's digit; faint = unsure."""
    size = probabilities.shape[0]
    winners = np.argmax(probabilities, axis=-1)
    colours = plt.get_cmap("tab10")(winners)
    colours[..., 3] = np.max(probabilities, axis=-1)
    fig, ax = plt.subplots(figsize=(8, 8))
    centres = np.linspace(-limit, limit, size)
    half = (centres[1] - centres[0]) / 2 if size > 1 else limit
    ax.imshow(colours, extent=(-limit - half, limit + half, -limit - half, limit + half))
    for row in range(size):
        for col in range(size):
            ax.text(
                centres[col],
                centres[::-1][row],
                str(winners[row, col]),
                fontsize=6,
                ha="center",
                va="center",
            )
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_title(
        f"Digit the classifier sees in each manifold cell, c = {coefficient}\n"
        "(colour = digit, faint = low confidence)"
    )
    save_figure(fig, path)


def coefficient_axis(ax, coefficients):
    """A symlog x axis: linear near 0, so c = 0 shows beside the positive coefficients."""
    positive = [c for c in coefficients if c > 0]
    linthresh = min(positive) if positive else 1.0
    ax.set_xscale("symlog", linthresh=linthresh)
    if positive:  # no margin into negative c
        low = -0.5 * linthresh if min(coefficients) == 0 else linthresh / 1.5
        ax.set_xlim(low, 1.5 * max(positive))
    ax.set_xlabel("KL coefficient c")


def _label_offsets(points):
    """Text offsets (points) for labels of points sorted along x, turning through four
    directions, so that neighbours do not print over each other or over a neighbour's marker."""
    turns = [(10, 10), (10, -18), (-46, 10), (-46, -18)]
    return [turns[i % len(turns)] for i in range(len(points))]


def rate_distortion(path, summary):
    """D against R, one point per coefficient (error bars: standard errors), with lines of
    equal D + R through the best model and the extremes of c."""
    fig, ax = plt.subplots(figsize=(8, 5.5))
    ax.errorbar(
        summary["kl"],
        summary["reconstruction"],
        xerr=summary["kl_err"],
        yerr=summary["reconstruction_err"],
        fmt="o",
        color="tab:blue",
        capsize=3,
    )
    ordered = summary.sort_values("kl")
    for (c, row), offset in zip(ordered.iterrows(), _label_offsets(ordered), strict=True):
        ax.annotate(
            f"c = {c:g}",
            (row["kl"], row["reconstruction"]),
            textcoords="offset points",
            xytext=offset,
            fontsize=8,
            arrowprops={"arrowstyle": "-", "color": "gray", "linewidth": 0.6},
        )
    ax.set_xscale("log")
    low_r, high_r = summary["kl"].min() / 2, summary["kl"].max() * 2
    rates = np.geomspace(low_r, high_r, 200)
    low, high = summary["reconstruction"].min(), summary["reconstruction"].max()
    pad = 0.1 * (high - low + 1)
    ax.set_xlim(low_r, high_r)
    ax.set_ylim(low - pad, high + pad)
    through = {summary["d_plus_r"].idxmin(), summary.index.min(), summary.index.max()}
    for c in sorted(through):
        total = summary.loc[c, "d_plus_r"]
        ax.plot(rates, total - rates, color="gray", linewidth=0.8, linestyle="--")
        visible = (total - rates >= low - pad) & (total - rates <= high + pad)
        if visible.any():
            r = rates[visible][len(rates[visible]) // 3]
            ax.annotate(
                f"D + R = {total:.1f} (c = {c:g})",
                (r, total - r),
                fontsize=7,
                color="gray",
                va="bottom",
                ha="right" if r > np.sqrt(low_r * high_r) else "left",
            )
    ax.set_xlabel("rate R = KL(q(z|x) || N(0, I)) (nats, log scale)")
    ax.set_ylabel("distortion D = reconstruction (nats)")
    ax.set_title("Rate–distortion on the test set; dashed: equal D + R through a model")
    save_figure(fig, path)


def training_curves(path, histories):
    """Reconstruction and KL per epoch; histories maps coefficient to a list of per-seed tables."""
    fig, (rec_ax, kl_ax) = plt.subplots(1, 2, figsize=(12, 4.5))
    colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, len(histories)))
    for colour, (c, tables) in zip(colours, sorted(histories.items()), strict=True):
        for i, table in enumerate(tables):
            label = f"c = {c:g}" if i == 0 else None
            rec_ax.plot(table["epoch"], table["reconstruction"], color=colour, label=label)
            kl_ax.plot(table["epoch"], table["kl"], color=colour, label=label)
    rec_ax.set_ylabel("training reconstruction")
    kl_ax.set_ylabel("training KL (log scale)")
    kl_ax.set_yscale("log")
    for ax in (rec_ax, kl_ax):
        ax.set_xlabel("epoch")
    kl_ax.legend(fontsize=8, ncol=2)
    fig.suptitle("Training curves: one line per model")
    save_figure(fig, path)


def metrics_against_coefficient(path, summary, bounds=None, columns=3):
    """Each panel of the registry (registry.panels) against c, with its standard error (see
    tables.over_seeds) as error bars, which stop at the metric's `bounds`
    (tables.level_bounds); an upper bound named by a column (log N for I(x; z)) is drawn
    dotted."""
    panels = registry.panels()
    rows = -(-len(panels) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(13, 3.3 * rows), squeeze=False)
    coefficients = list(summary.index)
    log_scale = {m.key for m in registry.entries() if m.log_panel}
    for ax in axes.ravel()[len(panels) :]:
        ax.axis("off")
    for ax, (column, title) in zip(axes.ravel(), panels, strict=False):
        limits = (bounds or {}).get(column, (None, None))
        bars = [
            error_bars(v, e, limits)
            for v, e in zip(summary[column], summary[f"{column}_err"], strict=True)
        ]
        ax.errorbar(coefficients, summary[column], yerr=np.array(bars).T, fmt="o-", capsize=3)
        coefficient_axis(ax, coefficients)
        ax.set_title(title, fontsize=10)
        if column in log_scale and (summary[column] > 0).all():
            ax.set_yscale("log")
        if isinstance(registry.by_key()[column].bounds[1], str) and limits[1] is not None:
            ax.axhline(limits[1], color="gray", linestyle=":")
    fig.suptitle("Test-set metrics against the KL coefficient (symlog axis: c = 0 included)")
    fig.tight_layout()
    save_figure(fig, path)


def encoder_comparison(path, latents, zoom=ENCODER_ZOOM, names=LATENT_AXES):
    """Every coefficient's test-set z_mean side by side: the top row on shared axes (wide
    enough for the widest), the bottom row zoomed to [-zoom, zoom]^2; N(0, I)'s circles on
    each. latents maps c to (z_mean or its plane coordinates, labels)."""
    items = sorted(latents.items())
    limit = 1.05 * max(float(np.max(np.abs(z[:, :2]))) for _, (z, _) in items)
    fig, axes = plt.subplots(2, len(items), figsize=(2.5 * len(items) + 1, 5.6), squeeze=False)
    for col, (c, (z, labels)) in enumerate(items):
        for row, lim in enumerate((limit, zoom)):
            ax = axes[row, col]
            points = _digit_scatter(ax, z, labels, size=0.3)
            prior_contours(ax, legend=False)
            _latent_axes(ax, lim)
            ax.tick_params(labelsize=7)
            ax.set_xlabel(names[0] if row == 1 else "")  # axis names on the outer edges only
            ax.set_ylabel(names[1] if col == 0 else "")
        axes[0, col].set_title(f"c = {c:g}")
    axes[0, 0].set_ylabel(f"shared axes, ±{limit:.3g}\n{names[1]}")
    axes[1, 0].set_ylabel(f"zoomed, ±{zoom:g}\n{names[1]}")
    fig.colorbar(points, ax=axes, ticks=range(10), label="digit", fraction=0.02)
    fig.suptitle("Encoder z_mean of the test images per coefficient (circles: N(0, I) 1σ, 2σ)")
    save_figure(fig, path)


def manifold_comparison(path, images, columns=2, limit=MANIFOLD_LIMIT):
    """Every coefficient's decoded manifold side by side, `columns` per row, each about 500
    pixels wide, so that its digits can still be told apart at the report's width (two per
    row fill it at about 530 pixels each). images maps c to the image."""
    items = sorted(images.items())
    rows = -(-len(items) // columns)
    width = min(columns, len(items))
    fig, axes = plt.subplots(
        rows, width, figsize=(5 * width, 5.4 * rows), squeeze=False, layout="constrained"
    )
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (c, image) in zip(axes.ravel(), items, strict=False):
        ax.imshow(image, cmap="Greys_r", vmin=0, vmax=1)
        ax.set_title(f"c = {c:g}", fontsize=14)
    fig.suptitle(f"Decoder manifolds over z in [-{limit:g}, {limit:g}]², one per coefficient")
    save_figure(fig, path)
