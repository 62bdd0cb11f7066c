"""TensorBoard event files: each model's loss terms per epoch while it trains, and its final
yardsticks with c, seed and level as HParams, so that `tensorboard --logdir results/` shows
every model and its HParams view sets c against every metric."""

import math

from vaestudy import registry

EPOCH_TAGS = ("loss", "reconstruction", "kl", "seconds")


class EpochEvents:
    """Writes one history row per epoch (training.HISTORY_COLUMNS) as scalars, step = epoch."""

    def __init__(self, directory):
        import tensorflow as tf

        self._summary = tf.summary
        self._writer = tf.summary.create_file_writer(str(directory))

    def __call__(self, row):
        with self._writer.as_default(step=row["epoch"]):
            for tag in EPOCH_TAGS:
                self._summary.scalar(f"epoch/{tag}", row[tag])
        self._writer.flush()

    def close(self):
        self._writer.close()


def hparam_metrics(metrics):
    """The model's yardsticks of the report's table that are single finite numbers."""
    values = {}
    for metric in registry.entries():
        value = metrics.get(metric.key)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if metric.group and not metric.json and number and math.isfinite(value):
            values[metric.key] = float(value)
    return values


def write_hparams(directory, metrics):
    """A model's c, seed and level as HParams, and its yardsticks as scalars beside them."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp

    from vaestudy.levels import Level  # here, so that training jobs run without pandas

    hparams = {
        "c": float(metrics["coefficient"]),
        "seed": int(metrics["seed"]),
        **vars(Level.of(metrics)),
    }
    writer = tf.summary.create_file_writer(str(directory))
    with writer.as_default(step=0):
        hp.hparams(hparams)
        for key, value in hparam_metrics(metrics).items():
            tf.summary.scalar(f"yardstick/{key}", value)
    writer.close()
    return hparams
