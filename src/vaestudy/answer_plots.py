"""Figures of the answer: each criterion's verdict on every coefficient, at one level
(answer_figure) and across the levels (level_verdicts)."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from vaestudy.plots import coefficient_axis, save_figure

VERDICT_COLOURS = {
    "best": "#1b5e20",
    "tied": "#81c784",
    "worse": "#bdbdbd",
    "unresolved": "#fff59d",
    "diverged": "#424242",
    "not trained": "#ffffff",
}
VERDICT_NAMES = {
    "best": "best",
    "tied": "not distinguishable from the best",
    "worse": "worse than the best",
    "unresolved": "not compared (no seed spread)",
    "diverged": "diverged",
    "not trained": "not trained here",
}


def shade_interval(ax, interval, pad=1.15):
    """Shade [low, high] a little wider on the log axis (a factor `pad`), never below 0."""
    if interval:
        low, high = interval
        ax.axvspan(
            low / pad, high * pad if high > 0 else 0.0, color="tab:green", alpha=0.15, linewidth=0
        )


def _criterion_panel(ax, criterion, coefficients):
    """One criterion against c: ± one standard error, the interval shaded, configured
    points filled, refined ones open, the best starred."""
    points = [p for p in criterion["points"] if p["value"] is not None]
    shade_interval(ax, criterion["interval"])
    for refined, marker, face in ((False, "o", "tab:blue"), (True, "D", "white")):
        chosen = [p for p in points if p["refined"] == refined]
        if chosen:
            ax.errorbar(
                [p["coefficient"] for p in chosen],
                [p["value"] for p in chosen],
                yerr=[p["se"] for p in chosen],
                fmt=marker,
                color="tab:blue",
                markerfacecolor=face,
                capsize=3,
                label="refined" if refined else "configured",
            )
    best = next((p for p in points if p["verdict"] == "best"), None)
    if best:
        ax.plot(
            best["coefficient"], best["value"], "*", color="tab:red", markersize=14, label="best"
        )
    coefficient_axis(ax, coefficients)
    ax.set_title(f"{criterion['name']}: {criterion['measure']}", fontsize=9)
    ax.legend(fontsize=7)


def _budget_panel(ax, record, coefficients):
    """Reconstruction against c with the budget's line and the largest c within it."""
    view = record["budget"]
    ax.set_title("reconstruction-budget view: reconstruction D (nats)", fontsize=9)
    coefficient_axis(ax, coefficients)
    if view is None:
        ax.text(0.5, 0.5, "no model at c = 1", transform=ax.transAxes, ha="center")
        return
    values = record["reconstruction"]
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
        ax.axvline(
            view["largest"], color="tab:purple", linestyle=":", label=f"c ≤ {view['largest']:.2g}"
        )
    ax.legend(fontsize=7)


def answer_figure(path, record):
    """The answer at one level: each criterion against c, then the budget view."""
    coefficients = sorted({p["coefficient"] for c in record["criteria"] for p in c["points"]})
    panels = len(record["criteria"]) + 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2), squeeze=False)
    for ax, criterion in zip(axes[0], record["criteria"], strict=False):
        _criterion_panel(ax, criterion, coefficients)
    _budget_panel(axes[0][-1], record, coefficients)
    fig.suptitle(
        f"The answer: {record['level']} "
        "(lower is better; shaded: not distinguishable from the best)"
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
        [VERDICT_NAMES[n] for n in names],
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        fontsize=8,
    )
    fig.suptitle("Each criterion's verdict per coefficient and level")
    fig.tight_layout()
    save_figure(fig, path)
