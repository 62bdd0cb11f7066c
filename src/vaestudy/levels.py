"""The problems a study is run on, its table of models, and where each of their files lives.

Each dataset at each latent dimension under each loss definition (losses.py) is a level, with
its own models and conclusion; the coefficients (canonical, see losses.py) and seeds are the
same at every level. A dataset's data, its classifier and each latent dimension's initial
weights are made once, shared by its loss definitions. This module is the one place that names
a level's axes: the workflow's rules, the scripts, the report and the monitor select a
level's rows, records and files through it."""

import re
from dataclasses import MISSING, asdict, dataclass, fields

import pandas as pd

from vaestudy.config import coefficient_label
from vaestudy.losses import DEFAULT, DEFINITIONS

# A level's key and its part of every path of its files: "mnist/z2/sum".
LEVEL = "{dataset}/z{latent_dim}/{loss}"
# A model's key within its level's folders: "mnist/z2/sum/seed0/c1".
MODEL_KEY = f"{LEVEL}/seed{{seed}}/c{{coefficient}}"

# Every file the study writes per dataset, latent dimension, level or model.
DATA = "results/data/{dataset}.npz"
DATA_INFO = "results/data/{dataset}.json"
CLASSIFIER = "results/classifier/{dataset}"
# the digit classifier's weights, and its record: its temperature, accuracy, calibration, bias
# and what real digits score in its features
CLASSIFIER_WEIGHTS = f"{CLASSIFIER}/classifier.weights.h5"
CLASSIFIER_RECORD = f"{CLASSIFIER}/classifier.json"
INIT = "results/init/z{latent_dim}/seed{seed}.weights.h5"
MODEL = f"results/models/{MODEL_KEY}"
CHECKPOINT = f"results/checkpoints/{MODEL_KEY}"
EXPLORER = f"results/explorer/{MODEL_KEY}.json"
MODEL_FIGURES = f"results/figures/{LEVEL}/seed{{seed}}"
ROUND = f"results/tables/refine/{LEVEL}/round{{round}}.json"
SWEEP = f"results/tables/iw_sweep/{LEVEL}/c{{coefficient}}.json"


def every(pattern):
    """A path pattern as a glob over every value of its fields: results/models/*/z*/..."""
    return re.sub(r"\{\w+\}", "*", pattern)


def level_figure(name):
    """The path pattern of one of a level's figures: results/figures/LEVEL/name.png."""
    return f"results/figures/{LEVEL}/{name}.png"


@dataclass(frozen=True)
class Level:
    dataset: str
    latent_dim: int
    loss: str = DEFAULT

    @classmethod
    def axes(cls):
        """The level's axes, in order: the columns and keys that name a level."""
        return [field.name for field in fields(cls)]

    @classmethod
    def of(cls, record):
        """The level a record names: a metrics row, a JSON record, a job's wildcards (any
        mapping or object with the axes), each axis in its type; an axis with a default (the
        loss) may be missing, as in records of a study without it."""

        def value(field):
            try:
                return record[field.name]
            except (TypeError, KeyError, IndexError):
                if field.default is MISSING:
                    return getattr(record, field.name)
                return getattr(record, field.name, field.default)

        return cls(**{field.name: field.type(value(field)) for field in fields(cls)})

    @classmethod
    def from_key(cls, key):
        """The level of a key as LEVEL makes it: 'mnist/z2/sum'."""
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(LEVEL))
        found = re.fullmatch(pattern, key)
        if found is None:
            raise ValueError(f"{key!r} is not a level's key like {LEVEL}")
        return cls.of(found.groupdict())

    @property
    def key(self):
        """Its key and its part of every path: 'mnist/z2/sum'."""
        return LEVEL.format(**asdict(self))

    @property
    def label(self):
        """How the report names it: 'mnist, 2-D latent, sum loss'."""
        return f"{self.dataset}, {self.latent_dim}-D latent, {self.loss} loss"

    @property
    def anchor(self):
        """Its part of the report's section ids and links: 'mnist-z2-sum'."""
        return f"{self.dataset}-z{self.latent_dim}-{self.loss}"

    @property
    def definition(self):
        """Its loss definition (losses.Definition)."""
        return DEFINITIONS[self.loss]

    def typed(self, canonical):
        """A canonical coefficient as this level's loss definition types it."""
        return self.definition.typed(canonical, self.latent_dim)

    def rows(self, table):
        """The rows of a table (one row per model, or per level) that are this level's (a
        table without the column of an axis with a default holds that default, see `of`)."""
        chosen = pd.Series(True, index=table.index)
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in table or field.default is MISSING:
                chosen &= table[field.name] == value
            elif value != field.default:
                chosen &= False
        return table[chosen].reset_index(drop=True)

    def path(self, pattern, **more):
        """A pattern filled in with this level's axes and `more` (seed, coefficient, ...)."""
        return pattern.format(**asdict(self), **more)


def _listed(value):
    return value if isinstance(value, list) else [value]


def latent_dims(config):
    return [int(d) for d in _listed(config["latent_dim"])]


def losses(config):
    return [str(name) for name in _listed(config["loss"])]


def levels(config, datasets):
    """Every level of a validated config and its checked datasets (datasets.configured):
    each dataset at each latent dimension under each loss definition, datasets first, then
    latent dimensions, in config order."""
    return [
        Level(d.name, dim, loss)
        for d in datasets
        for dim in latent_dims(config)
        for loss in losses(config)
    ]


# The table of models, one row each, as rna-seq-star-deseq2's units: a level's configured
# seeds and coefficients are round 0; round r of the refinement adds round r + 1.
TABLE_COLUMNS = [*Level.axes(), "seed", "coefficient", "round"]


def configured_models(levels, seeds, coefficients):
    """Round 0 of the table: every level's configured seeds and coefficients (labels)."""
    rows = [
        {**asdict(level), "seed": str(seed), "coefficient": coefficient, "round": 0}
        for level in levels
        for seed in seeds
        for coefficient in coefficients
    ]
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def added_models(level, record, round_):
    """The rows a refinement round's record (its "add": coefficients and their seeds) adds to
    a level's table, as round `round_`."""
    return [
        {
            **asdict(level),
            "seed": str(seed),
            "coefficient": coefficient_label(entry["coefficient"]),
            "round": round_,
        }
        for entry in record["add"]
        for seed in entry["seeds"]
    ]


def model_key(row):
    """A model's key from its row of the table (or any record with the model's axes)."""
    return MODEL_KEY.format(**row)
