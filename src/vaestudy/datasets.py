"""The datasets a study is run on, and every check of one: its config entry, its local file's
layout, its image limits and its fetch. Each error names the config key to fix."""

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from vaestudy.config import ConfigError
from vaestudy.data import CANONICAL_SIZES, DataError, fetch_dataset, validate_npz
from vaestudy.files import sha256_of

# a dataset's name is a folder of results/: lowercase (one spelling on case-insensitive disks)
DATASET_NAME = r"[a-z][a-z0-9_-]{0,39}"
# KID compares the decoders' images with the test images in 10 blocks
MIN_TEST_IMAGES = 50


@dataclass(frozen=True)
class Dataset:
    """Where a dataset comes from: a local file (`path`), or `url` checked against `sha256`.
    mnist is the built-in one, set by the mnist_* keys; the others are entries of `datasets`."""

    name: str
    path: str = ""
    url: str = ""
    sha256: str = ""

    @property
    def where(self):
        """The config key its errors name."""
        if self.name == "mnist":
            return "config key 'mnist_path'"
        return f"config key 'datasets': dataset {self.name!r}"

    def params(self):
        """Its fields, as a data job's params (Dataset(**params) is the same dataset)."""
        return asdict(self)

    def check_entry(self):
        """A name that makes a good folder, and a local file that exists (a ConfigError)."""
        if self.name == "mnist":
            if self.path and not Path(self.path).exists():
                raise ConfigError(
                    f"{self.where}: file {self.path!r} does not exist; give the path of an "
                    "MNIST npz (Keras layout), or leave it empty to download"
                )
            return
        if not re.fullmatch(DATASET_NAME, self.name):
            raise ConfigError(
                f"{self.where}: the name would make a bad folder name; use 1 to 40 lowercase "
                "letters, digits, '-' or '_', starting with a letter"
            )
        if self.path and not Path(self.path).is_file():
            raise ConfigError(f"{self.where}: file {self.path!r} does not exist")

    def sizes(self, path=None):
        """The images per split of its local file (or `path`), whose layout is checked."""
        try:
            return validate_npz(path or self.path)
        except DataError as error:
            if self.name == "mnist":
                advice = (
                    "give an MNIST npz in the Keras layout, or leave mnist_path empty to download"
                )
            else:
                advice = (
                    "give an npz in the Keras layout (x_train, y_train, x_test, y_test: "
                    "28 x 28 uint8 images, labels 0-9)"
                )
            raise DataError(f"{self.where}: {error}; {advice}") from error

    def check_limits(self, sizes, train_limit, test_limit):
        """Slices no larger than the data, and enough test images."""
        data = "the data" if self.name == "mnist" else f"dataset {self.name!r}"
        for split, limit in (("train", train_limit), ("test", test_limit)):
            if limit > sizes[split]:
                raise DataError(
                    f"config key '{split}_limit': got {limit}, but {data} has only "
                    f"{sizes[split]} {split} images; use 0 for all or a smaller number"
                )
        if sizes["test"] < MIN_TEST_IMAGES:
            raise DataError(
                f"{data} has only {sizes['test']} test images; the study needs at least "
                f"{MIN_TEST_IMAGES} (KID compares the decoders' images with them in 10 blocks)"
            )

    def fetch(self, dest, train_limit, test_limit):
        """The data job: its file at dest, validated, with its provenance; a downloaded
        file's sizes are checked against the limits here, as they were not known before."""
        offline = {}
        if self.name != "mnist":
            offline = {
                "what": f"dataset {self.name!r}",
                "offline": f"list it as {{name: {self.name}, path: /path/to/file.npz}}",
            }
        provenance = fetch_dataset(dest, self.url, self.sha256, self.path, self.sizes, **offline)
        self.check_limits(provenance["sizes"], train_limit, test_limit)
        return provenance


def configured(config):
    """The config's datasets, in order, each entry checked (mnist from the mnist_* keys)."""
    found = []
    for entry in config["datasets"]:
        if entry == "mnist":
            dataset = Dataset(
                "mnist", config["mnist_path"], config["mnist_url"], config["mnist_sha256"]
            )
        elif entry["name"] == "mnist":
            raise ConfigError(
                "config key 'datasets': dataset 'mnist': the name mnist is the built-in MNIST "
                "(set mnist_path or mnist_url for it); give your dataset another name"
            )
        else:
            dataset = Dataset(**entry)
        dataset.check_entry()
        for other in found:
            if other.name == dataset.name or _source(other) == _source(dataset):
                raise ConfigError(
                    f"config key 'datasets': dataset {dataset.name!r} is the same level as "
                    f"{other.name!r} (same name or same file); list each dataset once"
                )
        found.append(dataset)
    return found


def _source(dataset):
    return str(Path(dataset.path).resolve()) if dataset.path else dataset.url


def check_local_files(datasets, train_limit, test_limit):
    """Read and check every local data file before any job: its layout, that no two
    datasets are the same file, and the image limits. Data to download is checked by its
    job (MNIST's sizes are known)."""
    hashes = {}
    for dataset in datasets:
        if not dataset.path:
            sizes = CANONICAL_SIZES if dataset.name == "mnist" else None
        else:
            sizes = dataset.sizes()
            digest = sha256_of(dataset.path)
            if digest in hashes:
                raise DataError(
                    f"config key 'datasets': dataset {dataset.name!r} is the same file as "
                    f"{hashes[digest]!r} (sha256 {digest[:12]}…); list each dataset once"
                )
            hashes[digest] = dataset.name
        if sizes:
            dataset.check_limits(sizes, train_limit, test_limit)
