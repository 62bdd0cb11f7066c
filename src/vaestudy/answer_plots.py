"""Figures of the answer: each criterion's fitted curve with the interval for its optimum,
at one level (answer_figure), and each criterion's verdict on every coefficient across the
levels (level_verdicts). Words come from wording.py."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from vaestudy import wording
from vaestudy.plots import coefficient_axis, save_figure

VERDICT_COLOURS = {
    "within": "#81c784",
    "beyond": "#bdbdbd",
    "unresolved": "#fff59d",
    "diverged": "#424242",
    "not trained": "#ffffff",
}


def shade_interval(ax, interval):
    """Shade the interval for c*; an end at c = 0 is drawn at the symlog axis's 0."""
    if interval:
        low, high = interval
        ax.axvspan(low if low > 0 else 0.0, high, color="tab:green", alpha=0.15, linewidth=0)


def _curve(ax, band, colour):
    """A fitted curve and its pointwise band."""
    if band:
        ax.fill_between(band["c"], band["low"], band["high"], color=colour, alpha=0.15, linewidth=0)
        ax.plot(band["c"], band["mean"], color=colour, linewidth=1.5, label="fitted curve")


def _points(ax, points, colour):
    """The trained points ± one standard error, configured ones filled, refined ones open."""
    for refined, marker, face in ((False, "o", colour), (True, "D", "white")):
        chosen = [p for p in points if p["refined"] == refined and p["value"] is not None]
        if chosen:
            ax.errorbar(
                [p["coefficient"] for p in chosen],
                [p["value"] for p in chosen],
                yerr=[p["se"] for p in chosen],
                fmt=marker,
                color=colour,
                markerfacecolor=face,
                capsize=3,
                label="refined" if refined else "configured",
            )


def _mark(ax, c, colour, label):
    ax.axvline(c, color=colour, linestyle=":", label=label)


def _criterion_panel(ax, criterion, coefficients, definition):
    """One criterion against c: its fitted curve and band, the trained points, the
    interval for c* shaded and c* marked; points left out of the fit crossed."""
    shade_interval(ax, criterion["interval"])
    _curve(ax, criterion["curve"], "tab:blue")
    _points(ax, [p for p in criterion["points"] if p["verdict"] != "unresolved"], "tab:blue")
    left_out = [p for p in criterion["points"] if p["verdict"] == "unresolved"]
    if left_out:
        ax.plot(
            [p["coefficient"] for p in left_out],
            [p["value"] for p in left_out],
            "x",
            color="tab:gray",
            label="loose bound, left out",
        )
    if criterion["best"] is not None:
        _mark(ax, criterion["best"], "tab:red", f"c* ≈ {wording.number(criterion['best'])}")
    coefficient_axis(ax, coefficients)
    title = f"{criterion['name']}: {wording.headline(criterion)}"
    if definition["factor"] != 1:
        ax.set_xlabel(
            f"KL coefficient c, canonical ({definition['loss']} as typed: c ÷ "
            f"{definition['factor']:g})"
        )
        title += f"\nas typed ({definition['loss']}): {wording.headline(criterion['typed'])}"
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)


def _budget_panel(ax, record, coefficients):
    """Reconstruction against c, its fitted curve, the budget's line and the largest c
    within it."""
    view = record["budget"]
    ax.set_title("reconstruction-budget view: reconstruction D (nats)", fontsize=9)
    coefficient_axis(ax, coefficients)
    if record["definition"]["density"]:
        ax.text(0.5, 0.5, "none: D is a density's", transform=ax.transAxes, ha="center")
        return
    if view is None:
        ax.text(0.5, 0.5, "no model at c = 1", transform=ax.transAxes, ha="center")
        return
    _curve(ax, record["reconstruction"]["curve"], "tab:purple")
    values = record["reconstruction"]["points"]
    ax.errorbar(
        [v["coefficient"] for v in values],
        [v["value"] for v in values],
        yerr=[v["se"] for v in values],
        fmt="o",
        color="tab:purple",
        capsize=3,
    )
    limit = (1 + view["budget"]) * view["anchor_reconstruction"]
    ax.axhline(limit, color="gray", linestyle="--", label=f"c = 1's + {view['budget']:.0%}")
    if view["largest"] is not None:
        _mark(ax, view["largest"], "tab:purple", f"c ≤ {wording.number(view['largest'])}")
    ax.legend(fontsize=7)


def answer_figure(path, record):
    """The answer at one level: each criterion against c, then the budget view."""
    coefficients = sorted({p["coefficient"] for c in record["criteria"] for p in c["points"]})
    panels = len(record["criteria"]) + 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2), squeeze=False)
    for ax, criterion in zip(axes[0], record["criteria"], strict=False):
        _criterion_panel(ax, criterion, coefficients, record["definition"])
    _budget_panel(axes[0][-1], record, coefficients)
    fig.suptitle(
        f"The answer: {record['level']} (lower is better; band: the fit's "
        f"{record['criteria'][0]['confidence']:.0%} band; shaded: the interval for the optimum)"
    )
    fig.tight_layout()
    save_figure(fig, path)


def level_verdicts(path, records):
    """Each criterion's verdict on every coefficient (columns) at every level (rows)."""
    coefficients = sorted(
        {p["coefficient"] for r in records for c in r["criteria"] for p in c["points"]}
    )
    names = list(VERDICT_COLOURS)
    colours = ListedColormap(list(VERDICT_COLOURS.values()))
    criteria = records[0]["criteria"]
    fig, axes = plt.subplots(
        len(criteria),
        1,
        figsize=(0.9 * len(coefficients) + 5, (0.5 * len(records) + 1.2) * len(criteria)),
        squeeze=False,
    )
    for i, ax in enumerate(axes[:, 0]):
        cells = []
        for record in records:
            verdicts = {p["coefficient"]: p["verdict"] for p in record["criteria"][i]["points"]}
            cells.append([names.index(verdicts.get(c, "not trained")) for c in coefficients])
        ax.imshow(np.array(cells), cmap=colours, vmin=-0.5, vmax=len(names) - 0.5, aspect="auto")
        ax.set_xticks(range(len(coefficients)), [f"{c:g}" for c in coefficients], fontsize=8)
        ax.set_yticks(range(len(records)), [r["level"] for r in records])
        ax.set_title(criteria[i]["name"], fontsize=10)
    axes[-1, 0].set_xlabel("KL coefficient c")
    handles = [
        plt.Rectangle((0, 0), 1, 1, facecolor=VERDICT_COLOURS[n], edgecolor="gray") for n in names
    ]
    axes[0, 0].legend(
        handles,
        [wording.VERDICTS[n] for n in names],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
    )
    fig.suptitle("Each criterion's verdict per coefficient and level")
    fig.tight_layout()
    save_figure(fig, path)
