"""Whether the answer carries over between loss definitions (losses.py), as data.

Every level's answer is in canonical units, so levels of different definitions are compared
as they stand. pixel_mean and latent_mean differ from sum only by a rescaling of the loss,
which Adam's update nearly ignores: their canonical intervals should overlap sum's at the
same dataset and latent dimension (`rescaled`). A Gaussian decoder need not agree. A decoder
with a learned variance sets its own weight of the KL: at c = 1 its variance implies
c_eff = 2 variance in the units of the fixed-variance (1/2) level, and `calibrated` says
whether that weight lies inside that level's interval, which is whether a calibrated decoder
replaces the sweep here. Pure data; wording.py says it.
"""

from scipy import stats

from vaestudy.criteria import CRITERIA, overlap
from vaestudy.levels import Level
from vaestudy.losses import DEFAULT, DEFINITIONS, Gaussian, effective_coefficient

# the canonical c at which a learned variance is read (the loss as a likelihood bound)
CALIBRATED_AT = 1.0


def typed_answer(criterion, level):
    """A criterion record's best, interval and within-margin span as the level's definition
    types them (losses.Definition.typed)."""

    def typed(pair):
        return [level.typed(c) for c in pair] if pair else None

    best = criterion["best"]
    return {
        "best": None if best is None else level.typed(best),
        "interval": typed(criterion["interval"]),
        "within": typed(criterion["within"]),
    }


def definition_record(level):
    """A level's loss definition: its name, words, likelihood and canonical c per typed c."""
    definition = level.definition
    return {
        "loss": definition.name,
        "words": definition.words,
        "likelihood": definition.likelihood.family,
        "density": definition.likelihood.density,
        "factor": definition.factor(level.latent_dim),
    }


def conversion_rows(latent_dims):
    """For a reader's own code: each definition's canonical c per typed c at each latent
    dimension (multiply a typed c by it; divide a canonical answer by it)."""
    return [
        {
            "loss": d.name,
            "words": d.words,
            "likelihood": d.likelihood.family,
            "factors": {str(dim): d.factor(dim) for dim in latent_dims},
        }
        for d in DEFINITIONS.values()
    ]


def variance_at(record, coefficient=CALIBRATED_AT):
    """The learned variance of a level's models at one canonical c (value and standard error
    from the noise model), None where that c was not trained or the variance is not learned."""
    return next(
        (p for p in record.get("decoder_variance", []) if p["coefficient"] == coefficient), None
    )


def _partner(records, level, loss):
    """The record of the level with `level`'s dataset and latent dimension under `loss`."""
    wanted = Level(level.dataset, level.latent_dim, loss)
    return next((r for r in records if Level.of(r) == wanted), None)


def rescaled(records):
    """Each Bernoulli level other than sum against the sum level of its dataset and latent
    dimension, per criterion: both intervals and whether they overlap."""
    rows = []
    for record in records:
        level = Level.of(record)
        if level.loss == DEFAULT or level.definition.likelihood.family != "bernoulli":
            continue
        reference = _partner(records, level, DEFAULT)
        if reference is None:
            continue
        for i, criterion in enumerate(CRITERIA):
            mine, theirs = record["criteria"][i]["interval"], reference["criteria"][i]["interval"]
            rows.append(
                {
                    "level": record["level"],
                    "reference": reference["level"],
                    "loss": level.loss,
                    "criterion": criterion.key,
                    "name": criterion.name,
                    "interval": mine,
                    "reference_interval": theirs,
                    "overlap": overlap(mine, theirs) if mine and theirs else None,
                }
            )
    return rows


def calibrated(records, confidence):
    """Each level with a learned variance: the variance of its c = 1 models, the KL weight
    it implies in the fixed-variance level's units with its interval at the confidence, and
    per criterion whether that weight lies inside the fixed-variance level's interval."""
    fixed = next(d.name for d in DEFINITIONS.values() if d.likelihood == Gaussian(0.5))
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    rows = []
    for record in records:
        level = Level.of(record)
        if not level.definition.likelihood.learned:
            continue
        variance = variance_at(record)
        reference = _partner(records, level, fixed)
        found = {"level": record["level"], "reference": reference and reference["level"]}
        if variance is None:
            rows.append({**found, "variance": None, "criteria": []})
            continue
        effective = float(effective_coefficient(CALIBRATED_AT, variance["value"]))
        spread = float(effective_coefficient(CALIBRATED_AT, variance["se"]))
        interval = [max(0.0, effective - z * spread), effective + z * spread]
        criteria = []
        for i, criterion in enumerate(CRITERIA):
            theirs = reference["criteria"][i]["interval"] if reference else None
            criteria.append(
                {
                    "criterion": criterion.key,
                    "name": criterion.name,
                    "reference_interval": theirs,
                    "inside": bool(theirs[0] <= effective <= theirs[1]) if theirs else None,
                    "overlap": overlap(interval, theirs) if theirs else None,
                }
            )
        rows.append(
            {
                **found,
                "coefficient": CALIBRATED_AT,
                "variance": variance["value"],
                "variance_se": variance["se"],
                "seeds": variance["seeds"],
                "effective": effective,
                "effective_interval": interval,
                "criteria": criteria,
            }
        )
    return rows


def published_grid(records, coefficients):
    """Where the published grid of coefficients (as typed under each definition) lands in
    canonical units at each level: which of its coefficients lie beyond the largest c trained
    there, and which in each criterion's interval."""
    positive = sorted(float(c) for c in coefficients if float(c) > 0)
    rows = []
    for record in records:
        level = Level.of(record)
        canonical = [level.definition.canonical(c, level.latent_dim) for c in positive]
        trained = [p["coefficient"] for c in record["criteria"] for p in c.get("points", [])]
        largest = max(trained, default=None)
        rows.append(
            {
                "level": record["level"],
                "loss": level.loss,
                "typed": positive,
                "canonical": canonical,
                "largest_trained": largest,
                "beyond": [
                    typed
                    for typed, value in zip(positive, canonical, strict=True)
                    if largest is not None and value > largest
                ],
                "inside": [
                    {
                        "criterion": c["criterion"],
                        "name": c["name"],
                        "coefficients": [
                            typed
                            for typed, value in zip(positive, canonical, strict=True)
                            if c["interval"] and c["interval"][0] <= value <= c["interval"][1]
                        ],
                    }
                    for c in record["criteria"]
                ],
            }
        )
    return rows


def carryover(records, confidence):
    """What conclusion.json holds of the loss definitions, beside each level's `definition`
    and typed answers: the conversion table at the study's latent dimensions, and the two
    comparisons."""
    levels = [Level.of(r) for r in records]
    return {
        "conversion": conversion_rows(sorted({level.latent_dim for level in levels})),
        "rescaled": rescaled(records),
        "calibrated": calibrated(records, confidence),
    }
