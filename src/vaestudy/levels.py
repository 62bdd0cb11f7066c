"""The problems a study is run on. Each dataset at each latent dimension is a level, with its
own models, judge and conclusion; the coefficients and seeds are the same at every level.
A dataset's data, its judge and each latent dimension's initial weights are made once."""

from dataclasses import dataclass

from vaestudy.datasets import configured


@dataclass(frozen=True)
class Level:
    dataset: str
    latent_dim: int

    @property
    def label(self):
        """How the report names it: 'mnist, 2-D latent'."""
        return f"{self.dataset}, {self.latent_dim}-D latent"

    @property
    def anchor(self):
        """Its part of the report's section ids and links: 'mnist-z2'."""
        return f"{self.dataset}-z{self.latent_dim}"


def latent_dims(config):
    value = config["latent_dim"]
    return [int(d) for d in (value if isinstance(value, list) else [value])]


def levels(config):
    """Every level: each dataset at each latent dimension, datasets first, in config order."""
    return [Level(d.name, dim) for d in configured(config) for dim in latent_dims(config)]
