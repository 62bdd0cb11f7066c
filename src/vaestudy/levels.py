"""The problems a study is run on. Each dataset at each latent dimension is a level, with its
own models, judge and conclusion; the coefficients and seeds are the same at every level.
A dataset's data, its judge and each latent dimension's initial weights are made once."""

from dataclasses import dataclass

from vaestudy.data import (
    CANONICAL_SIZES,
    DataError,
    check_limits,
    check_local_mnist,
    fetch_dataset,
    validate_mnist,
)
from vaestudy.files import sha256_of


@dataclass(frozen=True)
class Dataset:
    """Where a dataset comes from: a local file (`path`), or `url` checked against `sha256`."""

    name: str
    path: str = ""
    url: str = ""
    sha256: str = ""

    def source(self):
        """A data job's params: {"url", "sha256", "local_path", "name"}."""
        return {"url": self.url, "sha256": self.sha256, "local_path": self.path, "name": self.name}


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


def datasets(config):
    """The validated config's datasets, in order; mnist from the mnist_* keys."""
    found = []
    for entry in config["datasets"]:
        if entry == "mnist":
            found.append(
                Dataset("mnist", config["mnist_path"], config["mnist_url"], config["mnist_sha256"])
            )
        else:
            found.append(Dataset(**entry))
    return found


def latent_dims(config):
    value = config["latent_dim"]
    return [int(d) for d in (value if isinstance(value, list) else [value])]


def levels(config):
    """Every level: each dataset at each latent dimension, datasets first, in config order."""
    return [Level(d.name, dim) for d in datasets(config) for dim in latent_dims(config)]


def level_of(row):
    """The Level of a metrics-table row (or a dict with dataset and latent_dim)."""
    return Level(str(row["dataset"]), int(row["latent_dim"]))


def check_files(config):
    """Read and check every local data file before any job: its layout (one line naming the
    key and the file), that no two datasets are the same file, and the image limits. Data
    to download is checked by its job."""
    hashes = {}
    for dataset in datasets(config):
        if not dataset.path:
            sizes = CANONICAL_SIZES if dataset.name == "mnist" else None
        else:
            sizes = check_file(dataset)
            digest = sha256_of(dataset.path)
            if digest in hashes:
                raise DataError(
                    f"config key 'datasets': dataset {dataset.name!r} is the same file as "
                    f"{hashes[digest]!r} (sha256 {digest[:12]}…); list each dataset once"
                )
            hashes[digest] = dataset.name
        if sizes:
            check_limits(sizes, config["train_limit"], config["test_limit"], dataset.name)


def check_file(dataset, path=None):
    """validate_mnist of the dataset's file (or `path`), with errors that name its config
    key and the dataset; returns the images per split."""
    if dataset.name == "mnist":
        return check_local_mnist(path or dataset.path)
    try:
        return validate_mnist(path or dataset.path)
    except DataError as error:
        raise DataError(
            f"config key 'datasets': dataset {dataset.name!r}: {error}; give an npz in the "
            "Keras layout (x_train, y_train, x_test, y_test: 28 x 28 uint8 images, labels 0-9)"
        ) from error


def fetch(dataset, dest, train_limit, test_limit):
    """The data job: the dataset's file at dest, validated, with its provenance; a
    downloaded file's sizes are checked against the limits here, as they were not known
    before."""
    offline = {}
    if dataset.name != "mnist":
        offline = {
            "what": f"dataset {dataset.name!r}",
            "offline": f"list it as {{name: {dataset.name}, path: /path/to/file.npz}}",
        }
    provenance = fetch_dataset(
        dest, dataset.url, dataset.sha256, dataset.path, lambda p: check_file(dataset, p), **offline
    )
    check_limits(provenance["sizes"], train_limit, test_limit, dataset.name)
    return provenance
