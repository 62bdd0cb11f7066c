"""Epochs inside a running job, for snakesee, the passive monitor of Snakemake runs.

snakesee reads `.snakemake/` to show a study's jobs done, running and waiting and to estimate
the time left; what it cannot know is how far a training job has got. This module reads that
from the job's log: a VAE's training writes one line per epoch (`epoch 3/40  loss …  2.51 s`),
the classifier Keras's `Epoch 3/10` followed by `… - 2s - …`. `TrainingProgress` is registered
as a snakesee plugin (entry point group `snakesee.plugins` in pyproject.toml), so `snakesee watch`
shows them beside its own view.
"""

import re
import statistics
from dataclasses import dataclass

from snakesee.plugins.base import ToolProgress, ToolProgressPlugin

VAE_EPOCH = re.compile(r"^epoch (\d+)/(\d+)\b.*?([\d.]+) s\s*$", re.MULTILINE)

KERAS_HEADER = re.compile(r"^Epoch (\d+)/(\d+)\s*$", re.MULTILINE)

KERAS_SUMMARY = re.compile(r"^\d+/\d+ - (\d+(?:\.\d+)?)s - ", re.MULTILINE)

RECENT_EPOCHS = 5  # the time per epoch is the median of this many latest epochs


@dataclass(frozen=True)
class EpochProgress:
    """Epochs done out of total, and the median seconds of the latest epochs (None if unknown)."""

    done: int
    total: int
    seconds_per_epoch: float | None

    @property
    def seconds_left(self):
        if self.seconds_per_epoch is None:
            return None
        return (self.total - self.done) * self.seconds_per_epoch


def _recent_median(seconds):
    return statistics.median(seconds[-RECENT_EPOCHS:]) if seconds else None


def vae_progress(log_text):
    """From a VAE training log: its last `epoch N/M … S s` line (a resumed job continues them)."""
    lines = VAE_EPOCH.findall(log_text)
    if not lines:
        return None
    done, total, _ = lines[-1]
    return EpochProgress(int(done), int(total), _recent_median([float(s) for *_, s in lines]))


def keras_progress(log_text):
    """From a Keras `fit(verbose=2)` log: `Epoch N/M` headers, one `… - Ss - …` line per epoch
    finished."""
    headers = KERAS_HEADER.findall(log_text)
    if not headers:
        return None
    seconds = [float(s) for s in KERAS_SUMMARY.findall(log_text)]
    return EpochProgress(len(seconds), int(headers[-1][1]), _recent_median(seconds))


def epoch_progress(log_text):
    """The progress a job's log shows, or None if it shows none."""
    return vae_progress(log_text) or keras_progress(log_text)


class TrainingProgress(ToolProgressPlugin):
    """Epochs of the study's training jobs (train_vae, train_classifier), from their logs."""

    RULES = ("train_vae", "train_classifier")

    @property
    def tool_name(self):
        return "vaestudy-training"

    def can_parse(self, rule_name, log_content):
        return rule_name in self.RULES or epoch_progress(log_content) is not None

    def parse_progress(self, log_content):
        progress = epoch_progress(log_content)
        if progress is None:
            return None
        return ToolProgress(
            items_processed=progress.done,
            items_total=progress.total,
            unit="epochs",
            estimated_remaining_seconds=progress.seconds_left,
        )
