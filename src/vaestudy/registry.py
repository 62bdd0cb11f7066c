"""Every metric of a model, declared once: from these entries come the columns of
results/tables/metrics.csv, the report's yardstick table and its definitions, the figure of
metrics against c, and docs/metrics.md (`python -m vaestudy.registry` writes it).

Most numbers are computed together in `summaries.summarise_model`, where they share work
(one importance-sampling pass gives six). A metric of its own needs one function of
`summaries.ModelOutputs` returning `{key: value}` (and `{key}_se` if it has an error), named
as the entry's `compute`, and the entry itself:

    Metric("pixel_mean", "mean pixel", group=FIT, decimals=3, compute=pixel_mean,
           definition="The mean pixel value of the decoded test images.")
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

from vaestudy.distances import BLOCKS, NEIGHBOURS

# the entropy of a histogram of ten classes is at most log2(10) bits
MAX_CLASS_ENTROPY_BITS = math.log2(10)

GENERATION = "Generation: decoded images against the test digits"
FIT = "Fit: distortion, rate and likelihood"
PRIOR_MATCH = "Prior match: how the codes fill N(0, I)"
CLASSES_DRAWN = "Classes: what the decoder draws from N(0, I)"
GROUPS = (GENERATION, FIT, PRIOR_MATCH, CLASSES_DRAWN)


@dataclass(frozen=True)
class Metric:
    """One number per model. `group` places it in the report's table (None: the CSV only);
    `error` says it has a `<key>_se` column; `panel` is its title in the figure of metrics
    against c (None: no panel); `bounds` are (lower, upper), what it cannot exceed, each a
    number, None or the name of another column (`ceiling`); `decimals` is the most a value
    prints with (fewer where its error swamps them: wording.estimate); `count` marks whole
    numbers;
    `definition` is the report's text, HTML with {placeholders} from `definition_values`;
    `compute` is the function of a metric computed on its own (see the module's docstring);
    `floor` is the key of the value real digits score on it, in the classifier's record;
    `parts` ((key, weight), ...) declares it the sum of other metrics', weighted, whose noise
    models give its value and seed noise (inference.borrowed)."""

    key: str
    heading: str
    group: str | None = None
    decimals: int = 3
    error: bool = True
    panel: str | None = None
    log_panel: bool = False
    bounds: tuple = (None, None)
    count: bool = False
    json: bool = False
    unit: str = ""
    definition: str = ""
    compute: Callable | None = None
    floor: str | None = None
    parts: tuple = ()

    @property
    def resolution(self):
        """The least amount of the number that matters: half its last printed decimal."""
        return 0.5 * 10.0**-self.decimals

    @property
    def columns(self):
        return [self.key, f"{self.key}_se"] if self.error else [self.key]


IW = (
    "Importance-weighted estimate of −log p(x) with K = {iw_samples} samples per image on "
    "{iw_images} test images (one seeded choice, the same for every model and seed, so that "
    "differences are paired over images; ± is the standard error over those images). The "
    "criterion of held-out likelihood. The proposal is an equal mixture of the encoder's "
    "Gaussian and Gaussians around "
    "the same mean at least {proposal_widths} times as wide as the spread of the codes: the "
    "encoder alone is far too narrow at small c and leaves the bound loose. Every proposal "
    "gives an upper bound on −log p(x) in expectation that tightens as K grows. The targets "
    "are grayscale, not binary, so under a Bernoulli decoder this is a cross-entropy, not "
    "the likelihood of binary data; under a Gaussian decoder it is a density's, and the two "
    "families' NLLs are not compared."
)
CLASSES = (
    "The digit classifier reads {coverage_samples} decodes of N(0, I) samples: a "
    "digit class counts when it wins at least {class_share} of them."
)

KID = (
    "Kernel inception distance between the classifier's features (its last hidden layer) of {what} "
    "and of the test digits: the unbiased squared MMD under the kernel (a·b / d + 1)³, "
    "features scaled so that the test digits' a·a / d is 1 on average; 0 when the two sets "
    "come from one distribution. It grows both with holes (images off the data) and with "
    "blur or collapse. Computed in {blocks} disjoint blocks of test digits (the same for "
    "every model), ± the standard error over the blocks."
)
DENSITY = (
    "Density (Naeem et al., 2020) of {what}: how many test digits' balls hold each of them, "
    "over k = {neighbours}, each ball reaching the digit's {neighbours}th nearest test digit in "
    "the classifier's features scaled to unit length, per block as for KID. About 1 for images "
    "drawn like the data (see the real digits' row); holes lower it, images piled on the "
    "commonest digits raise it."
)
COVERAGE = (
    "Coverage (Naeem et al., 2020) of {what}: the share of test digits whose ball (as for "
    "density) holds at least one of them. Near the real digits' row for images drawn like the "
    "data; collapse onto few kinds of image, and blur, lower it."
)
PRIOR_DECODES = "the decodes of {coverage_samples} samples of N(0, I)"
RECONSTRUCTIONS = "the reconstructions of the test digits (one z ~ q(z|x) each)"


def generation_metrics(prefix, label, what, panel, note):
    """KID, density and coverage of one image set (prior decodes or reconstructions) against
    the test digits; each names the real digits' value of it (`floor`)."""
    kid = Metric(
        f"{prefix}_kid",
        f"KID of {label}",
        GENERATION,
        decimals=4,
        panel=panel,
        floor="floor_kid",
        definition=KID.replace("{what}", what) + note,
    )
    density = Metric(
        f"{prefix}_density",
        f"density of {label}",
        GENERATION,
        bounds=(0, None),
        floor="floor_density",
        definition=DENSITY.replace("{what}", what),
    )
    coverage = Metric(
        f"{prefix}_coverage",
        f"coverage of {label}",
        GENERATION,
        bounds=(0, 1),
        floor="floor_coverage",
        definition=COVERAGE.replace("{what}", what),
    )
    return kid, density, coverage


METRICS = (
    *generation_metrics(
        "prior",
        "N(0, I) decodes",
        PRIOR_DECODES,
        panel="KID of N(0, I) decodes (criterion)",
        note=" The criterion of generation from the prior.",
    ),
    *generation_metrics(
        "reconstruction",
        "reconstructions",
        RECONSTRUCTIONS,
        panel="KID of reconstructions",
        note=" Beside the prior decodes' KID it shows how much of that is blur (here too) and "
        "how much the prior (there only).",
    ),
    Metric(
        "objective",
        "objective (D + c·R)",
        error=False,
        decimals=2,
        unit="nats",
        definition="The loss in canonical units: D + c·R at the model's canonical c.",
    ),
    Metric(
        "reconstruction",
        "D (reconstruction)",
        FIT,
        decimals=2,
        panel="reconstruction D",
        bounds=(None, None),
        unit="nats",
        definition=(
            "Distortion: −log p(x|z) of each test image in nats under the level's decoder, "
            "with one sampled z per image: for a Bernoulli decoder 784 × the mean binary "
            "cross-entropy under its pixel probabilities (from its logits), at least 0; for a "
            "Gaussian decoder its density's, which may be negative. ± is the standard error "
            "over the test images."
        ),
    ),
    Metric(
        "kl",
        "R (KL)",
        FIT,
        panel="rate R (KL)",
        log_panel=True,
        bounds=(0, None),
        unit="nats",
        definition="Rate: KL(q(z|x) ‖ N(0, I)) of each test image, in closed form.",
    ),
    Metric(
        "decoder_variance",
        "decoder σ²",
        FIT,
        decimals=4,
        error=False,
        bounds=(0, None),
        definition=(
            "The variance of a Gaussian decoder's pixels: fixed (gaussian), or learned, one "
            "for every pixel (gaussian_learned). None for a Bernoulli decoder."
        ),
    ),
    Metric(
        "d_plus_r",
        "D + R",
        FIT,
        decimals=2,
        panel="D + R (negative ELBO at c = 1)",
        bounds=(None, None),
        parts=(("reconstruction", 1.0), ("kl", 1.0)),
        unit="nats",
        definition=(
            "The two ELBO terms at c = 1, so D + R compares all models on one scale, whatever "
            "c they were trained with."
        ),
    ),
    Metric(
        "iw_d_plus_r",
        "D + R, IW images",
        FIT,
        decimals=2,
        bounds=(None, None),
        unit="nats",
        definition="D + R on the images of the IW estimate, to compare with it.",
    ),
    Metric(
        "iw_nll",
        "IW NLL",
        FIT,
        decimals=2,
        panel="importance-weighted NLL (criterion)",
        bounds=(None, None),
        unit="nats",
        definition=IW,
    ),
    Metric(
        "iw_gap",
        "D + R − IW NLL",
        FIT,
        decimals=2,
        parts=(("iw_d_plus_r", 1.0), ("iw_nll", -1.0)),
        unit="nats",
        definition="How far the ELBO is from the IW estimate on the same images.",
    ),
    Metric(
        "iw_half_k_excess",
        "IW NLL at K/2 − at K",
        FIT,
        decimals=3,
        bounds=(0, None),
        unit="nats",
        definition=(
            "How much the IW estimate still falls from the first K / 2 of its draws to all K "
            "(per image, paired): about how far the bound at K is from converged."
        ),
    ),
    Metric("iw_images", "IW images", error=False, count=True),
    Metric(
        "iw_ess",
        "IW ESS / K",
        FIT,
        error=False,
        bounds=(0, 1),
        definition=(
            "The mean effective sample size of the importance weights as a share of K; a tiny "
            "one (below 1 %) flags a loose estimate, a large one does not prove a tight one."
        ),
    ),
    Metric("iw_ess_low", "IW ESS below 1 %", error=False),
    Metric(
        "mutual_information",
        "I(x; z)",
        PRIOR_MATCH,
        panel="I(x; z) (dotted: log N)",
        bounds=(0, "mutual_information_max"),
        unit="nats",
        definition=(
            "The rate splits exactly into R = I(x; z) + KL(q(z) ‖ N(0, I)), where q(z) is the "
            "aggregate posterior, the equal mixture of all N test images' Gaussians. I(x; z) "
            "is estimated as the mean of log q(z | x<sub>n</sub>) − log q(z) over "
            "{prior_samples} draws z ~ q(z | x<sub>n</sub>) (every image in turn), each term "
            "at most log N, so 0 ≤ I(x; z) ≤ log N = {mi_ceiling} nats: at the ceiling, the "
            "codes of different images do not overlap at all."
        ),
    ),
    Metric("mutual_information_max", "log N", error=False, unit="nats"),
    Metric(
        "prior_kl",
        "KL(q(z) ‖ N(0, I))",
        PRIOR_MATCH,
        panel="KL(q(z) || N(0, I))",
        log_panel=True,
        bounds=(0, "kl"),
        parts=(("kl", 1.0), ("mutual_information", -1.0)),
        unit="nats",
        definition=(
            "R − I(x; z): how far the encoder's output as a whole is from the prior. Its ± "
            "holds the test images' noise in R as well as the Monte Carlo noise in I(x; z) (the "
            "standard error of the draws' KL(q(z|x<sub>n</sub>) ‖ N(0, I)) − [log q(z | "
            "x<sub>n</sub>) − log q(z)]). Where I(x; z) is within log 2 of log N it is bounded "
            "by the number of test images, and so is this."
        ),
    ),
    Metric(
        "active_units",
        "active units",
        PRIOR_MATCH,
        decimals=1,
        error=False,
        bounds=(0, "latent_dim"),
        count=True,
        definition=(
            "Latent dimensions whose encoder mean varies over the test images (variance above "
            "0.01); shown only where some model uses fewer dimensions than it has."
        ),
    ),
    Metric(
        "coverage_gap",
        "coverage gap",
        CLASSES_DRAWN,
        panel="coverage gap",
        bounds=(0, 1),
        definition=(
            "The total variation between the class histogram the classifier reads in the decodes "
            "of N(0, I) samples and the one it reads in the same decoder's reconstructions of "
            "the test digits (one z ~ q(z|x) per image): 0 when the prior's decodes show the "
            "same mix of digits as the reconstructions, 1 when they share none. Both sets are "
            "drawn by the same decoder and read by the same classifier, so the classifier's "
            "bias on that decoder's blur is in both and largely cancels; a large gap means the "
            "decoder fails to draw from the prior what it draws from the encoder's codes. It can "
            "be no larger than TV(q(z), N(0, I)). ± is a bootstrap over the decodes and the test "
            "images, with the same resamples for every model."
        ),
    ),
    Metric(
        "reconstruction_accuracy",
        "reconstructions read as their label",
        CLASSES_DRAWN,
        bounds=(0, 1),
        definition=(
            "The share of reconstructions of test digits the classifier reads as their label."
        ),
    ),
    Metric(
        "prior_classes",
        "classes in N(0, I) decodes",
        CLASSES_DRAWN,
        decimals=1,
        panel="digit classes in N(0, I) decodes",
        bounds=(1, 10),
        count=True,
        definition=CLASSES,
    ),
    Metric(
        "prior_tv",
        "class TV from labels",
        CLASSES_DRAWN,
        panel="class TV of N(0, I) decodes from labels",
        bounds=(0, 1),
        definition=(
            "The total variation between the class histogram of the decodes of N(0, I) and the "
            "test labels' (0 = the same mix of digits as the data, 1 = disjoint; ± from the "
            "number of decodes)."
        ),
    ),
    Metric(
        "prior_entropy_bits",
        "class entropy (bits)",
        CLASSES_DRAWN,
        decimals=2,
        bounds=(0, MAX_CLASS_ENTROPY_BITS),
        unit="bits",
        definition="The entropy of that histogram, at most log<sub>2</sub> 10 = 3.32 bits.",
    ),
    Metric(
        "prior_confidence",
        "confidence",
        CLASSES_DRAWN,
        panel="mean calibrated confidence",
        bounds=(0.1, 1),
        definition=(
            "The classifier's mean top-class probability after temperature scaling (low = blurry "
            "or ambiguous digits)."
        ),
    ),
    Metric(
        "grid_classes",
        "classes in grid",
        CLASSES_DRAWN,
        decimals=1,
        bounds=(1, 10),
        count=True,
        definition="Digit classes in the {manifold_cells} manifold cells, counted as above.",
    ),
    Metric("grid_entropy_bits", "grid class entropy (bits)", bounds=(0, MAX_CLASS_ENTROPY_BITS)),
    Metric(
        "grid_confidence",
        "grid confidence",
        CLASSES_DRAWN,
        bounds=(0.1, 1),
        definition="The classifier's mean calibrated confidence over the manifold cells.",
    ),
    Metric("grid_tv", "grid class TV from labels", bounds=(0, 1)),
    Metric("q_mean", "mean of q(z)", error=False, json=True),
    Metric("q_cov", "covariance of q(z)", error=False, json=True),
    Metric("prior_shares", "class shares of N(0, I) decodes", error=False, json=True),
)


def entries():
    """The metrics in their order (read at call time, so a test can add one)."""
    return METRICS


def by_key():
    return {metric.key: metric for metric in entries()}


def grouped(group):
    """The metrics of one part of the report's table, in order."""
    return [metric for metric in entries() if metric.group == group]


def panels():
    """(key, title) of each panel of the figure of metrics against c."""
    return [(metric.key, metric.panel) for metric in entries() if metric.panel]


def computed():
    """The metrics with a function of their own (see the module's docstring)."""
    return [metric for metric in entries() if metric.compute is not None]


# the settings the definitions name, each shown as a run's value or, in docs/metrics.md, as
# the setting's key
DEFINED_BY_SETTINGS = {
    "iw_samples": str,
    "iw_images": lambda images: images or "all",
    "prior_samples": str,
    "coverage_samples": str,
    "class_share": lambda share: f"{100 * share:g} %",
}


def definition_values(settings, mi_ceilings, manifold_cells):
    """The {placeholders} of the definitions, for a run with these settings; mi_ceilings are
    the values of log N (one per number of test images)."""
    return {
        **_fixed_values(manifold_cells),
        **{key: shown(settings[key]) for key, shown in DEFINED_BY_SETTINGS.items()},
        "mi_ceiling": " or ".join(f"{c:.2f}" for c in mi_ceilings),
    }


def _fixed_values(manifold_cells):
    return {
        "blocks": BLOCKS,
        "neighbours": NEIGHBOURS,
        "proposal_widths": _widths(),
        "manifold_cells": manifold_cells,
    }


def _widths():
    from vaestudy.estimators import PROPOSAL_WIDTHS

    return ", ".join(f"{w:g}" for w in PROPOSAL_WIDTHS)


def definitions(values):
    """(heading, definition) of every metric the report's table shows, in its order."""
    return [
        (metric.heading, metric.definition.format(**values))
        for group in GROUPS
        for metric in grouped(group)
        if metric.definition
    ]


def _bound(value, missing):
    if value is None:
        return missing
    return f"`{value}`" if isinstance(value, str) else f"{value:.3g}"


def markdown():
    """docs/metrics.md: every column of the metrics table, from this registry."""
    from vaestudy.evaluation import MANIFOLD_SIZE

    values = {
        **_fixed_values(MANIFOLD_SIZE**2),
        **{key: f"`{key}`" for key in DEFINED_BY_SETTINGS},
        "mi_ceiling": "log N",
    }
    lines = [
        "# Metrics",
        "",
        "Every column of `results/tables/metrics.csv` beside the model's coefficient, seed and",
        "problem, as declared in `src/vaestudy/registry.py`; written by",
        "`.venv/bin/python -m vaestudy.registry > docs/metrics.md` (a test checks it is",
        "current). A metric with an error has a `<key>_se` column, its standard error over the",
        "test images and Monte Carlo draws. A sum of other columns is, in the report's tables,",
        "their values summed, with their seed spreads (docs/method.md).",
        "",
        "| column | heading | report table | error | bounds | unit | sum of |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for m in entries():
        lower, upper = m.bounds
        bounds = f"[{_bound(lower, '−∞')}, {_bound(upper, '∞')}]" if lower is not None else ""
        group = m.group.split(":")[0] if m.group else ""
        error = "yes" if m.error else ""
        parts = " ".join(f"{'−' if w < 0 else '+'} `{key}`" for key, w in m.parts).lstrip("+ ")
        lines.append(
            f"| `{m.key}` | {m.heading} | {group} | {error} | {bounds} | {m.unit} | {parts} |"
        )
    lines += ["", "## Definitions", ""]
    lines += [f"- **{heading}**: {text}" for heading, text in definitions(values)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
